package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// Ticket returns the ticket with id.
func (s *Store) Ticket(ctx context.Context, id string) (Ticket, error) {
	var t Ticket
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pTicket, id), &t) })
	if errors.Is(err, ErrNotFound) {
		return t, Errorf(CodeNotFound, "err_no_ticket", "engine: ticket %s", id)
	}
	return t, err
}

// TicketByNumber returns the ticket of desk with number (as typed in full).
func (s *Store) TicketByNumber(ctx context.Context, deskID, num string) (Ticket, error) {
	var t Ticket
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := getRaw(txn, key(pTNum, deskID, strings.ToUpper(num)))
		if err != nil {
			id, err = getRaw(txn, key(pTNum, deskID, num))
		}
		if err != nil {
			return err
		}
		return getJSON(txn, key(pTicket, string(id)), &t)
	})
	if errors.Is(err, ErrNotFound) {
		return t, Errorf(CodeNotFound, "err_no_ticket_number", "engine: ticket %s", num)
	}
	return t, err
}

// Messages returns the messages of a ticket in arrival order.
func (s *Store) Messages(ctx context.Context, ticketID string) ([]Message, error) {
	var out []Message
	err := s.db.View(func(txn *badger.Txn) error {
		return eachTicketMessage(txn, ticketID, func(m *Message) error {
			out = append(out, *m)
			return nil
		})
	})
	return out, err
}

func eachTicketMessage(txn *badger.Txn, ticketID string, fn func(*Message) error) error {
	prefix := append(key(pTMsg, ticketID), '/')
	for _, k := range keysWithPrefix(txn, prefix) {
		var m Message
		if err := getJSON(txn, key(pMsg, string(k[len(prefix):])), &m); err != nil {
			return err
		}
		if err := fn(&m); err != nil {
			return err
		}
	}
	return nil
}

// Message returns one message.
func (s *Store) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pMsg, id), &m) })
	if errors.Is(err, ErrNotFound) {
		return m, Errorf(CodeNotFound, "err_no_message", "engine: message %s", id)
	}
	return m, err
}

// Raw returns the message's bytes exactly as received.
func (s *Store) Raw(ctx context.Context, msgID string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = append(key(pRaw, msgID), '/')
		it := txn.NewIterator(o)
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, v...)
			n++
		}
		if n == 0 {
			return fmt.Errorf("engine: raw %s: %w", msgID, ErrNotFound)
		}
		return nil
	})
	return out, err
}

// Blob returns attachment bytes by content hash.
func (s *Store) Blob(ctx context.Context, hash string) ([]byte, error) {
	var b []byte
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		b, err = getRaw(txn, key(pBlob, hash))
		return err
	})
	return b, err
}

// EachTicket calls fn for every ticket in creation order, streaming.
func (s *Store) EachTicket(ctx context.Context, fn func(*Ticket) error) error {
	return s.db.View(func(txn *badger.Txn) error {
		n := 0
		return eachJSON(txn, []byte(pTicket), func() any { return &Ticket{} }, func(v any) error {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return fn(v.(*Ticket))
		})
	})
}

// Counts reports how many records of the main kinds the store holds.
type Counts struct {
	Tickets, Messages, Contacts int
}

// Count counts tickets, messages and contacts.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.db.View(func(txn *badger.Txn) error {
		c.Tickets = len(keysWithPrefix(txn, []byte(pTicket)))
		c.Messages = len(keysWithPrefix(txn, []byte(pMsg)))
		c.Contacts = len(keysWithPrefix(txn, []byte(pContact)))
		return nil
	})
	return c, err
}

// Contact returns a contact.
func (s *Store) Contact(ctx context.Context, id string) (Contact, error) {
	var c Contact
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pContact, id), &c) })
	if errors.Is(err, ErrNotFound) {
		return c, Errorf(CodeNotFound, "err_no_contact", "engine: contact %s", id)
	}
	return c, err
}

