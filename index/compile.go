package index

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"searchdesk/index/lang"
)

// termQ matches one exact value of a keyword field.
func termQ(field, v string) query.Query {
	q := bleve.NewTermQuery(v)
	q.SetField(field)
	return q
}

// compiler turns a parsed query into a Bleve query for one scope.
type compiler struct {
	scope Scope
	now   time.Time
}

func (c *compiler) compile(n Node) (query.Query, error) {
	switch n := n.(type) {
	case nil:
		return bleve.NewMatchAllQuery(), nil
	case And:
		var must, not []query.Query
		for _, p := range n.Parts {
			if np, ok := p.(Not); ok {
				q, err := c.compile(np.Part)
				if err != nil {
					return nil, err
				}
				not = append(not, q)
				continue
			}
			q, err := c.compile(p)
			if err != nil {
				return nil, err
			}
			must = append(must, q)
		}
		return boolQ(must, not), nil
	case Or:
		var qs []query.Query
		for _, p := range n.Parts {
			q, err := c.compile(p)
			if err != nil {
				return nil, err
			}
			qs = append(qs, q)
		}
		return bleve.NewDisjunctionQuery(qs...), nil
	case Not:
		q, err := c.compile(n.Part)
		if err != nil {
			return nil, err
		}
		return boolQ(nil, []query.Query{q}), nil
	case *Term:
		return c.term(n)
	}
	return nil, fmt.Errorf("index: query: unknown node %T", n)
}

func boolQ(must, not []query.Query) query.Query {
	b := bleve.NewBooleanQuery()
	if len(must) == 0 {
		must = []query.Query{bleve.NewMatchAllQuery()}
	}
	b.AddMust(must...)
	if len(not) > 0 {
		b.AddMustNot(not...)
	}
	return b
}

// fold lower-cases and folds diacritics the way the text analyzer does.
func fold(s string) string {
	return lang.Fold(strings.ToLower(s))
}

// text searches the text fields for a word, phrase or prefix.
func (c *compiler) text(fields []string, t *Term) query.Query {
	var qs []query.Query
	words := analyzeQuery(t.Value)
	for _, f := range fields {
		var q query.Query
		switch {
		case t.Prefix:
			p := bleve.NewPrefixQuery(fold(t.Value))
			p.SetField(f)
			q = p
		case t.Phrase:
			p := bleve.NewMatchPhraseQuery(t.Value)
			p.SetField(f)
			p.Analyzer = queryAnalyzer
			q = p
		default:
			q = wordsQuery(f, words)
		}
		if q == nil {
			continue
		}
		if b, ok := q.(query.BoostableQuery); ok {
			b.SetBoost(textBoost[f])
		}
		qs = append(qs, q)
	}
	if t.Field == "" && !t.Prefix && !t.Phrase {
		qs = append(qs, termQ("number", strings.ToLower(t.Value)))
	}
	if len(qs) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// analyzeQuery runs the query analyzer over a term's text: for each word
// position, the forms any of which may match.
func analyzeQuery(text string) [][]string {
	a, err := analyzers.AnalyzerNamed(queryAnalyzer)
	if err != nil {
		return nil
	}
	var out [][]string
	last := -1
	for _, tok := range a.Analyze([]byte(text)) {
		if tok.Position != last || len(out) == 0 {
			out = append(out, nil)
			last = tok.Position
		}
		out[len(out)-1] = append(out[len(out)-1], string(tok.Term))
	}
	return out
}

// analyzers caches the registered analyzers.
var analyzers = registry.NewCache()

// wordsQuery matches every word position in field, each by any of its
// forms.
func wordsQuery(field string, words [][]string) query.Query {
	var must []query.Query
	for _, forms := range words {
		var any []query.Query
		for _, f := range forms {
			any = append(any, termQ(field, f))
		}
		if len(any) == 1 {
			must = append(must, any[0])
		} else {
			must = append(must, bleve.NewDisjunctionQuery(any...))
		}
	}
	switch len(must) {
	case 0:
		return nil
	case 1:
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

// errTerm is a SyntaxError at term t: key and args are its message in
// the UI string catalogue, format and the same args its text.
func (c *compiler) errTerm(t *Term, key, format string, args ...any) error {
	return &SyntaxError{Pos: t.Pos, Col: t.Col, Msg: fmt.Sprintf(format, args...), Key: key, Args: args}
}
