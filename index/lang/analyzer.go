package lang

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Names under which this package registers its analyzers and token
// filters in Bleve's registry. A field mapping refers to the analyzers by
// these names.
const (
	// IndexAnalyzer analyses message text for the index: unicode
	// tokenizer, lower case, English possessive, IndexStemFilter.
	IndexAnalyzer = "sd_text"
	// QueryAnalyzer analyses query text: the same chain ending in
	// QueryStemFilter.
	QueryAnalyzer = "sd_query"
	// IndexStemFilter stems each token in the language of its message and
	// folds diacritics.
	IndexStemFilter = "sd_stem_index"
	// QueryStemFilter expands each token to its folded stems in every
	// supported language.
	QueryStemFilter = "sd_stem_query"
)

// stemFilter is the token filter behind IndexStemFilter and
// QueryStemFilter.
type stemFilter struct {
	stemmers *stemmers
	query    bool
}

// Filter replaces each token by its folded stems, all at the token's
// position and with its offsets, so that phrase queries treat them as
// alternatives.
//
// In index mode a marker token (see Mark) sets the language of the tokens
// after it and is dropped; later tokens move down one position per marker,
// so the stream reads as if the markers had never been there. Tokens
// before any marker get a language from their own letters: Polish-only
// letters make them Polish, Czech-only letters Czech, and anything else
// English.
//
// In query mode every token is stemmed in all three languages.
func (f *stemFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	st := newStemmer(f.stemmers)
	out := make(analysis.TokenStream, 0, len(input)+len(input)/2)
	var buf forms
	lang := ""   // language set by the last marker; "" before any marker
	removed := 0 // markers dropped so far
	for _, tok := range input {
		if !f.query {
			if l := markerLang(tok.Term); l != "" {
				lang = l
				removed++
				continue
			}
		}
		tok.Position -= removed
		word := string(tok.Term)
		buf = buf[:0]
		switch {
		case tok.KeyWord || tok.Type != analysis.AlphaNumeric:
			// Protected words, numbers and ideographs are not stemmed,
			// only folded.
			buf = buf.add(Fold(word))
		case f.query:
			buf = st.queryForms(buf, word)
		default:
			l := lang
			if l == "" {
				l = guessWordLang(word)
			}
			buf = st.indexForms(buf, l, word)
		}
		tok.Term = []byte(buf[0])
		out = append(out, tok)
		for _, form := range buf[1:] {
			alt := *tok
			alt.Term = []byte(form)
			out = append(out, &alt)
		}
	}
	return out
}

// guessWordLang returns the language a lone word is most likely in: Polish
// if it has a letter only Polish uses, Czech if it has one that Czech uses
// and Polish does not, English otherwise.
func guessWordLang(word string) string {
	if isASCII(word) {
		return English
	}
	czech := false
	for _, r := range word {
		switch r {
		case 'ą', 'ę', 'ł', 'ń', 'ś', 'ź', 'ż', 'ć', 'ó':
			return Polish
		case 'ě', 'ř', 'ů', 'č', 'š', 'ž', 'ť', 'ď', 'ň', 'á', 'é', 'í', 'ý', 'ú':
			czech = true
		}
	}
	if czech {
		return Czech
	}
	return English
}

func newStemFilter(query bool) (analysis.TokenFilter, error) {
	s, err := loadStemmers()
	if err != nil {
		return nil, err
	}
	return &stemFilter{stemmers: s, query: query}, nil
}

func indexStemFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return newStemFilter(false)
}

func queryStemFilterConstructor(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
	return newStemFilter(true)
}

// analyzerConstructor returns the constructor of an analyzer whose chain
// ends in the named stem filter.
func analyzerConstructor(stemFilterName string) registry.AnalyzerConstructor {
	return func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
		tokenizer, err := cache.TokenizerNamed(unicode.Name)
		if err != nil {
			return nil, err
		}
		var filters []analysis.TokenFilter
		for _, name := range []string{lowercase.Name, en.PossessiveName, stemFilterName} {
			tf, err := cache.TokenFilterNamed(name)
			if err != nil {
				return nil, err
			}
			filters = append(filters, tf)
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tokenizer, TokenFilters: filters}, nil
	}
}

func init() {
	for _, err := range []error{
		registry.RegisterTokenFilter(IndexStemFilter, indexStemFilterConstructor),
		registry.RegisterTokenFilter(QueryStemFilter, queryStemFilterConstructor),
		registry.RegisterAnalyzer(IndexAnalyzer, analyzerConstructor(IndexStemFilter)),
		registry.RegisterAnalyzer(QueryAnalyzer, analyzerConstructor(QueryStemFilter)),
	} {
		if err != nil {
			panic(err)
		}
	}
}
