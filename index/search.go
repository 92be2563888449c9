package index

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"searchdesk/engine"
	"searchdesk/index/lang"
)

// Scope is who is searching; every search goes through its filter
// (invariant 5).
type Scope struct {
	All       bool     // admin and operator
	DeskIDs   []string // agent: their desks
	Customer  bool     // a customer: their own tickets
	ContactID string
	AccountID string // set when the customer may see their account's tickets
	Me        string // the searcher's address, for assignee:me and is:mine
	// OnlyContact and OnlyAccount narrow any scope to one contact's or
	// one account's tickets (a contact or account page); they never widen it.
	OnlyContact string
	OnlyAccount string
}

// StaffScope is the scope of a member of staff.
func StaffScope(u engine.User) Scope {
	if u.Role == engine.RoleAdmin || u.Role == engine.RoleOperator {
		return Scope{All: true, Me: u.Email}
	}
	return Scope{DeskIDs: u.Desks, Me: u.Email}
}

// CustomerScope is the scope of a customer (contact); withAccount lets them
// see every ticket of their account.
func CustomerScope(c engine.Contact, withAccount bool) Scope {
	s := Scope{Customer: true, ContactID: c.ID}
	if withAccount {
		s.AccountID = c.AccountID
	}
	if len(c.Addresses) > 0 {
		s.Me = c.Addresses[0]
	}
	return s
}

// filter is the scope as a query: what this searcher may see at all; nil
// when they may see everything.
func (s Scope) filter() query.Query {
	var narrow []query.Query
	if s.OnlyContact != "" {
		narrow = append(narrow, termQ("contact_id", s.OnlyContact))
	}
	if s.OnlyAccount != "" {
		narrow = append(narrow, termQ("account_id", s.OnlyAccount))
	}
	base := s.baseFilter()
	if len(narrow) == 0 {
		return base
	}
	if base != nil {
		narrow = append(narrow, base)
	}
	return bleve.NewConjunctionQuery(narrow...)
}

// baseFilter is who may see what, before any narrowing.
func (s Scope) baseFilter() query.Query {
	switch {
	case s.Customer:
		var qs []query.Query
		if s.ContactID != "" {
			qs = append(qs, termQ("contact_id", s.ContactID))
		}
		if s.AccountID != "" {
			qs = append(qs, termQ("account_id", s.AccountID))
		}
		if len(qs) == 0 {
			return bleve.NewMatchNoneQuery()
		}
		return bleve.NewDisjunctionQuery(qs...)
	case s.All:
		return nil
	}
	if len(s.DeskIDs) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	var qs []query.Query
	for _, d := range s.DeskIDs {
		qs = append(qs, termQ("desk_id", d))
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// Allows reports whether the scope may see ticket t: the same rule as
// filter, for reads that do not go through the index (a ticket page, an
// attachment download, an API call by id).
func (s Scope) Allows(t engine.Ticket) bool {
	if (s.OnlyContact != "" && t.ContactID != s.OnlyContact) || (s.OnlyAccount != "" && t.AccountID != s.OnlyAccount) {
		return false
	}
	switch {
	case s.Customer:
		return (s.ContactID != "" && t.ContactID == s.ContactID) || (s.AccountID != "" && t.AccountID == s.AccountID)
	case s.All:
		return true
	}
	return slices.Contains(s.DeskIDs, t.DeskID)
}

// textFields are the text fields a bare word searches.
func (s Scope) textFields() []string {
	if s.Customer {
		return []string{"subject", "body", "quoted", "attachment"}
	}
	return []string{"subject", "body", "quoted", "note", "unverified", "attachment"}
}

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
