package http

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	nethttp "net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
	"searchdesk/ui"
)

// Error codes of the refusals http makes itself, beside engine's and
// index's (docs/errors.md lists them all with their status).
const (
	codeUnauthorized = "unauthorized" // not signed in, or an unknown token
	codeBadLogin     = "bad_login"    // wrong email or password
	codeRateLimited  = "rate_limited" // too many failed sign-ins
	codeCSRF         = "csrf"         // a browser's post without the token, or from elsewhere
	codeBadRequest   = "bad_request"  // a body or parameter that cannot be read
	codeTooLarge     = "too_large"    // a body over its cap (DOS-04)
	codeNotReady     = "not_ready"    // the index is catching up (/readyz)
	codeTimeout      = "timeout"      // the request's own deadline, not a search's
)

// statusOf is the HTTP status of an error code.
func statusOf(code string) int {
	switch code {
	case engine.CodeInvalid, index.CodeBadQuery, codeBadRequest:
		return nethttp.StatusBadRequest
	case codeUnauthorized, codeBadLogin:
		return nethttp.StatusUnauthorized
	case engine.CodeForbidden, codeCSRF:
		return nethttp.StatusForbidden
	case engine.CodeNotFound:
		return nethttp.StatusNotFound
	case engine.CodeConflict:
		return nethttp.StatusConflict
	case index.CodeSearchTimeout:
		// The search was well formed, but too broad to answer in time:
		// the searcher's to narrow down, so a 4xx, never a 5xx.
		return nethttp.StatusUnprocessableEntity
	case codeRateLimited:
		return nethttp.StatusTooManyRequests
	case codeTooLarge:
		return nethttp.StatusRequestEntityTooLarge
	case codeNotReady, codeTimeout:
		return nethttp.StatusServiceUnavailable
	}
	return nethttp.StatusInternalServerError
}

// problem is an error as its reader is told it: the status, the code and
// the message in the request's language.
type problem struct {
	Status        int
	Code, Message string
}

// describe is what the reader of the request is told about err: the code
// of the *engine.Error in it (or of the sentinel it wraps), and its
// message from the UI string catalogue in the request's language. The
// text of an error (err.Error()) is never shown; an error with no code
// is "internal error".
func (s *Server) describe(c *gin.Context, err error) problem {
	code := engine.ErrorCode(err)
	if code == engine.CodeInternal && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		code = codeTimeout
	}
	l := lang(c)
	p := problem{Status: statusOf(code), Code: code, Message: ui.T(l, "err_code_"+code)}
	if !ui.Has("en", "err_code_"+code) {
		p.Message = ui.T(l, "err_code_"+engine.CodeInternal)
	}
	var e *engine.Error
	if p.Code != engine.CodeInternal && errors.As(err, &e) && ui.Has("en", e.Key) {
		p.Message = message(l, e)
	}
	return p
}

// message is e's message in language l, with its values; a value that is
// an engine.Key is put in l too.
func message(l string, e *engine.Error) string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if k, ok := a.(engine.Key); ok {
			a = ui.T(l, string(k))
		}
		args[i] = a
	}
	return ui.Tf(l, e.Key, args...)
}

// fail is the one place an error becomes a response, as wtf's Error is:
// the status comes from the error's code, and the answer has the route's
// kind: {"error":{"code","message"}} for the API and the machine
// endpoints, an HTML page for pages, a short HTML fragment for the parts
// of pages that scripts and frames load. What is not a refusal (a 5xx)
// is logged with its details; its reader sees only "internal error".
func (s *Server) fail(c *gin.Context, err error) {
	p := s.describe(c, err)
	if p.Status >= 500 {
		level := slog.LevelWarn
		if p.Code == engine.CodeInternal {
			level = slog.LevelError
		}
		s.log.Log(c.Request.Context(), level, "request failed", "request_id", c.GetString(requestIDKey),
			"route", c.FullPath(), "code", p.Code, "err", err)
	}
	switch routeKind(c) {
	case kindJSON:
		c.AbortWithStatusJSON(p.Status, gin.H{"error": gin.H{"code": p.Code, "message": p.Message}})
	case kindFragment:
		s.renderFragment(c, p)
		c.Abort()
	default:
		s.errorPage(c, p)
		c.Abort()
	}
}

// refusal returns what the reader is told about err when it is theirs to
// put right (a 4xx), for a form that shows the message next to its field;
// any other error it answers with fail, and ok is false. A form that names
// a record that does not exist is a 400: the page it is on is there.
func (s *Server) refusal(c *gin.Context, err error) (p problem, ok bool) {
	if p = s.describe(c, err); p.Status >= 500 {
		s.fail(c, err)
		return p, false
	}
	if p.Status == nethttp.StatusNotFound {
		p.Status = nethttp.StatusBadRequest
	}
	return p, true
}

// The kinds of answer a route gives.
const (
	kindJSON     = "json"
	kindPage     = "page"
	kindFragment = "fragment"
)

// routeKind is the kind of answer of the request's route: JSON under
// /api/ and for the machine endpoints, a fragment for the preview and a
// message's framed HTML, else a page.
func routeKind(c *gin.Context) string {
	route := c.FullPath()
	if route == "" { // no route: by the path asked for
		route = c.Request.URL.Path
	}
	switch {
	case strings.HasPrefix(route, "/api/"), route == "/healthz", route == "/readyz", route == "/metrics":
		return kindJSON
	case route == "/preview", route == "/m/:id/html":
		return kindFragment
	}
	return kindPage
}

// errorPage is the page shown instead of a failed one.
type errorPage struct {
	base
	Heading, Message, Help, Code string
}

// errorPage answers a page request that failed with the error page: a
// heading for the kind of failure, the message, and help where there is
// some.
func (s *Server) errorPage(c *gin.Context, p problem) {
	b := s.newBase(c, "")
	heading, help := "err_heading_refused", ""
	switch {
	case p.Status == nethttp.StatusNotFound:
		heading, help = "not_found", "not_found_text"
	case p.Status == nethttp.StatusForbidden || p.Status == nethttp.StatusUnauthorized:
		heading = "err_heading_forbidden"
	case p.Status >= 500:
		heading, help = "error", "error_text"
	}
	b.Title = ui.T(b.Lang, heading)
	page := errorPage{base: b, Heading: b.Title, Message: p.Message, Code: p.Code}
	if help != "" {
		page.Help = ui.T(b.Lang, help)
	}
	s.render(c, p.Status, "error", b, page)
}

// renderFragment answers with the message alone, as HTML for a script to
// put in its place.
func (s *Server) renderFragment(c *gin.Context, p problem) {
	var buf bytes.Buffer
	if err := s.pages.set["error"].ExecuteTemplate(&buf, "fragment", p); err != nil {
		s.log.Error("render error fragment", "err", err)
	}
	c.Header("Content-Security-Policy", "default-src 'none'")
	c.Header("Cache-Control", "no-store")
	c.Data(p.Status, "text/html; charset=utf-8", buf.Bytes())
}
