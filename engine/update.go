package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Change is an edit of a ticket's fields; nil fields stay as they are.
// Status goes through SetStatus, which has rules of its own.
type Change struct {
	Priority   *string   `json:"priority,omitempty"`
	CategoryID *string   `json:"category,omitempty"`
	TypeID     *string   `json:"type,omitempty"`
	AssigneeID *string   `json:"assignee_id,omitempty"` // "" unassigns
	Tags       *[]string `json:"tags,omitempty"`
	Watchers   *[]string `json:"watchers,omitempty"` // user ids
	ContactID  *string   `json:"contact_id,omitempty"`
	AccountID  *string   `json:"account_id,omitempty"`
}

// Empty reports whether the change changes nothing.
func (c Change) Empty() bool {
	return c.Priority == nil && c.CategoryID == nil && c.TypeID == nil && c.AssigneeID == nil &&
		c.Tags == nil && c.Watchers == nil && c.ContactID == nil && c.AccountID == nil
}

// validPriority reports whether p is a ticket priority.
func validPriority(p string) bool {
	switch p {
	case "low", "normal", "high", "urgent":
		return true
	}
	return false
}

// maxTags bounds a ticket's tags, and maxTagLen one tag.
const (
	maxTags   = 50
	maxTagLen = 64
)

// normTags lower-cases, trims and dedupes tags, and checks their shape.
func normTags(in []string) ([]string, error) {
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if len(t) > maxTagLen || strings.ContainsAny(t, " \t\r\n,\"()") {
			return nil, fmt.Errorf("engine: tag %q: at most %d characters, no spaces, commas, quotes or parentheses: %w",
				t, maxTagLen, ErrInvalid)
		}
		out = append(out, t)
	}
	if len(out) > maxTags {
		return nil, fmt.Errorf("engine: %d tags: at most %d: %w", len(out), maxTags, ErrInvalid)
	}
	return out, nil
}

// UpdateTicket applies a change to a ticket, with one audit entry per field
// that changed. version, when not zero, must match the ticket's (REL-10).
// An assignee must be a member of staff who may see the ticket's desk.
func (s *Store) UpdateTicket(ctx context.Context, actor string, ticketID string, c Change, version uint64) (Ticket, error) {
	if c.Priority != nil && !validPriority(*c.Priority) {
		return Ticket{}, fmt.Errorf("engine: priority %q: want low, normal, high or urgent: %w", *c.Priority, ErrInvalid)
	}
	if c.Tags != nil {
		tags, err := normTags(*c.Tags)
		if err != nil {
			return Ticket{}, err
		}
		c.Tags = &tags
	}
	var t Ticket
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pTicket, ticketID), &t); err != nil {
			return fmt.Errorf("engine: ticket %s: %w", ticketID, err)
		}
		if version != 0 && version != t.Version {
			return fmt.Errorf("engine: ticket %s changed meanwhile: %w", t.Number, ErrConflict)
		}
		changed := false
		set := func(field string, dst *string, v *string) error {
			if v == nil || *dst == *v {
				return nil
			}
			old := *dst
			*dst = *v
			changed = true
			return w.audit(t.ID, actor, field, old, *v)
		}
		if err := set("priority", &t.Priority, c.Priority); err != nil {
			return err
		}
		if c.CategoryID != nil {
			v := strings.ToLower(strings.TrimSpace(*c.CategoryID))
			if err := set("category", &t.CategoryID, &v); err != nil {
				return err
			}
		}
		if c.TypeID != nil {
			v := strings.ToLower(strings.TrimSpace(*c.TypeID))
			if err := set("type", &t.TypeID, &v); err != nil {
				return err
			}
		}
		if c.AssigneeID != nil && *c.AssigneeID != "" {
			if err := assignable(txn, *c.AssigneeID, t.DeskID); err != nil {
				return err
			}
		}
		if err := set("assignee", &t.AssigneeID, c.AssigneeID); err != nil {
			return err
		}
		if c.ContactID != nil && *c.ContactID != "" {
			if _, err := getRaw(txn, key(pContact, *c.ContactID)); err != nil {
				return fmt.Errorf("engine: contact %s: %w", *c.ContactID, err)
			}
		}
		if err := set("contact", &t.ContactID, c.ContactID); err != nil {
			return err
		}
		if c.AccountID != nil && *c.AccountID != "" {
			if _, err := getRaw(txn, key(pAccount, *c.AccountID)); err != nil {
				return fmt.Errorf("engine: account %s: %w", *c.AccountID, err)
			}
		}
		if err := set("account", &t.AccountID, c.AccountID); err != nil {
			return err
		}
		if c.Tags != nil && !slices.Equal(t.Tags, *c.Tags) {
			old := strings.Join(t.Tags, ",")
			t.Tags = *c.Tags
			changed = true
			if err := w.audit(t.ID, actor, "tags", old, strings.Join(t.Tags, ",")); err != nil {
				return err
			}
		}
		if c.Watchers != nil && !slices.Equal(t.Watchers, *c.Watchers) {
			for _, id := range *c.Watchers {
				if _, err := getRaw(txn, key(pUser, id)); err != nil {
					return fmt.Errorf("engine: watcher %s: %w", id, err)
				}
			}
			old := strings.Join(t.Watchers, ",")
			t.Watchers = slices.Clone(*c.Watchers)
			changed = true
			if err := w.audit(t.ID, actor, "watchers", old, strings.Join(t.Watchers, ",")); err != nil {
				return err
			}
		}
		if !changed {
			return nil
		}
		t.Updated = w.now
		t.Version++
		return putTicket(txn, &t)
	})
	if err != nil {
		return Ticket{}, err
	}
	return t, s.Sync()
}

// assignable checks that user id may hold a ticket of desk: admins and
// operators any, agents those of their desks.
func assignable(txn *badger.Txn, id, deskID string) error {
	var u User
	if err := getJSON(txn, key(pUser, id), &u); err != nil {
		return fmt.Errorf("engine: assignee %s: %w", id, err)
	}
	if u.Disabled {
		return fmt.Errorf("engine: assignee %s is disabled: %w", u.Email, ErrInvalid)
	}
	if u.Role == RoleAgent && !slices.Contains(u.Desks, deskID) {
		return fmt.Errorf("engine: %s is not a member of the ticket's desk: %w", u.Email, ErrInvalid)
	}
	return nil
}

// SetTaskDone marks a task done or open again, with an audit entry on its
// ticket.
func (s *Store) SetTaskDone(ctx context.Context, actor, taskID string, done bool) (Task, error) {
	var t Task
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pTask, taskID), &t); err != nil {
			return fmt.Errorf("engine: task %s: %w", taskID, err)
		}
		if t.Done == done {
			return nil
		}
		t.Done = done
		if err := putJSON(txn, key(pTask, t.ID), t); err != nil {
			return err
		}
		var tk Ticket
		if err := getJSON(txn, key(pTicket, t.TicketID), &tk); err != nil {
			return err
		}
		tk.Version++
		tk.Updated = w.now
		if err := putTicket(txn, &tk); err != nil {
			return err
		}
		state := map[bool]string{true: "done", false: "open"}
		return w.audit(tk.ID, actor, "task:"+t.ID, state[!done], state[done])
	})
	if err != nil {
		return Task{}, err
	}
	return t, s.Sync()
}

// Task returns one task.
func (s *Store) Task(ctx context.Context, id string) (Task, error) {
	var t Task
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pTask, id), &t) })
	return t, err
}
