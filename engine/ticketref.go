package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Record kinds whose values ticket index documents copy (invariant 1). A
// change to such a record names it in its feed entry; the follower re-indexes
// the tickets that refer to it, found through the tref/ keys.
const (
	RefDesk    = "desk"    // code and number pattern: the desk and number fields
	RefContact = "contact" // addresses: the customer field
	RefAccount = "account" // domains and name: the account field
	RefUser    = "user"    // the assignee's email: the assignee field
)

// ticketRefs lists, in a fixed order, the records t's index document copies
// values from.
func ticketRefs(t *Ticket) [4][2]string {
	return [4][2]string{
		{RefDesk, t.DeskID},
		{RefContact, t.ContactID},
		{RefAccount, t.AccountID},
		{RefUser, t.AssigneeID},
	}
}

// putTicket writes t and keeps its tref/ keys in step with the records it
// refers to. Every write of a ticket goes through here.
func putTicket(txn *badger.Txn, t *Ticket) error {
	var old Ticket
	err := getJSON(txn, key(pTicket, t.ID), &old)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	before, after := ticketRefs(&old), ticketRefs(t)
	for i, r := range after {
		if found && before[i] == r {
			continue
		}
		if found && before[i][1] != "" {
			if err := txn.Delete(key(pTRef, before[i][0], before[i][1], t.ID)); err != nil {
				return err
			}
		}
		if r[1] != "" {
			if err := txn.Set(key(pTRef, r[0], r[1], t.ID), nil); err != nil {
				return err
			}
		}
	}
	return putJSON(txn, key(pTicket, t.ID), t)
}

// refTickets calls fn with the id of every ticket that refers to the record
// of kind with id.
func refTickets(txn *badger.Txn, kind, id string, fn func(ticketID string) error) error {
	prefix := key(pTRef, kind, id, "")
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := txn.NewIterator(o)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := fn(string(it.Item().Key()[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// EntryTickets calls fn with every ticket whose index document the feed
// entry e may have changed: the tickets it names, then the tickets that
// refer to each record it names. The records' tickets are read now, not when
// the entry was written: a ticket that has since left the record is named by
// the later entry that moved it, so a follower that applies entries in order
// ends up with every document current. fn may see a ticket twice.
func (s *Store) EntryTickets(ctx context.Context, e *FeedEntry, fn func(ticketID string) error) error {
	for _, id := range e.Tickets {
		if err := fn(id); err != nil {
			return err
		}
	}
	if len(e.Records) == 0 {
		return nil
	}
	return s.db.View(func(txn *badger.Txn) error {
		for _, r := range e.Records {
			kind, id, ok := strings.Cut(r, "/")
			if !ok {
				return fmt.Errorf("engine: feed entry %d: record %q: %w", e.Seq, r, ErrInvalid)
			}
			if err := refTickets(txn, kind, id, fn); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return nil
	})
}

// changedRecord names, in this transaction's feed entry, a record whose
// values ticket documents copy, so the follower re-indexes its tickets.
func (w *writeCtx) changedRecord(kind, id string) {
	r := kind + "/" + id
	for _, have := range w.records {
		if have == r {
			return
		}
	}
	w.records = append(w.records, r)
}

// buildTicketRefs gives every ticket its tref/ keys once, for stores written
// before they existed; it runs at Open and is a no-op afterwards.
func (s *Store) buildTicketRefs() error {
	done := false
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := getRaw(txn, []byte(metaTRefs))
		done = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || done {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err = s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pTicket), func() any { return &Ticket{} }, func(v any) error {
			t := v.(*Ticket)
			for _, r := range ticketRefs(t) {
				if r[1] == "" {
					continue
				}
				if err := wb.Set(key(pTRef, r[0], r[1], t.ID), nil); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("engine: ticket references: %w", err)
	}
	if err := wb.Set([]byte(metaTRefs), []byte{1}); err != nil {
		return err
	}
	return wb.Flush()
}

// errStop ends a walk over keys early; it never leaves the package.
var errStop = errors.New("engine: stop")

// RecordOnDesks reports whether an agent of desks may see the record of
// kind with id (a contact or account): it has a ticket on one of those
// desks, or no ticket yet.
func (s *Store) RecordOnDesks(ctx context.Context, kind, id string, desks []string) (bool, error) {
	seen, some := false, false
	err := s.db.View(func(txn *badger.Txn) error {
		return refTickets(txn, kind, id, func(ticketID string) error {
			some = true
			var t Ticket
			if err := getJSON(txn, key(pTicket, ticketID), &t); err != nil {
				return err
			}
			if slices.Contains(desks, t.DeskID) {
				seen = true
				return errStop
			}
			return ctx.Err()
		})
	})
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	return seen || !some, nil
}
