package http

import (
	"mime"
	nethttp "net/http"
	"searchdesk/engine"
	"strings"

	"github.com/gin-gonic/gin"
)

// visibleMessage loads a message whose ticket the caller may see;
// anything else is 404.
func (s *Server) visibleMessage(c *gin.Context, id string) (*engine.Message, bool) {
	m, err := s.messageFor(c, id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return m, true
}

func (s *Server) getMessage(c *gin.Context) {
	if m, ok := s.visibleMessage(c, c.Param("id")); ok {
		c.JSON(nethttp.StatusOK, gin.H{"message": toMessageJSON(m)})
	}
}

func (s *Server) splitMessage(c *gin.Context) {
	m, ok := s.visibleMessage(c, c.Param("id"))
	if !ok {
		return
	}
	t, err := s.eng.Split(c.Request.Context(), who(c).User.Email, m.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerTicket(c, t.ID, nethttp.StatusCreated)
}

// attachment serves an attachment's bytes so that a browser never renders
// them as a page of this site: always a download, the declared type only
// when it is well-formed, no sniffing, and a sandbox CSP should it be
// opened anyway (XSS-03).
func (s *Server) attachment(c *gin.Context) {
	m, ok := s.visibleMessage(c, c.Param("id"))
	if !ok {
		return
	}
	var att *engine.AttachmentRef
	for i := range m.Attachments {
		if m.Attachments[i].ID == c.Param("att") {
			att = &m.Attachments[i]
		}
	}
	if att == nil {
		s.fail(c, engine.Errorf(engine.CodeNotFound, "err_no_attachment", "http: message %s: no attachment %s", m.ID, c.Param("att")))
		return
	}
	data, err := s.eng.Blob(c.Request.Context(), att.Hash)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The type is ours to decide: the sender's word is taken only for
	// types no browser runs as code.
	ctype := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(att.ContentType); err == nil {
		switch mt {
		case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain":
			ctype = mt
		}
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": safeFileName(att.Name)}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	c.Data(nethttp.StatusOK, ctype, data)
}

// safeFileName keeps a download's name to printable characters without
// path separators; an empty name becomes "attachment".
func safeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" {
		return "attachment"
	}
	return name
}
