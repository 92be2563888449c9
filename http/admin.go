package http

import (
	nethttp "net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/ui"
)

// adminPage is the admins' page: users and their roles and desks, and the
// desks' settings.
type adminPage struct {
	base
	Users                  []adminUser
	Desks                  []engine.Desk
	Roles                  []string
	Categories             []engine.Category
	Types                  []engine.TicketType
	Note, Error, UserError string
	DeskError, DeskErrorID string
	CategoryError          string
	TypeError              string
	MailError, MailErrorID string
	SMTPError, SMTPErrorID string
	TemplateError          string
	TemplateErrorID        string
	TemplateErrorKind      string
	Kinds                  []string
	SharedViews            []engine.SavedView
	health                 map[string]engine.MailboxState
}

// Health says how a mailbox's poller is doing.
func (p adminPage) Health(id string) string {
	st, ok := p.health[id]
	switch {
	case !ok:
		return "not polled yet"
	case st.LastError != "" && st.LastErrorAt.After(st.LastSuccess):
		return "failing since " + st.LastErrorAt.Format("2006-01-02 15:04") + ": " + st.LastError
	}
	return "ok " + st.LastSuccess.Format("2006-01-02 15:04") + ", " + strconv.FormatInt(st.Stored, 10) + " stored, lag " +
		strconv.Itoa(st.Lag)
}

// Template is the text a desk sends for a kind of mail.
func (adminPage) Template(d engine.Desk, kind string) engine.MailTemplate {
	return engine.DeskTemplate(&d, kind)
}

// Hours shows an SLA target in hours ("—" for none).
func (adminPage) Hours(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64) + " h"
}

type adminUser struct{ engine.User }

// In reports whether the user belongs to desk id.
func (u adminUser) In(id string) bool { return slices.Contains(u.Desks, id) }

func (s *Server) adminGet(c *gin.Context) { s.renderAdmin(c, nethttp.StatusOK, adminPage{}) }

