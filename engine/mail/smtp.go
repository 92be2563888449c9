package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"searchdesk/engine"
)

// Sender sends the outbox over SMTP: at least once, in order of queueing,
// retrying temporary failures with exponential backoff and recording
// permanent ones on the ticket (invariant 4).
type Sender struct {
	Store    *engine.Store
	Log      *slog.Logger
	Timeouts Timeouts
	TLS      *tls.Config
	// Interval is how often the outbox is looked at when nothing wakes
	// the sender; default 2 s.
	Interval time.Duration
	// MaxAttempts: after this many temporary failures a mail is failed
	// for good; default 12 (about a day and a half of backoff).
	MaxAttempts int
	// Default is the SMTP server of desks that have none of their own.
	Default *engine.Server

	mu     sync.Mutex
	tokens map[string]*TokenSource
}

// Run sends due mail until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	for {
		if err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("outbox", "err", err)
		}
		if err := sleep(ctx, s.Interval); err != nil {
			return err
		}
	}
}

// defaults fills what the caller left zero.
func (s *Sender) defaults() {
	s.Timeouts.fill()
	if s.Interval <= 0 {
		s.Interval = 2 * time.Second
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 12
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

// SendDue sends every mail whose attempt is due.
func (s *Sender) SendDue(ctx context.Context) error {
	s.defaults()
	due, err := s.Store.DueOutbox(time.Now(), 100)
	if err != nil {
		return err
	}
	desks := map[string]*engine.Desk{}
	for _, ob := range due {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d, ok := desks[ob.DeskID]
		if !ok {
			desk, err := s.Store.Desk(ctx, ob.DeskID)
			if err != nil {
				return err
			}
			d = &desk
			desks[ob.DeskID] = d
		}
		if _, err := s.server(d); err != nil {
			continue // no server to send through: the mail waits, it does not fail
		}
		sendErr := s.send(ctx, d, ob)
		permanent := isPermanent(sendErr)
		if sendErr != nil && !permanent && ob.Attempts+1 >= s.MaxAttempts {
			sendErr = fmt.Errorf("gave up after %d attempts: %w", ob.Attempts+1, sendErr)
			permanent = true
		}
		retry := time.Now().Add(backoff(ob.Attempts, 30*time.Second, 6*time.Hour))
		if sendErr != nil {
			s.Log.Warn("outbox send", "mail", ob.ID, "ticket", ob.TicketID, "permanent", permanent, "err", sendErr)
		}
		if err := s.Store.OutboxResult(context.WithoutCancel(ctx), ob.ID, sendErr, permanent, retry); err != nil {
			return err
		}
	}
	return nil
}

// isPermanent: a 5xx reply is final; anything else is worth a retry.
func isPermanent(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

func (s *Sender) server(d *engine.Desk) (engine.Server, error) {
	if d.SMTP != nil {
		return *d.SMTP, nil
	}
	if s.Default != nil {
		return *s.Default, nil
	}
	return engine.Server{}, fmt.Errorf("desk %s has no SMTP server configured", d.Code)
}

// send delivers one mail to every recipient on To and Cc.
func (s *Sender) send(ctx context.Context, d *engine.Desk, ob engine.OutboxMail) error {
	srv, err := s.server(d)
	if err != nil {
		return err
	}
	conn, err := dial(ctx, srv, s.TLS, s.Timeouts.Dial)
	if err != nil {
		return err
	}
	var c *smtp.Client
	if srv.Security == engine.SecurityStartTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsConfig(srv, s.TLS))
		if err != nil {
			conn.Close()
			return fmt.Errorf("SMTP STARTTLS with %s: %w", srv.Addr(), err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout = s.Timeouts.Command
	c.SubmissionTimeout = 2 * s.Timeouts.Command
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if srv.User != "" {
		auth, err := s.auth(ctx, d, srv)
		if err != nil {
			return err
		}
		if err := c.Auth(auth); err != nil {
			return fmt.Errorf("SMTP AUTH at %s: %w", srv.Addr(), err)
		}
	}
	var rcpt []string
	for _, a := range append(append([]engine.Address{}, ob.To...), ob.Cc...) {
		rcpt = append(rcpt, a.Addr)
	}
	if err := c.SendMail(ob.From, rcpt, bytes.NewReader(ob.Raw)); err != nil {
		return fmt.Errorf("SMTP to %s: %w", srv.Addr(), err)
	}
	return c.Quit()
}

func (s *Sender) auth(ctx context.Context, d *engine.Desk, srv engine.Server) (sasl.Client, error) {
	if srv.OAuth2 != nil {
		s.mu.Lock()
		if s.tokens == nil {
			s.tokens = map[string]*TokenSource{}
		}
		ts := s.tokens[d.Code]
		if ts == nil {
			ts = &TokenSource{Store: s.Store, DeskCode: d.Code, Which: "smtp"}
			s.tokens[d.Code] = ts
		}
		s.mu.Unlock()
		tok, err := ts.Token(ctx)
		if err != nil {
			return nil, err
		}
		return NewXOAuth2Client(srv.User, tok), nil
	}
	pass, err := s.Store.Reveal(srv.Password)
	if err != nil {
		return nil, err
	}
	return sasl.NewPlainClient("", srv.User, pass), nil
}
