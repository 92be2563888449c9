package engine

import (
	"context"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Audit of records other than tickets (invariant 6, AC-09): a contact's
// name, addresses and account, an account's name and domains, a user's
// email, role, desks and whether they may sign in. Each entry is written
// in the transaction of the change, under raudit/<kind>/<id>/.

// recordAudit writes one audit entry for a change of the record kind/id.
func (w *writeCtx) recordAudit(kind, id, actor, field, old, new string) error {
	if old == new {
		return nil
	}
	a := AuditEntry{ID: w.s.newID(), Record: kind + "/" + id, Time: w.now, Actor: actor, Field: field, Old: old, New: new}
	if w.op == "" {
		w.op = kind
	}
	return putJSON(w.txn, key(pRAudit, kind, id, a.ID), a)
}

// recordAuditList audits a change of a list field, written comma-joined.
func (w *writeCtx) recordAuditList(kind, id, actor, field string, old, new []string) error {
	return w.recordAudit(kind, id, actor, field, strings.Join(old, ","), strings.Join(new, ","))
}

// RecordAudit returns the audit entries of the record kind/id (RefContact,
// RefAccount, RefUser), oldest first.
func (s *Store) RecordAudit(ctx context.Context, kind, id string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, key(pRAudit, kind, id, ""), func() any { return &AuditEntry{} }, func(v any) error {
			out = append(out, *v.(*AuditEntry))
			return nil
		})
	})
	return out, err
}
