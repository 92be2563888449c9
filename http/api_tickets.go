package http

import (
	nethttp "net/http"
	"searchdesk/engine"
	"searchdesk/index"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

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
	err = s.eng.Summaries(ctx, ids, func(id string, b *engine.Bundle, err error) error {
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
	b, err := s.eng.Summary(c.Request.Context(), id)
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

func (s *Server) addNote(c *gin.Context) { s.addStaffMessage(c, true) }

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
