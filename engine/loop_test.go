package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/archive"
	"searchdesk/engine/compose"
	"searchdesk/engine/corpustest"
	"searchdesk/engine/mime"
)

// acks counts the acknowledgements queued on a ticket.
func acks(t *testing.T, s *Store, ticketID string) int {
	t.Helper()
	out, err := s.TicketOutbox(ticketID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ob := range out {
		if ob.Kind == string(compose.Ack) || ob.Kind == string(compose.AckAfterHours) {
			n++
		}
	}
	return n
}

// queueTestMail puts an outgoing mail with Message-ID mid on ticket id, as
// if the desk had sent it, so that a bounce has a delivery to report.
func queueTestMail(t *testing.T, s *Store, ticketID, mid, to string) OutboxMail {
	t.Helper()
	var ob OutboxMail
	err := s.write(context.Background(), func(txn *badger.Txn, w *writeCtx) error {
		tk, err := s.liveTicket(txn, ticketID)
		if err != nil {
			return err
		}
		var desk Desk
		if err := getJSON(txn, key(pDesk, tk.DeskID), &desk); err != nil {
			return err
		}
		ob, err = s.queueMail(txn, w, &desk, &tk, outMail{kind: compose.AgentReply, to: []Address{{Addr: to}},
			vars: compose.Vars{TicketNumber: tk.Number, TicketTitle: tk.Subject, CommentContent: "Hello"}, messageID: mid})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

// TestNoAutoMailToAutomaticMail walks every sample of automatic mail in the
// corpus (MAIL-04, MAIL-05 in docs/security.md): bounces, RFC 3834 auto-replies,
// the hostile MAIL-04 samples, a mailing-list archive, and mail from the
// desk's own address. None may be acknowledged; every multipart/report
// bounce whose delivery exists attaches to it and marks it bounced.
func TestNoAutoMailToAutomaticMail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	newDesk(t, s)
	counts := map[string]int{}
	acked := func(group, name string, r IntakeResult) {
		counts[group]++
		if r.NewTicket && acks(t, s, r.TicketID) > 0 {
			t.Errorf("%s %s: acknowledged (ticket %s, rule %s)", group, name, r.TicketNumber, r.Reason.Rule)
		}
	}

	// Bounces: each reports a Message-ID; when it is one the desk sent,
	// the bounce joins that ticket and the delivery is marked.
	dir := corpustest.Path(t, "mime/sisimai-bounces")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		pm, _ := mime.Parse(raw, mime.DefaultLimits())
		if strings.HasPrefix(f.Name(), "rfc3834") || strings.HasPrefix(f.Name(), "crlf__rfc3834") {
			r := intake(t, s, raw)
			acked("rfc3834 auto-replies", f.Name(), r)
			continue
		}
		report := pm != nil && pm.Report != nil
		if strings.HasPrefix(f.Name(), "not-bounce__") { // ordinary mail that looks like a bounce
			r := intake(t, s, raw)
			counts["not bounces (acknowledged)"]++
			if r.NewTicket && acks(t, s, r.TicketID) != 1 {
				t.Errorf("%s is ordinary mail and got no acknowledgement", f.Name())
			}
			continue
		}
		if !report || pm.Report.OriginalMessageID == "" && len(pm.Report.Recipients) == 0 {
			r := intake(t, s, raw)
			if report {
				acked("reports naming no mail and no recipient", f.Name(), r)
			} else {
				acked("other bounces (not multipart/report)", f.Name(), r)
			}
			continue
		}
		// A ticket whose outgoing mail is the one that bounced: by the
		// Message-ID the report quotes, else by the recipient it names.
		first := intake(t, s, mkmail(map[string]string{"From": fmt.Sprintf("cust%d@customer.example.org", i),
			"To": "support@desk.example.com", "Subject": "Question " + f.Name(), "Message-ID": "<q-" + f.Name() + "@customer.example.org>"}, "Hello"))
		mid, rcpt := pm.Report.OriginalMessageID, "cust@customer.example.org"
		group := "multipart/report bounces"
		if mid == "" {
			mid, rcpt = fmt.Sprintf("<sent-%d@desk.example.com>", i), pm.Report.Recipients[0]
			group = "multipart/report bounces naming only the recipient"
		}
		ob := queueTestMail(t, s, first.TicketID, mid, rcpt)
		r := intake(t, s, raw)
		counts[group]++
		if r.Reason.Rule == RuleDuplicate {
			// A twin of a sample taken in before (same Message-ID): rule 1
			// threads it with its twin; the delivery is still marked.
			counts["twins of earlier samples"]++
		} else if r.TicketID != first.TicketID || r.Reason.Rule != RuleBounce {
			t.Errorf("bounce %s: ticket %s rule %s, want %s rule bounce", f.Name(), r.TicketNumber, r.Reason.Rule, first.TicketNumber)
			continue
		}
		got, err := s.Outbox(ob.ID)
		if err != nil {
			t.Fatal(err)
		}
		action := strings.ToLower(pm.Report.Action)
		want := OutboxBounced
		if action == "delayed" || action == "delivered" || action == "relayed" || action == "expanded" {
			want = OutboxQueued
		}
		if got.Status != want {
			t.Errorf("bounce %s (action %q): delivery %s, want %s", f.Name(), action, got.Status, want)
		}
		if acks(t, s, first.TicketID) != 1 {
			t.Errorf("bounce %s: ticket has %d acknowledgements, want only the first message's", f.Name(), acks(t, s, first.TicketID))
		}
	}

	// The hostile MAIL-04 samples.
	hostile, err := filepath.Glob(filepath.Join(corpustest.Path(t, "hostile"), "MAIL-04-*.eml"))
	if err != nil || len(hostile) == 0 {
		t.Fatalf("no MAIL-04 samples: %v", err)
	}
	for _, p := range hostile {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// The desk of the samples is support@desk.example.com, as here.
		acked("MAIL-04 samples", filepath.Base(p), intake(t, s, raw))
	}

	// A mailing list: every message carries List-Id. Under -short, the
	// first 300 of its 3,115.
	listMail, errEnough := 0, errors.New("enough")
	_, err = archive.Walk(ctx, []string{corpustest.Path(t, "threaded/ksummit.mbox.gz")}, archive.Options{},
		func(it archive.Item) error {
			if listMail++; testing.Short() && listMail > 300 {
				return errEnough
			}
			r, err := s.Intake(ctx, Inbound{Raw: it.Raw, Source: it.Source, Channel: "email", NoSync: true})
			if err != nil {
				return err
			}
			acked("ksummit list mail", it.Source, r)
			return nil
		}, nil)
	if err != nil && !errors.Is(err, errEnough) {
		t.Fatal(err)
	}

	// Mail from the desk's own address, without any automatic header.
	own := intake(t, s, mkmail(map[string]string{"From": "Support <support@desk.example.com>", "To": "support@desk.example.com",
		"Subject": "Looping", "Message-ID": "<own-1@desk.example.com>"}, "From ourselves."))
	acked("from the desk's own address", "", own)

	// Positive control: an ordinary customer is acknowledged.
	ok := intake(t, s, mkmail(map[string]string{"From": "Dana <dana@customer.example.org>", "To": "support@desk.example.com",
		"Subject": "Broken login", "Message-ID": "<dana-1@customer.example.org>"}, "I cannot log in."))
	if n := acks(t, s, ok.TicketID); n != 1 {
		t.Errorf("ordinary customer mail: %d acknowledgements, want 1", n)
	}
	t.Logf("%-40s %5d", "twins of earlier samples", counts["twins of earlier samples"])
	t.Logf("%-40s %5d", "not bounces (acknowledged)", counts["not bounces (acknowledged)"])
	for _, g := range []string{"multipart/report bounces", "multipart/report bounces naming only the recipient",
		"reports naming no mail and no recipient", "other bounces (not multipart/report)",
		"rfc3834 auto-replies", "MAIL-04 samples", "ksummit list mail", "from the desk's own address"} {
		t.Logf("%-40s %5d messages, none acknowledged", g, counts[g])
	}
	for _, g := range []string{"multipart/report bounces", "rfc3834 auto-replies", "MAIL-04 samples", "ksummit list mail"} {
		if counts[g] == 0 {
			t.Errorf("%s: no samples found", g)
		}
	}
}

// TestTwoAutoRespondersStop puts the desk in front of an auto-responder
// that answers every mail it gets: once a robot that marks its answers
// (Auto-Submitted), once one that sends no automatic-mail headers at all
// and starts a fresh thread each time, so that only the per-address limit
// and X-Loop can stop the exchange. Each side sends at most one automatic
// mail.
func TestTwoAutoRespondersStop(t *testing.T) {
	robots := []struct {
		name    string
		headers func(n int, ack *netmail.Message) map[string]string
	}{
		{"marks its mail", func(n int, ack *netmail.Message) map[string]string {
			return map[string]string{"Auto-Submitted": "auto-replied", "In-Reply-To": ack.Header.Get("Message-ID"),
				"Subject": "Auto: " + ack.Header.Get("Subject")}
		}},
		{"sends no automatic-mail headers", func(n int, ack *netmail.Message) map[string]string {
			return map[string]string{"Subject": fmt.Sprintf("I am away (%d)", n)}
		}},
		{"copies our X-Loop", func(n int, ack *netmail.Message) map[string]string {
			return map[string]string{"Subject": fmt.Sprintf("Away (%d)", n), "X-Loop": ack.Header.Get("X-Loop")}
		}},
	}
	for _, rb := range robots {
		t.Run(rb.name, func(t *testing.T) {
			s := openTest(t)
			d := newDesk(t, s)
			if rb.name == "copies our X-Loop" {
				d.AutoMailsPerHour = 100 // only X-Loop can stop this one
				if _, err := s.SaveDesk(context.Background(), d); err != nil {
					t.Fatal(err)
				}
			}
			robot := "robot@away.example.net"
			// A person at the robot's address writes once; from then on
			// only the robot answers.
			intake(t, s, mkmail(map[string]string{"From": robot, "To": "support@desk.example.com",
				"Subject": "Order 5", "Message-ID": "<first@away.example.net>"}, "Where is order 5?"))
			deskAuto, robotAuto := 0, 0
			sent := map[string]bool{}
			for round := 0; round < 10; round++ {
				due, err := s.DueOutbox(time.Now().Add(time.Hour), 1000)
				if err != nil {
					t.Fatal(err)
				}
				var fresh []OutboxMail
				for _, ob := range due {
					if !sent[ob.ID] {
						sent[ob.ID] = true
						fresh = append(fresh, ob)
					}
				}
				if len(fresh) == 0 {
					break
				}
				for _, ob := range fresh {
					if !ob.Automatic {
						continue
					}
					deskAuto++
					ack, err := netmail.ReadMessage(bytes.NewReader(ob.Raw))
					if err != nil {
						t.Fatal(err)
					}
					h := rb.headers(round, ack)
					h["From"], h["To"] = robot, "support@desk.example.com"
					h["Message-ID"] = fmt.Sprintf("<away-%d@away.example.net>", round)
					robotAuto++
					intake(t, s, mkmail(h, "I am out of the office until Monday."))
				}
			}
			t.Logf("desk sent %d automatic mails, the robot %d", deskAuto, robotAuto)
			if deskAuto > 1 || robotAuto > 1 {
				t.Errorf("desk sent %d automatic mails and the robot %d; want at most one each", deskAuto, robotAuto)
			}
			if deskAuto != 1 {
				t.Errorf("the person's first mail got %d acknowledgements, want 1", deskAuto)
			}
		})
	}
}

// TestHostileHeadersOutgoing: a subject and a display name that decode to
// CR/LF + Bcc (MAIL-07) reach our acknowledgement and an agent's reply
// without adding a header; our own X-Searchdesk-* headers arriving from
// outside (MAIL-03) change nothing.
func TestHostileHeadersOutgoing(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := newDesk(t, s)
	agent, err := s.AddUser(ctx, User{Email: "ann@desk.example.com", Name: "Ann", Role: RoleAgent, Desks: []string{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	r := intake(t, s, readCorpus(t, "hostile/MAIL-07-crlf-subject-name.eml"))
	if _, err := s.AddReply(ctx, agent, r.TicketID, "Refund sent."); err != nil {
		t.Fatal(err)
	}
	out, err := s.TicketOutbox(r.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("%d mails queued, want the acknowledgement and the reply", len(out))
	}
	for _, ob := range out {
		m, err := netmail.ReadMessage(bytes.NewReader(ob.Raw))
		if err != nil {
			t.Fatalf("%s: %v", ob.Kind, err)
		}
		for name := range m.Header {
			if strings.EqualFold(name, "Bcc") || strings.EqualFold(name, "X-Injected") {
				t.Errorf("%s mail has an injected %s header:\n%s", ob.Kind, name, ob.Raw)
			}
		}
		for _, h := range []string{"From", "To", "Subject", "Message-Id"} {
			if n := len(m.Header[h]); n != 1 {
				t.Errorf("%s mail has %d %s headers", ob.Kind, n, h)
			}
		}
		to, err := m.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != "mallory@hostile.example.net" {
			t.Errorf("%s mail To %q: want exactly mallory's address (%v)", ob.Kind, m.Header.Get("To"), err)
		}
	}

	m03 := intake(t, s, readCorpus(t, "hostile/MAIL-03-own-headers.eml"))
	msg, err := s.Message(ctx, m03.MessageID)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := s.Ticket(ctx, m03.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if !m03.NewTicket || msg.Kind != KindEmailIn || msg.AuthorUserID != "" || msg.Internal || tk.DeskID != d.ID || tk.Priority != "normal" {
		t.Errorf("X-Searchdesk-* headers had an effect: new %v kind %s author %q internal %v desk %s priority %s",
			m03.NewTicket, msg.Kind, msg.AuthorUserID, msg.Internal, tk.DeskID, tk.Priority)
	}
	if raw, _ := s.Raw(ctx, m03.MessageID); !bytes.Contains(raw, []byte("X-Searchdesk-Desk")) {
		t.Error("the raw message must be kept verbatim")
	}
}

// TestAgentReplyByMail: an agent answers the notification of a customer's
// message from their own mail client (MAIL-02). Through the token sent to
// them, from their address, the mail becomes the agent's reply and goes on
// to the customer; from anyone else, or without the token, it does not.
func TestAgentReplyByMail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := newDesk(t, s)
	agent, err := s.AddUser(ctx, User{Email: "ann@desk.example.com", Name: "Ann", Role: RoleAgent, Desks: []string{d.ID}})
	if err != nil {
		t.Fatal(err)
	}
	first := intake(t, s, mkmail(map[string]string{"From": "Carol <carol@customer.example.org>", "To": "support@desk.example.com",
		"Subject": "Broken tap", "Message-ID": "<carol-1@customer.example.org>"}, "The tap drips."))
	err = s.write(ctx, func(txn *badger.Txn, w *writeCtx) error { // assign the ticket to Ann
		var tk Ticket
		if err := getJSON(txn, key(pTicket, first.TicketID), &tk); err != nil {
			return err
		}
		tk.AssigneeID = agent.ID
		w.touch("update", tk.ID)
		return putTicket(txn, &tk)
	})
	if err != nil {
		t.Fatal(err)
	}
	intake(t, s, mkmail(map[string]string{"From": "carol@customer.example.org", "To": "support@desk.example.com",
		"Subject": "Re: Broken tap", "Message-ID": "<carol-2@customer.example.org>", "In-Reply-To": "<carol-1@customer.example.org>"},
		"It floods now."))
	out, _ := s.TicketOutbox(first.TicketID)
	var notify *OutboxMail
	for i := range out {
		if out[i].Kind == string(compose.AgentNotify) {
			notify = &out[i]
		}
	}
	if notify == nil || notify.To[0].Addr != "ann@desk.example.com" {
		t.Fatalf("no notification to the assigned agent: %+v", out)
	}
	reply := func(from string, id string) IntakeResult {
		return intake(t, s, mkmail(map[string]string{"From": from, "To": "support@desk.example.com",
			"Subject": "Re: " + notify.Subject, "Message-ID": id, "In-Reply-To": notify.MessageID},
			"A plumber comes at 3 pm.\r\n\r\nOn Monday the desk wrote:\r\n> It floods now."))
	}
	// Someone else answers through Ann's notification: not Ann's reply.
	forged := reply("mallory@hostile.example.net", "<forged@hostile.example.net>")
	fm, _ := s.Message(ctx, forged.MessageID)
	if fm.Kind == KindReplyOut || fm.AuthorUserID != "" {
		t.Errorf("a stranger's mail through the agent's token became the agent's reply")
	}
	r := reply("Ann <ann@desk.example.com>", "<ann-1@desk.example.com>")
	m, _ := s.Message(ctx, r.MessageID)
	if r.TicketID != first.TicketID || m.Kind != KindReplyOut || m.AuthorUserID != agent.ID || r.Reason.Rule != RuleReplyToken {
		t.Fatalf("agent's mail: ticket %s kind %s author %q rule %s", r.TicketNumber, m.Kind, m.AuthorUserID, r.Reason.Rule)
	}
	if strings.Contains(m.Text, "floods") {
		t.Errorf("the quoted history stayed in the agent's reply: %q", m.Text)
	}
	out, _ = s.TicketOutbox(first.TicketID)
	last := out[len(out)-1]
	if last.Kind != string(compose.AgentReply) || last.To[0].Addr != "carol@customer.example.org" || last.Message != m.ID {
		t.Errorf("the agent's reply was not sent on to the customer: %+v", last)
	}
	// The same agent without a token (a fresh mail with the number): an
	// ordinary message, not a reply on the customer's behalf.
	plain := intake(t, s, mkmail(map[string]string{"From": "ann@desk.example.com", "To": "support@desk.example.com",
		"Subject": "[" + first.TicketNumber + "] note", "Message-ID": "<ann-2@desk.example.com>"}, "Checking."))
	pm, _ := s.Message(ctx, plain.MessageID)
	if pm.Kind == KindReplyOut {
		t.Error("an agent's mail without a token became a reply to the customer")
	}
}

// TestHostileMailIsStored: every hostile sample of the shared corpus is
// taken in on a desk that acknowledges mail, whatever its addresses and
// headers hold; an address outgoing mail cannot carry only goes without an
// acknowledgement (invariant 7).
func TestHostileMailIsStored(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	desk, err := s.EnsureDesk(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	desk.Addresses, desk.AutoMailsPerHour = []string{"support@desk.example.com"}, 1000
	if _, err := s.SaveDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(corpustest.Path(t, "hostile"), "*.eml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d hostile samples, %v", len(files), err)
	}
	stored := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Intake(ctx, Inbound{Raw: raw, Source: filepath.Base(f), Channel: "email"})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if r.MessageID != "" {
			stored++
		}
	}
	if stored != len(files) {
		t.Errorf("%d of %d hostile samples stored", stored, len(files))
	}
}
