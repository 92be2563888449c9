package engine

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/compose"
	"searchdesk/engine/number"
)

// DefaultDeskCode is the desk mail goes to when no desk is named.
const DefaultDeskCode = "support"

// DefaultPattern numbers tickets of a new desk: SUP-26-1, SUP-26-2, ...
const DefaultPattern = "SUP-{{yy}}-{{nr-y}}"

func validDeskCode(code string) bool {
	if code == "" || len(code) > 32 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// normalizeDesk fills defaults and validates d.
func normalizeDesk(d *Desk) error {
	d.Code = strings.ToLower(strings.TrimSpace(d.Code))
	if !validDeskCode(d.Code) {
		return Errorf(CodeInvalid, "err_desk_code", "engine: desk code %q: use 1-32 of a-z, 0-9, - and _", d.Code)
	}
	if d.Name == "" {
		d.Name = d.Code
	}
	if d.Pattern == "" {
		d.Pattern = DefaultPattern
	}
	if _, err := number.Parse(d.Pattern); err != nil {
		return patternError(d.Code, err)
	}
	if d.DefaultPriority == "" {
		d.DefaultPriority = "normal"
	}
	if !validPriority(d.DefaultPriority) {
		return Errorf(CodeInvalid, "err_desk_default_priority", "engine: desk %s: default priority %q: want low, normal, high or urgent", d.Code, d.DefaultPriority)
	}
	if d.SubjectWindowDays <= 0 {
		d.SubjectWindowDays = 14
	}
	if d.ClosedPolicy == "" {
		d.ClosedPolicy = ClosedReopen
	}
	if d.ClosedPolicy != ClosedReopen && d.ClosedPolicy != ClosedFollowUp {
		return Errorf(CodeInvalid, "err_desk_closed_policy", "engine: desk %s: closed policy %q: want %s or %s", d.Code, d.ClosedPolicy, ClosedReopen, ClosedFollowUp)
	}
	if d.UnverifiedPolicy == "" {
		d.UnverifiedPolicy = UnverifiedAttach
	}
	if d.UnverifiedPolicy != UnverifiedAttach && d.UnverifiedPolicy != UnverifiedNewLinked {
		return Errorf(CodeInvalid, "err_desk_unverified_policy", "engine: desk %s: unverified policy %q: want %s or %s", d.Code, d.UnverifiedPolicy, UnverifiedAttach, UnverifiedNewLinked)
	}
	for i, a := range d.Addresses {
		d.Addresses[i] = strings.ToLower(strings.TrimSpace(a))
	}
	if err := normalizeMail(d); err != nil {
		return err
	}
	if len(d.Secret) == 0 {
		d.Secret = make([]byte, 32)
		if _, err := rand.Read(d.Secret); err != nil {
			return fmt.Errorf("engine: desk secret: %w", err)
		}
	}
	return nil
}

// patternError is a number pattern the number package refuses, with the
// rule it breaks as the message.
func patternError(code string, err error) error {
	text := fmt.Sprintf("engine: desk %s: %v", code, err)
	var ne *number.Error
	if !errors.As(err, &ne) {
		return &Error{Code: CodeInvalid, Key: "err_pattern", Text: text}
	}
	return &Error{Code: CodeInvalid, Key: "err_pattern_" + ne.Reason, Args: ne.Args, Text: text}
}

// templateError is a mail template that compose.Check refuses: the
// message names its first bad placeholder.
func templateError(code, kind string, err error) error {
	e := &Error{Code: CodeInvalid, Key: "err_template", Text: fmt.Sprintf("engine: desk %s template %s: %v", code, kind, err)}
	var te *compose.TemplateError
	if !errors.As(err, &te) {
		return e
	}
	field := Key("template_" + te.Field)
	switch {
	case te.Unclosed:
		e.Key, e.Args = "err_template_unclosed", []any{field, te.Pos}
	case te.Name == "":
		e.Key, e.Args = "err_template_empty", []any{field, te.Pos}
	case te.Suggest != "":
		e.Key, e.Args = "err_template_unknown_hint", []any{field, te.Pos, te.Name, te.Suggest}
	default:
		e.Key, e.Args = "err_template_unknown", []any{field, te.Pos, te.Name}
	}
	return e
}

// hoursError is a working-hours schedule that compose.ParseHours refuses:
// the message says where, what was expected and what was found.
func hoursError(code string, err error) error {
	e := &Error{Code: CodeInvalid, Key: "err_hours", Text: fmt.Sprintf("engine: desk %s: hours: %v", code, err)}
	var he *compose.HoursError
	if !errors.As(err, &he) {
		return e
	}
	var found any = Key("end_of_text")
	if he.Found != "" {
		found = strconv.Quote(he.Found)
	}
	e.Key, e.Args = "err_hours_"+he.Expected, []any{he.Pos, found, he.After}
	return e
}

// normalizeMail validates a desk's mail settings: language, templates,
// working hours, mailboxes and SMTP server.
func normalizeMail(d *Desk) error {
	switch d.Language {
	case "":
		d.Language = "en"
	case "en", "pl", "cs":
	default:
		return Errorf(CodeInvalid, "err_desk_language", "engine: desk %s: language %q: want en, pl or cs", d.Code, d.Language)
	}
	for kind, t := range d.Templates {
		if _, ok := compose.Defaults("en")[compose.Kind(kind)]; !ok {
			return Errorf(CodeInvalid, "err_desk_template_kind", "engine: desk %s: no template kind %q", d.Code, kind)
		}
		if err := compose.Check(compose.Template{Subject: t.Subject, Body: t.Body}); err != nil {
			return templateError(d.Code, kind, err)
		}
	}
	if d.TimeZone != "" {
		if _, err := time.LoadLocation(d.TimeZone); err != nil {
			return Errorf(CodeInvalid, "err_desk_time_zone", "engine: desk %s: time zone %q", d.Code, d.TimeZone)
		}
	}
	if _, err := compose.ParseHours(d.Hours, d.TimeZone); err != nil {
		return hoursError(d.Code, err)
	}
	if d.AutoMailsPerHour <= 0 {
		d.AutoMailsPerHour = 1
	}
	for i := range d.Mailboxes {
		if err := normalizeMailbox(d, i, &d.Mailboxes[i], randomID); err != nil {
			return err
		}
	}
	if d.SMTP != nil {
		def := 465
		if d.SMTP.Security == SecurityStartTLS {
			def = 587
		} else if d.SMTP.Security == SecurityNone {
			def = 25
		}
		if err := normalizeServer("desk "+d.Code+" smtp", d.SMTP, def); err != nil {
			return err
		}
	}
	return nil
}

// SaveDesk creates d, or updates the desk with d.ID. The number pattern is
// validated (docs/architecture.md, Ticket numbers); codes are unique.
func (s *Store) SaveDesk(ctx context.Context, d Desk) (Desk, error) {
	if err := normalizeDesk(&d); err != nil {
		return Desk{}, err
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		return s.saveDeskTxn(txn, w, &d)
	})
	return d, err
}

