package index

import (
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// keywordField maps query fields to the keyword fields of the index.
func keywordField(f string) (string, bool) {
	switch f {
	case "status", "priority", "category", "desk", "assignee", "tag", "source", "type", "sla",
		"from", "to", "cc", "customer", "account", "number", "has":
		return f, true
	}
	return "", false
}

// term compiles one field term.
func (c *compiler) term(t *Term) (query.Query, error) {
	switch t.Field {
	case "":
		return c.text(c.scope.textFields(), t), nil
	case "subject", "body", "attachment":
		return c.text([]string{t.Field}, t), nil
	case "note":
		if c.scope.Customer {
			return nil, c.errTerm(t, "err_query_agents_note", "note: is for agents only")
		}
		return c.text([]string{"note"}, t), nil
	case "priority":
		if t.Op != "" {
			return c.priorityRange(t)
		}
	case "created", "updated":
		return c.dateRange(t)
	case "is":
		return c.is(t)
	case "has":
		if c.scope.Customer && (t.Value == "note" || t.Value == "flagged") {
			return nil, c.errTerm(t, "err_query_agents_has", "has:%s is for agents only", t.Value)
		}
	}
	f, ok := keywordField(t.Field)
	if !ok {
		return nil, c.errTerm(t, "err_query_not_here", "%s: is not searchable here", t.Field)
	}
	if t.Op != "" {
		return nil, c.errTerm(t, "err_query_no_comparison", "%s: takes no comparison", t.Field)
	}
	values := t.Values
	if len(values) == 0 {
		values = []string{t.Value}
	}
	var qs []query.Query
	for _, v := range values {
		v = strings.ToLower(v)
		if f == "assignee" && v == "me" {
			v = c.scope.Me
		}
		if t.Prefix {
			q := bleve.NewPrefixQuery(v)
			q.SetField(f)
			qs = append(qs, q)
			continue
		}
		qs = append(qs, termQ(f, v))
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	return bleve.NewDisjunctionQuery(qs...), nil
}

func (c *compiler) priorityRange(t *Term) (query.Query, error) {
	r := priorityRank(strings.ToLower(t.Value))
	if r == 0 {
		return nil, c.errTerm(t, "err_query_priority", "priority %q: want low, normal, high or urgent", t.Value)
	}
	var lo, hi *float64
	incl := true
	switch t.Op {
	case ">=":
		lo = &r
	case ">":
		lo, incl = &r, false
	case "<=":
		hi = &r
	case "<":
		hi, incl = &r, false
	default:
		return nil, c.errTerm(t, "err_query_priority_op", "priority: use >, >=, < or <=")
	}
	q := bleve.NewNumericRangeInclusiveQuery(lo, hi, &incl, &incl)
	q.SetField("priority_rank")
	return q, nil
}

// parseWhen reads a date (2026-01-01, 2026-01-01T10:00:00Z) or an age
// (7d, 2w, 12h, 30m for minutes): rel reports an age.
func parseWhen(v string, now time.Time) (t time.Time, rel bool, ok bool) {
	if n := len(v); n >= 2 {
		if k, err := strconv.Atoi(v[:n-1]); err == nil && k >= 0 && k < 100000 {
			switch v[n-1] {
			case 'd':
				return now.AddDate(0, 0, -k), true, true
			case 'w':
				return now.AddDate(0, 0, -7*k), true, true
			case 'h':
				return now.Add(-time.Duration(k) * time.Hour), true, true
			case 'm':
				return now.Add(-time.Duration(k) * time.Minute), true, true
			}
		}
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, false, true
		}
	}
	return time.Time{}, false, false
}

// dateRange compiles created: and updated:. An age turns the comparison
// round: updated:<7d is "less than 7 days ago", after now-7d.
func (c *compiler) dateRange(t *Term) (query.Query, error) {
	from, rel, ok := parseWhen(t.Value, c.now)
	if !ok {
		return nil, c.errTerm(t, "err_query_date", "%s: %q is not a date (2026-01-31) or an age (7d)", t.Field, t.Value)
	}
	var lo, hi time.Time
	op := t.Op
	if rel {
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "": ">="}[op]
	}
	switch op {
	case ">", ">=":
		lo = from
	case "<", "<=":
		hi = from
	case "..":
		to, _, ok := parseWhen(t.To, c.now)
		if !ok {
			return nil, c.errTerm(t, "err_query_date_to", "%s: %q is not a date", t.Field, t.To)
		}
		lo, hi = from, to
	case "":
		lo, hi = from, from.AddDate(0, 0, 1) // a whole day
	default:
		return nil, c.errTerm(t, "err_query_bad_op", "%s: bad comparison %q", t.Field, t.Op)
	}
	inclLo, inclHi := true, op == "<=" || op == ".."
	lo, hi = clampDate(lo), clampDate(hi)
	q := bleve.NewDateRangeInclusiveQuery(lo, hi, &inclLo, &inclHi)
	q.SetField(t.Field)
	return q, nil
}

// is compiles the is: shortcuts.
func (c *compiler) is(t *Term) (query.Query, error) {
	switch strings.ToLower(t.Value) {
	case "open":
		return bleve.NewDisjunctionQuery(termQ("status", "open"), termQ("status", "in_progress"), termQ("status", "waiting")), nil
	case "closed", "resolved", "waiting", "in_progress":
		return termQ("status", strings.ToLower(t.Value)), nil
	case "unassigned":
		return termQ("assignee", "none"), nil
	case "mine":
		return termQ("assignee", c.scope.Me), nil
	case "overdue":
		return termQ("sla", "breached"), nil
	}
	return nil, c.errTerm(t, "err_query_is", "is:%s: want open, closed, resolved, waiting, in_progress, unassigned, mine or overdue", t.Value)
}

// clampDate keeps a bound of a date range inside the dates the index can
// hold (Bleve's, about 1677 to 2262), so created:>1000-01-01 means every
// ticket instead of an error; a zero bound stays open.
func clampDate(t time.Time) time.Time {
	switch {
	case t.IsZero():
		return t
	case t.Before(query.MinRFC3339CompatibleTime):
		return query.MinRFC3339CompatibleTime
	case t.After(query.MaxRFC3339CompatibleTime):
		return query.MaxRFC3339CompatibleTime
	}
	return t
}
