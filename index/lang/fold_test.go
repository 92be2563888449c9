package lang

import "testing"

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"zgłoszenie", "zgloszenie"},
		{"přihlášení", "prihlaseni"},
		{"Łódź", "Lodz"},
		{"ŻÓŁĆ", "ZOLC"},
		{"účtů", "uctu"},
		{"ďábelská ťava ňadra", "dabelska tava nadra"},
		{"straße", "strasse"},
		{"café", "cafe"},
		{"e\u0301", "e"}, // decomposed input: the combining acute is dropped
		{"đakovo", "dakovo"},
		{"plain ascii 123", "plain ascii 123"},
		{"", ""},
		{"日本", "日本"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFoldASCIIDoesNotAllocate(t *testing.T) {
	s := "printer paper jam"
	if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
		t.Errorf("Fold of ASCII text allocates %v times", n)
	}
}
