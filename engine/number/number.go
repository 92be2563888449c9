package number

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPatternLen caps a pattern's length in bytes. Patterns are short; the cap
// keeps numbers, and so the work of finding them in subjects, small.
const maxPatternLen = 100

// kind is the kind of one element of a pattern.
type kind uint8

const (
	kindLit kind = iota
	kindNr
	kindNrY
	kindNrM
	kindNrW
	kindNrD
	kindYY
	kindYYYY
	kindMM
	kindWW
	kindDD
	kindDesk
	numKinds
)

// tokenKind returns the kind of the token named inside "{{" and "}}".
func tokenKind(name string) (kind, bool) {
	switch name {
	case "nr":
		return kindNr, true
	case "nr-y":
		return kindNrY, true
	case "nr-m":
		return kindNrM, true
	case "nr-w":
		return kindNrW, true
	case "nr-d":
		return kindNrD, true
	case "yy":
		return kindYY, true
	case "yyyy":
		return kindYYYY, true
	case "mm":
		return kindMM, true
	case "ww":
		return kindWW, true
	case "dd":
		return kindDD, true
	case "desk":
		return kindDesk, true
	}
	return kindLit, false
}

// String returns the token as written in a pattern.
func (k kind) String() string {
	switch k {
	case kindNr:
		return "{{nr}}"
	case kindNrY:
		return "{{nr-y}}"
	case kindNrM:
		return "{{nr-m}}"
	case kindNrW:
		return "{{nr-w}}"
	case kindNrD:
		return "{{nr-d}}"
	case kindYY:
		return "{{yy}}"
	case kindYYYY:
		return "{{yyyy}}"
	case kindMM:
		return "{{mm}}"
	case kindWW:
		return "{{ww}}"
	case kindDD:
		return "{{dd}}"
	case kindDesk:
		return "{{desk}}"
	}
	return "literal"
}

// isCounter reports whether k is one of the counter tokens.
func (k kind) isCounter() bool {
	return k >= kindNr && k <= kindNrD
}

// isNumeric reports whether k renders as ASCII digits.
func (k kind) isNumeric() bool {
	return k >= kindNr && k <= kindDD
}

// width returns the number of digits a fixed-width date token renders, or 0
// for the other kinds.
func (k kind) width() int {
	switch k {
	case kindYY, kindMM, kindWW, kindDD:
		return 2
	case kindYYYY:
		return 4
	}
	return 0
}

// elem is a literal text or a token of a pattern.
type elem struct {
	kind kind
	lit  string // for kindLit
}

// Pattern is a parsed ticket-number pattern. The zero Pattern renders the
// empty string and matches nothing; use Parse.
type Pattern struct {
	src     string
	elems   []elem
	counter kind
	// isoYear is set when the pattern contains {{ww}}: its year tokens then
	// render, and {{nr-y}} resets with, the ISO week-numbering year.
	isoYear bool
}

// Parse parses a desk's number pattern and checks that it renders unique
// numbers that can be read back; see the package documentation for the
// rules.
func Parse(pattern string) (Pattern, error) {
	if pattern == "" {
		return Pattern{}, &Error{Reason: "empty", text: "number: empty pattern"}
	}
	if len(pattern) > maxPatternLen {
		return Pattern{}, &Error{Reason: "long", Args: []any{len(pattern), maxPatternLen},
			text: fmt.Sprintf("number: pattern is %d bytes long, the limit is %d", len(pattern), maxPatternLen)}
	}
	if !utf8.ValidString(pattern) {
		return Pattern{}, &Error{Reason: "utf8", text: fmt.Sprintf("number: pattern %q is not valid UTF-8", pattern)}
	}
	elems, err := scan(pattern)
	if err != nil {
		return Pattern{}, err.in(pattern)
	}
	p := Pattern{src: pattern, elems: elems}
	if err := p.check(); err != nil {
		return Pattern{}, err.in(pattern)
	}
	return p, nil
}

// Error is a pattern that Parse refuses. Reason names the rule it breaks
// in a word, for callers that put the refusal in the reader's language;
// Args are the values the rule's text takes.
type Error struct {
	Reason string
	Args   []any
	text   string
}

func (e *Error) Error() string { return e.text }

// refuse returns the Error of a rule; the text is completed by in.
func refuse(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Args: args, text: fmt.Sprintf(format, args...)}
}

// in names the pattern in e's text.
func (e *Error) in(pattern string) *Error {
	e.text = fmt.Sprintf("number: pattern %q: %s", pattern, e.text)
	return e
}

