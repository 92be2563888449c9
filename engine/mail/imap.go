package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"searchdesk/engine"
)

// Poller takes mail from one IMAP mailbox into a desk. It is idempotent by
// UIDVALIDITY+UID (and, below that, by Message-ID): a message is flagged,
// moved or deleted on the server only after Intake has made it durable,
// and a crash anywhere in between stores it once.
type Poller struct {
	Store    *engine.Store
	DeskCode string
	Box      engine.Mailbox
	Log      *slog.Logger
	Timeouts Timeouts
	// TLS is the base TLS configuration (root CAs in tests); nil: system.
	TLS *tls.Config
	// MaxTries: a message whose intake fails this often is stored raw,
	// quarantined, and skipped (REL-07). Default 3.
	MaxTries int
	// Tokens gives XOAUTH2 access tokens when the server uses OAuth 2.
	Tokens *TokenSource
	// OnBatch, when set, is called after each message is taken in
	// (tests use it to stop the process mid-batch).
	OnBatch func(uid uint32)
}

// Run polls until ctx ends, reconnecting with backoff and jitter.
func (p *Poller) Run(ctx context.Context) error {
	p.Timeouts.fill()
	if p.MaxTries <= 0 {
		p.MaxTries = 3
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	fails := 0
	for ctx.Err() == nil {
		progressed, err := p.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if progressed {
			fails = 0
		}
		if err != nil {
			p.Log.Warn("imap mailbox", "desk", p.DeskCode, "mailbox", p.Box.ID, "err", err)
			p.health(ctx, func(st *engine.MailboxState) {
				st.LastError, st.LastErrorAt = err.Error(), time.Now().UTC()
			})
			_ = sleep(ctx, backoff(fails, time.Second, 5*time.Minute))
			fails++
		}
	}
	return ctx.Err()
}

// session is one connection: select the folder, take in everything new,
// then wait for more (IDLE, or polling) until an error.
func (p *Poller) session(ctx context.Context) (progressed bool, err error) {
	wake := make(chan struct{}, 1)
	c, err := p.connect(ctx, wake)
	if err != nil {
		return false, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()

	var sel *imap.SelectData
	if err := p.do(c, "SELECT", func() (err error) {
		sel, err = c.Select(p.Box.Folder, nil).Wait()
		return err
	}); err != nil {
		return false, err
	}
	st, err := p.Store.MailboxState(p.Box.ID)
	if err != nil {
		return false, err
	}
	if st.UIDValidity != sel.UIDValidity {
		// A new UIDVALIDITY invalidates every UID (REL-08): start over;
		// Message-ID and content hashes keep what is stored from doubling.
		if st.UIDValidity != 0 {
			p.Log.Warn("imap UIDVALIDITY changed", "mailbox", p.Box.ID, "old", st.UIDValidity, "new", sel.UIDValidity)
		}
		st.UIDValidity, st.LastUID, st.Tries = sel.UIDValidity, 0, nil
		if err := p.Store.SaveMailboxState(ctx, p.DeskCode, st); err != nil {
			return false, err
		}
	}
	for ctx.Err() == nil {
		n, err := p.drain(ctx, c, &st)
		if n > 0 {
			progressed = true
		}
		if err != nil {
			return progressed, err
		}
		if err := p.wait(ctx, c, wake); err != nil {
			return progressed, err
		}
	}
	return progressed, nil
}

// connect dials, upgrades to TLS where configured, and signs in.
func (p *Poller) connect(ctx context.Context, wake chan struct{}) (*imapclient.Client, error) {
	srv := p.Box.Server
	conn, err := dial(ctx, srv, p.TLS, p.Timeouts.Dial)
	if err != nil {
		return nil, err
	}
	notify := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	opts := &imapclient.Options{
		TLSConfig: tlsConfig(srv, p.TLS),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					notify()
				}
			},
		},
	}
	// The greeting (and STARTTLS) run under the command deadline and
	// end with ctx: the client library's own read timeouts are longer.
	var fired atomic.Bool
	timer := time.AfterFunc(p.Timeouts.Command, func() { fired.Store(true); conn.Close() })
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	var c *imapclient.Client
	if srv.Security == engine.SecurityStartTLS {
		c, err = imapclient.NewStartTLS(conn, opts)
	} else {
		c = imapclient.New(conn, opts)
		err = c.WaitGreeting()
	}
	timer.Stop()
	stop()
	if fired.Load() {
		err = fmt.Errorf("no greeting within %s", p.Timeouts.Command)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("IMAP greeting from %s: %w", srv.Addr(), err)
	}
	err = p.do(c, "LOGIN", func() error { return p.login(ctx, c) })
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (p *Poller) login(ctx context.Context, c *imapclient.Client) error {
	srv := p.Box.Server
	if srv.OAuth2 != nil && p.Tokens != nil {
		tok, err := p.Tokens.Token(ctx)
		if err != nil {
			return err
		}
		return c.Authenticate(NewXOAuth2Client(srv.User, tok))
	}
	pass, err := p.Store.Reveal(srv.Password)
	if err != nil {
		return err
	}
	if c.Caps().Has(imap.AuthCap(sasl.Plain)) {
		return c.Authenticate(sasl.NewPlainClient("", srv.User, pass))
	}
	return c.Login(srv.User, pass).Wait()
}

