package number

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	// maxCounterDigits is the length of the largest uint64.
	maxCounterDigits = 20
	// maxFinds caps the numbers FindInSubject returns.
	maxFinds = 16
)

// reading is a number read back with its pattern.
type reading struct {
	canonical string
	first     int // offset in canonical of the first numeric token
	counter   string
}

// Match reports whether s is a full number of this pattern for the desk with
// code deskCode, comparing letters case-insensitively, and returns it in
// canonical form: the pattern's literal text and deskCode as given, with the
// digits of s.
func (p Pattern) Match(s, deskCode string) (canonical string, ok bool) {
	r, ok := p.read(s, deskCode)
	return r.canonical, ok
}

// FindInSubject returns the numbers of this pattern written in square
// brackets in subject, such as "SUP-26-02-1" in "Re: [SUP-26-02-1] printer",
// in canonical form, in order and without duplicates. Only a whole bracketed
// text counts, so "[PATCH 1/3]" and "[ref TK-1]" yield nothing. The work is
// linear in len(subject) and at most 16 numbers are returned.
func (p Pattern) FindInSubject(subject, deskCode string) []string {
	if len(p.elems) == 0 {
		return nil
	}
	limit := p.maxLen(deskCode)
	var out []string
	for i := 0; i < len(subject) && len(out) < maxFinds; {
		j := strings.IndexByte(subject[i:], '[')
		if j < 0 {
			break
		}
		start := i + j + 1
		end := min(len(subject), start+limit+1)
		k := strings.IndexAny(subject[start:end], "[]")
		if k < 0 {
			// No bracket in reach: the text after '[' is too long to be
			// a number, and any later '[' is at or after end.
			i = end
			continue
		}
		if subject[start+k] == '[' {
			i = start + k
			continue
		}
		i = start + k + 1
		if c, ok := p.Match(subject[start:start+k], deskCode); ok && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Forms returns the forms a user may type to find number, a number of this
// pattern for the desk with code deskCode: the full number, the number from
// its first numeric token on (without the leading literal prefix and desk
// code, "26-02-1" for "SUP-26-02-1") and the bare counter ("1"), without
// duplicates, the full number first. A number this pattern does not match,
// such as one made before the desk changed its pattern, yields itself and
// itself without its leading run of non-digits.
func (p Pattern) Forms(number, deskCode string) []string {
	if number == "" {
		return nil
	}
	forms := []string{number}
	add := func(f string) {
		if f != "" && !contains(forms, f) {
			forms = append(forms, f)
		}
	}
	r, ok := p.read(number, deskCode)
	if !ok {
		add(strings.TrimLeftFunc(number, func(c rune) bool { return c < '0' || c > '9' }))
		return forms
	}
	forms[0] = r.canonical
	add(r.canonical[r.first:])
	add(r.counter)
	return forms
}

// maxLen bounds the length in bytes of a number of p for deskCode, allowing
// letters of a different case to take up to utf8.UTFMax bytes.
func (p Pattern) maxLen(deskCode string) int {
	n := 0
	for _, e := range p.elems {
		switch {
		case e.kind == kindLit:
			n += utf8.UTFMax * utf8.RuneCountInString(e.lit)
		case e.kind == kindDesk:
			n += utf8.UTFMax * len(deskCode)
		case e.kind.isCounter():
			n += maxCounterDigits
		default:
			n += e.kind.width()
		}
	}
	return n
}

// read parses s as a number of p. Only the counter has a variable width, so
// the elements before it are read from the front of s and those after it
// from the back; what remains is the counter.
func (p Pattern) read(s, deskCode string) (reading, bool) {
	if len(p.elems) == 0 || len(s) > p.maxLen(deskCode) {
		return reading{}, false
	}
	ci := 0
	for ci < len(p.elems) && !p.elems[ci].kind.isCounter() {
		ci++
	}
	var digits [numKinds]string
	rest, ok := s, true
	for _, e := range p.elems[:ci] {
		if rest, ok = cutElem(rest, e, deskCode, &digits, false); !ok {
			return reading{}, false
		}
	}
	for i := len(p.elems) - 1; i > ci; i-- {
		if rest, ok = cutElem(rest, p.elems[i], deskCode, &digits, true); !ok {
			return reading{}, false
		}
	}
	if !validCounter(rest) {
		return reading{}, false
	}
	digits[p.counter] = rest
	if !p.validDate(&digits) {
		return reading{}, false
	}
	return p.build(&digits, deskCode), true
}

// cutElem removes element e from the front of s, or from the back if back is
// set, recording the digits of a date token in digits.
func cutElem(s string, e elem, deskCode string, digits *[numKinds]string, back bool) (string, bool) {
	switch e.kind {
	case kindLit:
		return cutFold(s, e.lit, back)
	case kindDesk:
		return cutFold(s, deskCode, back)
	}
	w := e.kind.width()
	if len(s) < w {
		return "", false
	}
	d, rest := s[:w], s[w:]
	if back {
		d, rest = s[len(s)-w:], s[:len(s)-w]
	}
	if !allDigits(d) {
		return "", false
	}
	digits[e.kind] = d
	return rest, true
}

// build renders the canonical form of a number read into digits.
func (p Pattern) build(digits *[numKinds]string, deskCode string) reading {
	var b strings.Builder
	r := reading{first: -1, counter: digits[p.counter]}
	for _, e := range p.elems {
		switch {
		case e.kind == kindLit:
			b.WriteString(e.lit)
		case e.kind == kindDesk:
			b.WriteString(deskCode)
		default:
			if r.first < 0 {
				r.first = b.Len()
			}
			b.WriteString(digits[e.kind])
		}
	}
	r.canonical = b.String()
	return r
}

// validCounter reports whether s is a counter as Format renders it: decimal
// digits without leading zeros that fit a uint64.
func validCounter(s string) bool {
	if s == "" || len(s) > maxCounterDigits || !allDigits(s) || (s[0] == '0' && len(s) > 1) {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// validDate reports whether the date tokens read into digits can have been
// rendered by p.
func (p Pattern) validDate(digits *[numKinds]string) bool {
	field := func(k kind) int {
		v, _ := strconv.Atoi(digits[k])
		return v
	}
	has := func(k kind) bool { return digits[k] != "" }
	if has(kindMM) && (field(kindMM) < 1 || field(kindMM) > 12) {
		return false
	}
	if has(kindDD) && (field(kindDD) < 1 || field(kindDD) > 31) {
		return false
	}
	if has(kindWW) && (field(kindWW) < 1 || field(kindWW) > 53) {
		return false
	}
	if has(kindYY) && has(kindYYYY) && field(kindYYYY)%100 != field(kindYY) {
		return false
	}
	// Years are rendered modulo 10000, a whole number of 400-year
	// Gregorian cycles, so leap years and 53-week ISO years stay right.
	if has(kindYYYY) && has(kindWW) && field(kindWW) == 53 {
		if _, w := time.Date(field(kindYYYY), 12, 28, 0, 0, 0, 0, time.UTC).ISOWeek(); w != 53 {
			return false
		}
	}
	if has(kindMM) && has(kindDD) {
		// February's calendar year is its ISO year too; without a 4-digit
		// year, 29 February is allowed.
		y := 2000
		if has(kindYYYY) {
			y = field(kindYYYY)
		}
		last := time.Date(y, time.Month(field(kindMM))+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if field(kindDD) > last {
			return false
		}
	}
	return true
}

// cutFold removes lit from the front (or back) of s, comparing letters with
// simple Unicode case folding. Bytes that are not valid UTF-8 must be equal.
func cutFold(s, lit string, back bool) (string, bool) {
	if !back && strings.HasPrefix(s, lit) {
		return s[len(lit):], true
	}
	if back && strings.HasSuffix(s, lit) {
		return s[:len(s)-len(lit)], true
	}
	decode := utf8.DecodeRuneInString
	if back {
		decode = utf8.DecodeLastRuneInString
	}
	for lit != "" {
		r1, n1 := decode(lit)
		r2, n2 := decode(s)
		if n2 == 0 || (r1 == utf8.RuneError && n1 == 1) || (r2 == utf8.RuneError && n2 == 1) {
			return "", false
		}
		if !equalFold(r1, r2) {
			return "", false
		}
		if back {
			lit, s = lit[:len(lit)-n1], s[:len(s)-n2]
		} else {
			lit, s = lit[n1:], s[n2:]
		}
	}
	return s, true
}

// equalFold reports whether a and b are equal under simple Unicode case
// folding.
func equalFold(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
