package index

import (
	"cmp"
	"container/heap"
	"context"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search/query"
)

// tableSearch answers a search from the table when it can: the query's
// tree holds only what the table holds, and the order is not relevance
// (the table has no scores). ok is false otherwise, and the search goes
// to Bleve. req is the Bleve request the search would run: its page size
// and decoded cursor are the table's too, so that both paths read and
// write the same cursors.
func (x *Index) tableSearch(ctx context.Context, r Request, sortKey string, bq query.Query, req *bleve.SearchRequest) (*Result, bool) {
	t := x.table
	if t == nil || r.BleveOnly || (req.Size > 0 && sortKey == "relevance") {
		return nil, false
	}
	order := tableOrder(sortKey)
	var after *sortEntry
	if req.SearchAfter != nil {
		e, ok := order.decode(req.SearchAfter)
		if !ok {
			return nil, false
		}
		after = &e
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	match, ok := x.tableMatch(ctx, t, r.Scope, bq)
	if !ok {
		return nil, false
	}
	out := &Result{Total: match.GetCardinality(), table: true}
	if req.Size > 0 {
		top := t.top(match, order, req.Size, after)
		for _, e := range top {
			out.Hits = append(out.Hits, Hit{ID: e.id})
		}
		if len(top) == req.Size {
			out.Next = encodeCursor(order.encode(top[len(top)-1]))
		}
	}
	if r.Facets {
		fields := r.FacetFields
		if len(fields) == 0 {
			fields = facetFields()
		}
		out.Facets = t.facets(match, fields)
	}
	return out, true
}

// tableMatch is the set of tickets bq matches in scope, from the table;
// the caller holds t.mu for reading. The scope comes first: nothing
// outside it is matched, counted or ranked (invariant 5). What the table
// does not hold (text, number:, from:, prefixes) is Bleve's match set,
// found without scoring (table_text.go).
func (x *Index) tableMatch(ctx context.Context, t *table, s Scope, bq query.Query) (*roaring.Bitmap, bool) {
	scope := t.alive
	if f := s.filter(); f != nil {
		var ok bool
		if scope, ok = t.eval(f); !ok {
			return nil, false
		}
	}
	match, ok := t.evalWith(bq, func(q query.Query) (*roaring.Bitmap, bool) { return x.matchSet(ctx, t, q) })
	if !ok {
		return nil, false
	}
	match.And(scope)
	match.And(t.alive)
	return match, true
}

// sortKeyCol is one key of a table order: a column, read as the int64
// that Bleve's sort value encodes (unix nanoseconds for dates, the
// sortable form of the number for priority_rank).
type sortKeyCol struct {
	col  int // sortUpdated, sortCreated or sortRank
	desc bool
}

const (
	sortUpdated = iota
	sortCreated
	sortRank
)

// order is a table order: the same keys as sortOrder gives Bleve, the
// ticket id last.
type order struct {
	keys   []sortKeyCol
	idDesc bool
}

// tableOrder is sortOrder's order for the table (relevance aside).
func tableOrder(key string) order {
	switch key {
	case "updated-asc":
		return order{keys: []sortKeyCol{{sortUpdated, false}}}
	case "created-desc":
		return order{keys: []sortKeyCol{{sortCreated, true}}, idDesc: true}
	case "created-asc":
		return order{keys: []sortKeyCol{{sortCreated, false}}}
	case "priority-desc":
		return order{keys: []sortKeyCol{{sortRank, true}, {sortUpdated, true}}, idDesc: true}
	case "priority-asc":
		return order{keys: []sortKeyCol{{sortRank, false}, {sortUpdated, true}}, idDesc: true}
	}
	return order{keys: []sortKeyCol{{sortUpdated, true}}, idDesc: true}
}

// sortEntry is a ticket with its sort values.
type sortEntry struct {
	k  [2]int64
	id string
}

// compare orders two entries: negative when a comes first.
func (s order) compare(a, b *sortEntry) int {
	for i, key := range s.keys {
		if c := cmp.Compare(a.k[i], b.k[i]); c != 0 {
			if key.desc {
				return -c
			}
			return c
		}
	}
	c := cmp.Compare(a.id, b.id)
	if s.idDesc {
		return -c
	}
	return c
}

// encode is an entry's cursor values as Bleve writes them: prefix-coded
// int64s, then the id.
func (s order) encode(e sortEntry) []string {
	out := make([]string, 0, len(s.keys)+1)
	for i := range s.keys {
		out = append(out, string(numeric.MustNewPrefixCodedInt64(e.k[i], 0)))
	}
	return append(out, e.id)
}

// decode reads cursor values back; ok is false for values the table does
// not recognise (the search then goes to Bleve, which compares them as
// it always has).
func (s order) decode(vals []string) (sortEntry, bool) {
	var e sortEntry
	if len(vals) != len(s.keys)+1 {
		return e, false
	}
	for i := range s.keys {
		p := numeric.PrefixCoded(vals[i])
		shift, err := p.Shift()
		if err != nil || shift != 0 {
			return e, false
		}
		if e.k[i], err = p.Int64(); err != nil {
			return e, false
		}
	}
	e.id = vals[len(s.keys)]
	return e, true
}

// value is ordinal o's value of a sort column.
func (t *table) value(col int, o uint32) int64 {
	switch col {
	case sortCreated:
		return t.created[o]
	case sortRank:
		return numeric.Float64ToInt64(float64(t.rank[o]))
	}
	return t.updated[o]
}

// top is the first n matches in order after the cursor (nil: from the
// start), kept in a bounded heap: memory and time do not depend on how
// deep the page is.
func (t *table) top(match *roaring.Bitmap, s order, n int, after *sortEntry) []sortEntry {
	h := &entryHeap{order: s}
	it := match.ManyIterator()
	page := make([]uint32, 1024)
	var e sortEntry
	for got := it.NextMany(page); got > 0; got = it.NextMany(page) {
		for _, o := range page[:got] {
			for i, key := range s.keys {
				e.k[i] = t.value(key.col, o)
			}
			e.id = t.ids[o]
			if after != nil && s.compare(&e, after) <= 0 {
				continue
			}
			if len(h.es) < n {
				heap.Push(h, e)
			} else if s.compare(&e, &h.es[0]) < 0 {
				h.es[0] = e
				heap.Fix(h, 0)
			}
		}
	}
	out := h.es
	slices.SortFunc(out, func(a, b sortEntry) int { return s.compare(&a, &b) })
	return out
}

// entryHeap keeps the last entry in order on top, the one a better entry
// replaces.
type entryHeap struct {
	order order
	es    []sortEntry
}

func (h *entryHeap) Len() int           { return len(h.es) }
func (h *entryHeap) Less(i, j int) bool { return h.order.compare(&h.es[i], &h.es[j]) > 0 }
func (h *entryHeap) Swap(i, j int)      { h.es[i], h.es[j] = h.es[j], h.es[i] }
func (h *entryHeap) Push(v any)         { h.es = append(h.es, v.(sortEntry)) }
func (h *entryHeap) Pop() any {
	v := h.es[len(h.es)-1]
	h.es = h.es[:len(h.es)-1]
	return v
}
