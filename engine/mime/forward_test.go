package mime

import (
	"os"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/corpustest"
)

// parseFile parses a file under testdata or the corpus and fails on error.
func parseFile(t *testing.T, path string) *Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(stripFromLine(raw), Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func TestForwardDetected(t *testing.T) {
	corpus := func(rel string) string { return corpustest.Path(t, rel) }
	tests := []struct {
		name     string
		path     string
		kind     string
		from     string // original sender's address
		fromName string
		subject  string
		date     string // RFC 3339, "" to skip
		id       string
		text     string // a word the original text holds
	}{
		{"gmail inline", corpus("mime/ruby-mail/plain_emails__raw_email8.eml"), "inline",
			"xxxxxxxx@xxx.com", "xxxxx xxxxxx", "Signed email causes file attachments", "2005-05-08T13:17:00Z", "", "japanese"},
		{"gmail inline signed", corpus("mime/ruby-mail/mime_emails__raw_email2.eml"), "inline",
			"xxxxxxxx@xxx.com", "xxxxx xxxxxx", "Signed email causes file attachments", "", "", "GTD"},
		{"rfc822 attachment", corpus("mime/ruby-mail/attachment_emails__attachment_message_rfc822.eml"), "rfc822",
			"xxxx@xxxx.com", "Test Tester", "Another PDF", "2005-05-10T11:26:39-06:00", "<xxxx@xxxx.com>", "PDF"},
		{"rfc822 with inline image", corpus("mime/ruby-mail/attachment_emails__attachment_message_rfc822_inline_image.eml"), "rfc822",
			"xxxx@xxxx.com", "Test Tester", "Another PDF", "", "<xxxx@xxxx.com>", ""},
		{"zimbra rfc822", corpus("mime/php-mime-mail-parser/issue158a.eml"), "rfc822",
			"example@example.com", "Example Name", "Test 5", "2017-03-06T14:54:01Z",
			"<649983063.377570.1488812041831.JavaMail.zimbra@example.com>", "PLAIN TEXT"},
		{"agent forwards rfc822", corpus("hostile/MAIL-08-forward-by-agent.eml"), "rfc822",
			"erin@customer.example.org", "Erin", "printer broken", "2026-03-02T08:00:00Z",
			"<erin1@customer.example.org>", "My printer is broken."},
		{"customer forwards inline", corpus("hostile/MAIL-08-forward-by-customer.eml"), "inline",
			"ceo@bigcorp.example.com", "CEO", "contract", "2026-03-02T09:00:00Z", "", "ticket stays Carol's"},
		{"polish inline", "testdata/forward-pl.eml", "inline",
			"anna.nowak@klient.example.pl", "Anna Nowak", "Awaria drukarki w biurze", "2026-03-03T17:45:00Z", "", "drukarka w pokoju 12 nie działa"},
		{"polish outlook", "testdata/forward-pl-outlook.eml", "inline",
			"zofia.wisniewska@sklep.example.pl", "Zofia Wiśniewska", "Zwrot towaru - zamówienie 4711", "2026-03-03T16:05:00Z", "", "zwrot pieniędzy"},
		{"czech thunderbird", "testdata/forward-cs.eml", "inline",
			"petr.svoboda@zakaznik.example.cz", "Petr Svoboda", "Reklamace objednávky 4711", "2026-03-03T16:20:11+01:00", "", "dorazilo poškozené"},
		{"czech outlook", "testdata/forward-cs-outlook.eml", "inline",
			"marie.novotna@zakaznik.example.cz", "Marie Novotná", "Dotaz na fakturu", "2026-03-03T14:02:00Z", "", "chybí DIČ"},
		{"apple quoted", "testdata/forward-apple.eml", "inline",
			"lisa@customer.example.org", "Lisa Meyer", "Invoice 2026-17 is wrong", "2026-03-02T09:41:07+01:00", "", "we bought 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := parseFile(t, tc.path)
			f := m.Forward
			if f == nil {
				t.Fatalf("Forward is nil; text %q", m.Text)
			}
			if f.Kind != tc.kind || f.From.Addr != tc.from || f.From.Name != tc.fromName || f.Subject != tc.subject {
				t.Errorf("got %q %v %q, want %q %s <%s> %q", f.Kind, f.From, f.Subject, tc.kind, tc.fromName, tc.from, tc.subject)
			}
			if tc.date != "" {
				want, _ := time.Parse(time.RFC3339, tc.date)
				if !f.Date.Equal(want) {
					t.Errorf("date: got %v, want %v", f.Date, want)
				}
			}
			if f.MessageID != tc.id {
				t.Errorf("message id: got %q, want %q", f.MessageID, tc.id)
			}
			if !strings.Contains(f.Text, tc.text) {
				t.Errorf("text: got %q, want it to contain %q", f.Text, tc.text)
			}
		})
	}
}

