package quote

import (
	"strings"
	"testing"
)

// FuzzSplit checks that Split does not panic, keeps every non-blank line in
// exactly one part in input order, and that splitting the quoted part again
// finds nothing but quoted history in it.
func FuzzSplit(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p := Split(text)
		checkLines(t, text, p)
		if q := Split(p.Quoted); q.New != "" || q.Signature != "" {
			t.Errorf("Split(%q).Quoted = %q splits again into New %q, Signature %q",
				text, p.Quoted, q.New, q.Signature)
		}
		if strings.TrimSpace(text) == "" && p != (Parts{}) {
			t.Errorf("Split(%q) = %+v, want empty parts", text, p)
		}
	})
}
