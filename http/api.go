package http

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	nethttp "net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// Routes lists every route with its access policy (AC-03).
func (s *Server) Routes() []Route {
	return []Route{
		{"GET", "/healthz", PublicRoute, s.healthz},
		{"GET", "/readyz", PublicRoute, s.readyz},
		{"GET", "/metrics", AdminRoute, s.metricsPage},
		{"GET", "/static/*file", PublicRoute, s.static},
		{"GET", "/login", PublicRoute, s.loginForm},
		{"POST", "/login", PublicRoute, s.loginPost},
		{"POST", "/logout", PageRoute, s.logoutPost},
		{"GET", "/", PageRoute, s.inbox},
		{"POST", "/views", PageRoute, s.viewPost},
		{"POST", "/bulk", PageRoute, s.bulkPost},
		{"POST", "/preview", PageRoute, s.previewPost},
		{"GET", "/t/:id", PageRoute, s.ticketPageGet},
		{"POST", "/t/:id/reply", PageRoute, s.replyPost},
		{"POST", "/t/:id/note", PageRoute, s.notePost},
		{"POST", "/t/:id/update", PageRoute, s.updatePost},
		{"POST", "/t/:id/tasks", PageRoute, s.taskPost},
		{"POST", "/t/:id/merge", PageRoute, s.mergePost},
		{"POST", "/tasks/:id/done", PageRoute, s.taskDonePost},
		{"POST", "/m/:id/split", PageRoute, s.splitPost},
		{"GET", "/m/:id/html", PageRoute, s.messageHTML},
		{"GET", "/contacts/:id", PageRoute, s.contactPage},
		{"GET", "/accounts/:id", PageRoute, s.accountPage},
		{"POST", "/contacts/:id", PageRoute, s.contactPost},
		{"GET", "/admin", AdminPageRoute, s.adminGet},
		{"POST", "/admin/users", AdminPageRoute, s.adminUserAdd},
		{"POST", "/admin/users/:id", AdminPageRoute, s.adminUserPost},
		{"POST", "/admin/desks/:id", AdminPageRoute, s.adminDeskPost},
		{"POST", "/admin/categories", AdminPageRoute, s.adminCategoryPost},
		{"POST", "/admin/types", AdminPageRoute, s.adminTypePost},
		{"POST", "/admin/desks/:id/mailbox", AdminPageRoute, s.adminMailboxPost},
		{"POST", "/admin/desks/:id/smtp", AdminPageRoute, s.adminSMTPPost},
		{"POST", "/admin/desks/:id/template", AdminPageRoute, s.adminTemplatePost},
		{"POST", "/admin/views/:id/delete", AdminPageRoute, s.adminViewDelete},
		{"GET", "/me", PageRoute, s.mePageGet},
		{"POST", "/me", PageRoute, s.mePost},
		{"POST", "/me/password", PageRoute, s.passwordPost},
		{"POST", "/me/tokens", PageRoute, s.tokenPost},
		{"POST", "/me/tokens/:id/revoke", PageRoute, s.tokenRevokePost},
		{"GET", "/api/v1/openapi.json", PublicRoute, s.openAPI},
		{"POST", "/api/v1/session", PublicRoute, s.apiSignIn},
		{"DELETE", "/api/v1/session", AgentRoute, s.apiSignOut},
		{"GET", "/api/v1/me", AgentRoute, s.me},
		{"GET", "/api/v1/tickets", AgentRoute, s.listTickets},
		{"POST", "/api/v1/tickets", AgentRoute, s.createTicket},
		{"GET", "/api/v1/tickets/:id", AgentRoute, s.getTicket},
		{"PATCH", "/api/v1/tickets/:id", AgentRoute, s.updateTicket},
		{"POST", "/api/v1/tickets/:id/replies", AgentRoute, s.addReply},
		{"POST", "/api/v1/tickets/:id/notes", AgentRoute, s.addNote},
		{"GET", "/api/v1/tickets/:id/messages", AgentRoute, s.ticketMessages},
		{"GET", "/api/v1/tickets/:id/audit", AgentRoute, s.ticketAudit},
		{"GET", "/api/v1/tickets/:id/tasks", AgentRoute, s.ticketTasks},
		{"POST", "/api/v1/tickets/:id/tasks", AgentRoute, s.addTask},
		{"POST", "/api/v1/tickets/:id/merge", AgentRoute, s.mergeTicket},
		{"PATCH", "/api/v1/tasks/:id", AgentRoute, s.updateTask},
		{"GET", "/api/v1/messages/:id", AgentRoute, s.getMessage},
		{"POST", "/api/v1/messages/:id/split", AgentRoute, s.splitMessage},
		{"GET", "/api/v1/messages/:id/attachments/:att", AgentRoute, s.attachment},
		{"GET", "/api/v1/views", AgentRoute, s.listViews},
		{"POST", "/api/v1/views", AgentRoute, s.saveView},
		{"DELETE", "/api/v1/views/:id", AgentRoute, s.deleteView},
		{"POST", "/api/v1/contacts", AgentRoute, s.createContact},
		{"GET", "/api/v1/contacts/:id", AgentRoute, s.getContact},
		{"PATCH", "/api/v1/contacts/:id", AgentRoute, s.updateContact},
		{"POST", "/api/v1/contacts/:id/merge", OperatorRoute, s.mergeContact},
		{"GET", "/api/v1/accounts/:id", AgentRoute, s.getAccount},
		{"GET", "/api/v1/desks", AgentRoute, s.listDesks},
		{"GET", "/api/v1/users", AgentRoute, s.listUsers},
		{"POST", "/api/v1/users", AdminRoute, s.addUser},
		{"GET", "/api/v1/tokens", AgentRoute, s.listTokens},
		{"POST", "/api/v1/tokens", AgentRoute, s.newToken},
		{"DELETE", "/api/v1/tokens/:id", AgentRoute, s.revokeToken},
		{"GET", "/api/v1/admin/mailboxes", AdminRoute, s.mailboxHealth},
	}
}

