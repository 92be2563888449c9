package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/mime"
	"searchdesk/engine/number"
	"searchdesk/engine/quote"
	"searchdesk/engine/subject"
)

// intakeTxn threads and stores one draft inside the intake transaction.
func (s *Store) intakeTxn(txn *badger.Txn, w *writeCtx, d *draft) (IntakeResult, error) {
	var desk Desk
	if err := deskByCodeTxn(txn, deskCodeOr(d.in.Desk), &desk); err != nil {
		return IntakeResult{}, err
	}
	if ref := d.in.IMAP; ref != nil {
		if id, err := getRaw(txn, imapKey(ref)); err == nil {
			return s.noteDelivery(txn, w, d, string(id))
		} else if !errors.Is(err, ErrNotFound) {
			return IntakeResult{}, err
		}
	}
	p, err := s.decide(txn, &desk, d)
	if err != nil {
		return IntakeResult{}, err
	}
	if p.dupOf != "" {
		if ref := d.in.IMAP; ref != nil {
			if err := txn.Set(imapKey(ref), []byte(p.dupOf)); err != nil {
				return IntakeResult{}, err
			}
		}
		return s.noteDelivery(txn, w, d, p.dupOf)
	}
	m := d.msg // a copy: a conflict retry starts from the draft again
	m.ID = d.id
	m.DeskID = desk.ID
	m.Reason = p.reason
	m.Flags = append(slices.Clone(m.Flags), p.flags...)
	if p.forward {
		m.ForwardedBy = p.forwarder
	}
	if p.agent != nil { // an agent answered a notification by mail (MAIL-02)
		m.Kind = KindReplyOut
		m.AuthorUserID = p.agent.ID
		if nt := strings.TrimSpace(quote.Split(m.Text).New); nt != "" {
			m.Text = nt
		}
	}
	var t Ticket
	newTicket := p.ticketID == ""
	if newTicket {
		t, err = s.openTicket(txn, w, &desk, d, &p)
	} else {
		t, err = s.liveTicket(txn, p.ticketID)
	}
	if err != nil {
		return IntakeResult{}, err
	}
	m.TicketID = t.ID
	if err := s.attachMessage(txn, w, &desk, d, &p, &t, &m, newTicket); err != nil {
		return IntakeResult{}, err
	}
	if c := d.in.Change; c != nil {
		if err := s.applyChange(txn, w, &t, d.in.Actor, *c); err != nil {
			return IntakeResult{}, err
		}
	}
	if ref := d.in.IMAP; ref != nil {
		if err := txn.Set(imapKey(ref), []byte(m.ID)); err != nil {
			return IntakeResult{}, err
		}
	}
	if p.agent != nil {
		if err := s.queueReply(txn, w, &desk, &t, *p.agent, &m); err != nil {
			return IntakeResult{}, err
		}
	} else if err := s.afterIntake(txn, w, &desk, d, &p, &t, &m, newTicket); err != nil {
		return IntakeResult{}, err
	}
	return IntakeResult{Outcome: OutcomeStored, MessageID: m.ID, TicketID: t.ID, TicketNumber: t.Number,
		NewTicket: newTicket, Reason: m.Reason, Flags: m.Flags}, nil
}

func imapKey(r *IMAPRef) []byte {
	return key(pIMAP, r.Mailbox, fmt.Sprint(r.UIDValidity), fmt.Sprint(r.UID))
}

func deskCodeOr(code string) string {
	if code == "" {
		return DefaultDeskCode
	}
	return code
}

