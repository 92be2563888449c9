package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// TicketImport is a ticket brought over from another system (a migration,
// or the benchmark corpus) with the text of its first message. Unlike mail
// intake it carries its own state: status, priority, people and dates.
type TicketImport struct {
	Desk     string // desk code; must exist
	Number   string // kept when free in the desk, else a new number is taken
	Subject  string
	Body     string
	Status   string
	Priority string
	Category string
	Type     string
	Customer string // the contact's address; created when new
	Account  string // account name; created when new
	Assignee string // user email; must exist
	Tags     []string
	SLA      string
	Created  time.Time
	Updated  time.Time
}

// ImportTickets stores tickets in one transaction with one feed entry, and
// returns their ids. A batch too big for one transaction is split. Like
// intake, it is durable after Sync (or at once with SyncEveryWrite).
func (s *Store) ImportTickets(ctx context.Context, in []TicketImport) ([]string, error) {
	for i := range in {
		if err := checkImport(&in[i]); err != nil {
			return nil, fmt.Errorf("engine: import ticket %d: %w", i+1, err)
		}
	}
	ids := make([]string, 0, len(in))
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		ids = ids[:0]
		w.op = "import"
		cache := importCache{desks: map[string]*Desk{}, users: map[string]string{}, accounts: map[string]string{}}
		for i := range in {
			id, err := s.importTicketTxn(txn, w, &cache, &in[i])
			if err != nil {
				return fmt.Errorf("engine: import ticket %d: %w", i+1, err)
			}
			ids = append(ids, id)
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) && len(in) > 1 {
		h := len(in) / 2
		a, err := s.ImportTickets(ctx, in[:h])
		if err != nil {
			return a, err
		}
		b, err := s.ImportTickets(ctx, in[h:])
		return append(a, b...), err
	}
	if err != nil {
		return nil, err
	}
	if s.opts.SyncEveryWrite {
		return ids, s.Sync()
	}
	return ids, nil
}

// checkImport validates and completes one imported ticket.
func checkImport(t *TicketImport) error {
	if t.Status == "" {
		t.Status = StatusOpen
	}
	if !validStatus(t.Status) {
		return fmt.Errorf("status %q: want open, in_progress, waiting, resolved or closed: %w", t.Status, ErrInvalid)
	}
	switch t.Priority {
	case "":
		t.Priority = "normal"
	case "low", "normal", "high", "urgent":
	default:
		return fmt.Errorf("priority %q: want low, normal, high or urgent: %w", t.Priority, ErrInvalid)
	}
	switch t.SLA {
	case "":
		t.SLA = "none"
	case "none", "ok", "at_risk", "breached":
	default:
		return fmt.Errorf("sla %q: want none, ok, at_risk or breached: %w", t.SLA, ErrInvalid)
	}
	if strings.TrimSpace(t.Subject) == "" && strings.TrimSpace(t.Body) == "" {
		return fmt.Errorf("no subject and no body: %w", ErrInvalid)
	}
	if t.Created.IsZero() {
		return fmt.Errorf("no created time: %w", ErrInvalid)
	}
	if t.Updated.Before(t.Created) {
		t.Updated = t.Created
	}
	return nil
}

// importCache spares repeated lookups within one import transaction.
type importCache struct {
	desks    map[string]*Desk
	users    map[string]string // email → user id
	accounts map[string]string // lower name → account id
}

func (s *Store) importTicketTxn(txn *badger.Txn, w *writeCtx, c *importCache, in *TicketImport) (string, error) {
	desk := c.desks[in.Desk]
	if desk == nil {
		desk = &Desk{}
		if err := deskByCodeTxn(txn, deskCodeOr(in.Desk), desk); err != nil {
			return "", err
		}
		c.desks[in.Desk] = desk
	}
	t := Ticket{ID: s.newID(), DeskID: desk.ID, Subject: in.Subject, Status: in.Status,
		Priority: in.Priority, CategoryID: in.Category, TypeID: in.Type, Tags: in.Tags, Source: "import",
		Created: in.Created.UTC(), Updated: in.Updated.UTC(), LastActivity: in.Created.UTC(), SLAState: in.SLA, Messages: 1}
	num := strings.ToUpper(in.Number)
	if num != "" {
		if _, err := getRaw(txn, key(pTNum, desk.ID, num)); err == nil {
			num = ""
		}
	}
	if num == "" {
		var err error
		if num, err = s.allocNumber(txn, desk, t.Created); err != nil {
			return "", err
		}
	}
	t.Number = num
	if in.Assignee != "" {
		uid, ok := c.users[in.Assignee]
		if !ok {
			var u User
			if err := userByEmailTxn(txn, in.Assignee, &u); err != nil {
				return "", fmt.Errorf("assignee %s: %w", in.Assignee, err)
			}
			uid = u.ID
			c.users[in.Assignee] = uid
		}
		t.AssigneeID = uid
	}
	var from Address
	if in.Customer != "" {
		addr := normAddr(in.Customer)
		ct, err := s.ensureContact(txn, w, addr, "")
		if err != nil {
			return "", err
		}
		if in.Account != "" && ct.AccountID == "" {
			if ct.AccountID, err = s.accountByNameTxn(txn, w, c, in.Account); err != nil {
				return "", err
			}
			if err := putJSON(txn, key(pContact, ct.ID), ct); err != nil {
				return "", err
			}
		}
		t.ContactID, t.AccountID = ct.ID, ct.AccountID
		from = Address{Addr: addr}
	}
	m := Message{ID: s.newID(), TicketID: t.ID, DeskID: desk.ID, Kind: KindEmailIn, ContactID: t.ContactID,
		From: from, Subject: in.Subject, Date: t.Created, Received: t.Created, Text: in.Body,
		Reason: Reason{Rule: RuleNew}, Source: "import"}
	if err := putJSON(txn, key(pMsg, m.ID), m); err != nil {
		return "", err
	}
	if err := txn.Set(key(pTMsg, t.ID, m.ID), nil); err != nil {
		return "", err
	}
	if err := txn.Set(key(pTNum, desk.ID, num), []byte(t.ID)); err != nil {
		return "", err
	}
	t.Version = 1
	if err := putTicket(txn, &t); err != nil {
		return "", err
	}
	w.msgs = append(w.msgs, m.ID)
	return t.ID, w.audit(t.ID, "import", "ticket", "", num)
}

// accountByNameTxn finds the account called name, creating it when new.
func (s *Store) accountByNameTxn(txn *badger.Txn, w *writeCtx, c *importCache, name string) (string, error) {
	low := strings.ToLower(strings.TrimSpace(name))
	if id, ok := c.accounts[low]; ok {
		return id, nil
	}
	id, err := getRaw(txn, key(pAName, low))
	if err == nil {
		c.accounts[low] = string(id)
		return string(id), nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	a := Account{ID: s.newID(), Name: strings.TrimSpace(name), Created: w.now}
	if err := txn.Set(key(pAName, low), []byte(a.ID)); err != nil {
		return "", err
	}
	c.accounts[low] = a.ID
	return a.ID, putJSON(txn, key(pAccount, a.ID), a)
}
