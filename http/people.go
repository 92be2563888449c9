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
	Contact           *engine.Contact
	Addresses, Error  string
	Name, SearchQuery string
	Lines             []string
	Rows              []inboxRow
	Total             uint64
}

func (s *Server) contactPage(c *gin.Context) {
	s.renderContact(c, c.Param("id"), nethttp.StatusOK, "", nil)
}

// contactPost saves the contact form, or merges the contact into the one
// that has the address given.
func (s *Server) contactPost(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	ct, ok := s.visibleContact(c, id)
	if !ok {
		return
	}
	if into := strings.TrimSpace(c.PostForm("merge_into")); into != "" {
		if u := who(c).User; u.Role != engine.RoleAdmin && u.Role != engine.RoleOperator {
			s.contactFormError(c, id, engine.Errorf(engine.CodeForbidden, "err_needs_operator", "http: merge contacts: needs the operator or admin role"), nil)
			return
		}
		other, err := s.eng.ContactByAddress(ctx, into)
		if err != nil {
			s.contactFormError(c, id, err, nil)
			return
		}
		if _, err := s.eng.MergeContacts(ctx, who(c).User.Email, ct.ID, other.ID); err != nil {
			s.contactFormError(c, id, err, nil)
			return
		}
		s.waitSearchable(c)
		c.Redirect(nethttp.StatusSeeOther, "/contacts/"+other.ID)
		return
	}
	ct.Name = c.PostForm("name")
	ct.Addresses = strings.FieldsFunc(c.PostForm("addresses"), func(r rune) bool { return r == ',' || r == ' ' })
	if _, err := s.eng.SaveContact(ctx, who(c).User.Email, ct); err != nil {
		s.contactFormError(c, id, err, &ct)
		return
	}
	c.Redirect(nethttp.StatusSeeOther, "/contacts/"+id)
}

// contactFormError shows a refusal of the contact form next to it (see
// refusal), keeping what was typed; anything else gets the error page.
func (s *Server) contactFormError(c *gin.Context, id string, err error, typed *engine.Contact) {
	if p, ok := s.refusal(c, err); ok {
		s.renderContact(c, id, p.Status, p.Message, typed)
	}
}

// renderContact shows a contact's card; typed keeps what a failed form had.
func (s *Server) renderContact(c *gin.Context, id string, status int, formErr string, typed *engine.Contact) {
	ct, ok := s.visibleContact(c, id)
	if !ok {
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
	form := ct
	if typed != nil {
		form = *typed
	}
	s.peoplePage(c, status, peoplePage{Name: name, Lines: lines, SearchQuery: q, Contact: &form,
		Addresses: strings.Join(form.Addresses, ", "), Error: formErr}, s.contactScope(c, ct.ID, ""))
}

func (s *Server) accountPage(c *gin.Context) {
	a, ok := s.visibleAccount(c, c.Param("id"))
	if !ok {
		return
	}
	q := ""
	if len(a.Domains) > 0 {
		q = "account:" + a.Domains[0]
	}
	s.peoplePage(c, nethttp.StatusOK, peoplePage{Name: a.Name, Lines: []string{strings.Join(a.Domains, ", ")}, SearchQuery: q},
		s.contactScope(c, "", a.ID))
}

func (s *Server) peoplePage(c *gin.Context, status int, p peoplePage, scope index.Scope) {
	b := s.newBase(c, "")
	b.Title = p.Name
	p.base = b
	res, err := s.search(c, index.Request{Query: "sort:updated-desc", Scope: scope, Size: 100})
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Total = res.Total
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	now := time.Now()
	err = s.eng.Summaries(c.Request.Context(), ids, func(id string, bun *engine.Bundle, err error) error {
		if err == nil {
			t := bun.Ticket
			p.Rows = append(p.Rows, inboxRow{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status,
				UpdatedISO: t.Updated.UTC().Format(time.RFC3339), UpdatedAgo: ago(t.Updated, now)})
		}
		return nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "people", b, p)
}

// visibleContact loads a contact the caller may see, and answers 404 for
// one they may not, as for one that does not exist (AC-01, AC-11): an
// agent sees the contacts with a ticket on their desks, or with none yet;
// operators and admins see all.
func (s *Server) visibleContact(c *gin.Context, id string) (engine.Contact, bool) {
	ct, err := s.eng.Contact(c.Request.Context(), id)
	if err == nil {
		err = s.recordInScope(c, engine.RefContact, id, "err_no_contact")
	}
	if err != nil {
		s.fail(c, err)
		return ct, false
	}
	return ct, true
}

// visibleAccount is visibleContact for accounts.
func (s *Server) visibleAccount(c *gin.Context, id string) (engine.Account, bool) {
	a, err := s.eng.Account(c.Request.Context(), id)
	if err == nil {
		err = s.recordInScope(c, engine.RefAccount, id, "err_no_account")
	}
	if err != nil {
		s.fail(c, err)
		return a, false
	}
	return a, true
}

// recordInScope refuses, as not found, a contact or account outside the
// caller's desks.
func (s *Server) recordInScope(c *gin.Context, kind, id, key string) error {
	sc := scopeOf(c)
	if sc.All {
		return nil
	}
	ok, err := s.eng.RecordOnDesks(c.Request.Context(), kind, id, sc.DeskIDs)
	if err == nil && !ok {
		err = engine.Errorf(engine.CodeNotFound, key, "http: %s %s is not on the caller's desks", kind, id)
	}
	return err
}
