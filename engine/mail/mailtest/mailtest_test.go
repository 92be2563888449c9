package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func testMessage(i int) []byte {
	return fmt.Appendf(nil, "From: sender@example.org\r\n"+
		"To: alice@example.org\r\n"+
		"Subject: message %d\r\n"+
		"Message-ID: <m%d@example.org>\r\n"+
		"Date: Mon, 2 Jan 2006 15:04:05 +0000\r\n"+
		"\r\n"+
		"Body of message %d.\r\n", i, i, i)
}

func login(t *testing.T, c *imapclient.Client, user, password string) {
	t.Helper()
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
}

func dialPlain(t *testing.T, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDovecotDeliverAndFetch(t *testing.T) {
	start := time.Now()
	d := StartDovecot(t, DovecotOptions{})
	t.Logf("StartDovecot took %v", time.Since(start))

	for i := 1; i <= 3; i++ {
		d.Deliver(t, d.User, "INBOX", testMessage(i))
	}
	if n := d.Count(t, d.User, "INBOX"); n != 3 {
		t.Fatalf("Count = %d, want 3", n)
	}
	st := d.Status(t, d.User, "INBOX")
	if st.UIDNext != 4 || st.UIDValidity == 0 || st.Unseen != 3 {
		t.Fatalf("Status = %+v, want UIDNext 4, unseen 3 and a UIDVALIDITY", st)
	}

	c := dialPlain(t, d.Addr)
	login(t, c, d.User, d.Password)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	if sel.NumMessages != 3 {
		t.Fatalf("SELECT says %d messages, want 3", sel.NumMessages)
	}
	if sel.UIDValidity != st.UIDValidity {
		t.Fatalf("SELECT UIDVALIDITY %d, doveadm says %d", sel.UIDValidity, st.UIDValidity)
	}

	section := &imap.FetchItemBodySection{}
	msgs, err := c.Fetch(imap.UIDSetNum(2), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if len(msgs) != 1 || msgs[0].UID != 2 {
		t.Fatalf("fetch returned %d messages (%+v), want UID 2", len(msgs), msgs)
	}
	if got := msgs[0].FindBodySection(section); !bytes.Equal(got, testMessage(2)) {
		t.Fatalf("body of UID 2:\n%q\nwant\n%q", got, testMessage(2))
	}

	// Fetching BODY[] sets \Seen; mark UID 3 deleted too and see both.
	if err := c.Store(imap.UIDSetNum(3), &imap.StoreFlags{
		Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true,
	}, nil).Close(); err != nil {
		t.Fatalf("store: %v", err)
	}
	if !d.HasFlag(t, d.User, "INBOX", 2, `\Seen`) {
		t.Errorf("UID 2 not \\Seen after BODY[] fetch: %v", d.Flags(t, d.User, "INBOX"))
	}
	if !d.HasFlag(t, d.User, "INBOX", 3, `\Deleted`) || d.HasFlag(t, d.User, "INBOX", 1, `\Seen`) {
		t.Errorf("flags = %v, want UID 3 \\Deleted and UID 1 unseen", d.Flags(t, d.User, "INBOX"))
	}

	// A delivery while the client has INBOX selected gets the next UID and
	// the client hears of it.
	d.Deliver(t, d.User, "INBOX", testMessage(4))
	if err := c.Noop().Wait(); err != nil {
		t.Fatalf("noop: %v", err)
	}
	if n := c.Mailbox().NumMessages; n != 4 {
		t.Fatalf("after delivery the client sees %d messages, want 4", n)
	}
	if _, ok := d.Flags(t, d.User, "INBOX")[4]; !ok {
		t.Fatalf("no UID 4 after the fourth delivery: %v", d.Flags(t, d.User, "INBOX"))
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatalf("logout: %v", err)
	}

	// Wrong passwords are refused.
	c2 := dialPlain(t, d.Addr)
	if err := c2.Login(d.User, "wrong").Wait(); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
}

func TestDovecotUsersAndMailboxes(t *testing.T) {
	d := StartDovecot(t, DovecotOptions{
		Users:     []User{{"bob@example.org", "pa:ss word"}, {"carol", "c"}},
		Mailboxes: []string{"Archive", "Projects/Alpha"},
	})
	if d.User != "bob@example.org" || d.Password != "pa:ss word" {
		t.Fatalf("first user = %q/%q", d.User, d.Password)
	}
	d.Deliver(t, "carol", "Projects/Alpha", testMessage(1))
	d.Deliver(t, "carol", "New/Folder", testMessage(2)) // created on delivery
	if n := d.Count(t, "carol", "Projects/Alpha"); n != 1 {
		t.Fatalf("carol Projects/Alpha count = %d", n)
	}
	if n := d.Count(t, "bob@example.org", "Projects/Alpha"); n != 0 {
		t.Fatalf("bob Projects/Alpha count = %d", n)
	}

	c := dialPlain(t, d.Addr)
	login(t, c, d.User, d.Password)
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	for _, want := range []string{"INBOX", "Archive", "Projects/Alpha"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("LIST = %v, missing %s", names, want)
		}
	}

	old := d.Status(t, "carol", "Projects/Alpha").UIDValidity
	d.SetUIDValidity(t, "carol", "Projects/Alpha", old+7)
	if got := d.Status(t, "carol", "Projects/Alpha").UIDValidity; got != old+7 {
		t.Fatalf("UIDVALIDITY after SetUIDValidity = %d, want %d", got, old+7)
	}
}

func TestDovecotRestart(t *testing.T) {
	d := StartDovecot(t, DovecotOptions{})
	d.Deliver(t, d.User, "INBOX", testMessage(1))
	c := dialPlain(t, d.Addr)
	login(t, c, d.User, d.Password)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select: %v", err)
	}

	addr := d.Addr
	start := time.Now()
	d.Restart(t)
	t.Logf("Restart took %v", time.Since(start))
	if d.Addr != addr || !d.Running() {
		t.Fatalf("after restart Addr = %s (was %s), running %v", d.Addr, addr, d.Running())
	}
	// The old connection was closed by the server.
	if err := c.Noop().Wait(); err == nil {
		t.Fatal("NOOP on a connection from before the restart succeeded")
	}

	d.Deliver(t, d.User, "INBOX", testMessage(2))
	c2 := dialPlain(t, addr)
	login(t, c2, d.User, d.Password)
	sel2, err := c2.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select after restart: %v", err)
	}
	if sel2.NumMessages != 2 || sel2.UIDValidity != sel.UIDValidity {
		t.Fatalf("after restart: %d messages, UIDVALIDITY %d; want 2 and %d", sel2.NumMessages, sel2.UIDValidity, sel.UIDValidity)
	}

	d.Stop()
	if d.Running() {
		t.Fatal("Running after Stop")
	}
	if c3, err := imapclient.DialInsecure(addr, &imapclient.Options{}); err == nil {
		err = c3.Noop().Wait()
		c3.Close()
		if err == nil {
			t.Fatal("server still answers after Stop")
		}
	}
	d.Stop() // a second Stop is harmless
}

