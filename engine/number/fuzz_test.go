package number

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse does not panic and that every number of a
// pattern it accepts reads back: Format, then Match, gives the same text.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, pattern string, n uint64, unix int64, desk string) {
		p, err := Parse(pattern)
		if err != nil {
			return
		}
		if _, err := Parse(p.String()); err != nil {
			t.Fatalf("Parse(%q).String() does not parse: %v", pattern, err)
		}
		at := time.Unix(unix, 0).UTC()
		_ = p.CounterKey(at)
		s := p.Format(n, at, desk)
		got, ok := p.Match(s, desk)
		if !ok || got != s {
			t.Fatalf("Match(%q, %q): got %q %v, want %q true", s, desk, got, ok, s)
		}
		if forms := p.Forms(s, desk); len(forms) == 0 || forms[0] != s {
			t.Fatalf("Forms(%q, %q): got %v, want %q first", s, desk, forms, s)
		}
		if strings.ContainsAny(s, "[]") {
			return // the desk code has a bracket
		}
		if got := p.FindInSubject("Re: ["+s+"] x", desk); !slices.Equal(got, []string{s}) {
			t.Fatalf("FindInSubject of %q: got %v, want %v", s, got, []string{s})
		}
	})
}

// FuzzFindInSubject checks that FindInSubject does not panic and that every
// number it returns is a canonical number of the pattern, once.
func FuzzFindInSubject(f *testing.F) {
	patterns := roundTripPatterns()
	f.Fuzz(func(t *testing.T, which uint8, subject, desk string) {
		p := mustParse(t, patterns[int(which)%len(patterns)])
		got := p.FindInSubject(subject, desk)
		if len(got) > maxFinds {
			t.Fatalf("got %v numbers, want at most %v", len(got), maxFinds)
		}
		for i, s := range got {
			if c, ok := p.Match(s, desk); !ok || c != s {
				t.Fatalf("Match(%q): got %q %v, want %q true", s, c, ok, s)
			}
			if slices.Contains(got[:i], s) {
				t.Fatalf("got %v, want no duplicates", got)
			}
		}
	})
}
