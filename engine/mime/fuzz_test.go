package mime

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks what must hold for any input (REL-07, XSS-01, XSS-10):
// no panic (a recovered one shows as a "parser failure" error), text and
// subject valid UTF-8, no line breaks in header values, no script in HTML.
// Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, lim := range []Limits{{}, {MaxDepth: 3, MaxParts: 5, MaxHeaderFields: 8, MaxHTMLBytes: 64, MaxDecodedBytes: 256}} {
			m, err := Parse(raw, lim)
			if err != nil && !errors.Is(err, ErrNotMail) {
				t.Fatalf("Parse: %v", err)
			}
			if m == nil {
				t.Fatal("nil message")
			}
			if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.HTML) {
				t.Fatalf("invalid UTF-8: text %q subject %q", m.Text, m.Subject)
			}
			if strings.Contains(strings.ToLower(m.HTML), "<script") {
				t.Fatalf("script in HTML: %q", m.HTML)
			}
			for _, h := range m.Header {
				if strings.ContainsAny(h.Value, "\r\n") || !utf8.ValidString(h.Value) {
					t.Fatalf("header %s: %q", h.Name, h.Value)
				}
			}
			for _, a := range m.Attachments {
				if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") {
					t.Fatalf("attachment name %q", a.Name)
				}
			}
			if len(m.Attachments) > lim.withDefaults().MaxParts+1 {
				t.Fatalf("%d attachments over MaxParts %d", len(m.Attachments), lim.withDefaults().MaxParts)
			}
		}
	})
}

// FuzzNormalizeBody checks that normalizing twice changes nothing.
func FuzzNormalizeBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeBody(s)
		if again := NormalizeBody(n); again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, again)
		}
		if strings.Contains(n, "\r") || strings.HasSuffix(n, "\n") {
			t.Fatalf("%q -> %q", s, n)
		}
	})
}
