package http

import (
	"encoding/json"
	"fmt"
	"html/template"
	nethttp "net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
	"searchdesk/ui"
)

// inboxPage is the search-first inbox.
type inboxPage struct {
	base
	Query, Next, Error, ViewError, BulkNote string
	ErrorCode                               string // of Error: what kind of refusal
	First                                   bool
	Total                                   uint64
	Rows                                    []inboxRow
	Facets                                  []facetGroup
	Views                                   []viewRow
	Desks                                   []engine.Desk
	Staff                                   []staffOption
	Statuses, Priorities, Categories        []string
	Fields                                  string // for completion
	Values                                  string // JSON: field -> values, for completion
}

type inboxRow struct {
	ID, Number, Subject, Customer, Status, Priority, Category, Colour, Assignee, SLA string
	UpdatedISO, UpdatedAgo                                                           string
	HasTasks                                                                         bool
	Fragment                                                                         template.HTML
}

type facetGroup struct {
	Name   string
	Values []facetLink
}

type facetLink struct {
	Label, Query, Colour string
	Count                int
	On                   bool
}

type viewRow struct {
	Name, Query, Shared, Error string
	Count                      uint64
}

type staffOption struct {
	ID, Email string
	Watching  bool
}

// defaultQuery is what the inbox shows before anything is typed.
const defaultQuery = "is:open"

// inboxSize is how many tickets a page of the inbox lists.
const inboxSize = 50

func statuses() []string {
	return []string{engine.StatusOpen, engine.StatusInProgress, engine.StatusWaiting, engine.StatusResolved, engine.StatusClosed}
}

func priorities() []string { return []string{"low", "normal", "high", "urgent"} }

// inbox runs the query in the URL (so a search can be bookmarked and
// shared) in the viewer's scope, with facets, saved views and highlights.
func (s *Server) inbox(c *gin.Context) {
	q, ok := c.GetQuery("q")
	if !ok {
		q = defaultQuery
	}
	s.renderInbox(c, q, c.Query("cursor"), "", "")
}

func (s *Server) renderInbox(c *gin.Context, q, cursor, viewErr, bulkNote string) {
	b := s.newBase(c, "inbox")
	p := inboxPage{base: b, Query: q, First: cursor != "", ViewError: viewErr, BulkNote: bulkNote,
		Statuses: statuses(), Priorities: priorities(), Fields: strings.Join(index.Fields(), " ")}
	status := nethttp.StatusOK
	// A refused search (a bad query, one cut off by its deadline) is
	// said above the list, with the query kept to be put right.
	refused := func(err error) bool {
		pr, ok := s.refusal(c, err)
		if ok && p.Error == "" {
			p.Error, p.ErrorCode, status = pr.Message, pr.Code, pr.Status
		}
		return ok
	}
	colour := s.categoryColours(c)
	res, err := s.search(c, index.Request{Query: q, Scope: scopeOf(c), Size: inboxSize, Cursor: cursor,
		Facets: true, Highlight: true})
	if err != nil && !refused(err) {
		return
	}
	if err == nil {
		p.Total, p.Next = res.Total, res.Next
		if err := s.inboxRows(c, res, &p, colour); err != nil {
			s.fail(c, err)
			return
		}
		p.Facets = facetGroups(q, res.Facets, colour)
	}
	if err := s.inboxViews(c, &p); err != nil && !refused(err) {
		return
	}
	if err := s.inboxSide(c, &p); err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, status, "inbox", b, p)
}

// inboxViews fills the saved views with their live counts.
func (s *Server) inboxViews(c *gin.Context, p *inboxPage) error {
	views, err := s.eng.Views(c.Request.Context(), who(c).User)
	if err != nil {
		return err
	}
	desks, err := s.eng.Desks(c.Request.Context())
	if err != nil {
		return err
	}
	deskName := map[string]string{}
	for _, d := range desks {
		deskName[d.ID] = d.Name
	}
	counts, err := s.viewCounts(c, views)
	if err != nil {
		// Listed without counts, for the user to pick one.
		msg := s.describe(c, err).Message
		for _, v := range views {
			p.Views = append(p.Views, viewRow{Name: v.Name, Query: viewQuery(v), Shared: deskName[v.SharedDesk], Error: msg})
		}
		return err
	}
	for _, vc := range counts {
		row := viewRow{Name: vc.View.Name, Query: viewQuery(vc.View), Shared: deskName[vc.View.SharedDesk], Count: vc.Count}
		if vc.Err != nil {
			row.Error = s.describe(c, vc.Err).Message
		}
		p.Views = append(p.Views, row)
	}
	return nil
}

// viewQuery is the query a view's link runs: its query and sort.
func viewQuery(v engine.SavedView) string {
	if v.Sort != "" {
		return v.Query + " sort:" + v.Sort
	}
	return v.Query
}

