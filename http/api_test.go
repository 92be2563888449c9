package http

import (
	"context"
	"encoding/json"
	"fmt"
	nethttp "net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"searchdesk/engine"
)

// TestEveryRouteHasPolicy walks the router (AC-03): every route declares
// one of the policies, and every route that is not public refuses a caller
// who has not signed in.
func TestEveryRouteHasPolicy(t *testing.T) {
	d := newDesk(t)
	anon := d.anon()
	for _, rt := range NewServer(d.eng, d.idx, nil).Routes() {
		if !slices.Contains(Policies(), rt.Policy) {
			t.Errorf("%s %s: policy %q is not one of %v", rt.Method, rt.Path, rt.Policy, Policies())
			continue
		}
		if rt.Policy == PublicRoute {
			continue
		}
		path := strings.NewReplacer(":id", "x", ":att", "x", ":number", "x").Replace(rt.Path)
		st, _ := anon.raw(rt.Method, path, nil)
		switch rt.Policy {
		case PageRoute, AdminPageRoute:
			if st != nethttp.StatusSeeOther {
				t.Errorf("%s %s without sign-in: status %d, want a redirect to sign in", rt.Method, rt.Path, st)
			}
		default:
			if st != nethttp.StatusUnauthorized {
				t.Errorf("%s %s without sign-in: status %d, want 401", rt.Method, rt.Path, st)
			}
		}
	}
}

// TestOpenAPIMatchesRouter holds the OpenAPI document and the router
// together: the same operations, and every schema it names defined.
func TestOpenAPIMatchesRouter(t *testing.T) {
	d := newDesk(t)
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if st := d.anon().do("GET", "/api/v1/openapi.json", nil, &doc); st != 200 || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: status %d, version %q", st, doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range NewServer(d.eng, d.idx, nil).Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		k := rt.Method + " " + openAPIPath(rt.Path)
		routed[k] = true
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("openapi.json documents %s, which no route serves", k)
		}
	}
	// Every $ref names a schema that exists.
	b, _ := json.Marshal(doc)
	for _, part := range strings.Split(string(b), `"$ref":"#/components/schemas/`)[1:] {
		name := part[:strings.IndexByte(part, '"')]
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("openapi.json refers to schema %q, which it does not define", name)
		}
	}
}

// endpointCase is one API endpoint's test: who may call it (and a field
// of the answer), who may not, and a request that fails with the error
// shape.
type endpointCase struct {
	method, path string
	body         any
	as           func(*desk) *client
	status       int
	field        string // a top-level field the answer must have
	denied       func(*desk) *client
	deniedStatus int
	bad          string // a path or body that fails; "" when the body is the bad part
	badBody      any
	badStatus    int
}

