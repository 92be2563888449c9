package subject

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want string
	}{
		// Plain subjects.
		{name: "plain", s: "Printer jammed", want: "printer jammed"},
		{name: "empty", s: "", want: ""},
		{name: "blank", s: " \t\r\n ", want: ""},
		{name: "white space", s: "  Printer \t\n  jammed\u00a0 again\u3000", want: "printer jammed again"},

		// Every prefix, in mixed case.
		{name: "Re", s: "Re: printer", want: "printer"},
		{name: "RE", s: "RE: printer", want: "printer"},
		{name: "re", s: "re: printer", want: "printer"},
		{name: "rE", s: "rE: printer", want: "printer"},
		{name: "Fwd", s: "Fwd: printer", want: "printer"},
		{name: "FWD", s: "FWD: printer", want: "printer"},
		{name: "FW", s: "FW: printer", want: "printer"},
		{name: "Fw", s: "Fw: printer", want: "printer"},
		{name: "Odp", s: "Odp: drukarka", want: "drukarka"},
		{name: "ODP", s: "ODP: drukarka", want: "drukarka"},
		{name: "PD", s: "PD: drukarka", want: "drukarka"},
		{name: "Pd", s: "Pd: drukarka", want: "drukarka"},
		{name: "AW", s: "AW: Drucker", want: "drucker"},
		{name: "Aw", s: "Aw: Drucker", want: "drucker"},
		{name: "Antwort", s: "Antwort: Drucker", want: "drucker"},
		{name: "WG", s: "WG: Drucker", want: "drucker"},
		{name: "SV", s: "SV: skrivare", want: "skrivare"},
		{name: "VS", s: "VS: skriver", want: "skriver"},
		{name: "VB", s: "VB: skrivare", want: "skrivare"},
		{name: "VL", s: "VL: tulostin", want: "tulostin"},
		{name: "Antw", s: "Antw: printer", want: "printer"},
		{name: "Doorst", s: "Doorst: printer", want: "printer"},
		{name: "Rif", s: "Rif: stampante", want: "stampante"},
		{name: "R", s: "R: stampante", want: "stampante"},
		{name: "I", s: "I: stampante", want: "stampante"},
		{name: "Vá", s: "Vá: nyomtató", want: "nyomtató"},
		{name: "VÁ decomposed", s: "VA\u0301: nyomtató", want: "nyomtató"},
		{name: "Továbbítás", s: "Továbbítás: nyomtató", want: "nyomtató"},
		{name: "Ynt", s: "Ynt: yazıcı", want: "yazıcı"},
		{name: "İLT", s: "İLT: yazıcı", want: "yazıcı"},
		{name: "Tr", s: "TR: imprimante", want: "imprimante"},
		{name: "Tr with space", s: "TR : imprimante", want: "imprimante"},
		{name: "Réf", s: "Réf. : imprimante", want: "imprimante"},
		{name: "RÉF", s: "RÉF: imprimante", want: "imprimante"},
		{name: "Ref", s: "Ref: imprimante", want: "imprimante"},
		{name: "Res", s: "RES: impressora", want: "impressora"},
		{name: "Enc", s: "ENC: impressora", want: "impressora"},
		{name: "RV", s: "RV: impresora", want: "impresora"},
		{name: "Přeposlat", s: "Přeposlat: tiskárna", want: "tiskárna"},
		{name: "PŘ", s: "PŘ: tiskárna", want: "tiskárna"},
		{name: "Greek", s: "ΑΠ: ΣΧΕΤ: ΠΡΘ: εκτυπωτής", want: "εκτυπωτής"},
		{name: "Korean", s: "회신: 전달: 프린터", want: "프린터"},
		{name: "Hebrew", s: "השב: מדפסת", want: "מדפסת"},

		// Chinese and the full-width colon.
		{name: "回复", s: "回复：打印机", want: "打印机"},
		{name: "答复", s: "答复: 打印机", want: "打印机"},
		{name: "转发", s: "转发：打印机", want: "打印机"},
		{name: "回覆 and 轉寄", s: "回覆：轉寄：印表機", want: "印表機"},
		{name: "full-width colon", s: "Re：printer", want: "printer"},
		{name: "full-width colon with space", s: "AW ： Drucker", want: "drucker"},

		// Repeated prefixes and counters.
		{name: "repeated", s: "Re: RE: Fwd: AW: WG: printer", want: "printer"},
		{name: "no spaces", s: "Re:Re:Fwd:printer", want: "printer"},
		{name: "counter brackets", s: "Re[2]: printer", want: "printer"},
		{name: "counter caret", s: "Re^2: printer", want: "printer"},
		{name: "counter parens", s: "RE (2): printer", want: "printer"},
		{name: "counter spaced", s: "Re [12] : printer", want: "printer"},
		{name: "counter not a number", s: "Re[x]: printer", want: "re[x]: printer"},
		{name: "counter too long", s: "Re[1234567]: printer", want: "re[1234567]: printer"},
		{name: "counter on one letter", s: "R[2]: stampante", want: "r[2]: stampante"},

		// Tags.
		{name: "list tag first", s: "[Twisted-web] Re: Re: foo", want: "foo"},
		{name: "list tag after prefix", s: "Re: [Twisted-web] foo", want: "foo"},
		{name: "tags between prefixes", s: "Re: [list] AW: [SUP-26-02-1] Fwd: foo", want: "foo"},
		{name: "ticket tag", s: "[SUP-26-02-1] Printer", want: "printer"},
		{name: "ticket tag after reply", s: "RE: [SUP-26-02-1] Printer", want: "printer"},
		{name: "patch tag", s: "[PATCH v2 1/3] mm: fix leak", want: "mm: fix leak"},
		{name: "tag without space", s: "[list]foo", want: "foo"},
		{name: "tag only", s: "[PATCH]", want: "[patch]"},
		{name: "reply to tag only", s: "Re: [PATCH]", want: "[patch]"},
		{name: "last tag kept", s: "[a] [b]", want: "[b]"},
		{name: "tag at the end", s: "Printer [SUP-26-02-1]", want: "printer [sup-26-02-1]"},
		{name: "tag in the middle", s: "Printer [urgent] jammed", want: "printer [urgent] jammed"},
		{name: "nested tag", s: "[a [b]] foo", want: "[a [b]] foo"},
		{name: "unclosed tag", s: "[foo bar", want: "[foo bar"},
		{name: "long tag", s: "[" + strings.Repeat("x", 65) + "] foo", want: "[" + strings.Repeat("x", 65) + "] foo"},
		{name: "tag of 64", s: "[" + strings.Repeat("ż", 64) + "] foo", want: "foo"},

		// Nothing left.
		{name: "prefix only", s: "Re:", want: "re:"},
		{name: "prefixes only", s: " RE:  Fwd: ", want: "re: fwd:"},

		// Not prefixes.
		{name: "Reboot", s: "Reboot: server down", want: "reboot: server down"},
		{name: "Idea", s: "Idea: new printer", want: "idea: new printer"},
		{name: "Ireland", s: "Ireland trip", want: "ireland trip"},
		{name: "FWIW", s: "FWIW: it works", want: "fwiw: it works"},
		{name: "Research", s: "Research: results", want: "research: results"},
		{name: "Re without colon", s: "Re printer", want: "re printer"},
		{name: "R with space", s: "R : stampante", want: "r : stampante"},
		{name: "I with space", s: "I : need help", want: "i : need help"},
		{name: "prefix later", s: "printer Re: jammed", want: "printer re: jammed"},
		{name: "re with digit", s: "Re2: printer", want: "re2: printer"},
		{name: "dash", s: "Re- printer", want: "re- printer"},
		{name: "FS is not a prefix", s: "FS: bike", want: "fs: bike"},

		// Case folding and bad bytes.
		{name: "unicode case", s: "ZGŁOSZENIE Ółtą", want: "zgłoszenie ółtą"},
		{name: "invalid utf-8", s: "Re: a\xffb", want: "a\ufffdb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.s); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIsReplyIsForward(t *testing.T) {
	tests := []struct {
		name        string
		s           string
		wantReply   bool
		wantForward bool
	}{
		{name: "plain", s: "printer"},
		{name: "Re", s: "Re: printer", wantReply: true},
		{name: "RE counter", s: "RE[3]: printer", wantReply: true},
		{name: "AW", s: "aw: printer", wantReply: true},
		{name: "Odp", s: "Odp: printer", wantReply: true},
		{name: "SV", s: "SV: printer", wantReply: true},
		{name: "R", s: "R: printer", wantReply: true},
		{name: "回复", s: "回复：打印机", wantReply: true},
		{name: "答复", s: "答复: 打印机", wantReply: true},
		{name: "Fwd", s: "Fwd: printer", wantForward: true},
		{name: "FW", s: "FW: printer", wantForward: true},
		{name: "PD", s: "PD: printer", wantForward: true},
		{name: "WG", s: "WG: printer", wantForward: true},
		{name: "Tr", s: "Tr: printer", wantForward: true},
		{name: "Doorst", s: "Doorst: printer", wantForward: true},
		{name: "Přeposlat", s: "Přeposlat: printer", wantForward: true},
		{name: "转发", s: "转发：打印机", wantForward: true},
		{name: "I", s: "I: stampante", wantForward: true},
		{name: "VS", s: "VS: printer", wantForward: true},
		{name: "list tag then reply", s: "[Twisted-web] Re: foo", wantReply: true},
		{name: "tags then forward", s: "[a] [b] Fwd: foo", wantForward: true},
		{name: "reply of forward", s: "Re: Fwd: foo", wantReply: true},
		{name: "forward of reply", s: "Fwd: Re: foo", wantForward: true},
		{name: "prefix only", s: "Re:", wantReply: true},
		{name: "Reboot", s: "Reboot: foo"},
		{name: "FWIW", s: "FWIW: foo"},
		{name: "Idea", s: "Idea: foo"},
		{name: "later", s: "foo Re: bar"},
		{name: "text then tag", s: "foo [x] Re: bar"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsReply(tc.s); got != tc.wantReply {
				t.Errorf("IsReply: got %v, want %v", got, tc.wantReply)
			}
			if got := IsForward(tc.s); got != tc.wantForward {
				t.Errorf("IsForward: got %v, want %v", got, tc.wantForward)
			}
		})
	}
}

