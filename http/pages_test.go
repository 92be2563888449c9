package http

import (
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"searchdesk/engine"
)

// form posts a form as a browser on this site would, with the session's
// CSRF token, and returns the status, the redirect and the body.
func (c *client) form(path string, values url.Values) (int, string, string) {
	c.d.t.Helper()
	if c.csrf != "" {
		values.Set("csrf", c.csrf)
	}
	saved := c.header
	c.header = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range saved {
		c.header[k] = v
	}
	defer func() { c.header = saved }()
	resp := c.resp("POST", path, values.Encode())
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestSignInPage: the form signs in and goes where it was asked to, but
// never to another site (XSS-09); a wrong password is said next to the
// form.
func TestSignInPage(t *testing.T) {
	d := newDesk(t)
	c := d.anon()
	if st, _ := c.raw("GET", "/login", nil); st != 200 {
		t.Fatalf("GET /login: %d", st)
	}
	st, _, body := c.form("/login", url.Values{"email": {d.agentS.Email}, "password": {"wrong password"}})
	if st != 401 || !strings.Contains(body, "Wrong email or password") {
		t.Errorf("wrong password: %d", st)
	}
	for next, want := range map[string]string{"/t/x": "/t/x", "//evil.example/": "/", "https://evil.example": "/", "/\\evil": "/"} {
		c := d.anon()
		st, loc, _ := c.form("/login", url.Values{"email": {d.agentS.Email}, "password": {testPassword}, "next": {next}})
		if st != 303 || loc != want {
			t.Errorf("next=%q: %d to %q, want 303 to %q", next, st, loc, want)
		}
	}
}

// TestMePage: a user changes their language and password; the old
// password stops working.
func TestMePage(t *testing.T) {
	d := newDesk(t)
	c := d.signIn(d.agentS)
	if st, _, body := c.form("/me", url.Values{"name": {"Sam"}, "language": {"pl"}}); st != 200 || !strings.Contains(body, "Zapisano") {
		t.Errorf("language: %d", st)
	}
	if _, body := c.raw("GET", "/", nil); !strings.Contains(string(body), "Skrzynka") {
		t.Errorf("the inbox is not in Polish after choosing it")
	}
	if st, _, _ := c.form("/me/password", url.Values{"current": {"not it at all"}, "new": {"a new long password"}}); st != 400 {
		t.Errorf("wrong current password: %d", st)
	}
	// The refusal is in the user's language, Polish, as the page is.
	if st, _, body := c.form("/me/password", url.Values{"current": {testPassword}, "new": {"short"}}); st != 400 ||
		!strings.Contains(body, "Hasło musi mieć co najmniej 10 znaków (to ma 5)") {
		t.Errorf("short password: %d, want 400 with the Polish message", st)
	}
	// Another browser and a script signed in with the old password are
	// signed out by the change (AC-06); this browser goes on.
	other := d.signIn(d.agentS)
	script := d.token(d.agentS)
	st, _, body := c.form("/me/password", url.Values{"current": {testPassword}, "new": {"a new long password"}})
	if st != 200 {
		t.Errorf("change password: %d", st)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page after the change has no CSRF token")
	}
	c.csrf = m[1]
	other.wantError("GET", "/api/v1/me", nil, 401)
	script.wantError("GET", "/api/v1/me", nil, 401)
	if st, _ := c.raw("GET", "/api/v1/me", nil); st != 200 {
		t.Errorf("the browser that changed the password was signed out: %d", st)
	}
	if st := d.anon().do("POST", "/api/v1/session", map[string]string{"email": d.agentS.Email, "password": testPassword}, nil); st != 401 {
		t.Errorf("old password still signs in: %d", st)
	}
	if st := d.anon().do("POST", "/api/v1/session", map[string]string{"email": d.agentS.Email, "password": "a new long password"}, nil); st != 200 {
		t.Errorf("new password does not sign in: %d", st)
	}
	// A token made on the page works as a bearer token, once revoked no more.
	st, _, body = c.form("/me/tokens", url.Values{"name": {"script"}})
	i := strings.Index(body, "sdt_")
	if st != 201 || i < 0 {
		t.Fatalf("make token: %d", st)
	}
	tok := body[i : i+strings.IndexByte(body[i:], '<')]
	bearer := d.anon()
	bearer.bearer = tok
	if st := bearer.do("GET", "/api/v1/me", nil, nil); st != 200 {
		t.Errorf("new token: %d", st)
	}
	toks, _ := d.eng.APITokens(t.Context(), d.agentS.ID)
	if st, _, _ := c.form("/me/tokens/"+toks[0].ID+"/revoke", url.Values{}); st != 303 {
		t.Errorf("revoke: %d", st)
	}
	bearer.wantError("GET", "/api/v1/me", nil, 401)
}

// TestAdminPage: only admins reach it; an admin adds a user, and disabling
// a user ends their session at once (AC-11); a bad pattern is named next
// to its desk.
func TestAdminPage(t *testing.T) {
	d := newDesk(t)
	sam := d.signIn(d.agentS)
	if st, _ := sam.raw("GET", "/admin", nil); st != 403 {
		t.Errorf("agent GET /admin: %d", st)
	}
	if st, _, _ := sam.form("/admin/users", url.Values{"email": {"x@desk.example.com"}, "role": {"admin"}, "password": {"long enough pw"}}); st != 403 {
		t.Errorf("agent adding a user: %d", st)
	}
	admin := d.signIn(d.admin)
	if st, _ := admin.raw("GET", "/admin", nil); st != 200 {
		t.Fatalf("admin GET /admin: %d", st)
	}
	st, _, _ := admin.form("/admin/users", url.Values{"email": {"new@desk.example.com"}, "role": {"agent"},
		"desks": {d.support.ID}, "password": {"long enough pw"}})
	if st != 201 {
		t.Errorf("add user: %d", st)
	}
	if st := d.anon().do("POST", "/api/v1/session", map[string]string{"email": "new@desk.example.com", "password": "long enough pw"}, nil); st != 200 {
		t.Errorf("the new user cannot sign in: %d", st)
	}
	if st, _, body := admin.form("/admin/users", url.Values{"email": {"bad"}, "role": {"agent"}, "password": {"long enough pw"}}); st != 400 ||
		!strings.Contains(body, "is not an email address") {
		t.Errorf("bad email: %d", st)
	}
	if st := sam.do("GET", "/api/v1/me", nil, nil); st != 200 {
		t.Fatalf("sam before: %d", st)
	}
	if st, _, _ := admin.form("/admin/users/"+d.agentS.ID, url.Values{"role": {"agent"}, "desks": {d.support.ID}}); st != 303 {
		t.Errorf("disable: %d", st)
	}
	sam.wantError("GET", "/api/v1/me", nil, 401)
	if st, _, _ := admin.form("/admin/categories", url.Values{"name": {"Płatności"}, "colour": {"#aa0000"}}); st != 303 {
		t.Errorf("add category: %d", st)
	}
	if st, _, body := admin.form("/admin/categories", url.Values{"name": {"Bad"}, "colour": {"red"}}); st != 400 || !strings.Contains(body, "colour") {
		t.Errorf("bad colour: %d", st)
	}
	if st, _, _ := admin.form("/admin/types", url.Values{"name": {"Incident"}, "first": {"4"}, "resolution": {"48"}}); st != 303 {
		t.Errorf("add type: %d", st)
	}
	if _, body := admin.raw("GET", "/admin", nil); !strings.Contains(string(body), "platnosci") || !strings.Contains(string(body), "48 h") {
		t.Errorf("the admin page does not list the category and type")
	}
	if _, err := d.eng.UpdateTicket(t.Context(), "test", d.ticketS.TicketID, engineCategory("platnosci"), 0); err != nil {
		t.Fatal(err)
	}
	d.searchable()
	if _, body := d.signIn(d.admin).raw("GET", "/?q=category:platnosci", nil); !strings.Contains(string(body), "#aa0000") {
		t.Errorf("the inbox does not show the category's own colour")
	}
	// Mail settings: the password is stored sealed, a template with an
	// unknown variable is refused next to it, a shared view can be removed.
	if st, _, _ := admin.form("/admin/desks/"+d.support.ID+"/mailbox", url.Values{"host": {"imap.example.com"},
		"security": {"tls"}, "user": {"support@desk.example.com"}, "password": {"imap secret 123"}, "folder": {"INBOX"},
		"after": {"seen"}}); st != 303 {
		t.Errorf("mailbox: %d", st)
	}
	if st, _, _ := admin.form("/admin/desks/"+d.support.ID+"/smtp", url.Values{"host": {"smtp.example.com"}, "port": {"587"},
		"security": {"starttls"}, "user": {"support@desk.example.com"}, "password": {"smtp secret 456"}}); st != 303 {
		t.Errorf("smtp: %d", st)
	}
	desk, _ := d.eng.Desk(t.Context(), d.support.ID)
	if len(desk.Mailboxes) != 1 || desk.Mailboxes[0].Server.Password.Sealed == "" || desk.SMTP == nil || desk.SMTP.Port != 587 {
		t.Errorf("mail settings not stored: %+v %+v", desk.Mailboxes, desk.SMTP)
	}
	if _, body := admin.raw("GET", "/admin", nil); strings.Contains(string(body), "imap secret") || strings.Contains(string(body), "smtp secret") {
		t.Errorf("the admin page shows a password")
	}
	if st, _, body := admin.form("/admin/desks/"+d.support.ID+"/template", url.Values{"kind": {"ack"}, "subject": {"Got it"},
		"body": {"Hello {{custmer_name}}"}}); st != 400 || !strings.Contains(body, "customer_name") {
		t.Errorf("template with a misspelt variable: %d", st)
	}
	if st, _, _ := admin.form("/admin/desks/"+d.support.ID+"/template", url.Values{"kind": {"ack"}, "subject": {"Got it: {{ticket_number}}"},
		"body": {"Hello {{customer_name}}"}}); st != 303 {
		t.Errorf("template: %d", st)
	}
	v, err := d.eng.SaveView(t.Context(), d.admin, engine.SavedView{Name: "Team", Query: "is:open", SharedDesk: d.support.ID})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := admin.form("/admin/views/"+v.ID+"/delete", url.Values{}); st != 303 {
		t.Errorf("delete shared view: %d", st)
	}
	if st, _, body := admin.form("/admin/desks/"+d.support.ID, url.Values{"name": {"Support"}, "pattern": {"SUP-{{nr}}"},
		"default_priority": {"soon"}}); st != 400 || !strings.Contains(body, "Default priority") {
		t.Errorf("bad default priority: %d", st)
	}
	if st, _, body := admin.form("/admin/desks/"+d.support.ID, url.Values{"name": {"Support"}, "pattern": {"{{nr-y}}"}}); st != 400 ||
		!strings.Contains(body, "field-error") {
		t.Errorf("bad pattern: %d", st)
	}
}

// TestReflectedInputEscaped (XSS-09): a query, a cursor and a bad sort come
// back in the page only as text.
func TestReflectedInputEscaped(t *testing.T) {
	d := newDesk(t)
	c := d.signIn(d.agentS)
	for _, q := range []string{`"><script>alert(1)</script>`, `sort:"><img src=x onerror=alert(1)>`, `stauts:<b>x</b>`} {
		st, b := c.raw("GET", "/?q="+url.QueryEscape(q), nil)
		body := string(b)
		if st >= 500 || strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") || strings.Contains(body, "<b>x</b>") {
			t.Errorf("q=%q: status %d, reflected unescaped", q, st)
		}
	}
	st, b := c.raw("GET", "/?q=x&cursor="+url.QueryEscape(`"><script>alert(1)</script>`), nil)
	if st != 400 || strings.Contains(string(b), "<script>alert") {
		t.Errorf("bad cursor: %d", st)
	}
}

