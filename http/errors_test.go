package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime/multipart"
	nethttp "net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
	"searchdesk/ui"
)

// searchCase is a request that makes its route run a search or a count.
type searchCase struct {
	name  string
	route string     // "METHOD /path" as Routes lists it
	path  string     // with the fixture's ids
	form  url.Values // posted as a form; nil: a GET
	json  bool       // the route answers JSON
}

// searchCases are the routes that search or count (found in Routes and
// the handlers: the inbox and every page that re-renders it, the contact
// and account pages, the ticket list with and without facets, saved
// views with their counts, the contact and account API), each asked so
// that it searches. Completion values and facets come with the inbox;
// export is a command, not a route.
func searchCases(contact, account string) []searchCase {
	return []searchCase{
		{"inbox with a query", "GET /", "/?q=printer", nil, false},
		{"inbox, default query and views", "GET /", "/", nil, false},
		{"inbox, next page", "GET /", "/?q=printer&cursor=WyIyMDI2LTAxLTAxVDAwOjAwOjAwWiIsIngiXQ", nil, false},
		{"saving a view the desk refuses", "POST /views", "/views", url.Values{"name": {""}, "query": {"printer"}}, false},
		{"bulk change without a selection", "POST /bulk", "/bulk", url.Values{"q": {"printer"}}, false},
		{"contact page", "GET /contacts/:id", "/contacts/" + contact, nil, false},
		{"contact form refused", "POST /contacts/:id", "/contacts/" + contact, url.Values{"addresses": {"not an address"}}, false},
		{"account page", "GET /accounts/:id", "/accounts/" + account, nil, false},
		{"ticket search", "GET /api/v1/tickets", "/api/v1/tickets?q=printer", nil, true},
		{"ticket list with facets", "GET /api/v1/tickets", "/api/v1/tickets?facets=1", nil, true},
		{"saved views with counts", "GET /api/v1/views", "/api/v1/views", nil, true},
		{"contact with tickets", "GET /api/v1/contacts/:id", "/api/v1/contacts/" + contact, nil, true},
		{"account with tickets", "GET /api/v1/accounts/:id", "/api/v1/accounts/" + account, nil, true},
	}
}

