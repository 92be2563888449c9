package index

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"searchdesk/engine"
)

// TestTableSnapshot: an index that opens again reads its table from the
// snapshot Close saved and answers as Bleve does; a snapshot from before
// later changes (a crash after them) is brought up to date from the feed;
// a damaged one is ignored and the table built from the store.
func TestTableSnapshot(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := map[string]Scope{"admin": {All: true, Me: "agent@desk.example.com"}}
	open := func(wantFrom string) *Index {
		t.Helper()
		x, err := Open(f.dir, f.eng, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		if x.tableFrom != wantFrom {
			t.Errorf("table from %q, want %q", x.tableFrom, wantFrom)
		}
		if err := x.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if f.idx.tableFrom != "store" {
		t.Errorf("a new index's table from %q, want the store", f.idx.tableFrom)
	}
	f.idx.Close()
	x := open("snapshot")
	sameAnswersAll(t, x, 2, admin)

	old, err := os.ReadFile(filepath.Join(f.dir, tableFile))
	if err != nil {
		t.Fatal(err)
	}
	f.idx = x
	f.intake(t, "new", "billing", mail("nina@n.example", "Printer again", "<n1@x>", "The printer is broken again."))
	st, tags := "closed", []string{"done"}
	if _, err := f.eng.UpdateTicket(ctx, "admin@desk.example.com", f.tix["dave"].TicketID,
		engine.Change{Status: &st, Tags: &tags}, 0); err != nil {
		t.Fatal(err)
	}
	if err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	x.Close()
	// As after a crash: Bleve has applied the changes, the snapshot is
	// the one from before them.
	if err := os.WriteFile(filepath.Join(f.dir, tableFile), old, 0o644); err != nil {
		t.Fatal(err)
	}
	x = open("snapshot")
	sameAnswersAll(t, x, 2, admin, "tag:done", "desk:billing")
	if r, err := x.Search(ctx, Request{Query: "tag:done status:closed", Scope: Scope{All: true}}); err != nil || r.Total != 1 {
		t.Errorf("tag:done after the replay: %+v %v, want 1 ticket", r, err)
	}
	x.Close()

	b, err := os.ReadFile(filepath.Join(f.dir, tableFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, damaged := range [][]byte{b[:len(b)/2], flipByte(b, len(b)/3), flipByte(b, len(b)-6)} { // cut short, bytes changed
		if err := os.WriteFile(filepath.Join(f.dir, tableFile), damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		x = open("store")
		sameAnswersAll(t, x, 2, admin, "tag:done")
		x.Close()
	}
}

func flipByte(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0x5a
	return out
}
