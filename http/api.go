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

// maxJSONBody caps a JSON request body (invariant 8).
const maxJSONBody = 1 << 20

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