func (s *Server) inboxRows(c *gin.Context, res *index.Result, p *inboxPage, colour func(string) string) error {
	ids := make([]string, len(res.Hits))
	frags := map[string]template.HTML{}
	for i, h := range res.Hits {
		ids[i] = h.ID
		if h.Highlight != nil && h.Highlight.Fragment != "" {
			// The fragment is escaped text with our own <mark>s
			// (index.Highlight, XSS-06).
			frags[h.ID] = template.HTML(h.Highlight.Fragment)
		}
	}
	now := time.Now()
	return s.eng.Summaries(c.Request.Context(), ids, func(id string, b *engine.Bundle, err error) error {
		if err != nil {
			return nil // gone since the index saw it
		}
		t := &b.Ticket
		r := inboxRow{ID: t.ID, Number: t.Number, Subject: t.Subject, Status: t.Status, Priority: t.Priority,
			Category: t.CategoryID, Colour: colour(t.CategoryID), SLA: t.SLAState, HasTasks: len(b.Tasks) > 0,
			UpdatedISO: t.Updated.UTC().Format(time.RFC3339), UpdatedAgo: ago(t.Updated, now), Fragment: frags[id]}
		if b.Contact != nil && len(b.Contact.Addresses) > 0 {
			r.Customer = b.Contact.Addresses[0]
			if b.Contact.Name != "" {
				r.Customer = b.Contact.Name
			}
		}
		if b.Assignee != nil {
			r.Assignee = b.Assignee.Email
		}
		p.Rows = append(p.Rows, r)
		return nil
	})
}

// palette colours categories: each category name always gets the same
// one, so the list reads at a glance.
const palette = "#2f5fb3 #1e7b34 #a15c00 #8e24aa #00838f #c62828 #5d4037 #3949ab #6d8b00 #ad1457"

func categoryColour(name string) string {
	if name == "" {
		return ""
	}
	var h uint32 = 2166136261
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	colours := strings.Fields(palette)
	return colours[h%uint32(len(colours))]
}

// categoryColours returns each category's colour: the one an admin gave
// it, else one derived from its name.
func (s *Server) categoryColours(c *gin.Context) func(string) string {
	cats, err := s.eng.Categories(c.Request.Context())
	if err != nil {
		s.log.Warn("categories", "err", err)
	}
	set := map[string]string{}
	for _, ct := range cats {
		set[ct.ID] = ct.Colour
	}
	return func(id string) string {
		if col, ok := set[id]; ok {
			return col
		}
		return categoryColour(id)
	}
}

