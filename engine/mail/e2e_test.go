package mail_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	netmail "net/mail"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/mail"
	"searchdesk/engine/mail/mailtest"
)

// rig is a desk wired to a real Dovecot and a real SMTP listener.
type rig struct {
	st    *engine.Store
	dc    *mailtest.Dovecot
	smtp  *mailtest.SMTPServer
	desk  engine.Desk
	agent engine.User
	stop  func()
}

func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func openStore(t *testing.T, dir string) *engine.Store {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	st, err := engine.Open(dir, engine.Options{SecretKey: key, BaseURL: "https://desk.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// newRig starts the servers, configures desk "sup" and runs the manager.
func newRig(t *testing.T, adjust ...func(*engine.Desk)) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{dc: mailtest.StartDovecot(t, mailtest.DovecotOptions{}), smtp: mailtest.StartSMTP(t, mailtest.SMTPOptions{})}
	r.st = openStore(t, t.TempDir())
	t.Cleanup(func() { r.st.Close() })
	pw, err := r.st.Seal(r.dc.Password)
	if err != nil {
		t.Fatal(err)
	}
	ih, ip := hostPort(t, r.dc.Addr)
	sh, sp := hostPort(t, r.smtp.Addr)
	desk := engine.Desk{Code: "sup", Name: "Support", Addresses: []string{"support@desk.example.com"},
		Pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}",
		Mailboxes: []engine.Mailbox{{Server: engine.Server{Host: ih, Port: ip, Security: engine.SecurityNone,
			User: r.dc.User, Password: pw}, Folder: "INBOX", PollSeconds: 1}},
		SMTP: &engine.Server{Host: sh, Port: sp, Security: engine.SecurityNone}}
	for _, fn := range adjust {
		fn(&desk)
	}
	d, err := r.st.SaveDesk(ctx, desk)
	if err != nil {
		t.Fatal(err)
	}
	r.desk = d
	r.agent, err = r.st.AddUser(ctx, engine.User{Email: "ann.agent@desk.example.com", Name: "Ann Agent", Role: engine.RoleAgent, Desks: []string{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	m := &mail.Manager{Store: r.st, Rescan: 200 * time.Millisecond,
		Sender: &mail.Sender{Store: r.st, Interval: 100 * time.Millisecond}}
	go func() { defer close(done); _ = m.Run(mctx) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	return r
}

// waitFor waits until fn reports true, or fails the test after 20 s.
func waitFor(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func parse(t *testing.T, raw []byte) *netmail.Message {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("outgoing mail does not parse: %v\n%s", err, raw)
	}
	return m
}

func mkmail(hdr [][2]string, body string) []byte {
	var b strings.Builder
	for _, h := range hdr {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	b.WriteString("\r\n" + body + "\r\n")
	return []byte(b.String())
}

var numberRe = regexp.MustCompile(`\[(SUP-\d\d-\d\d-\d+)\]`)

// TestMailEndToEnd: a customer's mail in Dovecot becomes a ticket, the
// acknowledgement reaches the SMTP listener with the number, replies by
// In-Reply-To and by the number in the subject thread onto the ticket, an
// agent's reply goes out with threading headers, and an agent's forward
// opens a ticket for the original sender.
func TestMailEndToEnd(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.dc.Deliver(t, r.dc.User, "INBOX", mkmail([][2]string{
		{"From", "Anna Nowak <anna@customer.example.org>"}, {"To", "support@desk.example.com"},
		{"Subject", "Drukarka nie drukuje"}, {"Message-ID", "<anna-1@customer.example.org>"},
		{"Date", time.Now().Format(time.RFC1123Z)}}, "The printer prints nothing since Monday."))

	got := r.smtp.Wait(t, 1, 20*time.Second)
	ack := parse(t, got[0].Data)
	m := numberRe.FindStringSubmatch(ack.Header.Get("Subject"))
	if m == nil {
		t.Fatalf("acknowledgement subject %q has no ticket number", ack.Header.Get("Subject"))
	}
	number := m[1]
	if len(got[0].To) != 1 || got[0].To[0] != "anna@customer.example.org" {
		t.Errorf("acknowledgement went to %v", got[0].To)
	}
	for h, want := range map[string]string{"In-Reply-To": "<anna-1@customer.example.org>", "Auto-Submitted": "auto-replied",
		"X-Loop": "support@desk.example.com"} {
		if v := ack.Header.Get(h); v != want {
			t.Errorf("acknowledgement %s: %q, want %q", h, v, want)
		}
	}
	if rt := ack.Header.Get("Reply-To"); !strings.Contains(rt, "support@desk.example.com") {
		t.Errorf("acknowledgement Reply-To %q", rt)
	}
	tk, err := r.st.TicketByNumber(ctx, r.desk.ID, number)
	if err != nil {
		t.Fatalf("ticket %s: %v", number, err)
	}
	waitFor(t, "\\Seen on the stored message", func() bool { return r.dc.HasFlag(t, r.dc.User, "INBOX", 1, `\Seen`) })

	// The customer answers the acknowledgement: only In-Reply-To links it.
	r.dc.Deliver(t, r.dc.User, "INBOX", mkmail([][2]string{
		{"From", "anna@customer.example.org"}, {"To", "support@desk.example.com"},
		{"Subject", "one more thing"}, {"Message-ID", "<anna-2@customer.example.org>"},
		{"In-Reply-To", ack.Header.Get("Message-ID")}}, "It also beeps."))
	// Again with only the number in the subject.
	r.dc.Deliver(t, r.dc.User, "INBOX", mkmail([][2]string{
		{"From", "anna@customer.example.org"}, {"To", "support@desk.example.com"},
		{"Subject", "Re: [" + number + "] Drukarka"}, {"Message-ID", "<anna-3@customer.example.org>"}}, "And now it smokes."))
	waitFor(t, "three messages on the ticket", func() bool {
		tk, _ = r.st.Ticket(ctx, tk.ID)
		return tk.Messages >= 3
	})
	msgs, err := r.st.Messages(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]string{}
	for _, m := range msgs {
		rules[m.MessageID] = m.Reason.Rule
	}
	if rules["<anna-2@customer.example.org>"] != engine.RuleInReplyTo || rules["<anna-3@customer.example.org>"] != engine.RuleSubjectNumber {
		t.Errorf("thread rules: %v", rules)
	}
	if n := len(r.smtp.Messages()); n != 1 {
		t.Errorf("%d mails sent after the replies, want only the acknowledgement", n)
	}

	// An agent answers; the mail reaches the customer in the same thread.
	reply, err := r.st.AddReply(ctx, r.agent, tk.ID, "We are sending a **technician**.")
	if err != nil {
		t.Fatal(err)
	}
	got = r.smtp.Wait(t, 2, 20*time.Second)
	out := parse(t, got[1].Data)
	if out.Header.Get("Message-ID") != reply.MessageID {
		t.Errorf("reply Message-ID %q, want %q", out.Header.Get("Message-ID"), reply.MessageID)
	}
	if v := out.Header.Get("In-Reply-To"); v != "<anna-3@customer.example.org>" {
		t.Errorf("reply In-Reply-To %q, want the last customer message", v)
	}
	refs := out.Header.Get("References")
	if !strings.Contains(refs, "<anna-3@customer.example.org>") {
		t.Errorf("reply References %q", refs)
	}
	if !strings.Contains(out.Header.Get("Subject"), "["+number+"]") || out.Header.Get("Auto-Submitted") != "" {
		t.Errorf("reply subject %q, Auto-Submitted %q", out.Header.Get("Subject"), out.Header.Get("Auto-Submitted"))
	}
	if ct := out.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("reply Content-Type %q, want text and HTML parts", ct)
	}
	waitFor(t, "the reply recorded as sent", func() bool {
		ob, _ := r.st.TicketOutbox(tk.ID)
		return len(ob) == 2 && ob[1].Status == engine.OutboxSent
	})

	// The agent forwards a customer's mail to the desk.
	r.dc.Deliver(t, r.dc.User, "INBOX", mkmail([][2]string{
		{"From", "Ann Agent <ann.agent@desk.example.com>"}, {"To", "support@desk.example.com"},
		{"Subject", "Fwd: Invoice 7 is wrong"}, {"Message-ID", "<fwd-1@desk.example.com>"}},
		"Please handle.\r\n\r\n---------- Forwarded message ---------\r\nFrom: Jan Novak <jan@client.example.cz>\r\n"+
			"Date: Mon, 2 Feb 2026 10:00:00 +0100\r\nSubject: Invoice 7 is wrong\r\nTo: ann.agent@desk.example.com\r\n\r\n"+
			"The total on invoice 7 is wrong."))
	var fwd engine.Ticket
	waitFor(t, "the forwarded ticket", func() bool {
		c, err := r.st.ContactByAddress(ctx, "jan@client.example.cz")
		if err != nil {
			return false
		}
		found := false
		_ = r.st.EachTicket(ctx, func(x *engine.Ticket) error {
			if x.ContactID == c.ID {
				fwd, found = *x, true
			}
			return nil
		})
		return found
	})
	if fwd.Subject != "Invoice 7 is wrong" {
		t.Errorf("forwarded ticket subject %q", fwd.Subject)
	}
	got = r.smtp.Wait(t, 3, 20*time.Second)
	if to := got[2].To; len(to) != 1 || to[0] != "jan@client.example.cz" {
		t.Errorf("acknowledgement of the forward went to %v, want the original sender", to)
	}
}
