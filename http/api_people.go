package http

import (
	nethttp "net/http"
	"searchdesk/engine"
	"searchdesk/index"

	"github.com/gin-gonic/gin"
)

func (s *Server) getContact(c *gin.Context) {
	ct, ok := s.visibleContact(c, c.Param("id"))
	if !ok {
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
	s.saveContact(c, engine.Contact{}, nethttp.StatusCreated)
}

func (s *Server) updateContact(c *gin.Context) {
	if ct, ok := s.visibleContact(c, c.Param("id")); ok {
		s.saveContact(c, ct, nethttp.StatusOK)
	}
}

// saveContact applies the body's fields to ct (the fields it leaves out
// stay as they are) and saves it, answering status.
func (s *Server) saveContact(c *gin.Context, ct engine.Contact, status int) {
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
	ct, err := s.eng.SaveContact(c.Request.Context(), who(c).User.Email, ct)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, gin.H{"contact": ct})
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
	a, ok := s.visibleAccount(c, c.Param("id"))
	if !ok {
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
