package lang

import "testing"

// TestStemCzechParadigms checks that inflected forms of one word share a
// stem, and that the stems of different words differ.
func TestStemCzechParadigms(t *testing.T) {
	paradigms := []struct {
		lemma string
		forms []string
	}{
		{"přihlášení", []string{"přihlášením", "přihlášeních", "přihlášeními", "přihlášen"}},
		{"faktura", []string{"faktury", "faktuře", "fakturou", "fakturu", "faktur", "fakturám", "fakturách", "fakturami"}},
		{"heslo", []string{"hesla", "hesel", "heslem", "hesle", "heslům", "heslech", "hesly"}},
		{"účet", []string{"účtu", "účtem", "účty", "účtů", "účtech", "účtům"}},
		{"problém", []string{"problému", "problémy", "problémů", "problémem", "problémech"}},
		{"tiskárna", []string{"tiskárny", "tiskárně", "tiskárnou", "tiskáren", "tiskárnami"}},
		{"aplikace", []string{"aplikaci", "aplikací", "aplikacemi", "aplikacích", "aplikacím"}},
		{"uživatel", []string{"uživatele", "uživateli", "uživatelem", "uživatelů", "uživatelé", "uživatelích"}},
		{"zákazník", []string{"zákazníka", "zákazníkovi", "zákazníci", "zákazníků", "zákazníkem"}},
		{"nový", []string{"nová", "nové", "nového", "novému", "novým", "nových", "novými"}},
		{"klíč", []string{"klíče", "klíči", "klíčem", "klíčů"}},
		{"název", []string{"názvu", "názvem", "názvy", "názvů"}},
		{"chyba", []string{"chyby", "chybě", "chybou", "chybu", "chyb", "chybami"}},
		{"kniha", []string{"knihy", "knize", "knihou"}},
		{"český", []string{"česká", "českého", "čeští"}},
		{"systém", []string{"systému", "systémy", "systémem"}},
		{"nastavení", []string{"nastavením", "nastaveních"}},
	}
	for _, p := range paradigms {
		want := StemCzech(p.lemma)
		for _, f := range p.forms {
			if got := StemCzech(f); got != want {
				t.Errorf("StemCzech(%q) = %q, want %q (stem of %q)", f, got, want, p.lemma)
			}
		}
	}
	// The lemmas themselves must not collapse into one another.
	seen := map[string]string{}
	for _, p := range paradigms {
		s := StemCzech(p.lemma)
		if other, dup := seen[s]; dup {
			t.Errorf("%q and %q share the stem %q", p.lemma, other, s)
		}
		seen[s] = p.lemma
	}
}

// TestStemCzechExact pins a few stems, so that a change to the rules shows
// up even if it moves a whole paradigm consistently.
func TestStemCzechExact(t *testing.T) {
	for _, c := range []struct{ word, want string }{
		{"přihlášení", "přihlášn"},
		{"faktura", "faktur"},
		{"faktuře", "faktur"},
		{"heslo", "hesl"},
		{"hesel", "hesl"},
		{"účet", "účt"},
		{"účtem", "účt"},
		{"knize", "knih"},
		{"čeští", "česk"},
		{"aplikace", "aplikak"},
		{"fakt", "fakt"},
	} {
		if got := StemCzech(c.word); got != c.want {
			t.Errorf("StemCzech(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

// TestStemCzechWithoutDiacritics checks that a word typed without
// diacritics stems like the correct spelling, once both are folded.
func TestStemCzechWithoutDiacritics(t *testing.T) {
	for _, w := range []string{
		"přihlášení", "přihlášením", "faktuře", "fakturou", "účtem", "účtů",
		"problémech", "tiskárně", "uživatelé", "nového", "názvu", "chybě",
	} {
		if a, b := Fold(StemCzech(w)), StemCzech(Fold(w)); a != b {
			t.Errorf("%q: folded stem %q, stem of folded word %q", w, a, b)
		}
	}
}

// TestStemCzechShortWords checks that words of up to three letters are
// left alone, and that no ending leaves a stem shorter than three.
func TestStemCzechShortWords(t *testing.T) {
	for _, w := range []string{"je", "se", "až", "den", "pro", "mám", "ano", "oko", "a", ""} {
		if got := StemCzech(w); got != w {
			t.Errorf("StemCzech(%q) = %q, want it unchanged", w, got)
		}
	}
	for _, w := range []string{"data", "platy", "okno", "ruce", "dnes", "lidmi"} {
		if got := []rune(StemCzech(w)); len(got) < 3 {
			t.Errorf("StemCzech(%q) = %q, shorter than three letters", w, string(got))
		}
	}
}

// TestStemCzechKeepsDifferentWordsApart is the negative control: words
// that merely share a beginning must keep different stems.
func TestStemCzechKeepsDifferentWordsApart(t *testing.T) {
	for _, pair := range [][2]string{
		{"faktura", "fakt"},
		{"účet", "účel"},
		{"tiskárna", "tisk"},
		{"klíč", "klik"},
		{"problém", "program"},
	} {
		if a, b := StemCzech(pair[0]), StemCzech(pair[1]); a == b {
			t.Errorf("%q and %q both stem to %q", pair[0], pair[1], a)
		}
	}
}