func TestDovecotTLS(t *testing.T) {
	d := StartDovecot(t, DovecotOptions{TLS: true})
	if d.TLSAddr == "" || d.RootCAs == nil {
		t.Fatalf("TLSAddr %q, RootCAs %v", d.TLSAddr, d.RootCAs)
	}
	d.Deliver(t, d.User, "INBOX", testMessage(1))
	tlsConf := &tls.Config{RootCAs: d.RootCAs}

	c, err := imapclient.DialTLS(d.TLSAddr, &imapclient.Options{TLSConfig: tlsConf})
	if err != nil {
		t.Fatalf("implicit TLS: %v", err)
	}
	defer c.Close()
	login(t, c, d.User, d.Password)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("select over TLS: %v, %+v", err, sel)
	}

	c2, err := imapclient.DialStartTLS(d.Addr, &imapclient.Options{TLSConfig: tlsConf})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c2.Close()
	login(t, c2, d.User, d.Password)

	// An unknown authority is refused.
	if c3, err := imapclient.DialTLS(d.TLSAddr, nil); err == nil {
		c3.Close()
		t.Fatal("TLS with the system roots succeeded against the test certificate")
	}

	// A crash and a quick restart: Kill resets connections at once.
	d.Kill()
	if d.Running() {
		t.Fatal("Running after Kill")
	}
	d.Restart(t)
	c4, err := imapclient.DialTLS(d.TLSAddr, &imapclient.Options{TLSConfig: tlsConf})
	if err != nil {
		t.Fatalf("implicit TLS after restart: %v", err)
	}
	defer c4.Close()
	login(t, c4, d.User, d.Password)
}

