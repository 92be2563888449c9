package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
)

// TestBenchSmall runs `searchdesk bench` on a generated corpus of 2,000
// tickets, and on the sample corpus with the sample query set beside the
// own queries, and checks the report: both sets are there, every class ran
// all of its queries without errors after its warm-up (which the figures
// leave out), where both engines must agree exactly (filters and view
// counts) they do, query for query, and the memory and disk figures are
// there. Under -short only the sample corpus runs, without waiting for
// Bleve's merging to settle (a second or more per engine): the figures
// after loading are checked instead.
func TestBenchSmall(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{name: "generated", args: []string{"--n", "2000"}},
		{name: "sample", args: []string{"--corpus", "tickets-sample.jsonl", "--query-set", "queries-sample.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "generated" && testing.Short() {
				t.Skip("slow: generates 2,000 tickets and indexes them twice")
			}
			args := slices.Clone(tc.args)
			var corpus, queryFile string
			for i := 0; i+1 < len(args); i++ {
				switch args[i] {
				case "--corpus":
					args[i+1] = corpustest.BenchPath(t, args[i+1])
					corpus = args[i+1]
				case "--query-set":
					args[i+1] = corpustest.BenchPath(t, args[i+1])
					queryFile = args[i+1]
				}
			}
			if testing.Short() {
				args = append(args, "--settle=false")
			}
			report := filepath.Join(t.TempDir(), "bench.json")
			out, errs, code := runCLI(t, append([]string{"bench", "--queries", "40", "--json", report}, args...)...)
			if code != 0 {
				t.Fatalf("bench exit %d: %s", code, errs)
			}
			rep := readBenchReport(t, report)
			if tc.name == "generated" && rep.Tickets != 2000 || rep.Tickets == 0 {
				t.Fatalf("tickets %d", rep.Tickets)
			}
			checkBenchFigures(t, rep, corpus)
			want := []map[string]int{benchCounts(40)}
			if queryFile != "" {
				want = append(want, querySetCounts(t, queryFile))
			}
			if len(rep.Sets) != len(want) || rep.Sets[0].Name != "own" || queryFile != "" && rep.Sets[1].Name != queryFile {
				t.Fatalf("got %d query sets, want %d (own, then %q)", len(rep.Sets), len(want), queryFile)
			}
			for i, s := range rep.Sets {
				checkBenchSet(t, s, want[i], !testing.Short())
				if !strings.Contains(out, "query set "+s.Name+":") {
					t.Errorf("printed report lacks query set %s", s.Name)
				}
			}
			if matched := benchMatched(rep.Sets[0]); matched < len(rep.Sets[0].Queries)/2 {
				t.Errorf("own set: only %d of %d queries match anything", matched, len(rep.Sets[0].Queries))
			}
			if !strings.Contains(out, "p95 ratio") || !strings.Contains(out, "searchable") ||
				!strings.Contains(out, "VmHWM") || strings.Contains(out, "\nerror:") {
				t.Errorf("printed report lacks the table or memory, or has an error line:\n%s", out)
			}
			t.Logf("\n%s", out)
		})
	}
}

func readBenchReport(t *testing.T, path string) *benchReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep benchReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep
}

// checkBenchFigures checks ingest, disk and memory: all there, the disk a
// ratio to the JSONL's size (the file's, when a corpus file was given).
func checkBenchFigures(t *testing.T, rep *benchReport, corpus string) {
	t.Helper()
	sd, raw := rep.Searchdesk, rep.RawBleve
	if sd.CommittedPerSec <= 0 || sd.SearchablePerSec <= 0 || raw == nil || raw.SearchablePerSec <= 0 {
		t.Fatalf("ingest rates missing: %+v, %+v", sd, raw)
	}
	if corpus != "" {
		fi, err := os.Stat(corpus)
		if err != nil {
			t.Fatal(err)
		}
		if rep.CorpusBytes != fi.Size() {
			t.Errorf("corpus bytes: got %d, want %d", rep.CorpusBytes, fi.Size())
		}
	}
	for _, e := range []engineReport{sd, *raw} {
		want := float64(e.DiskBytes) / float64(rep.CorpusBytes)
		if rep.CorpusBytes <= 0 || e.DiskBytes <= 0 || e.DiskRatio <= 0 || math.Abs(e.DiskRatio-want) > 1e-9 {
			t.Errorf("disk %d bytes, ratio %v, corpus %d bytes", e.DiskBytes, e.DiskRatio, rep.CorpusBytes)
		}
	}
	if runtime.GOOS == "linux" && (sd.VmRSSBytes <= 0 || sd.VmHWMBytes < sd.VmRSSBytes) {
		t.Errorf("VmRSS %d, VmHWM %d", sd.VmRSSBytes, sd.VmHWMBytes)
	}
}

