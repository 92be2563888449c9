package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// refsOf lists the tickets that refer to the record of kind with id.
func refsOf(t *testing.T, s *Store, kind, id string) []string {
	t.Helper()
	var out []string
	err := s.db.View(func(txn *badger.Txn) error {
		return refTickets(txn, kind, id, func(tid string) error {
			out = append(out, tid)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFeedNamesCopiedRecords: a change to a record whose values ticket
// documents copy names it in the feed entry, and EntryTickets expands it to
// the tickets that refer to it; a change to a value documents do not copy
// names nothing.
func TestFeedNamesCopiedRecords(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := newDesk(t, s)
	r := intake(t, s, mkmail(map[string]string{"From": "ann@example.org", "Subject": "hello", "Message-ID": "<r1@example.org>"}, "x"))
	entryTickets := func(change func()) []string {
		t.Helper()
		before := s.LastSeq()
		change()
		feed, err := s.Feed(ctx, before, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range feed {
			if err := s.EntryTickets(ctx, &feed[i], func(id string) error {
				ids = append(ids, id)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		return ids
	}
	if got := entryTickets(func() {
		d.Name = "Help"
		if _, err := s.SaveDesk(ctx, d); err != nil {
			t.Fatal(err)
		}
	}); len(got) != 0 {
		t.Errorf("desk name change re-indexes %v, want nothing", got)
	}
	if got := entryTickets(func() {
		d.Code = "help"
		if _, err := s.SaveDesk(ctx, d); err != nil {
			t.Fatal(err)
		}
	}); !slices.Equal(got, []string{r.TicketID}) {
		t.Errorf("desk code change re-indexes %v, want %v", got, []string{r.TicketID})
	}
	c, err := s.ContactByAddress(ctx, "ann@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got := entryTickets(func() {
		c.Addresses = append(c.Addresses, "ann@new.example.org")
		if _, err := s.SaveContact(ctx, "admin", c); err != nil {
			t.Fatal(err)
		}
	}); !slices.Equal(got, []string{r.TicketID}) {
		t.Errorf("contact address change re-indexes %v, want %v", got, []string{r.TicketID})
	}
}

// TestTicketRefsBuiltForOldStores: a store written before tref/ keys
// existed gets them when it is opened, and ticket writes keep them current.
func TestTicketRefsBuiltForOldStores(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.EnsureDesk(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	r := intake(t, s, mkmail(map[string]string{"From": "bob@example.org", "Subject": "hi", "Message-ID": "<r2@example.org>"}, "x"))
	err = s.db.DropPrefix([]byte(pTRef), []byte(metaTRefs))
	if err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, s, RefDesk, d.ID); len(got) != 0 {
		t.Fatalf("after dropping: %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	if got := refsOf(t, s2, RefDesk, d.ID); !slices.Equal(got, []string{r.TicketID}) {
		t.Errorf("desk's tickets after reopening: got %v, want %v", got, []string{r.TicketID})
	}
	c, err := s2.ContactByAddress(ctx, "bob@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, s2, RefContact, c.ID); !slices.Equal(got, []string{r.TicketID}) {
		t.Errorf("contact's tickets: got %v, want %v", got, []string{r.TicketID})
	}
	u, err := s2.AddUser(ctx, User{Email: "agent@desk.example.com", Role: RoleAgent, Desks: []string{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.UpdateTicket(ctx, "admin", r.TicketID, Change{AssigneeID: &u.ID}, 0); err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, s2, RefUser, u.ID); !slices.Equal(got, []string{r.TicketID}) {
		t.Errorf("assignee's tickets: got %v, want %v", got, []string{r.TicketID})
	}
	none := ""
	if _, err := s2.UpdateTicket(ctx, "admin", r.TicketID, Change{AssigneeID: &none}, 0); err != nil {
		t.Fatal(err)
	}
	if got := refsOf(t, s2, RefUser, u.ID); len(got) != 0 {
		t.Errorf("after unassigning, assignee's tickets: %v, want none", got)
	}
}