// ContactByAddress returns the contact with that address.
func (s *Store) ContactByAddress(ctx context.Context, addr string) (Contact, error) {
	var c Contact
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := getRaw(txn, key(pCAddr, normAddr(addr)))
		if err != nil {
			return err
		}
		return getJSON(txn, key(pContact, string(id)), &c)
	})
	if errors.Is(err, ErrNotFound) {
		return c, Errorf(CodeNotFound, "err_no_contact_address", "engine: contact %s", addr)
	}
	return c, err
}

// Account returns an account.
func (s *Store) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pAccount, id), &a) })
	if errors.Is(err, ErrNotFound) {
		return a, Errorf(CodeNotFound, "err_no_account", "engine: account %s", id)
	}
	return a, err
}

// User returns a user.
func (s *Store) User(ctx context.Context, id string) (User, error) {
	var u User
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pUser, id), &u) })
	if errors.Is(err, ErrNotFound) {
		return u, Errorf(CodeNotFound, "err_no_user", "engine: user %s", id)
	}
	return u, err
}

// Bundle is a ticket with everything the search index needs of it, read in
// one transaction.
type Bundle struct {
	Ticket   Ticket
	Desk     Desk
	Messages []Message
	Tasks    []Task
	Contact  *Contact
	Account  *Account
	Assignee *User
	// AttachmentText is the extracted text of the attachments, by hash.
	AttachmentText map[string]string
}

// Bundle reads ticket id with its messages, tasks, desk, contact, account
// and assignee.
func (s *Store) Bundle(ctx context.Context, id string) (Bundle, error) {
	return s.oneBundle(id, true)
}

// Summary is Bundle without the messages and attachment texts (see
// Summaries).
func (s *Store) Summary(ctx context.Context, id string) (Bundle, error) {
	return s.oneBundle(id, false)
}

func (s *Store) oneBundle(id string, messages bool) (Bundle, error) {
	var b Bundle
	err := s.db.View(func(txn *badger.Txn) error {
		return bundleTxn(txn, id, nil, messages, &b)
	})
	return b, err
}

// Bundles reads several tickets' bundles in one transaction, calling fn
// for each in order; a ticket that no longer exists comes with an error
// wrapping ErrNotFound. Desks are read once.
func (s *Store) Bundles(ctx context.Context, ids []string, fn func(id string, b *Bundle, err error) error) error {
	return s.bundles(ctx, ids, true, fn)
}

// Summaries is Bundles without the messages and attachment texts: what a
// row of a result list shows (the ticket, its desk, contact, account,
// assignee and tasks), read in constant work per ticket whatever the size
// of its thread.
func (s *Store) Summaries(ctx context.Context, ids []string, fn func(id string, b *Bundle, err error) error) error {
	return s.bundles(ctx, ids, false, fn)
}

func (s *Store) bundles(ctx context.Context, ids []string, messages bool, fn func(id string, b *Bundle, err error) error) error {
	desks := map[string]Desk{}
	return s.db.View(func(txn *badger.Txn) error {
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return err
			}
			var b Bundle
			err := bundleTxn(txn, id, desks, messages, &b)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err := fn(id, &b, err); err != nil {
				return err
			}
		}
		return nil
	})
}

// bundleTxn reads one bundle; desks, when not nil, caches desks by id.
func bundleTxn(txn *badger.Txn, id string, desks map[string]Desk, messages bool, b *Bundle) error {
	if err := getJSON(txn, key(pTicket, id), &b.Ticket); err != nil {
		return fmt.Errorf("engine: ticket %s: %w", id, err)
	}
	t := &b.Ticket
	if d, ok := desks[t.DeskID]; ok {
		b.Desk = d
	} else {
		if err := getJSON(txn, key(pDesk, t.DeskID), &b.Desk); err != nil {
			return err
		}
		b.Desk.Secret = nil
		if desks != nil {
			desks[t.DeskID] = b.Desk
		}
	}
	if messages {
		if err := bundleMessages(txn, id, b); err != nil {
			return err
		}
	}
	var err error
	if b.Tasks, err = ticketTasks(txn, id); err != nil {
		return err
	}
	if t.ContactID != "" {
		var c Contact
		if getJSON(txn, key(pContact, t.ContactID), &c) == nil {
			b.Contact = &c
		}
	}
	if t.AccountID != "" {
		var a Account
		if getJSON(txn, key(pAccount, t.AccountID), &a) == nil {
			b.Account = &a
		}
	}
	if t.AssigneeID != "" {
		var u User
		if getJSON(txn, key(pUser, t.AssigneeID), &u) == nil {
			u.PasswordHash = ""
			b.Assignee = &u
		}
	}
	return nil
}

