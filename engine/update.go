package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Change is an edit of a ticket's fields and status; nil fields stay as
// they are. One Change is one user action: it commits whole or not at all.
type Change struct {
	Status     *string   `json:"status,omitempty"` // closing needs every task done
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
	return c.Status == nil && c.Priority == nil && c.CategoryID == nil && c.TypeID == nil && c.AssigneeID == nil &&
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
			return nil, Errorf(CodeInvalid, "err_tag", "engine: tag %q: at most %d characters, no spaces, commas, quotes or parentheses",
				t, maxTagLen)
		}
		out = append(out, t)
	}
	if len(out) > maxTags {
		return nil, Errorf(CodeInvalid, "err_tags_max", "engine: %d tags: at most %d", len(out), maxTags)
	}
	return out, nil
}

// normalize checks what a change can be checked for without the store and
// puts its values in their stored form.
func (c *Change) normalize() error {
	if c.Status != nil && !validStatus(*c.Status) {
		return Errorf(CodeInvalid, "err_status", "engine: status %q: want open, in_progress, waiting, resolved or closed", *c.Status)
	}
	if c.Priority != nil && !validPriority(*c.Priority) {
		return Errorf(CodeInvalid, "err_priority", "engine: priority %q: want low, normal, high or urgent", *c.Priority)
	}
	for _, f := range []*string{c.CategoryID, c.TypeID} {
		if f != nil {
			*f = strings.ToLower(strings.TrimSpace(*f))
		}
	}
	if c.Tags != nil {
		tags, err := normTags(*c.Tags)
		if err != nil {
			return err
		}
		c.Tags = &tags
	}
	return nil
}

// UpdateTicket applies a change to a ticket in one transaction, with one
// audit entry per field that changed: if any part is refused (a bad value,
// an open task when closing), nothing changes. version, when not zero, must
// match the ticket's (REL-10).
func (s *Store) UpdateTicket(ctx context.Context, actor string, ticketID string, c Change, version uint64) (Ticket, error) {
	if err := c.normalize(); err != nil {
		return Ticket{}, err
	}
	var t Ticket
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pTicket, ticketID), &t); err != nil {
			return fmt.Errorf("engine: ticket %s: %w", ticketID, err)
		}
		if version != 0 && version != t.Version {
			return Errorf(CodeConflict, "err_changed_meanwhile", "engine: ticket %s changed meanwhile", t.Number)
		}
		return s.applyChange(txn, w, &t, actor, c)
	})
	if err != nil {
		return Ticket{}, err
	}
	return t, s.Sync()
}

// applyChange applies a normalized change to t inside the caller's
// transaction and writes t if anything changed. An assignee must be a
// member of staff who may see the ticket's desk.
func (s *Store) applyChange(txn *badger.Txn, w *writeCtx, t *Ticket, actor string, c Change) error {
	ed := ticketEdit{txn: txn, w: w, t: t, actor: actor}
	if err := ed.fields(c); err != nil {
		return err
	}
	if err := ed.lists(c); err != nil {
		return err
	}
	if c.Status != nil {
		if err := ed.status(*c.Status); err != nil {
			return err
		}
	}
	if !ed.changed {
		return nil
	}
	t.Updated = w.now
	t.Version++
	if err := putTicket(txn, t); err != nil {
		return err
	}
	if ed.resolved {
		return s.queueResolved(txn, w, t)
	}
	return nil
}

// ticketEdit is one change of one ticket on its way into a transaction.
type ticketEdit struct {
	txn      *badger.Txn
	w        *writeCtx
	t        *Ticket
	actor    string
	changed  bool
	resolved bool // the status became resolved: the customer is told
}

// set changes one string field, with its audit entry.
func (e *ticketEdit) set(field string, dst *string, v *string) error {
	if v == nil || *dst == *v {
		return nil
	}
	old := *dst
	*dst = *v
	e.changed = true
	return e.w.audit(e.t.ID, e.actor, field, old, *v)
}