func (s *Store) saveDeskTxn(txn *badger.Txn, w *writeCtx, d *Desk) error {
	idb, err := getRaw(txn, key(pDeskCode, d.Code))
	switch {
	case err == nil && string(idb) != d.ID && d.ID != "":
		return Errorf(CodeConflict, "err_desk_code_taken", "engine: desk code %q is taken", d.Code)
	case err == nil && d.ID == "":
		return Errorf(CodeConflict, "err_desk_code_taken", "engine: desk code %q is taken", d.Code)
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	if d.ID == "" {
		d.ID = s.newID()
		d.Created = w.now
	} else {
		var old Desk
		if err := getJSON(txn, key(pDesk, d.ID), &old); err != nil {
			return err
		}
		if old.Code != d.Code {
			if err := txn.Delete(key(pDeskCode, old.Code)); err != nil {
				return err
			}
		}
		if old.Code != d.Code || old.Pattern != d.Pattern {
			w.changedRecord(RefDesk, d.ID) // the desk and number fields of its tickets
		}
	}
	if err := txn.Set(key(pDeskCode, d.Code), []byte(d.ID)); err != nil {
		return err
	}
	w.op = "desk"
	return putJSON(txn, key(pDesk, d.ID), d)
}

// EnsureDesk returns the desk with code, creating it with defaults if missing.
func (s *Store) EnsureDesk(ctx context.Context, code string) (Desk, error) {
	if code == "" {
		code = DefaultDeskCode
	}
	d, err := s.DeskByCode(ctx, code)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return d, err
	}
	d = Desk{Code: code}
	if code == DefaultDeskCode {
		d.Name = "Support"
	}
	d, err = s.SaveDesk(ctx, d)
	if errors.Is(err, ErrConflict) { // created meanwhile
		return s.DeskByCode(ctx, code)
	}
	return d, err
}

// DeskByCode returns the desk with code.
func (s *Store) DeskByCode(ctx context.Context, code string) (Desk, error) {
	var d Desk
	err := s.db.View(func(txn *badger.Txn) error {
		return deskByCodeTxn(txn, strings.ToLower(code), &d)
	})
	return d, err
}

func deskByCodeTxn(txn *badger.Txn, code string, d *Desk) error {
	id, err := getRaw(txn, key(pDeskCode, code))
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeNotFound, "err_desk_unknown", "engine: desk %q", code)
	}
	if err != nil {
		return err
	}
	return getJSON(txn, key(pDesk, string(id)), d)
}

// Desk returns the desk with id.
func (s *Store) Desk(ctx context.Context, id string) (Desk, error) {
	var d Desk
	err := s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pDesk, id), &d) })
	if errors.Is(err, ErrNotFound) {
		return d, Errorf(CodeNotFound, "err_no_desk", "engine: desk %s", id)
	}
	return d, err
}

// Desks lists every desk in creation order.
func (s *Store) Desks(ctx context.Context) ([]Desk, error) {
	var out []Desk
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pDesk), func() any { return &Desk{} }, func(v any) error {
			out = append(out, *v.(*Desk))
			return nil
		})
	})
	return out, err
}
