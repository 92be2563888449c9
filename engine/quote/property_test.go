package quote

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// nonBlank returns the lines of s that are not blank.
func nonBlank(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

// isSubsequence reports whether sub appears in seq in order.
func isSubsequence(sub, seq []string) bool {
	j := 0
	for _, s := range seq {
		if j < len(sub) && sub[j] == s {
			j++
		}
	}
	return j == len(sub)
}

// checkLines fails t unless the non-blank lines of the parts are, as a
// multiset, the non-blank lines of text, each part keeps the order of
// text, and no part starts or ends with a blank line.
func checkLines(t testing.TB, text string, p Parts) {
	t.Helper()
	in := nonBlank(text)
	count := map[string]int{}
	for _, line := range in {
		count[line]++
	}
	for _, part := range []struct{ name, text string }{
		{"New", p.New}, {"Quoted", p.Quoted}, {"Signature", p.Signature},
	} {
		lines := nonBlank(part.text)
		if !isSubsequence(lines, in) {
			t.Errorf("%s is not in input order:\ninput: %q\n%s: %q", part.name, text, part.name, part.text)
		}
		for _, line := range lines {
			count[line]--
		}
		if part.text != "" {
			all := strings.Split(part.text, "\n")
			if strings.TrimSpace(all[0]) == "" || strings.TrimSpace(all[len(all)-1]) == "" {
				t.Errorf("%s starts or ends with a blank line: %q", part.name, part.text)
			}
		}
	}
	for line, n := range count {
		switch {
		case n > 0:
			t.Errorf("line %q lost (%d times); input %q, parts %+v", line, n, text, p)
		case n < 0:
			t.Errorf("line %q duplicated (%d extra); input %q, parts %+v", line, -n, text, p)
		}
	}
}

// fragments are lines messages are made of: plain text, quotes at several
// depths and in odd shapes, attributions, separators, header fields,
// signature delimiters and sign-offs, forward markers, look-alikes and
// white space.
var fragments = []string{
	"Hello,", "The printer on floor 2 still does not print.", "Thanks, Jan", "", " ", "\t",
	"> quoted line", ">> deeper", "> > spaced", "   > indented", ">", ">From the start", ">>> import os",
	"... continued", "On Mon, 5 Jan 2026 at 10:00, Jan Kowalski <jan@example.com> wrote:",
	"On Mon, Jan 5, 2026 at 10:00 AM Jan Kowalski <", "jan@example.com> wrote:", "wrote:",
	"Am 05.01.2026 um 10:00 schrieb Jan Müller <jan@example.de>:", "Le 5 janv. 2026 à 10:00, Jan a écrit :",
	"W dniu 5.01.2026 o 10:00, Jan Kowalski pisze:", "Dne 5. 1. 2026 v 10:00 Jan Novák napsal(a):",
	"Jan wrote:", "-----Original Message-----", "----- Original Message -----",
	"________________________________", "From: Jan Kowalski <jan@example.com>", "Sent: Monday, January 5, 2026 10:00 AM",
	"To: support@example.com", "Subject: RE: printer", "Od: Jan", "Wysłano: poniedziałek", "Temat: drukarka",
	"Odesláno: pondělí", "Komu: podpora", "Předmět: tiskárna", "-- ", "--", "---", "Sent from my iPhone",
	"Wysłane z iPhone'a", "Odesláno z iPhonu", "Get Outlook for Android",
	"---------- Forwarded message ---------", "Begin forwarded message:", "Date: Mon, 5 Jan 2026",
	"Regards,", "\u00a0", "żółć", "\r", "x\r", "\xff\xfe", "：", "a écrit :", "On", "<", "@ 10:00 wrote:",
}

// randomText builds a message of n lines drawn from fragments and from
// random bytes.
func randomText(r *rand.Rand, n int) string {
	lines := make([]string, n)
	for i := range lines {
		if r.IntN(8) == 0 {
			b := make([]byte, r.IntN(12))
			const alphabet = " >-_:\n\t@<a\xc3"
			for j := range b {
				b[j] = alphabet[r.IntN(len(alphabet))]
			}
			lines[i] = string(b)
			continue
		}
		lines[i] = fragments[r.IntN(len(fragments))]
	}
	return strings.Join(lines, "\n")
}

// TestSplitKeepsLinesRandom checks the line-preservation property on random
// messages built from mail-like fragments.
func TestSplitKeepsLinesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		text := randomText(r, r.IntN(40))
		checkLines(t, text, Split(text))
		if t.Failed() {
			t.Fatalf("case %d", i)
		}
	}
}

// TestSplitKeepsLinesRealistic checks the property on the table's messages
// and on messages glued together from them, which puts markers, quotes and
// signatures in every order.
func TestSplitKeepsLinesRealistic(t *testing.T) {
	var texts []string
	for _, tc := range splitCases {
		texts = append(texts, tc.text)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 500; i++ {
		k := 1 + r.IntN(4)
		var parts []string
		for j := 0; j < k; j++ {
			parts = append(parts, texts[r.IntN(len(texts))])
		}
		texts = append(texts, strings.Join(parts, "\n"))
	}
	for i, text := range texts {
		checkLines(t, text, Split(text))
		if t.Failed() {
			t.Fatalf("case %d", i)
		}
	}
}

// TestCheckLinesCatchesLoss makes sure the property check itself fails on
// lost, duplicated and reordered lines.
func TestCheckLinesCatchesLoss(t *testing.T) {
	text := "a\nb\n\nc"
	for _, bad := range []Parts{
		{New: "a\nb"},                 // lost c
		{New: "a\nb\nc", Quoted: "c"}, // duplicated c
		{New: "b\na\nc"},              // reordered
		{New: "a\nb\nc\n"},            // trailing blank line
	} {
		ft := &fakeT{}
		checkLines(ft, text, bad)
		if !ft.failed {
			t.Errorf("checkLines accepted %+v for %q", bad, text)
		}
	}
	ft := &fakeT{}
	checkLines(ft, text, Parts{New: "a\nb", Signature: "c"})
	if ft.failed {
		t.Errorf("checkLines rejected a good split")
	}
}

// fakeT records failures instead of reporting them.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
