package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"searchdesk/engine/compose"
)

// notify queues the mail a stored inbound message causes: the
// acknowledgement of a new ticket, a notification to the assigned agent,
// or, for a bounce, marks the delivery it reports as failed.
func (in *intakeTx) notify() error {
	if in.d.pm.Report != nil {
		// Whatever thread a report joined, the delivery it names failed.
		return in.markBounced()
	}
	if in.d.in.Channel == "import" {
		return nil
	}
	if in.newTicket {
		to := contactAddr(in.txn, in.t.ContactID)
		why, err := in.ackBlocked(to, in.w.now)
		if err != nil {
			return err
		}
		if why != "" {
			return in.w.audit(in.t.ID, "outbox", "ack", "", "not sent: "+why)
		}
		kind := compose.Ack
		if in.desk.Hours != "" {
			if h, err := compose.ParseHours(in.desk.Hours, in.desk.TimeZone); err == nil && !h.Open(in.w.now) {
				kind = compose.AckAfterHours
			}
		}
		v := in.s.ticketVars(in.txn, in.desk, in.t)
		v.CommentContent = in.m.Text
		var c Contact
		_ = getJSON(in.txn, key(pContact, in.t.ContactID), &c)
		if _, err := in.s.queueMail(in.txn, in.w, in.desk, in.t, outMail{kind: kind, to: []Address{{Name: c.Name, Addr: to}},
			vars: v, answers: in.m, auto: "auto-replied"}); err != nil {
			return err
		}
		return countAutoMail(in.txn, to, in.w.now)
	}
	// A customer wrote on an assigned ticket: tell the agent, with a token
	// that lets them answer from their mail client (MAIL-02).
	if in.t.AssigneeID == "" || in.m.Automatic || in.m.HasFlag(FlagUnverifiedSender) || in.m.Kind != KindEmailIn {
		return nil
	}
	var u User
	if err := getJSON(in.txn, key(pUser, in.t.AssigneeID), &u); err != nil || u.Email == "" || normAddr(u.Email) == in.d.sender {
		return nil
	}
	v := in.s.ticketVars(in.txn, in.desk, in.t)
	v.Quote = compose.QuoteLast(in.m.Text, 40)
	v.AgentName = u.Name
	_, err := in.s.queueMail(in.txn, in.w, in.desk, in.t, outMail{kind: compose.AgentNotify, to: []Address{{Name: u.Name, Addr: u.Email}},
		vars: v, answers: in.m, auto: "auto-generated", tokenFor: u.Email, expires: in.w.now.Add(agentTokenLife)})
	return err
}

// ackBlocked says why a new ticket's first message gets no
// acknowledgement, or "" when it gets one (MAIL-04, MAIL-05, MAIL-06).
func (in *intakeTx) ackBlocked(to string, now time.Time) (string, error) {
	a := in.d.pm.Auto
	switch {
	case in.desk.NoAck:
		return "desk sends no acknowledgements", nil
	case in.d.pm.Report != nil:
		return "delivery report", nil
	case a.AutoSubmitted != "":
		return "Auto-Submitted: " + a.AutoSubmitted, nil
	case a.Precedence != "":
		return "Precedence: " + a.Precedence, nil
	case a.ListID != "":
		return "List-Id", nil
	case a.AutoReply:
		return "auto-reply", nil
	case a.NullSender:
		return "null sender or mailer daemon", nil
	case in.m.HasFlag(FlagUnverifiedSender) || in.m.HasFlag(FlagQuarantined) || in.m.HasFlag(FlagParseError):
		return "flagged message", nil
	case to == "":
		return "no sender address", nil
	case robotAddress(to):
		return "no-reply address", nil
	}
	for _, x := range a.XLoop {
		if slices.Contains(in.desk.Addresses, normAddr(x)) || strings.EqualFold(strings.TrimSpace(x), deskAddress(in.desk)) {
			return "X-Loop: " + x, nil
		}
	}
	own, err := in.s.ownAddress(in.txn, to)
	if err != nil || own {
		return "the desk's own address", err
	}
	n, err := autoMailsSince(in.txn, to, now.Add(-time.Hour))
	if err != nil {
		return "", err
	}
	limit := in.desk.AutoMailsPerHour
	if limit <= 0 {
		limit = 1
	}
	if n >= limit {
		return fmt.Sprintf("rate limit: %d automatic mails to %s in the last hour", n, to), nil
	}
	return "", nil
}

// markBounced marks the outgoing mail a bounce reports as bounced.
func (in *intakeTx) markBounced() error {
	rep := in.d.pm.Report
	if strings.EqualFold(rep.Action, "delayed") || strings.EqualFold(rep.Action, "delivered") ||
		strings.EqualFold(rep.Action, "relayed") || strings.EqualFold(rep.Action, "expanded") {
		return nil
	}
	found, _, err := in.s.bouncedMail(in.txn, in.desk, rep)
	if err != nil || found == nil {
		return err
	}
	ob := *found
	old := ob.Status
	ob.Status = OutboxBounced
	ob.LastError = strings.TrimSpace(rep.Status + " " + rep.Diagnostic)
	if err := putJSON(in.txn, key(pOutbox, ob.ID), ob); err != nil {
		return err
	}
	if err := in.txn.Delete(key(pOutboxQ, ob.ID)); err != nil {
		return err
	}
	return in.w.audit(ob.TicketID, "outbox", "delivery "+ob.ID, old, OutboxBounced+": "+ob.LastError)
}
