package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"searchdesk/engine"
)

// withShards opens a fresh index of the fixture's store with n shards.
func withShards(t *testing.T, f *fixture, n int) *Index {
	t.Helper()
	idx, err := OpenShards(filepath.Join(t.TempDir(), "index"), n, f.eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	if err := idx.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if idx.Shards() != n {
		t.Fatalf("index has %d shards, want %d", idx.Shards(), n)
	}
	return idx
}

// manyTickets adds n tickets over two desks and returns their ids.
func manyTickets(t *testing.T, f *fixture, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		desk := ""
		if i%3 == 0 {
			desk = "billing"
		}
		word := []string{"printer", "invoice", "login"}[i%3]
		raw := mail(fmt.Sprintf("user%d@cust%d.example.org", i, i%7), fmt.Sprintf("Case %d about %s", i, word),
			fmt.Sprintf("<many%d@x>", i), fmt.Sprintf("The %s fails again, case %d.", word, i))
		if _, err := f.eng.Intake(ctx, engine.Inbound{Desk: desk, Raw: raw, Channel: "email"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestShardsAnswerAsOne checks that an index split into shards answers
// exactly as one index: totals, facet counts, and every page of a cursor
// walk in every sort.
func TestShardsAnswerAsOne(t *testing.T) {
	f := newFixture(t)
	manyTickets(t, f, 120)
	one, three := withShards(t, f, 1), withShards(t, f, 3)
	ctx := context.Background()
	all := Scope{All: true}
	for _, q := range []string{"printer", "invoice OR login", "-desk:billing", "case sort:created-asc",
		"sort:priority-desc", "fails sort:relevance", "desk:billing printer"} {
		walk := func(x *Index) (ids []string, total uint64, facets map[string][]FacetValue) {
			cursor := ""
			for page := 0; ; page++ {
				r, err := x.Search(ctx, Request{Query: q, Scope: all, Size: 7, Cursor: cursor, Facets: page == 0})
				if err != nil {
					t.Fatalf("%q: %v", q, err)
				}
				if page == 0 {
					total, facets = r.Total, r.Facets
				}
				for _, h := range r.Hits {
					ids = append(ids, h.ID)
				}
				if r.Next == "" {
					return ids, total, facets
				}
				cursor = r.Next
			}
		}
		ids1, total1, facets1 := walk(one)
		ids3, total3, facets3 := walk(three)
		if total1 == 0 || total1 != total3 || uint64(len(ids1)) != total1 || uint64(len(ids3)) != total3 {
			t.Errorf("%q: totals %d (one shard) and %d (three), %d ids walked", q, total1, total3, len(ids3))
		}
		// Relevance scores depend on each shard's term statistics, so
		// only the set is compared there; every other sort is exact.
		if slices.Contains([]string{"fails sort:relevance", "invoice OR login", "printer", "desk:billing printer"}, q) {
			slices.Sort(ids1)
			slices.Sort(ids3)
		}
		if !slices.Equal(ids1, ids3) {
			t.Errorf("%q: pages differ between one shard and three", q)
		}
		for name, vals := range facets1 {
			if !slices.Equal(vals, facets3[name]) {
				t.Errorf("%q: facet %s: %v with one shard, %v with three", q, name, vals, facets3[name])
			}
		}
	}
}

// TestLostShardIsRebuilt removes one shard's directory: the index starts
// it empty and applies the whole feed again.
func TestLostShardIsRebuilt(t *testing.T) {
	f := newFixture(t)
	manyTickets(t, f, 30)
	f.shards = 2
	f.idx.Close()
	os.RemoveAll(f.dir)
	f.open(t)
	want, err := f.idx.Count(context.Background(), "", Scope{All: true})
	if err != nil || want < 30 {
		t.Fatalf("count %d, %v", want, err)
	}
	f.idx.Close()
	if err := os.RemoveAll(shardDir(f.dir, 1)); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	if got, _ := f.idx.Count(context.Background(), "", Scope{All: true}); got != want {
		t.Errorf("after losing a shard: %d tickets, want %d", got, want)
	}
}

// TestSingleIndexLayoutIsReplaced opens a directory holding one plain
// Bleve index (the layout before shards): it is replaced by a sharded one
// built from the store.
func TestSingleIndexLayoutIsReplaced(t *testing.T) {
	f := newFixture(t)
	f.idx.Close()
	os.RemoveAll(f.dir)
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := bleve.New(f.dir, m)
	if err != nil {
		t.Fatal(err)
	}
	bi.Close()
	f.open(t)
	if got := f.ids(t, "printer", Scope{All: true}); !slices.Equal(got, []string{"billing", "carol"}) {
		t.Errorf("printer: %v", got)
	}
	if _, err := os.Stat(filepath.Join(f.dir, shardsFile)); err != nil {
		t.Error(err)
	}
}

// TestNotAnIndexDirectory refuses a directory that holds something else.
func TestNotAnIndexDirectory(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, f.eng, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("opened a directory that is not an index")
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("the directory's file is gone: %v", err)
	}
}

// TestShardFailureIsAnError: when a shard cannot answer (here: the
// deadline has passed), the search fails instead of answering with what
// the other shards found.
func TestShardFailureIsAnError(t *testing.T) {
	f := newFixture(t)
	manyTickets(t, f, 30)
	x := withShards(t, f, 3)
	r, err := x.Search(context.Background(), Request{Query: "printer", Scope: Scope{All: true}, Deadline: time.Nanosecond})
	if err == nil {
		t.Fatalf("a search past its deadline answered %d hits and no error", r.Total)
	}
	if engine.ErrorCode(err) != CodeSearchTimeout || !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), "took longer") {
		t.Errorf("error %q: code %q, want %s, an ErrQuery that says the search took too long",
			err, engine.ErrorCode(err), CodeSearchTimeout)
	}
}

// TestOldDocumentVersionIsRebuilt: a shard whose documents were built by
// another version of buildDoc is started again and filled from the store,
// so nothing an older version indexed (a staff-only attachment in a
// customer's field) survives an upgrade.
func TestOldDocumentVersionIsRebuilt(t *testing.T) {
	f := newFixture(t)
	all := Scope{All: true}
	want := f.ids(t, "printer", all)
	for _, p := range f.idx.parts {
		if err := p.SetInternal([]byte(internalDocFormat), []byte("1")); err != nil {
			t.Fatal(err)
		}
		if err := p.Index("stale", map[string]any{"body": "stalewordonly"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.idx.Close(); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	if got := f.ids(t, "stalewordonly", all); len(got) != 0 {
		t.Errorf("a document of the old version survived: %v", got)
	}
	if got := f.ids(t, "printer", all); !slices.Equal(got, want) {
		t.Errorf("after the rebuild: %v, want %v", got, want)
	}
	for i, p := range f.idx.parts {
		if v, err := p.GetInternal([]byte(internalDocFormat)); err != nil || string(v) != docVersion {
			t.Errorf("shard %d: version %q, %v; want %q", i, v, err, docVersion)
		}
	}
}
