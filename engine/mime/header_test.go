package mime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/corpustest"
)

func TestOwnHeadersStripped(t *testing.T) {
	m := corpusMessage(t, "hostile/MAIL-03-own-headers.eml")
	for _, f := range m.Header {
		if strings.HasPrefix(strings.ToLower(f.Name), "x-searchdesk") {
			t.Errorf("header %s: %q survived (MAIL-03)", f.Name, f.Value)
		}
	}
	if got := m.Header.Get("x-searchdesk-agent"); got != "" {
		t.Errorf("Get(x-searchdesk-agent) got %q, want \"\"", got)
	}
	if got, want := m.Header.Get("x-loop"), "support@desk.example.com"; got != want {
		t.Errorf("X-Loop got %q, want %q", got, want)
	}
	var names []string
	for _, f := range m.Header {
		names = append(names, f.Name)
	}
	want := []string{"From", "To", "Subject", "Date", "X-Loop", "MIME-Version", "Content-Type", "Message-ID"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("fields got %q, want %q", names, want)
	}
}

func TestHeaderGetValues(t *testing.T) {
	h := Header{{"Received", "a"}, {"To", "x@example.org"}, {"received", "b"}}
	if got := h.Get("RECEIVED"); got != "a" {
		t.Errorf("Get got %q, want %q", got, "a")
	}
	if got := h.Values("Received"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Values got %q", got)
	}
	if got := h.Get("Cc"); got != "" {
		t.Errorf("Get(Cc) got %q, want \"\"", got)
	}
}

