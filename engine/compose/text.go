package compose

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineBreak reports whether r ends a line somewhere: CR, LF, NEL and the
// Unicode line and paragraph separators.
func lineBreak(r rune) bool {
	return r == '\r' || r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// oneLine turns s into one line of valid UTF-8: every control character and
// line break becomes a space, runs of spaces collapse to one, and the ends
// are trimmed (MAIL-07 in docs/security.md).
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := true // drops leading spaces
	for _, r := range s {
		if unicode.IsControl(r) || lineBreak(r) {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}

// cleanLines returns s as valid UTF-8 with "\n" line ends: CR LF, CR and
// the Unicode separators become "\n", other control characters except tab
// become spaces, and trailing spaces are trimmed from every line.
func cleanLines(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case lineBreak(r):
			r = '\n'
		case r != '\t' && unicode.IsControl(r):
			r = ' '
		}
		b.WriteRune(r)
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// clip cuts s to at most n bytes at a rune boundary, ending it with "…"
// when something was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
