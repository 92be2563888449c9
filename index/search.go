package index

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/search/query"

	"searchdesk/engine"
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

// textFields are the text fields a bare word searches.
func (s Scope) textFields() []string {
	if s.Customer {
		return []string{"subject", "body", "attachment"}
	}
	return []string{"subject", "body", "note", "unverified", "attachment"}
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
	return strings.ToLower(string(asciifolding.New().Filter([]byte(s))))
}

// text searches the text fields for a word, phrase or prefix.
func (c *compiler) text(fields []string, t *Term) query.Query {
	var qs []query.Query
	for _, f := range fields {
		switch {
		case t.Prefix:
			q := bleve.NewPrefixQuery(fold(t.Value))
			q.SetField(f)
			qs = append(qs, q)
		case t.Phrase:
			q := bleve.NewMatchPhraseQuery(t.Value)
			q.SetField(f)
			qs = append(qs, q)
		default:
			q := bleve.NewMatchQuery(t.Value)
			q.SetField(f)
			q.SetOperator(query.MatchQueryOperatorAnd)
			qs = append(qs, q)
		}
	}
	if t.Field == "" && !t.Prefix && !t.Phrase {
		qs = append(qs, termQ("number", strings.ToLower(t.Value)))
	}
	return bleve.NewDisjunctionQuery(qs...)
}

func (c *compiler) errTerm(t *Term, format string, a ...any) error {
	return &SyntaxError{Pos: t.Pos, Col: t.Col, Msg: fmt.Sprintf(format, a...)}
}