func TestAddresses(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Address
	}{
		{"plain", "ann@example.org", []Address{{"", "ann@example.org"}}},
		{"name and angle", `Ann Smith <Ann.Smith@Example.ORG>`, []Address{{"Ann Smith", "ann.smith@example.org"}}},
		{"quoted name with comma", `"Smith, Ann" <ann@example.org>, bob@example.org`,
			[]Address{{"Smith, Ann", "ann@example.org"}, {"", "bob@example.org"}}},
		{"unquoted comma in name", `Smith, Ann <ann@example.org>`, []Address{{"Smith, Ann", "ann@example.org"}}},
		{"encoded name", `=?utf-8?q?Zo=C5=BCa?= <zo@example.org>`, []Address{{"Zoża", "zo@example.org"}}},
		{"comment as name", `ann@example.org (Ann Smith)`, []Address{{"Ann Smith", "ann@example.org"}}},
		{"group", `Team: ann@example.org, bob@example.org;`, []Address{{"", "ann@example.org"}, {"", "bob@example.org"}}},
		{"empty group", `undisclosed-recipients:;`, nil},
		{"mailer daemon", `MAILER-DAEMON`, []Address{{"", "mailer-daemon"}}},
		{"pipermail", `fog at initd.org (Federico)`, []Address{{"Federico", "fog@initd.org"}}},
		{"outlook mailto", `Ann Smith [mailto:ann@example.org]`, []Address{{"Ann Smith", "ann@example.org"}}},
		{"quoted local part", `"<script>x</script>"@example.org`, []Address{{"", `"<script>x</script>"@example.org`}}},
		{"address as name", `"support@desk.example.com" <mallory@example.net>`,
			[]Address{{"support@desk.example.com", "mallory@example.net"}}},
		{"crlf in encoded name", `=?utf-8?q?Mallory=0D=0ABcc:_v@example.org?= <m@example.net>`,
			[]Address{{"Mallory Bcc: v@example.org", "m@example.net"}}},
		{"missing bracket", `Ann <ann@example.org`, []Address{{"Ann", "ann@example.org"}}},
		{"nested comments", `a@example.org (x (y (z)) w)`, []Address{{"x (y (z)) w", "a@example.org"}}},
		{"single quotes", `'ann@example.org'`, []Address{{"", "ann@example.org"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := parseAddressList(tc.in, 10)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEnvelope(t *testing.T) {
	m := corpusMessage(t, "hostile/MAIL-09-multiple-from-reply-to.eml")
	if len(m.From) != 2 || m.From[0].Addr != "carol@customer.example.org" || m.From[1].Addr != "mallory@hostile.example.net" {
		t.Errorf("From got %v, want carol and mallory", m.From)
	}
	if m.Sender == nil || len(m.ReplyTo) == 0 {
		t.Errorf("Sender %v, Reply-To %v: want both", m.Sender, m.ReplyTo)
	}
	m = corpusMessage(t, "hostile/MAIL-07-crlf-subject-name.eml")
	if strings.ContainsAny(m.Subject, "\r\n") || strings.ContainsAny(m.From[0].Name, "\r\n") {
		t.Errorf("line break survived: subject %q, name %q", m.Subject, m.From[0].Name)
	}
	m = corpusMessage(t, "hostile/XSS-02-encoded-words.eml")
	if !strings.Contains(m.Subject, "<script>") {
		t.Errorf("subject %q: want the decoded payload as plain text", m.Subject)
	}
}

func TestMessageIDs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<a@b>", "<a@b>"},
		{"  <a@b>  (comment)", "<a@b>"},
		{"<a\r\n @b>", "<a@b>"},
		{"a@b", "<a@b>"},
		{"", ""},
		{"garbage", ""},
		{"<>", ""},
		{"<" + strings.Repeat("x", 1000) + "@b>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := parseMessageID(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if got, want := msgIDList("John's message of <a@b> and <c@d> <junk> <e@f"), []string{"<a@b>", "<c@d>"}; !reflect.DeepEqual(got, want) {
		t.Errorf("msgIDList got %q, want %q", got, want)
	}
}

func TestReferencesCap(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, " <r%d@example.org>", i)
	}
	b.WriteString(" <r5@example.org>") // repeated
	raw := "From: a@example.org\r\nReferences:" + b.String() + "\r\nIn-Reply-To: <r299@example.org> (x)\r\n\r\nbody"
	m, err := Parse([]byte(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.References) != 200 || m.References[0] != "<r0@example.org>" ||
		m.References[1] != "<r101@example.org>" || m.References[199] != "<r299@example.org>" {
		t.Errorf("got %d refs, first %q, second %q, last %q", len(m.References), m.References[0], m.References[1], m.References[len(m.References)-1])
	}
	if !reflect.DeepEqual(m.InReplyTo, []string{"<r299@example.org>"}) {
		t.Errorf("InReplyTo got %q", m.InReplyTo)
	}
}

// TestDates covers REL-12: lenient formats, zero for garbage.
func TestDates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Mon, 2 Jan 2006 15:04:05 -0700", "2006-01-02T15:04:05-07:00"},
		{"2 Jan 2006 15:04:05 +0000", "2006-01-02T15:04:05Z"},
		{"Mon, 02 Jan 2006 15:04 -0700", "2006-01-02T15:04:00-07:00"},
		{"Mon, 2 Jan 06 15:04:05 EST", "2006-01-02T15:04:05-05:00"},
		{"Mon, 2 Jan 99 15:04:05 GMT", "1999-01-02T15:04:05Z"},
		{"Wed, 9 Jan 2002 19:47:50 MST", "2002-01-09T19:47:50-07:00"},
		{"Tue Mar  1 01:47:31 2005", "2005-03-01T01:47:31Z"},
		{"Tue, 22 Jan 2002 14:35:28 UT", "2002-01-22T14:35:28Z"},
		{"Mon, 21 Jul 2014 17:57:01 +0200 (CEST)", "2014-07-21T17:57:01+02:00"},
		{"Thu, 29 Apr 2006 23:34:45 +0900 junk after", "2006-04-29T23:34:45+09:00"},
		{"May 8, 2005 1:17 PM", "2005-05-08T13:17:00Z"},
		{"March 2, 2026 at 9:41:07 AM GMT+1", "2026-03-02T09:41:07+01:00"},
		{"2026-03-02T09:41:07Z", "2026-03-02T09:41:07Z"},
		{"3 marca 2026 o 17:45", "2026-03-03T17:45:00Z"},
		{"úterý 3. března 2026 14:02", "2026-03-03T14:02:00Z"},
		{"1. 3. 2026 10:00", "2026-03-01T10:00:00Z"},
		{"Mon, 2 Jan 2006 15:04:05 Z", "2006-01-02T15:04:05Z"},
		{"Fri, 31 Dec 2099 23:59:59 +2400", ""},
		{"Thu, 01 Jan 1970 00:00:00 -1300", "1970-01-01T00:00:00-13:00"},
		{"Thu, 01 Jan 1970 00:00:00 -1500", ""},
		{"Wed, 15 Dec 2010 59:10 -0500", ""},
		{"Mon, 30 Feb 2015 10:00:00 +0000", ""},
		{"yesterday", ""},
		{"<HR>", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := parseDate(tc.in)
			if tc.want == "" {
				if !got.IsZero() {
					t.Errorf("got %v, want zero", got)
				}
				return
			}
			want, err := time.Parse(time.RFC3339, tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if _, off := got.Zone(); off != func() int { _, o := want.Zone(); return o }() {
				t.Errorf("zone got %v, want %v", got, want)
			}
		})
	}
	m := corpusMessage(t, "hostile/REL-12-date-skew.eml")
	if !m.Date.IsZero() || m.DateRaw != "Fri, 31 Dec 2099 23:59:59 +2400" {
		t.Errorf("REL-12: got %v %q, want zero and the raw value", m.Date, m.DateRaw)
	}
}

