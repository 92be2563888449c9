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

// maxContactAddresses bounds the addresses of one contact.
const maxContactAddresses = 50

// contactAddresses normalizes a contact's addresses and checks them.
func contactAddresses(in []string) ([]string, error) {
	var out []string
	for _, a := range in {
		n := normAddr(a)
		if n == "" {
			return nil, Errorf(CodeInvalid, "err_contact_address", "engine: contact address %q is not an address", strings.TrimSpace(a))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	switch {
	case len(out) == 0:
		return nil, Errorf(CodeInvalid, "err_contact_no_address", "engine: contact needs an address")
	case len(out) > maxContactAddresses:
		return nil, Errorf(CodeInvalid, "err_contact_addresses_max", "engine: contact: at most %d addresses", maxContactAddresses)
	}
	return out, nil
}

// SaveContact creates a contact (empty ID) or changes one on behalf of
// actor: its name, addresses and account, each change audited. An address
// another contact has is refused.
func (s *Store) SaveContact(ctx context.Context, actor string, c Contact) (Contact, error) {
	c.Name = strings.TrimSpace(c.Name)
	if utf8.RuneCountInString(c.Name) > 200 {
		return c, Errorf(CodeInvalid, "err_contact_name", "engine: contact name: at most 200 characters")
	}
	addrs, err := contactAddresses(c.Addresses)
	if err != nil {
		return c, err
	}
	c.Addresses = addrs
	err = s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var old Contact
		if c.ID == "" {
			c.ID, c.Created = s.newID(), w.now
		} else if err := getJSON(txn, key(pContact, c.ID), &old); err != nil {
			return fmt.Errorf("engine: contact %s: %w", c.ID, err)
		} else {
			c.Created = old.Created
		}
		if c.AccountID != "" {
			if _, err := getRaw(txn, key(pAccount, c.AccountID)); err != nil {
				return fmt.Errorf("engine: account %s: %w", c.AccountID, err)
			}
		}
		for _, a := range c.Addresses {
			id, err := getRaw(txn, key(pCAddr, a))
			if err == nil && string(id) != c.ID {
				return Errorf(CodeConflict, "err_contact_address_taken", "engine: %s belongs to another contact (merge the two instead)", a)
			}
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err := txn.Set(key(pCAddr, a), []byte(c.ID)); err != nil {
				return err
			}
		}
		for _, a := range old.Addresses {
			if !slices.Contains(c.Addresses, a) {
				if err := txn.Delete(key(pCAddr, a)); err != nil {
					return err
				}
			}
		}
		w.op = "contact"
		if !slices.Equal(old.Addresses, c.Addresses) {
			w.changedRecord(RefContact, c.ID) // the customer field of its tickets
		}
		if err := auditContact(w, actor, &old, &c); err != nil {
			return err
		}
		return putJSON(txn, key(pContact, c.ID), c)
	})
	return c, err
}

// MergeContacts moves everything of contact from onto contact into: its
// addresses, and every ticket whose contact it is (each audited). The old
// contact is removed.
func (s *Store) MergeContacts(ctx context.Context, actor, fromID, intoID string) (Contact, error) {
	if fromID == intoID {
		return Contact{}, Errorf(CodeInvalid, "err_contact_merge_self", "engine: merge contact %s into itself", fromID)
	}
	var into Contact
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var from Contact
		if err := getJSON(txn, key(pContact, fromID), &from); err != nil {
			return fmt.Errorf("engine: contact %s: %w", fromID, err)
		}
		if err := getJSON(txn, key(pContact, intoID), &into); err != nil {
			return fmt.Errorf("engine: contact %s: %w", intoID, err)
		}
		for _, a := range from.Addresses {
			if !slices.Contains(into.Addresses, a) {
				into.Addresses = append(into.Addresses, a)
			}
			if err := txn.Set(key(pCAddr, a), []byte(into.ID)); err != nil {
				return err
			}
		}
		if into.Name == "" {
			into.Name = from.Name
		}
		if into.AccountID == "" {
			into.AccountID = from.AccountID
		}
		label := strings.Join(from.Addresses, ",")
		var ids []string
		err := refTickets(txn, RefContact, from.ID, func(id string) error {
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			var t Ticket
			if err := getJSON(txn, key(pTicket, id), &t); err != nil {
				return fmt.Errorf("engine: ticket %s of contact %s: %w", id, from.ID, err)
			}
			t.ContactID = into.ID
			if t.AccountID == "" {
				t.AccountID = into.AccountID
			}
			t.Version++
			t.Updated = w.now
			if err := putTicket(txn, &t); err != nil {
				return err
			}
			if err := w.audit(t.ID, actor, "contact", label, strings.Join(into.Addresses, ",")); err != nil {
				return err
			}
		}
		if err := txn.Delete(key(pContact, from.ID)); err != nil {
			return err
		}
		w.op = "contact"
		w.changedRecord(RefContact, into.ID) // its tickets' customer field has the new addresses
		if err := w.recordAudit(RefContact, from.ID, actor, "merged_into", "", into.ID); err != nil {
			return err
		}
		if err := w.recordAudit(RefContact, into.ID, actor, "merged", "", from.ID+" "+label); err != nil {
			return err
		}
		return putJSON(txn, key(pContact, into.ID), into)
	})
	if err != nil {
		return Contact{}, err
	}
	return into, s.Sync()
}

// auditContact audits what changes from old to c (old is empty for a new
// contact).
func auditContact(w *writeCtx, actor string, old, c *Contact) error {
	if old.ID == "" {
		return w.recordAuditList(RefContact, c.ID, actor, "created", nil, c.Addresses)
	}
	if err := w.recordAudit(RefContact, c.ID, actor, "name", old.Name, c.Name); err != nil {
		return err
	}
	if err := w.recordAuditList(RefContact, c.ID, actor, "addresses", old.Addresses, c.Addresses); err != nil {
		return err
	}
	return w.recordAudit(RefContact, c.ID, actor, "account", old.AccountID, c.AccountID)
}