// noteDelivery records another arrival of a stored message; importing the
// same archive again writes nothing, because the source is already noted.
func (s *Store) noteDelivery(txn *badger.Txn, w *writeCtx, d *draft, msgID string) (IntakeResult, error) {
	var m Message
	if err := getJSON(txn, key(pMsg, msgID), &m); err != nil {
		return IntakeResult{}, err
	}
	var t Ticket
	if err := getJSON(txn, key(pTicket, m.TicketID), &t); err != nil {
		return IntakeResult{}, err
	}
	res := IntakeResult{Outcome: OutcomeDuplicate, MessageID: m.ID, TicketID: t.ID, TicketNumber: t.Number,
		Reason: Reason{RuleDuplicate, m.MessageID}, Flags: m.Flags}
	src := d.in.Source
	if src == "" || src == m.Source || slices.ContainsFunc(m.Deliveries, func(x Delivery) bool { return x.Source == src }) {
		return res, nil
	}
	if len(m.Deliveries) < 100 {
		m.Deliveries = append(m.Deliveries, Delivery{At: w.now, Source: src})
		w.touch("delivery", "")
		w.msgs = append(w.msgs, m.ID)
		return res, putJSON(txn, key(pMsg, m.ID), m)
	}
	return res, nil
}

// openTicket allocates a number and creates the ticket for a new thread.
func (s *Store) openTicket(txn *badger.Txn, w *writeCtx, desk *Desk, d *draft, p *plan) (Ticket, error) {
	num, err := s.allocNumber(txn, desk, w.now)
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: s.newID(), Number: num, DeskID: desk.ID, Subject: d.msg.Subject,
		Status: StatusOpen, Priority: desk.DefaultPriority, CategoryID: desk.DefaultCategory,
		TypeID: desk.DefaultType, Source: d.in.Channel, Created: d.msg.Received, Updated: d.msg.Received,
		SLAState: "none"}
	if t.Source == "" {
		t.Source = "email"
	}
	owner, ownerName := d.sender, d.msg.From.Name
	if p.forward {
		owner, ownerName = normAddr(d.pm.Forward.From.Addr), d.pm.Forward.From.Name
		t.Participants = []string{owner}
		if d.pm.Forward.Subject != "" {
			t.Subject = d.pm.Forward.Subject
		}
	}
	if owner != "" && !d.multiple {
		c, err := s.ensureContact(txn, w, owner, ownerName)
		if err != nil {
			return t, err
		}
		t.ContactID, t.AccountID = c.ID, c.AccountID
	}
	if p.followUpOf != "" {
		t.Links.FollowUpOf = p.followUpOf
	}
	if p.linkedTo != "" {
		t.Links.Related = append(t.Links.Related, p.linkedTo)
	}
	if err := txn.Set(key(pTNum, desk.ID, num), []byte(t.ID)); err != nil {
		return t, err
	}
	norm := d.norm
	if p.forward && d.pm.Forward.Subject != "" {
		norm = subjectNorm(d.pm.Forward.Subject)
	}
	if norm != "" {
		if err := txn.Set(key(pSubj, desk.ID, shortHash(norm), t.ID), nil); err != nil {
			return t, err
		}
	}
	for _, other := range []string{p.followUpOf, p.linkedTo} {
		if other != "" {
			if err := s.linkRelated(txn, w, other, t.ID, "linked"); err != nil {
				return t, err
			}
		}
	}
	return t, w.audit(t.ID, "intake", "ticket", "", num)
}

// allocNumber takes the next number of the desk's pattern. Counters never
// go back, and a number already used (after a pattern change) is skipped.
func (s *Store) allocNumber(txn *badger.Txn, desk *Desk, now time.Time) (string, error) {
	pat, err := number.Parse(desk.Pattern)
	if err != nil {
		return "", fmt.Errorf("engine: desk %s pattern: %w", desk.Code, err)
	}
	loc := time.UTC
	if desk.TimeZone != "" {
		if l, err := time.LoadLocation(desk.TimeZone); err == nil {
			loc = l
		}
	}
	now = now.In(loc)
	ck := key(pCounter, desk.ID, pat.CounterKey(now))
	v, err := getRaw(txn, ck)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", err
	}
	n := u64(v)
	for i := 0; i < 1000; i++ {
		n++
		num := pat.Format(n, now, desk.Code)
		if _, err := getRaw(txn, key(pTNum, desk.ID, num)); errors.Is(err, ErrNotFound) {
			return num, txn.Set(ck, u64b(n))
		}
	}
	return "", fmt.Errorf("engine: desk %s: no free ticket number: %w", desk.Code, ErrConflict)
}

