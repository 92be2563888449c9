package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/compose"
	"searchdesk/engine/mime"
	"searchdesk/engine/quote"
)

// Outgoing mail (invariant 4, docs/architecture.md). Every mail is rendered and written
// to the outbox in the transaction of the change that causes it; a worker
// (engine/mail) sends it and records the result here.

// agentTokenLife is how long an agent may answer a notification by mail.
const agentTokenLife = 30 * 24 * time.Hour

// outMail is one mail to queue.
type outMail struct {
	kind      compose.Kind
	to, cc    []Address
	vars      compose.Vars
	answers   *Message  // the message this mail answers, for In-Reply-To and References
	auto      string    // Auto-Submitted value; "" for a person's reply
	tokenFor  string    // the recipient the reply token is bound to
	expires   time.Time // token expiry (agents' tokens)
	messageID string    // preset Message-ID (an agent's reply message)
	carries   string    // our id of the message the mail carries
}

// deskTemplate returns the desk's template of kind, or the default in the
// desk's language.
func deskTemplate(desk *Desk, kind compose.Kind) compose.Template {
	if t, ok := desk.Templates[string(kind)]; ok && (t.Subject != "" || t.Body != "") {
		return compose.Template{Subject: t.Subject, Body: t.Body}
	}
	return compose.Defaults(desk.Language)[kind]
}

// deskAddress is the address the desk sends from: its first address.
func deskAddress(desk *Desk) string {
	if len(desk.Addresses) > 0 {
		return desk.Addresses[0]
	}
	return "support@" + deskHost(desk)
}

// ticketVars fills the variables every template may use.
func (s *Store) ticketVars(txn *badger.Txn, desk *Desk, t *Ticket) compose.Vars {
	v := compose.Vars{
		TicketTitle:  t.Subject,
		TicketNumber: t.Number,
		DeskName:     desk.Name,
		Status:       t.Status,
	}
	if base := strings.TrimRight(s.opts.BaseURL, "/"); base != "" {
		v.TicketURL = base + "/tickets/" + t.ID
	}
	var c Contact
	if t.ContactID != "" && getJSON(txn, key(pContact, t.ContactID), &c) == nil {
		v.CustomerName = c.Name
		if v.CustomerName == "" && len(c.Addresses) > 0 {
			v.CustomerName = c.Addresses[0]
		}
	}
	return v
}

