package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	nethttp "net/http"
	"net/http/cookiejar"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"searchdesk/engine"
)

// lockedBuffer is an io.Writer that the server writes to while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startMain opens and runs the real serve wiring of cfg, by default on
// 127.0.0.1:0 with a t.TempDir() data directory and without mail, and
// returns it with a func that stops it (Run's context ends, then Close)
// and reports what went wrong. What it prints goes to stderr.
func startMain(t testing.TB, cfg serveConfig, stderr io.Writer) (*Main, func()) {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Data == "" {
		cfg.Data = t.TempDir()
	}
	if cfg.AdminEmail == "" {
		cfg.AdminEmail = "admin@localhost"
	}
	env := &cliEnv{stdout: io.Discard, stderr: stderr, getenv: func(string) string { return "" }, log: discardLogger()}
	m := NewMain(env, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		t.Fatalf("serve: open: %v", err)
	}
	ran := make(chan error, 1)
	go func() { ran <- m.Run(ctx) }()
	var once sync.Once
	return m, func() {
		once.Do(func() {
			cancel()
			if err := <-ran; err != nil {
				t.Errorf("serve: run: %v", err)
			}
			if err := m.Close(); err != nil {
				t.Errorf("serve: close: %v", err)
			}
		})
	}
}

// MustRunMain starts the real serve wiring of cfg (see startMain) and
// stops it when the test ends.
func MustRunMain(t testing.TB, cfg serveConfig) *Main {
	t.Helper()
	m, stop := startMain(t, cfg, io.Discard)
	t.Cleanup(stop)
	return m
}

// apiClient is a client of one server that keeps its session cookie.
type apiClient struct {
	t   testing.TB
	url string
	hc  *nethttp.Client
}

func newAPIClient(t testing.TB, url string) *apiClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &apiClient{t: t, url: url, hc: &nethttp.Client{Jar: jar, Timeout: time.Minute}}
}

// signIn signs in through the API and returns the status code.
func (c *apiClient) signIn(email, password string) int {
	c.t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := c.hc.Post(c.url+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// get fetches path and decodes its JSON into v, failing the test unless
// the answer is 200.
func (c *apiClient) get(path string, v any) {
	c.t.Helper()
	resp, err := c.hc.Get(c.url + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		c.t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
}

// TestMainFirstAdmin: without --demo, the first start makes the default
// desk and an admin with a random password printed once; a restart on the
// same data directory makes no second admin and prints no password; Close
// releases the port and the store.
func TestMainFirstAdmin(t *testing.T) {
	data := t.TempDir()
	var out lockedBuffer
	m, stop := startMain(t, serveConfig{Data: data, AdminEmail: "boss@desk.example.com"}, &out)
	pw := regexp.MustCompile(`boss@desk\.example\.com \(admin\) with password (\S+) `).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("no sign-in line with a password in %q", out.String())
	}
	c := newAPIClient(t, m.URL())
	if got := c.signIn("boss@desk.example.com", "wrong-password"); got != 401 {
		t.Errorf("sign-in with a wrong password: status %d, want 401", got)
	}
	if got := c.signIn("boss@desk.example.com", pw[1]); got != 200 {
		t.Fatalf("sign-in with the printed password: status %d", got)
	}
	var ready map[string]any
	c.get("/readyz", &ready) // the Ready check of the wiring: the index has caught up
	if ready["status"] != "ready" {
		t.Errorf("readyz: got %v", ready)
	}
	url := m.URL()
	stop()
	if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", url)
	}

	// Close released Badger's lock: the same directory opens again.
	var again lockedBuffer
	m2, stop2 := startMain(t, serveConfig{Data: data, AdminEmail: "other@desk.example.com"}, &again)
	defer stop2()
	if strings.Contains(again.String(), "sign in") {
		t.Errorf("restart printed a sign-in line: %q", again.String())
	}
	users, err := m2.Store.Users(context.Background())
	if err != nil || len(users) != 1 || users[0].Email != "boss@desk.example.com" {
		t.Errorf("users after restart: %v, %v; want only the first admin", users, err)
	}
	if _, err := m2.Store.DeskByCode(context.Background(), engine.DefaultDeskCode); err != nil {
		t.Errorf("default desk: %v", err)
	}
	if got := newAPIClient(t, m2.URL()).signIn("boss@desk.example.com", pw[1]); got != 200 {
		t.Errorf("sign-in after restart: status %d", got)
	}
}

// TestServeCommand runs `searchdesk serve` as the binary does: flags into
// Main, the address it listens on in the log, a request, then a graceful
// stop when the context ends (SIGINT or SIGTERM in the binary), exit 0.
func TestServeCommand(t *testing.T) {
	var stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--mail=false",
			"--admin-password", "a-long-enough-password"}, io.Discard, &stderr, func(string) string { return "" })
	}()
	listening := regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	var url string
	for deadline := time.Now().Add(time.Minute); url == ""; time.Sleep(10 * time.Millisecond) {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
		select {
		case c := <-code:
			t.Fatalf("serve exited with %d before listening: %s", c, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not log its address: %s", stderr.String())
		}
	}
	c := newAPIClient(t, url)
	if got := c.signIn("admin@localhost", "a-long-enough-password"); got != 200 {
		t.Errorf("sign-in as the first admin: status %d", got)
	}
	var health map[string]any
	c.get("/healthz", &health)
	cancel()
	if got := <-code; got != exitOK {
		t.Errorf("exit %d after the context ended, want 0: %s", got, stderr.String())
	}
	if log := stderr.String(); !strings.Contains(log, "msg=\"shutting down\"") || !strings.Contains(log, "msg=stopped") {
		t.Errorf("no graceful stop in the log: %s", log)
	}
}

