package engine

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// TestHostileHTMLNotEchoed (XSS-07): a customer's HTML reaches outgoing
// mail (the acknowledgement, the agent's notification, the agent's reply
// quoting it) only as the sanitized text: no script, form, tracking image
// or hostile link in any part of any mail in the outbox.
func TestHostileHTMLNotEchoed(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	desk, err := s.EnsureDesk(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	desk.Addresses, desk.AutoMailsPerHour = []string{"support@desk.example.com"}, 100
	if desk, err = s.SaveDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	agent, err := s.AddUser(ctx, User{Email: "agent@desk.example.com", Role: RoleAgent, Desks: []string{desk.ID}})
	if err != nil {
		t.Fatal(err)
	}
	raw := readCorpus(t, "hostile/XSS-07-notification-echo.eml")
	r, err := s.Intake(ctx, Inbound{Raw: raw, Channel: "email"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTicket(ctx, "test", r.TicketID, Change{AssigneeID: &agent.ID}, 0); err != nil {
		t.Fatal(err)
	}
	// The customer writes again (a notification to the agent), and the
	// agent answers (a reply quoting the customer).
	again := strings.Replace(string(raw), "<x07a@hostile.example.net>", "<x07b@hostile.example.net>", 1)
	again = strings.Replace(again, "Subject: Urgent: account", "Subject: Re: Urgent: account\r\nIn-Reply-To: <x07a@hostile.example.net>", 1)
	if _, err := s.Intake(ctx, Inbound{Raw: []byte(again), Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddReply(ctx, agent, r.TicketID, "We have looked into it."); err != nil {
		t.Fatal(err)
	}
	out, err := s.TicketOutbox(r.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, ob := range out {
		kinds[ob.Kind] = true
		mail := strings.ToLower(decodedParts(t, ob.Raw))
		// Positive controls: the decoded mail holds what it should.
		if want := map[string]string{"agent_reply": "looked into it", "agent_notify": "dear agent"}[ob.Kind]; want != "" &&
			!strings.Contains(mail, want) {
			t.Errorf("%s mail does not hold %q: the check reads the wrong text", ob.Kind, want)
		}
		for _, bad := range []string{"<script", "<form", "hostile.example.net/open", "hostile.example.net/sso", "alert(1)", "<input"} {
			if strings.Contains(mail, bad) {
				t.Errorf("%s mail carries %q", ob.Kind, bad)
			}
		}
	}
	for _, k := range []string{"ack", "agent_notify", "agent_reply"} {
		if !kinds[k] {
			t.Errorf("no %s mail in the outbox (have %v): the test did not see every echo", k, kinds)
		}
	}
}

// decodedParts returns the headers and every part of a MIME message with
// its transfer encoding undone, so that nothing hides in quoted-printable
// or base64.
func decodedParts(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("outgoing mail does not parse: %v", err)
	}
	var b strings.Builder
	var walk func(e *message.Entity)
	walk = func(e *message.Entity) {
		fields := e.Header.Fields()
		for fields.Next() {
			v, _ := fields.Text()
			b.WriteString(fields.Key() + ": " + v + "\n")
		}
		if mr := e.MultipartReader(); mr != nil {
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				walk(p)
			}
			return
		}
		body, _ := io.ReadAll(e.Body)
		b.Write(body)
	}
	walk(e)
	return b.String()
}
