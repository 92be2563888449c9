package http

import (
	"errors"
	"fmt"
	"html/template"
	nethttp "net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/engine/compose"
	"searchdesk/ui"
)

// errNotVisible is a record the caller may not see, or that does not
// exist: both are answered as not found, so ids of other desks' records
// leak nothing (AC-01). notVisible wraps it with the message for the kind
// of record.
var errNotVisible = errors.New("http: not visible")

// notVisible is errNotVisible for a record: key is the message (no such
// ticket, no such message, ...).
func notVisible(key, id string) error {
	return &engine.Error{Code: engine.CodeNotFound, Key: key, Text: "http: " + id, Err: errNotVisible}
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// ticketPage is one ticket as a conversation with its side panel.
type ticketPage struct {
	base
	T                                  engine.Ticket
	DeskName, MergedNumber, Tags, Back string
	Customer                           *customerRef
	Account                            *engine.Account
	Messages                           []messageView
	Tasks                              []taskView
	Related                            []relatedView
	Audit                              []auditView
	Outgoing                           []outJSON
	Staff                              []staffOption
	Statuses, Priorities, Categories   []string
	Types                              []string
	Macros                             []macro
	CanSplit                           bool
	Error, ReplyError, NoteError       string
	StatusError, FieldError, TaskError string
	MergeError, ReplyDraft, NoteDraft  string
}

type customerRef struct{ ID, Label, Email string }

type messageView struct {
	ID, Class, KindLabel, From, Rule, Matched, When, WhenISO, Text, Frame string
	Rendered                                                              template.HTML
	Flags                                                                 []string
	Attachments                                                           []attachmentView
}

type attachmentView struct{ Name, URL, Size string }

type taskView struct {
	ID, Title, Assignee, Deadline string
	Done                          bool
}

type relatedView struct{ ID, Number, Subject string }

type auditView struct{ When, WhenISO, Actor, Field, Old, New string }

type macro struct{ Name, Text string }

// bundleFor loads a ticket the caller may see, or errNotVisible.
func (s *Server) bundleFor(c *gin.Context, id string) (*engine.Bundle, error) {
	b, err := s.eng.Bundle(c.Request.Context(), id)
	if errors.Is(err, engine.ErrNotFound) || (err == nil && !scopeOf(c).Allows(b.Ticket)) {
		return nil, notVisible("err_no_ticket", id)
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// visibleVia returns a record that belongs to a ticket, once the caller is
// known to see that ticket; a missing record or a ticket the caller may not
// see are both errNotVisible, with the message key.
func visibleVia[T any](s *Server, c *gin.Context, key, id string, rec T, err error, ticketID func(*T) string) (*T, error) {
	if errors.Is(err, engine.ErrNotFound) {
		return nil, notVisible(key, id)
	}
	if err != nil {
		return nil, err
	}
	t, err := s.eng.Ticket(c.Request.Context(), ticketID(&rec))
	if errors.Is(err, engine.ErrNotFound) || (err == nil && !scopeOf(c).Allows(t)) {
		return nil, notVisible(key, id)
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// messageFor loads a message whose ticket the caller may see.
func (s *Server) messageFor(c *gin.Context, id string) (*engine.Message, error) {
	m, err := s.eng.Message(c.Request.Context(), id)
	return visibleVia(s, c, "err_no_message", id, m, err, func(m *engine.Message) string { return m.TicketID })
}

// taskFor loads a task whose ticket the caller may see.
func (s *Server) taskFor(c *gin.Context, id string) (*engine.Task, error) {
	t, err := s.eng.Task(c.Request.Context(), id)
	return visibleVia(s, c, "err_no_task", id, t, err, func(t *engine.Task) string { return t.TicketID })
}

func (s *Server) ticketPageGet(c *gin.Context) {
	s.renderTicket(c, c.Param("id"), nethttp.StatusOK, func(*ticketPage) {})
}

// renderTicket shows a ticket; edit lets a failed form put its error and
// draft next to its field.
func (s *Server) renderTicket(c *gin.Context, id string, status int, edit func(*ticketPage)) {
	b, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t := b.Ticket
	bs := s.newBase(c, "")
	bs.Title = t.Number + " " + t.Subject
	p := ticketPage{base: bs, T: t, DeskName: b.Desk.Name, Tags: strings.Join(t.Tags, " "), Account: b.Account,
		Statuses: statuses(), Priorities: priorities(), CanSplit: t.Messages > 1, Macros: macros(bs.Lang),
		Back: c.Query("back")}
	if b.Contact != nil {
		cr := &customerRef{ID: b.Contact.ID, Label: b.Contact.Name}
		if len(b.Contact.Addresses) > 0 {
			cr.Email = b.Contact.Addresses[0]
			if cr.Label == "" {
				cr.Label = cr.Email
			}
		}
		p.Customer = cr
	}
	if t.Links.MergedInto != "" {
		if into, err := s.eng.Ticket(ctx, t.Links.MergedInto); err == nil {
			p.MergedNumber = into.Number
		}
	}
	for i := range b.Messages {
		p.Messages = append(p.Messages, s.messageView(bs.Lang, &b.Messages[i]))
	}
	staff, err := s.staff(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	byID := map[string]string{}
	for _, u := range staff {
		byID[u.ID] = u.Email
		p.Staff = append(p.Staff, staffOption{ID: u.ID, Email: u.Email, Watching: slices.Contains(t.Watchers, u.ID)})
	}
	for _, tk := range b.Tasks {
		tv := taskView{ID: tk.ID, Title: tk.Title, Assignee: byID[tk.AssigneeID], Done: tk.Done}
		if tk.Deadline != nil {
			tv.Deadline = tk.Deadline.Format("2006-01-02")
		}
		p.Tasks = append(p.Tasks, tv)
	}
	for _, rid := range append(slices.Clone(t.Links.Related), t.Links.FollowUpOf) {
		if rid == "" {
			continue
		}
		if rt, err := s.eng.Ticket(ctx, rid); err == nil && scopeOf(c).Allows(rt) {
			p.Related = append(p.Related, relatedView{rt.ID, rt.Number, rt.Subject})
		}
	}
	audit, err := s.eng.Audit(ctx, t.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, a := range audit {
		p.Audit = append(p.Audit, auditView{When: a.Time.Format("2006-01-02 15:04"), WhenISO: a.Time.Format(time.RFC3339),
			Actor: a.Actor, Field: a.Field, Old: a.Old, New: a.New})
	}
	out, err := s.eng.TicketOutbox(t.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, ob := range out {
		p.Outgoing = append(p.Outgoing, toOutJSON(ob))
	}
	cats, err := s.eng.Categories(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, ct := range cats {
		p.Categories = append(p.Categories, ct.ID)
	}
	types, err := s.eng.TicketTypes(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, tt := range types {
		p.Types = append(p.Types, tt.ID)
	}
	edit(&p)
	s.render(c, status, "ticket", bs, p)
}

// messageView is how a message reads in the thread: inbound HTML only in a
// sandboxed frame, staff Markdown rendered and sanitized, else plain text.
func (s *Server) messageView(lang string, m *engine.Message) messageView {
	v := messageView{ID: m.ID, KindLabel: ui.T(lang, "kind_"+m.Kind), From: m.From.Addr, Rule: m.Reason.Rule,
		Matched: m.Reason.Matched, When: m.Received.Format("2006-01-02 15:04"), WhenISO: m.Received.Format(time.RFC3339),
		Text: m.Text, Flags: m.Flags}
	if m.From.Name != "" {
		v.From = m.From.Name + " <" + m.From.Addr + ">"
	}
	switch {
	case m.Kind == engine.KindNote || m.Internal:
		v.Class = "note"
	case m.Kind == engine.KindReplyOut:
		v.Class = "out"
	case m.Kind == engine.KindSystem:
		v.Class = "system"
	}
	if len(m.Flags) > 0 {
		v.Class += " flagged"
	}
	switch {
	case m.HTML != "" && (m.Kind == engine.KindEmailIn || m.Kind == engine.KindForm || m.Kind == engine.KindPortal):
		v.Frame = "/m/" + m.ID + "/html"
	case m.Kind == engine.KindNote || m.Kind == engine.KindReplyOut:
		if h, err := compose.MarkdownHTML(m.Text); err == nil {
			// goldmark without raw HTML, then bluemonday (XSS-04).
			v.Rendered = template.HTML(h)
		}
	}
	for _, a := range m.Attachments {
		if a.Inline && strings.HasPrefix(a.ContentType, "image/") {
			continue
		}
		v.Attachments = append(v.Attachments, attachmentView{Name: a.Name, Size: byteSize(a.Size),
			URL: "/api/v1/messages/" + m.ID + "/attachments/" + a.ID})
	}
	return v
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func macros(lang string) []macro {
	var out []macro
	for _, k := range []string{"macro_thanks", "macro_more_info", "macro_solved"} {
		out = append(out, macro{Name: ui.T(lang, k), Text: ui.T(lang, k+"_text")})
	}
	return out
}

// messageHTML serves a message's sanitized HTML as its own document, for
// the sandboxed frame: no scripts can run in it (sandbox without
// allow-scripts, and a CSP that allows none), and remote images load only
// when the agent asks (?images=1; XSS-01, XSS-05).
func (s *Server) messageHTML(c *gin.Context) {
	m, err := s.messageFor(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	img := "data:"
	if c.Query("images") == "1" {
		img = "data: https: http:"
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src "+img+
		"; frame-ancestors 'self'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "private, no-store")
	doc := "<!doctype html><html><head><meta charset=\"utf-8\"><base target=\"_blank\">" +
		"<style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1d1f21;background:#fff;overflow-wrap:anywhere}" +
		"img{max-width:100%;height:auto}blockquote{border-left:3px solid #ccc;margin:0;padding-left:8px;color:#555}</style>" +
		"</head><body>" + m.HTML + "</body></html>"
	c.Data(nethttp.StatusOK, "text/html; charset=utf-8", []byte(doc))
}

// --- forms on the ticket page. Each answers with the ticket again: on
// success by redirect (so a reload does not post twice), on a mistake with
// the error next to its field and what was typed kept.

func (s *Server) replyPost(c *gin.Context) { s.staffMessagePost(c, false) }
func (s *Server) notePost(c *gin.Context)  { s.staffMessagePost(c, true) }

func (s *Server) staffMessagePost(c *gin.Context, note bool) {
	id := c.Param("id")
	b, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	text := c.PostForm("text")
	add := s.eng.AddReply
	if note {
		add = s.eng.AddNote
	}
	if _, err := add(c.Request.Context(), who(c).User, b.Ticket.ID, text); err != nil {
		s.formError(c, id, err, func(p *ticketPage, msg string) {
			if note {
				p.NoteError, p.NoteDraft = msg, text
			} else {
				p.ReplyError, p.ReplyDraft = msg, text
			}
		})
		return
	}
	s.backToTicket(c, id)
}

// backToTicket redirects to the ticket once the index has the change, so
// the inbox the agent goes back to already shows it.
func (s *Server) backToTicket(c *gin.Context, id string) {
	s.waitSearchable(c)
	c.Redirect(nethttp.StatusSeeOther, "/t/"+id)
}

func (s *Server) updatePost(c *gin.Context) {
	id := c.Param("id")
	b, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	t := b.Ticket
	version, _ := strconv.ParseUint(c.PostForm("version"), 10, 64)
	var ch engine.Change
	str := func(field string, cur string, dst **string) {
		if v, ok := c.GetPostForm(field); ok && strings.TrimSpace(v) != cur {
			v = strings.TrimSpace(v)
			*dst = &v
		}
	}
	str("priority", t.Priority, &ch.Priority)
	str("category", t.CategoryID, &ch.CategoryID)
	str("type", t.TypeID, &ch.TypeID)
	str("assignee", t.AssigneeID, &ch.AssigneeID)
	if v, ok := c.GetPostForm("tags"); ok {
		tags := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
		if !slices.Equal(tags, t.Tags) {
			ch.Tags = &tags
		}
	}
	if w := c.PostFormArray("watchers"); !slices.Equal(w, t.Watchers) {
		ch.Watchers = &w
	}
	if v := strings.TrimSpace(c.PostForm("contact")); v != "" && (b.Contact == nil || !slices.Contains(b.Contact.Addresses, strings.ToLower(v))) {
		ct, err := s.eng.ContactByAddress(ctx, v)
		if err != nil {
			s.formError(c, id, err, func(p *ticketPage, msg string) { p.FieldError = msg })
			return
		}
		ch.ContactID = &ct.ID
	}
	if v, ok := c.GetPostForm("account"); ok {
		v = strings.TrimSpace(v)
		cur := ""
		if b.Account != nil {
			cur = b.Account.Name
		}
		switch {
		case v == "" && t.AccountID != "":
			none := ""
			ch.AccountID = &none
		case v != "" && !strings.EqualFold(v, cur) && (b.Account == nil || !slices.Contains(b.Account.Domains, strings.ToLower(v))):
			a, err := s.eng.AccountFor(ctx, v)
			if err != nil {
				s.formError(c, id, err, func(p *ticketPage, msg string) { p.FieldError = msg })
				return
			}
			ch.AccountID = &a.ID
		}
	}
	if st := c.PostForm("status"); st != "" && st != t.Status {
		ch.Status = &st
	}
	if _, err := s.eng.UpdateTicket(ctx, who(c).User.Email, id, ch, version); err != nil {
		s.formError(c, id, err, func(p *ticketPage, msg string) {
			if errors.Is(err, engine.ErrOpenTask) {
				p.StatusError = msg
			} else {
				p.FieldError = msg
			}
		})
		return
	}
	s.backToTicket(c, id)
}

// formError shows a refusal next to the ticket form's field it concerns
// (see refusal); anything else gets the error page.
func (s *Server) formError(c *gin.Context, id string, err error, put func(*ticketPage, string)) {
	if p, ok := s.refusal(c, err); ok {
		s.renderTicket(c, id, p.Status, func(tp *ticketPage) { put(tp, p.Message) })
	}
}

func (s *Server) taskPost(c *gin.Context) {
	id := c.Param("id")
	b, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	t := engine.Task{TicketID: b.Ticket.ID, Title: c.PostForm("title"), AssigneeID: c.PostForm("assignee")}
	if d := c.PostForm("deadline"); d != "" {
		when, err := time.Parse("2006-01-02", d)
		if err != nil {
			err := engine.Errorf(engine.CodeInvalid, "err_task_deadline", "http: deadline %q: want a date like 2026-12-31", d)
			s.formError(c, id, err, func(p *ticketPage, msg string) { p.TaskError = msg })
			return
		}
		t.Deadline = &when
	}
	if _, err := s.eng.AddTask(c.Request.Context(), who(c).User.Email, t); err != nil {
		s.formError(c, id, err, func(p *ticketPage, msg string) { p.TaskError = msg })
		return
	}
	s.backToTicket(c, id)
}

func (s *Server) taskDonePost(c *gin.Context) {
	t, err := s.taskFor(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.eng.SetTaskDone(c.Request.Context(), who(c).User.Email, t.ID, c.PostForm("done") == "true"); err != nil {
		s.formError(c, t.TicketID, err, func(p *ticketPage, msg string) { p.TaskError = msg })
		return
	}
	s.backToTicket(c, t.TicketID)
}

func (s *Server) mergePost(c *gin.Context) {
	id := c.Param("id")
	from, err := s.bundleFor(c, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	num := strings.TrimSpace(c.PostForm("into"))
	into, err := s.eng.TicketByNumber(c.Request.Context(), from.Ticket.DeskID, num)
	if err == nil && !scopeOf(c).Allows(into) {
		err = errNotVisible
	}
	if errors.Is(err, engine.ErrNotFound) || errors.Is(err, errNotVisible) {
		err = engine.Errorf(engine.CodeNotFound, "err_merge_into", "http: merge into %q: no such ticket on this desk", num)
	}
	if err != nil {
		s.formError(c, id, err, func(p *ticketPage, msg string) { p.MergeError = msg })
		return
	}
	if err := s.eng.Merge(c.Request.Context(), who(c).User.Email, from.Ticket.ID, into.ID); err != nil {
		s.formError(c, id, err, func(p *ticketPage, msg string) { p.MergeError = msg })
		return
	}
	s.backToTicket(c, into.ID)
}

func (s *Server) splitPost(c *gin.Context) {
	m, err := s.messageFor(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.eng.Split(c.Request.Context(), who(c).User.Email, m.ID)
	if err != nil {
		s.formError(c, m.TicketID, err, func(p *ticketPage, msg string) { p.Error = msg })
		return
	}
	s.backToTicket(c, t.ID)
}

// previewPost renders Markdown exactly as a sent reply or note will be.
func (s *Server) previewPost(c *gin.Context) {
	text := c.PostForm("text")
	if len(text) > engine.MaxStaffText {
		s.fail(c, engine.Errorf(engine.CodeInvalid, "err_preview_long", "http: preview: at most %d bytes", engine.MaxStaffText))
		return
	}
	h, err := compose.MarkdownHTML(text)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'")
	c.Data(nethttp.StatusOK, "text/html; charset=utf-8", []byte(h))
}