// linkRelated links ticket a to b (both ways) with an audit entry on each.
func (s *Store) linkRelated(txn *badger.Txn, w *writeCtx, a, b, why string) error {
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		var t Ticket
		if err := getJSON(txn, key(pTicket, pair[0]), &t); err != nil {
			if errors.Is(err, ErrNotFound) {
				continue // b is being created in this transaction
			}
			return err
		}
		if slices.Contains(t.Links.Related, pair[1]) {
			continue
		}
		t.Links.Related = append(t.Links.Related, pair[1])
		t.Version++
		if err := putTicket(txn, &t); err != nil {
			return err
		}
		if err := w.audit(t.ID, "intake", "related", "", pair[1]); err != nil {
			return err
		}
	}
	return nil
}

func subjectNorm(s string) string { return subject.Normalize(s) }

// rawChunk is the size of one stored piece of a raw message; Badger keeps
// values this size in its value log.
const rawChunk = 1 << 20

// attachMessage writes m and everything it changes on t.
func (s *Store) attachMessage(txn *badger.Txn, w *writeCtx, desk *Desk, d *draft, p *plan, t *Ticket, m *Message, newTicket bool) error {
	if d.sender != "" && !d.multiple && !d.pm.Auto.NullSender {
		c, err := s.ensureContact(txn, w, d.sender, m.From.Name)
		if err != nil {
			return err
		}
		m.ContactID = c.ID
	}
	if !s.preStored(d) {
		if err := s.storeRaw(txn, m.ID, d.in.Raw); err != nil {
			return err
		}
	}
	for i, a := range d.atts {
		ref, err := s.storeAttachment(txn, d, a, d.texts[i])
		if err != nil {
			return err
		}
		m.Attachments = append(m.Attachments, ref)
	}
	if err := s.rememberIDs(txn, desk, d, m); err != nil {
		return err
	}
	if err := putJSON(txn, key(pMsg, m.ID), m); err != nil {
		return err
	}
	if err := txn.Set(key(pTMsg, t.ID, m.ID), nil); err != nil {
		return err
	}
	oldStatus := t.Status
	if (p.verified || newTicket) && !slices.Contains(m.Flags, FlagUnverifiedSender) && !p.forward {
		addParticipants(t, desk, append(append([]Address{m.From}, m.To...), m.Cc...))
	}
	if p.reopen {
		t.Status = StatusOpen
	}
	t.Messages++
	if m.Received.After(t.LastActivity) {
		t.LastActivity = m.Received
	}
	if m.Received.After(t.Updated) {
		t.Updated = m.Received
	}
	t.Version++
	if err := putTicket(txn, t); err != nil {
		return err
	}
	w.touch("intake", t.ID)
	w.msgs = append(w.msgs, m.ID)
	if oldStatus != t.Status {
		if err := w.audit(t.ID, "intake", "status", oldStatus, t.Status); err != nil {
			return err
		}
	}
	for _, r := range p.related {
		if err := s.linkRelated(txn, w, t.ID, r, "headers"); err != nil {
			return err
		}
	}
	return w.audit(t.ID, "intake", "message", "", m.ID+" "+m.Reason.Rule)
}

// addParticipants adds the customer-side addresses of a message, leaving
// out the desk's own addresses and its never-CC list.
func addParticipants(t *Ticket, desk *Desk, as []Address) {
	for _, a := range as {
		if a.Addr == "" || slices.Contains(desk.Addresses, a.Addr) || slices.Contains(desk.NeverCC, a.Addr) {
			continue
		}
		if !slices.Contains(t.Participants, a.Addr) && len(t.Participants) < 500 {
			t.Participants = append(t.Participants, a.Addr)
		}
	}
}

