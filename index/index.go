package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"searchdesk/engine"
	"searchdesk/index/lang"
)

// internalSeq is the Bleve internal key holding the last feed sequence the
// index has applied (invariant 3).
const internalSeq = "feedseq"

// queryAnalyzer analyses the words of a query, expanding each to its
// stems in every language (see package lang); text fields are indexed
// with lang.IndexAnalyzer.
const queryAnalyzer = lang.QueryAnalyzer

// textFields of the index, and the weight of each in scoring: quoted
// history and signatures count for less than what a message says anew.
var textBoost = map[string]float64{
	"subject": 2, "body": 1, "quoted": 0.3, "note": 1, "unverified": 0.5, "attachment": 0.7,
}

// newMapping builds the index mapping: one document type, the ticket.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range []string{"subject", "body", "quoted", "note", "unverified", "attachment"} {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = lang.IndexAnalyzer
		f.Store = false
		f.IncludeTermVectors = true // positions, for phrases
		f.DocValues = false         // nothing sorts or facets on text
		f.IncludeInAll = false
		doc.AddFieldMappingsAt(name, f)
	}
	for _, f := range []string{"number", "from", "to", "cc", "status", "priority", "category", "desk", "desk_id",
		"assignee", "customer", "contact_id", "account", "account_id", "type", "tag", "source", "sla", "has", "file"} {
		k := bleve.NewKeywordFieldMapping()
		k.Store = false
		k.DocValues = slices.Contains(facetFields(), f)
		k.IncludeInAll = false
		doc.AddFieldMappingsAt(f, k)
	}
	n := bleve.NewNumericFieldMapping()
	n.Store = false
	n.IncludeInAll = false
	doc.AddFieldMappingsAt("priority_rank", n)
	for _, f := range []string{"created", "updated"} {
		dt := bleve.NewDateTimeFieldMapping()
		dt.Store = false
		dt.IncludeInAll = false
		doc.AddFieldMappingsAt(f, dt)
	}
	m.DefaultMapping = doc
	m.DefaultAnalyzer = lang.IndexAnalyzer
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

// Index is the Bleve index of the store's tickets, split into shards
// that index and search in parallel.
type Index struct {
	dir   string
	eng   *engine.Store
	log   *slog.Logger
	parts []bleve.Index    // the shards; a ticket lives in shardOf(id)
	bi    bleve.IndexAlias // searches every shard and merges the results
	table *table           // the ticket table (table.go); nil in an index Rebuild makes
	// tableFrom says where the table came from when the index opened:
	// "snapshot" or "store".
	tableFrom string
	segOrds   segOrds // per-segment ordinals, for match sets of text (table_text.go)

	applyMu sync.Mutex // one applier at a time
	mu      sync.Mutex
	cond    *sync.Cond
	applied uint64

	closeOnce sync.Once
	closeErr  error
}

// Open opens the index in dir, creating it if missing with one shard per
// core. A missing index is rebuilt by the follower from the store (REL-02).
func Open(dir string, eng *engine.Store, log *slog.Logger) (*Index, error) {
	return OpenShards(dir, 0, eng, log)
}

// OpenShards is Open with the shard count a new index gets (0: one per
// core); an existing index keeps the count it was made with.
func OpenShards(dir string, shards int, eng *engine.Store, log *slog.Logger) (*Index, error) {
	x, err := openIndex(dir, shards, eng, log)
	if err != nil {
		return nil, err
	}
	if err := x.openTable(context.Background()); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// openIndex opens the Bleve shards in dir, without the ticket table.
func openIndex(dir string, shards int, eng *engine.Store, log *slog.Logger) (*Index, error) {
	parts, err := openShards(dir, shards, log)
	if err != nil {
		return nil, fmt.Errorf("index: open %s: %w", dir, err)
	}
	x := &Index{dir: dir, eng: eng, log: log, parts: parts, bi: bleve.NewIndexAlias(parts...)}
	x.cond = sync.NewCond(&x.mu)
	// The index has applied what its least advanced shard has applied.
	for i, p := range parts {
		v, err := p.GetInternal([]byte(internalSeq))
		if err != nil {
			closeAll(parts)
			return nil, fmt.Errorf("index: read sequence: %w", err)
		}
		var seq uint64
		if len(v) == 8 {
			seq = binary.BigEndian.Uint64(v)
		}
		if i == 0 || seq < x.applied {
			x.applied = seq
		}
	}
	return x, nil
}

// Close saves the ticket table's snapshot and closes the Bleve index;
// closing twice is harmless. A snapshot that cannot be saved is only
// logged: the next start builds the table from the store.
func (x *Index) Close() error {
	x.closeOnce.Do(func() {
		if x.table != nil {
			if err := x.table.save(x.dir); err != nil {
				x.log.Warn("index: ticket table not saved", "err", err)
			}
		}
		x.closeErr = closeAll(x.parts)
	})
	return x.closeErr
}

// Applied returns the last feed sequence the index has applied.
func (x *Index) Applied() uint64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.applied
}