// maxJSONBody caps a JSON request body (invariant 8).
const maxJSONBody = 1 << 20

// bindJSON decodes a request body into v, refusing unknown fields, and
// answers 400 naming what is wrong.
func (s *Server) bindJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(nethttp.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.fail(c, bodyError(err))
		return false
	}
	return true
}

// bodyError is a JSON body the decoder refuses, as a typed error that
// says what is wrong in the reader's language.
func bodyError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *nethttp.MaxBytesError
	e := &engine.Error{Code: codeBadRequest, Key: "err_body", Text: "http: request body", Err: err}
	switch {
	case errors.Is(err, io.EOF):
		e.Key = "err_body_empty"
	case errors.As(err, &syntax):
		e.Key, e.Args = "err_body_syntax", []any{syntax.Offset}
	case errors.As(err, &typ) && typ.Field != "":
		e.Key, e.Args = "err_body_type", []any{typ.Field, typ.Type.String()}
	case errors.As(err, &tooBig):
		e.Key, e.Args = "err_body_too_big", []any{tooBig.Limit}
	default:
		// encoding/json says which field it does not know only in its text.
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			e.Key, e.Args = "err_body_field", []any{strings.Trim(f, `"`)}
		}
	}
	return e
}

// --- sign-in

type signInJSON struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn checks an address and password under the rate limits and starts
// a session (setting its cookie). It fails with a rate_limited or
// bad_login *engine.Error (the latter an engine.ErrBadLogin), or an
// internal error.
func (s *Server) signIn(c *gin.Context, email, password string) (*engine.Session, error) {
	now := time.Now()
	addr, client := strings.ToLower(strings.TrimSpace(email)), c.ClientIP()
	byAddr, waitAddr := s.loginByAddr.blocked(addr, now)
	byClient, waitClient := s.loginByClient.blocked(client, now)
	if byAddr || byClient {
		wait := max(waitAddr, waitClient)
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return nil, engine.Errorf(codeRateLimited, "err_rate_limited", "http: too many sign-in attempts: try again in %d minutes",
			int(wait.Minutes())+1)
	}
	u, err := s.eng.Authenticate(c.Request.Context(), email, password)
	if errors.Is(err, engine.ErrBadLogin) {
		s.loginByAddr.failed(addr, now)
		s.loginByClient.failed(client, now)
		return nil, &engine.Error{Code: codeBadLogin, Key: "bad_login", Text: "http: sign in", Err: err}
	}
	if err != nil {
		return nil, err
	}
	token, sess, err := s.eng.NewSession(c.Request.Context(), u.ID, sessionTTL)
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(c, token, sessionTTL)
	return &sess, nil
}