// do runs one command under the command deadline: on expiry the connection
// is closed, which ends the command with an error.
func (p *Poller) do(c *imapclient.Client, what string, fn func() error) error {
	var fired atomic.Bool
	t := time.AfterFunc(p.Timeouts.Command, func() { fired.Store(true); c.Close() })
	err := fn()
	t.Stop()
	if fired.Load() {
		return fmt.Errorf("IMAP %s: no answer within %s", what, p.Timeouts.Command)
	}
	if err != nil {
		return fmt.Errorf("IMAP %s: %w", what, err)
	}
	return nil
}

// pending lists the UIDs above st.LastUID with their sizes, in order.
func (p *Poller) pending(c *imapclient.Client, st *engine.MailboxState) ([]*imapclient.FetchMessageBuffer, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(st.LastUID+1), 0) // LastUID+1:*
	var msgs []*imapclient.FetchMessageBuffer
	err := p.do(c, "FETCH sizes", func() (err error) {
		msgs, err = c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		return err
	})
	if err != nil {
		return nil, err
	}
	// "n:*" names the last message even when its UID is below n.
	msgs = slices.DeleteFunc(msgs, func(m *imapclient.FetchMessageBuffer) bool { return uint32(m.UID) <= st.LastUID })
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	return msgs, nil
}

// drain takes in every pending message, in UID order.
func (p *Poller) drain(ctx context.Context, c *imapclient.Client, st *engine.MailboxState) (int, error) {
	msgs, err := p.pending(c, st)
	if err != nil {
		return 0, err
	}
	done := 0
	for i, m := range msgs {
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		st.Lag = len(msgs) - i
		if err := p.take(ctx, c, st, uint32(m.UID), m.RFC822Size); err != nil {
			return done, err
		}
		done++
		if p.OnBatch != nil {
			p.OnBatch(uint32(m.UID))
		}
	}
	st.Lag = 0
	st.LastSuccess = time.Now().UTC()
	st.LastError = ""
	return done, p.Store.SaveMailboxState(ctx, p.DeskCode, *st)
}

