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
)

// demoPassword signs in every demo user; the demo listens on loopback
// unless told otherwise, since its password is published.
const demoPassword = "searchdesk-demo"

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve")
	addr := fs.String("addr", "", "listen address (default :8080; 127.0.0.1:8080 with --demo)")
	data := fs.String("data", "", "data directory")
	demo := fs.Bool("demo", false, "load demo tickets and demo users into an empty data directory")
	mailOn := fs.Bool("mail", true, "poll the desks' mailboxes and send the outbox")
	config := fs.String("config", "", "config file of name = value lines (default $SEARCHDESK_CONFIG)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	secure := fs.Bool("secure-cookies", false, "mark the session cookie Secure (set when served over HTTPS)")
	adminEmail := fs.String("admin-email", "admin@localhost", "the first admin's address, made on first run")
	adminPassword := fs.String("admin-password", "", "the first admin's password (default: a random one, printed once)")
	shutdown := fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests may finish on shutdown")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := applySettings(fs, env, *config); err != nil {
		return err
	}
	log, err := newLogger(env, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	env = &cliEnv{stdout: env.stdout, stderr: env.stderr, getenv: env.getenv, log: log}
	if *addr == "" {
		*addr = ":8080"
		if *demo {
			*addr = "127.0.0.1:8080"
		}
	}
	st, closeStore, err := openIntakeStore(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	var signIn []string
	if *demo {
		n, err := loadDemo(ctx, st)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if n > 0 {
			log.Info("demo data loaded", "messages", n)
		}
		users, err := st.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			signIn = append(signIn, fmt.Sprintf("%s (%s)", u.Email, u.Role))
		}
		signIn = append(signIn, "password "+demoPassword)
	} else {
		if _, err := st.EnsureDesk(ctx, ""); err != nil {
			return err
		}
		line, err := firstAdmin(ctx, st, *adminEmail, *adminPassword)
		if err != nil {
			return err
		}
		if line != "" {
			signIn = append(signIn, line)
		}
	}
	idx, err := openIndex(ctx, env, *data, st)
	if err != nil {
		return err
	}
	defer func() {
		if err := idx.Close(); err != nil {
			log.Error("close index", "err", err)
		}
	}()
	followCtx, stopFollow := context.WithCancel(context.Background())
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		_ = idx.Run(followCtx)
	}()
	defer func() {
		stopFollow()
		<-followed
	}()
	if *mailOn {
		mailCtx, stopMail := context.WithCancel(ctx)
		mailDone := make(chan struct{})
		go func() {
			defer close(mailDone)
			_ = (&mail.Manager{Store: st, Log: log}).Run(mailCtx)
		}()
		defer func() {
			stopMail()
			<-mailDone
		}()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	server := sdhttp.NewServer(st, idx, log)
	server.SecureCookies = *secure
	server.Ready = func() error {
		if lag := st.LastSeq() - idx.Applied(); lag > 10000 {
			return fmt.Errorf("the index is %d changes behind the store", lag)
		}
		return nil
	}
	srv := &nethttp.Server{Handler: server.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute,
		BaseContext: func(net.Listener) context.Context { return context.Background() }}
	url := "http://" + displayAddr(ln.Addr())
	log.Info("listening", "addr", url)
	if len(signIn) > 0 {
		fmt.Fprintf(env.stderr, "\nsign in at %s/login as %s\n\n", url, strings.Join(signIn, ", "))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish (their writes included) before the store
	// and index close; new connections are refused meanwhile.
	log.Info("shutting down", "timeout", shutdown.String())
	shctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	if err := srv.Shutdown(shctx); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// displayAddr is a listen address as a browser would be pointed at it.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// newLogger builds the server's structured logger.
func newLogger(env *cliEnv, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: --log-level %q: want debug, info, warn or error", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(env.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(env.stderr, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log-format %q: want text or json", errUsage, format)
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