// deadlineDesk is the fixture with the search deadline forced to expire
// (the setting at 1 ns), a saved view to count, and the ids the routes
// take.
func deadlineDesk(t *testing.T) (d *desk, contact, account string) {
	t.Helper()
	d = newDeskWith(t, func(s *Server) { s.SearchDeadline = time.Nanosecond })
	ctx := context.Background()
	tk, err := d.eng.Ticket(ctx, d.ticketS.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.eng.AccountFor(ctx, "customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.eng.SaveView(ctx, d.admin, engine.SavedView{Name: "Printers", Query: "printer"}); err != nil {
		t.Fatal(err)
	}
	return d, tk.ContactID, a.ID
}

// TestSearchDeadlineIsARefusal: with the search deadline forced to
// expire, every route that searches or counts answers 422
// search_timeout with the message in the request's language (JSON for
// the API, a page for pages), never a 500 or a 503.
func TestSearchDeadlineIsARefusal(t *testing.T) {
	d, contact, account := deadlineDesk(t)
	routes := map[string]bool{}
	for _, rt := range (&Server{}).Routes() {
		routes[rt.Method+" "+rt.Path] = true
	}
	admin := d.signIn(d.admin)
	for _, tc := range searchCases(contact, account) {
		if !routes[tc.route] {
			t.Errorf("%s: no route %s", tc.name, tc.route)
		}
		for _, l := range ui.Languages() {
			t.Run(tc.name+"/"+l, func(t *testing.T) {
				admin.header = map[string]string{"Accept-Language": l + ";q=0.9"}
				defer func() { admin.header = nil }()
				st, body := admin.ask(tc.path, tc.form)
				wantRefusal(t, st, body, tc.json, index.CodeSearchTimeout, ui.Tf(l, "err_search_timeout", "1ns"))
			})
		}
	}
	// The language can come from the user's own setting too.
	if _, err := d.eng.SetProfile(context.Background(), d.agentS.ID, "Sam", "cs"); err != nil {
		t.Fatal(err)
	}
	st, body := d.token(d.agentS).ask("/api/v1/tickets?q=printer", nil)
	wantRefusal(t, st, body, true, index.CodeSearchTimeout, "Hledání trvalo déle než 1ns: přidejte slova nebo filtry, abyste ho zúžili.")
}

// ask sends a GET, or a form post when form is not nil.
func (c *client) ask(path string, form url.Values) (int, string) {
	c.d.t.Helper()
	if form != nil {
		st, _, body := c.form(path, form)
		return st, body
	}
	st, b := c.raw("GET", path, nil)
	return st, string(b)
}

// wantRefusal checks an answer is the refusal of code with status 422 or
// what the code's status is, as JSON or as a page, with the message msg.
func wantRefusal(t *testing.T, st int, body string, isJSON bool, code, msg string) {
	t.Helper()
	if want := statusOf(code); st != want {
		t.Errorf("status %d, want %d: %.300s", st, want, body)
		return
	}
	if isJSON {
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != code || e.Error.Message != msg {
			t.Errorf("got %.300s, want code %q and message %q", body, code, msg)
		}
		return
	}
	if !strings.Contains(body, `data-error-code="`+code+`"`) || !strings.Contains(body, template.HTMLEscapeString(msg)) {
		t.Errorf("the page does not say %q (code %s): %.2000s", msg, code, body)
	}
}

// TestNoRouteAnswers500WhenSearchesTimeOut walks every route of the router
// with the search deadline expired: none answers a 5xx, every error has
// the route's kind (JSON or HTML), and a route that answers
// search_timeout is one of searchCases, so a route that starts searching
// is not missed by the test above.
func TestNoRouteAnswers500WhenSearchesTimeOut(t *testing.T) {
	d, contact, account := deadlineDesk(t)
	ids := sampleIDs(t, d, contact, account)
	searching := map[string]bool{}
	for _, tc := range searchCases(contact, account) {
		searching[tc.route] = true
	}
	for _, rt := range (&Server{}).Routes() {
		name := rt.Method + " " + rt.Path
		t.Run(name, func(t *testing.T) {
			c := d.token(d.admin)
			st, b := c.raw(rt.Method, ids.path(rt.Path), nil)
			body := string(b)
			if st >= 500 {
				t.Fatalf("status %d: %.300s", st, body)
			}
			if st >= 400 && rt.Method != "HEAD" {
				isJSON := json.Valid(b) && strings.Contains(body, `"error"`)
				if wantJSON := strings.HasPrefix(rt.Path, "/api/") || rt.Path == "/metrics"; isJSON != wantJSON {
					t.Errorf("status %d answered as JSON %v, want %v: %.200s", st, isJSON, wantJSON, body)
				}
			}
			var e apiError
			_ = json.Unmarshal(b, &e)
			timedOut := e.Error.Code == index.CodeSearchTimeout || strings.Contains(body, `data-error-code="`+index.CodeSearchTimeout+`"`)
			if timedOut && !searching[name] {
				t.Errorf("searches (status %d) but is not among searchCases", st)
			}
		})
	}
}

// routeIDs are records of the fixture to put in routes' parameters.
type routeIDs struct{ ticket, contact, account, message, att, task, view, desk, user string }

func sampleIDs(t *testing.T, d *desk, contact, account string) routeIDs {
	t.Helper()
	ctx := context.Background()
	m, err := d.eng.Message(ctx, d.ticketS.MessageID)
	if err != nil || len(m.Attachments) == 0 {
		t.Fatalf("fixture message: %v %+v", err, m)
	}
	task, err := d.eng.AddTask(ctx, d.admin.Email, engine.Task{TicketID: d.ticketS.TicketID, Title: "Call back"})
	if err != nil {
		t.Fatal(err)
	}
	views, err := d.eng.Views(ctx, d.admin)
	if err != nil || len(views) == 0 {
		t.Fatalf("views: %v %v", views, err)
	}
	return routeIDs{ticket: d.ticketS.TicketID, contact: contact, account: account, message: m.ID,
		att: m.Attachments[0].ID, task: task.ID, view: views[0].ID, desk: d.support.ID, user: d.agentB.ID}
}

// path fills a route's parameters with the record its prefix names.
func (ids routeIDs) path(route string) string {
	id := "no-such-id"
	for _, p := range []struct{ prefix, id string }{
		{"/t/", ids.ticket}, {"/api/v1/tickets/", ids.ticket}, {"/contacts/", ids.contact}, {"/api/v1/contacts/", ids.contact},
		{"/accounts/", ids.account}, {"/api/v1/accounts/", ids.account}, {"/m/", ids.message}, {"/api/v1/messages/", ids.message},
		{"/tasks/", ids.task}, {"/api/v1/tasks/", ids.task}, {"/api/v1/views/", ids.view}, {"/admin/views/", ids.view},
		{"/admin/desks/", ids.desk}, {"/admin/users/", ids.user},
	} {
		if strings.HasPrefix(route, p.prefix) {
			id = p.id
		}
	}
	return strings.NewReplacer(":id", id, ":att", ids.att, "*file", "none.css").Replace(route)
}

// TestRefusalsArePages: on page routes a CSRF failure and an operator
// opening the admin page get an HTML page with the status and the
// message in the reader's language, not JSON; an unknown page too.
func TestRefusalsArePages(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	op, err := d.eng.AddUser(ctx, engine.User{Email: "olga@desk.example.com", Role: engine.RoleOperator})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.eng.SetPassword(ctx, op.ID, testPassword); err != nil {
		t.Fatal(err)
	}
	sam, olga := d.signIn(d.agentS), d.signIn(op)
	for _, l := range ui.Languages() {
		t.Run(l, func(t *testing.T) {
			header := map[string]string{"Accept-Language": l}
			sam.header, olga.header = header, header
			defer func() { sam.header, olga.header = nil, nil }()
			good := sam.csrf
			sam.csrf = ""
			st, _, body := sam.form("/t/"+d.ticketS.TicketID+"/note", url.Values{"text": {"hi"}})
			sam.csrf = good
			wantRefusal(t, st, body, false, codeCSRF, ui.T(l, "err_csrf_token"))
			wantHTML(t, sam, "POST", "/t/"+d.ticketS.TicketID+"/note")

			st, body = olga.ask("/admin", nil)
			wantRefusal(t, st, body, false, engine.CodeForbidden, ui.T(l, "err_needs_admin"))
			wantHTML(t, olga, "GET", "/admin")

			st, body = olga.ask("/no/such/page", nil)
			wantRefusal(t, st, body, false, engine.CodeNotFound, ui.T(l, "err_no_route"))
			st, body = olga.ask("/api/v1/no/such/endpoint", nil)
			wantRefusal(t, st, body, true, engine.CodeNotFound, ui.T(l, "err_no_route"))
		})
	}
}

// wantHTML checks a refused request's answer is an HTML page.
func wantHTML(t *testing.T, c *client, method, path string) {
	t.Helper()
	var body io.Reader
	if method == "POST" {
		body = strings.NewReader("text=hi")
	}
	req, err := nethttp.NewRequest(method, c.d.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || resp.StatusCode != 403 {
		t.Errorf("%s %s: %d %s, want a 403 HTML page", method, path, resp.StatusCode, ct)
	}
}

// TestValidationInEveryLanguage: an engine's refusal and a query's are
// told in the request's language, with their values, by the API and by
// a page.
func TestValidationInEveryLanguage(t *testing.T) {
	d := newDesk(t)
	c := d.token(d.agentS)
	for _, tc := range []struct{ lang, address, query string }{
		{"en", `"nope" is not an email address.`, `Unknown field "stauts" at 1:1; did you mean "status"?`},
		{"pl", `"nope" nie jest adresem e-mail.`, `Nieznane pole "stauts" w miejscu 1:1; czy chodziło o "status"?`},
		{"cs", `"nope" není e-mailová adresa.`, `Neznámé pole "stauts" na pozici 1:1; mysleli jste "status"?`},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			c.header = map[string]string{"Accept-Language": tc.lang}
			defer func() { c.header = nil }()
			e := c.wantError("POST", "/api/v1/contacts", map[string]any{"addresses": []string{"nope"}}, 400)
			if e.Error.Code != engine.CodeInvalid || e.Error.Message != tc.address {
				t.Errorf("got %+v, want invalid: %s", e.Error, tc.address)
			}
			e = c.wantError("GET", "/api/v1/tickets?q=stauts:open", nil, 400)
			if e.Error.Code != index.CodeBadQuery || e.Error.Message != tc.query {
				t.Errorf("got %+v, want bad_query: %s", e.Error, tc.query)
			}
			st, body := c.ask("/?q=stauts:open", nil)
			if st != 400 || !strings.Contains(body, template.HTMLEscapeString(tc.query)) {
				t.Errorf("inbox: %d, want 400 saying %s", st, tc.query)
			}
		})
	}
}

