package engine

import (
	"context"
	"errors"
	"testing"
)

func TestContactEditAndMerge(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.EnsureDesk(ctx, ""); err != nil {
		t.Fatal(err)
	}
	mail := func(from, mid string) IntakeResult {
		raw := "From: " + from + "\r\nTo: support@desk.example.com\r\nSubject: Hello " + mid + "\r\nMessage-ID: <" + mid +
			"@x>\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n\r\nbody\r\n"
		r, err := s.Intake(ctx, Inbound{Raw: []byte(raw), Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a1, a2 := mail("jan@home.example", "m1"), mail("jan@work.example", "m2")
	home, _ := s.ContactByAddress(ctx, "jan@home.example")
	work, _ := s.ContactByAddress(ctx, "jan@work.example")
	if home.ID == work.ID {
		t.Fatal("two addresses made one contact before the merge")
	}
	// An address of another contact is refused, and a bad one named.
	home.Addresses = append(home.Addresses, "JAN@work.example")
	if _, err := s.SaveContact(ctx, "admin", home); !errors.Is(err, ErrConflict) {
		t.Errorf("taking another contact's address: %v", err)
	}
	home.Addresses = []string{"jan@home.example", "not an address"}
	if _, err := s.SaveContact(ctx, "admin", home); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad address: %v", err)
	}
	home.Name, home.Addresses = "Jan Nowak", []string{"jan@home.example", "jan.nowak@home.example"}
	if _, err := s.SaveContact(ctx, "admin", home); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ContactByAddress(ctx, "jan.nowak@home.example"); err != nil || c.ID != home.ID {
		t.Errorf("new address does not find the contact: %v", err)
	}
	merged, err := s.MergeContacts(ctx, "admin@desk.example.com", work.ID, home.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Addresses) != 3 || merged.Name != "Jan Nowak" {
		t.Errorf("merged contact: %+v", merged)
	}
	for _, r := range []IntakeResult{a1, a2} {
		tk, _ := s.Ticket(ctx, r.TicketID)
		if tk.ContactID != home.ID {
			t.Errorf("ticket %s still has contact %s", tk.Number, tk.ContactID)
		}
	}
	if c, err := s.ContactByAddress(ctx, "jan@work.example"); err != nil || c.ID != home.ID {
		t.Errorf("the merged address does not lead to the contact: %v", err)
	}
	if _, err := s.Contact(ctx, work.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old contact is still there: %v", err)
	}
	audit, _ := s.Audit(ctx, a2.TicketID)
	if len(audit) == 0 || audit[len(audit)-1].Field != "contact" {
		t.Errorf("no audit entry for the contact change: %+v", audit)
	}
	// A new mail from the merged address lands on the merged contact.
	r := mail("jan@work.example", "m3")
	tk, _ := s.Ticket(ctx, r.TicketID)
	if tk.ContactID != home.ID {
		t.Errorf("new mail got contact %s", tk.ContactID)
	}
}
