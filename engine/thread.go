package engine

import (
	"errors"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/number"
	"searchdesk/engine/subject"
)

// plan is what the threading rules decided for one message.
type plan struct {
	dupOf      string // our id of the stored message this one duplicates
	ticketID   string // existing ticket to attach to; "" opens a new one
	reason     Reason
	flags      []string
	related    []string // other tickets the headers named (linked, never merged)
	followUpOf string   // the closed ticket a new ticket follows up
	linkedTo   string   // the ticket an unverified sender named (new-linked policy)
	forward    bool     // a desk member forwarded mail: the ticket belongs to the original sender
	forwarder  string
	verified   bool // the sender may act as a participant of the ticket
	reopen     bool
	agent      *User // an agent answering by mail through a token addressed to them
}

// maxRedirects bounds merged-into chains (DOS-06).
const maxRedirects = 16

// ticketForMID returns the ticket a Message-ID is known on, following merges.
func (s *Store) ticketForMID(txn *badger.Txn, deskID, mid string) (Ticket, bool, error) {
	v, err := getRaw(txn, key(pMID, deskID, shortHash(mid)))
	if errors.Is(err, ErrNotFound) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, err
	}
	t, err := s.liveTicket(txn, string(v))
	return t, err == nil, err
}

// liveTicket loads ticket id, following merged-into links.
func (s *Store) liveTicket(txn *badger.Txn, id string) (Ticket, error) {
	var t Ticket
	for i := 0; i < maxRedirects; i++ {
		if err := getJSON(txn, key(pTicket, id), &t); err != nil {
			return t, err
		}
		if t.Links.MergedInto == "" {
			return t, nil
		}
		id = t.Links.MergedInto
	}
	return t, nil
}

// decide applies DESIGN.md's threading rules in order; the first match wins.
func (s *Store) decide(txn *badger.Txn, desk *Desk, d *draft) (plan, error) {
	var p plan
	m := &d.msg
	if done, err := s.ruleDuplicate(txn, desk, d, &p); done || err != nil {
		return p, err
	}
	if rep := d.pm.Report; rep != nil {
		ob, matched, err := s.bouncedMail(txn, desk, rep)
		if err != nil {
			return p, err
		}
		if ob != nil {
			p.ticketID, p.reason, p.verified = ob.TicketID, Reason{RuleBounce, matched}, false
			return p, nil
		}
		if rep.OriginalMessageID != "" {
			t, ok, err := s.ticketForMID(txn, desk.ID, rep.OriginalMessageID)
			if err != nil {
				return p, err
			}
			if ok {
				p.ticketID, p.reason, p.verified = t.ID, Reason{RuleBounce, rep.OriginalMessageID}, false
				return p, nil
			}
		}
	}
	if done, err := s.ruleForward(txn, desk, d, &p); done || err != nil {
		return p, err
	}
	if done, err := s.agentByToken(txn, desk, d, &p); done || err != nil {
		return p, err
	}
	if done, err := s.ruleHeaders(txn, desk, d, &p); done || err != nil {
		return p, s.identity(txn, desk, d, &p, err)
	}
	if done, err := s.ruleToken(txn, desk, d, &p); done || err != nil {
		return p, s.identity(txn, desk, d, &p, err)
	}
	if done, err := s.ruleSubjectNumber(txn, desk, d, &p); done || err != nil {
		return p, s.identity(txn, desk, d, &p, err)
	}
	if len(m.InReplyTo) == 0 && len(m.References) == 0 && subject.IsReply(m.Subject) {
		if done, err := s.ruleSubjectSender(txn, desk, d, &p); done || err != nil {
			if err == nil {
				p.verified = true
				err = s.closedTicket(txn, desk, d, &p)
			}
			return p, err
		}
	}
	p.reason = Reason{RuleNew, ""}
	p.verified = !d.multiple && !authFailed(d.pm.Header, desk.AuthservID)
	if !p.verified {
		p.flags = append(p.flags, FlagUnverifiedSender)
	}
	return p, nil
}