func TestAutoSignals(t *testing.T) {
	tests := []struct {
		path string
		want Auto
	}{
		{"hostile/MAIL-04-out-of-office.eml", Auto{AutoSubmitted: "auto-replied", AutoReply: true}},
		{"hostile/MAIL-04-precedence-list.eml", Auto{Precedence: "bulk", ListID: "<news.lists.example.org>"}},
		{"hostile/MAIL-04-null-sender.eml", Auto{AutoSubmitted: "auto-generated", NullSender: true}},
		{"hostile/MAIL-04-own-address-loop.eml", Auto{Precedence: "auto_reply", AutoReply: true, XLoop: []string{"support@desk.example.com"}}},
		{"mime/sisimai-bounces/rfc3834-01.eml", Auto{AutoSubmitted: "auto-replied", AutoReply: true}},
		{"mime/sisimai-bounces/rfc3834-02.eml", Auto{AutoReply: true, NullSender: true}},
		{"mime/sisimai-bounces/rfc3834-03.eml", Auto{AutoReply: true}},
		{"mime/sisimai-bounces/rfc3834-04.eml", Auto{AutoReply: true, NullSender: true}},
		{"mime/lore-ksummit/windows-1252-1__1d2c50bffed4.eml", Auto{Precedence: "bulk", ListID: "<ksummit.lists.linux.dev>"}},
		{"mime/ruby-mail/plain_emails__raw_email8.eml", Auto{}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got := corpusMessage(t, tc.path).Auto
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestNotMail feeds inputs without a header block: Parse returns
// ErrNotMail and still a message.
func TestNotMail(t *testing.T) {
	inputs := map[string][]byte{
		"empty":    nil,
		"blank":    []byte("\r\n\r\n  \r\n"),
		"png":      []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"json":     []byte(`{"notificationType": "Bounce"}`),
		"sentence": []byte("This is not a mail message.\nFrom: nobody\n"),
	}
	files, _ := filepath.Glob(filepath.Join(corpustest.Path(t, "non-mail"), "*"))
	for _, f := range files {
		if strings.HasSuffix(f, ".json") || strings.HasSuffix(f, ".png") || strings.HasSuffix(f, ".msg") {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs[filepath.Base(f)] = raw
		}
	}
	for name, raw := range inputs {
		t.Run(name, func(t *testing.T) {
			m, err := Parse(raw, Limits{})
			if !errors.Is(err, ErrNotMail) {
				t.Errorf("got error %v, want ErrNotMail", err)
			}
			if m == nil {
				t.Error("got nil message")
			}
		})
	}
}

func TestHeaderOnlyOverMaxBytes(t *testing.T) {
	raw := []byte("From: Ann <ann@example.org>\r\nSubject: big\r\nMessage-ID: <big@example.org>\r\n\r\n" + strings.Repeat("x", 2000))
	m, err := Parse(raw, Limits{MaxBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "big" || m.MessageID != "<big@example.org>" || m.Text != "" || !hasProblem(m, "message too large") {
		t.Errorf("got subject %q id %q text %d bytes problems %v", m.Subject, m.MessageID, len(m.Text), m.Problems)
	}
}

func hasProblem(m *Message, p string) bool {
	for _, q := range m.Problems {
		if q == p {
			return true
		}
	}
	return false
}

func TestNormalizeBody(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\r\nb\r\n", "a\nb"},
		{"a  \t\nb \n\n\n", "a\nb"},
		{"\n\na", "\n\na"},
		{"a\rb", "a\nb"},
		{"a\r\r\nb", "a\n\nb"},
		{"  \n \t\n", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			got := NormalizeBody(tc.in)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if again := NormalizeBody(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}
