package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"searchdesk/engine"
	"searchdesk/index"
)

// benchReport is what `searchdesk bench --json FILE` writes.
type benchReport struct {
	Corpus      string        `json:"corpus"`
	Tickets     int           `json:"tickets"`
	Shards      int           `json:"shards"`
	CorpusBytes int64         `json:"corpus_bytes"`
	Searchdesk  engineReport  `json:"searchdesk"`
	RawBleve    *engineReport `json:"raw_bleve,omitempty"`
	Queries     []benchQuery  `json:"queries"`
}

// engineReport is one engine's ingest and query figures.
type engineReport struct {
	CommittedPerSec  float64       `json:"committed_per_sec,omitempty"`
	SearchablePerSec float64       `json:"searchable_per_sec"`
	DiskBytes        int64         `json:"disk_bytes"`
	AfterLoad        []classReport `json:"after_load"`
	Settled          []classReport `json:"settled"`
}

// classReport is the latency of one query class.
type classReport struct {
	Class  string  `json:"class"`
	N      int     `json:"n"`
	P50    float64 `json:"p50_ms"`
	P95    float64 `json:"p95_ms"`
	P99    float64 `json:"p99_ms"`
	Total  uint64  `json:"total_hits"` // summed over the class's queries
	Failed int     `json:"failed"`
	// OverDeadline counts queries that took longer than the server's 1 s
	// search deadline: served, they would have been refused.
	OverDeadline int    `json:"over_deadline"`
	FirstErr     string `json:"first_error,omitempty"`
}

// benchQuery is one query with the total each engine found.
type benchQuery struct {
	Class    string   `json:"class"`
	Query    string   `json:"query"`
	Words    []string `json:"-"`
	Desk     string   `json:"-"`
	Status   string   `json:"-"`
	Priority string   `json:"-"`
	Total    uint64   `json:"total"`
	RawTotal *uint64  `json:"raw_total,omitempty"`
}

// Query classes of ../shared/bench/README.md, in report order.
var benchClasses = []string{"one-term", "two-terms", "phrase", "term+facets", "filter-only", "prefix", "view-count"}

// benchFacets are the facets the term+facets class counts.
var benchFacets = []string{"status", "priority", "category", "desk", "assignee"}

