package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	nethttp "net/http"
	"strings"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/mail"
	sdhttp "searchdesk/http"
	"searchdesk/index"
)

// defaultShutdownTimeout is how long in-flight requests may finish when
// the server stops, unless --shutdown-timeout says otherwise.
const defaultShutdownTimeout = 15 * time.Second

// maxIndexLag is how many changes the index may be behind the store
// before /readyz reports the desk not ready.
const maxIndexLag = 10000

// Main is `searchdesk serve`: the store, the index and the follower that
// keeps it up to date, the mail workers and the HTTP server, wired from
// one serveConfig. Open opens and wires everything and listens, Run serves
// until its context ends, Close shuts down. Tests start the same wiring on
// 127.0.0.1:0 (MustRunMain in serve_test.go).
type Main struct {
	Config serveConfig

	// Store and Index are set by Open and cleared by Close.
	Store *engine.Store
	Index *index.Index

	env    *cliEnv
	ln     net.Listener
	url    string
	server *nethttp.Server

	stopFollow context.CancelFunc
	followed   chan struct{}
	stopMail   context.CancelFunc
	mailDone   chan struct{}
}

// NewMain returns a server of cfg that logs to env.log and prints to
// env.stderr; nothing is opened before Open.
func NewMain(env *cliEnv, cfg serveConfig) *Main {
	return &Main{Config: cfg, env: env}
}

// Open opens the store of Config.Data (loading the demo, or making the
// default desk and the first admin), opens the index, catches it up and
// follows the feed, listens on Config.Addr, and prints how to sign in. On
// error, what was opened is closed again.
func (m *Main) Open(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, m.Close())
		}
	}()
	x, err := childExtractor()
	if err != nil {
		return err
	}
	if m.Store, err = openStoreWith(m.env, dataDir(m.env, m.Config.Data), x); err != nil {
		return err
	}
	signIn, err := m.seed(ctx)
	if err != nil {
		return err
	}
	if m.Index, err = openIndex(ctx, m.env, m.Config.Data, m.Store); err != nil {
		return err
	}
	m.follow()
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return err
	}
	m.url = "http://" + displayAddr(m.ln.Addr())
	m.server = m.httpServer()
	// Connections wait in the listener's queue until Run serves them.
	m.env.log.Info("listening", "addr", m.url)
	if len(signIn) > 0 {
		fmt.Fprintf(m.env.stderr, "\nsign in at %s/login as %s\n\n", m.url, strings.Join(signIn, ", "))
	}
	return nil
}

// URL is the address Open listens on, as a browser is pointed at it
// (http://127.0.0.1:PORT when Config.Addr is 127.0.0.1:0).
func (m *Main) URL() string { return m.url }

// Run serves HTTP and runs the mail workers (when Config.Mail) until ctx
// ends or the listener fails. Call Close once Run has returned.
func (m *Main) Run(ctx context.Context) error {
	if m.server == nil {
		return errors.New("serve: Run before Open")
	}
	if m.Config.Mail {
		m.startMail(ctx)
	}
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Close shuts down in order: HTTP first (new connections are refused,
// in-flight requests finish, their writes included, within the shutdown
// timeout), then the mail workers and the follower, then the index, then
// Badger. It may be called after a failed Open, and more than once.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		timeout := m.Config.ShutdownTimeout
		if timeout <= 0 {
			timeout = defaultShutdownTimeout
		}
		m.env.log.Info("shutting down", "timeout", timeout.String())
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.server.Shutdown(ctx); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
			errs = append(errs, err)
		}
		cancel()
		m.server = nil
		defer m.env.log.Info("stopped")
	}
	if m.ln != nil {
		m.ln.Close() // already closed by Shutdown once Run has served
		m.ln = nil
	}
	m.stopWorkers()
	if m.Index != nil {
		if err := m.Index.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close index: %w", err))
		}
		m.Index = nil
	}
	if m.Store != nil {
		if err := m.Store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
		m.Store = nil
	}
	return errors.Join(errs...)
}