// checkBenchSet checks one query set: per engine and pass, every class
// measured exactly its own queries (want) after its warm-up, without
// errors, with percentiles that are those of the queries' own latencies
// (so no warm-up query is in them); filter and view-count totals equal
// raw Bleve's query for query.
func checkBenchSet(t *testing.T, s *querySet, want map[string]int, settled bool) {
	t.Helper()
	if s.RawBleve == nil {
		t.Fatalf("%s: no raw bleve figures", s.Name)
	}
	type pass struct {
		name string
		crs  []classReport
		ms   func(*benchQuery) float64
	}
	passes := []pass{
		{"searchdesk after load", s.Searchdesk.AfterLoad, func(q *benchQuery) float64 { return q.MsAfterLoad }},
		{"raw after load", s.RawBleve.AfterLoad, func(q *benchQuery) float64 { return q.RawMsAfterLoad }},
	}
	if settled {
		passes = append(passes,
			pass{"searchdesk settled", s.Searchdesk.Settled, func(q *benchQuery) float64 { return q.MsSettled }},
			pass{"raw settled", s.RawBleve.Settled, func(q *benchQuery) float64 { return q.RawMsSettled }})
	}
	for _, p := range passes {
		if len(p.crs) != len(benchClasses) {
			t.Fatalf("%s %s: got %d classes, want %d", s.Name, p.name, len(p.crs), len(benchClasses))
		}
		for _, c := range p.crs {
			var lat []float64
			for i := range s.Queries {
				if s.Queries[i].Class == c.Class {
					lat = append(lat, p.ms(&s.Queries[i]))
				}
			}
			warm := benchWarmup
			if want[c.Class] == 0 {
				warm = 0
			}
			if c.N != want[c.Class] || len(lat) != c.N || c.Warmup != warm || c.Failed > 0 {
				t.Errorf("%s %s %s: got n %d (%d queries), warm-up %d, failed %d (%s); want n %d, warm-up %d",
					s.Name, p.name, c.Class, c.N, len(lat), c.Warmup, c.Failed, c.FirstErr, want[c.Class], warm)
			}
			p50, p95, p99 := percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
			if c.N > 0 && (c.P50 <= 0 || c.P50 != p50 || c.P95 != p95 || c.P99 != p99) {
				t.Errorf("%s %s %s: got p50/p95/p99 %v/%v/%v, the queries' own %v/%v/%v",
					s.Name, p.name, c.Class, c.P50, c.P95, c.P99, p50, p95, p99)
			}
		}
	}
	for i, q := range s.Queries {
		if q.RawTotal == nil || q.Error != "" || q.RawError != "" {
			t.Fatalf("%s query %d %q: raw total %v, errors %q, %q", s.Name, i+1, q.Query, q.RawTotal, q.Error, q.RawError)
		}
		if (q.Class == "filter-only" || q.Class == "view-count") && q.Total != *q.RawTotal {
			t.Errorf("%s query %d %s %q: searchdesk %d, raw bleve %d", s.Name, i+1, q.Class, q.Query, q.Total, *q.RawTotal)
		}
	}
	if len(s.Mismatches) > 0 || len(s.Totals) != len(benchClasses) {
		t.Errorf("%s: %d classes compared, mismatches %q", s.Name, len(s.Totals), s.Mismatches)
	}
}

// benchCounts is n queries of each class.
func benchCounts(n int) map[string]int {
	m := map[string]int{}
	for _, c := range benchClasses {
		m[c] = n
	}
	return m
}

