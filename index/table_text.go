package index

import (
	"context"
	"sort"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// What the table cannot evaluate itself (text, number:, from:, prefixes)
// Bleve matches, and the table takes the match set as a bitmap: each
// shard's searcher runs over its current snapshot without scoring or
// collecting, and each match's segment-local number becomes the table's
// ordinal through an array built once per immutable segment, as Lucene
// keeps per-segment arrays. Totals, facets and date or priority sorts of
// a text query then come from the table, never from Bleve's doc values.

// checkEvery is how many matches pass between two looks at the deadline.
const checkEvery = 4096

// segOrds caches, per segment of the shards' snapshots, the ordinal of
// each of its documents plus one. Segments are immutable: an entry stays
// valid while its segment is in use; entries of merged-away segments are
// dropped, and an array with a document the table does not know yet (its
// batch is being applied) is used once and not kept.
type segOrds struct {
	mu sync.Mutex
	m  map[segment.Segment][]uint32
}

// matchSet returns the ordinals of the tickets q matches; ok is false when
// a shard is not a scorch index or ctx ended. The caller holds t.mu for
// reading.
func (x *Index) matchSet(ctx context.Context, t *table, q query.Query) (*roaring.Bitmap, bool) {
	out := roaring.New()
	used := map[segment.Segment]bool{}
	for _, p := range x.parts {
		adv, err := p.Advanced()
		if err != nil {
			return nil, false
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, false
		}
		ok := x.shardMatches(ctx, t, r, p.Mapping(), q, out, used)
		if err := r.Close(); err != nil || !ok {
			return nil, false
		}
	}
	x.segOrds.mu.Lock()
	for s := range x.segOrds.m {
		if !used[s] {
			delete(x.segOrds.m, s)
		}
	}
	x.segOrds.mu.Unlock()
	return out, true
}

// shardMatches adds to out the ordinals of one shard's matches of q.
func (x *Index) shardMatches(ctx context.Context, t *table, r index.IndexReader, m mapping.IndexMapping, q query.Query,
	out *roaring.Bitmap, used map[segment.Segment]bool) bool {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return false
	}
	offsets, ords := x.segmentOrdinals(t, snap, used)
	s, err := q.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return false
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
	for n := 0; ; n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			return false
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return false
		}
		if dm == nil {
			return true
		}
		num := dm.IndexInternalID.Value()
		i := sort.Search(len(offsets), func(k int) bool { return offsets[k] > num }) - 1
		if local := num - offsets[i]; local < uint64(len(ords[i])) && ords[i][local] != 0 {
			out.Add(ords[i][local] - 1)
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}

// segmentOrdinals maps one snapshot's segments to their ordinal arrays,
// building those it has not seen.
func (x *Index) segmentOrdinals(t *table, snap *scorch.IndexSnapshot, used map[segment.Segment]bool) (offsets []uint64, ords [][]uint32) {
	x.segOrds.mu.Lock()
	defer x.segOrds.mu.Unlock()
	if x.segOrds.m == nil {
		x.segOrds.m = map[segment.Segment][]uint32{}
	}
	var running uint64
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		used[seg] = true
		a, ok := x.segOrds.m[seg]
		if !ok {
			complete := true
			a = make([]uint32, seg.Count())
			for n := range a {
				id, err := seg.DocID(uint64(n))
				if err != nil || id == nil {
					continue // a deleted document's slot
				}
				if o, known := t.ord[string(id)]; known {
					a[n] = o + 1
				} else {
					complete = false
				}
			}
			if complete {
				x.segOrds.m[seg] = a
			}
		}
		offsets = append(offsets, running)
		ords = append(ords, a)
		running += seg.Count()
	}
	return offsets, ords
}
