package subject

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize checks that Normalize does not panic, is idempotent, returns
// valid UTF-8 (invalid bytes become U+FFFD) and returns the empty string
// only for blank subjects, and that IsReply and IsForward never both hold.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Fatalf("Normalize(%q) = %q, Normalize of that = %q", s, once, twice)
		}
		if !utf8.ValidString(once) {
			t.Fatalf("Normalize(%q) = %q, not valid UTF-8", s, once)
		}
		if once == "" && len(strings.Fields(s)) > 0 {
			t.Fatalf("Normalize(%q) is empty", s)
		}
		if IsReply(s) && IsForward(s) {
			t.Fatalf("%q is both a reply and a forward", s)
		}
	})
}
