package lang

import "unicode"

// The Czech stemmer is a light one, after the design Dolamic and Savoy
// published for Czech ("Indexing and stemming approaches for the Czech
// language", 2009): it removes inflectional endings only (case, number and
// the possessive adjective suffixes) and never derivational suffixes, so
// that the forms of one word meet while different words stay apart. On top
// of that design it
//
//   - matches endings regardless of diacritics, so that a word typed
//     without them (prihlasenim) loses the same ending as the correct
//     spelling (přihlášením);
//   - strips endings repeatedly while a long enough stem remains, so that a
//     nominative whose last letters look like an ending (problém, status)
//     reduces like its other forms (problému, statusu);
//   - drops the "fleeting e" of the last syllable (účet/účtu, hesel/heslo,
//     název/názvu);
//   - undoes palatalisation at the end of the stem: c→k (ruce/ruka),
//     z→h (knize/kniha), ř→r (faktuře/faktura), ť/ď/ň→t/d/n, and after
//     the ending -i/-í št→sk and čt→ck (čeští/český). Unlike the
//     original it keeps č, because stems ending in č are common in support
//     text (klíč, počítač, řidič) and rewriting če/či to k would split them
//     from their own nominative.
//
// The stems are index keys, not words: heslo becomes "hesl", konec "konk".

// czechMinStem is the shortest stem an ending may leave behind.
const czechMinStem = 3

// czechCaseEndings are the case and number endings of nouns and
// adjectives, spelt without diacritics: each matches the same ending with
// or without them (ům, um). They are listed longest first, so the first
// match is the longest.
var czechCaseEndings = []string{
	// five and four letters
	"atech", "etem", "atum",
	// three letters: -ech, -ich and the soft adjective endings
	"ech", "ich", "eho", "emi", "emu", "ete", "eti", "iho", "imi", "imu",
	// three letters: hard endings
	"ach", "ata", "aty", "ych", "ama", "ami", "ove", "ovi", "ymi",
	// two letters
	"em", "es", "im", "um", "at", "am", "os", "us", "ym", "mi", "ou",
	// one letter
	"a", "e", "i", "o", "u", "y",
}

// czechPossessiveEndings are the suffixes of possessive adjectives
// (Novákův, Petrov, matčin), removed from stems of at least
// czechMinPossessive letters.
var czechPossessiveEndings = []string{"ov", "uv", "in"}

const czechMinPossessive = 6

// StemCzech returns the light stem of a lower-cased Czech word, with or
// without diacritics. Words of three letters or fewer are returned as is.
func StemCzech(word string) string {
	r := []rune(word)
	if len(r) <= czechMinStem {
		return word
	}
	// Two or three passes suffice for every ending sequence the table can
	// produce (problémech → problém → probl); the bound keeps a pathological
	// input from being eaten away.
	for range 3 {
		var ok bool
		if r, ok = stripCzechEnding(r, czechCaseEndings, czechMinStem); !ok {
			break
		}
	}
	if len(r) >= czechMinPossessive {
		r, _ = stripCzechEnding(r, czechPossessiveEndings, czechMinStem+1)
	}
	r = dropFleetingE(r)
	r[len(r)-1] = depalataliseLast(r[len(r)-1])
	return string(r)
}

// stripCzechEnding removes the first (longest) ending of table that r ends
// with, provided at least minStem runes remain.
func stripCzechEnding(r []rune, table []string, minStem int) ([]rune, bool) {
	for _, suffix := range table {
		n := len(r) - len(suffix)
		if n < minStem || !hasFoldedSuffix(r, suffix) {
			continue
		}
		stem := r[:n]
		if suffix == "i" {
			stem = depalataliseCluster(stem)
		}
		return stem, true
	}
	return r, false
}

// hasFoldedSuffix reports whether r ends with the ASCII suffix once
// diacritics are ignored.
func hasFoldedSuffix(r []rune, suffix string) bool {
	if len(r) < len(suffix) {
		return false
	}
	tail := r[len(r)-len(suffix):]
	for i := range tail {
		if foldCzech(tail[i]) != rune(suffix[i]) {
			return false
		}
	}
	return true
}

// foldCzech strips the diacritics of the Czech letters; other runes are
// returned unchanged.
func foldCzech(r rune) rune {
	switch r {
	case 'á':
		return 'a'
	case 'é', 'ě':
		return 'e'
	case 'í':
		return 'i'
	case 'ó':
		return 'o'
	case 'ú', 'ů':
		return 'u'
	case 'ý':
		return 'y'
	case 'č':
		return 'c'
	case 'ď':
		return 'd'
	case 'ň':
		return 'n'
	case 'ř':
		return 'r'
	case 'š':
		return 's'
	case 'ť':
		return 't'
	case 'ž':
		return 'z'
	}
	return r
}

// depalataliseCluster restores the cluster that the plural ending -i/-í of
// adjectives turned into št or čt (čeští → česk like český, němečtí →
// německ like německý). Before other endings št and čt are part of the
// stem (účtem, účtech).
func depalataliseCluster(stem []rune) []rune {
	n := len(stem)
	if n >= 2 && stem[n-1] == 't' {
		switch stem[n-2] {
		case 'š':
			stem[n-2], stem[n-1] = 's', 'k'
		case 'č':
			stem[n-2], stem[n-1] = 'c', 'k'
		}
	}
	return stem
}

// depalataliseLast maps a stem's final consonant to the one it alternates
// with, so that both spellings give one stem.
func depalataliseLast(r rune) rune {
	switch r {
	case 'c':
		return 'k'
	case 'z':
		return 'h'
	case 'ř':
		return 'r'
	case 'ť':
		return 't'
	case 'ď':
		return 'd'
	case 'ň':
		return 'n'
	}
	return r
}

// dropFleetingE removes the e that Czech inserts into a final consonant
// cluster in some forms only (účet/účtu, hesel/heslo, tiskáren/tiskárna,
// název/názvu, konec/konce).
func dropFleetingE(r []rune) []rune {
	n := len(r)
	if n-1 < czechMinStem || r[n-2] != 'e' || !isConsonant(r[n-3]) {
		return r
	}
	switch r[n-1] {
	case 'c', 'k', 'l', 'n', 'ň', 'r', 't', 'ť', 'v':
		r[n-2] = r[n-1]
		return r[:n-1]
	}
	return r
}

// isConsonant reports whether r is a letter other than a (Czech) vowel.
func isConsonant(r rune) bool {
	switch foldCzech(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return false
	}
	return unicode.IsLetter(r)
}
