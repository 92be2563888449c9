// Package http serves searchdesk's HTML UI and JSON API with Gin. Every
// route is listed in Routes with its access policy.
package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	nethttp "net/http"
	"runtime"
	"slices"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// Server holds the handlers' dependencies.
type Server struct {
	eng *engine.Store
	idx *index.Index
	log *slog.Logger

	// SecureCookies marks the session cookie Secure: set it whenever the
	// desk is reached over HTTPS (directly or behind a proxy).
	SecureCookies bool
	// Ready reports whether the desk is ready for traffic (/readyz): the
	// index has caught up with the store. Nil means always ready.
	Ready func() error
	// SearchDeadline bounds each search a request makes (0: the index's
	// default, 1 s); a search it cuts off is answered 422 search_timeout.
	SearchDeadline time.Duration

	// TrustedProxies are the addresses (IPs or CIDRs) of reverse proxies
	// whose X-Forwarded-For names the client; none by default, so the
	// client is the connection's peer and a header cannot change who is
	// counted by the sign-in limits.
	TrustedProxies []string

	signIns *signInGate
	pages   *pages
	metrics *metrics.Set
}

// NewServer returns a server over the store and its index.
func NewServer(eng *engine.Store, idx *index.Index, log *slog.Logger) *Server {
	s := &Server{eng: eng, idx: idx, log: log, pages: loadPages(), signIns: newSignInGate(2 * runtime.NumCPU())}
	s.metrics = s.newMetrics()
	return s
}

// Access policies a route may declare. Every route declares one (AC-03);
// within a route, what a caller sees is bounded by their scope.
const (
	PublicRoute    = "public"     // anyone
	AgentRoute     = "agent"      // any signed-in member of staff (API: 401 otherwise)
	OperatorRoute  = "operator"   // operators and admins (API)
	AdminRoute     = "admin"      // admins only (API)
	PageRoute      = "page"       // an HTML page for staff: redirects to sign-in
	AdminPageRoute = "admin-page" // an HTML page for admins
)

// Policies lists every access policy a route may declare.
func Policies() []string {
	return []string{PublicRoute, AgentRoute, OperatorRoute, AdminRoute, PageRoute, AdminPageRoute}
}

// Route is one endpoint with its access policy.
type Route struct {
	Method, Path, Policy string
	Handler              gin.HandlerFunc
}

// Handler builds the Gin engine. A route whose policy is not one of
// Policies() stops the server from starting.
func (s *Server) Handler() nethttp.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(s.TrustedProxies); err != nil {
		panic("http: trusted proxies: " + err.Error()) // checked by cmd before
	}
	r.MaxMultipartMemory = maxFormBody
	r.Use(s.requestLog, gin.Recovery(), s.securityHeaders, s.capForm, s.authenticate)
	for _, rt := range s.Routes() {
		if !slices.Contains(Policies(), rt.Policy) {
			panic("http: route " + rt.Method + " " + rt.Path + " declares no access policy")
		}
		r.Handle(rt.Method, rt.Path, s.enforce(rt.Policy), rt.Handler)
	}
	r.NoRoute(func(c *gin.Context) {
		s.fail(c, engine.Errorf(engine.CodeNotFound, "err_no_route", "http: no route for %s %s", c.Request.Method, c.Request.URL.Path))
	})
	return r
}

// requestIDKey holds the request's id in its Gin context.
const requestIDKey = "searchdesk.request_id"

// requestLog gives each request an id (X-Request-Id, and request_id in
// every log line about it) and logs it when it is done.
func (s *Server) requestLog(c *gin.Context) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	c.Header("X-Request-Id", id)
	c.Set(requestIDKey, id)
	start := time.Now()
	c.Next()
	s.observe(c, time.Since(start).Seconds())
	if s.log == nil {
		return
	}
	level := slog.LevelDebug
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.log.Log(c.Request.Context(), level, "request", "request_id", id, "method", c.Request.Method,
		"route", c.FullPath(), "status", c.Writer.Status(), "ms", time.Since(start).Milliseconds())
}

// securityHeaders are sent with every answer: no framing by other sites,
// no content sniffing, no referrer leaking ticket URLs.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(nethttp.StatusOK, gin.H{"status": "ok", "feed_seq": s.eng.LastSeq()})
}

// readyz answers 200 once the index has caught up with the store.
func (s *Server) readyz(c *gin.Context) {
	if s.Ready != nil {
		if err := s.Ready(); err != nil {
			s.fail(c, &engine.Error{Code: codeNotReady, Key: "err_not_ready", Text: "http: not ready", Err: err})
			return
		}
	}
	c.JSON(nethttp.StatusOK, gin.H{"status": "ready", "feed_seq": s.eng.LastSeq(), "index_seq": s.idx.Applied()})
}

// mailboxHealth shows each mailbox's last success, last error and lag.
func (s *Server) mailboxHealth(c *gin.Context) {
	st, err := s.eng.MailboxStates()
	if err != nil {
		s.fail(c, err)
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

// contextWithTimeout bounds work a handler does after its answer is known.
func contextWithTimeout(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request.Context(), d)
}

// search runs a search of the request with the server's search deadline.
func (s *Server) search(c *gin.Context, r index.Request) (*index.Result, error) {
	r.Deadline = s.SearchDeadline
	return s.idx.Search(c.Request.Context(), r)
}

// viewCounts counts the saved views in the caller's scope with the
// server's search deadline.
func (s *Server) viewCounts(c *gin.Context, views []engine.SavedView) ([]index.ViewCount, error) {
	return s.idx.ViewCounts(c.Request.Context(), views, index.Request{Scope: scopeOf(c), Deadline: s.SearchDeadline})
}
