package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/oklog/ulid/v2"

	"searchdesk/engine/extract"
)

// Options configures a Store.
type Options struct {
	// SyncEveryWrite makes Badger fsync inside every commit. When false,
	// durability comes from group commit: writers call Sync (Intake does
	// unless told not to), and one fsync serves every writer waiting.
	SyncEveryWrite bool
	// Logger receives Badger's warnings; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxRawBytes caps the raw message stored; larger mail is quarantined
	// with its first MaxRawBytes bytes (default 32 MiB).
	MaxRawBytes int
	// SecretKey (32 bytes) seals mailbox passwords and tokens at rest.
	SecretKey []byte
	// BaseURL is where the desk is served, for {{ticket_url}} in mail.
	BaseURL string
	// Extractor reads the text of attachments at intake; nil means
	// extract.InProcess, for tests and tools. Servers and imports pass an
	// extract.Child, so that a hostile file costs its own text only.
	Extractor extract.Extractor
}

// Store is the Badger database with searchdesk's records.
type Store struct {
	db   *badger.DB
	opts Options
	log  *slog.Logger

	wmu     sync.Mutex // serialises writers: feed sequence and counters stay gap-free
	entropy *ulid.MonotonicEntropy
	idmu    sync.Mutex

	syncMu   sync.Mutex
	syncCond *sync.Cond
	syncGen  uint64 // incremented when a sync starts
	syncDone uint64 // the last generation known durable
	syncing  bool
	syncErr  error

	feedMu   sync.Mutex
	feedCond *sync.Cond
	lastSeq  uint64
}

// Open opens (creating if needed) the store in dir.
func Open(dir string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxRawBytes <= 0 {
		opts.MaxRawBytes = 32 << 20
	}
	if opts.Extractor == nil {
		opts.Extractor = extract.InProcess{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bo := badger.DefaultOptions(dir).
		WithSyncWrites(opts.SyncEveryWrite).
		WithLogger(badgerLogger{log}).
		WithMemTableSize(128 << 20).
		WithValueThreshold(64 << 10).
		WithNumVersionsToKeep(1)
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("engine: open %s: %w", dir, err)
	}
	s := &Store{db: db, opts: opts, log: log, entropy: ulid.Monotonic(rand.Reader, 0)}
	s.syncCond = sync.NewCond(&s.syncMu)
	s.feedCond = sync.NewCond(&s.feedMu)
	err = db.View(func(txn *badger.Txn) error {
		v, err := getRaw(txn, []byte(metaFeedSeq))
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		s.lastSeq = u64(v)
		return err
	})
	if err == nil {
		err = s.buildTicketRefs()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close flushes and closes the database.
func (s *Store) Close() error {
	if err := s.db.Sync(); err != nil {
		s.db.Close()
		return fmt.Errorf("engine: sync: %w", err)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("engine: close: %w", err)
	}
	return nil
}

// DB exposes the Badger handle to tests and tools in this package tree.
func (s *Store) DB() *badger.DB { return s.db }

// Sync makes every commit that returned before the call durable. Concurrent
// callers share one fsync (group commit).
func (s *Store) Sync() error {
	if s.opts.SyncEveryWrite {
		return nil
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	// A sync that started after our commit covers it: wait for the
	// generation after the one currently running.
	want := s.syncGen + 1
	for s.syncDone < want {
		if !s.syncing {
			s.syncing = true
			s.syncGen++
			gen := s.syncGen
			s.syncMu.Unlock()
			err := s.db.Sync()
			s.syncMu.Lock()
			s.syncing = false
			s.syncDone = gen
			s.syncErr = err
			s.syncCond.Broadcast()
			if err != nil {
				return fmt.Errorf("engine: sync: %w", err)
			}
			continue
		}
		s.syncCond.Wait()
	}
	if s.syncErr != nil {
		return fmt.Errorf("engine: sync: %w", s.syncErr)
	}
	return nil
}

func (s *Store) newID() string {
	s.idmu.Lock()
	defer s.idmu.Unlock()
	return ulid.MustNew(ulid.Timestamp(s.opts.Now()), s.entropy).String()
}

// randomID returns 128 random bits, hex encoded, for ids that must not be
// guessable (AC-04).
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

func hashHex(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// shortHash keys long, arbitrary strings (Message-IDs, subjects).
func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

func getRaw(txn *badger.Txn, k []byte) ([]byte, error) {
	it, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("engine: get %q: %w", k, err)
	}
	return it.ValueCopy(nil)
}

func getJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := getRaw(txn, k)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("engine: decode %q: %w", k, err)
	}
	return nil
}

func putJSON(txn *badger.Txn, k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("engine: encode %q: %w", k, err)
	}
	return txn.Set(k, b)
}

// keysWithPrefix lists the keys under prefix (keys only, no values).
func keysWithPrefix(txn *badger.Txn, prefix []byte) [][]byte {
	o := badger.DefaultIteratorOptions
	o.PrefetchValues = false
	o.Prefix = prefix
	it := txn.NewIterator(o)
	defer it.Close()
	var out [][]byte
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, it.Item().KeyCopy(nil))
	}
	return out
}

// write runs fn in one read-write transaction under the writer lock,
// appending a feed entry if fn returns one. It returns after the commit;
// durability is the caller's through Sync unless SyncEveryWrite.
func (s *Store) write(ctx context.Context, fn func(txn *badger.Txn, w *writeCtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w := &writeCtx{s: s, now: s.opts.Now().UTC()}
	err := s.db.Update(func(txn *badger.Txn) error {
		w.txn = txn
		if err := fn(txn, w); err != nil {
			return err
		}
		return w.appendFeed()
	})
	if err != nil {
		if errors.Is(err, badger.ErrConflict) {
			return Errorf(CodeConflict, "err_busy", "engine: a concurrent change")
		}
		return err
	}
	if w.feed != nil {
		s.feedMu.Lock()
		s.lastSeq = w.feed.Seq
		s.feedCond.Broadcast()
		s.feedMu.Unlock()
	}
	return nil
}

// badgerLogger routes Badger's messages to slog at a level that keeps
// routine compaction chatter out of the way.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug(fmt.Sprintf(f, a...), "component", "badger")
}

// eachJSON decodes every value under prefix, in key order.
func eachJSON(txn *badger.Txn, prefix []byte, newV func() any, fn func(any) error) error {
	o := badger.DefaultIteratorOptions
	o.Prefix = prefix
	it := txn.NewIterator(o)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		v := newV()
		err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, v) })
		if err != nil {
			return fmt.Errorf("engine: decode %q: %w", it.Item().Key(), err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// contentHash is the hex sha256 of b: attachments are stored once per hash.
func contentHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