// facetGroups turns facet counts into links that add a value to the query,
// or take it out when the query already has it.
func facetGroups(q string, facets map[string][]index.FacetValue, colour func(string) string) []facetGroup {
	var out []facetGroup
	for _, name := range index.FacetFields() {
		vals := facets[name]
		if len(vals) == 0 {
			continue
		}
		g := facetGroup{Name: name}
		for _, v := range vals {
			if v.Value == "" || len(g.Values) == 12 {
				continue
			}
			l := facetLink{Label: v.Value, Count: v.Count}
			if name == "category" {
				l.Colour = colour(v.Value)
			}
			words := strings.Fields(q)
			if i := slices.Index(words, v.Term); i >= 0 {
				l.On = true
				l.Query = strings.Join(slices.Delete(words, i, i+1), " ")
			} else {
				l.Query = strings.TrimSpace(q + " " + v.Term)
			}
			g.Values = append(g.Values, l)
		}
		if len(g.Values) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// inboxSide fills the desks a view can be shared with, the staff to
// assign to, and completion values.
func (s *Server) inboxSide(c *gin.Context, p *inboxPage) error {
	ctx := c.Request.Context()
	u := who(c).User
	desks, err := s.eng.Desks(ctx)
	if err != nil {
		return err
	}
	for _, d := range desks {
		if u.MemberOf(d.ID) {
			p.Desks = append(p.Desks, d)
		}
	}
	staff, err := s.staff(c)
	if err != nil {
		return err
	}
	for _, st := range staff {
		p.Staff = append(p.Staff, staffOption{ID: st.ID, Email: st.Email})
	}
	values := map[string][]string{"status": statuses(), "priority": priorities(),
		"is": {"open", "unassigned", "mine", "overdue"}, "has": {"attachment", "task", "open-task", "note", "flagged"},
		"sort":     {"updated-desc", "updated-asc", "created-desc", "created-asc", "priority-desc", "relevance"},
		"assignee": {"me", "none"}}
	for _, g := range p.Facets {
		for _, v := range g.Values {
			if !slices.Contains(values[g.Name], v.Label) {
				values[g.Name] = append(values[g.Name], v.Label)
			}
		}
		if g.Name == "category" {
			for _, v := range g.Values {
				p.Categories = append(p.Categories, v.Label)
			}
		}
	}
	cats, err := s.eng.Categories(ctx)
	if err != nil {
		return err
	}
	for _, ct := range cats {
		if !slices.Contains(p.Categories, ct.ID) {
			p.Categories = append(p.Categories, ct.ID)
		}
		if !slices.Contains(values["category"], ct.ID) {
			values["category"] = append(values["category"], ct.ID)
		}
	}
	for _, d := range p.Desks {
		if !slices.Contains(values["desk"], d.Code) {
			values["desk"] = append(values["desk"], d.Code)
		}
	}
	js, err := json.Marshal(values)
	if err != nil {
		return err
	}
	p.Values = string(js)
	return nil
}

// staff lists the members of staff a ticket may be given to, without
// disabled users.
func (s *Server) staff(c *gin.Context) ([]engine.User, error) {
	users, err := s.eng.Users(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

// viewPost saves the inbox's query as a view, personal or shared.
func (s *Server) viewPost(c *gin.Context) {
	v := engine.SavedView{Name: c.PostForm("name"), Query: c.PostForm("query"), SharedDesk: c.PostForm("shared_desk_id")}
	if q, sort, ok := cutSort(v.Query); ok {
		v.Query, v.Sort = q, sort
	}
	err := index.CheckView(v)
	if err == nil {
		_, err = s.eng.SaveView(c.Request.Context(), who(c).User, v)
	}
	if err != nil {
		if p, ok := s.refusal(c, err); ok {
			s.renderInbox(c, v.Query, "", p.Message, "")
		}
		return
	}
	c.Redirect(nethttp.StatusSeeOther, "/?q="+urlQuery(v.Query))
}

// cutSort takes a sort: term out of a query, for a view's own sort field.
func cutSort(q string) (rest, sort string, ok bool) {
	var kept []string
	for _, w := range strings.Fields(q) {
		if v, found := strings.CutPrefix(w, "sort:"); found && sort == "" {
			sort, ok = v, true
			continue
		}
		kept = append(kept, w)
	}
	return strings.Join(kept, " "), sort, ok
}

// bulkPost applies one change to every selected ticket the user may see.
func (s *Server) bulkPost(c *gin.Context) {
	ctx := c.Request.Context()
	q := c.PostForm("q")
	ids := c.PostFormArray("id")
	if len(ids) == 0 {
		s.renderInbox(c, q, "", "", ui.T(lang(c), "no_selection"))
		return
	}
	var ch engine.Change
	if v := c.PostForm("priority"); v != "" {
		ch.Priority = &v
	}
	if v := c.PostForm("category"); v != "" {
		ch.CategoryID = &v
	}
	if v := c.PostForm("assignee"); v != "" {
		if v == "-" {
			v = ""
		}
		ch.AssigneeID = &v
	}
	if v := c.PostForm("status"); v != "" {
		ch.Status = &v
	}
	tagOps := strings.Fields(c.PostForm("tags"))
	actor := who(c).User.Email
	changed := 0
	var refused []string
	for _, id := range ids {
		t, err := s.eng.Ticket(ctx, id)
		if err != nil || !scopeOf(c).Allows(t) {
			continue // not theirs to change: skipped, as if not there
		}
		one, version := ch, uint64(0)
		if len(tagOps) > 0 {
			tags := applyTagOps(t.Tags, tagOps)
			one.Tags, version = &tags, t.Version // the tags were read: guard them
		}
		// One transaction per ticket: a refused ticket keeps every field,
		// and the others still change.
		if _, err := s.eng.UpdateTicket(ctx, actor, id, one, version); err != nil {
			p, ok := s.refusal(c, err)
			if !ok {
				return
			}
			refused = append(refused, t.Number+": "+p.Message)
			continue
		}
		changed++
	}
	s.waitSearchable(c)
	notice := fmt.Sprintf("%d %s", changed, ui.T(lang(c), "bulk_done"))
	if len(refused) > 0 {
		notice += "; " + strings.Join(refused, "; ")
	}
	s.renderInbox(c, q, "", "", notice)
}

// applyTagOps adds +tag (or tag) and removes -tag.
func applyTagOps(tags, ops []string) []string {
	out := slices.Clone(tags)
	for _, op := range ops {
		if t, ok := strings.CutPrefix(op, "-"); ok {
			out = slices.DeleteFunc(out, func(x string) bool { return strings.EqualFold(x, t) })
			continue
		}
		t := strings.TrimPrefix(op, "+")
		if !slices.Contains(out, strings.ToLower(t)) {
			out = append(out, t)
		}
	}
	return out
}