// queueMail renders and builds one mail and writes it to the outbox.
func (s *Store) queueMail(txn *badger.Txn, w *writeCtx, desk *Desk, t *Ticket, o outMail) (OutboxMail, error) {
	to := cleanRecipients(txn, desk, o.to, nil)
	if len(to) == 0 {
		return OutboxMail{}, nil
	}
	cc := cleanRecipients(txn, desk, o.cc, to)
	subj, text, html, err := compose.Render(deskTemplate(desk, o.kind), o.vars)
	if err != nil {
		return OutboxMail{}, fmt.Errorf("engine: desk %s template %s: %w", desk.Code, o.kind, err)
	}
	if tag := "[" + t.Number + "]"; !strings.Contains(subj, tag) {
		subj = strings.TrimSpace(subj + " " + tag)
	}
	id := s.newID()
	mid := o.messageID
	if mid == "" {
		tokenFor := o.tokenFor
		if tokenFor == "" {
			tokenFor = to[0].Addr
		}
		mid = NewReplyMessageID(desk.Secret, t.ID, id, tokenFor, o.expires, deskHost(desk))
	}
	from := deskAddress(desk)
	cm := compose.Mail{
		From:      compose.Address{Name: desk.Name, Addr: from},
		ReplyTo:   from,
		Subject:   subj,
		MessageID: mid,
		Date:      w.now,
		Text:      text,
		HTML:      html,
		Auto:      o.auto,
		XLoop:     from,
	}
	for _, a := range to {
		cm.To = append(cm.To, compose.Address{Name: a.Name, Addr: a.Addr})
	}
	for _, a := range cc {
		cm.Cc = append(cm.Cc, compose.Address{Name: a.Name, Addr: a.Addr})
	}
	if o.answers != nil && o.answers.MessageID != "" {
		cm.InReplyTo = o.answers.MessageID
		cm.References = threadRefs(o.answers)
	}
	raw, err := compose.Build(cm)
	if err != nil {
		return OutboxMail{}, fmt.Errorf("engine: ticket %s: %s mail: %w", t.Number, o.kind, err)
	}
	ob := OutboxMail{ID: id, TicketID: t.ID, DeskID: desk.ID, Kind: string(o.kind), Message: o.carries,
		MessageID: mid, From: from, To: to, Cc: cc, Subject: subj, Automatic: o.auto != "", Raw: raw,
		Status: OutboxQueued, NextAttempt: w.now, Created: w.now}
	if err := putJSON(txn, key(pOutbox, id), ob); err != nil {
		return ob, err
	}
	for _, k := range [][]byte{key(pOutboxQ, id), key(pTOut, t.ID, id)} {
		if err := txn.Set(k, nil); err != nil {
			return ob, err
		}
	}
	// Replies to this mail thread onto the ticket, and a bounce finds it.
	if err := txn.Set(key(pMID, desk.ID, shortHash(mid)), []byte(t.ID)); err != nil {
		return ob, err
	}
	if err := txn.Set(key(pOMID, desk.ID, shortHash(mid)), []byte(id)); err != nil {
		return ob, err
	}
	for _, a := range append(slices.Clone(to), cc...) { // a report naming only the recipient finds it
		if err := txn.Set(key(pORcpt, desk.ID, a.Addr), []byte(id)); err != nil {
			return ob, err
		}
	}
	w.touch("outbox", t.ID)
	return ob, w.audit(t.ID, "outbox", "mail", "", string(o.kind)+" "+id)
}

// threadRefs continues a thread: the answered message's References (the
// first and the last 18) and its own Message-ID.
func threadRefs(m *Message) []string {
	refs := slices.Clone(m.References)
	if len(refs) == 0 && len(m.InReplyTo) > 0 {
		refs = slices.Clone(m.InReplyTo[:1])
	}
	if len(refs) > 19 {
		refs = append(refs[:1], refs[len(refs)-18:]...)
	}
	return append(refs, m.MessageID)
}

// cleanRecipients drops the desk's own addresses, its never-CC list, the
// desk's staff, duplicates and addresses in skip.
func cleanRecipients(txn *badger.Txn, desk *Desk, in, skip []Address) []Address {
	var out []Address
	seen := map[string]bool{}
	for _, a := range skip {
		seen[normAddr(a.Addr)] = true
	}
	for _, a := range in {
		addr := normAddr(a.Addr)
		// An address outgoing mail cannot carry is left out: the
		// message it came with is stored all the same.
		if addr == "" || !compose.ValidAddress(addr) || seen[addr] || slices.Contains(desk.Addresses, addr) ||
			slices.Contains(desk.NeverCC, addr) {
			continue
		}
		seen[addr] = true
		out = append(out, Address{Name: a.Name, Addr: addr})
	}
	return out
}

// robotAddress: mail from these never gets automatic mail.
func robotAddress(addr string) bool {
	local, _, _ := strings.Cut(normAddr(addr), "@")
	local = strings.NewReplacer("-", "", "_", "", ".", "").Replace(local)
	for _, p := range []string{"noreply", "donotreply", "mailerdaemon", "postmaster", "bounce", "bounces"} {
		if local == p || strings.HasPrefix(local, p+"+") {
			return true
		}
	}
	if strings.HasPrefix(local, "noreply") || strings.HasPrefix(local, "donotreply") {
		return true
	}
	// List and robot addresses (RFC 2142, list managers' conventions).
	raw, _, _ := strings.Cut(normAddr(addr), "@")
	if strings.HasPrefix(raw, "owner-") {
		return true
	}
	for _, suf := range []string{"-owner", "-request", "-bounces", "-bounce"} {
		if strings.HasSuffix(raw, suf) {
			return true
		}
	}
	return false
}

