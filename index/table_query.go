package index

import (
	"math"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/numeric"
	"github.com/blevesearch/bleve/v2/search/query"
)

// The table answers the very query Bleve would run: the compiler's output
// (compile.go, term.go) and the scope's filter (scope.go), interpreted
// with bitmaps. A query that names anything the table does not hold
// (text, number:, from:, to:, cc:, attachment names, prefixes) is not
// the table's, and goes to Bleve whole; so the two paths cannot differ
// in what a term means, only in how it is computed.

// eval returns the tickets q matches, as a bitmap the caller owns; ok is
// false when q is not one the table can answer.
func (t *table) eval(q query.Query) (bm *roaring.Bitmap, ok bool) {
	return t.evalWith(q, nil)
}

// other matches a query the table cannot evaluate itself (Bleve's match
// set, table_text.go); nil where there is none.
type other func(query.Query) (*roaring.Bitmap, bool)

// evalWith is eval where what the table cannot evaluate comes from ext.
func (t *table) evalWith(q query.Query, ext other) (bm *roaring.Bitmap, ok bool) {
	switch q := q.(type) {
	case *query.MatchAllQuery:
		return t.alive.Clone(), true
	case *query.MatchNoneQuery:
		return roaring.New(), true
	case *query.TermQuery:
		bm, ok = t.term(q.FieldVal, q.Term)
	case *query.ConjunctionQuery:
		bm, ok = t.evalAll(q.Conjuncts, true, ext)
	case *query.DisjunctionQuery:
		if q.Min <= 1 {
			bm, ok = t.evalAll(q.Disjuncts, false, ext)
		}
	case *query.BooleanQuery:
		bm, ok = t.evalBool(q, ext)
	case *query.NumericRangeQuery:
		bm, ok = t.rankRange(q)
	case *query.DateRangeQuery:
		bm, ok = t.dateRange(q)
	}
	if !ok && ext != nil {
		return ext(q)
	}
	return bm, ok
}

// evalAll is the intersection (and) or union of qs; Bleve matches nothing
// for an empty conjunction or disjunction.
func (t *table) evalAll(qs []query.Query, and bool, ext other) (*roaring.Bitmap, bool) {
	var out *roaring.Bitmap
	for _, sub := range qs {
		bm, ok := t.evalWith(sub, ext)
		if !ok {
			return nil, false
		}
		switch {
		case out == nil:
			out = bm
		case and:
			out.And(bm)
		default:
			out.Or(bm)
		}
	}
	if out == nil {
		out = roaring.New()
	}
	return out, true
}

// evalBool is Bleve's boolean query: every must, at least one should when
// there are shoulds and no must, and no must-not. The compiler writes only
// must and must-not; a clause that is absent imposes nothing.
func (t *table) evalBool(q *query.BooleanQuery, ext other) (*roaring.Bitmap, bool) {
	if q.Should != nil || q.Filter != nil {
		return nil, false
	}
	if q.Must == nil && q.MustNot == nil {
		return roaring.New(), true
	}
	out := t.alive.Clone()
	if q.Must != nil {
		bm, ok := t.evalWith(q.Must, ext)
		if !ok {
			return nil, false
		}
		out = bm
	}
	if q.MustNot != nil {
		bm, ok := t.evalWith(q.MustNot, ext)
		if !ok {
			return nil, false
		}
		out.AndNot(bm)
	}
	return out, true
}

// term is one value of a keyword field.
func (t *table) term(field, v string) (*roaring.Bitmap, bool) {
	f, single, ok := tableField(field)
	if !ok {
		return nil, false
	}
	d := t.dictOf(f, single)
	if bm := d.bitmap(v); bm != nil {
		return bm.Clone(), true
	}
	return roaring.New(), true
}

// dictOf is the dictionary of a field tableField found.
func (t *table) dictOf(f int, single bool) *dict {
	if single {
		return &t.colDict[f]
	}
	return &t.setDict[f]
}

// rankRange is a comparison on priority_rank: the union of the bitmaps of
// the ranks inside the bounds, compared as Bleve compares numbers.
func (t *table) rankRange(q *query.NumericRangeQuery) (*roaring.Bitmap, bool) {
	if q.FieldVal != "priority_rank" {
		return nil, false
	}
	lo, hi := numericBounds(q.Min, q.Max, q.InclusiveMin, q.InclusiveMax)
	out := roaring.New()
	for r, bm := range t.rankBits {
		if v := numeric.Float64ToInt64(float64(r)); bm != nil && v >= lo && v <= hi {
			out.Or(bm)
		}
	}
	return out, true
}

// numericBounds are a range's inclusive bounds in Bleve's sortable int64
// form of numbers, as its numeric range searcher computes them: no lower
// bound is -Inf, the lower bound is inclusive unless said otherwise, the
// upper one exclusive.
func numericBounds(min, max *float64, inclMin, inclMax *bool) (lo, hi int64) {
	lo, hi = numeric.Float64ToInt64(math.Inf(-1)), numeric.Float64ToInt64(math.Inf(1))
	if min != nil {
		lo = numeric.Float64ToInt64(*min)
	}
	if max != nil {
		hi = numeric.Float64ToInt64(*max)
	}
	if inclMin != nil && !*inclMin && lo != math.MaxInt64 {
		lo++
	}
	if (inclMax == nil || !*inclMax) && hi != math.MinInt64 {
		hi--
	}
	return lo, hi
}

// dateRange is a range on created or updated, by a scan of the column:
// Bleve compares the dates' unix nanoseconds.
func (t *table) dateRange(q *query.DateRangeQuery) (*roaring.Bitmap, bool) {
	var col []int64
	switch q.FieldVal {
	case "created":
		col = t.created
	case "updated":
		col = t.updated
	default:
		return nil, false
	}
	if q.Validate() != nil {
		return nil, false // Bleve refuses it: let it say why
	}
	var min, max *float64
	if !q.Start.IsZero() {
		v := numeric.Int64ToFloat64(q.Start.UnixNano())
		min = &v
	}
	if !q.End.IsZero() {
		v := numeric.Int64ToFloat64(q.End.UnixNano())
		max = &v
	}
	lo, hi := numericBounds(min, max, q.InclusiveStart, q.InclusiveEnd)
	var buf []uint32
	it := t.alive.ManyIterator()
	page := make([]uint32, 1024)
	for n := it.NextMany(page); n > 0; n = it.NextMany(page) {
		for _, o := range page[:n] {
			if v := col[o]; v >= lo && v <= hi {
				buf = append(buf, o)
			}
		}
	}
	return roaring.BitmapOf(buf...), true
}