// feedBatch is how many feed entries one read of the feed returns, and
// maxBatchDocs about how many tickets one Bleve batch indexes.
const (
	feedBatch    = 512
	maxBatchDocs = 5000
)

// pending is one Bleve batch ready to apply: the tickets of a run of feed
// entries and, when it ends on an entry's end, that entry's sequence.
type pending struct {
	batches []*bleve.Batch // one per shard
	rows    []tableRow     // the same tickets for the ticket table
	seq     uint64         // 0 when the batch ends inside an entry
}

// CatchUp applies every feed entry the index has not applied yet. Reading
// tickets from the store and indexing them overlap: one goroutine builds
// the next batch while Bleve indexes the current one.
func (x *Index) CatchUp(ctx context.Context) error {
	x.applyMu.Lock()
	defer x.applyMu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan pending, 1)
	built := make(chan error, 1)
	go func() {
		defer close(ready)
		built <- x.buildBatches(ctx, x.Applied(), ready)
	}()
	for p := range ready {
		if err := x.applyBatch(p); err != nil {
			cancel()
			for range ready {
			}
			<-built
			return err
		}
	}
	return <-built
}

// buildBatches reads the feed after seq and sends Bleve batches of at most
// about maxBatchDocs tickets until the feed is exhausted.
func (x *Index) buildBatches(ctx context.Context, from uint64, out chan<- pending) error {
	var ids []string
	seen := map[string]bool{}
	send := func(seq uint64) error {
		b, rows, err := x.buildBatch(ctx, ids)
		if err != nil {
			return err
		}
		if seq != 0 {
			setSeq(b, seq)
		}
		select {
		case out <- pending{batches: b, rows: rows, seq: seq}:
		case <-ctx.Done():
			return ctx.Err()
		}
		ids = ids[:0]
		clear(seen)
		return nil
	}
	for {
		entries, err := x.eng.Feed(ctx, from, feedBatch)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		for i := range entries {
			e := &entries[i]
			// A batch that fills up inside an entry goes without a sequence:
			// the entry counts as applied only with its last ticket.
			err := x.eng.EntryTickets(ctx, e, func(id string) error {
				if seen[id] {
					return nil
				}
				if len(ids) >= maxBatchDocs {
					if err := send(0); err != nil {
						return err
					}
				}
				seen[id] = true
				ids = append(ids, id)
				return nil
			})
			if err != nil {
				return err
			}
			if len(ids) >= maxBatchDocs || i == len(entries)-1 {
				if err := send(e.Seq); err != nil {
					return err
				}
			}
		}
		from = entries[len(entries)-1].Seq
	}
}

// buildBatch reads the tickets from the store and turns them into index
// documents, one batch per shard, and the same documents as rows of the
// ticket table; a ticket that no longer exists is deleted from both.
func (x *Index) buildBatch(ctx context.Context, ids []string) ([]*bleve.Batch, []tableRow, error) {
	bs := make([]*bleve.Batch, len(x.parts))
	for i, p := range x.parts {
		bs[i] = p.NewBatch()
	}
	rows := make([]tableRow, 0, len(ids))
	err := x.eng.Bundles(ctx, ids, func(id string, bun *engine.Bundle, err error) error {
		b := bs[shardOf(id, len(bs))]
		if err != nil {
			b.Delete(id)
			rows = append(rows, tableRow{id: id})
			return nil
		}
		d := buildDoc(bun)
		if err := b.Index(id, d); err != nil {
			return fmt.Errorf("index: ticket %s: %w", id, err)
		}
		rows = append(rows, tableRow{id: id, doc: &d})
		return nil
	})
	return bs, rows, err
}