// rememberIDs maps the message's own Message-ID and every id it names to
// the ticket, so later replies (and earlier-arriving replies' parents) meet.
// The first mapping of an id wins.
func (s *Store) rememberIDs(txn *badger.Txn, desk *Desk, d *draft, m *Message) error {
	if m.MessageID != "" {
		if err := txn.Set(key(pMStored, desk.ID, shortHash(m.MessageID), m.ID), []byte(m.BodyHash)); err != nil {
			return err
		}
	} else if err := txn.Set(key(pCHash, desk.ID, d.chash), []byte(m.ID)); err != nil {
		return err
	}
	ids := append(append([]string{m.MessageID}, m.InReplyTo...), m.References...)
	if f := d.pm.Forward; f != nil && m.ForwardedBy != "" && f.MessageID != "" {
		ids = append(ids, f.MessageID)
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		k := key(pMID, desk.ID, shortHash(id))
		if _, err := getRaw(txn, k); errors.Is(err, ErrNotFound) {
			if err := txn.Set(k, []byte(m.TicketID)); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// rawChunks cuts raw (capped at MaxRawBytes) into the pieces stored under
// raw/<messageID>/<n>; an empty message is one empty piece.
func (s *Store) rawChunks(raw []byte) [][]byte {
	raw = raw[:min(len(raw), s.opts.MaxRawBytes)]
	out := [][]byte{raw[:min(len(raw), rawChunk)]}
	for i := rawChunk; i < len(raw); i += rawChunk {
		out = append(out, raw[i:min(i+rawChunk, len(raw))])
	}
	return out
}

func rawKey(msgID string, n int) []byte { return key(pRaw, msgID, fmt.Sprintf("%04d", n)) }

// storeRaw keeps the message bytes verbatim, in chunks.
func (s *Store) storeRaw(txn *badger.Txn, msgID string, raw []byte) error {
	for i, c := range s.rawChunks(raw) {
		if err := txn.Set(rawKey(msgID, i), c); err != nil {
			return err
		}
	}
	return nil
}

// storeAttachment stores the bytes once per content hash.
// Its extracted text, if any, is stored once per hash as well.
func (s *Store) storeAttachment(txn *badger.Txn, d *draft, a mime.Attachment, tx attText) (AttachmentRef, error) {
	h := contentHash(a.Data)
	ref := AttachmentRef{ID: randomID(), Hash: h, Name: a.Name, ContentType: a.ContentType,
		ContentID: a.ContentID, Inline: a.Inline, Size: int64(len(a.Data)), Truncated: a.Truncated,
		TextKind: tx.kind, TextError: tx.err}
	if tx.text != "" {
		if err := putIfMissing(txn, key(pAText, h), []byte(tx.kind+"\n"+tx.text)); err != nil {
			return ref, err
		}
	}
	if s.preStored(d) {
		return ref, nil
	}
	return ref, putBlob(txn, h, a.Data)
}

// bigMessage is the size above which raw bytes and attachments are written
// in transactions of their own before the intake transaction, which Badger
// would otherwise refuse as too big. Orphans left by a crash in between are
// content-addressed (attachments) or unreferenced (raw chunks of an id
// that was never committed).
const bigMessage = 6 << 20

func (s *Store) preStored(d *draft) bool { return d.size > bigMessage }

// preStore writes the bytes of a big message piece by piece.
func (s *Store) preStore(d *draft) error {
	for i, c := range s.rawChunks(d.in.Raw) {
		err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(rawKey(d.id, i), c) })
		if err != nil {
			return fmt.Errorf("engine: store raw: %w", err)
		}
	}
	for _, a := range d.atts {
		err := s.db.Update(func(txn *badger.Txn) error { return putBlob(txn, contentHash(a.Data), a.Data) })
		if err != nil {
			return fmt.Errorf("engine: store attachment: %w", err)
		}
	}
	return nil
}

// putBlob stores data under its hash unless it is there already.
func putBlob(txn *badger.Txn, h string, data []byte) error {
	return putIfMissing(txn, key(pBlob, h), data)
}

// putIfMissing sets k unless it exists.
func putIfMissing(txn *badger.Txn, k, data []byte) error {
	if _, err := txn.Get(k); err == nil {
		return nil
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	return txn.Set(k, data)
}