// TestEndpoints checks every API endpoint's access rule, a field of its
// answer and its error shape; a route with no case here fails the test.
func TestEndpoints(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	sam := func(d *desk) *client { return d.signIn(d.agentS) }
	bea := func(d *desk) *client { return d.signIn(d.agentB) }
	admin := func(d *desk) *client { return d.signIn(d.admin) }
	anon := func(d *desk) *client { return d.anon() }
	tS, tB := d.ticketS.TicketID, d.ticketB.TicketID
	msgS := d.ticketS.MessageID
	m, err := d.eng.Message(ctx, msgS)
	if err != nil || len(m.Attachments) != 1 {
		t.Fatalf("fixture message: %v, %d attachments", err, len(m.Attachments))
	}
	att := m.Attachments[0].ID
	task, err := d.eng.AddTask(ctx, "test", engine.Task{TicketID: tS, Title: "Call back"})
	if err != nil {
		t.Fatal(err)
	}
	second := d.intake("support", "carol@customer.example.org", "Second problem", "<s2@cust>", "Toner is low.", false)
	third := d.intake("support", "carol@customer.example.org", "Re: Second problem", "<s3@cust>", "Also the tray.", false)
	_ = third
	view, err := d.eng.SaveView(ctx, d.agentS, engine.SavedView{Name: "Mine", Query: "is:open"})
	if err != nil {
		t.Fatal(err)
	}
	tok, tokRec, err := d.eng.NewAPIToken(ctx, d.agentS.ID, "script")
	if err != nil || tok == "" {
		t.Fatal(err)
	}
	ct, err := d.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	tkS, _ := d.eng.Ticket(ctx, tS)
	spare, err := d.eng.SaveContact(ctx, "admin@desk.example.com", engine.Contact{Name: "Carol at home", Addresses: []string{"carol@home.example"}})
	if err != nil {
		t.Fatal(err)
	}
	d.searchable()
	cases := []endpointCase{
		{method: "GET", path: "/api/v1/openapi.json", as: anon, status: 200, field: "paths",
			bad: "/api/v1/openapi.yaml", badStatus: 404},
		{method: "POST", path: "/api/v1/session", body: map[string]string{"email": d.agentS.Email, "password": testPassword},
			as: anon, status: 200, field: "csrf_token",
			badBody: map[string]string{"email": d.agentS.Email, "password": "wrong password!"}, badStatus: 401},
		{method: "DELETE", path: "/api/v1/session", as: sam, status: 204, denied: anon, deniedStatus: 401},
		{method: "GET", path: "/api/v1/me", as: sam, status: 200, field: "user", denied: anon, deniedStatus: 401},
		{method: "GET", path: "/api/v1/tickets?q=printer", as: sam, status: 200, field: "total", denied: anon, deniedStatus: 401,
			bad: "/api/v1/tickets?q=stauts:open", badStatus: 400},
		{method: "POST", path: "/api/v1/tickets", body: map[string]any{"desk": "support", "customer": "dan@customer.example.org",
			"subject": "Scanner broken", "text": "It does not scan.", "priority": "high"}, as: sam, status: 201, field: "ticket",
			denied: bea, deniedStatus: 404, badBody: map[string]any{"desk": "support", "customer": "not an address", "subject": "x", "text": "y"},
			badStatus: 400},
		{method: "GET", path: "/api/v1/tickets/" + tS, as: sam, status: 200, field: "messages", denied: bea, deniedStatus: 404,
			bad: "/api/v1/tickets/nosuch", badStatus: 404},
		{method: "PATCH", path: "/api/v1/tickets/" + tS, body: map[string]any{"priority": "high", "tags": []string{"vip"}},
			as: sam, status: 200, field: "ticket", denied: bea, deniedStatus: 404,
			badBody: map[string]any{"priority": "extreme"}, badStatus: 400},
		{method: "POST", path: "/api/v1/tickets/" + tS + "/replies", body: map[string]string{"text": "We are on it."},
			as: sam, status: 201, field: "message", denied: bea, deniedStatus: 404,
			badBody: map[string]string{"text": "  "}, badStatus: 400},
		{method: "POST", path: "/api/v1/tickets/" + tS + "/notes", body: map[string]string{"text": "Internal: call Carol."},
			as: sam, status: 201, field: "message", denied: bea, deniedStatus: 404,
			badBody: map[string]any{"text": 7}, badStatus: 400},
		{method: "GET", path: "/api/v1/tickets/" + tS + "/messages", as: sam, status: 200, field: "messages", denied: bea,
			deniedStatus: 404, bad: "/api/v1/tickets/nosuch/messages", badStatus: 404},
		{method: "GET", path: "/api/v1/tickets/" + tS + "/audit", as: sam, status: 200, field: "audit", denied: bea,
			deniedStatus: 404, bad: "/api/v1/tickets/nosuch/audit", badStatus: 404},
		{method: "GET", path: "/api/v1/tickets/" + tS + "/tasks", as: sam, status: 200, field: "tasks", denied: bea,
			deniedStatus: 404, bad: "/api/v1/tickets/nosuch/tasks", badStatus: 404},
		{method: "POST", path: "/api/v1/tickets/" + tS + "/tasks", body: map[string]string{"title": "Order toner"},
			as: sam, status: 201, field: "task", denied: bea, deniedStatus: 404,
			badBody: map[string]string{"title": ""}, badStatus: 400},
		{method: "POST", path: "/api/v1/tickets/" + second.TicketID + "/merge", body: map[string]string{"into": tS},
			as: sam, status: 200, field: "ticket", denied: bea, deniedStatus: 404,
			badBody: map[string]string{"into": tB}, badStatus: 404},
		{method: "PATCH", path: "/api/v1/tasks/" + task.ID, body: map[string]bool{"done": true}, as: sam, status: 200,
			field: "task", denied: bea, deniedStatus: 404, badBody: map[string]string{"done": "yes"}, badStatus: 400},
		{method: "GET", path: "/api/v1/messages/" + msgS, as: sam, status: 200, field: "message", denied: bea,
			deniedStatus: 404, bad: "/api/v1/messages/nosuch", badStatus: 404},
		{method: "POST", path: "/api/v1/messages/" + third.MessageID + "/split", as: sam, status: 201, field: "ticket",
			denied: bea, deniedStatus: 404, bad: "/api/v1/messages/nosuch/split", badStatus: 404},
		{method: "GET", path: "/api/v1/messages/" + msgS + "/attachments/" + att, as: sam, status: 200, denied: bea,
			deniedStatus: 404, bad: "/api/v1/messages/" + msgS + "/attachments/nosuch", badStatus: 404},
		{method: "GET", path: "/api/v1/views", as: sam, status: 200, field: "views", denied: anon, deniedStatus: 401},
		{method: "POST", path: "/api/v1/views", body: map[string]string{"name": "Urgent", "query": "priority:urgent"},
			as: sam, status: 201, field: "view", denied: anon, deniedStatus: 401,
			badBody: map[string]string{"name": "Bad", "query": "stauts:open"}, badStatus: 400},
		{method: "DELETE", path: "/api/v1/views/" + view.ID, as: sam, status: 204, denied: bea, deniedStatus: 404, // not hers to see: as if missing
			bad: "/api/v1/views/nosuch", badStatus: 404},
		{method: "GET", path: "/api/v1/contacts/" + ct.ID, as: sam, status: 200, field: "contact", denied: anon,
			deniedStatus: 401, bad: "/api/v1/contacts/nosuch", badStatus: 404},
		{method: "POST", path: "/api/v1/contacts", body: map[string]any{"name": "New", "addresses": []string{"new@x.example"}},
			as: sam, status: 201, field: "contact", denied: anon, deniedStatus: 401,
			badBody: map[string]any{"addresses": []string{"not an address"}}, badStatus: 400},
		{method: "PATCH", path: "/api/v1/contacts/" + ct.ID, body: map[string]string{"name": "Carol C."}, as: sam, status: 200,
			field: "contact", denied: anon, deniedStatus: 401, bad: "/api/v1/contacts/nosuch", badStatus: 404},
		{method: "POST", path: "/api/v1/contacts/" + spare.ID + "/merge", body: map[string]string{"into": ct.ID}, as: admin,
			status: 200, field: "contact", denied: sam, deniedStatus: 403, badBody: map[string]string{"into": "nosuch"}, badStatus: 404},
		{method: "GET", path: "/api/v1/accounts/" + tkS.AccountID, as: sam, status: 200, field: "account", denied: anon,
			deniedStatus: 401, bad: "/api/v1/accounts/nosuch", badStatus: 404},
		{method: "GET", path: "/api/v1/desks", as: sam, status: 200, field: "desks", denied: anon, deniedStatus: 401},
		{method: "GET", path: "/api/v1/users", as: sam, status: 200, field: "users", denied: anon, deniedStatus: 401},
		{method: "POST", path: "/api/v1/users", body: map[string]any{"email": "new@desk.example.com", "role": "agent",
			"desks": []string{d.support.ID}, "password": "a long password"}, as: admin, status: 201, field: "user",
			denied: sam, deniedStatus: 403, badBody: map[string]any{"email": "x@desk.example.com", "role": "boss"}, badStatus: 400},
		{method: "GET", path: "/api/v1/tokens", as: sam, status: 200, field: "tokens", denied: anon, deniedStatus: 401},
		{method: "POST", path: "/api/v1/tokens", body: map[string]string{"name": "ci"}, as: sam, status: 201, field: "token",
			denied: anon, deniedStatus: 401, badBody: map[string]string{"name": ""}, badStatus: 400},
		{method: "DELETE", path: "/api/v1/tokens/" + tokRec.ID, as: sam, status: 204, denied: bea, deniedStatus: 404,
			bad: "/api/v1/tokens/nosuch", badStatus: 404},
		{method: "GET", path: "/api/v1/admin/mailboxes", as: admin, status: 200, field: "mailboxes", denied: sam, deniedStatus: 403},
	}
	tested := map[string]bool{}
	for _, tc := range cases {
		path, _, _ := strings.Cut(tc.path, "?")
		name := tc.method + " " + path
		t.Run(strings.ReplaceAll(name, "/", "_"), func(t *testing.T) {
			d.t = t
			defer func() { d.t = nil }()
			if tc.denied != nil {
				// Denied first: a refused call must change nothing
				// that the allowed one then relies on.
				tc.denied(d).wantError(tc.method, tc.path, tc.body, tc.deniedStatus)
			}
			c := tc.as(d)
			var out map[string]json.RawMessage
			st, b := c.raw(tc.method, tc.path, tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %.300s", st, tc.status, b)
			}
			if tc.field != "" {
				if err := json.Unmarshal(b, &out); err != nil || len(out[tc.field]) == 0 {
					t.Errorf("answer has no %q: %.300s", tc.field, b)
				}
			}
			if tc.badStatus != 0 {
				p, body := tc.path, tc.body
				if tc.bad != "" {
					p = tc.bad
				} else {
					body = tc.badBody
				}
				tc.as(d).wantError(tc.method, p, body, tc.badStatus)
			}
		})
		d.t = t
		tested[tc.method+" "+routeOf(t, d, tc.method, path)] = true
	}
	for _, rt := range NewServer(d.eng, d.idx, nil).Routes() {
		if strings.HasPrefix(rt.Path, "/api/v1/") && !tested[rt.Method+" "+rt.Path] {
			t.Errorf("%s %s has no test case", rt.Method, rt.Path)
		}
	}
}

