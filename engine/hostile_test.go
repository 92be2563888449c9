package engine

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestHostileIdentity maps the hostile samples' placeholders (ticket 1042,
// Message-ID <sd.1042.N.sig@desk.example.com>) onto a real ticket of
// carol@customer.example.org and checks that neither a spoofed From with a
// failed DMARC verdict from the desk's own MTA (MAIL-01) nor a stranger's
// guessed number (MAIL-11) attaches as the customer.
func TestHostileIdentity(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T, authserv string) (*Store, IntakeResult, string) {
		s := openTest(t)
		d := newDesk(t, s)
		d.Pattern = "#{{nr}}"
		d.AuthservID = authserv
		if _, err := s.SaveDesk(ctx, d); err != nil {
			t.Fatal(err)
		}
		agent, err := s.AddUser(ctx, User{Email: "agent.ann@desk.example.com", Role: RoleAgent, Desks: []string{d.ID}})
		if err != nil {
			t.Fatal(err)
		}
		first := intake(t, s, mkmail(map[string]string{"From": "Carol <carol@customer.example.org>",
			"To": "support@desk.example.com", "Subject": "Refund", "Message-ID": "<carol-1@customer.example.org>"}, "Please refund."))
		reply, err := s.AddReply(ctx, agent, first.TicketID, "We are on it.")
		if err != nil {
			t.Fatal(err)
		}
		return s, first, reply.MessageID
	}
	mapSample := func(t *testing.T, name, number, ourID string) []byte {
		raw := string(readCorpus(t, "hostile/"+name))
		for _, placeholder := range []string{"<sd.1042.7.sig@desk.example.com>", "<sd.1042.1.guess@desk.example.com>"} {
			raw = strings.ReplaceAll(raw, placeholder, ourID)
		}
		return []byte(strings.ReplaceAll(raw, "[#1042]", "["+number+"]"))
	}
	cases := []struct {
		name, file, authserv string
		wantVerified         bool
	}{
		{"MAIL-01 DMARC fail from our own MTA", "MAIL-01-spoofed-from-token.eml", "mx.desk.example.com", false},
		{"MAIL-01 verdict from another authserv-id is not believed", "MAIL-01-spoofed-from-token.eml", "mx.other.example", true},
		{"MAIL-11 stranger guesses number and Message-ID", "MAIL-11-subject-tag-guess.eml", "mx.desk.example.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, first, ourID := setup(t, tc.authserv)
			r := intake(t, s, mapSample(t, tc.file, first.TicketNumber, ourID))
			if r.TicketID != first.TicketID {
				t.Fatalf("got ticket %s (%s), want it on %s flagged", r.TicketNumber, r.Reason.Rule, first.TicketNumber)
			}
			if got := !slices.Contains(r.Flags, FlagUnverifiedSender); got != tc.wantVerified {
				t.Errorf("verified: got %v (flags %v, rule %s), want %v", got, r.Flags, r.Reason.Rule, tc.wantVerified)
			}
		})
	}
}