// exists checks that a record a field refers to is there.
func (e *ticketEdit) exists(what, prefix string, id *string) error {
	if id == nil || *id == "" {
		return nil
	}
	if _, err := getRaw(e.txn, key(prefix, *id)); err != nil {
		return fmt.Errorf("engine: %s %s: %w", what, *id, err)
	}
	return nil
}

func (e *ticketEdit) fields(c Change) error {
	t := e.t
	if c.AssigneeID != nil && *c.AssigneeID != "" {
		if err := assignable(e.txn, *c.AssigneeID, t.DeskID); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		prefix, key string
		id          *string
	}{{pCategory, "err_no_category", c.CategoryID}, {pTType, "err_no_type", c.TypeID}} {
		if f.id == nil || *f.id == "" {
			continue
		}
		if _, err := getRaw(e.txn, key(f.prefix, *f.id)); errors.Is(err, ErrNotFound) {
			return Errorf(CodeInvalid, f.key, "engine: "+strings.TrimSuffix(f.prefix, "/")+" %q is not defined", *f.id)
		} else if err != nil {
			return err
		}
	}
	if err := e.exists("contact", pContact, c.ContactID); err != nil {
		return err
	}
	if err := e.exists("account", pAccount, c.AccountID); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"priority", &t.Priority, c.Priority}, {"category", &t.CategoryID, c.CategoryID},
		{"type", &t.TypeID, c.TypeID}, {"assignee", &t.AssigneeID, c.AssigneeID},
		{"contact", &t.ContactID, c.ContactID}, {"account", &t.AccountID, c.AccountID},
	} {
		if err := e.set(f.name, f.dst, f.v); err != nil {
			return err
		}
	}
	return nil
}

func (e *ticketEdit) lists(c Change) error {
	t := e.t
	if c.Tags != nil && !slices.Equal(t.Tags, *c.Tags) {
		old := strings.Join(t.Tags, ",")
		t.Tags = *c.Tags
		e.changed = true
		if err := e.w.audit(t.ID, e.actor, "tags", old, strings.Join(t.Tags, ",")); err != nil {
			return err
		}
	}
	if c.Watchers != nil && !slices.Equal(t.Watchers, *c.Watchers) {
		for _, id := range *c.Watchers {
			if err := assignable(e.txn, id, t.DeskID); err != nil { // a watcher must be able to see the ticket
				return err
			}
		}
		old := strings.Join(t.Watchers, ",")
		t.Watchers = slices.Clone(*c.Watchers)
		e.changed = true
		if err := e.w.audit(t.ID, e.actor, "watchers", old, strings.Join(t.Watchers, ",")); err != nil {
			return err
		}
	}
	return nil
}

// status changes the status; a ticket with an open task cannot close.
func (e *ticketEdit) status(status string) error {
	t := e.t
	if t.Status == status {
		return nil
	}
	if status == StatusClosed {
		tasks, err := ticketTasks(e.txn, t.ID)
		if err != nil {
			return err
		}
		for _, task := range tasks {
			if !task.Done {
				return &Error{Code: CodeConflict, Key: "err_open_task", Args: []any{t.Number, task.Title},
					Text: fmt.Sprintf("engine: ticket %s has an open task %q", t.Number, task.Title), Err: ErrOpenTask}
			}
		}
	}
	old := t.Status
	t.Status = status
	now := e.w.now
	switch status {
	case StatusClosed:
		t.Closed = &now
	case StatusResolved:
		t.Resolved = &now
		e.resolved = true
	}
	e.changed = true
	return e.w.audit(t.ID, e.actor, "status", old, status)
}

// assignable checks that user id may hold a ticket of desk: admins and
// operators any, agents those of their desks.
func assignable(txn *badger.Txn, id, deskID string) error {
	var u User
	if err := getJSON(txn, key(pUser, id), &u); err != nil {
		return fmt.Errorf("engine: assignee %s: %w", id, err)
	}
	if u.Disabled {
		return Errorf(CodeInvalid, "err_assignee_disabled", "engine: assignee %s is disabled", u.Email)
	}
	if u.Role == RoleAgent && !slices.Contains(u.Desks, deskID) {
		return Errorf(CodeInvalid, "err_assignee_not_member", "engine: %s is not a member of the ticket's desk", u.Email)
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