// seed loads the demo, or makes the default desk and the first admin, and
// returns how to sign in.
func (m *Main) seed(ctx context.Context) ([]string, error) {
	if m.Config.Demo {
		return seedDemo(ctx, m.Store, m.env.log)
	}
	if _, err := m.Store.EnsureDesk(ctx, ""); err != nil {
		return nil, err
	}
	line, err := firstAdmin(ctx, m.Store, m.Config.AdminEmail, m.Config.AdminPassword)
	if err != nil || line == "" {
		return nil, err
	}
	return []string{line}, nil
}

// seedDemo loads the demo into an empty store and returns the demo users
// with their password.
func seedDemo(ctx context.Context, st *engine.Store, log *slog.Logger) ([]string, error) {
	n, err := loadDemo(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		log.Info("demo data loaded", "messages", n)
	}
	users, err := st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var signIn []string
	for _, u := range users {
		signIn = append(signIn, fmt.Sprintf("%s (%s)", u.Email, u.Role))
	}
	return append(signIn, "password "+demoPassword), nil
}

// follow applies the change feed to the index until Close. It runs apart
// from Run's context, so requests still in flight at shutdown can wait for
// their writes to become searchable.
func (m *Main) follow() {
	ctx, stop := context.WithCancel(context.Background())
	m.stopFollow, m.followed = stop, make(chan struct{})
	go func(idx *index.Index, done chan struct{}) {
		defer close(done)
		_ = idx.Run(ctx)
	}(m.Index, m.followed)
}

// startMail runs the pollers and the outbox sender until ctx ends.
func (m *Main) startMail(ctx context.Context) {
	ctx, stop := context.WithCancel(ctx)
	m.stopMail, m.mailDone = stop, make(chan struct{})
	go func(mgr *mail.Manager, done chan struct{}) {
		defer close(done)
		_ = mgr.Run(ctx)
	}(&mail.Manager{Store: m.Store, Log: m.env.log}, m.mailDone)
}

// stopWorkers stops the mail workers, then the follower, and waits for
// them.
func (m *Main) stopWorkers() {
	if m.stopMail != nil {
		m.stopMail()
		<-m.mailDone
		m.stopMail = nil
	}
	if m.stopFollow != nil {
		m.stopFollow()
		<-m.followed
		m.stopFollow = nil
	}
}

// httpServer is the HTTP server of the UI and the API over the store and
// the index.
func (m *Main) httpServer() *nethttp.Server {
	st, idx := m.Store, m.Index
	server := sdhttp.NewServer(st, idx, m.env.log)
	server.SecureCookies = m.Config.SecureCookies
	server.SearchDeadline = m.Config.SearchDeadline
	server.TrustedProxies = m.Config.TrustedProxies
	server.Ready = func() error {
		if lag := st.LastSeq() - idx.Applied(); lag > maxIndexLag {
			return fmt.Errorf("the index is %d changes behind the store", lag)
		}
		return nil
	}
	return &nethttp.Server{Handler: server.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.Background() }}
}

// firstAdmin makes the first admin when the store has no users and returns
// how to sign in; "" when there were users already.
func firstAdmin(ctx context.Context, st *engine.Store, email, password string) (string, error) {
	users, err := st.Users(ctx)
	if err != nil || len(users) > 0 {
		return "", err
	}
	shown := ""
	if password == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
		shown = " with password " + password + " (shown once: change it after signing in)"
	}
	if _, err := engine.HashPassword(password); err != nil {
		return "", fmt.Errorf("--admin-password: %w", err)
	}
	u, err := st.AddUser(ctx, engine.User{Email: email, Name: "Admin", Role: engine.RoleAdmin})
	if err != nil {
		return "", fmt.Errorf("first admin: %w", err)
	}
	if err := st.SetPassword(ctx, u.ID, password); err != nil {
		return "", err
	}
	return u.Email + " (admin)" + shown, nil
}