func (s *Server) setSessionCookie(c *gin.Context, token string, ttl time.Duration) {
	nethttp.SetCookie(c.Writer, &nethttp.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: int(ttl.Seconds()),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: nethttp.SameSiteLaxMode})
}

func (s *Server) apiSignIn(c *gin.Context) {
	var in signInJSON
	if !s.bindJSON(c, &in) {
		return
	}
	sess, err := s.signIn(c, in.Email, in.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusOK, gin.H{"csrf_token": sess.CSRF, "expires": sess.Expires})
}

func (s *Server) apiSignOut(c *gin.Context) {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.eng.EndSession(c.Request.Context(), ck); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.setSessionCookie(c, "", -time.Second)
	c.Status(nethttp.StatusNoContent)
}

// userJSON is a member of staff in the API; never their password hash.
type userJSON struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Role     string   `json:"role"`
	Desks    []string `json:"desks"`
	Disabled bool     `json:"disabled,omitempty"`
}

func toUserJSON(u engine.User) userJSON {
	d := u.Desks
	if d == nil {
		d = []string{}
	}
	return userJSON{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Desks: d, Disabled: u.Disabled}
}

func (s *Server) me(c *gin.Context) {
	p := who(c)
	out := gin.H{"user": toUserJSON(p.User)}
	if p.Session != nil {
		out["csrf_token"] = p.Session.CSRF
	}
	c.JSON(nethttp.StatusOK, out)
}

// --- tickets

// ticketJSON is a ticket in the API.
type ticketJSON struct {
	ID         string       `json:"id"`
	Number     string       `json:"number"`
	Desk       string       `json:"desk"`
	DeskID     string       `json:"desk_id"`
	Subject    string       `json:"subject"`
	Status     string       `json:"status"`
	Priority   string       `json:"priority"`
	Category   string       `json:"category,omitempty"`
	Type       string       `json:"type,omitempty"`
	AssigneeID string       `json:"assignee_id,omitempty"`
	Assignee   string       `json:"assignee,omitempty"` // email
	ContactID  string       `json:"contact_id,omitempty"`
	Customer   string       `json:"customer,omitempty"` // the contact's first address
	AccountID  string       `json:"account_id,omitempty"`
	Tags       []string     `json:"tags"`
	Watchers   []string     `json:"watchers,omitempty"`
	Source     string       `json:"source"`
	SLA        string       `json:"sla"`
	Messages   int          `json:"messages"`
	Links      engine.Links `json:"links"`
	Created    time.Time    `json:"created"`
	Updated    time.Time    `json:"updated"`
	Version    uint64       `json:"version"`
	// Highlight is the matching fragment (HTML: escaped, matches in
	// <mark>) and the message it came from, on search results.
	Highlight *index.Highlight `json:"highlight,omitempty"`
}

