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

// thread applies the threading rules (docs/architecture.md) in order and
// records what they decided in in.p; the first rule that matches wins.
func (in *intakeTx) thread() error {
	p, d, desk := in.p, in.d, in.desk
	m := &d.msg
	if done, err := in.ruleDuplicate(); done || err != nil {
		return err
	}
	if rep := d.pm.Report; rep != nil {
		ob, matched, err := in.s.bouncedMail(in.txn, desk, rep)
		if err != nil {
			return err
		}
		if ob != nil {
			p.ticketID, p.reason, p.verified = ob.TicketID, Reason{RuleBounce, matched}, false
			return nil
		}
		if rep.OriginalMessageID != "" {
			t, ok, err := in.s.ticketForMID(in.txn, desk.ID, rep.OriginalMessageID)
			if err != nil {
				return err
			}
			if ok {
				p.ticketID, p.reason, p.verified = t.ID, Reason{RuleBounce, rep.OriginalMessageID}, false
				return nil
			}
		}
	}
	if done, err := in.ruleForward(); done || err != nil {
		return err
	}
	if done, err := in.agentByToken(); done || err != nil {
		return err
	}
	if done, err := in.ruleHeaders(); done || err != nil {
		return in.identity(err)
	}
	if done, err := in.ruleToken(); done || err != nil {
		return in.identity(err)
	}
	if done, err := in.ruleSubjectNumber(); done || err != nil {
		return in.identity(err)
	}
	if len(m.InReplyTo) == 0 && len(m.References) == 0 && subject.IsReply(m.Subject) {
		if done, err := in.ruleSubjectSender(); done || err != nil {
			if err == nil {
				p.verified = true
				err = in.closedTicket()
			}
			return err
		}
	}
	p.reason = Reason{RuleNew, ""}
	p.verified = !d.multiple && !authFailed(d.pm.Header, desk.AuthservID)
	if !p.verified {
		p.flags = append(p.flags, FlagUnverifiedSender)
	}
	return nil
}

// ruleDuplicate is rule 1: a stored (desk, Message-ID) with the same body is
// the same message; with another body it is a new message on the same
// ticket, flagged duplicate-id. Without Message-ID, a content hash decides.
func (in *intakeTx) ruleDuplicate() (bool, error) {
	m := &in.d.msg
	if m.MessageID == "" {
		v, err := getRaw(in.txn, key(pCHash, in.desk.ID, in.d.chash))
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		in.p.dupOf = string(v)
		return true, err
	}
	prefix := key(pMStored, in.desk.ID, shortHash(m.MessageID)) // + "/" + msgID
	prefix = append(prefix, '/')
	keys := keysWithPrefix(in.txn, prefix)
	if len(keys) == 0 {
		return false, nil
	}
	for _, k := range keys {
		bh, err := getRaw(in.txn, k)
		if err != nil {
			return true, err
		}
		if string(bh) == m.BodyHash {
			in.p.dupOf = string(k[len(prefix):])
			return true, nil
		}
	}
	t, ok, err := in.s.ticketForMID(in.txn, in.desk.ID, m.MessageID)
	if err != nil || !ok {
		return ok, err
	}
	in.p.ticketID = t.ID
	in.p.reason = Reason{RuleDuplicate, m.MessageID}
	in.p.flags = append(in.p.flags, FlagDuplicateID)
	return true, in.identity(nil)
}

// ruleForward: a desk member forwarding a customer's mail opens the ticket
// for the original sender (MAIL-08); anyone else's forward is ordinary mail.
func (in *intakeTx) ruleForward() (bool, error) {
	f := in.d.pm.Forward
	if f == nil || in.d.sender == "" || in.d.multiple || normAddr(f.From.Addr) == "" {
		return false, nil
	}
	var u User
	if err := userByEmailTxn(in.txn, in.d.sender, &u); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if !u.MemberOf(in.desk.ID) {
		return false, nil
	}
	in.p.forward, in.p.forwarder, in.p.verified = true, in.d.sender, true
	in.p.reason = Reason{RuleForward, in.d.sender}
	if f.MessageID != "" {
		t, ok, err := in.s.ticketForMID(in.txn, in.desk.ID, f.MessageID)
		if err != nil {
			return true, err
		}
		if ok {
			in.p.ticketID = t.ID
		}
	}
	return true, nil
}

// ruleHeaders is rule 2: own-id, then in-reply-to, then references from last
// to first. Tickets named besides the winner are linked as related.
func (in *intakeTx) ruleHeaders() (bool, error) {
	m := &in.d.msg
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
		v, err := getRaw(in.txn, key(pMID, in.desk.ID, shortHash(c.id)))
		if errors.Is(err, ErrNotFound) || err == nil && seen[string(v)] {
			continue
		}
		if err != nil {
			return false, err
		}
		seen[string(v)] = true
		t, err := in.s.liveTicket(in.txn, string(v))
		if err != nil {
			return false, err
		}
		if t.ID != string(v) && seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		if in.p.ticketID == "" {
			in.p.ticketID, in.p.reason = t.ID, Reason{c.rule, c.id}
		} else {
			in.p.related = append(in.p.related, t.ID)
		}
	}
	return in.p.ticketID != "", nil
}