// routeOf finds the route pattern a concrete path is served by.
func routeOf(t *testing.T, d *desk, method, path string) string {
	segs := strings.Split(path, "/")
	for _, rt := range NewServer(d.eng, d.idx, nil).Routes() {
		if rt.Method != method {
			continue
		}
		rs := strings.Split(rt.Path, "/")
		if len(rs) != len(segs) {
			continue
		}
		match := true
		for i := range rs {
			if !strings.HasPrefix(rs[i], ":") && rs[i] != segs[i] {
				match = false
				break
			}
		}
		if match {
			return rt.Path
		}
	}
	t.Errorf("no route serves %s %s", method, path)
	return ""
}

// TestAgentSeesOnlyTheirDesks: an agent of billing cannot reach a support
// ticket by page, API, attachment URL or search (AC-01, AC-02), while the
// support agent can (positive control).
func TestAgentSeesOnlyTheirDesks(t *testing.T) {
	d := newDesk(t)
	bea, sam := d.signIn(d.agentB), d.signIn(d.agentS)
	var page struct {
		Total   int `json:"total"`
		Tickets []struct {
			ID   string `json:"id"`
			Desk string `json:"desk"`
		} `json:"tickets"`
		Facets map[string][]struct {
			Value string `json:"value"`
		} `json:"facets"`
	}
	for _, q := range []string{"supportword", "printer", "desk:support", ""} {
		page.Tickets, page.Total = nil, 0
		if st := bea.do("GET", "/api/v1/tickets?facets=1&q="+q, nil, &page); st != 200 {
			t.Fatalf("search %q: %d", q, st)
		}
		for _, tk := range page.Tickets {
			if tk.Desk != "billing" {
				t.Errorf("billing agent's search %q returned a %s ticket", q, tk.Desk)
			}
		}
		for _, v := range page.Facets["desk"] {
			if v.Value != "billing" {
				t.Errorf("billing agent's facet counts desk %q", v.Value)
			}
		}
	}
	if st := sam.do("GET", "/api/v1/tickets?q=supportword", nil, &page); st != 200 || page.Total != 1 {
		t.Errorf("support agent's own search: status %d, %d hits, want 1", st, page.Total)
	}
	m, _ := d.eng.Message(context.Background(), d.ticketS.MessageID)
	// The pages: the ticket, its message frame, and the forms that change it.
	for _, p := range []string{"/t/" + d.ticketS.TicketID, "/m/" + m.ID + "/html"} {
		if st, _ := bea.raw("GET", p, nil); st != 404 {
			t.Errorf("billing agent GET %s: %d, want 404", p, st)
		}
		if st, _ := sam.raw("GET", p, nil); st != 200 {
			t.Errorf("support agent GET %s: %d", p, st)
		}
	}
	for _, p := range []string{"/t/" + d.ticketS.TicketID + "/note", "/t/" + d.ticketS.TicketID + "/update", "/m/" + m.ID + "/split"} {
		if st, _, _ := bea.form(p, url.Values{"text": {"x"}, "status": {"closed"}}); st != 404 {
			t.Errorf("billing agent POST %s: %d, want 404", p, st)
		}
	}
	if tk, _ := d.eng.Ticket(context.Background(), d.ticketS.TicketID); tk.Status != "open" || tk.Messages != 1 {
		t.Errorf("a refused form changed the ticket: %+v", tk)
	}
	for _, p := range []string{"/api/v1/tickets/" + d.ticketS.TicketID, "/api/v1/messages/" + m.ID,
		"/api/v1/messages/" + m.ID + "/attachments/" + m.Attachments[0].ID} {
		bea.wantError("GET", p, nil, 404)
		if st, _ := sam.raw("GET", p, nil); st != 200 {
			t.Errorf("support agent GET %s: %d", p, st)
		}
	}
}