func toTicketJSON(b *engine.Bundle) ticketJSON {
	t := &b.Ticket
	tj := ticketJSON{ID: t.ID, Number: t.Number, Desk: b.Desk.Code, DeskID: t.DeskID, Subject: t.Subject,
		Status: t.Status, Priority: t.Priority, Category: t.CategoryID, Type: t.TypeID, AssigneeID: t.AssigneeID,
		ContactID: t.ContactID, AccountID: t.AccountID, Tags: t.Tags, Watchers: t.Watchers, Source: t.Source,
		SLA: t.SLAState, Messages: t.Messages, Links: t.Links, Created: t.Created, Updated: t.Updated, Version: t.Version}
	if tj.Tags == nil {
		tj.Tags = []string{}
	}
	if b.Assignee != nil {
		tj.Assignee = b.Assignee.Email
	}
	if b.Contact != nil && len(b.Contact.Addresses) > 0 {
		tj.Customer = b.Contact.Addresses[0]
	}
	return tj
}

// listTickets is a search: q in the query language (default: every ticket
// the caller may see, newest update first), cursor paging, exact total,
// facets with facets=1.
func (s *Server) listTickets(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "25"))
	if err != nil || limit < 1 || limit > 1000 {
		s.fail(c, engine.Errorf(codeBadRequest, "err_limit", "http: limit: want a number from %d to %d", 1, 1000))
		return
	}
	ctx := c.Request.Context()
	res, err := s.search(c, index.Request{Query: c.Query("q"), Scope: scopeOf(c), Size: limit,
		Cursor: c.Query("cursor"), Facets: c.Query("facets") == "1", Highlight: true})
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]string, len(res.Hits))
	highlights := map[string]*index.Highlight{}
	for i, h := range res.Hits {
		ids[i] = h.ID
		highlights[h.ID] = h.Highlight
	}
	out := make([]ticketJSON, 0, len(ids))
	err = s.eng.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
		if err != nil {
			return nil // deleted since the index saw it
		}
		tj := toTicketJSON(b)
		tj.Highlight = highlights[id]
		out = append(out, tj)
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	body := gin.H{"tickets": out, "total": res.Total, "next": res.Next}
	if res.Facets != nil {
		body["facets"] = res.Facets
	}
	c.JSON(nethttp.StatusOK, body)
}

// newTicketJSON is the body of POST /api/v1/tickets: a message from a
// customer, taken in as mail would be, and the ticket's first fields.
type newTicketJSON struct {
	Desk         string `json:"desk"`
	Customer     string `json:"customer"`
	CustomerName string `json:"customer_name"`
	Subject      string `json:"subject"`
	Text         string `json:"text"`
	engine.Change
}

func (s *Server) createTicket(c *gin.Context) {
	var in newTicketJSON
	if !s.bindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	u := who(c).User
	desk, err := s.eng.DeskByCode(ctx, in.Desk)
	if in.Desk == "" {
		desk, err = s.eng.EnsureDesk(ctx, "")
	}
	if err != nil || !u.MemberOf(desk.ID) {
		s.fail(c, engine.Errorf(engine.CodeNotFound, "err_no_desk_of_yours", "http: desk %q: no such desk of yours", in.Desk))
		return
	}
	sub := engine.Submission{Desk: desk.Code, From: engine.Address{Name: in.CustomerName, Addr: in.Customer},
		Subject: in.Subject, Text: in.Text, Channel: "api", Actor: u.Email}
	if !in.Change.Empty() {
		sub.Change = &in.Change
	}
	r, err := s.eng.Submit(ctx, sub)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerTicket(c, r.TicketID, nethttp.StatusCreated)
}

// visibleBundle loads a ticket the caller may see; anything else is 404,
// whether it exists or not, so ids of other desks' tickets leak nothing
// (AC-01).
func (s *Server) visibleBundle(c *gin.Context, id string) (*engine.Bundle, bool) {
	b, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return b, true
}