func TestSMTPAuthStartTLS(t *testing.T) {
	s := StartSMTP(t, SMTPOptions{Username: "sender", Password: "s3cret", TLS: true})

	c, err := smtp.DialStartTLS(s.Addr, &tls.Config{RootCAs: s.RootCAs})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()

	// MAIL before AUTH is refused.
	if err := c.Mail("a@example.org", nil); err == nil {
		t.Fatal("MAIL without AUTH accepted")
	} else if se := (*smtp.SMTPError)(nil); !errors.As(err, &se) || se.Code != 530 {
		t.Fatalf("MAIL without AUTH: %v, want 530", err)
	}
	if err := c.Auth(sasl.NewPlainClient("", "sender", "wrong")); err == nil {
		t.Fatal("AUTH with a wrong password accepted")
	}
	if err := c.Auth(sasl.NewPlainClient("", "sender", "s3cret")); err != nil {
		t.Fatalf("auth: %v", err)
	}
	msg := testMessage(1)
	if err := c.SendMail("a@example.org", []string{"b@example.org", "c@example.org"}, bytes.NewReader(msg)); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("quit: %v", err)
	}

	got := s.Wait(t, 1, 5*time.Second)
	m := got[0]
	if m.From != "a@example.org" || strings.Join(m.To, ",") != "b@example.org,c@example.org" ||
		m.Username != "sender" || !m.TLS || !bytes.Equal(m.Data, msg) {
		t.Fatalf("received %+v (data %q)", m, m.Data)
	}

	// Plain connections are not offered AUTH before STARTTLS.
	plain, err := smtp.Dial(s.Addr)
	if err != nil {
		t.Fatalf("dial plain: %v", err)
	}
	defer plain.Close()
	if err := plain.Hello("localhost"); err != nil {
		t.Fatalf("hello: %v", err)
	}
	if ok, _ := plain.Extension("AUTH"); ok {
		t.Error("AUTH offered on a plain connection of a TLS server")
	}

	// Implicit TLS works too.
	tc, err := smtp.DialTLS(s.TLSAddr, &tls.Config{RootCAs: s.RootCAs})
	if err != nil {
		t.Fatalf("dial implicit TLS: %v", err)
	}
	defer tc.Close()
	if err := tc.Auth(sasl.NewPlainClient("", "sender", "s3cret")); err != nil {
		t.Fatalf("auth over implicit TLS: %v", err)
	}
	if err := tc.SendMail("x@example.org", []string{"y@example.org"}, bytes.NewReader(msg)); err != nil {
		t.Fatalf("send over implicit TLS: %v", err)
	}
	if got := s.Wait(t, 2, 5*time.Second); got[1].From != "x@example.org" || !got[1].TLS {
		t.Fatalf("second message %+v", got[1])
	}
}

func TestSMTPFail(t *testing.T) {
	var calls atomic.Int32
	s := StartSMTP(t, SMTPOptions{Fail: func(from string, to []string) error {
		switch calls.Add(1) {
		case 1:
			return PermanentFailure("no such user")
		case 2:
			return TemporaryFailure("")
		}
		return nil
	}})
	send := func() error {
		c, err := smtp.Dial(s.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.SendMail("a@example.org", []string{"b@example.org"}, bytes.NewReader(testMessage(1)))
	}

	err := send()
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code/100 != 5 || se.Temporary() {
		t.Fatalf("first send: %v, want a permanent 5xx", err)
	}
	err = send()
	if !errors.As(err, &se) || se.Code/100 != 4 || !se.Temporary() {
		t.Fatalf("second send: %v, want a temporary 4xx", err)
	}
	if err := send(); err != nil {
		t.Fatalf("third send: %v", err)
	}
	if got := s.Wait(t, 1, 5*time.Second); len(got) != 1 || s.Attempts() != 3 {
		t.Fatalf("%d messages after %d attempts, want 1 after 3", len(got), s.Attempts())
	}
}

// Servers run side by side, and test names too long for Dovecot's socket
// paths or holding characters its config would expand still work.
func TestDovecotParallelOddNames(t *testing.T) {
	for _, name := range []string{
		"plain",
		strings.Repeat("long", 20),
		"percent %u and $dollar",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := StartDovecot(t, DovecotOptions{})
			d.Deliver(t, d.User, "INBOX", testMessage(1))
			c := dialPlain(t, d.Addr)
			login(t, c, d.User, d.Password)
			if sel, err := c.Select("INBOX", nil).Wait(); err != nil || sel.NumMessages != 1 {
				t.Fatalf("select: %v, %+v", err, sel)
			}
		})
	}
}

// fakeTB records how unavailable ends a test.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Fatal(args ...any) { f.fatal = fmt.Sprint(args...) }
func (f *fakeTB) Skip(args ...any)  { f.skip = fmt.Sprint(args...) }

func TestUnavailableFailsOnlyInCI(t *testing.T) {
	t.Setenv("CI", "true")
	f := &fakeTB{TB: t}
	unavailable(f, "dovecot not found; %s", installHint)
	if !strings.Contains(f.fatal, "dovecot-imapd") || f.skip != "" {
		t.Fatalf("with CI=true: fatal %q, skip %q", f.fatal, f.skip)
	}
	t.Setenv("CI", "")
	f = &fakeTB{TB: t}
	unavailable(f, "dovecot not found; %s", installHint)
	if !strings.Contains(f.skip, "dovecot-imapd") || f.fatal != "" {
		t.Fatalf("without CI: fatal %q, skip %q", f.fatal, f.skip)
	}
}