// TestCrossSiteRequestsRefused: a state-changing request that rides on the
// session cookie is refused without the CSRF token, or from another
// origin, whatever its content type; a bearer token needs neither.
func TestCrossSiteRequestsRefused(t *testing.T) {
	d := newDesk(t)
	path := "/api/v1/tickets/" + d.ticketS.TicketID + "/notes"
	body := map[string]string{"text": "from elsewhere"}
	sam := d.signIn(d.agentS)
	good := sam.csrf
	sam.csrf = ""
	sam.wantError("POST", path, body, 403)
	sam.csrf = "wrong"
	sam.wantError("POST", path, body, 403)
	sam.csrf = good
	for _, h := range []map[string]string{{"Origin": "https://evil.example"}, {"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}} {
		sam.header = h
		if e := sam.wantError("POST", path, body, 403); e.Error.Code != "csrf" {
			t.Errorf("with %v: code %q, want csrf", h, e.Error.Code)
		}
	}
	sam.header = nil
	// A form post, as a hostile page would send it, with the cookie only.
	form := d.anon()
	form.hc.Jar = sam.hc.Jar
	form.header = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}
	form.wantError("POST", path, "text=hi", 403)
	form.header = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	form.wantError("POST", path, "text=hi", 403)
	// The same for the HTML forms: a page route refuses a post without the
	// token, or from another origin, exactly as the API does.
	page := d.anon()
	page.hc.Jar = sam.hc.Jar
	if st, _, _ := page.form("/t/"+d.ticketS.TicketID+"/note", url.Values{"text": {"from elsewhere"}}); st != 403 {
		t.Errorf("page form without the CSRF token: %d", st)
	}
	page.csrf = good
	page.header = map[string]string{"Origin": "https://evil.example"}
	if st, _, _ := page.form("/t/"+d.ticketS.TicketID+"/note", url.Values{"text": {"from elsewhere"}}); st != 403 {
		t.Errorf("page form from another origin: %d", st)
	}
	page.header = nil
	msgs, _ := d.eng.Messages(context.Background(), d.ticketS.TicketID)
	for _, m := range msgs {
		if strings.Contains(m.Text, "from elsewhere") || m.Text == "hi" {
			t.Fatalf("a refused request stored a note: %q", m.Text)
		}
	}
	// The same request, same origin with the token, goes through.
	sam.header = map[string]string{"Origin": d.srv.URL, "Sec-Fetch-Site": "same-origin"}
	if st := sam.do("POST", path, body, nil); st != 201 {
		t.Errorf("same-origin request with the CSRF token: %d", st)
	}
	if st := d.token(d.agentS).do("POST", path, body, nil); st != 201 {
		t.Errorf("bearer token: %d", st)
	}
	// A revoked or unknown token is refused.
	tc := d.anon()
	tc.bearer = "sdt_unknown"
	tc.wantError("GET", "/api/v1/me", nil, 401)
}

