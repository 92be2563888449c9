package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
)

// ViewColumns are the columns a saved view may show.
var ViewColumns = []string{"number", "subject", "status", "priority", "category", "desk", "assignee",
	"customer", "account", "type", "tags", "source", "sla", "created", "updated"}

// canEditView reports whether u may change or delete v: its owner, or an
// admin.
func canEditView(u User, v SavedView) bool {
	return v.OwnerID == u.ID || u.Role == RoleAdmin
}

// CanSeeView reports whether u may open v: their own, or shared with a desk
// they belong to.
func CanSeeView(u User, v SavedView) bool {
	return v.OwnerID == u.ID || (v.SharedDesk != "" && u.MemberOf(v.SharedDesk))
}

// SaveView creates (empty ID) or updates a saved view on behalf of actor.
// The caller checks that the query parses; the store checks the rest.
func (s *Store) SaveView(ctx context.Context, actor User, v SavedView) (SavedView, error) {
	v.Name = strings.TrimSpace(v.Name)
	switch {
	case v.Name == "":
		return v, Errorf(CodeInvalid, "err_view_name_required", "engine: view name: required")
	case utf8.RuneCountInString(v.Name) > 100:
		return v, Errorf(CodeInvalid, "err_view_name_long", "engine: view name: at most 100 characters")
	case len(v.Query) > 2000:
		return v, Errorf(CodeInvalid, "err_view_query_long", "engine: view query: at most 2000 bytes")
	}
	for _, c := range v.Columns {
		if !slices.Contains(ViewColumns, c) {
			return v, Errorf(CodeInvalid, "err_view_column", "engine: view column %q: want one of %s", c, strings.Join(ViewColumns, ", "))
		}
	}
	if v.SharedDesk != "" && !actor.MemberOf(v.SharedDesk) {
		return v, Errorf(CodeForbidden, "err_view_share", "engine: share view with desk %s: not a member", v.SharedDesk)
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if v.SharedDesk != "" {
			var d Desk
			if err := getJSON(txn, key(pDesk, v.SharedDesk), &d); err != nil {
				return fmt.Errorf("engine: view desk %s: %w", v.SharedDesk, err)
			}
		}
		if v.ID == "" {
			v.ID, v.OwnerID, v.Created = s.newID(), actor.ID, w.now
		} else {
			var old SavedView
			if err := getJSON(txn, key(pView, v.ID), &old); err != nil {
				return fmt.Errorf("engine: view %s: %w", v.ID, err)
			}
			if err := mayEditView(actor, old); err != nil {
				return err
			}
			v.OwnerID, v.Created = old.OwnerID, old.Created
		}
		v.Updated = w.now
		w.op = "view"
		return putJSON(txn, key(pView, v.ID), v)
	})
	return v, err
}

// DeleteView removes a saved view on behalf of actor.
func (s *Store) DeleteView(ctx context.Context, actor User, id string) error {
	return s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var v SavedView
		if err := getJSON(txn, key(pView, id), &v); err != nil {
			return fmt.Errorf("engine: view %s: %w", id, err)
		}
		if err := mayEditView(actor, v); err != nil {
			return err
		}
		w.op = "view"
		return txn.Delete(key(pView, id))
	})
}

// View returns one saved view if u may see it.
func (s *Store) View(ctx context.Context, u User, id string) (SavedView, error) {
	var v SavedView
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pView, id), &v) })
	if errors.Is(err, ErrNotFound) || (err == nil && !CanSeeView(u, v)) {
		return SavedView{}, Errorf(CodeNotFound, "err_no_view", "engine: view %s", id)
	}
	return v, err
}

// Views lists the views u may open, personal ones first, each by name.
func (s *Store) Views(ctx context.Context, u User) ([]SavedView, error) {
	var out []SavedView
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pView), func() any { return &SavedView{} }, func(x any) error {
			if v := x.(*SavedView); CanSeeView(u, *v) {
				out = append(out, *v)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b SavedView) int {
		if (a.SharedDesk == "") != (b.SharedDesk == "") {
			if a.SharedDesk == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, err
}

// mayEditView refuses a change of v by actor: a view actor may not even
// see is not found, as a missing one is, so the answer tells nothing of
// other people's views; one they see but do not own is forbidden.
func mayEditView(actor User, v SavedView) error {
	switch {
	case !CanSeeView(actor, v):
		return Errorf(CodeNotFound, "err_no_view", "engine: view %s", v.ID)
	case !canEditView(actor, v):
		return Errorf(CodeForbidden, "err_view_not_yours", "engine: view %s belongs to someone else", v.ID)
	}
	return nil
}
