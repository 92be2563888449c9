package mail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/mail"
	"searchdesk/engine/mail/mailtest"
)

// count returns the number of messages stored.
func count(t *testing.T, st *engine.Store) int {
	t.Helper()
	c, err := st.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.Messages
}

func question(i int) []byte {
	return mkmail([][2]string{{"From", fmt.Sprintf("c%d@customer.example.org", i)}, {"To", "support@desk.example.com"},
		{"Subject", fmt.Sprintf("Question %d", i)}, {"Message-ID", fmt.Sprintf("<q%d@customer.example.org>", i)}},
		fmt.Sprintf("Body %d", i))
}

// TestIMAPServerRestartAndUIDValidity: Dovecot restarts between batches
// (REL-05), then the folder's UIDVALIDITY changes (REL-08): the poller
// reconnects, resumes, and stores nothing twice.
func TestIMAPServerRestartAndUIDValidity(t *testing.T) {
	r := newRig(t)
	for i := 0; i < 5; i++ {
		r.dc.Deliver(t, r.dc.User, "INBOX", question(i))
	}
	waitFor(t, "5 messages", func() bool { return count(t, r.st) == 5 })
	r.dc.Kill()
	r.dc.Restart(t)
	for i := 5; i < 10; i++ {
		r.dc.Deliver(t, r.dc.User, "INBOX", question(i))
	}
	waitFor(t, "10 messages after the restart", func() bool { return count(t, r.st) == 10 })

	r.dc.SetUIDValidity(t, r.dc.User, "INBOX", 4242)
	r.dc.Kill()
	r.dc.Restart(t)
	r.dc.Deliver(t, r.dc.User, "INBOX", question(10))
	waitFor(t, "11 messages after UIDVALIDITY changed", func() bool { return count(t, r.st) == 11 })
	boxes, err := r.st.MailboxStates()
	if err != nil || len(boxes) != 1 {
		t.Fatalf("mailbox states %v %v", boxes, err)
	}
	waitFor(t, "the new UIDVALIDITY committed", func() bool {
		b, _ := r.st.MailboxStates()
		return b[0].UIDValidity == 4242 && b[0].LastUID == 11
	})
	time.Sleep(300 * time.Millisecond) // anything stored twice would show now
	if n := count(t, r.st); n != 11 {
		t.Errorf("%d messages, want 11: re-read mail was stored again", n)
	}
}

// TestIMAPOversized: a message over the mailbox's size cap is
// stored with its header only, quarantined (DOS-01), and the mail after it
// still comes in.
func TestIMAPOversized(t *testing.T) {
	r := newRig(t, func(d *engine.Desk) { d.Mailboxes[0].MaxBytes = 4 << 10 })
	ctx := context.Background()
	big := mkmail([][2]string{{"From", "big@customer.example.org"}, {"To", "support@desk.example.com"},
		{"Subject", "Huge scan"}, {"Message-ID", "<big@customer.example.org>"}}, strings.Repeat("scan data line\r\n", 2000))
	r.dc.Deliver(t, r.dc.User, "INBOX", big)
	r.dc.Deliver(t, r.dc.User, "INBOX", question(1))
	waitFor(t, "both messages", func() bool { return count(t, r.st) == 2 })
	var bigMsg engine.Message
	_ = r.st.EachTicket(ctx, func(tk *engine.Ticket) error {
		ms, _ := r.st.Messages(ctx, tk.ID)
		for _, m := range ms {
			if m.MessageID == "<big@customer.example.org>" {
				bigMsg = m
			}
		}
		return nil
	})
	if !bigMsg.HasFlag(engine.FlagQuarantined) || bigMsg.RawSize > 4<<10 {
		t.Errorf("oversized mail: flags %v, raw %d bytes; want quarantined with the header only", bigMsg.Flags, bigMsg.RawSize)
	}
}

