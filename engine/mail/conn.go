// Package mail connects desks to mail servers: a poller per IMAP mailbox
// that feeds engine.Intake, and a worker that sends the outbox over SMTP.
// Every network step has a deadline; failures back off with jitter.
package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"searchdesk/engine"
)

// Timeouts bounds each network step (REL-06 in docs/security.md).
type Timeouts struct {
	Dial    time.Duration // TCP connect and TLS handshake
	Command time.Duration // one IMAP or SMTP command
	// Idle is how long one IDLE lasts before it is renewed: under the
	// 29 minutes after which servers may drop an idle client (RFC 2177).
	Idle time.Duration
}

func (t *Timeouts) fill() {
	if t.Dial <= 0 {
		t.Dial = 20 * time.Second
	}
	if t.Command <= 0 {
		t.Command = 60 * time.Second
	}
	if t.Idle <= 0 {
		t.Idle = 25 * time.Minute
	}
}

// dial opens a TCP connection, with implicit TLS when the server wants it.
func dial(ctx context.Context, srv engine.Server, tcfg *tls.Config, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if srv.Security == engine.SecurityTLS {
		td := tls.Dialer{NetDialer: &d, Config: tlsConfig(srv, tcfg)}
		c, err := td.DialContext(ctx, "tcp", srv.Addr())
		if err != nil {
			return nil, fmt.Errorf("connect %s (TLS): %w", srv.Addr(), err)
		}
		return c, nil
	}
	c, err := d.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", srv.Addr(), err)
	}
	return c, nil
}

// tlsConfig is base (nil: system roots) for the server's host name.
func tlsConfig(srv engine.Server, base *tls.Config) *tls.Config {
	var c *tls.Config
	if base != nil {
		c = base.Clone()
	} else {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = srv.Host
	}
	c.MinVersion = tls.VersionTLS12
	if srv.InsecureSkipVerify {
		c.InsecureSkipVerify = true
	}
	return c
}

// backoff is the wait before attempt n (0-based) with full jitter, from
// base up to max.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// secrets resolves a server's password or OAuth 2 access token.
type secrets interface {
	Reveal(engine.Secret) (string, error)
}
