package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"searchdesk/engine"
)

// Caps on a query (invariant 8, DOS-03), checked before and while parsing.
const (
	maxQueryBytes = 4096
	maxQueryTerms = 128
	maxQueryDepth = 16
)

// Node is a parsed query.
type Node interface{ node() }

// And matches what all of its parts match.
type And struct{ Parts []Node }

// Or matches what any of its parts matches.
type Or struct{ Parts []Node }

// Not matches what its part does not.
type Not struct{ Part Node }

// Term is a word, phrase or prefix, in a field or in the default text.
type Term struct {
	Field  string // "" for the default text fields
	Op     string // "", ">", ">=", "<", "<=" or ".." (range)
	Value  string
	To     string // upper bound of a range
	Phrase bool
	Prefix bool
	Values []string // a,b,c: any of the listed values
	Pos    int      // byte offset in the query, for errors
	Col    int      // 1-based column (runes), for errors
}

func (And) node()   {}
func (Or) node()    {}
func (Not) node()   {}
func (*Term) node() {}

// Query is a parsed query: the match tree and the requested sort.
type Query struct {
	Root Node // nil matches everything
	Sort string
}

// SyntaxError names what is wrong and where (1-based line:column).
type SyntaxError struct {
	Pos  int
	Col  int
	Msg  string
	Hint string // e.g. the field meant
	// Key and Args are the message in the UI string catalogue; the
	// message takes the column first, then Args.
	Key  string
	Args []any
}

// Unwrap makes a syntax error an *engine.Error of code CodeBadQuery,
// which is an ErrQuery.
func (e *SyntaxError) Unwrap() error {
	return &engine.Error{Code: CodeBadQuery, Key: e.Key, Args: append([]any{e.Col}, e.Args...), Text: e.Error(), Err: ErrQuery}
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("index: query: %s at 1:%d", e.Msg, e.Col)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// fields lists the fields a query may name.
func fields() []string {
	return []string{"subject", "body", "note", "status", "priority", "category", "customer", "account",
		"desk", "assignee", "tag", "source", "type", "sla", "from", "to", "cc", "created", "updated",
		"is", "has", "attachment", "number", "sort"}
}

type token struct {
	kind  byte // 'w' word, 'p' phrase, '(' ')' '-' 'O' (OR)
	text  string
	field string // for 'w'/'p' written as field:value
	pos   int
}

type parser struct {
	src   string
	toks  []token
	i     int
	terms int
	sort  string
}

// Parse parses a query of docs/architecture.md's query language.
func Parse(q string) (*Query, error) {
	p := &parser{src: q}
	if len(q) > maxQueryBytes {
		return nil, p.errAt(maxQueryBytes, "err_query_long", "query longer than %d bytes", maxQueryBytes)
	}
	if !utf8.ValidString(q) {
		return nil, p.errAt(0, "err_query_utf8", "query is not valid UTF-8")
	}
	if err := p.lex(); err != nil {
		return nil, err
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, p.errAt(p.toks[p.i].pos, "err_query_unexpected_paren", "unexpected ')'")
	}
	return &Query{Root: root, Sort: p.sort}, nil
}

// errAt is a SyntaxError at byte pos: key and args are its message in the
// UI string catalogue, format and the same args its text.
func (p *parser) errAt(pos int, key, format string, args ...any) *SyntaxError {
	if pos > len(p.src) {
		pos = len(p.src)
	}
	return &SyntaxError{Pos: pos, Col: utf8.RuneCountInString(p.src[:pos]) + 1, Msg: fmt.Sprintf(format, args...),
		Key: key, Args: args}
}

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r) || r == 0:
			i += n
		case r == '(' || r == ')':
			p.toks = append(p.toks, token{kind: byte(r), pos: i})
			i++
		case r == '-' && (len(p.toks) == 0 || i == 0 || !isWordByte(s[i-1])):
			p.toks = append(p.toks, token{kind: '-', pos: i})
			i++
		case r == '"':
			text, end, err := p.phrase(i)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, token{kind: 'p', text: text, pos: i})
			i = end
		default:
			start := i
			for i < len(s) {
				r, n := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == 0 {
					break
				}
				i += n
			}
			word := s[start:i]
			if f, v, ok := strings.Cut(word, ":"); ok && f != "" && isFieldName(f) {
				tok := token{kind: 'w', field: strings.ToLower(f), text: v, pos: start}
				if v == "" && i < len(s) && s[i] == '"' {
					text, end, err := p.phrase(i)
					if err != nil {
						return err
					}
					tok.kind, tok.text, i = 'p', text, end
				}
				p.toks = append(p.toks, tok)
				continue
			}
			if word == "OR" {
				p.toks = append(p.toks, token{kind: 'O', pos: start})
				continue
			}
			p.toks = append(p.toks, token{kind: 'w', text: word, pos: start})
		}
		if len(p.toks) > 4*maxQueryTerms {
			return p.errAt(i, "err_query_terms", "query has more than %d terms", maxQueryTerms)
		}
	}
	return nil
}

func isWordByte(b byte) bool { return b != ' ' && b != '(' && b != '\t' && b != '\n' }

