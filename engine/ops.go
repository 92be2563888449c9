package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// maxMergeMessages bounds one merge (DOS-06).
const maxMergeMessages = 100000

// Merge moves every message of ticket from onto ticket into. The old number
// redirects: from keeps its record with merged-into set, so Message-IDs and
// numbers that named it lead to into.
func (s *Store) Merge(ctx context.Context, actor, fromID, intoID string) error {
	if fromID == intoID {
		return Errorf(CodeInvalid, "err_merge_self", "engine: merge %s into itself", fromID)
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var from, into Ticket
		if err := getJSON(txn, key(pTicket, fromID), &from); err != nil {
			return fmt.Errorf("engine: merge ticket %s: %w", fromID, err)
		}
		into, err := s.liveTicket(txn, intoID)
		if err != nil {
			return fmt.Errorf("engine: merge target %s: %w", intoID, err)
		}
		if into.ID == from.ID || from.Links.MergedInto != "" {
			return Errorf(CodeConflict, "err_merge_merged", "engine: ticket %s is already merged", from.Number)
		}
		if from.DeskID != into.DeskID {
			return Errorf(CodeInvalid, "err_merge_desks", "engine: merge across desks")
		}
		prefix := append(key(pTMsg, from.ID), '/')
		keys := keysWithPrefix(txn, prefix)
		if len(keys) > maxMergeMessages {
			return Errorf(CodeInvalid, "err_merge_too_many", "engine: merge of %d messages", len(keys))
		}
		for _, k := range keys {
			id := string(k[len(prefix):])
			if err := s.moveMessage(txn, id, from.ID, into.ID, Reason{RuleMerge, from.Number}); err != nil {
				return err
			}
		}
		into.Messages += from.Messages
		for _, p := range from.Participants {
			if !slices.Contains(into.Participants, p) {
				into.Participants = append(into.Participants, p)
			}
		}
		into.LastActivity = maxTime(into.LastActivity, from.LastActivity)
		into.Updated = w.now
		into.Version++
		from.Links.MergedInto = into.ID
		from.Messages = 0
		from.Status = StatusClosed
		from.Updated = w.now
		from.Version++
		if err := putTicket(txn, &into); err != nil {
			return err
		}
		if err := putTicket(txn, &from); err != nil {
			return err
		}
		if err := w.audit(from.ID, actor, "merged_into", "", into.Number); err != nil {
			return err
		}
		return w.audit(into.ID, actor, "merged", "", from.Number)
	})
	if err != nil {
		return err
	}
	return s.Sync()
}

// moveMessage re-files message id from one ticket to another.
func (s *Store) moveMessage(txn *badger.Txn, id, from, to string, r Reason) error {
	var m Message
	if err := getJSON(txn, key(pMsg, id), &m); err != nil {
		return err
	}
	m.TicketID = to
	m.Reason = r
	if err := txn.Delete(key(pTMsg, from, id)); err != nil {
		return err
	}
	if err := txn.Set(key(pTMsg, to, id), nil); err != nil {
		return err
	}
	return putJSON(txn, key(pMsg, id), m)
}

// Split moves one message off its ticket onto a new ticket linked to the old.
func (s *Store) Split(ctx context.Context, actor, msgID string) (Ticket, error) {
	var nt Ticket
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var m Message
		if err := getJSON(txn, key(pMsg, msgID), &m); err != nil {
			return fmt.Errorf("engine: split message %s: %w", msgID, err)
		}
		var old Ticket
		if err := getJSON(txn, key(pTicket, m.TicketID), &old); err != nil {
			return err
		}
		if old.Messages <= 1 {
			return Errorf(CodeInvalid, "err_split_only", "engine: split the only message of %s", old.Number)
		}
		var desk Desk
		if err := getJSON(txn, key(pDesk, old.DeskID), &desk); err != nil {
			return err
		}
		num, err := s.allocNumber(txn, &desk, w.now)
		if err != nil {
			return err
		}
		nt = Ticket{ID: s.newID(), Number: num, DeskID: desk.ID, Subject: m.Subject, Status: StatusOpen,
			Priority: old.Priority, CategoryID: old.CategoryID, TypeID: old.TypeID, ContactID: m.ContactID,
			Source: old.Source, Created: w.now, Updated: w.now, LastActivity: m.Received, SLAState: "none",
			Messages: 1, Links: Links{Related: []string{old.ID}}}
		if m.From.Addr != "" {
			nt.Participants = []string{m.From.Addr}
		}
		if err := txn.Set(key(pTNum, desk.ID, num), []byte(nt.ID)); err != nil {
			return err
		}
		if err := s.moveMessage(txn, m.ID, old.ID, nt.ID, Reason{RuleSplit, old.Number}); err != nil {
			return err
		}
		old.Messages--
		old.Links.Related = append(old.Links.Related, nt.ID)
		old.Updated = w.now
		old.Version++
		if err := putTicket(txn, &old); err != nil {
			return err
		}
		if err := putTicket(txn, &nt); err != nil {
			return err
		}
		if err := w.audit(nt.ID, actor, "ticket", "", num); err != nil {
			return err
		}
		return w.audit(old.ID, actor, "split", m.ID, num)
	})
	if err != nil {
		return Ticket{}, err
	}
	return nt, s.Sync()
}

