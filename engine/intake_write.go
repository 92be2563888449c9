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

// intakeTx is one inbound message inside its write transaction: the draft,
// the desk it came to, what the threading rules decided (p), and the
// ticket and message it becomes (t, m). run reads top to bottom: thread,
// store, notify.
type intakeTx struct {
	s         *Store
	txn       *badger.Txn
	w         *writeCtx
	d         *draft
	desk      *Desk
	p         *plan
	t         *Ticket
	m         *Message
	newTicket bool
}

// intakeTxn threads and stores one draft inside the intake transaction.
func (s *Store) intakeTxn(txn *badger.Txn, w *writeCtx, d *draft) (IntakeResult, error) {
	in := &intakeTx{s: s, txn: txn, w: w, d: d, desk: &Desk{}, p: &plan{}}
	if err := deskByCodeTxn(txn, deskCodeOr(d.in.Desk), in.desk); err != nil {
		return IntakeResult{}, err
	}
	return in.run()
}

// run takes the message in: a delivery of a stored message is noted;
// anything else is threaded, stored on its ticket, and answered.
func (in *intakeTx) run() (IntakeResult, error) {
	if ref := in.d.in.IMAP; ref != nil {
		if id, err := getRaw(in.txn, imapKey(ref)); err == nil {
			return in.noteDelivery(string(id))
		} else if !errors.Is(err, ErrNotFound) {
			return IntakeResult{}, err
		}
	}
	if err := in.thread(); err != nil {
		return IntakeResult{}, err
	}
	if in.p.dupOf != "" {
		if err := in.rememberIMAP(in.p.dupOf); err != nil {
			return IntakeResult{}, err
		}
		return in.noteDelivery(in.p.dupOf)
	}
	if err := in.ticket(); err != nil {
		return IntakeResult{}, err
	}
	if err := in.store(); err != nil {
		return IntakeResult{}, err
	}
	if c := in.d.in.Change; c != nil {
		if err := in.s.applyChange(in.txn, in.w, in.t, in.d.in.Actor, *c); err != nil {
			return IntakeResult{}, err
		}
	}
	if err := in.rememberIMAP(in.m.ID); err != nil {
		return IntakeResult{}, err
	}
	if p := in.p; p.agent != nil {
		if err := in.s.queueReply(in.txn, in.w, in.desk, in.t, *p.agent, in.m); err != nil {
			return IntakeResult{}, err
		}
	} else if err := in.notify(); err != nil {
		return IntakeResult{}, err
	}
	m, t := in.m, in.t
	return IntakeResult{Outcome: OutcomeStored, MessageID: m.ID, TicketID: t.ID, TicketNumber: t.Number,
		NewTicket: in.newTicket, Reason: m.Reason, Flags: m.Flags}, nil
}

// rememberIMAP records that the mailbox message this is has been stored as
// msgID, so a crash before it is flagged stores nothing twice.
func (in *intakeTx) rememberIMAP(msgID string) error {
	if ref := in.d.in.IMAP; ref != nil {
		return in.txn.Set(imapKey(ref), []byte(msgID))
	}
	return nil
}

