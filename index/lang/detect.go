package lang

import (
	"unicode"
	"unicode/utf8"
)

// Language codes returned by Detect and accepted by Mark.
const (
	English = "en"
	Polish  = "pl"
	Czech   = "cs"
)

// Weights of the evidence Detect counts. A letter that only one of the
// languages uses is strong evidence, but a single one can come from a name
// (Dvořák, Łukasz) in a message written in another language; a stop word
// is worth a little more than one such letter.
const (
	weightStrongLetter = 2
	weightWeakLetter   = 1
	weightStopWord     = 3
)

// maxStopWord is the longest stop word, in bytes; longer words are not
// looked up.
const maxStopWord = 16

// detector accumulates the evidence of one Detect call.
type detector struct {
	pl, cs, en int
	// stopPL, stopCS and stopEN count stop words alone, to break ties.
	stopPL, stopCS, stopEN int
	word                   [maxStopWord]byte
	n                      int  // bytes in word
	long                   bool // the current word is longer than word
}

// Detect guesses the language of a message: English, Polish or Czech
// (returned as "en", "pl" or "cs"). It weighs letters that only Polish or
// only Czech uses (ą ę ł ń ś ź ż ć against ě ř ů č š ž ť ď ň, with ó and
// á é í ý ú as weaker hints) and a few very common words of each language,
// which also catches text typed without diacritics. Without evidence it
// returns "en". It makes one pass over text and does not allocate.
func Detect(text string) string {
	var d detector
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z':
				d.add(c)
			case 'A' <= c && c <= 'Z':
				d.add(c + 'a' - 'A')
			default:
				d.endWord()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if !unicode.IsLetter(r) {
			d.endWord()
			continue
		}
		r = unicode.ToLower(r)
		d.letter(r)
		if d.n+utf8.RuneLen(r) <= maxStopWord {
			d.n += utf8.EncodeRune(d.word[d.n:], r)
		} else {
			d.long = true
		}
	}
	d.endWord()
	return d.verdict()
}

// add appends an ASCII letter to the current word.
func (d *detector) add(c byte) {
	if d.n < maxStopWord {
		d.word[d.n] = c
		d.n++
	} else {
		d.long = true
	}
}

// letter scores a lower-case non-ASCII letter.
func (d *detector) letter(r rune) {
	switch r {
	case 'ą', 'ę', 'ł', 'ń', 'ś', 'ź', 'ż', 'ć':
		d.pl += weightStrongLetter
	case 'ó':
		d.pl += weightWeakLetter
	case 'ě', 'ř', 'ů', 'č', 'š', 'ž', 'ť', 'ď', 'ň':
		d.cs += weightStrongLetter
	case 'á', 'é', 'í', 'ý', 'ú':
		d.cs += weightWeakLetter
	}
}

// endWord looks the finished word up among the stop words and starts a
// new one. Words that two of the languages share are left out: Polish and
// Czech "a", "na", "to", "jak", "ale", "moje", "my"; English "to" (also
// Polish and Czech), "we" (Polish "in") and "take" (Czech "také" typed
// without its accent).
func (d *detector) endWord() {
	if d.n == 0 {
		d.long = false
		return
	}
	if !d.long {
		switch string(d.word[:d.n]) {
		case "nie", "się", "sie", "jest", "że", "dla", "proszę", "prosze",
			"dzień", "dzien", "dobry", "w", "czy", "już", "juz", "jestem",
			"mam", "mój", "moj", "oraz", "bardzo", "został",
			"zostal", "zostało", "zostalo", "dziękuję", "dziekuje",
			"pozdrawiam", "witam", "można", "mozna", "tylko", "który",
			"ktory", "które", "ktore", "gdy", "jeszcze":
			d.pl += weightStopWord
			d.stopPL++
		case "je", "se", "že", "pro", "není", "neni", "prosím", "prosim",
			"dobrý", "den", "v", "jsem", "jsme", "jsou", "mám", "můj",
			"muj", "nebo", "také", "když", "kdyz", "který",
			"která", "které", "děkuji", "dekuji", "už", "uz", "pouze",
			"protože", "protoze", "ještě", "jeste", "dík", "díky", "diky":
			d.cs += weightStopWord
			d.stopCS++
		case "the", "and", "is", "please", "with", "of", "for", "you",
			"are", "have", "this", "that", "not", "can", "our", "your",
			"was", "be", "from", "thanks", "thank", "hello", "hi", "it",
			"will", "there", "when", "after", "but", "in":
			d.en += weightStopWord
			d.stopEN++
		}
	}
	d.n = 0
	d.long = false
}

// verdict picks the language with the highest score; ties between Polish
// and Czech go to the one with more stop words, and anything undecided to
// English.
func (d *detector) verdict() string {
	switch {
	case d.pl > d.cs && d.pl > d.en:
		return Polish
	case d.cs > d.pl && d.cs > d.en:
		return Czech
	case d.pl == d.cs && d.pl > d.en:
		if d.stopPL > d.stopCS {
			return Polish
		}
		if d.stopCS > d.stopPL {
			return Czech
		}
	}
	return English
}

// markerPrefix starts every language marker. Markers are made of ASCII
// letters only, so the unicode tokenizer keeps each one as a single token.
const markerPrefix = "sdlang"

// Mark prefixes text with the marker of lang ("sdlangpl " for Polish), a
// token that IndexAnalyzer consumes to pick the stemmer for the words that
// follow it. Text for an unknown lang is returned unchanged; its words'
// languages are then guessed one by one.
//
// The index side writes each message as Mark(Detect(text), text); several
// marked messages may be joined into one field value.
func Mark(lang, text string) string {
	switch lang {
	case English, Polish, Czech:
		return markerPrefix + lang + " " + text
	}
	return text
}

// markerLang returns the language of a marker token, or "" if term is not
// one.
func markerLang(term []byte) string {
	if len(term) != len(markerPrefix)+2 || string(term[:len(markerPrefix)]) != markerPrefix {
		return ""
	}
	switch l := string(term[len(markerPrefix):]); l {
	case English, Polish, Czech:
		return l
	}
	return ""
}
