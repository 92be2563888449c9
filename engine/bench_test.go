package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/archive"
	"searchdesk/engine/corpustest"
)

// benchMessages loads the first n messages of a corpus archive.
func benchMessages(b *testing.B, n int) [][]byte {
	b.Helper()
	path := corpustest.Path(b, "threaded/twisted-web.mbox.gz")
	var out [][]byte
	stop := fmt.Errorf("enough")
	_, err := archive.Walk(context.Background(), []string{path}, archive.Options{}, func(it archive.Item) error {
		out = append(out, it.Raw)
		if len(out) == n {
			return stop
		}
		return nil
	}, nil)
	if err != nil && err != stop {
		b.Fatal(err)
	}
	return out
}

// BenchmarkImport measures intake throughput (fsync'd by group commit every
// 256 messages, as `searchdesk import` does) beside a raw Badger loop that
// writes the same bytes with the same fsync policy, in the same run.
func BenchmarkImport(b *testing.B) {
	msgs := benchMessages(b, 2000)
	var size int
	for _, m := range msgs {
		size += len(m)
	}
	b.Run("intake", func(b *testing.B) {
		b.SetBytes(int64(size))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s, err := Open(b.TempDir(), Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.EnsureDesk(context.Background(), ""); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for i, raw := range msgs {
				if _, err := s.Intake(context.Background(), Inbound{Raw: raw, Channel: "import", Source: fmt.Sprint(i), NoSync: true}); err != nil {
					b.Fatal(err)
				}
				if i%256 == 255 {
					if err := s.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := s.Sync(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(len(msgs)*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
	b.Run("raw-badger", func(b *testing.B) {
		b.SetBytes(int64(size))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			db, err := badger.Open(badger.DefaultOptions(b.TempDir()).WithLogger(nil).WithMemTableSize(128 << 20).WithValueThreshold(64 << 10))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for i, raw := range msgs {
				err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(fmt.Sprintf("raw/%08d", i)), raw) })
				if err != nil {
					b.Fatal(err)
				}
				if i%256 == 255 {
					if err := db.Sync(); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := db.Sync(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(len(msgs)*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
