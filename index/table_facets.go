package index

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// facets counts the tickets per value of each field over the match set,
// as facetsOf reads Bleve's facets: the values that occur, most tickets
// first and then by value, at most facetValues of them, each with the
// query term that adds it.
func (t *table) facets(match *roaring.Bitmap, fields []string) map[string][]FacetValue {
	out := make(map[string][]FacetValue, len(fields))
	for _, name := range fields {
		f, single, ok := tableField(name)
		if !ok {
			continue
		}
		d, counts := t.dictOf(f, single), []int(nil)
		if single {
			counts = t.countColumn(match, f)
		} else {
			counts = t.countSet(match, f)
		}
		vals := []FacetValue{}
		for c, n := range counts {
			if n > 0 {
				vals = append(vals, FacetValue{Value: d.values[c], Count: n})
			}
		}
		slices.SortFunc(vals, func(a, b FacetValue) int {
			if a.Count != b.Count {
				return cmp.Compare(b.Count, a.Count)
			}
			return cmp.Compare(a.Value, b.Value)
		})
		vals = vals[:min(len(vals), facetValues)]
		for i := range vals {
			vals[i].Term = facetTerm(name, vals[i].Value)
		}
		out[name] = vals
	}
	return out
}

// perValue says whether to count a facet by intersecting the match set
// with each value's bitmap rather than by reading every match's codes:
// the former when the matches far outnumber the values.
func perValue(match *roaring.Bitmap, values int) bool {
	return match.GetCardinality() > uint64(values)*32
}

// countColumn counts the matches per code of a single-valued field.
func (t *table) countColumn(match *roaring.Bitmap, f int) []int {
	d := &t.colDict[f]
	counts := make([]int, len(d.values))
	if perValue(match, len(d.values)) {
		for c, bm := range d.bits {
			counts[c] = int(match.AndCardinality(bm))
		}
		return counts
	}
	col := &t.cols[f]
	eachOrdinal(match, func(o uint32) { counts[col.get(o)]++ })
	return counts
}

// countSet counts the matches per code of a multi-valued field.
func (t *table) countSet(match *roaring.Bitmap, f int) []int {
	d := &t.setDict[f]
	counts := make([]int, len(d.values))
	if perValue(match, len(d.values)) {
		for c, bm := range d.bits {
			counts[c] = int(match.AndCardinality(bm))
		}
		return counts
	}
	eachOrdinal(match, func(o uint32) {
		for _, c := range t.lists.list(o, f) {
			counts[c]++
		}
	})
	return counts
}

// eachOrdinal calls fn for every ordinal in bm, in order.
func eachOrdinal(bm *roaring.Bitmap, fn func(o uint32)) {
	it := bm.ManyIterator()
	page := make([]uint32, 1024)
	for n := it.NextMany(page); n > 0; n = it.NextMany(page) {
		for _, o := range page[:n] {
			fn(o)
		}
	}
}
