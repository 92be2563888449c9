package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"searchdesk/engine"
)

// openTable gives the index its ticket table: the snapshot in the index
// directory when there is one it can use, brought up to the sequence the
// Bleve index has applied; else one built from the store, and saved at
// once, so that a crash before Close does not cost the next start another
// build. From there the follower applies the feed to both.
func (x *Index) openTable(ctx context.Context) error {
	start := time.Now()
	t, err := readTable(x.dir)
	switch {
	case err == nil && t.seq > x.eng.LastSeq():
		x.log.Warn("index: ticket table snapshot is ahead of the store: building the table from the store",
			"snapshot", t.seq, "store", x.eng.LastSeq())
	case err == nil:
		// A snapshot saved before a crash is behind what the Bleve index
		// has applied since: the follower starts from the index's
		// sequence, so the table catches up on its own first.
		if err := replayTable(ctx, x.eng, t, x.Applied()); err != nil {
			return err
		}
		t.dirty = false
		x.table, x.tableFrom = t, "snapshot"
		x.log.Debug("index: ticket table read", "tickets", t.alive.GetCardinality(), "took", time.Since(start))
		return nil
	case !errors.Is(err, os.ErrNotExist):
		x.log.Warn("index: ticket table snapshot unusable: building the table from the store", "err", err)
	}
	if t, err = loadTable(ctx, x.eng, x.log); err != nil {
		return err
	}
	x.table, x.tableFrom = t, "store"
	if err := t.save(x.dir); err != nil {
		x.log.Warn("index: ticket table not saved", "err", err)
	}
	return nil
}

// replayTable applies to t the feed entries after its sequence up to to,
// reading each named ticket from the store as the follower does.
func replayTable(ctx context.Context, eng *engine.Store, t *table, to uint64) error {
	for t.seq < to {
		entries, err := eng.Feed(ctx, t.seq, feedBatch)
		if err != nil || len(entries) == 0 {
			return err
		}
		var ids []string
		seen := map[string]bool{}
		for i := range entries {
			if err := eng.EntryTickets(ctx, &entries[i], func(id string) error {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		rows := make([]tableRow, 0, len(ids))
		err = eng.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
			row := tableRow{id: id}
			if err == nil {
				d := tableDoc(b)
				row.doc = &d
			}
			rows = append(rows, row)
			return nil
		})
		if err != nil {
			return fmt.Errorf("index: bring the ticket table up to date: %w", err)
		}
		t.apply(rows, entries[len(entries)-1].Seq)
	}
	return nil
}

// loadBatch is how many tickets one read of the store brings in while the
// table is built.
const loadBatch = 1000

// loadTable builds the ticket table from the store, as Rebuild reads it:
// every ticket's bundle through tableDoc, without Bleve and without the
// text analysis. It starts from the feed sequence at the time it begins,
// never ahead of what the Bleve index has applied, so the follower
// applies to both whatever changed meanwhile; applying a ticket twice is
// harmless, the table keeps its latest values. Reading and decoding the
// bundles is most of the time, so one reader runs per core.
func loadTable(ctx context.Context, eng *engine.Store, log *slog.Logger) (*table, error) {
	start := time.Now()
	t := newTable()
	t.seq = eng.LastSeq()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []string)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range max(runtime.GOMAXPROCS(0), 1) {
		wg.Go(func() {
			if err := loadBatches(ctx, eng, t, batches); err != nil {
				select {
				case errs <- err:
				default:
				}
				cancel()
			}
		})
	}
	ids := make([]string, 0, loadBatch)
	err := eng.EachTicket(ctx, func(tk *engine.Ticket) error {
		if ids = append(ids, tk.ID); len(ids) < loadBatch {
			return nil
		}
		select {
		case batches <- ids:
		case <-ctx.Done():
			return ctx.Err()
		}
		ids = make([]string, 0, loadBatch)
		return nil
	})
	if err == nil && len(ids) > 0 {
		select {
		case batches <- ids:
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err = <-errs:
	default:
	}
	if err != nil {
		return nil, fmt.Errorf("index: build the ticket table: %w", err)
	}
	log.Debug("index: ticket table built from the store", "tickets", t.alive.GetCardinality(), "took", time.Since(start))
	return t, nil
}

// loadBatches reads the bundles of each batch of ticket ids and puts them
// into t, until batches is closed.
func loadBatches(ctx context.Context, eng *engine.Store, t *table, batches <-chan []string) error {
	docs := make([]tableRow, 0, loadBatch)
	for ids := range batches {
		docs = docs[:0]
		err := eng.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
			if err == nil { // gone since it was listed: the feed says so
				d := tableDoc(b)
				docs = append(docs, tableRow{id: id, doc: &d})
			}
			return nil
		})
		if err != nil {
			return err
		}
		t.apply(docs, 0)
	}
	return nil
}