// isFieldName: letters, digits, _ and - only, so URLs and times are words.
func isFieldName(f string) bool {
	for _, r := range f {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (p *parser) phrase(start int) (string, int, error) {
	end := strings.IndexByte(p.src[start+1:], '"')
	if end < 0 {
		return "", 0, p.errAt(start, "err_query_unclosed_quote", "unclosed '\"'")
	}
	return p.src[start+1 : start+1+end], start + end + 2, nil
}

func (p *parser) parseOr(depth int) (Node, error) {
	if depth > maxQueryDepth {
		return nil, p.errAt(p.toks[p.i-1].pos, "err_query_depth", "parentheses nested deeper than %d", maxQueryDepth)
	}
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	parts := []Node{first}
	for p.i < len(p.toks) && p.toks[p.i].kind == 'O' {
		orPos := p.toks[p.i].pos
		p.i++
		next, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		if first == nil || next == nil {
			return nil, p.errAt(orPos, "err_query_or", "OR needs a term on both sides")
		}
		parts = append(parts, next)
	}
	if len(parts) == 1 {
		return first, nil
	}
	return Or{Parts: parts}, nil
}

func (p *parser) parseAnd(depth int) (Node, error) {
	var parts []Node
	for p.i < len(p.toks) {
		k := p.toks[p.i].kind
		if k == ')' || k == 'O' {
			break
		}
		n, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		if n != nil {
			parts = append(parts, n)
		}
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return parts[0], nil
	}
	return And{Parts: parts}, nil
}

func (p *parser) parseUnary(depth int) (Node, error) {
	t := p.toks[p.i]
	switch t.kind {
	case '-':
		p.i++
		if p.i >= len(p.toks) || p.toks[p.i].kind == ')' || p.toks[p.i].kind == 'O' {
			return nil, p.errAt(t.pos, "err_query_minus", "'-' needs a term after it")
		}
		n, err := p.parseUnary(depth)
		if err != nil || n == nil {
			return nil, err
		}
		return Not{Part: n}, nil
	case '(':
		p.i++
		n, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i].kind != ')' {
			return nil, p.errAt(t.pos, "err_query_unclosed_paren", "unclosed '('")
		}
		p.i++
		if n == nil {
			return nil, p.errAt(t.pos, "err_query_empty_parens", "empty parentheses")
		}
		return n, nil
	}
	p.i++
	if p.terms++; p.terms > maxQueryTerms {
		return nil, p.errAt(t.pos, "err_query_terms", "query has more than %d terms", maxQueryTerms)
	}
	return p.term(t)
}

// sortKeys are the orders sort: accepts (an allow-list: XSS-09).
func sortKeys() []string {
	return []string{"relevance", "updated-desc", "updated-asc", "created-desc", "created-asc", "priority-desc", "priority-asc"}
}

// term turns one word or phrase token into a Term.
func (p *parser) term(t token) (Node, error) {
	term := &Term{Field: t.field, Value: t.text, Phrase: t.kind == 'p', Pos: t.pos,
		Col: utf8.RuneCountInString(p.src[:t.pos]) + 1}
	if t.field == "" {
		if t.kind == 'w' && strings.HasSuffix(t.text, "*") {
			term.Value, term.Prefix = strings.TrimRight(t.text, "*"), true
			if len([]rune(term.Value)) < 2 || strings.ContainsAny(term.Value, "*?") {
				return nil, p.errAt(t.pos, "err_query_prefix", "a prefix needs at least 2 characters before '*'")
			}
		}
		return term, nil
	}
	if !isKnownField(t.field) {
		e := p.errAt(t.pos, "err_query_unknown_field", "unknown field %q", t.field)
		if s := closest(t.field, fields()); s != "" {
			e.Hint = fmt.Sprintf("did you mean %q?", s)
			e.Key, e.Args = "err_query_unknown_field_hint", append(e.Args, s)
		}
		return nil, e
	}
	if term.Value == "" {
		return nil, p.errAt(t.pos, "err_query_no_value", "%s: needs a value", t.field)
	}
	if t.field == "sort" {
		for _, k := range sortKeys() {
			if k == term.Value {
				p.sort = k
				return nil, nil
			}
		}
		return nil, p.errAt(t.pos, "err_query_sort", "sort:%s: want one of %s", term.Value, strings.Join(sortKeys(), ", "))
	}
	if t.kind == 'w' {
		for _, op := range []string{">=", "<=", ">", "<"} {
			if strings.HasPrefix(term.Value, op) {
				term.Op, term.Value = op, term.Value[len(op):]
				break
			}
		}
		if term.Op == "" {
			if a, b, ok := strings.Cut(term.Value, ".."); ok {
				term.Op, term.Value, term.To = "..", a, b
			} else if strings.Contains(term.Value, ",") {
				for _, v := range strings.Split(term.Value, ",") {
					if v != "" {
						term.Values = append(term.Values, v)
					}
				}
			}
		}
		if strings.HasSuffix(term.Value, "*") && term.Op == "" && len(term.Values) == 0 {
			term.Value, term.Prefix = strings.TrimRight(term.Value, "*"), true
		}
	}
	return term, nil
}

func isKnownField(f string) bool {
	for _, k := range fields() {
		if k == f {
			return true
		}
	}
	return false
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, cands []string) string {
	best, bestD := "", 3
	for _, c := range cands {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Fields lists the fields a query may name, for completion in the UI.
func Fields() []string { return fields() }

// FacetFields lists the fields facets count.
func FacetFields() []string { return facetFields() }