// ownAddress reports whether addr is any desk's address.
func (s *Store) ownAddress(txn *badger.Txn, addr string) (bool, error) {
	found := false
	err := eachJSON(txn, []byte(pDesk), func() any { return new(Desk) }, func(v any) error {
		if slices.Contains(v.(*Desk).Addresses, addr) {
			found = true
		}
		return nil
	})
	return found, err
}

// autoMailsSince counts automatic mails queued to addr since t.
func autoMailsSince(txn *badger.Txn, addr string, t time.Time) (int, error) {
	var times []time.Time
	v, err := getRaw(txn, key(pARate, addr))
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(v, &times); err != nil {
		return 0, nil
	}
	n := 0
	for _, x := range times {
		if x.After(t) {
			n++
		}
	}
	return n, nil
}

// countAutoMail records an automatic mail to addr for the rate limit.
func countAutoMail(txn *badger.Txn, addr string, now time.Time) error {
	var times []time.Time
	if v, err := getRaw(txn, key(pARate, addr)); err == nil {
		_ = json.Unmarshal(v, &times)
	}
	keep := times[:0]
	for _, x := range times {
		if now.Sub(x) < time.Hour {
			keep = append(keep, x)
		}
	}
	return putJSON(txn, key(pARate, addr), append(keep, now))
}

// bounceWindow: a report that names no Message-ID is matched to the last
// mail sent to its recipient within this window.
const bounceWindow = 7 * 24 * time.Hour

// bouncedMail finds the outgoing mail a delivery report is about: by the
// Message-ID it quotes, else by its recipient (the last mail to that
// address, if recent). matched says what was used.
func (s *Store) bouncedMail(txn *badger.Txn, desk *Desk, rep *mime.Report) (*OutboxMail, string, error) {
	load := func(k []byte) (*OutboxMail, error) {
		id, err := getRaw(txn, k)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var ob OutboxMail
		if err := getJSON(txn, key(pOutbox, string(id)), &ob); err != nil {
			return nil, err
		}
		return &ob, nil
	}
	if rep.OriginalMessageID != "" {
		ob, err := load(key(pOMID, desk.ID, shortHash(rep.OriginalMessageID)))
		return ob, rep.OriginalMessageID, err
	}
	for _, r := range rep.Recipients {
		ob, err := load(key(pORcpt, desk.ID, normAddr(r)))
		if err != nil || ob != nil && s.opts.Now().Sub(ob.Created) < bounceWindow {
			return ob, r, err
		}
	}
	return nil, "", nil
}

// lastCustomerMessage is the newest verified message from the customer side.
func lastCustomerMessage(txn *badger.Txn, ticketID string) (Message, bool) {
	keys := keysWithPrefix(txn, append(key(pTMsg, ticketID), '/'))
	for i := len(keys) - 1; i >= 0 && i >= len(keys)-200; i-- {
		k := keys[i]
		var m Message
		if getJSON(txn, key(pMsg, string(k[strings.LastIndexByte(string(k), '/')+1:])), &m) != nil {
			continue
		}
		if (m.Kind == KindEmailIn || m.Kind == KindForm || m.Kind == KindPortal) && !m.Automatic &&
			!m.HasFlag(FlagUnverifiedSender) {
			return m, true
		}
	}
	return Message{}, false
}

// customerRecipients: the ticket's contact on To, its other participants
// on Cc (never the desk's addresses, its never-CC list or its staff).
func (s *Store) customerRecipients(txn *badger.Txn, desk *Desk, t *Ticket) (to, cc []Address) {
	var c Contact
	if t.ContactID != "" && getJSON(txn, key(pContact, t.ContactID), &c) == nil && len(c.Addresses) > 0 {
		to = []Address{{Name: c.Name, Addr: c.Addresses[0]}}
	}
	for _, p := range t.Participants {
		var u User
		if userByEmailTxn(txn, p, &u) == nil {
			continue
		}
		cc = append(cc, Address{Addr: p})
	}
	if len(to) == 0 && len(cc) > 0 {
		to, cc = cc[:1], cc[1:]
	}
	return to, cc
}

