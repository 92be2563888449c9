package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// AddTask delegates work from a ticket (IC Project's tasks). The ticket
// gets an audit entry in the same transaction.
func (s *Store) AddTask(ctx context.Context, actor string, t Task) (Task, error) {
	t.Title = strings.TrimSpace(t.Title)
	if t.Title == "" {
		return Task{}, Errorf(CodeInvalid, "err_task_title", "engine: task needs a title")
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var tk Ticket
		if err := getJSON(txn, key(pTicket, t.TicketID), &tk); err != nil {
			return fmt.Errorf("engine: task ticket %s: %w", t.TicketID, err)
		}
		if t.AssigneeID != "" {
			if err := assignable(txn, t.AssigneeID, tk.DeskID); err != nil {
				return err
			}
		}
		t.ID = s.newID()
		t.Created = w.now
		if err := putJSON(txn, key(pTask, t.ID), t); err != nil {
			return err
		}
		if err := txn.Set(key(pTTask, t.TicketID, t.ID), nil); err != nil {
			return err
		}
		tk.Version++
		tk.Updated = w.now
		if err := putTicket(txn, &tk); err != nil {
			return err
		}
		return w.audit(tk.ID, actor, "task", "", t.ID+" "+t.Title)
	})
	if err != nil {
		return Task{}, err
	}
	return t, s.Sync()
}

// Tasks returns the tasks of a ticket.
func (s *Store) Tasks(ctx context.Context, ticketID string) ([]Task, error) {
	var out []Task
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		out, err = ticketTasks(txn, ticketID)
		return err
	})
	return out, err
}

// ticketTasks reads the tasks of a ticket inside a transaction.
func ticketTasks(txn *badger.Txn, ticketID string) ([]Task, error) {
	var out []Task
	prefix := append(key(pTTask, ticketID), '/')
	for _, k := range keysWithPrefix(txn, prefix) {
		var t Task
		if err := getJSON(txn, key(pTask, string(k[len(prefix):])), &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
