package http

import (
	"errors"
	nethttp "net/http"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/ui"
)

// mePage is the signed-in user's own settings: name, language, password,
// API tokens.
type mePage struct {
	base
	Note, PasswordError, TokenError, NewToken string
	Tokens                                    []engine.APIToken
}

func (s *Server) mePageGet(c *gin.Context) { s.renderMe(c, nethttp.StatusOK, mePage{}) }

func (s *Server) renderMe(c *gin.Context, status int, p mePage) {
	b := s.newBase(c, "me")
	p.base = b
	tokens, err := s.eng.APITokens(c.Request.Context(), b.User.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Tokens = tokens
	s.render(c, status, "me", b, p)
}

func (s *Server) mePost(c *gin.Context) {
	u, err := s.eng.SetProfile(c.Request.Context(), who(c).User.ID, c.PostForm("name"), c.PostForm("language"))
	if err != nil {
		s.fail(c, err)
		return
	}
	who(c).User = u // this page already in the new language
	s.renderMe(c, nethttp.StatusOK, mePage{Note: ui.T(lang(c), "saved")})
}

func (s *Server) passwordPost(c *gin.Context) {
	ctx := c.Request.Context()
	u := who(c).User
	l := lang(c)
	if _, err := s.eng.Authenticate(ctx, u.Email, c.PostForm("current")); err != nil {
		if errors.Is(err, engine.ErrBadLogin) {
			s.renderMe(c, nethttp.StatusBadRequest, mePage{PasswordError: ui.T(l, "wrong_password")})
			return
		}
		s.fail(c, err)
		return
	}
	if err := s.eng.SetPassword(ctx, u.ID, c.PostForm("new")); err != nil {
		if p, ok := s.refusal(c, err); ok {
			s.renderMe(c, p.Status, mePage{PasswordError: p.Message})
		}
		return
	}
	// Every session and API token of the old password has ended (AC-06);
	// this browser goes on with a new session.
	token, sess, err := s.eng.NewSession(ctx, u.ID, sessionTTL)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookie(c, token, sessionTTL)
	who(c).Session = &sess
	s.renderMe(c, nethttp.StatusOK, mePage{Note: ui.T(l, "password_changed")})
}

func (s *Server) tokenPost(c *gin.Context) {
	secret, _, err := s.eng.NewAPIToken(c.Request.Context(), who(c).User.ID, c.PostForm("name"))
	if err != nil {
		if p, ok := s.refusal(c, err); ok {
			s.renderMe(c, p.Status, mePage{TokenError: p.Message})
		}
		return
	}
	s.renderMe(c, nethttp.StatusCreated, mePage{NewToken: secret})
}

func (s *Server) tokenRevokePost(c *gin.Context) {
	if err := s.eng.RevokeAPIToken(c.Request.Context(), who(c).User.ID, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(nethttp.StatusSeeOther, "/me")
}
