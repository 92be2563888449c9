package http

import (
	nethttp "net/http"
	"searchdesk/engine"
	"time"

	"github.com/gin-gonic/gin"
)

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
	me := who(c).User
	out := []userJSON{}
	for _, u := range users {
		if sharesDesk(me, u) {
			out = append(out, toUserJSON(u))
		}
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

// sharesDesk reports whether me may see u in the list of staff: operators
// and admins see everyone; an agent sees the staff of their own desks
// (operators and admins among them), whom they can assign and mention.
func sharesDesk(me, u engine.User) bool {
	if me.Role != engine.RoleAgent || me.ID == u.ID {
		return true
	}
	for _, d := range me.Desks {
		if u.MemberOf(d) {
			return true
		}
	}
	return false
}