// queueReply queues an agent's reply m to the customer side.
func (s *Store) queueReply(txn *badger.Txn, w *writeCtx, desk *Desk, t *Ticket, author User, m *Message) error {
	to, cc := s.customerRecipients(txn, desk, t)
	if len(to) == 0 {
		return nil
	}
	v := s.ticketVars(txn, desk, t)
	v.CommentContent = m.Text
	v.AgentName = author.Name
	o := outMail{kind: compose.AgentReply, to: to, cc: cc, vars: v, messageID: m.MessageID, carries: m.ID}
	if last, ok := lastCustomerMessage(txn, t.ID); ok {
		v.Quote = compose.QuoteLast(last.Text, 20)
		o.vars = v
		o.answers = &last
	}
	_, err := s.queueMail(txn, w, desk, t, o)
	return err
}

// queueResolved tells the customer their ticket was resolved.
func (s *Store) queueResolved(txn *badger.Txn, w *writeCtx, t *Ticket) error {
	var desk Desk
	if err := getJSON(txn, key(pDesk, t.DeskID), &desk); err != nil || desk.NoResolvedMail {
		return err
	}
	to, cc := s.customerRecipients(txn, &desk, t)
	if len(to) == 0 {
		return nil
	}
	v := s.ticketVars(txn, &desk, t)
	o := outMail{kind: compose.Resolved, to: to, cc: cc, vars: v, auto: "auto-generated"}
	if last, ok := lastCustomerMessage(txn, t.ID); ok {
		o.answers = &last
	}
	_, err := s.queueMail(txn, w, &desk, t, o)
	return err
}

// SendSummary queues a summary of a ticket's correspondence to its customer.
func (s *Store) SendSummary(ctx context.Context, actor User, ticketID string) (OutboxMail, error) {
	var ob OutboxMail
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		t, err := s.liveTicket(txn, ticketID)
		if err != nil {
			return fmt.Errorf("engine: ticket %s: %w", ticketID, err)
		}
		if !actor.MemberOf(t.DeskID) {
			return Errorf(CodeNotFound, "err_not_on_desk", "engine: %s is not on the ticket's desk", actor.Email)
		}
		var desk Desk
		if err := getJSON(txn, key(pDesk, t.DeskID), &desk); err != nil {
			return err
		}
		to, cc := s.customerRecipients(txn, &desk, &t)
		if len(to) == 0 {
			return Errorf(CodeInvalid, "err_no_customer_address", "engine: ticket %s has no customer address", t.Number)
		}
		v := s.ticketVars(txn, &desk, &t)
		v.AgentName = actor.Name
		v.Summary = s.summaryText(txn, &t)
		o := outMail{kind: compose.Summary, to: to, cc: cc, vars: v}
		if last, ok := lastCustomerMessage(txn, t.ID); ok {
			o.answers = &last
		}
		ob, err = s.queueMail(txn, w, &desk, &t, o)
		return err
	})
	if err != nil {
		return OutboxMail{}, err
	}
	return ob, s.Sync()
}

// summaryText lists the public messages of a ticket: date, author and the
// new text of each (quoted history left out), capped.
func (s *Store) summaryText(txn *badger.Txn, t *Ticket) string {
	var b strings.Builder
	keys := keysWithPrefix(txn, append(key(pTMsg, t.ID), '/'))
	for i, k := range keys {
		if i >= 200 || b.Len() > 200<<10 {
			b.WriteString("…\n")
			break
		}
		var m Message
		if getJSON(txn, key(pMsg, string(k[strings.LastIndexByte(string(k), '/')+1:])), &m) != nil {
			continue
		}
		if m.Internal || m.Kind == KindNote || m.Kind == KindSystem || m.HasFlag(FlagUnverifiedSender) {
			continue
		}
		who := m.From.Name
		if who == "" {
			who = m.From.Addr
		}
		text := strings.TrimSpace(quote.Split(m.Text).New)
		if len(text) > 4000 {
			text = text[:4000] + "…"
		}
		fmt.Fprintf(&b, "%s, %s:\n%s\n\n", m.Received.Format("2006-01-02 15:04"), who, text)
	}
	return strings.TrimSpace(b.String())
}

