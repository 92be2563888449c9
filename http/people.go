package http

import (
	nethttp "net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// peoplePage is a contact's or an account's card with the tickets the
// viewer may see (the CRM link).
type peoplePage struct {
	base
	Name, SearchQuery string
	Lines             []string
	Rows              []inboxRow
	Total             uint64
}

func (s *Server) contactPage(c *gin.Context) {
	ct, err := s.eng.Contact(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.pageError(c, err)
		return
	}
	name := ct.Name
	if name == "" && len(ct.Addresses) > 0 {
		name = ct.Addresses[0]
	}
	lines := []string{strings.Join(ct.Addresses, ", ")}
	q := ""
	if len(ct.Addresses) > 0 {
		q = "customer:" + ct.Addresses[0]
	}
	s.peoplePage(c, name, lines, q, s.contactScope(c, ct.ID, ""))
}

func (s *Server) accountPage(c *gin.Context) {
	a, err := s.eng.Account(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.pageError(c, err)
		return
	}
	q := ""
	if len(a.Domains) > 0 {
		q = "account:" + a.Domains[0]
	}
	s.peoplePage(c, a.Name, []string{strings.Join(a.Domains, ", ")}, q, s.contactScope(c, "", a.ID))
}

func (s *Server) peoplePage(c *gin.Context, name string, lines []string, q string, scope index.Scope) {
	b := s.newBase(c, name)
	res, err := s.idx.Search(c.Request.Context(), index.Request{Query: "sort:updated-desc", Scope: scope, Size: 100})
	if err != nil {
		s.pageError(c, err)
		return
	}
	p := peoplePage{base: b, Name: name, Lines: lines, Total: res.Total, SearchQuery: q}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	now := time.Now()
	err = s.eng.Bundles(c.Request.Context(), ids, func(id string, bun *engine.Bundle, err error) error {
		if err == nil {
			t := bun.Ticket
			p.Rows = append(p.Rows, inboxRow{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status,
				UpdatedISO: t.Updated.UTC().Format(time.RFC3339), UpdatedAgo: ago(t.Updated, now)})
		}
		return nil
	})
	if err != nil {
		s.pageError(c, err)
		return
	}
	s.render(c, nethttp.StatusOK, "people", b, p)
}
