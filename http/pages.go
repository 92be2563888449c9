package http

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	nethttp "net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/ui"
)

// pages holds the parsed templates, one set a page, and the static assets
// by their hashed names.
type pages struct {
	set    map[string]*template.Template
	assets map[string]ui.Asset // by hashed name
	hashed map[string]string   // plain name -> hashed name
}

// pageNames are the pages; each is templates/NAME.html with the layout.
func pageNames() []string {
	return []string{"login", "inbox", "ticket", "people", "me", "admin", "error"}
}

// loadPages parses every template once; a broken one stops the start.
func loadPages() *pages {
	p := &pages{set: map[string]*template.Template{}, assets: map[string]ui.Asset{}, hashed: map[string]string{}}
	assets, err := ui.Assets()
	if err != nil {
		panic(err)
	}
	for _, a := range assets {
		p.assets[a.Hashed] = a
		p.hashed[a.Name] = a.Hashed
	}
	funcs := template.FuncMap{
		"t":     ui.T,
		"join":  strings.Join,
		"asset": func(name string) string { return "/static/" + p.hashed[name] },
	}
	for _, name := range pageNames() {
		p.set[name] = template.Must(template.New(name).Funcs(funcs).
			ParseFS(ui.Templates(), "templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

// base is what every page's layout reads.
type base struct {
	Lang, Title, CSRF, Nonce string
	User                     *engine.User
}

// lang is the UI language of the request: the user's setting, else the
// browser's.
func lang(c *gin.Context) string {
	setting := ""
	if p := who(c); p != nil {
		setting = p.User.Language
	}
	return ui.Pick(setting, c.GetHeader("Accept-Language"))
}

// newBase fills a page's common part for the request; a title that is a
// UI string key is put in the page's language.
func (s *Server) newBase(c *gin.Context, titleKey string) base {
	b := base{Nonce: nonce(), Lang: lang(c)}
	if titleKey != "" {
		b.Title = ui.T(b.Lang, titleKey)
	}
	if p := who(c); p != nil {
		u := p.User
		b.User = &u
		if p.Session != nil {
			b.CSRF = p.Session.CSRF
		}
	}
	return b
}

func nonce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawStdEncoding.EncodeToString(b[:])
}

// render writes a page. Scripts run only with the page's nonce; nothing is
// loaded from elsewhere; frames are ours (sandboxed message HTML).
func (s *Server) render(c *gin.Context, status int, page string, b base, data any) {
	var buf bytes.Buffer
	if err := s.pages.set[page].ExecuteTemplate(&buf, "layout", data); err != nil {
		// Not fail: the error page is rendered here too.
		s.log.Error("render page", "page", page, "err", err)
		c.String(nethttp.StatusInternalServerError, ui.T(b.Lang, "err_code_"+engine.CodeInternal))
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+b.Nonce+"'; style-src 'self'; "+
		"style-src-attr 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; "+
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// static serves an asset by its hashed name, cacheable for good.
func (s *Server) static(c *gin.Context) {
	a, ok := s.pages.assets[strings.TrimPrefix(c.Param("file"), "/")]
	if !ok {
		s.fail(c, engine.Errorf(engine.CodeNotFound, "err_no_route", "http: no static file %s", c.Param("file")))
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Data(nethttp.StatusOK, a.Type, a.Data)
}

// --- sign-in page

type loginPage struct {
	base
	Email, Next, Error string
}

// safeNext keeps a post-sign-in redirect on this site (XSS-09): a path of
// this origin, never a scheme, host or protocol-relative URL, judged as
// the browser will read it. Browsers drop tabs and newlines from a URL
// and read a backslash as a slash (the WHATWG URL standard), so
// "/\t/evil.example" is "//evil.example" to them; any control character
// or space refuses the target outright.
func safeNext(next string) string {
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
		return "/"
	}
	seen := strings.ReplaceAll(next, "\\", "/")
	if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
		return "/"
	}
	u, err := url.Parse(seen)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return seen
}

func (s *Server) loginForm(c *gin.Context) {
	b := s.newBase(c, "sign_in")
	if b.User != nil {
		c.Redirect(nethttp.StatusSeeOther, safeNext(c.Query("next")))
		return
	}
	s.render(c, nethttp.StatusOK, "login", b, loginPage{base: b, Next: safeNext(c.Query("next"))})
}

func (s *Server) loginPost(c *gin.Context) {
	b := s.newBase(c, "sign_in")
	email, next := c.PostForm("email"), safeNext(c.PostForm("next"))
	_, err := s.signIn(c, email, c.PostForm("password"))
	if err == nil {
		c.Redirect(nethttp.StatusSeeOther, next)
		return
	}
	if p, ok := s.refusal(c, err); ok {
		s.render(c, p.Status, "login", b, loginPage{base: b, Email: email, Next: next, Error: p.Message})
	}
}

func (s *Server) logoutPost(c *gin.Context) {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.eng.EndSession(c.Request.Context(), ck); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.setSessionCookie(c, "", -time.Second)
	c.Redirect(nethttp.StatusSeeOther, "/login")
}

// ago is a short relative time for lists.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return t.Format("2006-01-02")
}
