package http

import (
	"errors"
	nethttp "net/http"
	"searchdesk/engine"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

type signInJSON struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// signIn checks an address and password under the rate limits and starts
// a session (setting its cookie). It fails with a rate_limited or
// bad_login *engine.Error (the latter an engine.ErrBadLogin), or an
// internal error.
func (s *Server) signIn(c *gin.Context, email, password string) (*engine.Session, error) {
	ctx := c.Request.Context()
	att, wait := s.signIns.admit(c.ClientIP(), engine.NormAddress(email), time.Now())
	if att == nil {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return nil, engine.Errorf(codeRateLimited, "err_rate_limited", "http: too many sign-in attempts: try again in %d minutes",
			int(wait.Minutes())+1)
	}
	var u engine.User
	err := att.check(ctx, func() (err error) {
		u, err = s.eng.Authenticate(ctx, email, password)
		return err
	})
	if errors.Is(err, engine.ErrBadLogin) {
		return nil, &engine.Error{Code: codeBadLogin, Key: "bad_login", Text: "http: sign in", Err: err}
	}
	if err != nil {
		return nil, err
	}
	att.succeeded()
	token, sess, err := s.eng.NewSession(ctx, u.ID, sessionTTL)
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