func runBench(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "bench")
	n := fs.Int("n", 0, "generate N tickets (default 2000 when no --corpus)")
	corpus := fs.String("corpus", "", "read tickets from FILE.jsonl")
	jsonOut := fs.String("json", "", "write the report to FILE")
	data := fs.String("data", "", "work directory (default: a temporary one, removed afterwards)")
	perClass := fs.Int("queries", 200, "queries per class")
	seed := fs.Uint64("seed", 1, "seed of the generated corpus and of the queries")
	raw := fs.Bool("raw", true, "run the same documents and queries through raw Bleve too")
	settle := fs.Bool("settle", true, "also measure after Bleve's background merging has settled")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to FILE")
	shards := fs.Int("shards", 0, "index shards (default: one per core, at most 8)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *shards < 0 {
		return fmt.Errorf("%w: --shards must be 0 or more", errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: bench takes no arguments, got %q", errUsage, fs.Args())
	}
	var src benchSource
	switch {
	case *corpus != "" && *n != 0:
		return fmt.Errorf("%w: give --corpus or --n, not both", errUsage)
	case *corpus != "":
		src = fileSource{*corpus}
	default:
		src = genSource{n: max(*n, 0), seed: *seed}
		if *n == 0 {
			src = genSource{n: 2000, seed: *seed}
		}
	}
	dir := *data
	if dir == "" {
		tmp, err := os.MkdirTemp("", "searchdesk-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	b := &bencher{env: env, src: src, dir: dir, perClass: *perClass, seed: *seed, settle: *settle, shards: *shards}
	rep, err := b.run(ctx, *raw)
	if err != nil {
		return err
	}
	printBench(env.stdout, rep)
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil
}

// bencher runs one benchmark.
type bencher struct {
	env      *cliEnv
	src      benchSource
	dir      string
	perClass int
	seed     uint64
	settle   bool
	shards   int

	sample []*benchTicket // a uniform sample of the corpus, for queries
	seen   int
}

// keep adds t to the reservoir sample the queries are drawn from.
func (b *bencher) keep(r *rand.Rand, t *benchTicket) {
	const size = 4000
	b.seen++
	if len(b.sample) < size {
		c := *t
		b.sample = append(b.sample, &c)
		return
	}
	if k := r.IntN(b.seen); k < size {
		c := *t
		b.sample[k] = &c
	}
}

func (b *bencher) run(ctx context.Context, withRaw bool) (*benchReport, error) {
	rep := &benchReport{Corpus: b.src.describe()}
	st, err := engine.Open(filepath.Join(b.dir, "store"), engine.Options{Logger: b.env.log})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	idx, err := index.OpenShards(filepath.Join(b.dir, "index"), b.shards, st, b.env.log)
	if err != nil {
		return nil, err
	}
	defer idx.Close()
	runCtx, stopFollower := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { idx.Run(runCtx); close(done) }()
	defer func() { stopFollower(); <-done }()

	fmt.Fprintf(b.env.stderr, "bench: loading %s into searchdesk\n", rep.Corpus)
	start := time.Now()
	tickets, bytes, err := b.ingest(ctx, st)
	if err != nil {
		return nil, err
	}
	committed := time.Since(start)
	wctx, cancel := context.WithTimeout(ctx, time.Hour)
	err = idx.WaitFor(wctx, st.LastSeq())
	cancel()
	if err != nil {
		return nil, err
	}
	searchable := time.Since(start)
	rep.Tickets, rep.CorpusBytes, rep.Shards = tickets, bytes, idx.Shards()
	rep.Searchdesk.CommittedPerSec = float64(tickets) / committed.Seconds()
	rep.Searchdesk.SearchablePerSec = float64(tickets) / searchable.Seconds()
	rep.Queries = b.queries()
	run := func(q *benchQuery) (uint64, error) { return sdQuery(ctx, idx, q) }
	rep.Searchdesk.AfterLoad = measure(rep.Queries, run, nil)
	if b.settle {
		if err := index.WaitSettled(ctx, idx.Busy); err != nil {
			return nil, err
		}
		rep.Searchdesk.Settled = measure(rep.Queries, run, func(q *benchQuery, total uint64) { q.Total = total })
	} else {
		for i := range rep.Queries {
			rep.Queries[i].Total, _ = run(&rep.Queries[i])
		}
	}
	rep.Searchdesk.DiskBytes = dirSize(b.dir)
	if withRaw {
		r, err := b.runRaw(ctx, rep.Queries)
		if err != nil {
			return nil, fmt.Errorf("raw bleve: %w", err)
		}
		rep.RawBleve = r
	}
	return rep, nil
}

// ingest loads the corpus through the engine in batches, each made
// durable before the next (group commit).
func (b *bencher) ingest(ctx context.Context, st *engine.Store) (int, int64, error) {
	r := rand.New(rand.NewPCG(b.seed, 7))
	users := map[string]bool{}
	desks := map[string]bool{}
	var batch []engine.TicketImport
	n := 0
	var size int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := st.ImportTickets(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return st.Sync()
	}
	err := b.src.each(func(t *benchTicket) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !desks[t.Desk] {
			if _, err := st.SaveDesk(ctx, engine.Desk{Code: t.Desk, Name: t.Desk, Pattern: "{{nr}}",
				Addresses: []string{t.Desk + "@bench.invalid"}}); err != nil && !errors.Is(err, engine.ErrConflict) {
				return fmt.Errorf("desk %s: %w", t.Desk, err)
			}
			desks[t.Desk] = true
		}
		email := benchUserEmail(t.Assignee)
		if t.Assignee != "" && !users[email] {
			if err := flush(); err != nil { // the user must exist before tickets name it
				return err
			}
			if _, err := st.AddUser(ctx, engine.User{Name: t.Assignee, Email: email, Role: engine.RoleAgent}); err != nil &&
				!errors.Is(err, engine.ErrConflict) {
				return fmt.Errorf("user %s: %w", t.Assignee, err)
			}
			users[email] = true
		}
		created, err := time.Parse(time.RFC3339, t.Created)
		if err != nil {
			return fmt.Errorf("ticket %s: created: %w", t.ID, err)
		}
		updated, err := time.Parse(time.RFC3339, t.Updated)
		if err != nil {
			updated = created
		}
		batch = append(batch, engine.TicketImport{Desk: t.Desk, Number: strconv.Itoa(t.Number), Subject: t.Subject,
			Body: t.Body, Status: t.Status, Priority: t.Priority, Category: t.Category, Customer: t.Customer,
			Account: t.Account, Assignee: email, Tags: t.Tags, SLA: t.SLA, Created: created, Updated: updated})
		b.keep(r, t)
		n++
		size += int64(len(t.Subject) + len(t.Body) + 300)
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, size, err
}

// benchUserEmail turns a corpus assignee ("tereza.smith") into an address.
func benchUserEmail(name string) string {
	if name == "" || strings.Contains(name, "@") {
		return name
	}
	return name + "@agents.bench.invalid"
}

// queries draws perClass queries of each class from the sample.
func (b *bencher) queries() []benchQuery {
	r := rand.New(rand.NewPCG(b.seed, 11))
	var out []benchQuery
	if len(b.sample) == 0 {
		return nil
	}
	pick := func() *benchTicket { return b.sample[r.IntN(len(b.sample))] }
	word := func(t *benchTicket) string {
		ws := benchWordsOf(t.Body)
		for range 20 {
			w := ws[r.IntN(len(ws))]
			if len([]rune(w)) >= 4 {
				return w
			}
		}
		return ws[0]
	}
	for _, class := range benchClasses {
		for i := 0; i < b.perClass; i++ {
			t := pick()
			q := benchQuery{Class: class}
			switch class {
			case "one-term", "term+facets":
				q.Words = []string{word(t)}
			case "two-terms":
				q.Words = []string{word(t), word(t)}
			case "phrase":
				q.Words = benchPhrase(r, t.Body)
			case "prefix":
				w := word(t)
				q.Words = []string{string([]rune(w)[:4])}
			case "filter-only":
				q.Status, q.Priority, q.Desk = t.Status, t.Priority, t.Desk
			case "view-count":
				q.Desk = benchDesks[r.IntN(len(benchDesks))]
			}
			q.Query = sdQueryText(&q)
			out = append(out, q)
		}
	}
	return out
}

// benchWordsOf splits text into lower-case words.
func benchWordsOf(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// benchPhrase picks two adjacent words of a sentence.
func benchPhrase(r *rand.Rand, body string) []string {
	fields := strings.Fields(strings.ToLower(body))
	for range 50 {
		i := r.IntN(max(len(fields)-1, 1))
		if i+1 >= len(fields) {
			break
		}
		a, b := fields[i], fields[i+1]
		if isWord(a) && isWord(strings.TrimRight(b, ".,?!")) {
			return []string{a, strings.TrimRight(b, ".,?!")}
		}
	}
	return benchWordsOf(body)[:2]
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// sdQueryText writes a benchmark query in the query language.
func sdQueryText(q *benchQuery) string {
	switch q.Class {
	case "one-term", "two-terms":
		return strings.Join(q.Words, " ") + " sort:relevance"
	case "phrase":
		return `"` + strings.Join(q.Words, " ") + `" sort:relevance`
	case "term+facets":
		return q.Words[0] + " sort:created-desc"
	case "prefix":
		return q.Words[0] + "* sort:relevance"
	case "filter-only":
		return fmt.Sprintf("status:%s priority:%s desk:%s sort:created-desc", q.Status, q.Priority, q.Desk)
	case "view-count":
		return "status:open,in_progress sla:breached desk:" + q.Desk
	}
	return ""
}

// sdQuery runs one benchmark query through searchdesk as an admin.
func sdQuery(ctx context.Context, idx *index.Index, q *benchQuery) (uint64, error) {
	// A query the server would cut off at its 1 s deadline still runs to
	// the end here, so that its latency and total are measured; the report
	// counts how many took longer (over_deadline).
	req := index.Request{Query: q.Query, Scope: index.Scope{All: true}, Size: 25, Deadline: time.Minute}
	switch q.Class {
	case "term+facets":
		req.Facets, req.FacetFields = true, benchFacets
	case "view-count":
		req.NoHits = true
	}
	res, err := idx.Search(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// measure runs every query once per class, in order, and reports the
// latency percentiles of each class.
func measure(qs []benchQuery, run func(*benchQuery) (uint64, error), record func(*benchQuery, uint64)) []classReport {
	var out []classReport
	for _, class := range benchClasses {
		cr := classReport{Class: class}
		var lat []float64
		for i := range qs {
			q := &qs[i]
			if q.Class != class {
				continue
			}
			t0 := time.Now()
			total, err := run(q)
			took := time.Since(t0)
			lat = append(lat, float64(took.Microseconds())/1000)
			if took > time.Second {
				cr.OverDeadline++
			}
			if err != nil {
				if cr.Failed == 0 {
					cr.FirstErr = fmt.Sprintf("%s: %v", q.Query, err)
				}
				cr.Failed++
				continue
			}
			cr.Total += total
			if record != nil {
				record(q, total)
			}
		}
		cr.N = len(lat)
		cr.P50, cr.P95, cr.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
		out = append(out, cr)
	}
	return out
}

// percentile returns the p-th percentile (nearest rank) of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// dirSize sums the disk space the files under dir take: blocks in use,
// not apparent sizes, since Badger preallocates its value log sparsely.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += diskUsage(info)
			}
		}
		return nil
	})
	return n
}

// printBench prints the report as a table.
func printBench(w io.Writer, rep *benchReport) {
	fmt.Fprintf(w, "corpus: %s, %d tickets, %d index shards\n", rep.Corpus, rep.Tickets, rep.Shards)
	sd, raw := rep.Searchdesk, rep.RawBleve
	fmt.Fprintf(w, "ingest searchdesk: committed %.0f tickets/s, searchable %.0f tickets/s", sd.CommittedPerSec, sd.SearchablePerSec)
	if raw != nil {
		fmt.Fprintf(w, "; raw bleve %.0f docs/s (ratio %.2f)", raw.SearchablePerSec, sd.SearchablePerSec/raw.SearchablePerSec)
	}
	fmt.Fprintf(w, "\ndisk: searchdesk %.1f MB", float64(sd.DiskBytes)/1e6)
	if raw != nil {
		fmt.Fprintf(w, ", raw bleve %.1f MB", float64(raw.DiskBytes)/1e6)
	}
	fmt.Fprintln(w)
	table := func(title string, ours, theirs []classReport) {
		if len(ours) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (ms)\n%-12s %8s %8s %8s %12s", title, "class", "p50", "p95", "p99", "total hits")
		if theirs != nil {
			fmt.Fprintf(w, " | %8s %8s %8s %12s %9s", "raw p50", "raw p95", "raw p99", "raw total", "p95 ratio")
		}
		fmt.Fprintln(w)
		for i, c := range ours {
			fmt.Fprintf(w, "%-12s %8.2f %8.2f %8.2f %12d", c.Class, c.P50, c.P95, c.P99, c.Total)
			if theirs != nil && i < len(theirs) {
				t := theirs[i]
				fmt.Fprintf(w, " | %8.2f %8.2f %8.2f %12d %9.2f", t.P50, t.P95, t.P99, t.Total, c.P95/max(t.P95, 0.001))
			}
			if c.OverDeadline > 0 {
				fmt.Fprintf(w, "  (%d over 1 s)", c.OverDeadline)
			}
			if c.Failed > 0 {
				fmt.Fprintf(w, "  (%d failed; first: %s)", c.Failed, c.FirstErr)
			}
			fmt.Fprintln(w)
		}
	}
	var rawAfter, rawSettled []classReport
	if raw != nil {
		rawAfter, rawSettled = raw.AfterLoad, raw.Settled
	}
	table("right after loading", sd.AfterLoad, rawAfter)
	table("settled", sd.Settled, rawSettled)
	if raw != nil {
		fmt.Fprintln(w)
		for _, class := range benchClasses {
			same, more, less := 0, 0, 0
			for _, q := range rep.Queries {
				if q.Class != class || q.RawTotal == nil {
					continue
				}
				switch {
				case q.Total == *q.RawTotal:
					same++
				case q.Total > *q.RawTotal:
					more++
				default:
					less++
				}
			}
			fmt.Fprintf(w, "totals %-12s equal to raw bleve %4d, more %4d, fewer %4d\n", class, same, more, less)
		}
	}
}
