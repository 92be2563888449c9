package index

import (
	"slices"
	"strings"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/number"
	"searchdesk/engine/quote"
	"searchdesk/index/lang"
)

// priorityRank orders priorities for comparisons and sorting.
func priorityRank(p string) float64 {
	switch p {
	case "low":
		return 1
	case "normal":
		return 2
	case "high":
		return 3
	case "urgent":
		return 4
	}
	return 0
}

// ticketDoc is what one ticket looks like to Bleve. Customer-visible text
// and staff-only text (internal notes, mail from unverified senders) live in
// separate fields, so a customer-scoped query cannot touch the latter
// (invariant 5).
//
// Each field says which record its value comes from. Values copied from a
// record other than the ticket and its messages (desk, contact, account,
// the assignee's user) are re-indexed when that record changes: the engine
// names the record in its feed entry (engine.RefDesk, ...) and the follower
// re-indexes the tickets that refer to it (engine.Store.EntryTickets), so
// the followed index equals a rebuilt one (invariant 1).
type ticketDoc struct {
	Number       []string  `json:"number"`        // ticket number, in the forms of the desk's pattern and code
	Subject      string    `json:"subject"`       // ticket
	Body         []string  `json:"body"`          // messages: what each says anew
	Quoted       []string  `json:"quoted"`        // messages: quoted history and signature
	Note         []string  `json:"note"`          // messages: internal notes and their attachments, staff only
	Unverified   []string  `json:"unverified"`    // messages: mail from an unverified sender and its attachments, staff only
	Attachment   []string  `json:"attachment"`    // customer-visible messages' attachments: names, and extracted text (atext/)
	File         []string  `json:"file"`          // customer-visible messages' attachments: names, exact
	From         []string  `json:"from"`          // messages
	To           []string  `json:"to"`            // messages
	Cc           []string  `json:"cc"`            // messages
	Status       string    `json:"status"`        // ticket
	Priority     string    `json:"priority"`      // ticket
	PriorityRank float64   `json:"priority_rank"` // ticket
	Category     string    `json:"category"`      // ticket: the category id (its name is not copied)
	Desk         string    `json:"desk"`          // desk: its code
	DeskID       string    `json:"desk_id"`       // ticket
	Assignee     string    `json:"assignee"`      // user: the assignee's email
	Customer     []string  `json:"customer"`      // contact: its addresses
	ContactID    string    `json:"contact_id"`    // ticket
	Account      []string  `json:"account"`       // account: its domains and name
	AccountID    string    `json:"account_id"`    // ticket
	Type         string    `json:"type"`          // ticket: the type's slug
	Tag          []string  `json:"tag"`           // ticket
	Source       string    `json:"source"`        // ticket
	SLA          string    `json:"sla"`           // ticket
	Has          []string  `json:"has"`           // messages, attachments and tasks
	Created      time.Time `json:"created"`       // ticket
	Updated      time.Time `json:"updated"`       // ticket
}

