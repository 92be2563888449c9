package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// ExportMessage is a message as `searchdesk export --format jsonl` writes it.
type ExportMessage struct {
	ID          string    `json:"id"`
	MessageID   string    `json:"message_id"`
	Ticket      string    `json:"ticket"`
	TicketID    string    `json:"ticket_id"`
	MessageKind string    `json:"message_kind"`
	From        string    `json:"from"`
	FromName    string    `json:"from_name,omitempty"`
	To          []string  `json:"to,omitempty"`
	Cc          []string  `json:"cc,omitempty"`
	Subject     string    `json:"subject"`
	Date        time.Time `json:"date"`
	Received    time.Time `json:"received"`
	Flags       []string  `json:"flags"`
	Reason      Reason    `json:"thread_reason"`
	Source      string    `json:"source,omitempty"`
	ForwardedBy string    `json:"forwarded_by,omitempty"`
	Attachments []string  `json:"attachments,omitempty"`
	Automatic   bool      `json:"automatic,omitempty"`
	Deliveries  []string  `json:"deliveries,omitempty"`
}

// ExportJSONL streams every record as one JSON object per line with a kind
// field: desks, users, accounts, contacts, then each ticket followed by its
// messages, tasks and audit entries. Memory does not grow with the store.
func (s *Store) ExportJSONL(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	emit := func(kind string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		// Splice the kind in front of the record's own fields.
		if _, err := bw.WriteString(`{"kind":"` + kind + `",`); err != nil {
			return err
		}
		_, err = bw.Write(append(b[1:], '\n'))
		return err
	}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range []struct {
			prefix, kind string
			newV         func() any
		}{
			{pDesk, "desk", func() any { return &Desk{} }},
			{pUser, "user", func() any { return &User{} }},
			{pAccount, "account", func() any { return &Account{} }},
			{pContact, "contact", func() any { return &Contact{} }},
		} {
			err := eachJSON(txn, []byte(k.prefix), k.newV, func(v any) error {
				if d, ok := v.(*Desk); ok {
					d.Secret = nil
				}
				if u, ok := v.(*User); ok {
					u.PasswordHash = ""
				}
				return emit(k.kind, v)
			})
			if err != nil {
				return err
			}
		}
		return eachJSON(txn, []byte(pTicket), func() any { return &Ticket{} }, func(v any) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return s.exportTicket(txn, v.(*Ticket), emit)
		})
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func (s *Store) exportTicket(txn *badger.Txn, t *Ticket, emit func(string, any) error) error {
	if err := emit("ticket", t); err != nil {
		return err
	}
	err := eachTicketMessage(txn, t.ID, func(m *Message) error {
		return emit("message", exportMessage(m, t))
	})
	if err != nil {
		return err
	}
	tasks, err := ticketTasks(txn, t.ID)
	if err != nil {
		return err
	}
	for _, task := range tasks {
		if err := emit("task", task); err != nil {
			return err
		}
	}
	return eachJSON(txn, append(key(pAudit, t.ID), '/'), func() any { return &AuditEntry{} }, func(v any) error {
		return emit("audit", v)
	})
}

func exportMessage(m *Message, t *Ticket) ExportMessage {
	e := ExportMessage{ID: m.ID, MessageID: m.MessageID, Ticket: t.Number, TicketID: t.ID,
		MessageKind: m.Kind, From: m.From.Addr, FromName: m.From.Name, Subject: m.Subject, Date: m.Date,
		Received: m.Received, Flags: m.Flags, Reason: m.Reason, Source: m.Source,
		ForwardedBy: m.ForwardedBy, Automatic: m.Automatic}
	if e.Flags == nil {
		e.Flags = []string{}
	}
	for _, a := range m.To {
		e.To = append(e.To, a.Addr)
	}
	for _, a := range m.Cc {
		e.Cc = append(e.Cc, a.Addr)
	}
	for _, d := range m.Deliveries {
		e.Deliveries = append(e.Deliveries, d.Source)
	}
	for _, a := range m.Attachments {
		e.Attachments = append(e.Attachments, a.Name)
	}
	return e
}