// ruleDuplicate is rule 1: a stored (desk, Message-ID) with the same body is
// the same message; with another body it is a new message on the same
// ticket, flagged duplicate-id. Without Message-ID, a content hash decides.
func (s *Store) ruleDuplicate(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	m := &d.msg
	if m.MessageID == "" {
		v, err := getRaw(txn, key(pCHash, desk.ID, d.chash))
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		p.dupOf = string(v)
		return true, err
	}
	prefix := key(pMStored, desk.ID, shortHash(m.MessageID)) // + "/" + msgID
	prefix = append(prefix, '/')
	keys := keysWithPrefix(txn, prefix)
	if len(keys) == 0 {
		return false, nil
	}
	for _, k := range keys {
		bh, err := getRaw(txn, k)
		if err != nil {
			return true, err
		}
		if string(bh) == m.BodyHash {
			p.dupOf = string(k[len(prefix):])
			return true, nil
		}
	}
	t, ok, err := s.ticketForMID(txn, desk.ID, m.MessageID)
	if err != nil || !ok {
		return ok, err
	}
	p.ticketID = t.ID
	p.reason = Reason{RuleDuplicate, m.MessageID}
	p.flags = append(p.flags, FlagDuplicateID)
	return true, s.identity(txn, desk, d, p, nil)
}

// ruleForward: a desk member forwarding a customer's mail opens the ticket
// for the original sender (MAIL-08); anyone else's forward is ordinary mail.
func (s *Store) ruleForward(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	f := d.pm.Forward
	if f == nil || d.sender == "" || d.multiple || normAddr(f.From.Addr) == "" {
		return false, nil
	}
	var u User
	if err := userByEmailTxn(txn, d.sender, &u); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if !u.MemberOf(desk.ID) {
		return false, nil
	}
	p.forward, p.forwarder, p.verified = true, d.sender, true
	p.reason = Reason{RuleForward, d.sender}
	if f.MessageID != "" {
		t, ok, err := s.ticketForMID(txn, desk.ID, f.MessageID)
		if err != nil {
			return true, err
		}
		if ok {
			p.ticketID = t.ID
		}
	}
	return true, nil
}

// ruleHeaders is rule 2: own-id, then in-reply-to, then references from last
// to first. Tickets named besides the winner are linked as related.
func (s *Store) ruleHeaders(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	m := &d.msg
	type cand struct{ rule, id string }
	var cands []cand
	if m.MessageID != "" {
		cands = append(cands, cand{RuleOwnID, m.MessageID})
	}
	for _, id := range m.InReplyTo {
		cands = append(cands, cand{RuleInReplyTo, id})
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		cands = append(cands, cand{RuleReferences, m.References[i]})
	}
	seen := map[string]bool{} // ticket ids as mapped, and as found after merges
	for _, c := range cands {
		v, err := getRaw(txn, key(pMID, desk.ID, shortHash(c.id)))
		if errors.Is(err, ErrNotFound) || err == nil && seen[string(v)] {
			continue
		}
		if err != nil {
			return false, err
		}
		seen[string(v)] = true
		t, err := s.liveTicket(txn, string(v))
		if err != nil {
			return false, err
		}
		if t.ID != string(v) && seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		if p.ticketID == "" {
			p.ticketID, p.reason = t.ID, Reason{c.rule, c.id}
		} else {
			p.related = append(p.related, t.ID)
		}
	}
	return p.ticketID != "", nil
}