// TestSignInRateLimit: after ten wrong passwords for an address, even the
// right one is refused for a while, with Retry-After.
func TestSignInRateLimit(t *testing.T) {
	d := newDesk(t)
	c := d.anon()
	for i := range 10 {
		if st := c.do("POST", "/api/v1/session", map[string]string{"email": d.agentS.Email, "password": fmt.Sprint("wrong", i, "xxxxxx")}, nil); st != 401 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	resp := c.resp("POST", "/api/v1/session", map[string]string{"email": d.agentS.Email, "password": testPassword})
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("11th attempt: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another address from elsewhere still signs in.
	d.signIn(d.agentB)
}

// TestAttachmentIsADownload: an HTML attachment is served as a download
// that a browser will not render or sniff (XSS-03).
func TestAttachmentIsADownload(t *testing.T) {
	d := newDesk(t)
	m, _ := d.eng.Message(context.Background(), d.ticketS.MessageID)
	resp := d.signIn(d.agentS).resp("GET", "/api/v1/messages/"+m.ID+"/attachments/"+m.Attachments[0].ID, nil)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
		!strings.Contains(h.Get("Content-Disposition"), "page.html") || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("status %d, headers %v", resp.StatusCode, h)
	}
}

// TestMetrics: Prometheus metrics for an admin's token (request latency by
// route, index lag, outbox depth), nothing for others.
func TestMetrics(t *testing.T) {
	d := newDesk(t)
	d.signIn(d.agentS).do("GET", "/api/v1/tickets/"+d.ticketS.TicketID, nil, nil)
	d.token(d.agentS).wantError("GET", "/metrics", nil, 403)
	d.anon().wantError("GET", "/metrics", nil, 401)
	st, body := d.token(d.admin).raw("GET", "/metrics", nil)
	text := string(body)
	for _, want := range []string{"searchdesk_index_lag ", "searchdesk_outbox_depth ", "searchdesk_feed_seq ",
		`searchdesk_http_request_duration_seconds_count{method="GET",route="/api/v1/tickets/:id"} 1`} {
		if st != 200 || !strings.Contains(text, want) {
			t.Errorf("status %d; /metrics has no %q:\n%s", st, want, text)
		}
	}
}

// TestCreateTicket: a ticket opened through the API is taken in like mail
// (its raw message stored, its contact made) and has the fields asked for.
func TestCreateTicket(t *testing.T) {
	d := newDesk(t)
	var out struct {
		Ticket struct {
			ID, Source, Priority, Customer, Subject, Desk string
			Tags                                          []string
		}
	}
	st := d.token(d.agentS).do("POST", "/api/v1/tickets", map[string]any{"desk": "support", "customer": "Dan@Customer.example.org",
		"customer_name": "Dan", "subject": "Scanner broken", "text": "It does not scan.", "priority": "high", "tags": []string{"hw"}}, &out)
	tk := out.Ticket
	if st != 201 || tk.Source != "api" || tk.Priority != "high" || tk.Customer != "dan@customer.example.org" ||
		tk.Desk != "support" || len(tk.Tags) != 1 {
		t.Fatalf("status %d, ticket %+v", st, tk)
	}
	msgs, err := d.eng.Messages(t.Context(), tk.ID)
	if err != nil || len(msgs) != 1 || msgs[0].Text == "" {
		t.Fatalf("messages: %v %+v", err, msgs)
	}
	if raw, err := d.eng.Raw(t.Context(), msgs[0].ID); err != nil || !strings.Contains(string(raw), "Scanner broken") {
		t.Errorf("raw message not stored: %v", err)
	}
	var page struct{ Total int }
	d.signIn(d.agentS).do("GET", "/api/v1/tickets?q=scanner", nil, &page)
	if page.Total != 1 {
		t.Errorf("the new ticket is not searchable at once: %d hits", page.Total)
	}
}
