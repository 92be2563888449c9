package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"searchdesk/engine/corpustest"
)

// TestBenchSmall runs `searchdesk bench` on a generated corpus of 2,000
// tickets and on the sample corpus, and checks the report: every class ran
// without errors, and where both engines must agree exactly (filters and
// view counts), they do; text classes find at least what raw Bleve finds
// for words typed exactly (folding and stemming only add matches). Under
// -short only the sample corpus runs, without waiting for Bleve's merging
// to settle (a second or more per engine): the figures after loading are
// checked instead.
func TestBenchSmall(t *testing.T) {
	for _, args := range [][]string{
		{"--n", "2000"},
		{"--corpus", "tickets-sample.jsonl"},
	} {
		t.Run(args[0], func(t *testing.T) {
			if args[0] == "--n" && testing.Short() {
				t.Skip("slow: generates 2,000 tickets and indexes them twice")
			}
			if args[0] == "--corpus" {
				args = []string{args[0], corpustest.BenchPath(t, args[1])}
			}
			if testing.Short() {
				args = append(args, "--settle=false")
			}
			report := filepath.Join(t.TempDir(), "bench.json")
			out, errs, code := runCLI(t, append([]string{"bench", "--queries", "40", "--json", report}, args...)...)
			if code != 0 {
				t.Fatalf("bench exit %d: %s", code, errs)
			}
			var rep benchReport
			b, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if args[0] == "--n" && rep.Tickets != 2000 || rep.Tickets == 0 {
				t.Fatalf("tickets %d", rep.Tickets)
			}
			if rep.Searchdesk.SearchablePerSec <= 0 || rep.RawBleve == nil || rep.RawBleve.SearchablePerSec <= 0 {
				t.Fatalf("ingest rates missing: %+v", rep)
			}
			sd, raw := rep.Searchdesk.Settled, rep.RawBleve.Settled
			if testing.Short() {
				sd, raw = rep.Searchdesk.AfterLoad, rep.RawBleve.AfterLoad
			}
			if len(sd) != len(benchClasses) || len(raw) != len(benchClasses) || len(rep.Queries) != 40*len(benchClasses) {
				t.Fatalf("classes %d and %d, queries %d", len(sd), len(raw), len(rep.Queries))
			}
			for _, c := range append(sd, raw...) {
				if c.Failed > 0 || c.N != 40 || c.P50 <= 0 || c.P99 < c.P50 {
					t.Errorf("class %+v", c)
				}
			}
			matched := 0
			for _, q := range rep.Queries {
				if q.RawTotal == nil {
					t.Fatalf("%q: no raw total", q.Query)
				}
				switch q.Class {
				case "filter-only", "view-count":
					if q.Total != *q.RawTotal {
						t.Errorf("%s %q: searchdesk %d, raw bleve %d", q.Class, q.Query, q.Total, *q.RawTotal)
					}
				}
				if q.Total > 0 {
					matched++
				}
			}
			if matched < len(rep.Queries)/2 {
				t.Errorf("only %d of %d queries match anything", matched, len(rep.Queries))
			}
			if !strings.Contains(out, "p95 ratio") || !strings.Contains(out, "searchable") {
				t.Errorf("printed report lacks the table:\n%s", out)
			}
			t.Logf("\n%s", out)
		})
	}
}

// TestExportQuery exports the tickets a query matches as CSV and JSONL, in
// the scope of the exporter.
func TestExportQuery(t *testing.T) {
	data := t.TempDir()
	importJSON(t, data, corpustest.Path(t, "maildir/twisted-reality"))
	out, errs, code := runCLI(t, "export", "--data", data, "--format", "csv", "--query", "reality")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 || strings.Join(rows[0], ",") != strings.Join(ticketColumns, ",") {
		t.Fatalf("csv: %d rows, header %v", len(rows), rows[0])
	}
	total, _, _ := runCLI(t, "search", "--data", data, "--json", "--limit", "1", "reality")
	var sr struct{ Total int }
	if err := json.Unmarshal([]byte(total), &sr); err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != sr.Total {
		t.Errorf("csv has %d tickets, search says %d", len(rows)-1, sr.Total)
	}
	out, _, code = runCLI(t, "export", "--data", data, "--format", "jsonl", "--query", "reality -status:closed")
	if code != 0 || strings.Count(out, "\n") != sr.Total {
		t.Errorf("jsonl: %d lines, exit %d, want %d", strings.Count(out, "\n"), code, sr.Total)
	}
	// A customer unknown to the desk exports nothing; a bad query is a usage error.
	out, _, code = runCLI(t, "export", "--data", data, "--format", "jsonl", "--query", "reality", "--as", "customer:nobody@example.com")
	if code != 0 || out != "" {
		t.Errorf("unknown customer: exit %d, %q", code, out)
	}
	_, errs, code = runCLI(t, "export", "--data", data, "--format", "csv", "--query", "stauts:open")
	if code != exitUsage || !strings.Contains(errs, "1:1") {
		t.Errorf("bad query: exit %d, %s", code, errs)
	}
}