func (s *Server) renderAdmin(c *gin.Context, status int, p adminPage) {
	ctx := c.Request.Context()
	b := s.newBase(c, "admin")
	p.base, p.Roles = b, []string{engine.RoleAgent, engine.RoleOperator, engine.RoleAdmin}
	users, err := s.eng.Users(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, u := range users {
		p.Users = append(p.Users, adminUser{u})
	}
	if p.Desks, err = s.eng.Desks(ctx); err != nil {
		s.fail(c, err)
		return
	}
	if p.Categories, err = s.eng.Categories(ctx); err != nil {
		s.fail(c, err)
		return
	}
	if p.Types, err = s.eng.TicketTypes(ctx); err != nil {
		s.fail(c, err)
		return
	}
	p.Kinds = engine.TemplateKinds()
	states, err := s.eng.MailboxStates()
	if err != nil {
		s.fail(c, err)
		return
	}
	p.health = map[string]engine.MailboxState{}
	for _, st := range states {
		p.health[st.MailboxID] = st
	}
	views, err := s.eng.Views(ctx, *b.User)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, v := range views {
		if v.SharedDesk != "" {
			p.SharedViews = append(p.SharedViews, v)
		}
	}
	s.render(c, status, "admin", b, p)
}

func (s *Server) adminUserAdd(c *gin.Context) {
	ctx := c.Request.Context()
	pw := c.PostForm("password")
	fail := func(err error) { s.adminDone(c, err, func(p *adminPage, msg string) { p.UserError = msg }) }
	if _, err := engine.HashPassword(pw); err != nil {
		fail(err)
		return
	}
	u, err := s.eng.AddUser(ctx, engine.User{Email: c.PostForm("email"), Name: c.PostForm("name"), Role: c.PostForm("role"),
		Desks: c.PostFormArray("desks")})
	if err != nil {
		fail(err)
		return
	}
	if err := s.eng.SetPassword(ctx, u.ID, pw); err != nil {
		fail(err)
		return
	}
	s.renderAdmin(c, nethttp.StatusCreated, adminPage{Note: ui.T(lang(c), "user_added")})
}

func (s *Server) adminUserPost(c *gin.Context) {
	id := c.Param("id")
	put := func(p *adminPage, msg string) { p.Error = msg }
	if id == who(c).User.ID && (c.PostForm("role") != engine.RoleAdmin || c.PostForm("enabled") != "1") {
		s.adminDone(c, engine.Errorf(engine.CodeInvalid, "err_own_admin", "http: you cannot take away your own admin role or sign-in"), put)
		return
	}
	_, err := s.eng.SetUserAccess(c.Request.Context(), who(c).User.Email, id, c.PostForm("role"), c.PostFormArray("desks"), c.PostForm("enabled") != "1")
	s.adminDone(c, err, put)
}

func (s *Server) adminDeskPost(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := s.eng.Desk(ctx, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Name = strings.TrimSpace(c.PostForm("name"))
	d.Addresses = strings.FieldsFunc(c.PostForm("addresses"), func(r rune) bool { return r == ',' || r == ' ' })
	d.Pattern = strings.TrimSpace(c.PostForm("pattern"))
	d.Language = strings.TrimSpace(c.PostForm("language"))
	d.Hours = strings.TrimSpace(c.PostForm("hours"))
	d.TimeZone = strings.TrimSpace(c.PostForm("tz"))
	d.DefaultPriority = strings.TrimSpace(c.PostForm("default_priority"))
	d.DefaultCategory = strings.ToLower(strings.TrimSpace(c.PostForm("default_category")))
	d.DefaultType = strings.ToLower(strings.TrimSpace(c.PostForm("default_type")))
	s.saveDeskForm(c, d, func(p *adminPage, msg string) { p.DeskError, p.DeskErrorID = msg, d.ID })
}

func (s *Server) adminCategoryPost(c *gin.Context) {
	_, err := s.eng.SaveCategory(c.Request.Context(), engine.Category{Name: c.PostForm("name"), Colour: c.PostForm("colour")})
	s.adminDone(c, err, func(p *adminPage, msg string) { p.CategoryError = msg })
}

func (s *Server) adminTypePost(c *gin.Context) {
	hours := func(field string) (time.Duration, bool) {
		v := strings.TrimSpace(c.PostForm(field))
		if v == "" {
			return 0, true
		}
		h, err := strconv.ParseFloat(v, 64)
		return time.Duration(h * float64(time.Hour)), err == nil
	}
	first, ok1 := hours("first")
	res, ok2 := hours("resolution")
	put := func(p *adminPage, msg string) { p.TypeError = msg }
	if !ok1 || !ok2 {
		s.adminDone(c, engine.Errorf(engine.CodeInvalid, "err_type_hours", "http: SLA targets: a number of hours"), put)
		return
	}
	_, err := s.eng.SaveTicketType(c.Request.Context(), engine.TicketType{Name: c.PostForm("name"), FirstResponseSLA: first, ResolutionSLA: res})
	s.adminDone(c, err, put)
}

// deskForm loads the desk of an admin form.
func (s *Server) deskForm(c *gin.Context) (engine.Desk, bool) {
	d, err := s.eng.Desk(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return d, false
	}
	return d, true
}

// serverForm reads a mail server's fields; a password typed in is sealed
// before it is stored.
func (s *Server) serverForm(c *gin.Context) (engine.Server, error) {
	srv := engine.Server{Host: strings.TrimSpace(c.PostForm("host")), Security: c.PostForm("security"),
		User: strings.TrimSpace(c.PostForm("user"))}
	if p := strings.TrimSpace(c.PostForm("port")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return srv, engine.Errorf(engine.CodeInvalid, "err_port_number", "http: port %q: want a number", p)
		}
		srv.Port = n
	}
	if pw := c.PostForm("password"); pw != "" {
		sec, err := s.eng.Seal(pw)
		if err != nil {
			return srv, err
		}
		srv.Password = sec
	}
	return srv, nil
}

// adminDone answers an admin form: back to the page when err is nil, the
// page with the refusal put next to its field (see refusal), or the error
// page.
func (s *Server) adminDone(c *gin.Context, err error, put func(*adminPage, string)) {
	if err == nil {
		c.Redirect(nethttp.StatusSeeOther, "/admin")
		return
	}
	if pr, ok := s.refusal(c, err); ok {
		var p adminPage
		put(&p, pr.Message)
		s.renderAdmin(c, pr.Status, p)
	}
}

// saveDeskForm saves a desk changed by a form, showing a refusal with put.
func (s *Server) saveDeskForm(c *gin.Context, d engine.Desk, put func(*adminPage, string)) {
	_, err := s.eng.SaveDesk(c.Request.Context(), d)
	s.adminDone(c, err, put)
}

func (s *Server) adminMailboxPost(c *gin.Context) {
	d, ok := s.deskForm(c)
	if !ok {
		return
	}
	put := func(p *adminPage, msg string) { p.MailError, p.MailErrorID = msg, d.ID }
	srv, err := s.serverForm(c)
	if err == nil && srv.Password.IsZero() {
		err = engine.Errorf(engine.CodeInvalid, "err_mailbox_password", "http: a mailbox needs its password")
	}
	if err != nil {
		s.adminDone(c, err, put)
		return
	}
	box := engine.Mailbox{Server: srv, Folder: strings.TrimSpace(c.PostForm("folder"))}
	box.After, box.MoveTo = engine.ParseAfter(c.PostForm("after"))
	d.PutMailbox(box)
	s.saveDeskForm(c, d, put)
}

func (s *Server) adminSMTPPost(c *gin.Context) {
	d, ok := s.deskForm(c)
	if !ok {
		return
	}
	put := func(p *adminPage, msg string) { p.SMTPError, p.SMTPErrorID = msg, d.ID }
	srv, err := s.serverForm(c)
	if err != nil {
		s.adminDone(c, err, put)
		return
	}
	if srv.Password.IsZero() && d.SMTP != nil && d.SMTP.Host == srv.Host && d.SMTP.User == srv.User {
		srv.Password = d.SMTP.Password // the same server and user: keep the stored password
	}
	d.SMTP = &srv
	s.saveDeskForm(c, d, put)
}

func (s *Server) adminTemplatePost(c *gin.Context) {
	d, ok := s.deskForm(c)
	if !ok {
		return
	}
	kind := c.PostForm("kind")
	if !slices.Contains(engine.TemplateKinds(), kind) {
		s.adminDone(c, engine.Errorf(engine.CodeInvalid, "err_template_kind", "http: no template kind %q", kind),
			func(p *adminPage, msg string) { p.Error = msg })
		return
	}
	if d.Templates == nil {
		d.Templates = map[string]engine.MailTemplate{}
	}
	d.Templates[kind] = engine.MailTemplate{Subject: c.PostForm("subject"), Body: c.PostForm("body")}
	s.saveDeskForm(c, d, func(p *adminPage, msg string) {
		p.TemplateError, p.TemplateErrorID, p.TemplateErrorKind = msg, d.ID, kind
	})
}

func (s *Server) adminViewDelete(c *gin.Context) {
	err := s.eng.DeleteView(c.Request.Context(), who(c).User, c.Param("id"))
	s.adminDone(c, err, func(p *adminPage, msg string) { p.Error = msg })
}
