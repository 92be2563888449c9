package index

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
)

// benchDesks are the desks of generated tickets, the most used first.
func benchDesks() []string {
	return []string{"pl-billing", "pl-support", "cz-billing", "cz-support", "en-support", "tech-l2", "sales", "vip"}
}

// genTickets makes n tickets with about the distributions of the bench
// corpus (cmd/searchdesk/benchdata.go): most tickets closed, Zipf-skewed
// categories and customers, five agents a desk, three years of dates,
// bodies of 30-300 words. The same seed gives the same tickets.
func genTickets(n int, seed uint64) []engine.TicketImport {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	weighted := func(w ...int) int {
		sum := 0
		for _, x := range w {
			sum += x
		}
		k := r.IntN(sum)
		for i, x := range w {
			if k -= x; k < 0 {
				return i
			}
		}
		return 0
	}
	zipf := rand.NewZipf(r, 1.1, 1, 19)
	customers := rand.NewZipf(r, 1.05, 4, uint64(max(n/10, 50)))
	words := strings.Fields("the printer paper jam invoice refund payment order delivery login password error " +
		"faktura zgłoszenie hasło konto zamówienie przesyłka tiskárna účet přihlášení platba objednávka zásilka")
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]engine.TicketImport, 0, n)
	for i := range n {
		d := weighted(21, 16, 13, 13, 13, 9, 4, 11)
		created := start.Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		var body strings.Builder
		for range 30 + r.IntN(270) {
			body.WriteString(words[r.IntN(len(words))] + " ")
		}
		t := engine.TicketImport{Desk: benchDesks()[d], Number: strconv.Itoa(i + 1),
			Subject:  "ticket " + words[r.IntN(len(words))] + " " + words[r.IntN(len(words))],
			Body:     body.String(),
			Status:   []string{"closed", "resolved", "open", "waiting", "in_progress"}[weighted(80, 13, 3, 2, 2)],
			Priority: []string{"low", "normal", "high", "urgent"}[weighted(29, 44, 20, 7)],
			Category: fmt.Sprintf("cat-%d", zipf.Uint64()), Customer: fmt.Sprintf("c%d@customer.example", customers.Uint64()),
			SLA:     []string{"ok", "none", "breached", "at_risk"}[weighted(73, 16, 9, 2)],
			Created: created, Updated: created.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))}
		if r.IntN(10) > 0 {
			t.Assignee = fmt.Sprintf("agent%d.%s@desk.example.com", r.IntN(5), t.Desk)
		}
		for range weighted(50, 30, 15, 5) {
			t.Tags = append(t.Tags, fmt.Sprintf("tag-%d", zipf.Uint64()))
		}
		out = append(out, t)
	}
	return out
}

// benchStore imports n generated tickets into a new store in dir.
func benchStore(b *testing.B, dir string, n int) *engine.Store {
	b.Helper()
	ctx := context.Background()
	eng, err := engine.Open(dir, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	for _, code := range benchDesks() {
		if _, err := eng.SaveDesk(ctx, engine.Desk{Code: code, Name: code, Pattern: "{{nr}}",
			Addresses: []string{code + "@bench.invalid"}}); err != nil {
			b.Fatal(err)
		}
		for k := range 5 {
			if _, err := eng.AddUser(ctx, engine.User{Email: fmt.Sprintf("agent%d.%s@desk.example.com", k, code),
				Role: engine.RoleAgent}); err != nil {
				b.Fatal(err)
			}
		}
	}
	in := genTickets(n, 42)
	for len(in) > 0 {
		k := min(len(in), 1000)
		if _, err := eng.ImportTickets(ctx, in[:k]); err != nil {
			b.Fatal(err)
		}
		in = in[k:]
	}
	if err := eng.Sync(); err != nil {
		b.Fatal(err)
	}
	return eng
}

// BenchmarkTableLoad times what an index does for its ticket table when
// it opens: build it from the store (no snapshot, or a damaged one), or
// read the snapshot Close saved; at 20,000 tickets, or at the sizes in
// SEARCHDESK_TABLE_LOAD (comma-separated).
func BenchmarkTableLoad(b *testing.B) {
	sizes := "20000"
	if s := os.Getenv("SEARCHDESK_TABLE_LOAD"); s != "" {
		sizes = s
	}
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		eng := benchStore(b, b.TempDir(), n)
		dir := b.TempDir()
		b.Run(strconv.Itoa(n)+"/store", func(b *testing.B) {
			for b.Loop() {
				t, err := loadTable(context.Background(), eng, slog.New(slog.DiscardHandler))
				if err != nil || t.alive.GetCardinality() != uint64(n) {
					b.Fatalf("table of %v tickets: %v", t.alive.GetCardinality(), err)
				}
				if err := saveTable(dir, t); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/ticket")
		})
		b.Run(strconv.Itoa(n)+"/snapshot", func(b *testing.B) {
			for b.Loop() {
				t, err := readTable(dir)
				if err != nil || t.alive.GetCardinality() != uint64(n) {
					b.Fatalf("snapshot: %v", err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/ticket")
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			t, err := readTable(dir)
			runtime.GC()
			runtime.ReadMemStats(&after)
			if err == nil {
				b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/float64(t.alive.GetCardinality()), "heap-bytes/ticket")
			}
			if st, err := os.Stat(filepath.Join(dir, tableFile)); err == nil {
				b.ReportMetric(float64(st.Size())/float64(n), "bytes/ticket")
			}
		})
	}
}

// BenchmarkTable compares the ticket table with Bleve alone at 50,000
// generated tickets: a filter-only page (newest first, 25 rows), the
// same with facets, and a saved view's count.
func BenchmarkTable(b *testing.B) {
	const n = 50000
	ctx := context.Background()
	dir := b.TempDir()
	eng := benchStore(b, filepath.Join(dir, "store"), n)
	x, err := Open(filepath.Join(dir, "index"), eng, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	if err := x.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	if err := WaitSettled(ctx, x.Busy); err != nil {
		b.Fatal(err)
	}
	all := Scope{All: true}
	cases := []struct {
		name string
		r    Request
	}{
		{"filter", Request{Query: "status:open priority:high desk:pl-billing", Scope: all, Size: 25}},
		{"filter-wide", Request{Query: "-status:closed", Scope: all, Size: 25}},
		{"filter-facets", Request{Query: "is:open desk:pl-support", Scope: all, Size: 25, Facets: true}},
		{"view-count", Request{Query: "is:open assignee:none", Scope: all, NoHits: true}},
		{"agent-count", Request{Query: "sla:breached -status:closed", NoHits: true,
			Scope: Scope{DeskIDs: deskIDs(b, eng, "pl-billing", "pl-support")}}},
	}
	for _, tc := range cases {
		for _, bleveOnly := range []bool{false, true} {
			r := tc.r
			r.BleveOnly, r.Deadline = bleveOnly, time.Minute
			path := map[bool]string{false: "table", true: "bleve"}[bleveOnly]
			b.Run(tc.name+"/"+path, func(b *testing.B) {
				var total uint64
				for b.Loop() {
					res, err := x.Search(ctx, r)
					if err != nil || res.table == bleveOnly {
						b.Fatalf("%v (from the table: %v)", err, res != nil && res.table)
					}
					total = res.Total
				}
				b.ReportMetric(float64(total), "hits")
			})
		}
	}
}

func deskIDs(b *testing.B, eng *engine.Store, codes ...string) []string {
	b.Helper()
	var out []string
	for _, c := range codes {
		d, err := eng.DeskByCode(context.Background(), c)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, d.ID)
	}
	return out
}
