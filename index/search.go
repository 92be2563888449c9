package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"searchdesk/engine"
)

// Request is one search.
type Request struct {
	Query  string
	Scope  Scope
	Size   int    // hits per page (default 25, at most 1000)
	Cursor string // from the previous page's Result.Next
	Facets bool   // count tickets per facet value over all matches
	// FacetFields narrows the facets to these fields (default: all).
	FacetFields []string
	NoHits      bool // count only: Total (and facets), no hits
	// BleveOnly answers from Bleve even a query the ticket table could
	// answer: for tests and measurements that compare the two.
	BleveOnly bool
	Highlight bool // add each hit's best fragment and its message
	// Deadline bounds the search (0: DefaultDeadline). The server passes
	// its --search-deadline; bench passes a long one to measure.
	Deadline time.Duration
}

// FacetValue is one value of a facet with its count and the query term
// that adds it as a filter.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
	Term  string `json:"term"`
}

// Hit is one matching ticket.
type Hit struct {
	ID        string     `json:"id"`
	Score     float64    `json:"score"`
	Highlight *Highlight `json:"highlight,omitempty"`
}

// Result is a page of hits with the exact total.
type Result struct {
	Total  uint64                  `json:"total"`
	Hits   []Hit                   `json:"hits"`
	Next   string                  `json:"next,omitempty"`
	Facets map[string][]FacetValue `json:"facets,omitempty"`
	table  bool                    // answered by the ticket table, not Bleve
}

// facetFields are the facets docs/architecture.md lists, by index field.
func facetFields() []string {
	return []string{"status", "priority", "category", "desk", "assignee", "customer", "account", "type", "tag", "source", "sla"}
}

// ErrQuery marks a search refused for what the searcher asked (a bad
// cursor, a query past its deadline) rather than a failure of the index;
// a *SyntaxError is one too. Each is an *engine.Error of CodeBadQuery or
// CodeSearchTimeout.
var ErrQuery = errors.New("query refused")

// Error codes of refused searches (see engine.Error).
const (
	// CodeBadQuery: the query does not parse or names what cannot be
	// searched, or the cursor is not one of ours.
	CodeBadQuery = "bad_query"
	// CodeSearchTimeout: the search was cut off by its deadline; a
	// narrower query is the way out.
	CodeSearchTimeout = "search_timeout"
)

// facetValues is how many values a facet returns, largest first;
// shardFacetSize is how many each shard is asked for. A shard must return
// every value it has, or a value cut from one shard's list would lose that
// shard's count when the lists are merged.
const (
	facetValues    = 200
	shardFacetSize = 1 << 30
)

// DefaultDeadline bounds one search unless the request says otherwise
// (invariant 8, DOS-03).
const DefaultDeadline = time.Second

