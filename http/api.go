package http

import (
	"encoding/json"
	"errors"
	"io"
	nethttp "net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"searchdesk/engine"
	"searchdesk/index"
)

// Request bodies are capped before they are read (invariant 8, DOS-04):
// JSON bodies by bindJSON, form bodies (pages, sign-in) by capForm. There
// are no upload routes.
const (
	maxJSONBody = 1 << 20
	maxFormBody = 1 << 20 // a reply or note is at most engine.MaxStaffText
)

// capForm reads a form body under maxFormBody before any handler looks at
// it, so a larger one is refused with 413 instead of parsed (a multipart
// body of 32 MB was read into memory before).
func (s *Server) capForm(c *gin.Context) {
	if c.Request.Body == nil || c.Request.Method == nethttp.MethodGet || c.Request.Method == nethttp.MethodHead ||
		strings.HasPrefix(c.Request.URL.Path, "/api/") {
		return
	}
	c.Request.Body = nethttp.MaxBytesReader(c.Writer, c.Request.Body, maxFormBody)
	ct := c.ContentType()
	var err error
	switch ct {
	case "multipart/form-data":
		err = c.Request.ParseMultipartForm(maxFormBody)
	case "application/x-www-form-urlencoded":
		err = c.Request.ParseForm()
	}
	var tooBig *nethttp.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.fail(c, &engine.Error{Code: codeTooLarge, Key: "err_body_too_big", Args: []any{tooBig.Limit}, Text: "http: form body", Err: err})
	case err != nil:
		s.fail(c, &engine.Error{Code: codeBadRequest, Key: "err_body", Text: "http: form body", Err: err})
	}
}

// bindJSON decodes a request body into v, refusing unknown fields, and
// answers 400 naming what is wrong.
func (s *Server) bindJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(nethttp.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.fail(c, bodyError(err))
		return false
	}
	return true
}

// bodyError is a JSON body the decoder refuses, as a typed error that
// says what is wrong in the reader's language.
func bodyError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *nethttp.MaxBytesError
	e := &engine.Error{Code: codeBadRequest, Key: "err_body", Text: "http: request body", Err: err}
	switch {
	case errors.Is(err, io.EOF):
		e.Key = "err_body_empty"
	case errors.As(err, &syntax):
		e.Key, e.Args = "err_body_syntax", []any{syntax.Offset}
	case errors.As(err, &typ) && typ.Field != "":
		e.Key, e.Args = "err_body_type", []any{typ.Field, typ.Type.String()}
	case errors.As(err, &tooBig):
		e.Code, e.Key, e.Args = codeTooLarge, "err_body_too_big", []any{tooBig.Limit}
	default:
		// encoding/json says which field it does not know only in its text.
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			e.Key, e.Args = "err_body_field", []any{strings.Trim(f, `"`)}
		}
	}
	return e
}

// errorJSON is an error inside an answer that did not fail as a whole.
type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// hitIDs lists the ticket ids of a page of hits.
func (s *Server) hitIDs(res *index.Result) []string {
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}
