package engine

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/text/unicode/norm"
)

// A category's or type's id is the slug tickets carry (category:billing in
// a query); its name and colour are for people.

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	colourRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Slug makes an id from a name: lower case, letters and digits kept,
// anything else a dash ("Problem techniczny" -> "problem-techniczny").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	folded := strings.NewReplacer("ł", "l", "đ", "d", "ß", "ss").Replace(strings.ToLower(strings.TrimSpace(name)))
	for _, r := range norm.NFD.String(folded) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a diacritic of the letter before it: dropped
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// checkNamed checks a category's or a type's id and name; kind is the UI
// string of what it is ("category", "type").
func checkNamed(kind Key, id, name string) error {
	if !slugRe.MatchString(id) {
		return Errorf(CodeInvalid, "err_named_id", "engine: %s id %q: lower-case letters, digits, - and _, at most 64", kind, id)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(name)); n == 0 || n > 100 {
		return Errorf(CodeInvalid, "err_named_name", "engine: %s name: 1 to 100 characters", kind)
	}
	return nil
}

// SaveCategory creates or changes a category. Colour is #rrggbb.
func (s *Store) SaveCategory(ctx context.Context, c Category) (Category, error) {
	c.Name = strings.TrimSpace(c.Name)
	if c.ID == "" {
		c.ID = Slug(c.Name)
	}
	if err := checkNamed("category", c.ID, c.Name); err != nil {
		return c, err
	}
	if !colourRe.MatchString(c.Colour) {
		return c, Errorf(CodeInvalid, "err_category_colour", "engine: category colour %q: want #rrggbb", c.Colour)
	}
	c.Colour = strings.ToLower(c.Colour)
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		w.op = "category"
		return putJSON(txn, key(pCategory, c.ID), c)
	})
	return c, err
}

// Categories lists the categories by id.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	out := []Category{}
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pCategory), func() any { return &Category{} }, func(v any) error {
			out = append(out, *v.(*Category))
			return nil
		})
	})
	return out, err
}

// SaveTicketType creates or changes a ticket type with its SLA targets
// (zero: none).
func (s *Store) SaveTicketType(ctx context.Context, t TicketType) (TicketType, error) {
	t.Name = strings.TrimSpace(t.Name)
	if t.ID == "" {
		t.ID = Slug(t.Name)
	}
	if err := checkNamed("type", t.ID, t.Name); err != nil {
		return t, err
	}
	if t.FirstResponseSLA < 0 || t.ResolutionSLA < 0 || t.FirstResponseSLA > 365*24*time.Hour || t.ResolutionSLA > 365*24*time.Hour {
		return t, Errorf(CodeInvalid, "err_type_sla", "engine: type %s: SLA targets from 0 to a year", t.ID)
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		w.op = "ttype"
		return putJSON(txn, key(pTType, t.ID), t)
	})
	return t, err
}

// TicketTypes lists the ticket types by id.
func (s *Store) TicketTypes(ctx context.Context) ([]TicketType, error) {
	out := []TicketType{}
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pTType), func() any { return &TicketType{} }, func(v any) error {
			out = append(out, *v.(*TicketType))
			return nil
		})
	})
	return out, err
}
