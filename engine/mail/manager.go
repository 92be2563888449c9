package mail

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"searchdesk/engine"
)

// Manager runs a poller for every enabled mailbox of every desk and one
// outbox sender, and follows changes of the desks' mail settings.
type Manager struct {
	Store    *engine.Store
	Log      *slog.Logger
	Timeouts Timeouts
	TLS      *tls.Config
	// Rescan is how often the desks are read again; default 30 s.
	Rescan time.Duration
	// Sender sends the outbox; nil: one with defaults.
	Sender *Sender

	mu      sync.Mutex
	running map[string]context.CancelFunc // by mailbox id + settings
	wg      sync.WaitGroup
}

// Run starts and stops pollers as the desks change, until ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.DiscardHandler)
	}
	if m.Rescan <= 0 {
		m.Rescan = 30 * time.Second
	}
	if m.Sender == nil {
		m.Sender = &Sender{Store: m.Store, Log: m.Log, Timeouts: m.Timeouts, TLS: m.TLS}
	}
	m.running = map[string]context.CancelFunc{}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		_ = m.Sender.Run(ctx)
	}()
	for {
		m.scan(ctx)
		if err := sleep(ctx, m.Rescan); err != nil {
			break
		}
	}
	m.wg.Wait()
	return ctx.Err()
}

func (m *Manager) scan(ctx context.Context) {
	desks, err := m.Store.Desks(ctx)
	if err != nil {
		m.Log.Error("mail: read desks", "err", err)
		return
	}
	want := map[string]bool{}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range desks {
		for _, box := range d.Mailboxes {
			if box.Disabled {
				continue
			}
			b, _ := json.Marshal(box) // any change of the settings restarts the poller
			k := d.Code + "/" + string(b)
			want[k] = true
			if m.running[k] != nil {
				continue
			}
			pctx, cancel := context.WithCancel(ctx)
			m.running[k] = cancel
			p := &Poller{Store: m.Store, DeskCode: d.Code, Box: box, Log: m.Log, Timeouts: m.Timeouts, TLS: m.TLS}
			if box.Server.OAuth2 != nil {
				p.Tokens = &TokenSource{Store: m.Store, DeskCode: d.Code, Which: box.ID}
			}
			m.Log.Info("mailbox polling", "desk", d.Code, "mailbox", box.ID, "server", box.Server.Addr(), "folder", box.Folder)
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				_ = p.Run(pctx)
			}()
		}
	}
	for k, cancel := range m.running {
		if !want[k] {
			cancel()
			delete(m.running, k)
		}
	}
}
