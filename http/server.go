// Package http serves searchdesk's HTML UI and JSON API with Gin. Every
// route is listed in Routes with its access policy.
package http

import (
	"context"
	"errors"
	"log/slog"
	nethttp "net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// Server holds the handlers' dependencies.
type Server struct {
	eng *engine.Store
	idx *index.Index
	log *slog.Logger
}

// NewServer returns a server over the store and its index.
func NewServer(eng *engine.Store, idx *index.Index, log *slog.Logger) *Server {
	return &Server{eng: eng, idx: idx, log: log}
}

// Access policies a route may declare.
const (
	PublicRoute = "public"
	AgentRoute  = "agent"
	AdminRoute  = "admin"
)

// Route is one endpoint with its access policy.
type Route struct {
	Method, Path, Policy string
	Handler              gin.HandlerFunc
}

// Routes lists every route; a route without a policy does not start.
func (s *Server) Routes() []Route {
	return []Route{
		{"GET", "/healthz", PublicRoute, s.healthz},
		{"GET", "/readyz", PublicRoute, s.healthz},
		{"GET", "/api/v1/tickets", AgentRoute, s.listTickets},
		{"GET", "/api/v1/tickets/:id", AgentRoute, s.getTicket},
		{"GET", "/api/v1/admin/mailboxes", AdminRoute, s.mailboxHealth},
	}
}

// Handler builds the Gin engine.
func (s *Server) Handler() nethttp.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	for _, rt := range s.Routes() {
		if rt.Policy == "" {
			panic("http: route " + rt.Path + " declares no access policy")
		}
		r.Handle(rt.Method, rt.Path, rt.Handler)
	}
	return r
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(nethttp.StatusOK, gin.H{"status": "ok", "feed_seq": s.eng.LastSeq()})
}

// ticketJSON is a ticket in the API.
type ticketJSON struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"`
	Priority string    `json:"priority"`
	Messages int       `json:"messages"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	// Highlight is the matching fragment (HTML: escaped, matches in
	// <mark>) and the message it came from, on search results.
	Highlight *index.Highlight `json:"highlight,omitempty"`
}

func (s *Server) listTickets(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil || limit < 1 || limit > 1000 {
		s.fail(c, nethttp.StatusBadRequest, "bad_request", "limit: want a number from 1 to 1000")
		return
	}
	if q, ok := c.GetQuery("q"); ok {
		s.searchTickets(c, q, limit)
		return
	}
	out := []ticketJSON{}
	errStop := errors.New("stop")
	err = s.eng.EachTicket(c.Request.Context(), func(t *engine.Ticket) error {
		if len(out) >= limit {
			return errStop
		}
		out = append(out, toTicketJSON(t))
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		s.internal(c, err)
		return
	}
	c.JSON(nethttp.StatusOK, gin.H{"tickets": out})
}

// searchTickets answers /api/v1/tickets?q=QUERY&cursor=C with a page of
// tickets, the exact total and facets.
func (s *Server) searchTickets(c *gin.Context, q string, limit int) {
	ctx := c.Request.Context()
	res, err := s.idx.Search(ctx, index.Request{Query: q, Scope: index.Scope{All: true},
		Size: limit, Cursor: c.Query("cursor"), Facets: true, Highlight: true})
	var se *index.SyntaxError
	if errors.As(err, &se) {
		s.fail(c, nethttp.StatusBadRequest, "bad_query", se.Error())
		return
	}
	if err != nil {
		s.error(c, err)
		return
	}
	out := []ticketJSON{}
	for _, h := range res.Hits {
		t, err := s.eng.Ticket(ctx, h.ID)
		if err != nil {
			s.error(c, err)
			return
		}
		tj := toTicketJSON(&t)
		tj.Highlight = h.Highlight
		out = append(out, tj)
	}
	c.JSON(nethttp.StatusOK, gin.H{"tickets": out, "total": res.Total, "next": res.Next, "facets": res.Facets})
}

func toTicketJSON(t *engine.Ticket) ticketJSON {
	return ticketJSON{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status,
		Priority: t.Priority, Messages: t.Messages, Created: t.Created, Updated: t.Updated}
}

func (s *Server) getTicket(c *gin.Context) {
	t, err := s.eng.Ticket(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.error(c, err)
		return
	}
	msgs, err := s.eng.Messages(c.Request.Context(), t.ID)
	if err != nil {
		s.error(c, err)
		return
	}
	type msgJSON struct {
		ID      string        `json:"id"`
		Kind    string        `json:"kind"`
		From    string        `json:"from"`
		Subject string        `json:"subject"`
		Text    string        `json:"text"`
		Reason  engine.Reason `json:"thread_reason"`
		Flags   []string      `json:"flags"`
	}
	var ms []msgJSON
	for _, m := range msgs {
		ms = append(ms, msgJSON{m.ID, m.Kind, m.From.Addr, m.Subject, m.Text, m.Reason, m.Flags})
	}
	out, err := s.eng.TicketOutbox(t.ID)
	if err != nil {
		s.error(c, err)
		return
	}
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
	var outs []outJSON
	for _, ob := range out {
		var to []string
		for _, a := range append(ob.To, ob.Cc...) {
			to = append(to, a.Addr)
		}
		outs = append(outs, outJSON{ob.ID, ob.Kind, to, ob.Subject, ob.Status, ob.Attempts, ob.LastError, ob.Created})
	}
	c.JSON(nethttp.StatusOK, gin.H{"ticket": toTicketJSON(&t), "messages": ms, "outgoing": outs})
}

// mailboxHealth shows each mailbox's last success, last error and lag.
func (s *Server) mailboxHealth(c *gin.Context) {
	st, err := s.eng.MailboxStates()
	if err != nil {
		s.error(c, err)
		return
	}
	type boxJSON struct {
		Mailbox     string    `json:"mailbox"`
		Desk        string    `json:"desk_id"`
		LastSuccess time.Time `json:"last_success"`
		LastError   string    `json:"last_error,omitempty"`
		LastErrorAt time.Time `json:"last_error_at"`
		Lag         int       `json:"lag"`
		Stored      int64     `json:"stored"`
		Skipped     int64     `json:"skipped"`
	}
	out := []boxJSON{}
	for _, b := range st {
		out = append(out, boxJSON{b.MailboxID, b.DeskID, b.LastSuccess, b.LastError, b.LastErrorAt, b.Lag, b.Stored, b.Skipped})
	}
	c.JSON(nethttp.StatusOK, gin.H{"mailboxes": out})
}

// error is the one place an error becomes a response: sentinels map to
// 404, 409 and 400; anything else is logged and shown as "internal error".
func (s *Server) error(c *gin.Context, err error) {
	switch {
	case errors.Is(err, engine.ErrNotFound):
		s.fail(c, nethttp.StatusNotFound, "not_found", "not found")
	case errors.Is(err, engine.ErrConflict):
		s.fail(c, nethttp.StatusConflict, "conflict", "conflict")
	case errors.Is(err, engine.ErrInvalid):
		s.fail(c, nethttp.StatusBadRequest, "invalid", "invalid request")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		s.fail(c, nethttp.StatusServiceUnavailable, "timeout", "request timed out")
	default:
		s.internal(c, err)
	}
}

func (s *Server) internal(c *gin.Context, err error) {
	s.log.Error("request failed", "path", c.FullPath(), "err", err)
	s.fail(c, nethttp.StatusInternalServerError, "internal", "internal error")
}

func (s *Server) fail(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": gin.H{"code": code, "message": msg}})
}