// AddNote adds an internal note: never shown to customers, indexed in
// fields customers cannot query (invariant 5).
func (s *Store) AddNote(ctx context.Context, author User, ticketID, text string) (Message, error) {
	return s.addStaffMessage(ctx, author, ticketID, text, KindNote)
}

// AddReply adds an agent's reply to the conversation.
func (s *Store) AddReply(ctx context.Context, author User, ticketID, text string) (Message, error) {
	return s.addStaffMessage(ctx, author, ticketID, text, KindReplyOut)
}

// MaxStaffText bounds the text of an agent's reply or note.
const MaxStaffText = 256 << 10

func (s *Store) addStaffMessage(ctx context.Context, author User, ticketID, text, kind string) (Message, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > MaxStaffText {
		return Message{}, &Error{Code: CodeInvalid, Key: "err_staff_text", Args: []any{Key("kind_" + kind), MaxStaffText},
			Text: fmt.Sprintf("engine: %s text: 1 to %d bytes", kind, MaxStaffText)}
	}
	var m Message
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		t, err := s.liveTicket(txn, ticketID)
		if err != nil {
			return fmt.Errorf("engine: ticket %s: %w", ticketID, err)
		}
		if !author.MemberOf(t.DeskID) {
			return Errorf(CodeNotFound, "err_not_on_desk", "engine: %s is not on the ticket's desk", author.Email)
		}
		var desk Desk
		if err := getJSON(txn, key(pDesk, t.DeskID), &desk); err != nil {
			return err
		}
		m = Message{ID: s.newID(), TicketID: t.ID, DeskID: t.DeskID, Kind: kind, AuthorUserID: author.ID,
			From: Address{Name: author.Name, Addr: author.Email}, Subject: t.Subject, Date: w.now,
			Received: w.now, Text: text, Reason: Reason{RuleManual, author.Email}, Internal: kind == KindNote}
		if kind == KindReplyOut {
			m.MessageID = NewReplyMessageID(desk.Secret, t.ID, m.ID, contactAddr(txn, t.ContactID), time.Time{}, deskHost(&desk))
			if err := txn.Set(key(pMID, desk.ID, shortHash(m.MessageID)), []byte(t.ID)); err != nil {
				return err
			}
			if t.FirstResp == nil {
				now := w.now
				t.FirstResp = &now
			}
		}
		m.BodyHash = contentHash([]byte(text))
		if err := putJSON(txn, key(pMsg, m.ID), m); err != nil {
			return err
		}
		if err := txn.Set(key(pTMsg, t.ID, m.ID), nil); err != nil {
			return err
		}
		t.Messages++
		t.Updated = w.now
		t.LastActivity = maxTime(t.LastActivity, w.now)
		t.Version++
		if err := putTicket(txn, &t); err != nil {
			return err
		}
		w.msgs = append(w.msgs, m.ID)
		if kind == KindReplyOut {
			if err := s.queueReply(txn, w, &desk, &t, author, &m); err != nil {
				return err
			}
		}
		return w.audit(t.ID, author.Email, kind, "", m.ID)
	})
	if err != nil {
		return Message{}, err
	}
	return m, s.Sync()
}

func contactAddr(txn *badger.Txn, contactID string) string {
	var c Contact
	if contactID == "" || getJSON(txn, key(pContact, contactID), &c) != nil || len(c.Addresses) == 0 {
		return ""
	}
	return c.Addresses[0]
}

// deskHost is the domain our Message-IDs use: the desk's first address's.
func deskHost(d *Desk) string {
	if len(d.Addresses) > 0 {
		if h := domainOf(d.Addresses[0]); h != "" {
			return h
		}
	}
	return "searchdesk.invalid"
}

// validStatus reports whether s is a ticket status.
func validStatus(s string) bool {
	switch s {
	case StatusOpen, StatusInProgress, StatusWaiting, StatusResolved, StatusClosed:
		return true
	}
	return false
}

// Audit returns a ticket's audit entries, oldest first.
func (s *Store) Audit(ctx context.Context, ticketID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, append(key(pAudit, ticketID), '/'), func() any { return &AuditEntry{} }, func(v any) error {
			out = append(out, *v.(*AuditEntry))
			return nil
		})
	})
	return out, err
}