// Search runs a query within its scope. A bad query returns a
// *SyntaxError that names the position; a search cut off by its deadline
// an *engine.Error of CodeSearchTimeout.
func (x *Index) Search(ctx context.Context, r Request) (*Result, error) {
	q, err := Parse(r.Query)
	if err != nil {
		return nil, err
	}
	c := &compiler{scope: r.Scope, now: time.Now()}
	bq, err := c.compile(q.Root)
	if err != nil {
		return nil, err
	}
	req, err := searchRequest(r, q, bq)
	if err != nil {
		return nil, err
	}
	deadline := DefaultDeadline
	if r.Deadline > 0 {
		deadline = r.Deadline
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	out, ok := x.tableSearch(ctx, r, q.Sort, bq, req)
	if !ok {
		out, err = x.rankedSearch(ctx, r, bq, req)
	}
	if cut := cutOff(ctx, deadline); cut != nil {
		return nil, cut
	}
	if err != nil {
		return nil, err
	}
	if r.Highlight {
		err := x.addHighlights(ctx, q.Root, r.Scope, out.Hits)
		if cut := cutOff(ctx, deadline); cut != nil {
			return nil, cut
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rankedSearch is a search the table cannot rank (relevance): Bleve
// ranks the page and counts the total, and the facets come from the table
// over Bleve's match set, which costs a walk of the postings instead of
// Bleve decoding every match's doc values; Bleve counts them itself only
// when the table cannot.
func (x *Index) rankedSearch(ctx context.Context, r Request, bq query.Query, req *bleve.SearchRequest) (*Result, error) {
	if !r.Facets || r.BleveOnly || x.table == nil {
		return x.bleveSearch(ctx, req, r.Facets)
	}
	facets, err := x.tableFacets(ctx, r, bq)
	if err != nil {
		return x.bleveSearch(ctx, req, true)
	}
	page := *req
	page.Facets = nil
	out, err := x.bleveSearch(ctx, &page, false)
	if err != nil {
		return nil, err
	}
	out.Facets = facets
	return out, nil
}

// errNoTableFacets: the table could not count a query's facets.
var errNoTableFacets = errors.New("index: facets not from the table")

// tableFacets counts the facets of bq in r's scope from the table.
func (x *Index) tableFacets(ctx context.Context, r Request, bq query.Query) (map[string][]FacetValue, error) {
	t := x.table
	t.mu.RLock()
	defer t.mu.RUnlock()
	match, ok := x.tableMatch(ctx, t, r.Scope, bq)
	if !ok {
		return nil, errNoTableFacets
	}
	fields := r.FacetFields
	if len(fields) == 0 {
		fields = facetFields()
	}
	return t.facets(match, fields), nil
}

// bleveSearch runs a search request on Bleve.
func (x *Index) bleveSearch(ctx context.Context, req *bleve.SearchRequest, facets bool) (*Result, error) {
	res, err := x.bi.SearchInContext(ctx, req)
	if err == nil && res.Status != nil && res.Status.Failed > 0 {
		// The alias answers with what the other shards found when one
		// fails: a partial answer is never given as a whole one.
		for _, e := range res.Status.Errors {
			err = e
			break
		}
		if err == nil {
			err = errors.New("a shard failed")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("index: search: %w", err)
	}
	out := &Result{Total: res.Total}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score})
	}
	if req.Size > 0 && len(res.Hits) == req.Size {
		last := res.Hits[len(res.Hits)-1]
		out.Next = encodeCursor(cursorOf(req.Sort, last.Sort, last.Score))
	}
	if facets {
		out.Facets = facetsOf(res)
	}
	return out, nil
}

// searchRequest is the Bleve request of a search: the compiled query
// inside the scope's filter, the page, the sort and the facets.
func searchRequest(r Request, q *Query, bq query.Query) (*bleve.SearchRequest, error) {
	// The scope filter wraps the whole query, inside Bleve (AC-02).
	full := bq
	if f := r.Scope.filter(); f != nil {
		full = bleve.NewConjunctionQuery(bq, f)
	}
	size := r.Size
	if size <= 0 {
		size = 25
	}
	size = min(size, 1000)
	if r.NoHits {
		size = 0
	}
	req := bleve.NewSearchRequestOptions(full, size, 0, false)
	if r.NoHits {
		// A count needs neither scores nor sort values: skipping both
		// spares loading doc values for every match.
		req.SortBy([]string{"_id"})
		req.Score = "none"
	} else {
		req.SortBy(sortOrder(q.Sort))
	}
	if r.Cursor != "" {
		after, err := decodeCursor(r.Cursor, len(req.Sort))
		if err != nil {
			return nil, err
		}
		req.SearchAfter = after
	}
	if r.Facets {
		fields := r.FacetFields
		if len(fields) == 0 {
			fields = facetFields()
		}
		for _, f := range fields {
			if !slices.Contains(facetFields(), f) {
				return nil, fmt.Errorf("index: %q is not a facet", f)
			}
			// Each shard counts every value, so the merged counts are
			// exact; the largest facetValues are kept below.
			req.AddFacet(f, bleve.NewFacetRequest(f, shardFacetSize))
		}
	}
	return req, nil
}

// facetsOf is the facet counts of a result, the largest facetValues of
// each facet.
func facetsOf(res *bleve.SearchResult) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	for name, fr := range res.Facets {
		vals := []FacetValue{}
		if fr.Terms != nil {
			terms := fr.Terms.Terms()
			for _, t := range terms[:min(len(terms), facetValues)] {
				vals = append(vals, FacetValue{Value: t.Term, Count: t.Count, Term: facetTerm(name, t.Term)})
			}
		}
		out[name] = vals
	}
	return out
}

// cutOff is the error of a search whose deadline passed while it ran,
// whether or not the work it was doing noticed (a search that came back
// after its deadline is refused as well, so that the bound holds on
// every route); nil while there is time left. A search stopped because
// its caller went away is not cut off.
func cutOff(ctx context.Context, deadline time.Duration) error {
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil
	}
	return &engine.Error{Code: CodeSearchTimeout, Key: "err_search_timeout", Args: []any{deadline.String()},
		Text: fmt.Sprintf("index: search took longer than %v: narrow it down", deadline), Err: ErrQuery}
}

