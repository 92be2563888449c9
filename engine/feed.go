package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// writeCtx collects what one transaction changed so that a single feed
// entry (invariant 3) and the audit entries (invariant 6) go in with it.
type writeCtx struct {
	s       *Store
	txn     *badger.Txn
	now     time.Time
	op      string
	tickets map[string]bool
	msgs    []string
	records []string // kind/id of records ticket documents copy values from
	feed    *FeedEntry
}

// touch marks ticket id as changed in this transaction.
func (w *writeCtx) touch(op, ticketID string) {
	if w.op == "" {
		w.op = op
	}
	if w.tickets == nil {
		w.tickets = map[string]bool{}
	}
	if ticketID != "" {
		w.tickets[ticketID] = true
	}
}

// audit writes one audit entry for a ticket change.
func (w *writeCtx) audit(ticketID, actor, field, old, new string) error {
	a := AuditEntry{ID: w.s.newID(), TicketID: ticketID, Time: w.now, Actor: actor, Field: field, Old: old, New: new}
	w.touch("update", ticketID)
	return putJSON(w.txn, key(pAudit, ticketID, a.ID), a)
}

func (w *writeCtx) appendFeed() error {
	if w.op == "" && len(w.tickets) == 0 && len(w.records) == 0 {
		return nil
	}
	v, err := getRaw(w.txn, []byte(metaFeedSeq))
	if err != nil && err != ErrNotFound {
		return err
	}
	e := &FeedEntry{Seq: u64(v) + 1, Time: w.now, Op: w.op, Messages: w.msgs, Records: w.records}
	for id := range w.tickets {
		e.Tickets = append(e.Tickets, id)
	}
	sort.Strings(e.Tickets)
	if err := putJSON(w.txn, feedKey(e.Seq), e); err != nil {
		return err
	}
	if err := w.txn.Set([]byte(metaFeedSeq), u64b(e.Seq)); err != nil {
		return err
	}
	w.feed = e
	return nil
}

// LastSeq returns the sequence of the newest committed feed entry.
func (s *Store) LastSeq() uint64 {
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	return s.lastSeq
}

// Feed returns up to limit feed entries with a sequence above after, in order.
func (s *Store) Feed(ctx context.Context, after uint64, limit int) ([]FeedEntry, error) {
	var out []FeedEntry
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte(pFeed)
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Seek(feedKey(after + 1)); it.Valid() && len(out) < limit; it.Next() {
			var e FeedEntry
			err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &e) })
			if err != nil {
				return fmt.Errorf("engine: feed entry: %w", err)
			}
			out = append(out, e)
		}
		return ctx.Err()
	})
	return out, err
}

// WaitFeed blocks until the feed has an entry above after or ctx ends.
func (s *Store) WaitFeed(ctx context.Context, after uint64) error {
	stop := context.AfterFunc(ctx, func() {
		s.feedMu.Lock()
		s.feedCond.Broadcast()
		s.feedMu.Unlock()
	})
	defer stop()
	s.feedMu.Lock()
	defer s.feedMu.Unlock()
	for s.lastSeq <= after {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.feedCond.Wait()
	}
	return nil
}
