package lang

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTableStart and foldTableEnd bound the runes whose folded form is
// precomputed: Latin-1 Supplement, Latin Extended-A and Extended-B, which
// cover every letter of Polish, Czech and the other languages written in
// the Latin alphabet.
const (
	foldTableStart = 0x80
	foldTableEnd   = 0x250
)

// foldTable holds the folded form of each rune in [foldTableStart,
// foldTableEnd). It is filled once, by init, and only read afterwards.
var foldTable [foldTableEnd - foldTableStart]string

// foldSpecial lists letters that carry a diacritic-like stroke or are
// ligatures, and so have no canonical decomposition: NFD leaves them whole.
var foldSpecial = map[rune]string{
	'ł': "l", 'Ł': "L",
	'đ': "d", 'Đ': "D",
	'ð': "d", 'Ð': "D",
	'ø': "o", 'Ø': "O",
	'ħ': "h", 'Ħ': "H",
	'ŧ': "t", 'Ŧ': "T",
	'ı': "i",
	'ŀ': "l", 'Ŀ': "L",
	'ƀ': "b", 'Ƀ': "B",
	'ß': "ss",
	'æ': "ae", 'Æ': "AE",
	'œ': "oe", 'Œ': "OE",
	'þ': "th", 'Þ': "TH",
}

func init() {
	for r := rune(foldTableStart); r < foldTableEnd; r++ {
		foldTable[r-foldTableStart] = foldSlow(r)
	}
}

// foldSlow folds one rune by decomposing it and dropping the combining
// marks; it is used to fill foldTable and for runes outside it.
func foldSlow(r rune) string {
	if s, ok := foldSpecial[r]; ok {
		return s
	}
	if unicode.Is(unicode.Mn, r) {
		return ""
	}
	var buf [utf8.UTFMax]byte
	d := norm.NFD.Bytes(buf[:utf8.EncodeRune(buf[:], r)])
	var b strings.Builder
	for len(d) > 0 {
		c, size := utf8.DecodeRune(d)
		d = d[size:]
		if !unicode.Is(unicode.Mn, c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// foldRune returns the folded form of a non-ASCII rune.
func foldRune(r rune) string {
	if r >= foldTableStart && r < foldTableEnd {
		return foldTable[r-foldTableStart]
	}
	return foldSlow(r)
}

// Fold removes diacritics from s: accents, carons, ogoneks and dots are
// dropped (á→a, ř→r, ą→a, ż→z), letters with a stroke lose it (ł→l, đ→d,
// ø→o) and a few ligatures are spelt out (ß→ss, æ→ae). Case is kept.
// Pure ASCII input is returned as is, without allocating.
func Fold(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
			continue
		}
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