// ruleToken is rule 3: a reference to one of our signed Message-IDs.
func (in *intakeTx) ruleToken() (bool, error) {
	m := &in.d.msg
	ids := append(slices.Clone(m.InReplyTo), m.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		tok, ok := ParseReplyToken(ids[i], in.desk.Secret, in.s.opts.Now())
		if !ok {
			continue
		}
		t, err := in.s.liveTicket(in.txn, tok.TicketID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		in.p.ticketID, in.p.reason = t.ID, Reason{RuleReplyToken, ids[i]}
		return true, nil
	}
	return false, nil
}

// agentByToken accepts an agent's reply by mail (rule 3, MAIL-02): only
// through an unexpired token addressed to that agent, from that agent's
// address as the one aligned From, on a desk the agent belongs to.
func (in *intakeTx) agentByToken() (bool, error) {
	m := &in.d.msg
	if in.d.sender == "" || in.d.multiple || authFailed(in.d.pm.Header, in.desk.AuthservID) || m.Automatic {
		return false, nil
	}
	var u User
	if err := userByEmailTxn(in.txn, in.d.sender, &u); err != nil {
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	if !u.MemberOf(in.desk.ID) {
		return false, nil
	}
	ids := append(slices.Clone(m.InReplyTo), m.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		tok, ok := ParseReplyToken(ids[i], in.desk.Secret, in.s.opts.Now())
		if !ok || tok.Expires.IsZero() || !tok.For(in.d.sender) {
			continue
		}
		t, err := in.s.liveTicket(in.txn, tok.TicketID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		in.p.ticketID, in.p.reason, in.p.verified, in.p.agent = t.ID, Reason{RuleReplyToken, ids[i]}, true, &u
		return true, nil
	}
	return false, nil
}

// ruleSubjectNumber is rule 4: the desk's number in brackets in the subject.
func (in *intakeTx) ruleSubjectNumber() (bool, error) {
	pat, err := number.Parse(in.desk.Pattern)
	if err != nil {
		return false, nil
	}
	for _, n := range pat.FindInSubject(in.d.msg.Subject, in.desk.Code) {
		id, err := getRaw(in.txn, key(pTNum, in.desk.ID, n))
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		t, err := in.s.liveTicket(in.txn, string(id))
		if err != nil {
			return false, err
		}
		in.p.ticketID, in.p.reason = t.ID, Reason{RuleSubjectNumber, n}
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
func (in *intakeTx) ruleSubjectSender() (bool, error) {
	if in.d.norm == "" || in.d.sender == "" || in.d.multiple || authFailed(in.d.pm.Header, in.desk.AuthservID) {
		return false, nil
	}
	window := time.Duration(in.desk.SubjectWindowDays) * 24 * time.Hour
	prefix := append(key(pSubj, in.desk.ID, shortHash(in.d.norm)), '/')
	keys := keysWithPrefix(in.txn, prefix)
	var account string
	if cid, err := getRaw(in.txn, key(pCAddr, in.d.sender)); err == nil {
		var c Contact
		if err := getJSON(in.txn, key(pContact, string(cid)), &c); err == nil {
			account = c.AccountID
		}
	}
	for i := len(keys) - 1; i >= 0; i-- { // newest ticket first
		t, err := in.s.liveTicket(in.txn, string(keys[i][len(prefix):]))
		if err != nil {
			return false, err
		}
		if t.Status == StatusClosed {
			continue
		}
		gap := in.d.msg.Received.Sub(t.LastActivity)
		if gap > window || gap < -window {
			continue
		}
		if !slices.Contains(t.Participants, in.d.sender) && (account == "" || account != t.AccountID) {
			continue
		}
		in.p.ticketID, in.p.reason = t.ID, Reason{RuleSubjectSender, in.d.norm}
		return true, nil
	}
	return false, nil
}

// identity applies docs/architecture.md's Identity paragraph to a match of rules 2-4:
// a sender who is not a participant is attached flagged unverified-sender,
// or (desk policy) opens a ticket linked to the one named.
func (in *intakeTx) identity(err error) error {
	if err != nil || in.p.ticketID == "" {
		return err
	}
	t, err := in.s.liveTicket(in.txn, in.p.ticketID)
	if err != nil {
		return err
	}
	in.p.verified = !in.d.multiple && in.d.sender != "" && !authFailed(in.d.pm.Header, in.desk.AuthservID) &&
		in.s.isParticipant(in.txn, in.desk, &t, in.d.sender)
	if !in.p.verified {
		if in.desk.UnverifiedPolicy == UnverifiedNewLinked && in.p.reason.Rule != RuleDuplicate {
			in.p.linkedTo, in.p.ticketID = t.ID, ""
			in.p.reason.Rule = RuleNew
			return nil
		}
		in.p.flags = append(in.p.flags, FlagUnverifiedSender)
		return nil
	}
	return in.closedTicket()
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
func (in *intakeTx) closedTicket() error {
	t, err := in.s.liveTicket(in.txn, in.p.ticketID)
	if err != nil {
		return err
	}
	if in.d.msg.Automatic {
		return nil // auto-replies never reopen (MAIL-04)
	}
	switch t.Status {
	case StatusClosed:
		grace := in.desk.ReopenGraceDays > 0 && t.Closed != nil &&
			in.d.msg.Received.Sub(*t.Closed) > time.Duration(in.desk.ReopenGraceDays)*24*time.Hour
		if in.desk.ClosedPolicy == ClosedFollowUp || grace {
			in.p.followUpOf, in.p.ticketID = t.ID, ""
			in.p.reason = Reason{RuleFollowUp, t.Number}
			return nil
		}
		in.p.reopen = true
	case StatusWaiting, StatusResolved:
		in.p.reopen = !in.desk.KeepStatusOnReply
	}
	return nil
}
