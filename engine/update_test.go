package engine

import (
	"context"
	"errors"
	"testing"
)

// ticketState is what a refused change must leave as it was.
type ticketState struct {
	ticket Ticket
	audit  int
	seq    uint64
	outbox int
}

func stateOf(t *testing.T, s *Store, id string) ticketState {
	t.Helper()
	ctx := context.Background()
	tk, err := s.Ticket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	audit, err := s.Audit(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.TicketOutbox(id)
	if err != nil {
		t.Fatal(err)
	}
	return ticketState{tk, len(audit), s.LastSeq(), len(out)}
}

func (a ticketState) same(b ticketState) bool {
	return a.ticket.Version == b.ticket.Version && a.ticket.Priority == b.ticket.Priority &&
		a.ticket.Status == b.ticket.Status && a.ticket.AssigneeID == b.ticket.AssigneeID &&
		a.audit == b.audit && a.seq == b.seq && a.outbox == b.outbox
}

// TestChangeCommitsWholeOrNothing: a change of fields and status is one
// transaction; when any part is refused, nothing of it is stored.
func TestChangeCommitsWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	r := intake(t, s, mkmail(map[string]string{"From": "ann@example.org", "Subject": "hello", "Message-ID": "<u1@example.org>"}, "x"))
	if _, err := s.AddTask(ctx, "agent", Task{TicketID: r.TicketID, Title: "call back"}); err != nil {
		t.Fatal(err)
	}
	high, closed, resolved, nobody, bad := "high", StatusClosed, StatusResolved, "01NOSUCHUSER", "huge"
	cases := []struct {
		name   string
		change Change
		want   error
	}{
		{"close with an open task", Change{Priority: &high, Status: &closed}, ErrOpenTask},
		{"unknown assignee", Change{Priority: &high, Status: &resolved, AssigneeID: &nobody}, ErrNotFound},
		{"bad priority", Change{Priority: &bad, Status: &resolved}, ErrInvalid},
		{"bad tag", Change{Status: &resolved, Tags: &[]string{"two words"}}, ErrInvalid},
		{"undefined category", Change{Priority: &high, CategoryID: &bad}, ErrInvalid},
		{"undefined type", Change{Priority: &high, TypeID: &bad}, ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := stateOf(t, s, r.TicketID)
			_, err := s.UpdateTicket(ctx, "agent", r.TicketID, tc.change, 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if after := stateOf(t, s, r.TicketID); !after.same(before) {
				t.Errorf("refused change left a trace: before %+v, after %+v", before, after)
			}
		})
	}
	tk, err := s.UpdateTicket(ctx, "agent", r.TicketID, Change{Priority: &high, Status: &resolved}, 0)
	if err != nil || tk.Priority != high || tk.Status != resolved {
		t.Fatalf("a valid change: %v, %+v", err, tk)
	}
}

// TestIntakeWithFieldsWholeOrNothing: a submission with first fields that
// are refused stores no ticket, no message and no acknowledgement.
func TestIntakeWithFieldsWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	before, err := s.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seq := s.LastSeq()
	nobody, high := "01NOSUCHUSER", "high"
	sub := Submission{From: Address{Addr: "dan@example.org"}, Subject: "Scanner", Text: "broken", Channel: "api",
		Actor: "agent", Change: &Change{Priority: &high, AssigneeID: &nobody}}
	if _, err := s.Submit(ctx, sub); !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want not found", err)
	}
	after, err := s.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before || s.LastSeq() != seq {
		t.Errorf("a refused submission was stored: before %+v, after %+v, feed %d → %d", before, after, seq, s.LastSeq())
	}
	sub.Change = &Change{Priority: &high}
	r, err := s.Submit(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if tk, err := s.Ticket(ctx, r.TicketID); err != nil || tk.Priority != high {
		t.Errorf("first fields not applied: %v, %+v", err, tk)
	}
}

// TestWatchersAndTaskAssigneesSeeTheDesk: a watcher or a task's assignee
// must be staff who may see the ticket's desk (AC-11).
func TestWatchersAndTaskAssigneesSeeTheDesk(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	other, err := s.EnsureDesk(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := s.AddUser(ctx, User{Email: "bea@desk.example.com", Role: RoleAgent, Desks: []string{other.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r := intake(t, s, mkmail(map[string]string{"From": "ann@example.org", "Subject": "hello", "Message-ID": "<w1@example.org>"}, "x"))
	before := stateOf(t, s, r.TicketID)
	if _, err := s.UpdateTicket(ctx, "admin", r.TicketID, Change{Watchers: &[]string{outsider.ID}}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("watcher from another desk: got %v, want invalid", err)
	}
	if _, err := s.AddTask(ctx, "admin", Task{TicketID: r.TicketID, Title: "call", AssigneeID: outsider.ID}); !errors.Is(err, ErrInvalid) {
		t.Errorf("task assignee from another desk: got %v, want invalid", err)
	}
	if after := stateOf(t, s, r.TicketID); !after.same(before) {
		t.Errorf("refused changes left a trace: %+v, %+v", before, after)
	}
}
