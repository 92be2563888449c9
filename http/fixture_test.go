package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/index"
)

// desk is a running server over a store with two desks, staff of each,
// and a ticket on each desk.
type desk struct {
	t       *testing.T
	eng     *engine.Store
	idx     *index.Index
	srv     *httptest.Server
	support engine.Desk // code "support"
	billing engine.Desk
	admin   engine.User
	agentS  engine.User // agent of support
	agentB  engine.User // agent of billing
	ticketS engine.IntakeResult
	ticketB engine.IntakeResult
}

const testPassword = "correct horse battery"

func newDesk(t *testing.T) *desk {
	t.Helper()
	return newDeskWith(t, nil)
}

// newDeskWith is newDesk with the server's settings changed by configure
// (when not nil) before it serves.
func newDeskWith(t *testing.T, configure func(*Server)) *desk {
	t.Helper()
	ctx := context.Background()
	eng, err := engine.Open(t.TempDir(), engine.Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	d := &desk{t: t, eng: eng}
	if d.support, err = eng.SaveDesk(ctx, engine.Desk{Code: "support", Name: "Support", Pattern: "SUP-{{nr}}",
		Addresses: []string{"support@desk.example.com"}, NoAck: true}); err != nil {
		t.Fatal(err)
	}
	if d.billing, err = eng.SaveDesk(ctx, engine.Desk{Code: "billing", Name: "Billing", Pattern: "BIL-{{nr}}",
		Addresses: []string{"billing@desk.example.com"}, NoAck: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SaveAccount(ctx, "admin@desk.example.com", engine.Account{Name: "Customer Ltd", Domains: []string{"customer.example.org"}}); err != nil {
		t.Fatal(err)
	}
	user := func(email, role string, desks ...string) engine.User {
		u, err := eng.AddUser(ctx, engine.User{Email: email, Role: role, Desks: desks})
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.SetPassword(ctx, u.ID, testPassword); err != nil {
			t.Fatal(err)
		}
		return u
	}
	d.admin = user("admin@desk.example.com", engine.RoleAdmin)
	d.agentS = user("sam@desk.example.com", engine.RoleAgent, d.support.ID)
	d.agentB = user("bea@desk.example.com", engine.RoleAgent, d.billing.ID)
	d.ticketS = d.intake("support", "carol@customer.example.org", "Printer jammed", "<s1@cust>",
		"The printer on floor 3 is jammed. supportword", true)
	d.ticketB = d.intake("billing", "erin@acme.example", "Invoice wrong", "<b1@cust>",
		"Invoice 77 has the wrong amount. billingword", false)
	d.idx, err = index.Open(filepath.Join(t.TempDir(), "index"), eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.idx.Close() })
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.idx.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	server := NewServer(eng, d.idx, slog.New(slog.DiscardHandler))
	if configure != nil {
		configure(server)
	}
	d.srv = httptest.NewServer(server.Handler())
	t.Cleanup(d.srv.Close)
	d.searchable()
	return d
}

// intake stores a customer mail, with a small text attachment when att.
func (d *desk) intake(deskCode, from, subject, mid, body string, att bool) engine.IntakeResult {
	d.t.Helper()
	var raw string
	if att {
		raw = fmt.Sprintf("From: %s\r\nTo: %s@desk.example.com\r\nSubject: %s\r\nMessage-ID: %s\r\n"+
			"Date: Mon, 2 Feb 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"+
			"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"+
			"--b\r\nContent-Type: text/html; name=\"page.html\"\r\nContent-Disposition: attachment; filename=\"page.html\"\r\n\r\n"+
			"<script>alert(1)</script><p>attached</p>\r\n--b--\r\n", from, deskCode, subject, mid, body)
	} else {
		raw = fmt.Sprintf("From: %s\r\nTo: %s@desk.example.com\r\nSubject: %s\r\nMessage-ID: %s\r\n"+
			"Date: Mon, 2 Feb 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
			from, deskCode, subject, mid, body)
	}
	r, err := d.eng.Intake(context.Background(), engine.Inbound{Desk: deskCode, Raw: []byte(raw), Channel: "email"})
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

func (d *desk) searchable() {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.idx.WaitFor(ctx, d.eng.LastSeq()); err != nil {
		d.t.Fatal(err)
	}
}

// client is a browser or script talking to the desk.
type client struct {
	d      *desk
	hc     *nethttp.Client
	csrf   string
	bearer string
	header map[string]string // sent with every request
}

// anon is a client that has not signed in.
func (d *desk) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{d: d, hc: &nethttp.Client{Jar: jar, CheckRedirect: func(*nethttp.Request, []*nethttp.Request) error {
		return nethttp.ErrUseLastResponse
	}}}
}

// signIn returns a client signed in as u with a session cookie.
func (d *desk) signIn(u engine.User) *client {
	d.t.Helper()
	c := d.anon()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if st := c.do("POST", "/api/v1/session", map[string]string{"email": u.Email, "password": testPassword}, &out); st != 200 {
		d.t.Fatalf("sign in as %s: status %d", u.Email, st)
	}
	c.csrf = out.CSRF
	return c
}

// token returns a client that sends an API token of u.
func (d *desk) token(u engine.User) *client {
	d.t.Helper()
	tok, _, err := d.eng.NewAPIToken(context.Background(), u.ID, "test")
	if err != nil {
		d.t.Fatal(err)
	}
	c := d.anon()
	c.bearer = tok
	return c
}

// do sends a request with a JSON body (when body is not nil) and decodes
// the JSON answer into out (when not nil); it returns the status.
func (c *client) do(method, path string, body, out any) int {
	c.d.t.Helper()
	st, b := c.raw(method, path, body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.d.t.Fatalf("%s %s: status %d, answer is not JSON: %v: %.200s", method, path, st, err, b)
		}
	}
	return st
}

func (c *client) raw(method, path string, body any) (int, []byte) {
	c.d.t.Helper()
	resp := c.resp(method, path, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *client) resp(method, path string, body any) *nethttp.Response {
	c.d.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				c.d.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := nethttp.NewRequest(method, c.d.srv.URL+path, rd)
	if err != nil {
		c.d.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set(csrfHeader, c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.d.t.Fatal(err)
	}
	return resp
}

// apiError is the error shape every failure has.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks that a request fails with status and the error shape.
func (c *client) wantError(method, path string, body any, status int) apiError {
	c.d.t.Helper()
	var e apiError
	st, b := c.raw(method, path, body)
	if st != status {
		c.d.t.Errorf("%s %s: status %d, want %d: %.300s", method, path, st, status, b)
		return e
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		c.d.t.Errorf("%s %s: error answer %q is not {\"error\":{\"code\",\"message\"}}", method, path, b)
	}
	return e
}
