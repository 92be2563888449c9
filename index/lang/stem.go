package lang

import (
	"fmt"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/pl"
	"github.com/blevesearch/bleve/v2/registry"
)

// stemmers holds Bleve's English (snowball) and Polish (stempel) stemming
// filters. Both are stateless once built and safe for concurrent use.
type stemmers struct {
	en, pl analysis.TokenFilter
}

// loadStemmers builds the stemmers once per process: the Polish one
// decodes a stemming table of a few megabytes, which the index and query
// analyzers and Forms all share.
var loadStemmers = sync.OnceValues(func() (*stemmers, error) {
	cache := registry.NewCache()
	enFilter, err := cache.TokenFilterNamed(en.SnowballStemmerName)
	if err != nil {
		return nil, fmt.Errorf("lang: english stemmer: %w", err)
	}
	plFilter, err := cache.TokenFilterNamed(pl.SnowballStemmerName)
	if err != nil {
		return nil, fmt.Errorf("lang: polish stemmer: %w", err)
	}
	return &stemmers{en: enFilter, pl: plFilter}, nil
})

// stemmer stems single words with the shared stemmers. It runs Bleve's
// filters over a one-token stream it reuses, so it must not be shared
// between goroutines; a Filter call or a Forms call makes its own.
type stemmer struct {
	*stemmers
	tok    analysis.Token
	stream analysis.TokenStream
}

func newStemmer(s *stemmers) *stemmer {
	st := &stemmer{stemmers: s}
	st.stream = analysis.TokenStream{&st.tok}
	return st
}

// run passes word through filter and returns the result, or word itself
// when the filter leaves nothing.
func (st *stemmer) run(filter analysis.TokenFilter, word string) string {
	st.tok = analysis.Token{Term: []byte(word)}
	filter.Filter(st.stream)
	if len(st.tok.Term) == 0 {
		return word
	}
	return string(st.tok.Term)
}

// stem returns the stem of a lower-cased word in language lang.
func (st *stemmer) stem(lang, word string) string {
	if s, ok := memo.get(lang, word); ok {
		return s
	}
	s := st.stemNew(lang, word)
	memo.put(lang, word, s)
	return s
}

func (st *stemmer) stemNew(lang, word string) string {
	switch lang {
	case Polish:
		return st.run(st.pl, word)
	case Czech:
		return StemCzech(word)
	}
	return st.run(st.en, word)
}

// forms is a small set of strings that keeps insertion order.
type forms []string

func (f forms) add(s string) forms {
	for _, have := range f {
		if have == s {
			return f
		}
	}
	return append(f, s)
}

// indexForms appends to dst the terms indexed for word in language lang:
// the folded stem of the word and, when the word has diacritics, the
// folded stem of the word typed without them, which is what the same word
// typed without diacritics in a query stems to.
func (st *stemmer) indexForms(dst forms, lang, word string) forms {
	dst = dst.add(Fold(st.stem(lang, word)))
	if !isASCII(word) {
		if folded := Fold(word); folded != word {
			dst = dst.add(Fold(st.stem(lang, folded)))
		}
	}
	return dst
}

// queryLangs are the languages a query word is stemmed in, since a query
// does not say which language it is written in.
var queryLangs = [...]string{English, Polish, Czech}

// queryForms appends to dst the terms a query word may match: its index
// forms in each language.
func (st *stemmer) queryForms(dst forms, word string) forms {
	for _, l := range queryLangs {
		dst = dst.add(Fold(st.stem(l, word)))
	}
	if !isASCII(word) {
		if folded := Fold(word); folded != word {
			for _, l := range queryLangs {
				dst = dst.add(Fold(st.stem(l, folded)))
			}
		}
	}
	return dst
}

// Forms returns the terms QueryAnalyzer produces for one word: the word is
// lower-cased, loses an English possessive 's, and is stemmed as English,
// Polish and Czech, with and without its diacritics; the folded stems are
// returned once each, in that order. Callers that build term queries
// themselves can OR these terms together. Forms returns nil for an empty
// word or if the stemmers cannot be loaded.
func Forms(word string) []string {
	word = trimPossessive(strings.ToLower(word))
	if word == "" {
		return nil
	}
	s, err := loadStemmers()
	if err != nil {
		return nil
	}
	return newStemmer(s).queryForms(nil, word)
}

// trimPossessive drops an English possessive 's (with a straight, curly or
// full-width apostrophe), as Bleve's en.PossessiveFilter does.
func trimPossessive(w string) string {
	for _, suffix := range []string{"'s", "’s", "＇s"} {
		if strings.HasSuffix(w, suffix) {
			return w[:len(w)-len(suffix)]
		}
	}
	return w
}