func engineCategory(id string) engine.Change { return engine.Change{CategoryID: &id} }

// TestTicketAccountField: the side panel links a ticket to an account by
// domain or name, and names what it cannot find.
func TestTicketAccountField(t *testing.T) {
	d := newDesk(t)
	admin := d.signIn(d.admin)
	tk, _ := d.eng.Ticket(t.Context(), d.ticketB.TicketID)
	if tk.AccountID != "" {
		t.Fatalf("fixture: billing ticket already has account %s", tk.AccountID)
	}
	form := url.Values{"version": {"0"}, "status": {tk.Status}, "priority": {tk.Priority}}
	form.Set("account", "nosuch.example")
	if st, _, body := admin.form("/t/"+tk.ID+"/update", form); st != 400 || !strings.Contains(body, "nosuch.example") {
		t.Errorf("unknown account: %d", st)
	}
	form.Set("account", "customer.example.org")
	if st, _, _ := admin.form("/t/"+tk.ID+"/update", form); st != 303 {
		t.Errorf("set account: %d", st)
	}
	tk, _ = d.eng.Ticket(t.Context(), tk.ID)
	if a, err := d.eng.Account(t.Context(), tk.AccountID); err != nil || a.Name != "Customer Ltd" {
		t.Errorf("account after the change: %v %+v", err, a)
	}
}

// TestXSS09SafeNext: a post-sign-in target stays a path of this site
// after the browser's own normalisations (tabs, newlines, backslashes).
func TestXSS09SafeNext(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/t/01ABC", "/t/01ABC"},
		{"/?q=is:open#top", "/?q=is:open#top"},
		{"/\t/evil.example", "/"}, // next=/%09/evil.example once decoded
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/ /evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"", "/"},
	}
	for _, tc := range cases {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