// ruleToken is rule 3: a reference to one of our signed Message-IDs.
func (s *Store) ruleToken(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	m := &d.msg
	ids := append(slices.Clone(m.InReplyTo), m.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		tok, ok := ParseReplyToken(ids[i], desk.Secret, s.opts.Now())
		if !ok {
			continue
		}
		t, err := s.liveTicket(txn, tok.TicketID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		p.ticketID, p.reason = t.ID, Reason{RuleReplyToken, ids[i]}
		return true, nil
	}
	return false, nil
}

// agentByToken accepts an agent's reply by mail (rule 3, MAIL-02): only
// through an unexpired token addressed to that agent, from that agent's
// address as the one aligned From, on a desk the agent belongs to.
func (s *Store) agentByToken(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	m := &d.msg
	if d.sender == "" || d.multiple || authFailed(d.pm.Header, desk.AuthservID) || m.Automatic {
		return false, nil
	}
	var u User
	if err := userByEmailTxn(txn, d.sender, &u); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if !u.MemberOf(desk.ID) {
		return false, nil
	}
	ids := append(slices.Clone(m.InReplyTo), m.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		tok, ok := ParseReplyToken(ids[i], desk.Secret, s.opts.Now())
		if !ok || tok.Expires.IsZero() || !tok.For(d.sender) {
			continue
		}
		t, err := s.liveTicket(txn, tok.TicketID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		p.ticketID, p.reason, p.verified, p.agent = t.ID, Reason{RuleReplyToken, ids[i]}, true, &u
		return true, nil
	}
	return false, nil
}

// ruleSubjectNumber is rule 4: the desk's number in brackets in the subject.
func (s *Store) ruleSubjectNumber(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	pat, err := number.Parse(desk.Pattern)
	if err != nil {
		return false, nil
	}
	for _, n := range pat.FindInSubject(d.msg.Subject, desk.Code) {
		id, err := getRaw(txn, key(pTNum, desk.ID, n))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		t, err := s.liveTicket(txn, string(id))
		if err != nil {
			return false, err
		}
		p.ticketID, p.reason = t.ID, Reason{RuleSubjectNumber, n}
		return true, nil
	}
	return false, nil
}

// ruleSubjectSender is rule 5: a reply without threading headers (its
// subject says Re:, Odp:, AW:, ... but no In-Reply-To or References), with
// the same normalized subject as a ticket this sender takes part in (or
// their account's), not closed and active within the desk's window. A fresh
// message that merely repeats a subject ("[PATCH v2] x" after "[PATCH] x")
// opens its own ticket.
func (s *Store) ruleSubjectSender(txn *badger.Txn, desk *Desk, d *draft, p *plan) (bool, error) {
	if d.norm == "" || d.sender == "" || d.multiple || authFailed(d.pm.Header, desk.AuthservID) {
		return false, nil
	}
	window := time.Duration(desk.SubjectWindowDays) * 24 * time.Hour
	prefix := append(key(pSubj, desk.ID, shortHash(d.norm)), '/')
	keys := keysWithPrefix(txn, prefix)
	var account string
	if cid, err := getRaw(txn, key(pCAddr, d.sender)); err == nil {
		var c Contact
		if err := getJSON(txn, key(pContact, string(cid)), &c); err == nil {
			account = c.AccountID
		}
	}
	for i := len(keys) - 1; i >= 0; i-- { // newest ticket first
		t, err := s.liveTicket(txn, string(keys[i][len(prefix):]))
		if err != nil {
			return false, err
		}
		if t.Status == StatusClosed {
			continue
		}
		gap := d.msg.Received.Sub(t.LastActivity)
		if gap > window || gap < -window {
			continue
		}
		if !slices.Contains(t.Participants, d.sender) && (account == "" || account != t.AccountID) {
			continue
		}
		p.ticketID, p.reason = t.ID, Reason{RuleSubjectSender, d.norm}
		return true, nil
	}
	return false, nil
}

// identity applies DESIGN.md's Identity paragraph to a match of rules 2-4:
// a sender who is not a participant is attached flagged unverified-sender,
// or (desk policy) opens a ticket linked to the one named.
func (s *Store) identity(txn *badger.Txn, desk *Desk, d *draft, p *plan, err error) error {
	if err != nil || p.ticketID == "" {
		return err
	}
	t, err := s.liveTicket(txn, p.ticketID)
	if err != nil {
		return err
	}
	p.verified = !d.multiple && d.sender != "" && !authFailed(d.pm.Header, desk.AuthservID) &&
		s.isParticipant(txn, desk, &t, d.sender)
	if !p.verified {
		if desk.UnverifiedPolicy == UnverifiedNewLinked && p.reason.Rule != RuleDuplicate {
			p.linkedTo, p.ticketID = t.ID, ""
			p.reason.Rule = RuleNew
			return nil
		}
		p.flags = append(p.flags, FlagUnverifiedSender)
		return nil
	}
	return s.closedTicket(txn, desk, d, p)
}

// isParticipant: the ticket's contact, the To and Cc of its customer-side
// messages, and the desk's agents.
func (s *Store) isParticipant(txn *badger.Txn, desk *Desk, t *Ticket, addr string) bool {
	if slices.Contains(t.Participants, addr) {
		return true
	}
	var u User
	if err := userByEmailTxn(txn, addr, &u); err == nil && u.MemberOf(desk.ID) {
		return true
	}
	return false
}

// closedTicket applies the desk's policy to a verified reply to a closed
// ticket: reopen it, or open a follow-up linked to it.
func (s *Store) closedTicket(txn *badger.Txn, desk *Desk, d *draft, p *plan) error {
	t, err := s.liveTicket(txn, p.ticketID)
	if err != nil {
		return err
	}
	if d.msg.Automatic {
		return nil // auto-replies never reopen (MAIL-04)
	}
	switch t.Status {
	case StatusClosed:
		grace := desk.ReopenGraceDays > 0 && t.Closed != nil &&
			d.msg.Received.Sub(*t.Closed) > time.Duration(desk.ReopenGraceDays)*24*time.Hour
		if desk.ClosedPolicy == ClosedFollowUp || grace {
			p.followUpOf, p.ticketID = t.ID, ""
			p.reason = Reason{RuleFollowUp, t.Number}
			return nil
		}
		p.reopen = true
	case StatusWaiting, StatusResolved:
		p.reopen = !desk.KeepStatusOnReply
	}
	return nil
}