// scan splits pattern into literals and tokens.
func scan(pattern string) ([]elem, *Error) {
	var elems []elem
	for i := 0; i < len(pattern); {
		j := strings.Index(pattern[i:], "{{")
		if j < 0 {
			j = len(pattern) - i
		}
		if j > 0 {
			lit := pattern[i : i+j]
			if err := checkLiteral(lit, i); err != nil {
				return nil, err
			}
			elems = append(elems, elem{kind: kindLit, lit: lit})
			i += j
			continue
		}
		end := strings.Index(pattern[i+2:], "}}")
		if end < 0 || strings.Contains(pattern[i+2:i+2+end], "{") {
			return nil, refuse("unclosed", "unclosed \"{{\" at byte %d", i)
		}
		name := pattern[i+2 : i+2+end]
		k, ok := tokenKind(name)
		if !ok {
			return nil, refuse("unknown_token", "unknown token \"{{%s}}\"; known are {{nr}}, {{nr-y}}, {{nr-m}}, {{nr-w}}, {{nr-d}}, {{yy}}, {{yyyy}}, {{mm}}, {{ww}}, {{dd}} and {{desk}}", name)
		}
		elems = append(elems, elem{kind: k})
		i += 2 + end + 2
	}
	return elems, nil
}

// checkLiteral rejects characters that cannot stand in a subject tag such as
// "[SUP-26-02-1]", and stray braces. off is lit's offset in the pattern.
func checkLiteral(lit string, off int) *Error {
	for i, r := range lit {
		if r == '[' || r == ']' || r == '{' || r == '}' || unicode.IsSpace(r) || !unicode.IsGraphic(r) {
			return refuse("character", "character %q at byte %d is not allowed: numbers are written in subject tags, so brackets, braces, white space and control characters cannot be part of them", r, off+i)
		}
	}
	return nil
}

// check validates the tokens of p and sets p.counter and p.isoYear.
func (p *Pattern) check() *Error {
	var seen [numKinds]bool
	for _, e := range p.elems {
		if e.kind == kindLit {
			continue
		}
		if seen[e.kind] {
			return refuse("twice", "%v appears more than once", e.kind)
		}
		seen[e.kind] = true
		if e.kind.isCounter() {
			if p.counter != kindLit {
				return refuse("two_counters", "it has two counter tokens, %v and %v; use exactly one", p.counter, e.kind)
			}
			p.counter = e.kind
		}
	}
	if p.counter == kindLit {
		return refuse("no_counter", "it has no counter token; add one of {{nr}}, {{nr-y}}, {{nr-m}}, {{nr-w}} or {{nr-d}}")
	}
	p.isoYear = seen[kindWW]
	if err := checkPeriod(p.counter, seen); err != nil {
		return err
	}
	return p.checkSeparated()
}

// checkPeriod makes sure a resetting counter comes with the tokens that name
// its period, so that a number is never rendered twice.
func checkPeriod(counter kind, seen [numKinds]bool) *Error {
	year := seen[kindYY] || seen[kindYYYY]
	switch counter {
	case kindNrY:
		if !year {
			return refuse("period_y", "{{nr-y}} resets yearly, so the pattern must contain {{yy}} or {{yyyy}}")
		}
	case kindNrM:
		if !year || !seen[kindMM] {
			return refuse("period_m", "{{nr-m}} resets monthly, so the pattern must contain {{mm}} and {{yy}} or {{yyyy}}")
		}
	case kindNrW:
		if !year || !seen[kindWW] {
			return refuse("period_w", "{{nr-w}} resets weekly, so the pattern must contain {{ww}} and {{yy}} or {{yyyy}}")
		}
	case kindNrD:
		if !year || !seen[kindMM] || !seen[kindDD] {
			return refuse("period_d", "{{nr-d}} resets daily, so the pattern must contain {{dd}}, {{mm}} and {{yy}} or {{yyyy}}")
		}
	}
	return nil
}

// checkSeparated makes sure the digits of two numeric tokens, or of a
// numeric token and the literal text, never run together.
func (p *Pattern) checkSeparated() *Error {
	last := kindLit    // the previous numeric token, if any
	separated := true  // whether a non-digit literal followed it
	prevDigit := false // whether the previous element ends in a digit
	for _, e := range p.elems {
		switch {
		case e.kind == kindLit:
			if prevDigit && isDigit(e.lit[0]) {
				return refuse("digit_after", "%v is followed by the digit %q, so the number cannot be read back; put a separator such as '-' between them", last, e.lit[0])
			}
			if strings.IndexFunc(e.lit, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
				separated = true
			}
			prevDigit = isDigit(e.lit[len(e.lit)-1])
		case e.kind.isNumeric():
			if last != kindLit && !separated {
				return refuse("run_together", "%v and %v must be separated by literal text that is not all digits, such as '-', or the number cannot be read back", last, e.kind)
			}
			if prevDigit {
				return refuse("digit_before", "%v follows a digit, so the number cannot be read back; put a separator such as '-' between them", e.kind)
			}
			last, separated, prevDigit = e.kind, false, true
		default: // {{desk}}
			prevDigit = false
		}
	}
	return nil
}

// String returns the pattern as it was parsed.
func (p Pattern) String() string {
	return p.src
}

func isDigit(c byte) bool {
	return '0' <= c && c <= '9'
}
