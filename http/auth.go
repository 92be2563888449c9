package http

import (
	"crypto/subtle"
	"errors"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// sessionCookie holds a browser's session token; sessionTTL is how long a
// session lives after sign-in.
const (
	sessionCookie = "sd_session"
	sessionTTL    = 12 * time.Hour
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// principal is who is making a request.
type principal struct {
	User    engine.User
	Session *engine.Session // nil for bearer tokens
}

const principalKey = "searchdesk.principal"

// authenticate finds the request's user from its session cookie or bearer
// token; it never refuses a request (the route's policy does).
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			s.fail(c, engine.Errorf(codeUnauthorized, "err_auth_scheme", "http: Authorization: want Bearer TOKEN"))
			return
		}
		u, err := s.eng.UserByAPIToken(ctx, strings.TrimSpace(token))
		if err != nil {
			if !errors.Is(err, engine.ErrNotFound) {
				s.fail(c, err)
				return
			}
			s.fail(c, engine.Errorf(codeUnauthorized, "err_token_unknown", "http: the API token is unknown or revoked"))
			return
		}
		c.Set(principalKey, &principal{User: u})
		c.Next()
		return
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck != "" {
		sess, u, err := s.eng.SessionUser(ctx, ck)
		switch {
		case err == nil:
			c.Set(principalKey, &principal{User: u, Session: &sess})
		case !errors.Is(err, engine.ErrNotFound):
			s.fail(c, err)
			return
		}
	}
	c.Next()
}

// who returns the request's principal, or nil when nobody is signed in.
func who(c *gin.Context) *principal {
	v, ok := c.Get(principalKey)
	if !ok {
		return nil
	}
	return v.(*principal)
}

// scopeOf is the search scope of the signed-in user: the one function every
// read goes through (invariant 5).
func scopeOf(c *gin.Context) index.Scope {
	p := who(c)
	if p == nil {
		return index.Scope{} // sees nothing
	}
	return index.StaffScope(p.User)
}

// enforce returns the middleware that applies a route's access policy:
// who may call it at all, and that a browser's state-changing request is
// not cross-site (CSRF). What a caller may see inside an allowed route is
// the scope's business.
func (s *Server) enforce(policy string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if policy == PublicRoute {
			c.Next()
			return
		}
		p := who(c)
		if p == nil {
			if policy == PageRoute || policy == AdminPageRoute {
				c.Redirect(nethttp.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			s.fail(c, engine.Errorf(codeUnauthorized, "err_sign_in", "http: sign in, or send Authorization: Bearer TOKEN"))
			return
		}
		if (policy == AdminRoute || policy == AdminPageRoute) && p.User.Role != engine.RoleAdmin {
			s.fail(c, engine.Errorf(engine.CodeForbidden, "err_needs_admin", "http: this needs the admin role"))
			return
		}
		if policy == OperatorRoute && p.User.Role != engine.RoleAdmin && p.User.Role != engine.RoleOperator {
			s.fail(c, engine.Errorf(engine.CodeForbidden, "err_needs_operator", "http: this needs the operator or admin role"))
			return
		}
		if !safeMethod(c.Request.Method) && p.Session != nil {
			if err := checkCSRF(c, p.Session); err != nil {
				s.fail(c, err)
				return
			}
		}
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == nethttp.MethodGet || m == nethttp.MethodHead || m == nethttp.MethodOptions
}

// checkCSRF refuses a state-changing request made with the session cookie
// unless it carries the session's CSRF token (in the X-CSRF-Token header
// or the csrf form field) and, when the browser says where it comes from,
// comes from this site. A bearer token is not sent by browsers on their
// own, so requests made with one need neither.
func checkCSRF(c *gin.Context, sess *engine.Session) error {
	if site := c.GetHeader("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return engine.Errorf(codeCSRF, "err_csrf_cross_site", "http: cross-site request refused")
	}
	if o := c.GetHeader("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, c.Request.Host) {
			return engine.Errorf(codeCSRF, "err_csrf_cross_origin", "http: cross-origin request refused")
		}
	} else if o == "null" {
		return engine.Errorf(codeCSRF, "err_csrf_cross_origin", "http: cross-origin request refused")
	}
	tok := c.GetHeader(csrfHeader)
	if tok == "" {
		tok = c.PostForm(csrfField)
	}
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) != 1 {
		return engine.Errorf(codeCSRF, "err_csrf_token", "http: missing or wrong CSRF token")
	}
	return nil
}