// querySetCounts counts a query set file's queries per bench class.
func querySetCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Queries []struct{ Class string } }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	classOf := map[string]string{"term": "one-term", "and2": "two-terms", "phrase": "phrase", "facets": "term+facets",
		"filter": "filter-only", "prefix": "prefix", "saved_view": "view-count"}
	m := map[string]int{}
	for _, q := range f.Queries {
		m[classOf[q.Class]]++
	}
	return m
}

func benchMatched(s *querySet) int {
	n := 0
	for _, q := range s.Queries {
		if q.Total > 0 {
			n++
		}
	}
	return n
}

// TestBenchWarmup checks that each class's warm-up queries run before its
// measured ones and stay out of its figures: warm-up queries are slow
// here, measured ones fast.
func TestBenchWarmup(t *testing.T) {
	var qs, warm []benchQuery
	for _, c := range benchClasses {
		for i := range 3 {
			qs = append(qs, benchQuery{Class: c, Query: fmt.Sprintf("%s %d", c, i)})
		}
		warm = append(warm, benchQuery{Class: c, Query: "warm " + c}, benchQuery{Class: c, Query: "warm " + c})
	}
	var order []string
	run := func(q *benchQuery) (uint64, error) {
		order = append(order, q.Query)
		if strings.HasPrefix(q.Query, "warm ") {
			time.Sleep(20 * time.Millisecond)
			return 1000, errors.New("warm-up failure")
		}
		return 1, nil
	}
	recorded := 0
	crs := measure(qs, warm, run, func(q *benchQuery, total uint64, ms float64, err error) { recorded++ })
	if recorded != len(qs) || len(order) != len(qs)+len(warm) {
		t.Fatalf("got %d recorded, %d run; want %d, %d", recorded, len(order), len(qs), len(qs)+len(warm))
	}
	for i, c := range crs {
		at := order[i*5 : i*5+5] // two warm-up queries, then three measured
		if at[0] != "warm "+c.Class || at[1] != "warm "+c.Class || at[2] != c.Class+" 0" {
			t.Errorf("%s: run order %q", c.Class, at)
		}
		if c.N != 3 || c.Warmup != 2 || c.Failed != 0 || c.Total != 3 || c.P99 >= 20 {
			t.Errorf("%s: got %+v, want 3 measured queries, 2 warm-ups, total 3, p99 under 20 ms", c.Class, c)
		}
	}
}