func TestForwardNotDetected(t *testing.T) {
	rfc822Long := "From: a@example.org\r\nSubject: minutes\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("Here are my own long notes. ", 40) +
		"\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.org\r\nSubject: old\r\n\r\nold text\r\n--b--\r\n"
	tests := []struct {
		name string
		raw  string
		path string
	}{
		{name: "outlook reply quoting the original", path: "testdata/reply-pl-outlook.eml"},
		{name: "bounce with returned message", path: corpustest.Path(t, "hostile/MAIL-05-bounce-dsn.eml")},
		{name: "multipart report with rfc822", path: corpustest.Path(t, "mime/ruby-mail/multipart_report_emails__report_422.eml")},
		{name: "plain reply", path: corpustest.Path(t, "mime/lore-ksummit/windows-1252-1__1d2c50bffed4.eml")},
		{name: "rfc822 under a long own text", raw: rfc822Long},
		{name: "quoted forward block in a reply", raw: "From: a@example.org\r\nSubject: Re: x\r\n\r\nok\r\n\r\n> ---------- Forwarded message ---------\r\n> From: b@example.org\r\n> Subject: x\r\n"},
		{name: "marker without header block", raw: "From: a@example.org\r\nSubject: Fwd: x\r\n\r\n-----Original Message-----\r\nnothing here\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m *Message
			if tc.path != "" {
				m = parseFile(t, tc.path)
			} else {
				var err error
				if m, err = Parse([]byte(tc.raw), Limits{}); err != nil {
					t.Fatal(err)
				}
			}
			if m.Forward != nil {
				t.Errorf("got Forward %+v, want nil", *m.Forward)
			}
		})
	}
}

func TestSubjectPrefixes(t *testing.T) {
	tests := []struct {
		subject        string
		forward, reply bool
	}{
		{"Fwd: x", true, false},
		{"FW: x", true, false},
		{"PD: x", true, false},
		{"TR: x", true, false},
		{"WG: x", true, false},
		{"Přeposlat: x", true, false},
		{"[list] Fwd: x", true, false},
		{"转发：x", true, false},
		{"Re: Fwd: x", false, true},
		{"Odp: x", false, true},
		{"AW: x", false, true},
		{"x: y", false, false},
		{"Meeting at 10:30", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.subject, func(t *testing.T) {
			if got := isForwardSubject(tc.subject); got != tc.forward {
				t.Errorf("isForwardSubject got %v, want %v", got, tc.forward)
			}
			if got := isReplySubject(tc.subject); got != tc.reply {
				t.Errorf("isReplySubject got %v, want %v", got, tc.reply)
			}
		})
	}
}

// TestForwardFromHTML finds forward blocks in HTML-only mail, whose text is
// derived from the HTML (Gmail and Outlook write no text part when set so).
func TestForwardFromHTML(t *testing.T) {
	tests := []struct{ name, subject, html, from, subject2, text string }{
		{"gmail", "Fwd: hello",
			`<div dir="ltr">FYI<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">John Doe</strong> <span dir="auto">&lt;<a href="mailto:john@example.com">john@example.com</a>&gt;</span><br>Date: Mon, Mar 2, 2026 at 9:00 AM<br>Subject: hello<br>To: &lt;<a href="mailto:a@example.org">a@example.org</a>&gt;<br></div><br><br><div dir="ltr">Original body here.</div></div></div>`,
			"john@example.com", "hello", "Original body here."},
		{"outlook without separator", "FW: hello",
			`<p>see below</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> John Smith &lt;john@example.com&gt; <br><b>Sent:</b> Monday, March 2, 2026 9:00 AM<br><b>To:</b> Support &lt;s@example.org&gt;<br><b>Subject:</b> hello</p></div><p>Body text.</p>`,
			"john@example.com", "hello", "Body text."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: a@example.org\r\nSubject: " + tc.subject + "\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n" + tc.html
			m, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			f := m.Forward
			if f == nil || f.Kind != "inline" || f.From.Addr != tc.from || f.Subject != tc.subject2 || f.Text != tc.text {
				t.Errorf("got %+v from text %q", f, m.Text)
			}
		})
	}
}