// take fetches, stores and acknowledges one message.
func (p *Poller) take(ctx context.Context, c *imapclient.Client, st *engine.MailboxState, uid uint32, size int64) error {
	uids := imap.UIDSetNum(imap.UID(uid))
	section := &imap.FetchItemBodySection{Peek: true}
	oversized := size > p.Box.MaxBytes
	if oversized { // DOS-01: the header only, quarantined
		section.Specifier = imap.PartSpecifierHeader
	}
	var raw []byte
	err := p.do(c, "FETCH body", func() error {
		msgs, err := c.Fetch(uids, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return err
		}
		if len(msgs) == 0 || len(msgs[0].BodySection) == 0 {
			return errMissing
		}
		raw = msgs[0].BodySection[0].Bytes
		return nil
	})
	if errors.Is(err, errMissing) { // expunged meanwhile by someone else
		return p.commit(ctx, c, st, uid, false)
	}
	if err != nil {
		return err
	}
	in := engine.Inbound{Desk: p.DeskCode, Raw: raw, Channel: "email", Truncated: oversized,
		Source: fmt.Sprintf("imap:%s/%d/%d", p.Box.ID, st.UIDValidity, uid),
		IMAP:   &engine.IMAPRef{Mailbox: p.Box.ID, UIDValidity: st.UIDValidity, UID: uid}}
	if tries := st.Tries[uid]; tries >= p.MaxTries {
		in.NoParse = true
		in.Problem = fmt.Sprintf("intake failed %d times", tries)
	}
	res, err := p.intake(ctx, in)
	if err != nil {
		if st.Tries == nil {
			st.Tries = map[uint32]int{}
		}
		st.Tries[uid]++
		p.Log.Error("imap intake", "mailbox", p.Box.ID, "uid", uid, "try", st.Tries[uid], "err", err)
		if serr := p.Store.SaveMailboxState(ctx, p.DeskCode, *st); serr != nil {
			return serr
		}
		return fmt.Errorf("intake of UID %d: %w", uid, err)
	}
	if in.NoParse {
		st.Skipped++
	}
	p.Log.Info("imap message", "desk", p.DeskCode, "uid", uid, "outcome", res.Outcome, "ticket", res.TicketNumber, "rule", res.Reason.Rule)
	return p.commit(ctx, c, st, uid, true)
}

var errMissing = errors.New("message is gone")

// intake runs engine.Intake, turning a panic into an error (REL-07).
func (p *Poller) intake(ctx context.Context, in engine.Inbound) (res engine.IntakeResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return p.Store.Intake(ctx, in)
}

// commit acknowledges a stored message on the server, then records its UID.
func (p *Poller) commit(ctx context.Context, c *imapclient.Client, st *engine.MailboxState, uid uint32, stored bool) error {
	uids := imap.UIDSetNum(imap.UID(uid))
	if stored {
		err := p.do(c, "acknowledge", func() error {
			switch p.Box.After {
			case engine.AfterMove:
				_, err := c.Move(uids, p.Box.MoveTo).Wait()
				return err
			case engine.AfterDelete:
				err := c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
				if err != nil {
					return err
				}
				if c.Caps().Has(imap.CapUIDPlus) {
					return c.UIDExpunge(uids).Close()
				}
				return c.Expunge().Close()
			default:
				return c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
			}
		})
		if err != nil {
			return err
		}
		st.Stored++
	}
	st.LastUID = uid
	delete(st.Tries, uid)
	return p.Store.SaveMailboxState(ctx, p.DeskCode, *st)
}

// wait returns when new mail may have arrived: through IDLE when the server
// has it (renewed before servers drop idle clients), by polling otherwise.
func (p *Poller) wait(ctx context.Context, c *imapclient.Client, wake chan struct{}) error {
	poll := time.Duration(p.Box.PollSeconds) * time.Second
	if !c.Caps().Has(imap.CapIdle) {
		if err := sleep(ctx, poll); err != nil {
			return err
		}
		return p.do(c, "NOOP", func() error { return c.Noop().Wait() })
	}
	var idle *imapclient.IdleCommand
	if err := p.do(c, "IDLE", func() (err error) { idle, err = c.Idle(); return err }); err != nil {
		return err
	}
	t := time.NewTimer(p.Timeouts.Idle)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	case <-c.Closed():
	}
	return p.do(c, "DONE", func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	})
}

// health updates the mailbox's health record.
func (p *Poller) health(ctx context.Context, fn func(*engine.MailboxState)) {
	st, err := p.Store.MailboxState(p.Box.ID)
	if err != nil {
		return
	}
	fn(&st)
	_ = p.Store.SaveMailboxState(context.WithoutCancel(ctx), p.DeskCode, st)
}
