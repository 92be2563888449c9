package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPOptions configures StartSMTP. The zero value accepts every message
// from anyone over plain SMTP.
type SMTPOptions struct {
	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN and refuse MAIL FROM before a successful AUTH (530).
	Username string
	Password string
	// TLS offers STARTTLS on Addr and listens with implicit TLS on TLSAddr,
	// with a certificate that RootCAs verifies. With TLS, AUTH is only
	// offered once the connection is encrypted, unless InsecureAuth is set;
	// without TLS, AUTH is allowed in the clear.
	TLS          bool
	InsecureAuth bool
	// Fail, when set, is asked about every message once its data has been
	// received; a non-nil error refuses the message and is the server's
	// answer to DATA. Return an *smtp.SMTPError to choose the code:
	// TemporaryFailure (4xx) or PermanentFailure (5xx) make them.
	Fail func(from string, to []string) error
	// MaxMessageBytes, when positive, refuses larger messages (552).
	MaxMessageBytes int64
}

// Received is one message the SMTP server accepted.
type Received struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO), in order
	Data     []byte   // the message as sent after DATA, dot-unstuffed
	Username string   // the AUTH user, "" without AUTH
	TLS      bool     // whether the connection was encrypted
}

// SMTPServer is a running SMTP server for one test.
type SMTPServer struct {
	// Addr is host:port of the plain listener (STARTTLS when TLS).
	Addr string
	// TLSAddr is host:port of the implicit-TLS listener; empty without TLS.
	TLSAddr string
	// RootCAs verifies the server certificate; nil without TLS.
	RootCAs *x509.CertPool

	opts   SMTPOptions
	server *smtp.Server
	log    syncBuffer

	mu       sync.Mutex
	messages []Received
	attempts int
	changed  chan struct{} // closed and replaced whenever messages grows
	closed   bool
}

// StartSMTP starts an SMTP server on 127.0.0.1 that records what it accepts,
// and closes it when the test ends.
func StartSMTP(t testing.TB, opts SMTPOptions) *SMTPServer {
	t.Helper()
	s := &SMTPServer{opts: opts, changed: make(chan struct{}), log: syncBuffer{limit: 1 << 20}}

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.MaxRecipients = 100
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.AllowInsecureAuth = !opts.TLS || opts.InsecureAuth
	srv.ErrorLog = smtpLogger{&s.log}
	srv.Debug = &s.log
	var tlsConf *tls.Config
	if opts.TLS {
		tlsConf, s.RootCAs = TLSConfig(t)
		srv.TLSConfig = tlsConf
	}
	s.server = srv

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: smtp listen: %v", err)
	}
	s.Addr = l.Addr().String()
	listeners := []net.Listener{l}
	if opts.TLS {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			l.Close()
			t.Fatalf("mailtest: smtp listen: %v", err)
		}
		s.TLSAddr = tl.Addr().String()
		listeners = append(listeners, tls.NewListener(tl, tlsConf))
	}
	var wg sync.WaitGroup
	for _, l := range listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
				fmt.Fprintf(&s.log, "mailtest: serve %s: %v\n", l.Addr(), err)
			}
		}()
	}
	t.Cleanup(func() {
		s.Close()
		wg.Wait()
		if t.Failed() {
			t.Logf("mailtest: smtp server log:\n%s", s.Log())
		}
	})
	return s
}

// Close stops the server and closes open connections; it is safe to call
// more than once.
func (s *SMTPServer) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	_ = s.server.Close()
}

// Messages returns a copy of the messages accepted so far, in order.
func (s *SMTPServer) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneReceived(s.messages)
}

// Attempts returns how many messages reached the end of DATA, accepted or
// refused by Fail.
func (s *SMTPServer) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Reset forgets the messages accepted so far.
func (s *SMTPServer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = nil
	s.attempts = 0
}

// Wait waits until at least n messages were accepted and returns them all;
// after timeout it fails the test, listing what did arrive.
func (s *SMTPServer) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.messages) >= n {
			msgs := cloneReceived(s.messages)
			s.mu.Unlock()
			return msgs
		}
		changed := s.changed
		got := cloneReceived(s.messages)
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			var b strings.Builder
			for i, m := range got {
				fmt.Fprintf(&b, "  %d: from %q to %q, %d bytes\n", i+1, m.From, m.To, len(m.Data))
			}
			t.Fatalf("mailtest: waited %v for %d SMTP messages, %d arrived:\n%s", timeout, n, len(got), b.String())
		}
	}
}

// Log returns the server's protocol trace and errors.
func (s *SMTPServer) Log() string { return s.log.String() }

// TemporaryFailure is a 451 4.3.0 reply, for SMTPOptions.Fail: the client
// should try again later.
func TemporaryFailure(msg string) *smtp.SMTPError {
	if msg == "" {
		msg = "Temporary failure, try again later"
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: msg}
}

// PermanentFailure is a 554 5.7.1 reply, for SMTPOptions.Fail: the client
// must not try again.
func PermanentFailure(msg string) *smtp.SMTPError {
	if msg == "" {
		msg = "Message refused"
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: msg}
}

func cloneReceived(in []Received) []Received {
	out := make([]Received, len(in))
	for i, m := range in {
		m.To = slices.Clone(m.To)
		m.Data = slices.Clone(m.Data)
		out[i] = m
	}
	return out
}

func (s *SMTPServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	sess := &session{server: s, tls: isTLS}
	if s.opts.Username != "" {
		return &authSession{sess}, nil
	}
	return sess, nil
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

type session struct {
	server   *SMTPServer
	tls      bool
	username string
	authed   bool
	from     string
	to       []string
}

func (s *session) Reset() {
	s.from = ""
	s.to = nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.opts.Username != "" && !s.authed {
		return errAuthRequired
	}
	s.from = from
	s.to = nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	srv := s.server
	srv.mu.Lock()
	srv.attempts++
	srv.mu.Unlock()
	if srv.opts.Fail != nil {
		if err := srv.opts.Fail(s.from, slices.Clone(s.to)); err != nil {
			return err
		}
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.messages = append(srv.messages, Received{
		From:     s.from,
		To:       slices.Clone(s.to),
		Data:     data,
		Username: s.username,
		TLS:      s.tls,
	})
	close(srv.changed)
	srv.changed = make(chan struct{})
	return nil
}

// authSession adds AUTH PLAIN to a session.
type authSession struct{ *session }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) ||
			username != s.server.opts.Username || password != s.server.opts.Password {
			return smtp.ErrAuthFailed
		}
		s.username = username
		s.authed = true
		return nil
	}), nil
}

// smtpLogger sends go-smtp's error log to the server's log.
type smtpLogger struct{ w io.Writer }

func (l smtpLogger) Printf(format string, v ...any) { fmt.Fprintf(l.w, format+"\n", v...) }
func (l smtpLogger) Println(v ...any)               { fmt.Fprintln(l.w, v...) }
