package index

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"searchdesk/engine"
)

// loadBatch is how many tickets one read of the store brings in while the
// table is built.
const loadBatch = 1000

// loadTable builds the ticket table from the store, as Rebuild reads it:
// every ticket's bundle through tableDoc, without Bleve and without the
// text analysis. It starts from the feed sequence at the time it begins,
// never ahead of what the Bleve index has applied, so the follower
// applies to both whatever changed meanwhile; applying a ticket twice is
// harmless, the table keeps its latest values.
func loadTable(ctx context.Context, eng *engine.Store, log *slog.Logger) (*table, error) {
	start := time.Now()
	t := newTable()
	t.seq = eng.LastSeq()
	ids := make([]string, 0, loadBatch)
	flush := func() error {
		err := eng.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
			if err == nil { // gone since it was listed: the feed says so
				d := tableDoc(b)
				t.put(id, &d)
			}
			return nil
		})
		ids = ids[:0]
		return err
	}
	err := eng.EachTicket(ctx, func(tk *engine.Ticket) error {
		if ids = append(ids, tk.ID); len(ids) == loadBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return nil, fmt.Errorf("index: build the ticket table: %w", err)
	}
	log.Debug("index: ticket table built", "tickets", t.alive.GetCardinality(), "took", time.Since(start))
	return t, nil
}
