package index

import (
	"slices"

	"github.com/blevesearch/bleve/v2"
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

// Reads reports whether the scope may read message m: a customer never
// reads internal notes or mail held as from an unverified sender, so no
// count, export or highlight of theirs includes them (invariant 5).
func (s Scope) Reads(m *engine.Message) bool {
	return !s.Customer || messageField(m) == "body"
}
