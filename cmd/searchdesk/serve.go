package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"searchdesk/index"
)

// demoPassword signs in every demo user; the demo listens on loopback
// unless told otherwise, since its password is published.
const demoPassword = "searchdesk-demo"

// serveConfig is what `searchdesk serve` runs with: flags over
// SEARCHDESK_* variables over the config file over defaults (config.go).
type serveConfig struct {
	Addr            string // listen address; host:0 picks a free port
	Data            string // --data as given ("" for $SEARCHDESK_DATA or the default)
	Demo            bool   // load demo tickets and users into an empty store
	Mail            bool   // poll the desks' mailboxes and send the outbox
	SecureCookies   bool
	AdminEmail      string // the first admin, made on first run without Demo
	AdminPassword   string // "" for a random one, printed once
	ShutdownTimeout time.Duration
	SearchDeadline  time.Duration // how long one search may run before it is refused
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the
	// client (IPs or CIDRs); none by default.
	TrustedProxies []string
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	cfg, log, err := serveSettings(env, args)
	if err != nil {
		return err
	}
	m := NewMain(&cliEnv{stdout: env.stdout, stderr: env.stderr, getenv: env.getenv, log: log}, cfg)
	if err := m.Open(ctx); err != nil {
		return err
	}
	runErr := m.Run(ctx)
	return errors.Join(runErr, m.Close())
}

// serveSettings reads the flags of serve, fills the rest from the
// environment and the config file, and builds the logger they ask for.
func serveSettings(env *cliEnv, args []string) (serveConfig, *slog.Logger, error) {
	var cfg serveConfig
	fs := newFlags(env, "serve")
	fs.StringVar(&cfg.Addr, "addr", "", "listen address (default :8080; 127.0.0.1:8080 with --demo)")
	fs.StringVar(&cfg.Data, "data", "", "data directory")
	fs.BoolVar(&cfg.Demo, "demo", false, "load demo tickets and demo users into an empty data directory")
	fs.BoolVar(&cfg.Mail, "mail", true, "poll the desks' mailboxes and send the outbox")
	config := fs.String("config", "", "config file of name = value lines (default $SEARCHDESK_CONFIG)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", false, "mark the session cookie Secure (set when served over HTTPS)")
	fs.StringVar(&cfg.AdminEmail, "admin-email", "admin@localhost", "the first admin's address, made on first run")
	fs.StringVar(&cfg.AdminPassword, "admin-password", "", "the first admin's password (default: a random one, printed once)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", defaultShutdownTimeout, "how long in-flight requests may finish on shutdown")
	fs.DurationVar(&cfg.SearchDeadline, "search-deadline", index.DefaultDeadline, "how long one search may run before it is refused as too broad")
	proxies := fs.String("trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For names the client")
	if err := parseFlags(fs, args); err != nil {
		return cfg, nil, err
	}
	if err := applySettings(fs, env, *config); err != nil {
		return cfg, nil, err
	}
	trusted, err := parseProxies(*proxies)
	if err != nil {
		return cfg, nil, err
	}
	cfg.TrustedProxies = trusted
	if cfg.SearchDeadline <= 0 {
		return cfg, nil, fmt.Errorf("%w: --search-deadline %v: want a positive duration", errUsage, cfg.SearchDeadline)
	}
	log, err := newLogger(env, *logFormat, *logLevel)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.Addr == "" {
		cfg.Addr = ":8080"
		if cfg.Demo {
			cfg.Addr = "127.0.0.1:8080"
		}
	}
	return cfg, log, nil
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

// parseProxies reads --trusted-proxies: IPs or CIDRs, comma-separated.
func parseProxies(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("%w: --trusted-proxies: %q is not an IP address or CIDR", errUsage, p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}