func (s *Server) getTicket(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	out, err := s.eng.TicketOutbox(b.Ticket.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	outs := []outJSON{}
	for _, ob := range out {
		outs = append(outs, toOutJSON(ob))
	}
	msgs := []messageJSON{}
	for _, m := range b.Messages {
		msgs = append(msgs, toMessageJSON(&m))
	}
	tasks := []engine.Task{}
	tasks = append(tasks, b.Tasks...)
	c.JSON(nethttp.StatusOK, gin.H{"ticket": toTicketJSON(b), "messages": msgs, "tasks": tasks, "outgoing": outs})
}

// outJSON is an outgoing mail of a ticket.
type outJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	To        []string  `json:"to"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Created   time.Time `json:"created"`
}

func toOutJSON(ob engine.OutboxMail) outJSON {
	to := []string{}
	for _, a := range append(ob.To, ob.Cc...) {
		to = append(to, a.Addr)
	}
	return outJSON{ob.ID, ob.Kind, to, ob.Subject, ob.Status, ob.Attempts, ob.LastError, ob.Created}
}

// messageJSON is a message of a ticket. Its HTML is the sanitized HTML
// stored at intake; the UI shows it only in a sandboxed frame.
type messageJSON struct {
	ID          string                 `json:"id"`
	TicketID    string                 `json:"ticket_id"`
	Kind        string                 `json:"kind"`
	Internal    bool                   `json:"internal"`
	From        string                 `json:"from"`
	FromName    string                 `json:"from_name,omitempty"`
	Subject     string                 `json:"subject"`
	Text        string                 `json:"text"`
	HTML        string                 `json:"html,omitempty"`
	Date        time.Time              `json:"date"`
	Received    time.Time              `json:"received"`
	Reason      engine.Reason          `json:"thread_reason"`
	Flags       []string               `json:"flags"`
	Attachments []engine.AttachmentRef `json:"attachments"`
}

func toMessageJSON(m *engine.Message) messageJSON {
	mj := messageJSON{ID: m.ID, TicketID: m.TicketID, Kind: m.Kind, Internal: m.Internal || m.Kind == engine.KindNote,
		From: m.From.Addr, FromName: m.From.Name, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Date: m.Date,
		Received: m.Received, Reason: m.Reason, Flags: m.Flags, Attachments: m.Attachments}
	if mj.Flags == nil {
		mj.Flags = []string{}
	}
	if mj.Attachments == nil {
		mj.Attachments = []engine.AttachmentRef{}
	}
	return mj
}

// ticketChangeJSON is the body of PATCH /api/v1/tickets/:id.
type ticketChangeJSON struct {
	engine.Change
	Version uint64 `json:"version,omitempty"`
}

func (s *Server) updateTicket(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	var in ticketChangeJSON
	if !s.bindJSON(c, &in) {
		return
	}
	if _, err := s.eng.UpdateTicket(c.Request.Context(), who(c).User.Email, b.Ticket.ID, in.Change, in.Version); err != nil {
		s.fail(c, err)
		return
	}
	s.answerTicket(c, b.Ticket.ID, nethttp.StatusOK)
}

// answerTicket answers with a ticket as it is now, once the index has it
// too, so that the caller's next search sees the change (read-your-writes).
func (s *Server) answerTicket(c *gin.Context, id string, status int) {
	s.waitSearchable(c)
	b, err := s.eng.Bundle(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, gin.H{"ticket": toTicketJSON(&b)})
}

// waitSearchable waits, at most a second, until the index has every
// change committed so far.
func (s *Server) waitSearchable(c *gin.Context) {
	ctx, cancel := contextWithTimeout(c, time.Second)
	defer cancel()
	if err := s.idx.WaitFor(ctx, s.eng.LastSeq()); err != nil {
		s.log.Warn("index lags behind a write", "err", err)
	}
}

type textJSON struct {
	Text string `json:"text"`
}

func (s *Server) addStaffMessage(c *gin.Context, note bool) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	var in textJSON
	if !s.bindJSON(c, &in) {
		return
	}
	add := s.eng.AddReply
	if note {
		add = s.eng.AddNote
	}
	m, err := add(c.Request.Context(), who(c).User, b.Ticket.ID, in.Text)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusCreated, gin.H{"message": toMessageJSON(&m)})
}

func (s *Server) addReply(c *gin.Context) { s.addStaffMessage(c, false) }
func (s *Server) addNote(c *gin.Context)  { s.addStaffMessage(c, true) }

func (s *Server) ticketMessages(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	msgs := []messageJSON{}
	for _, m := range b.Messages {
		msgs = append(msgs, toMessageJSON(&m))
	}
	c.JSON(nethttp.StatusOK, gin.H{"messages": msgs})
}

func (s *Server) ticketAudit(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	a, err := s.eng.Audit(c.Request.Context(), b.Ticket.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if a == nil {
		a = []engine.AuditEntry{}
	}
	c.JSON(nethttp.StatusOK, gin.H{"audit": a})
}

func (s *Server) ticketTasks(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	tasks := append([]engine.Task{}, b.Tasks...)
	c.JSON(nethttp.StatusOK, gin.H{"tasks": tasks})
}

type taskJSON struct {
	Title      string     `json:"title"`
	AssigneeID string     `json:"assignee_id,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
}