// buildDoc turns a ticket bundle into its index document: the values the
// ticket table holds too (tableDoc), and the text and the keyword fields
// only Bleve holds.
func buildDoc(b *engine.Bundle) ticketDoc {
	d := tableDoc(b)
	t := &b.Ticket
	if p, err := number.Parse(b.Desk.Pattern); err == nil {
		d.Number = lowerAll(p.Forms(t.Number, b.Desk.Code))
	} else {
		d.Number = []string{strings.ToLower(t.Number)}
	}
	subjectLang := ""
	for i := range b.Messages {
		m := &b.Messages[i]
		// Every text is marked with its language, detected per message,
		// for the stemmer (package lang).
		l := lang.Detect(m.Subject + "\n" + m.Text)
		if subjectLang == "" {
			subjectLang = l
		}
		// A message's attachments go where its text goes: those of
		// internal notes and unverified mail into staff-only fields, so a
		// customer's query cannot reach them (the ticket trick, AC-02,
		// MAIL-10).
		switch field := messageField(m); field {
		case "note", "unverified":
			dst := &d.Note
			text := m.Text
			if field == "unverified" {
				dst, text = &d.Unverified, m.Subject+"\n"+m.Text
			}
			*dst = append(*dst, lang.Mark(l, text))
			*dst = append(*dst, attachmentTexts(b, m)...)
			continue
		}
		d.Attachment = append(d.Attachment, attachmentTexts(b, m)...)
		for _, a := range m.Attachments {
			d.File = append(d.File, strings.ToLower(a.Name))
		}
		parts := quote.Split(m.Text)
		d.Body = append(d.Body, lang.Mark(l, parts.New))
		if old := strings.TrimSpace(parts.Quoted + "\n" + parts.Signature); old != "" {
			d.Quoted = append(d.Quoted, lang.Mark(l, old))
		}
		addUnique(&d.From, m.From.Addr)
		for _, a := range m.To {
			addUnique(&d.To, a.Addr)
		}
		for _, a := range m.Cc {
			addUnique(&d.Cc, a.Addr)
		}
	}
	if subjectLang == "" {
		subjectLang = lang.Detect(t.Subject)
	}
	d.Subject = lang.Mark(subjectLang, t.Subject)
	return d
}

// tableDoc is the part of a ticket's document that the ticket table holds
// as well as Bleve: the keyword fields it filters and facets on, and the
// sort values. It reads no text, so the table is built at start without
// analysing any (language detection and quote splitting are most of the
// cost of a document).
func tableDoc(b *engine.Bundle) ticketDoc {
	t := &b.Ticket
	d := ticketDoc{Status: t.Status, Priority: t.Priority,
		PriorityRank: priorityRank(t.Priority), Category: lower(t.CategoryID), Desk: b.Desk.Code,
		DeskID: t.DeskID, Assignee: "none", ContactID: t.ContactID, AccountID: t.AccountID,
		Type: lower(t.TypeID), Tag: lowerAll(t.Tags), Source: t.Source, SLA: t.SLAState,
		Created: t.Created, Updated: t.Updated}
	if b.Assignee != nil {
		d.Assignee = b.Assignee.Email
	}
	if b.Contact != nil {
		d.Customer = append(d.Customer, b.Contact.Addresses...)
	}
	if b.Account != nil {
		d.Account = append(lowerAll(b.Account.Domains), strings.ToLower(b.Account.Name))
	}
	has := map[string]bool{}
	for i := range b.Messages {
		m := &b.Messages[i]
		if len(m.Attachments) > 0 && messageField(m) == "body" { // a customer sees has:attachment
			has["attachment"] = true
		}
		if len(m.Flags) > 0 {
			has["flagged"] = true
		}
		if messageField(m) == "note" {
			has["note"] = true
		}
	}
	for _, task := range b.Tasks {
		has["task"] = true
		if !task.Done {
			has["open-task"] = true
		}
	}
	for k := range has {
		d.Has = append(d.Has, k)
	}
	slices.Sort(d.Has)
	return d
}

// attachmentTexts are the names and extracted texts of m's attachments,
// each marked with its language.
func attachmentTexts(b *engine.Bundle, m *engine.Message) []string {
	var out []string
	for _, a := range m.Attachments {
		out = append(out, a.Name)
		if text := b.AttachmentText[a.Hash]; text != "" {
			out = append(out, lang.Mark(lang.Detect(text), text))
		}
	}
	return out
}

// messageField is the text field a message goes to: "note" (internal
// notes) and "unverified" (mail held as from an unverified sender) are
// staff-only; everything else is the customer-visible "body" (invariant 5).
func messageField(m *engine.Message) string {
	switch {
	case m.Kind == engine.KindNote || m.Internal:
		return "note"
	case m.HasFlag(engine.FlagUnverifiedSender):
		return "unverified"
	}
	return "body"
}

func addUnique(list *[]string, v string) {
	if v != "" && !slices.Contains(*list, v) {
		*list = append(*list, v)
	}
}

func lower(s string) string { return strings.ToLower(s) }

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(s))
	}
	return out
}