// TestQuerySetQueries translates queries of a query set file into the
// query language.
func TestQuerySetQueries(t *testing.T) {
	for _, tc := range []struct {
		name string
		item querySetItem
		want string // "" for an error
	}{
		{name: "term", item: querySetItem{Class: "term", Terms: []string{"wiadomości"}}, want: "wiadomości sort:relevance"},
		{name: "and2", item: querySetItem{Class: "and2", Terms: []string{"slow", "permissions"}}, want: "slow permissions sort:relevance"},
		{name: "phrase", item: querySetItem{Class: "phrase", Terms: []string{"a", "b"}}, want: `"a b" sort:relevance`},
		{name: "facets", item: querySetItem{Class: "facets", Terms: []string{"tiskárna"}}, want: "tiskárna sort:created-desc"},
		{name: "prefix", item: querySetItem{Class: "prefix", Prefix: "ściń"}, want: "ściń* sort:relevance"},
		{name: "filter", item: querySetItem{Class: "filter", Status: []string{"open"}, Priority: "high", Desk: "sales"},
			want: "status:open priority:high desk:sales sort:created-desc"},
		{name: "filter pending", item: querySetItem{Class: "filter", Status: []string{"pending"}, Priority: "low", Desk: "vip"},
			want: "status:waiting priority:low desk:vip sort:created-desc"},
		{name: "saved view", item: querySetItem{Class: "saved_view", Status: []string{"open", "in_progress"}, SLA: "breached", Desk: "tech-l2"},
			want: "status:open,in_progress sla:breached desk:tech-l2"},
		{name: "unknown class", item: querySetItem{Class: "fuzzy", Terms: []string{"a"}}},
		{name: "and2 of one term", item: querySetItem{Class: "and2", Terms: []string{"a"}}},
		{name: "term with syntax", item: querySetItem{Class: "term", Terms: []string{"status:open"}}},
		{name: "prefix with star", item: querySetItem{Class: "prefix", Prefix: "abc*"}},
		{name: "filter without desk", item: querySetItem{Class: "filter", Status: []string{"open"}, Priority: "high"}},
		{name: "view without status", item: querySetItem{Class: "saved_view", SLA: "ok", Desk: "vip"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := tc.item.benchQuery()
			if got := q.Query; tc.want == "" && err == nil || tc.want != "" && (err != nil || got != tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestBenchMismatch checks that a filter or view-count total other than
// raw Bleve's is reported as an error line, and that text classes count
// equal, more and fewer.
func TestBenchMismatch(t *testing.T) {
	u := func(n uint64) *uint64 { return &n }
	s := &querySet{Name: "own", Queries: []benchQuery{
		{Class: "one-term", Query: "a", Total: 5, RawTotal: u(5)},
		{Class: "one-term", Query: "b", Total: 7, RawTotal: u(5)},
		{Class: "one-term", Query: "c", Total: 1, RawTotal: u(5)},
		{Class: "filter-only", Query: "status:open", Total: 5, RawTotal: u(6)},
		{Class: "view-count", Query: "status:open sla:ok desk:vip", Total: 2, RawTotal: u(2)},
	}}
	s.compareTotals()
	if got := s.Totals[0]; got != (classTotals{Class: "one-term", Equal: 1, More: 1, Fewer: 1}) {
		t.Errorf("got %+v, want 1 equal, 1 more, 1 fewer", got)
	}
	var out strings.Builder
	printQuerySet(&out, &benchReport{Warmup: benchWarmup}, s)
	if len(s.Mismatches) != 1 || !strings.Contains(out.String(), "\nerror: total differs from raw bleve's: filter-only query 4") {
		t.Errorf("got mismatches %q, report:\n%s", s.Mismatches, out.String())
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

// TestBenchCorpusPending reads a corpus whose tickets say pending, as
// generated corpora do, as waiting; the JSONL's size is the file's.
func TestBenchCorpusPending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl")
	line := `{"id":"T0000001","number":1,"subject":"s","body":"b","status":"pending","priority":"low","category":"api",` +
		`"customer":"cust-00001","account":"acct-0000","desk":"vip","assignee":"jan.novak","tags":[],` +
		`"created":"2024-01-02T03:04:05Z","updated":"2024-01-02T03:04:05Z","sla":"ok"}` + "\n"
	if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	src := fileSource{path}
	var got []string
	if err := src.each(func(bt *benchTicket) error { got = append(got, bt.Status); return nil }); err != nil {
		t.Fatal(err)
	}
	if n, err := src.jsonlBytes(io.Discard); err != nil || n != int64(len(line)) {
		t.Errorf("jsonl bytes: got %d, %v; want %d", n, err, len(line))
	}
	if !slices.Equal(got, []string{"waiting"}) {
		t.Errorf("got statuses %q, want [waiting]", got)
	}
}

// TestExportCustomerRows: a customer's export counts only the messages
// they may read (not internal notes), and no cell a person typed can run
// as a spreadsheet formula, tags included (AC-02, CSV injection).
func TestExportCustomerRows(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, log: discardLogger()}
	st, err := openStore(env, data)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := st.AddUser(ctx, engine.User{Email: "agent@desk.example.com", Role: engine.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Submit(ctx, engine.Submission{From: engine.Address{Addr: "ann@example.org"}, Subject: "Printer", Text: "jammed", Channel: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNote(ctx, agent, r.TicketID, "internal: refund approved"); err != nil {
		t.Fatal(err)
	}
	tags := []string{"=hyperlink"}
	if _, err := st.UpdateTicket(ctx, agent.Email, r.TicketID, engine.Change{Tags: &tags}, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "export", "--data", data, "--format", "csv", "--query", "printer", "--as", "customer:ann@example.org")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	col := func(name string) string { return rows[1][slices.Index(ticketColumns, name)] }
	if got := col("messages"); got != "1" {
		t.Errorf("messages column %q: want 1 (the note is not the customer's to count)", got)
	}
	if got := col("tags"); !strings.HasPrefix(got, "'=") {
		t.Errorf("tags cell %q can run as a formula", got)
	}
}