// TestUnknownErrorIsInternal: an error with no code is a 500 whose reader
// sees only "internal error" (in their language), as JSON or as a page,
// while the log has the details.
func TestUnknownErrorIsInternal(t *testing.T) {
	var logs bytes.Buffer
	s := NewServer(nil, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	for _, tc := range []struct{ name, path, lang, ctype, want string }{
		{"api", "/api/v1/tickets", "en", "application/json", `{"error":{"code":"internal","message":"internal error"}}`},
		{"api in Polish", "/api/v1/tickets", "pl", "application/json", `{"error":{"code":"internal","message":"błąd wewnętrzny"}}`},
		{"page in Czech", "/t/x", "cs", "text/html", "vnitřní chyba"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", tc.path, nil)
			c.Request.Header.Set("Accept-Language", tc.lang)
			s.fail(c, fmt.Errorf("engine: read ticket: %w", errors.New("disk on fire")))
			body := w.Body.String()
			if w.Code != 500 || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.want) {
				t.Errorf("got %d %s %q, want 500 %s with %q", w.Code, w.Header().Get("Content-Type"), body, tc.ctype, tc.want)
			}
			if strings.Contains(body, "disk on fire") || !strings.Contains(logs.String(), "disk on fire") {
				t.Errorf("the details must be in the log only: answer %q, log %q", body, logs.String())
			}
		})
	}
}