// TestServeSettings: serve's defaults, and where a setting comes from.
// Each case names only what differs from the defaults.
func TestServeSettings(t *testing.T) {
	settings := func(t *testing.T, env map[string]string, args ...string) serveConfig {
		t.Helper()
		e := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return env[k] }, log: discardLogger()}
		cfg, log, err := serveSettings(e, args)
		if err != nil || log == nil {
			t.Fatalf("serve %v: got %v, logger %v", args, err, log)
		}
		return cfg
	}
	defaults := settings(t, nil)
	if defaults.Addr != ":8080" || defaults.Data != "" || defaults.Demo || !defaults.Mail || defaults.SecureCookies ||
		defaults.AdminEmail != "admin@localhost" || defaults.AdminPassword != "" || defaults.ShutdownTimeout != defaultShutdownTimeout {
		t.Errorf("defaults: got %+v", defaults)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want func(*serveConfig)
	}{
		{name: "demo listens on loopback", args: []string{"--demo"},
			want: func(c *serveConfig) { c.Addr, c.Demo = "127.0.0.1:8080", true }},
		{name: "environment", env: map[string]string{"SEARCHDESK_ADDR": "127.0.0.1:0", "SEARCHDESK_MAIL": "false", "SEARCHDESK_SHUTDOWN_TIMEOUT": "3s"},
			want: func(c *serveConfig) { c.Addr, c.Mail, c.ShutdownTimeout = "127.0.0.1:0", false, 3*time.Second }},
		{name: "flag over environment", args: []string{"--addr", ":9000", "--data", "d", "--secure-cookies"},
			env: map[string]string{"SEARCHDESK_ADDR": "127.0.0.1:0", "SEARCHDESK_ADMIN_EMAIL": "a@b.example"},
			want: func(c *serveConfig) {
				c.Addr, c.Data, c.SecureCookies, c.AdminEmail = ":9000", "d", true, "a@b.example"
			}},
		{name: "trusted proxies", args: []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.1"},
			want: func(c *serveConfig) { c.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.1"} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := defaults
			tc.want(&want)
			if got := settings(t, tc.env, tc.args...); !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, log: discardLogger()}
	for _, bad := range [][]string{{"--log-format", "xml"}, {"--trusted-proxies", "proxy.example"}} {
		if _, _, err := serveSettings(env, bad); !errors.Is(err, errUsage) {
			t.Errorf("%v: got %v, want a usage error", bad, err)
		}
	}
}