// DueOutbox returns queued mail whose next attempt is due, oldest first.
func (s *Store) DueOutbox(now time.Time, limit int) ([]OutboxMail, error) {
	var out []OutboxMail
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keysWithPrefix(txn, []byte(pOutboxQ)) {
			var ob OutboxMail
			if err := getJSON(txn, key(pOutbox, string(k[len(pOutboxQ):])), &ob); err != nil {
				continue
			}
			if ob.Status == OutboxQueued && !ob.NextAttempt.After(now) {
				out = append(out, ob)
				if len(out) >= limit {
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// OutboxResult records one attempt to send mail id: err nil means sent;
// permanent means the server refused it for good. A temporary failure is
// retried at retryAt. A permanent failure is shown on the ticket.
func (s *Store) OutboxResult(ctx context.Context, id string, sendErr error, permanent bool, retryAt time.Time) error {
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var ob OutboxMail
		if err := getJSON(txn, key(pOutbox, id), &ob); err != nil {
			return err
		}
		if ob.Status != OutboxQueued {
			return nil
		}
		ob.Attempts++
		switch {
		case sendErr == nil:
			ob.Status, ob.Sent, ob.LastError = OutboxSent, w.now, ""
		case permanent:
			ob.Status, ob.LastError = OutboxFailed, sendErr.Error()
		default:
			ob.LastError, ob.NextAttempt = sendErr.Error(), retryAt
		}
		if err := putJSON(txn, key(pOutbox, id), ob); err != nil {
			return err
		}
		if ob.Status == OutboxQueued {
			return nil
		}
		if err := txn.Delete(key(pOutboxQ, id)); err != nil {
			return err
		}
		if ob.Status == OutboxFailed {
			return w.audit(ob.TicketID, "outbox", "delivery "+ob.ID, OutboxQueued, OutboxFailed+": "+ob.LastError)
		}
		w.touch("outbox", ob.TicketID)
		return nil
	})
	if err != nil {
		return err
	}
	return s.Sync()
}

// Outbox returns one outgoing mail.
func (s *Store) Outbox(id string) (OutboxMail, error) {
	var ob OutboxMail
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pOutbox, id), &ob) })
	return ob, err
}

// TicketOutbox returns a ticket's outgoing mail, oldest first, with its
// delivery state.
func (s *Store) TicketOutbox(ticketID string) ([]OutboxMail, error) {
	var out []OutboxMail
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := append(key(pTOut, ticketID), '/')
		for _, k := range keysWithPrefix(txn, prefix) {
			var ob OutboxMail
			if err := getJSON(txn, key(pOutbox, string(k[len(prefix):])), &ob); err != nil {
				return err
			}
			out = append(out, ob)
		}
		return nil
	})
	return out, err
}

// OutboxDepth counts the mail still waiting to be sent.
func (s *Store) OutboxDepth() (int, error) {
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		n = len(keysWithPrefix(txn, []byte(pOutboxQ)))
		return nil
	})
	return n, err
}

// DeskTemplate is the template a desk sends for a kind of mail: its own,
// else the default in its language.
func DeskTemplate(desk *Desk, kind string) MailTemplate {
	t := deskTemplate(desk, compose.Kind(kind))
	return MailTemplate{Subject: t.Subject, Body: t.Body}
}

// TemplateKinds lists the kinds of mail a desk has templates for.
func TemplateKinds() []string {
	return []string{string(compose.Ack), string(compose.AckAfterHours), string(compose.AgentReply),
		string(compose.Resolved), string(compose.Summary), string(compose.AgentNotify)}
}