// allCodes are the error codes of engine, index and http.
func allCodes() []string {
	return []string{engine.CodeInvalid, engine.CodeNotFound, engine.CodeConflict, engine.CodeForbidden, engine.CodeInternal,
		index.CodeBadQuery, index.CodeSearchTimeout, codeUnauthorized, codeBadLogin, codeRateLimited, codeCSRF,
		codeBadRequest, codeTooLarge, codeNotReady, codeTimeout}
}

// TestErrorCodesDocumented: docs/errors.md lists every code with the
// status statusOf gives it, and no other.
func TestErrorCodesDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| (\\d{3}) \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = m[2]
		if !slices.Contains(allCodes(), m[1]) {
			t.Errorf("docs/errors.md lists %q, which no error has", m[1])
		}
	}
	for _, code := range allCodes() {
		if got, want := documented[code], fmt.Sprint(statusOf(code)); got != want {
			t.Errorf("docs/errors.md: %s is %q, want %s", code, got, want)
		}
	}
}

// TestErrorMessagesInEveryLanguage: every message key the code names, and
// every code's generic message, has its English, Polish and Czech text;
// the refusals whose key is made from a rule's name (number patterns,
// working hours, templates) have theirs, and each renders with its
// values in every language.
func TestErrorMessagesInEveryLanguage(t *testing.T) {
	keys := map[string]bool{}
	for _, code := range allCodes() {
		keys["err_code_"+code] = true
	}
	literal := regexp.MustCompile(`"(err_[a-z0-9_]*[a-z0-9])"`)
	for _, dir := range []string{".", "../engine", "../index"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
				keys[m[1]] = true
			}
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found %d message keys: the scan is broken", len(keys))
	}
	for k := range keys {
		for _, l := range ui.Languages() {
			if !ui.Has(l, k) {
				t.Errorf("%s has no message %q", l, k)
			}
		}
	}
	for _, e := range ruleErrors(t) {
		for _, l := range ui.Languages() {
			if msg := message(l, e); !ui.Has(l, e.Key) || strings.Contains(msg, "%!") {
				t.Errorf("%s: %s: %q", l, e.Key, msg)
			}
		}
	}
}

