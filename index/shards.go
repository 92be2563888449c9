package index

import (
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
)

// An index directory holds one Bleve index per shard, shard-0 … shard-N-1,
// the ticket table's snapshot "table" (table_snapshot.go),
// and a file "shards" with N. A ticket lives in the shard its id hashes to;
// a search runs on every shard at once (bleve.IndexAlias) and merges the
// results, so one query uses every core, and so does indexing.
const shardsFile = "shards"

// maxShards bounds the shard count a directory may name.
const maxShards = 64

// shardCount is how many shards a new index gets when asked for n: n, or
// for 0 one per core (GOMAXPROCS), at most 8.
func shardCount(n int) int {
	if n > 0 {
		return min(n, maxShards)
	}
	return min(max(runtime.GOMAXPROCS(0), 1), 8)
}

// shardOf is the shard of a ticket id.
func shardOf(id string, n int) int {
	if n == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(n))
}

// openShards opens the shards in dir, creating a fresh index when dir is
// missing or empty. A directory in the layout before shards (one Bleve
// index at its top) is removed and made anew: the index is derived, and
// the follower rebuilds it from the store (invariant 1).
func openShards(dir string, newShards int, log *slog.Logger) ([]bleve.Index, error) {
	n, err := readShardCount(dir)
	if errors.Is(err, errNoShards) {
		if _, serr := os.Stat(filepath.Join(dir, "index_meta.json")); serr == nil {
			log.Warn("index: rebuilding an index in the single-shard layout", "dir", dir)
			if err := os.RemoveAll(dir); err != nil {
				return nil, err
			}
		} else if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			for _, e := range entries {
				if !strings.HasPrefix(e.Name(), "shard-") && !strings.HasPrefix(e.Name(), tableFile) {
					return nil, fmt.Errorf("%s is not empty and holds no %q file: not an index directory", dir, shardsFile)
				}
			}
			// Only shards: a creation that stopped before its count
			// was written.
			if err := os.RemoveAll(dir); err != nil {
				return nil, err
			}
		}
		return createShards(dir, shardCount(newShards))
	}
	if err != nil {
		return nil, err
	}
	parts := make([]bleve.Index, 0, n)
	for i := range n {
		p, err := openShard(dir, i, log)
		if err != nil {
			closeAll(parts)
			return nil, fmt.Errorf("shard %d: %w", i, err)
		}
		parts = append(parts, p)
	}
	return parts, nil
}

// docVersion says what the documents of a shard hold. Bump it whenever
// buildDoc or the mapping changes what a ticket's document holds: a shard
// of another version is started again empty at open and the follower
// fills it from the store, so no document keeps what an older version put
// in it (version 2: staff-only messages' attachments left the customer's
// fields).
const (
	docVersion        = "2"
	internalDocFormat = "docversion"
)

// openShard opens shard i of dir. A shard lost on its own, or holding
// documents of another docVersion, starts empty: its sequence is 0, so
// the follower applies the whole feed again, and the saved ticket table
// is dropped with it.
func openShard(dir string, i int, log *slog.Logger) (bleve.Index, error) {
	p, err := bleve.Open(shardDir(dir, i))
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return newShard(shardDir(dir, i))
	}
	if err != nil {
		return nil, err
	}
	v, err := p.GetInternal([]byte(internalDocFormat))
	if err == nil && string(v) == docVersion {
		return p, nil
	}
	log.Warn("index: rebuilding a shard of another document version", "shard", i, "version", string(v), "want", docVersion)
	if err := errors.Join(p.Close(), os.RemoveAll(shardDir(dir, i))); err != nil {
		return nil, err
	}
	if err := os.Remove(filepath.Join(dir, tableFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return newShard(shardDir(dir, i))
}

var errNoShards = errors.New("no shards file")

func readShardCount(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, shardsFile))
	if errors.Is(err, os.ErrNotExist) {
		return 0, errNoShards
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 1 || n > maxShards {
		return 0, fmt.Errorf("%s: want a shard count from 1 to %d, got %q", filepath.Join(dir, shardsFile), maxShards,
			strings.TrimSpace(string(b)))
	}
	return n, nil
}

func createShards(dir string, n int) ([]bleve.Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	parts := make([]bleve.Index, 0, n)
	for i := range n {
		p, err := newShard(shardDir(dir, i))
		if err != nil {
			closeAll(parts)
			return nil, fmt.Errorf("shard %d: %w", i, err)
		}
		parts = append(parts, p)
	}
	// The count is written last: a directory without it is never taken
	// for a whole index.
	if err := os.WriteFile(filepath.Join(dir, shardsFile), []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		closeAll(parts)
		return nil, err
	}
	return parts, nil
}

func newShard(dir string) (bleve.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	p, err := bleve.New(dir, m)
	if err != nil {
		return nil, err
	}
	if err := p.SetInternal([]byte(internalDocFormat), []byte(docVersion)); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func shardDir(dir string, i int) string {
	return filepath.Join(dir, "shard-"+strconv.Itoa(i))
}

func closeAll(parts []bleve.Index) error {
	var errs []error
	for _, p := range parts {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// applyShards applies each shard's batch, all shards at once.
func applyShards(parts []bleve.Index, bs []*bleve.Batch) error {
	if len(parts) == 1 {
		return parts[0].Batch(bs[0])
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { errs[i] = p.Batch(bs[i]) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