// facetTerm is the query term that filters on a facet value.
func facetTerm(field, v string) string {
	for _, r := range v {
		if r == ' ' || r == '"' || r == '(' || r == ')' || r == ',' {
			return field + `:"` + v + `"`
		}
	}
	return field + ":" + v
}

// sortOrder maps sort: keys to Bleve's sort, with the id as the last key
// so that cursor paging is stable.
func sortOrder(key string) []string {
	switch key {
	case "updated-asc":
		return []string{"updated", "_id"}
	case "created-desc":
		return []string{"-created", "-_id"}
	case "created-asc":
		return []string{"created", "_id"}
	case "priority-desc":
		return []string{"-priority_rank", "-updated", "-_id"}
	case "priority-asc":
		return []string{"priority_rank", "-updated", "-_id"}
	case "relevance":
		// No date between score and id: loading a datetime's doc values
		// for every hit cost more than the rest of a text search.
		return []string{"-_score", "-_id"}
	}
	return []string{"-updated", "-_id"}
}

// cursorOf is where the next page starts: the last hit's sort values, with
// its score in place of the "_score" Bleve writes there, since search-after
// compares scores by number.
func cursorOf(order search.SortOrder, values []string, score float64) []string {
	out := slices.Clone(values)
	for i, s := range order {
		if s.RequiresScoring() && i < len(out) {
			out[i] = strconv.FormatFloat(score, 'g', -1, 64)
		}
	}
	return out
}

func encodeCursor(sort []string) string {
	b, _ := json.Marshal(sort)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, n int) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var v []string
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil || len(v) != n {
		return nil, &engine.Error{Code: CodeBadQuery, Key: "err_query_cursor",
			Text: "index: bad cursor: start again from the first page", Err: ErrQuery}
	}
	return v, nil
}

// Count returns the exact number of tickets matching a query in a scope.
func (x *Index) Count(ctx context.Context, q string, s Scope) (uint64, error) {
	r, err := x.Search(ctx, Request{Query: q, Scope: s, NoHits: true})
	if err != nil {
		return 0, err
	}
	return r.Total, nil
}

// exportPage is how many hits one page of Each fetches.
const exportPage = 1000

// Each streams every hit of a search, in its sort order, page by page with
// the cursor: memory does not grow with the result (invariant 8), and the
// scope applies as to any search.
func (x *Index) Each(ctx context.Context, r Request, fn func(Hit) error) error {
	r.Size, r.Facets, r.NoHits, r.Cursor = exportPage, false, false, ""
	for {
		res, err := x.Search(ctx, r)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			if err := fn(h); err != nil {
				return err
			}
		}
		if res.Next == "" {
			return nil
		}
		r.Cursor = res.Next
	}
}