// ruleErrors are the engine's refusals of a desk, one for each rule of
// number patterns, working hours and templates.
func ruleErrors(t *testing.T) []*engine.Error {
	d := newDesk(t)
	kind := engine.TemplateKinds()[0]
	var desks []engine.Desk
	for _, p := range []string{strings.Repeat("a", 101) + "{{nr}}", "\xff{{nr}}", "A-{{nr", "{{foo}}", "A B{{nr}}",
		"{{nr}}-{{nr}}", "{{nr}}-{{nr-y}}-{{yy}}", "{{yy}}", "{{nr-y}}", "{{yy}}-{{nr-m}}", "{{yy}}-{{nr-w}}",
		"{{yy}}-{{mm}}-{{nr-d}}", "{{nr}}5", "{{yy}}{{nr-y}}", "5{{nr}}"} {
		desks = append(desks, engine.Desk{Code: "x", Pattern: p})
	}
	for _, h := range []string{"mon-fri 09:00-17:00 x", "xyz 09:00-10:00", "mon 09:00 10:00", "mon 10:00-09:00",
		"mon 09:00-", "mon 9-10"} {
		desks = append(desks, engine.Desk{Code: "x", Hours: h})
	}
	for _, body := range []string{"{{ticket_number", "{{}}", "{{nosuch}}", "{{ticket_nmber}}"} {
		desks = append(desks, engine.Desk{Code: "x", Templates: map[string]engine.MailTemplate{kind: {Subject: "s", Body: body}}})
	}
	var out []*engine.Error
	seen := map[string]bool{}
	for _, desk := range desks {
		_, err := d.eng.SaveDesk(context.Background(), desk)
		var e *engine.Error
		if !errors.As(err, &e) || e.Code != engine.CodeInvalid || seen[e.Key] {
			t.Errorf("desk %+v: %v, want a refusal of its own rule", desk, err)
			continue
		}
		seen[e.Key] = true
		out = append(out, e)
	}
	return out
}

// TestOversizedBodyIs413: a JSON body over its cap is refused with 413
// before it is read whole (DOS-04, invariant 8).
func TestOversizedBodyIs413(t *testing.T) {
	d := newDesk(t)
	big := map[string]any{"desk": "support", "customer": "dan@customer.example.org", "subject": "big",
		"text": strings.Repeat("x", maxJSONBody+1)}
	e := d.token(d.agentS).wantError("POST", "/api/v1/tickets", big, 413)
	if e.Error.Code != codeTooLarge {
		t.Errorf("code %q, want %q", e.Error.Code, codeTooLarge)
	}
}

// TestDOS04FormBodyCapped: a form body over its cap is refused with 413
// before it is parsed, on the sign-in page and on staff pages, urlencoded
// or multipart.
func TestDOS04FormBodyCapped(t *testing.T) {
	d := newDesk(t)
	big := strings.Repeat("a", maxFormBody+1)
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	if err := w.WriteField("email", big); err != nil {
		t.Fatal(err)
	}
	w.Close()
	cases := []struct{ name, path, ctype, body string }{
		{"login urlencoded", "/login", "application/x-www-form-urlencoded", "email=" + big + "&password=x"},
		{"login multipart", "/login", w.FormDataContentType(), mp.String()},
		{"note page", "/t/" + d.ticketS.TicketID + "/note", "application/x-www-form-urlencoded", "text=" + big},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := nethttp.Post(d.srv.URL+tc.path, tc.ctype, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 || !strings.Contains(string(b), "larger than") {
				t.Errorf("status %d, want 413 saying the body is too large: %.200s", resp.StatusCode, b)
			}
		})
	}
	st, _, _ := d.anon().form("/login", url.Values{"email": {d.agentS.Email}, "password": {testPassword}})
	if st != 303 {
		t.Errorf("a small sign-in form: status %d, want 303", st)
	}
}
