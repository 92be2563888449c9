package engine

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func auditFields(t *testing.T, s *Store, ticketID string) []string {
	t.Helper()
	entries, err := s.Audit(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Field)
	}
	return out
}

func TestClosedTicketPolicy(t *testing.T) {
	ctx := context.Background()
	for _, policy := range []string{ClosedReopen, ClosedFollowUp} {
		t.Run(policy, func(t *testing.T) {
			s := openTest(t)
			d := newDesk(t, s)
			d.ClosedPolicy = policy
			if _, err := s.SaveDesk(ctx, d); err != nil {
				t.Fatal(err)
			}
			first := intake(t, s, mkmail(map[string]string{"From": "c@example.org", "Subject": "Broken", "Message-ID": "<c1@example.org>"}, "x"))
			if _, err := s.UpdateTicket(ctx, "agent", first.TicketID, statusChange(StatusClosed), 0); err != nil {
				t.Fatal(err)
			}
			reply := intake(t, s, mkmail(map[string]string{"From": "c@example.org", "Subject": "Re: Broken",
				"Message-ID": "<c2@example.org>", "In-Reply-To": "<c1@example.org>"}, "still broken"))
			old, err := s.Ticket(ctx, first.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			switch policy {
			case ClosedReopen:
				if reply.TicketID != first.TicketID || old.Status != StatusOpen {
					t.Errorf("got ticket %s status %s, want the old ticket reopened", reply.TicketNumber, old.Status)
				}
			case ClosedFollowUp:
				nt, err := s.Ticket(ctx, reply.TicketID)
				if err != nil {
					t.Fatal(err)
				}
				if reply.TicketID == first.TicketID || reply.Reason.Rule != RuleFollowUp || nt.Links.FollowUpOf != first.TicketID || old.Status != StatusClosed {
					t.Errorf("got %+v (old status %s), want a follow-up ticket linked to %s", reply, old.Status, first.TicketNumber)
				}
			}
			if got := auditFields(t, s, first.TicketID); !slices.Contains(got, "status") {
				t.Errorf("audit of the old ticket: got %v, want a status entry", got)
			}
		})
	}
}

func TestCloseRefusedWithOpenTask(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	r := intake(t, s, mkmail(map[string]string{"From": "c@example.org", "Subject": "Task", "Message-ID": "<t1@example.org>"}, "x"))
	if _, err := s.AddTask(ctx, "agent", Task{TicketID: r.TicketID, Title: "call back"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateTicket(ctx, "agent", r.TicketID, statusChange(StatusClosed), 0); !errors.Is(err, ErrConflict) {
		t.Errorf("close with an open task: got %v, want ErrConflict", err)
	}
	if _, err := s.UpdateTicket(ctx, "agent", r.TicketID, statusChange("done"), 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad status: got %v, want ErrInvalid", err)
	}
}

func TestMergeAndSplit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	a := intake(t, s, mkmail(map[string]string{"From": "a@example.org", "Subject": "One", "Message-ID": "<a1@example.org>"}, "a"))
	b := intake(t, s, mkmail(map[string]string{"From": "a@example.org", "Subject": "Two", "Message-ID": "<b1@example.org>"}, "b"))
	if err := s.Merge(ctx, "agent", b.TicketID, a.TicketID); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(ctx, a.TicketID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("after merge: %d messages, %v; want 2", len(msgs), err)
	}
	// The old number's Message-IDs lead to the surviving ticket.
	late := intake(t, s, mkmail(map[string]string{"From": "a@example.org", "Subject": "Re: Two", "Message-ID": "<b2@example.org>", "In-Reply-To": "<b1@example.org>"}, "c"))
	if late.TicketID != a.TicketID {
		t.Errorf("reply to a merged ticket: got %s, want %s", late.TicketNumber, a.TicketNumber)
	}
	if err := s.Merge(ctx, "agent", b.TicketID, a.TicketID); !errors.Is(err, ErrConflict) {
		t.Errorf("second merge: got %v, want ErrConflict", err)
	}
	nt, err := s.Split(ctx, "agent", late.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Message(ctx, late.MessageID)
	if err != nil || m.TicketID != nt.ID || m.Reason.Rule != RuleSplit {
		t.Errorf("split message: got ticket %s rule %s (%v), want %s split", m.TicketID, m.Reason.Rule, err, nt.ID)
	}
	if got := auditFields(t, s, a.TicketID); !slices.Contains(got, "merged") || !slices.Contains(got, "split") {
		t.Errorf("audit: got %v, want merged and split", got)
	}
	if got := auditFields(t, s, b.TicketID); !slices.Contains(got, "merged_into") {
		t.Errorf("audit of the merged ticket: got %v, want merged_into", got)
	}
}

// statusChange is a change of the status alone.
func statusChange(status string) Change { return Change{Status: &status} }