// setSeq records in every shard's batch the feed sequence it brings the
// index up to.
func setSeq(bs []*bleve.Batch, seq uint64) {
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], seq)
	for _, b := range bs {
		b.SetInternal([]byte(internalSeq), v[:])
	}
}

// applyBatch indexes one batch, each shard's part in parallel, applies
// the same tickets to the ticket table and, when it carries one, records
// the sequence it brings both up to: a writer waiting in WaitFor sees its
// change in Bleve and in the table.
func (x *Index) applyBatch(p pending) error {
	if err := applyShards(x.parts, p.batches); err != nil {
		return fmt.Errorf("index: apply feed: %w", err)
	}
	if x.table != nil {
		x.table.apply(p.rows, p.seq)
	}
	if p.seq != 0 {
		x.mu.Lock()
		x.applied = p.seq
		x.cond.Broadcast()
		x.mu.Unlock()
	}
	return nil
}

// Run follows the feed until ctx ends, applying entries as they commit.
func (x *Index) Run(ctx context.Context) error {
	for {
		if err := x.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			x.log.Error("index follower", "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		if err := x.eng.WaitFeed(ctx, x.Applied()); err != nil {
			return nil
		}
	}
}

// WaitFor blocks until the index has applied seq (read-your-writes), at
// most until ctx ends.
func (x *Index) WaitFor(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		x.mu.Lock()
		x.cond.Broadcast()
		x.mu.Unlock()
	})
	defer stop()
	x.mu.Lock()
	defer x.mu.Unlock()
	for x.applied < seq {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("index: not yet searchable: %w", err)
		}
		x.cond.Wait()
	}
	return nil
}

// Rebuild builds a fresh index of every ticket in dir, for `searchdesk
// reindex`: the caller swaps it in. It starts from the feed sequence at the
// time it begins, so changes made meanwhile are applied afterwards.
func Rebuild(ctx context.Context, dir string, eng *engine.Store, log *slog.Logger, progress func(n int)) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	// The fresh index gets no table: the index opened on it after the
	// swap builds its own.
	x, err := openIndex(dir, 0, eng, log)
	if err != nil {
		return err
	}
	seq := eng.LastSeq()
	var ids []string
	n := 0
	flush := func() error {
		b, _, err := x.buildBatch(ctx, ids)
		if err != nil {
			return err
		}
		if err := applyShards(x.parts, b); err != nil {
			return err
		}
		n += len(ids)
		ids = ids[:0]
		if progress != nil {
			progress(n)
		}
		return nil
	}
	err = eng.EachTicket(ctx, func(t *engine.Ticket) error {
		if ids = append(ids, t.ID); len(ids) >= maxBatchDocs/2 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		bs := make([]*bleve.Batch, len(x.parts))
		for i, p := range x.parts {
			bs[i] = p.NewBatch()
		}
		setSeq(bs, seq)
		err = applyShards(x.parts, bs)
	}
	if cerr := x.Close(); err == nil {
		err = cerr
	}
	return err
}

// Busy reports whether Bleve is still persisting or merging segments in the
// background in any shard: right after a bulk load searches are slower
// until it settles.
func (x *Index) Busy() bool {
	for _, p := range x.parts {
		if Busy(p) {
			return true
		}
	}
	return false
}

// Busy reports whether one Bleve index is persisting or merging segments.
func Busy(bi bleve.Index) bool {
	st, ok := bi.StatsMap()["index"].(map[string]any)
	if !ok {
		return false
	}
	busy, _ := st["index_bgthreads_active"].(bool)
	return busy
}

// WaitSettled waits until busy has been false for a few consecutive
// checks, or ctx ends.
func WaitSettled(ctx context.Context, busy func() bool) error {
	quiet := 0
	for quiet < 4 {
		if busy() {
			quiet = 0
		} else {
			quiet++
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil
}

// Shards returns how many shards the index has.
func (x *Index) Shards() int { return len(x.parts) }