// AccountFor finds an account by one of its domains or its name, as
// people type it.
func (s *Store) AccountFor(ctx context.Context, domainOrName string) (Account, error) {
	v := strings.ToLower(strings.TrimSpace(domainOrName))
	var a Account
	err := s.db.View(func(txn *badger.Txn) error {
		id, err := getRaw(txn, key(pADom, v))
		if errors.Is(err, ErrNotFound) {
			id, err = getRaw(txn, key(pAName, v))
		}
		if err != nil {
			return err
		}
		return getJSON(txn, key(pAccount, string(id)), &a)
	})
	if errors.Is(err, ErrNotFound) {
		return a, Errorf(CodeNotFound, "err_no_account_named", "engine: no account has the domain or name %q", domainOrName)
	}
	return a, err
}

// messageText is the part of a stored message that says what it says and
// who may read it; decoding only these fields skips the HTML and headers.
type messageText struct {
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Text        string          `json:"text"`
	Attachments []AttachmentRef `json:"attachments,omitempty"`
	Flags       []string        `json:"flags,omitempty"`
	Internal    bool            `json:"internal,omitempty"`
}

// MessageTexts calls fn with the messages of a ticket, newest first, until
// fn returns false. Each message has only ID, Kind, Text, Attachments,
// Flags and Internal set; attText reads an attachment's extracted text.
// Highlights read this instead of the whole bundle, so what they cost
// does not grow with a ticket's HTML, headers and history.
func (s *Store) MessageTexts(ctx context.Context, ticketID string, fn func(m *Message, attText func(hash string) string) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		attText := func(hash string) string { return attachmentText(txn, hash) }
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Reverse = true
		prefix := append(key(pTMsg, ticketID), '/')
		o.Prefix = prefix
		it := txn.NewIterator(o)
		defer it.Close()
		// A reverse iterator starts at the last key below its seek key.
		for it.Seek(append(slices.Clone(prefix), 0xff)); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var mt messageText
			if err := getJSON(txn, key(pMsg, string(it.Item().Key()[len(prefix):])), &mt); err != nil {
				return err
			}
			m := Message{ID: mt.ID, TicketID: ticketID, Kind: mt.Kind, Text: mt.Text, Attachments: mt.Attachments,
				Flags: mt.Flags, Internal: mt.Internal}
			if !fn(&m, attText) {
				return nil
			}
		}
		return nil
	})
}

// bundleMessages reads a bundle's messages and their attachments' text.
func bundleMessages(txn *badger.Txn, id string, b *Bundle) error {
	return eachTicketMessage(txn, id, func(m *Message) error {
		b.Messages = append(b.Messages, *m)
		for _, a := range m.Attachments {
			if a.TextKind == "" || b.AttachmentText[a.Hash] != "" {
				continue
			}
			text := attachmentText(txn, a.Hash)
			if text == "" {
				continue
			}
			if b.AttachmentText == nil {
				b.AttachmentText = map[string]string{}
			}
			b.AttachmentText[a.Hash] = text
		}
		return nil
	})
}

// attachmentText is the extracted text stored for an attachment's content
// hash (atext/: kind, newline, text); "" when there is none.
func attachmentText(txn *badger.Txn, hash string) string {
	v, err := getRaw(txn, key(pAText, hash))
	if err != nil {
		return ""
	}
	_, text, _ := strings.Cut(string(v), "\n")
	return text
}