// ticket builds the message from the draft and the plan, and finds or
// opens the ticket it goes on.
func (in *intakeTx) ticket() error {
	p := in.p
	m := in.d.msg // a copy: a conflict retry starts from the draft again
	m.ID = in.d.id
	m.DeskID = in.desk.ID
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
	var err error
	in.newTicket = p.ticketID == ""
	if in.newTicket {
		t, err = in.openTicket()
	} else {
		t, err = in.s.liveTicket(in.txn, p.ticketID)
	}
	if err != nil {
		return err
	}
	m.TicketID = t.ID
	in.t, in.m = &t, &m
	return nil
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
func (in *intakeTx) noteDelivery(msgID string) (IntakeResult, error) {
	var m Message
	if err := getJSON(in.txn, key(pMsg, msgID), &m); err != nil {
		return IntakeResult{}, err
	}
	var t Ticket
	if err := getJSON(in.txn, key(pTicket, m.TicketID), &t); err != nil {
		return IntakeResult{}, err
	}
	res := IntakeResult{Outcome: OutcomeDuplicate, MessageID: m.ID, TicketID: t.ID, TicketNumber: t.Number,
		Reason: Reason{RuleDuplicate, m.MessageID}, Flags: m.Flags}
	src := in.d.in.Source
	if src == "" || src == m.Source || slices.ContainsFunc(m.Deliveries, func(x Delivery) bool { return x.Source == src }) {
		return res, nil
	}
	if len(m.Deliveries) < 100 {
		m.Deliveries = append(m.Deliveries, Delivery{At: in.w.now, Source: src})
		in.w.touch("delivery", "")
		in.w.msgs = append(in.w.msgs, m.ID)
		return res, putJSON(in.txn, key(pMsg, m.ID), m)
	}
	return res, nil
}

// openTicket allocates a number and creates the ticket for a new thread.
func (in *intakeTx) openTicket() (Ticket, error) {
	num, err := in.s.allocNumber(in.txn, in.desk, in.w.now)
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: in.s.newID(), Number: num, DeskID: in.desk.ID, Subject: in.d.msg.Subject,
		Status: StatusOpen, Priority: in.desk.DefaultPriority, CategoryID: in.desk.DefaultCategory,
		TypeID: in.desk.DefaultType, Source: in.d.in.Channel, Created: in.d.msg.Received, Updated: in.d.msg.Received,
		SLAState: "none"}
	if t.Source == "" {
		t.Source = "email"
	}
	owner, ownerName := in.d.sender, in.d.msg.From.Name
	if in.p.forward {
		owner, ownerName = normAddr(in.d.pm.Forward.From.Addr), in.d.pm.Forward.From.Name
		t.Participants = []string{owner}
		if in.d.pm.Forward.Subject != "" {
			t.Subject = in.d.pm.Forward.Subject
		}
	}
	if owner != "" && !in.d.multiple {
		c, err := in.s.ensureContact(in.txn, in.w, owner, ownerName)
		if err != nil {
			return t, err
		}
		t.ContactID, t.AccountID = c.ID, c.AccountID
	}
	if in.p.followUpOf != "" {
		t.Links.FollowUpOf = in.p.followUpOf
	}
	if in.p.linkedTo != "" {
		t.Links.Related = append(t.Links.Related, in.p.linkedTo)
	}
	if err := in.txn.Set(key(pTNum, in.desk.ID, num), []byte(t.ID)); err != nil {
		return t, err
	}
	norm := in.d.norm
	if in.p.forward && in.d.pm.Forward.Subject != "" {
		norm = subjectNorm(in.d.pm.Forward.Subject)
	}
	if norm != "" {
		if err := in.txn.Set(key(pSubj, in.desk.ID, shortHash(norm), t.ID), nil); err != nil {
			return t, err
		}
	}
	for _, other := range []string{in.p.followUpOf, in.p.linkedTo} {
		if other != "" {
			if err := in.s.linkRelated(in.txn, in.w, other, t.ID, "linked"); err != nil {
				return t, err
			}
		}
	}
	return t, in.w.audit(t.ID, "intake", "ticket", "", num)
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
	return "", Errorf(CodeConflict, "err_no_free_number", "engine: desk %s: no free ticket number", desk.Code)
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

// store writes the message and everything it changes on its ticket: the
// raw bytes, attachments, the Message-IDs it names, participants, status.
func (in *intakeTx) store() error {
	if in.d.sender != "" && !in.d.multiple && !in.d.pm.Auto.NullSender {
		c, err := in.s.ensureContact(in.txn, in.w, in.d.sender, in.m.From.Name)
		if err != nil {
			return err
		}
		in.m.ContactID = c.ID
	}
	if !in.s.preStored(in.d) {
		if err := in.s.storeRaw(in.txn, in.m.ID, in.d.in.Raw); err != nil {
			return err
		}
	}
	for i, a := range in.d.atts {
		ref, err := in.storeAttachment(a, in.d.texts[i])
		if err != nil {
			return err
		}
		in.m.Attachments = append(in.m.Attachments, ref)
	}
	if err := in.rememberIDs(); err != nil {
		return err
	}
	if err := putJSON(in.txn, key(pMsg, in.m.ID), in.m); err != nil {
		return err
	}
	if err := in.txn.Set(key(pTMsg, in.t.ID, in.m.ID), nil); err != nil {
		return err
	}
	oldStatus := in.t.Status
	if (in.p.verified || in.newTicket) && !slices.Contains(in.m.Flags, FlagUnverifiedSender) && !in.p.forward {
		addParticipants(in.t, in.desk, append(append([]Address{in.m.From}, in.m.To...), in.m.Cc...))
	}
	if in.p.reopen {
		in.t.Status = StatusOpen
	}
	in.t.Messages++
	if in.m.Received.After(in.t.LastActivity) {
		in.t.LastActivity = in.m.Received
	}
	if in.m.Received.After(in.t.Updated) {
		in.t.Updated = in.m.Received
	}
	in.t.Version++
	if err := putTicket(in.txn, in.t); err != nil {
		return err
	}
	in.w.touch("intake", in.t.ID)
	in.w.msgs = append(in.w.msgs, in.m.ID)
	if oldStatus != in.t.Status {
		if err := in.w.audit(in.t.ID, "intake", "status", oldStatus, in.t.Status); err != nil {
			return err
		}
	}
	for _, r := range in.p.related {
		if err := in.s.linkRelated(in.txn, in.w, in.t.ID, r, "headers"); err != nil {
			return err
		}
	}
	return in.w.audit(in.t.ID, "intake", "message", "", in.m.ID+" "+in.m.Reason.Rule)
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
func (in *intakeTx) rememberIDs() error {
	if in.m.MessageID != "" {
		if err := in.txn.Set(key(pMStored, in.desk.ID, shortHash(in.m.MessageID), in.m.ID), []byte(in.m.BodyHash)); err != nil {
			return err
		}
	} else if err := in.txn.Set(key(pCHash, in.desk.ID, in.d.chash), []byte(in.m.ID)); err != nil {
		return err
	}
	ids := append(append([]string{in.m.MessageID}, in.m.InReplyTo...), in.m.References...)
	if f := in.d.pm.Forward; f != nil && in.m.ForwardedBy != "" && f.MessageID != "" {
		ids = append(ids, f.MessageID)
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		k := key(pMID, in.desk.ID, shortHash(id))
		if _, err := getRaw(in.txn, k); errors.Is(err, ErrNotFound) {
			if err := in.txn.Set(k, []byte(in.m.TicketID)); err != nil {
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
func (in *intakeTx) storeAttachment(a mime.Attachment, tx attText) (AttachmentRef, error) {
	h := contentHash(a.Data)
	ref := AttachmentRef{ID: randomID(), Hash: h, Name: a.Name, ContentType: a.ContentType,
		ContentID: a.ContentID, Inline: a.Inline, Size: int64(len(a.Data)), Truncated: a.Truncated,
		TextKind: tx.kind, TextError: tx.err}
	if tx.text != "" {
		if err := putIfMissing(in.txn, key(pAText, h), []byte(tx.kind+"\n"+tx.text)); err != nil {
			return ref, err
		}
	}
	if in.s.preStored(in.d) {
		return ref, nil
	}
	return ref, putBlob(in.txn, h, a.Data)
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
