package engine

import (
	"errors"
	"fmt"
)

// Error codes: what kind of refusal an error is. The http package gives
// each its status; docs/errors.md lists them all.
const (
	CodeInvalid   = "invalid"   // the request names something badly (ErrInvalid)
	CodeNotFound  = "not_found" // no such record, or not the caller's to see (ErrNotFound)
	CodeConflict  = "conflict"  // the record's state forbids it now (ErrConflict)
	CodeForbidden = "forbidden" // the actor may not do this (ErrForbidden)
	CodeInternal  = "internal"  // anything that is not an *Error
)

// Error is an error a user may be shown: a code that says what kind of
// refusal it is, and the message as a key of the UI string catalogue
// with the values its text takes, so that it is rendered in the reader's
// language. Text is the error's own text, for logs and command lines.
//
// An *Error matches the sentinel of its code with errors.Is
// (CodeInvalid is ErrInvalid, and so on), and unwraps to Err.
type Error struct {
	Code string // one of the Code constants, or a code of index or http
	Key  string // the message's key in the UI string catalogue
	Args []any  // the values the message takes, in order
	Text string // the error text, with its package prefix: "engine: view name: required"
	Err  error  // the cause, or a further sentinel to match (index.ErrQuery); may be nil
}

// Errorf returns an *Error of code whose message is key with args and
// whose text is format with the same args. The format starts with the
// package prefix ("engine: ...").
func Errorf(code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Text: fmt.Sprintf(format, args...)}
}

// Error is the text, followed by the sentinel's word and the cause, as
// the errors made with fmt.Errorf and %w read: "engine: view name:
// required: invalid".
func (e *Error) Error() string {
	s := e.Text
	if sentinel := sentinelOf(e.Code); sentinel != nil && !errors.Is(e.Err, sentinel) {
		s += ": " + sentinel.Error()
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	s := sentinelOf(e.Code)
	return s != nil && target == s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func sentinelOf(code string) error {
	switch code {
	case CodeInvalid:
		return ErrInvalid
	case CodeNotFound:
		return ErrNotFound
	case CodeConflict:
		return ErrConflict
	case CodeForbidden:
		return ErrForbidden
	}
	return nil
}

// Key is a message value that is itself a key of the UI string
// catalogue (a field's name, say): it is put in the reader's language
// too.
type Key string

// ErrorCode is the code of err: that of the first *Error in its chain,
// else that of the sentinel it wraps, else CodeInternal.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrInvalid):
		return CodeInvalid
	case errors.Is(err, ErrNotFound):
		return CodeNotFound
	case errors.Is(err, ErrConflict):
		return CodeConflict
	case errors.Is(err, ErrForbidden):
		return CodeForbidden
	}
	return CodeInternal
}