func (s *Server) addTask(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	var in taskJSON
	if !s.bindJSON(c, &in) {
		return
	}
	t, err := s.eng.AddTask(c.Request.Context(), who(c).User.Email,
		engine.Task{TicketID: b.Ticket.ID, Title: in.Title, AssigneeID: in.AssigneeID, Deadline: in.Deadline})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusCreated, gin.H{"task": t})
}

func (s *Server) updateTask(c *gin.Context) {
	t, err := s.taskFor(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var in struct {
		Done *bool `json:"done"`
	}
	if !s.bindJSON(c, &in) {
		return
	}
	if in.Done == nil {
		s.fail(c, engine.Errorf(engine.CodeInvalid, "err_task_done", "http: done: required (true or false)"))
		return
	}
	done, err := s.eng.SetTaskDone(c.Request.Context(), who(c).User.Email, t.ID, *in.Done)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusOK, gin.H{"task": done})
}

func (s *Server) mergeTicket(c *gin.Context) {
	from, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	var in struct {
		Into string `json:"into"`
	}
	if !s.bindJSON(c, &in) {
		return
	}
	into, ok := s.visibleBundle(c, in.Into)
	if !ok {
		return
	}
	if err := s.eng.Merge(c.Request.Context(), who(c).User.Email, from.Ticket.ID, into.Ticket.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.answerTicket(c, into.Ticket.ID, nethttp.StatusOK)
}

// visibleMessage loads a message whose ticket the caller may see;
// anything else is 404.
func (s *Server) visibleMessage(c *gin.Context, id string) (*engine.Message, bool) {
	m, err := s.messageFor(c, id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return m, true
}

func (s *Server) getMessage(c *gin.Context) {
	if m, ok := s.visibleMessage(c, c.Param("id")); ok {
		c.JSON(nethttp.StatusOK, gin.H{"message": toMessageJSON(m)})
	}
}

func (s *Server) splitMessage(c *gin.Context) {
	m, ok := s.visibleMessage(c, c.Param("id"))
	if !ok {
		return
	}
	t, err := s.eng.Split(c.Request.Context(), who(c).User.Email, m.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerTicket(c, t.ID, nethttp.StatusCreated)
}

// attachment serves an attachment's bytes so that a browser never renders
// them as a page of this site: always a download, the declared type only
// when it is well-formed, no sniffing, and a sandbox CSP should it be
// opened anyway (XSS-03).
func (s *Server) attachment(c *gin.Context) {
	m, ok := s.visibleMessage(c, c.Param("id"))
	if !ok {
		return
	}
	var att *engine.AttachmentRef
	for i := range m.Attachments {
		if m.Attachments[i].ID == c.Param("att") {
			att = &m.Attachments[i]
		}
	}
	if att == nil {
		s.fail(c, engine.Errorf(engine.CodeNotFound, "err_no_attachment", "http: message %s: no attachment %s", m.ID, c.Param("att")))
		return
	}
	data, err := s.eng.Blob(c.Request.Context(), att.Hash)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The type is ours to decide: the sender's word is taken only for
	// types no browser runs as code.
	ctype := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(att.ContentType); err == nil {
		switch mt {
		case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain":
			ctype = mt
		}
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": safeFileName(att.Name)}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	c.Data(nethttp.StatusOK, ctype, data)
}

// safeFileName keeps a download's name to printable characters without
// path separators; an empty name becomes "attachment".
func safeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" {
		return "attachment"
	}
	return name
}

// --- views

func (s *Server) listViews(c *gin.Context) {
	u := who(c).User
	views, err := s.eng.Views(c.Request.Context(), u)
	if err != nil {
		s.fail(c, err)
		return
	}
	counts, err := s.viewCounts(c, views)
	if err != nil {
		s.fail(c, err)
		return
	}
	type viewCountJSON struct {
		View  engine.SavedView `json:"view"`
		Count uint64           `json:"count"`
		Error *errorJSON       `json:"error,omitempty"` // the view's own query is refused
	}
	out := []viewCountJSON{}
	for _, vc := range counts {
		v := viewCountJSON{View: vc.View, Count: vc.Count}
		if vc.Err != nil {
			p := s.describe(c, vc.Err)
			v.Error = &errorJSON{p.Code, p.Message}
		}
		out = append(out, v)
	}
	c.JSON(nethttp.StatusOK, gin.H{"views": out})
}

// errorJSON is an error inside an answer that did not fail as a whole.
type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type viewJSON struct {
	ID         string   `json:"id,omitempty"`
	Name       string   `json:"name"`
	Query      string   `json:"query"`
	Sort       string   `json:"sort,omitempty"`
	Columns    []string `json:"columns,omitempty"`
	SharedDesk string   `json:"shared_desk_id,omitempty"`
}

func (s *Server) saveView(c *gin.Context) {
	var in viewJSON
	if !s.bindJSON(c, &in) {
		return
	}
	v := engine.SavedView{ID: in.ID, Name: in.Name, Query: in.Query, Sort: in.Sort, Columns: in.Columns, SharedDesk: in.SharedDesk}
	if err := index.CheckView(v); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.eng.SaveView(c.Request.Context(), who(c).User, v)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusCreated, gin.H{"view": v})
}

func (s *Server) deleteView(c *gin.Context) {
	if err := s.eng.DeleteView(c.Request.Context(), who(c).User, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(nethttp.StatusNoContent)
}

// --- people and desks

func (s *Server) getContact(c *gin.Context) {
	ct, err := s.eng.Contact(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.search(c, index.Request{Query: "sort:updated-desc", Scope: s.contactScope(c, ct.ID, ""), Size: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusOK, gin.H{"contact": ct, "tickets": s.hitIDs(res), "total": res.Total})
}

type contactJSON struct {
	Name      *string  `json:"name,omitempty"`
	Addresses []string `json:"addresses,omitempty"`
	AccountID *string  `json:"account_id,omitempty"`
}

func (s *Server) createContact(c *gin.Context) {
	var in contactJSON
	if !s.bindJSON(c, &in) {
		return
	}
	ct := engine.Contact{Addresses: in.Addresses}
	if in.Name != nil {
		ct.Name = *in.Name
	}
	if in.AccountID != nil {
		ct.AccountID = *in.AccountID
	}
	ct, err := s.eng.SaveContact(c.Request.Context(), ct)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusCreated, gin.H{"contact": ct})
}

func (s *Server) updateContact(c *gin.Context) {
	ct, err := s.eng.Contact(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var in contactJSON
	if !s.bindJSON(c, &in) {
		return
	}
	if in.Name != nil {
		ct.Name = *in.Name
	}
	if in.Addresses != nil {
		ct.Addresses = in.Addresses
	}
	if in.AccountID != nil {
		ct.AccountID = *in.AccountID
	}
	if ct, err = s.eng.SaveContact(c.Request.Context(), ct); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusOK, gin.H{"contact": ct})
}

func (s *Server) mergeContact(c *gin.Context) {
	var in struct {
		Into string `json:"into"`
	}
	if !s.bindJSON(c, &in) {
		return
	}
	ct, err := s.eng.MergeContacts(c.Request.Context(), who(c).User.Email, c.Param("id"), in.Into)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusOK, gin.H{"contact": ct})
}

func (s *Server) getAccount(c *gin.Context) {
	a, err := s.eng.Account(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.search(c, index.Request{Query: "sort:updated-desc", Scope: s.contactScope(c, "", a.ID), Size: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusOK, gin.H{"account": a, "tickets": s.hitIDs(res), "total": res.Total})
}

// contactScope narrows the caller's scope to one contact's or account's
// tickets: both must hold.
func (s *Server) contactScope(c *gin.Context, contactID, accountID string) index.Scope {
	sc := scopeOf(c)
	sc.OnlyContact, sc.OnlyAccount = contactID, accountID
	return sc
}

func (s *Server) hitIDs(res *index.Result) []string {
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func (s *Server) listDesks(c *gin.Context) {
	desks, err := s.eng.Desks(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	type deskJSON struct {
		ID        string   `json:"id"`
		Code      string   `json:"code"`
		Name      string   `json:"name"`
		Addresses []string `json:"addresses"`
		Pattern   string   `json:"pattern"`
		Language  string   `json:"language,omitempty"`
	}
	out := []deskJSON{}
	u := who(c).User
	for _, d := range desks {
		if u.Role == engine.RoleAgent && !u.MemberOf(d.ID) {
			continue
		}
		out = append(out, deskJSON{d.ID, d.Code, d.Name, append([]string{}, d.Addresses...), d.Pattern, d.Language})
	}
	c.JSON(nethttp.StatusOK, gin.H{"desks": out})
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.eng.Users(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []userJSON{}
	for _, u := range users {
		out = append(out, toUserJSON(u))
	}
	c.JSON(nethttp.StatusOK, gin.H{"users": out})
}

type newUserJSON struct {
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Role     string   `json:"role"`
	Desks    []string `json:"desks"`
	Password string   `json:"password"`
}

func (s *Server) addUser(c *gin.Context) {
	var in newUserJSON
	if !s.bindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	if in.Password != "" {
		if _, err := engine.HashPassword(in.Password); err != nil {
			s.fail(c, err)
			return
		}
	}
	u, err := s.eng.AddUser(ctx, engine.User{Name: in.Name, Email: in.Email, Role: in.Role, Desks: in.Desks})
	if err != nil {
		s.fail(c, err)
		return
	}
	if in.Password != "" {
		if err := s.eng.SetPassword(ctx, u.ID, in.Password); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.JSON(nethttp.StatusCreated, gin.H{"user": toUserJSON(u)})
}

// --- API tokens

func (s *Server) listTokens(c *gin.Context) {
	ts, err := s.eng.APITokens(c.Request.Context(), who(c).User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	type tokenJSON struct {
		ID      string    `json:"id"`
		Name    string    `json:"name"`
		Created time.Time `json:"created"`
	}
	out := []tokenJSON{}
	for _, t := range ts {
		out = append(out, tokenJSON{t.ID, t.Name, t.Created})
	}
	c.JSON(nethttp.StatusOK, gin.H{"tokens": out})
}

func (s *Server) newToken(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if !s.bindJSON(c, &in) {
		return
	}
	secret, t, err := s.eng.NewAPIToken(c.Request.Context(), who(c).User.ID, in.Name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusCreated, gin.H{"id": t.ID, "name": t.Name, "token": secret,
		"note": "shown once: store it now; send it as Authorization: Bearer TOKEN"})
}

func (s *Server) revokeToken(c *gin.Context) {
	if err := s.eng.RevokeAPIToken(c.Request.Context(), who(c).User.ID, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(nethttp.StatusNoContent)
}