// TestIMAPHungServer: a server that accepts the connection and never
// answers costs one command deadline, then the poller retries (REL-06).
func TestIMAPHungServer(t *testing.T) {
	ln := newSilentListener(t)
	st := openStore(t, t.TempDir())
	defer st.Close()
	ctx := context.Background()
	h, p := hostPort(t, ln.addr)
	_, err := st.SaveDesk(ctx, engine.Desk{Code: "sup", Mailboxes: []engine.Mailbox{{ID: "hung",
		Server: engine.Server{Host: h, Port: p, Security: engine.SecurityNone, User: "u", Password: engine.Secret{Env: "NOPE"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := st.DeskByCode(ctx, "sup")
	// The poller runs until it has connected twice (it gave up on the
	// first connection and retried), or a generous limit passes.
	const limit = time.Minute
	pctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	p0 := &mail.Poller{Store: st, DeskCode: "sup", Box: d.Mailboxes[0],
		Timeouts: mail.Timeouts{Dial: 300 * time.Millisecond, Command: 300 * time.Millisecond}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p0.Run(pctx)
	}()
	for ln.accepted.Load() < 2 && pctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if n := ln.accepted.Load(); n < 2 {
		t.Errorf("the poller connected %d times in %v to a server that never answers; want it to give up on each and retry", n, limit)
	}
	s, _ := st.MailboxState("hung")
	if s.LastError == "" {
		t.Error("the mailbox's health shows no error")
	}
	t.Logf("connections: %d, last error: %s", ln.accepted.Load(), s.LastError)
}

// TestXOAuth2Tokens: access tokens come from a token endpoint with the
// stored refresh token, are kept sealed with their expiry, and are reused
// until they expire.
func TestXOAuth2Tokens(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "refresh_token" ||
			r.Form.Get("refresh_token") != "refresh-1" || r.Form.Get("client_id") != "desk-client" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant"}`)
			return
		}
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", n), "token_type": "Bearer", "expires_in": 3600})
	}))
	defer srv.Close()
	st := openStore(t, t.TempDir())
	defer st.Close()
	ctx := context.Background()
	refresh, _ := st.Seal("refresh-1")
	secret, _ := st.Seal("client-secret")
	d, err := st.SaveDesk(ctx, engine.Desk{Code: "sup", SMTP: &engine.Server{Host: "smtp.example.com", Security: engine.SecurityStartTLS,
		User: "support@example.com", OAuth2: &engine.OAuth2{TokenURL: srv.URL, ClientID: "desk-client", ClientSecret: secret, RefreshToken: refresh}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := &mail.TokenSource{Store: st, DeskCode: d.Code, Which: "smtp"}
	for i := 0; i < 3; i++ {
		tok, err := ts.Token(ctx)
		if err != nil || tok != "access-1" {
			t.Fatalf("token %d: %q %v", i, tok, err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls to the token endpoint, want 1", calls.Load())
	}
	d, _ = st.DeskByCode(ctx, "sup")
	o := d.SMTP.OAuth2
	if strings.Contains(o.AccessToken.Sealed, "access-1") || time.Until(o.Expiry) < 50*time.Minute {
		t.Errorf("stored token: sealed %q expiry %v", o.AccessToken.Sealed, o.Expiry)
	}
	_, ir, _ := mail.NewXOAuth2Client("support@example.com", "access-1").Start()
	if string(ir) != "user=support@example.com\x01auth=Bearer access-1\x01\x01" {
		t.Errorf("XOAUTH2 initial response %q", ir)
	}
}

// TestSMTPRetryAndPermanentFailure: a 4xx is retried and then delivered; a
// 5xx fails the mail for good and the ticket's audit shows it.
func TestSMTPRetryAndPermanentFailure(t *testing.T) {
	var mode atomic.Int32 // 0: temporary failure once, 1: accept, 2: permanent
	smtpSrv := mailtest.StartSMTP(t, mailtest.SMTPOptions{Fail: func(from string, to []string) error {
		switch mode.Load() {
		case 0:
			mode.Store(1)
			return mailtest.TemporaryFailure("try later")
		case 2:
			return mailtest.PermanentFailure("no such user")
		}
		return nil
	}})
	st := openStore(t, t.TempDir())
	defer st.Close()
	ctx := context.Background()
	h, p := hostPort(t, smtpSrv.Addr)
	_, err := st.SaveDesk(ctx, engine.Desk{Code: "sup", Addresses: []string{"support@desk.example.com"},
		SMTP: &engine.Server{Host: h, Port: p, Security: engine.SecurityNone}})
	if err != nil {
		t.Fatal(err)
	}
	in := func(i int) engine.IntakeResult {
		r, err := st.Intake(ctx, engine.Inbound{Desk: "sup", Raw: question(i), Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	snd := &mail.Sender{Store: st}
	first := in(1)
	if err := snd.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	ob, _ := st.TicketOutbox(first.TicketID)
	if len(ob) != 1 || ob[0].Status != engine.OutboxQueued || ob[0].Attempts != 1 || !ob[0].NextAttempt.After(time.Now()) {
		t.Fatalf("after a 4xx: %+v", ob)
	}
	// Make the retry due now and send again.
	if err := st.OutboxResult(ctx, ob[0].ID, fmt.Errorf("forced"), false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := snd.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	ob, _ = st.TicketOutbox(first.TicketID)
	if ob[0].Status != engine.OutboxSent || len(smtpSrv.Messages()) != 1 {
		t.Fatalf("after the retry: status %s, %d delivered", ob[0].Status, len(smtpSrv.Messages()))
	}
	mode.Store(2)
	second := in(2)
	if err := snd.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	ob, _ = st.TicketOutbox(second.TicketID)
	if len(ob) != 1 || ob[0].Status != engine.OutboxFailed || !strings.Contains(ob[0].LastError, "no such user") {
		t.Fatalf("after a 5xx: %+v", ob)
	}
	audit, _ := st.Audit(ctx, second.TicketID)
	shown := false
	for _, a := range audit {
		shown = shown || strings.HasPrefix(a.New, engine.OutboxFailed)
	}
	if !shown {
		t.Error("the permanent failure is not on the ticket's audit")
	}
}

// silentListener accepts connections and never says a word.
type silentListener struct {
	addr     string
	accepted atomic.Int32
}

func newSilentListener(t *testing.T) *silentListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentListener{addr: ln.Addr().String()}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return s
}