// TestIdempotent checks Normalize(Normalize(s)) == Normalize(s) on subjects
// built at random from prefixes, tags, words and white space.
func TestIdempotent(t *testing.T) {
	parts := []string{
		"Re:", "RE: ", "Fwd:", "FW :", "AW[2]:", "Re^3:", "RE (2):", "回复：", "转发:",
		"R:", "I:", "r :", "Réf. :", "[list]", "[SUP-26-02-1]", "[PATCH v2 1/3]",
		"[", "]", "[]", " ", "\t", "\u3000", "\u00a0", "printer", "Reboot:", "İ",
		"ẞ", "Σ", "ς", "\xff", "：", ":", "^", "(", ")", "2", "ż", "a\u0301",
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50000; i++ {
		var b strings.Builder
		for n := rng.IntN(10); n > 0; n-- {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		once := Normalize(s)
		if twice := Normalize(once); twice != once {
			t.Fatalf("Normalize(%q) = %q, Normalize of that = %q", s, once, twice)
		}
		if !utf8.ValidString(once) {
			t.Fatalf("Normalize(%q) = %q, not valid UTF-8", s, once)
		}
		if strings.TrimSpace(s) != "" && once == "" {
			t.Fatalf("Normalize(%q) is empty", s)
		}
	}
}

// TestLowerIdempotent guards an assumption of Normalize's idempotence.
func TestLowerIdempotent(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		l := unicode.ToLower(r)
		if got := unicode.ToLower(l); got != l {
			t.Fatalf("ToLower(ToLower(%U)): got %U, want %U", r, got, l)
		}
		if got := unicode.IsSpace(l); got != unicode.IsSpace(r) {
			t.Fatalf("IsSpace(ToLower(%U)): got %v, want %v", r, got, unicode.IsSpace(r))
		}
	}
}

// TestLinear checks that large hostile subjects take linear time: four
// times the input may take about four times as long, where quadratic work
// would take sixteen. Comparing two runs of the same machine, rather than
// a run with a fixed duration, holds on a busy machine too.
func TestLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: times large subjects")
	}
	cases := []struct {
		name, unit string
		n          int // repetitions of unit in the smaller input
		tail       string
	}{
		{"reply prefixes", "Re: ", 50000, ""},
		{"open brackets", "[", 200000, ""},
		{"tags", "[x] ", 50000, ""},
		{"counters without end", "Re[", 60000, ""},
		{"one long word", "a", 200000, ""},
		{"mixed", "Re[2]: [list] ", 15000, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			small := strings.Repeat(tc.unit, tc.n) + tc.tail
			large := strings.Repeat(tc.unit, 4*tc.n) + tc.tail
			ts, tl := fastest(small), fastest(large)
			if ratio := float64(tl) / float64(max(ts, time.Microsecond)); ratio > 10 {
				t.Errorf("got %v for %d bytes and %v for %d (%.1f times), want about 4 times", ts, len(small), tl, len(large), ratio)
			}
		})
	}
}

// fastest returns the shortest of a few runs of Normalize and IsReply on s,
// the one least disturbed by other work on the machine.
func fastest(s string) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 5 {
		start := time.Now()
		Normalize(s)
		IsReply(s)
		best = min(best, time.Since(start))
	}
	return best
}
