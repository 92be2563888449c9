package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	Corpus  string `json:"corpus"`
	Tickets int    `json:"tickets"`
	Shards  int    `json:"shards"`
	// CorpusBytes is the size of the corpus as JSONL: the file given, or
	// what the generator would write.
	CorpusBytes int64 `json:"corpus_bytes"`
	// Settled says whether the second pass, after Bleve's background
	// merging settled, ran.
	Settled    bool          `json:"settled"`
	Warmup     int           `json:"warmup_per_class"`
	Searchdesk engineReport  `json:"searchdesk"`
	RawBleve   *engineReport `json:"raw_bleve,omitempty"`
	Sets       []*querySet   `json:"query_sets"`
}

// engineReport is one engine's ingest, disk and memory figures.
type engineReport struct {
	CommittedPerSec  float64 `json:"committed_per_sec,omitempty"`
	SearchablePerSec float64 `json:"searchable_per_sec"`
	DiskBytes        int64   `json:"disk_bytes"`
	DiskRatio        float64 `json:"disk_ratio"` // DiskBytes ÷ CorpusBytes
	// VmRSS and VmHWM of the bench process (/proc/self/status) after
	// searchdesk has loaded and settled, before raw Bleve starts; zero
	// where the system has no such file.
	VmRSSBytes int64 `json:"vm_rss_bytes,omitempty"`
	VmHWMBytes int64 `json:"vm_hwm_bytes,omitempty"`
}

// querySet is one set of queries and what each engine made of it: the
// queries bench draws from the corpus ("own"), or those of a --query-set
// file, in the file's order.
type querySet struct {
	Name       string        `json:"name"`
	Source     string        `json:"source"`
	Searchdesk benchPasses   `json:"searchdesk"`
	RawBleve   *benchPasses  `json:"raw_bleve,omitempty"`
	Totals     []classTotals `json:"totals_vs_raw_bleve,omitempty"`
	Mismatches []string      `json:"mismatches,omitempty"`
	Queries    []benchQuery  `json:"queries"`
}

// benchPasses are the latencies of one engine's measured passes.
type benchPasses struct {
	AfterLoad []classReport `json:"after_load"`
	Settled   []classReport `json:"settled,omitempty"`
}

// classTotals compares one class's totals with raw Bleve's, query by query.
type classTotals struct {
	Class string `json:"class"`
	Equal int    `json:"equal"`
	More  int    `json:"more"`
	Fewer int    `json:"fewer"`
}

// classReport is the latency of one query class.
type classReport struct {
	Class  string  `json:"class"`
	N      int     `json:"n"`
	Warmup int     `json:"warmup"` // queries run before, not counted
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

// benchQuery is one query with the total and latency each engine measured.
type benchQuery struct {
	Class    string   `json:"class"`
	Query    string   `json:"query"`
	Words    []string `json:"-"`
	Desk     string   `json:"-"`
	Statuses []string `json:"-"` // any of them
	Priority string   `json:"-"`
	SLA      string   `json:"-"`
	Total    uint64   `json:"total"`
	RawTotal *uint64  `json:"raw_total,omitempty"`
	Error    string   `json:"error,omitempty"`
	RawError string   `json:"raw_error,omitempty"`

	MsAfterLoad    float64 `json:"ms_after_load"`
	MsSettled      float64 `json:"ms_settled,omitempty"`
	RawMsAfterLoad float64 `json:"raw_ms_after_load,omitempty"`
	RawMsSettled   float64 `json:"raw_ms_settled,omitempty"`
}

// benchWarmup is how many queries of each class run before the class is
// measured, in every measured pass; they are drawn like the own queries
// but from another stream, so no measured query has run before.
const benchWarmup = 20

// Query classes of ../shared/bench/README.md, in report order.
var benchClasses = []string{"one-term", "two-terms", "phrase", "term+facets", "filter-only", "prefix", "view-count"}

// benchFacets are the facets the term+facets class counts.
var benchFacets = []string{"status", "priority", "category", "desk", "assignee"}

// benchFlags are the settings of one bench run.
type benchFlags struct {
	n, perClass, shards                         int
	seed                                        uint64
	corpus, jsonOut, data, querySet, cpuProfile string
	raw, settle                                 bool
}

func parseBenchFlags(env *cliEnv, args []string) (*benchFlags, error) {
	var f benchFlags
	fs := newFlags(env, "bench")
	fs.IntVar(&f.n, "n", 0, "generate N tickets (default 2000 when no --corpus)")
	fs.StringVar(&f.corpus, "corpus", "", "read tickets from FILE.jsonl")
	fs.StringVar(&f.querySet, "query-set", "", "also run the queries of FILE.json (../shared/bench/README.md)")
	fs.StringVar(&f.jsonOut, "json", "", "write the report to FILE")
	fs.StringVar(&f.data, "data", "", "work directory (default: a temporary one, removed afterwards)")
	fs.IntVar(&f.perClass, "queries", 200, "queries per class")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the generated corpus and of the queries")
	fs.BoolVar(&f.raw, "raw", true, "run the same documents and queries through raw Bleve too")
	fs.BoolVar(&f.settle, "settle", true, "also measure after Bleve's background merging has settled")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to FILE")
	fs.IntVar(&f.shards, "shards", 0, "index shards (default: one per core, at most 8)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	switch {
	case f.shards < 0:
		return nil, fmt.Errorf("%w: --shards must be 0 or more", errUsage)
	case fs.NArg() > 0:
		return nil, fmt.Errorf("%w: bench takes no arguments, got %q", errUsage, fs.Args())
	case f.corpus != "" && f.n != 0:
		return nil, fmt.Errorf("%w: give --corpus or --n, not both", errUsage)
	}
	return &f, nil
}

// source is the corpus the flags name.
func (f *benchFlags) source() benchSource {
	if f.corpus != "" {
		return fileSource{f.corpus}
	}
	if f.n <= 0 {
		return genSource{n: 2000, seed: f.seed}
	}
	return genSource{n: f.n, seed: f.seed}
}

func runBench(ctx context.Context, env *cliEnv, args []string) error {
	f, err := parseBenchFlags(env, args)
	if err != nil {
		return err
	}
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer func() {
			if err := stop(); err != nil {
				env.log.Error("cpu profile", "err", err)
			}
		}()
	}
	b := &bencher{env: env, src: f.source(), perClass: f.perClass, seed: f.seed, settle: f.settle, shards: f.shards}
	if f.querySet != "" { // read before loading: a bad file fails at once
		if b.fileSet, err = readQuerySet(f.querySet); err != nil {
			return err
		}
	}
	b.dir = f.data
	if b.dir == "" {
		tmp, err := os.MkdirTemp("", "searchdesk-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		b.dir = tmp
	}
	rep, err := b.run(ctx, f.raw)
	if err != nil {
		return err
	}
	printBench(env.stdout, rep)
	if f.jsonOut != "" {
		return writeBenchJSON(f.jsonOut, rep)
	}
	return nil
}

// startCPUProfile profiles the run into path until stop is called.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

func writeBenchJSON(path string, rep *benchReport) error {
	f, err := os.Create(path)
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

// bencher runs one benchmark.
type bencher struct {
	env      *cliEnv
	src      benchSource
	dir      string
	perClass int
	seed     uint64
	settle   bool
	shards   int
	fileSet  *querySet // from --query-set, or nil

	sample []*benchTicket // a uniform sample of the corpus, for queries
	seen   int
	warm   []benchQuery // warm-up queries, benchWarmup of each class
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
	rep := &benchReport{Corpus: b.src.describe(), Settled: b.settle, Warmup: benchWarmup}
	var err error
	if rep.CorpusBytes, err = b.src.jsonlBytes(b.env.stderr); err != nil {
		return nil, err
	}
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

	if err := b.load(ctx, rep, st, idx); err != nil {
		return nil, err
	}
	rep.Sets = []*querySet{{Name: "own", Source: fmt.Sprintf("drawn from the corpus, seed %d", b.seed),
		Queries: b.draw(11, b.perClass)}}
	if b.fileSet != nil {
		rep.Sets = append(rep.Sets, b.fileSet)
	}
	b.warm = b.draw(13, benchWarmup)
	run := func(q *benchQuery) (uint64, error) { return sdQuery(ctx, idx, q) }
	if err := b.passes(ctx, rep.Sets, run, idx.Busy, false); err != nil {
		return nil, err
	}
	rep.Searchdesk.DiskBytes = dirSize(filepath.Join(b.dir, "store")) + dirSize(filepath.Join(b.dir, "index"))
	rep.Searchdesk.DiskRatio = float64(rep.Searchdesk.DiskBytes) / float64(max(rep.CorpusBytes, 1))
	if rep.Searchdesk.VmRSSBytes, rep.Searchdesk.VmHWMBytes, err = procMemory(); err != nil {
		b.env.log.Warn("no memory figures", "err", err)
	}
	if withRaw {
		r, err := b.runRaw(ctx, rep.Sets)
		if err != nil {
			return nil, fmt.Errorf("raw bleve: %w", err)
		}
		r.DiskRatio = float64(r.DiskBytes) / float64(max(rep.CorpusBytes, 1))
		rep.RawBleve = r
		for _, s := range rep.Sets {
			s.compareTotals()
		}
	}
	return rep, nil
}

// load ingests the corpus into searchdesk and waits until the index has
// applied all of it, timing both.
func (b *bencher) load(ctx context.Context, rep *benchReport, st *engine.Store, idx *index.Index) error {
	fmt.Fprintf(b.env.stderr, "bench: loading %s into searchdesk\n", rep.Corpus)
	start := time.Now()
	tickets, err := b.ingest(ctx, st)
	if err != nil {
		return err
	}
	committed := time.Since(start)
	wctx, cancel := context.WithTimeout(ctx, time.Hour)
	err = idx.WaitFor(wctx, st.LastSeq())
	cancel()
	if err != nil {
		return err
	}
	searchable := time.Since(start)
	rep.Tickets, rep.Shards = tickets, idx.Shards()
	rep.Searchdesk.CommittedPerSec = float64(tickets) / committed.Seconds()
	rep.Searchdesk.SearchablePerSec = float64(tickets) / searchable.Seconds()
	return nil
}

// passes measures every set right after loading and, with settling on,
// again once busy says the index's background merging is idle; the last
// pass records each query's total.
func (b *bencher) passes(ctx context.Context, sets []*querySet, run func(*benchQuery) (uint64, error),
	busy func() bool, raw bool) error {
	b.measureSets(sets, run, raw, false, !b.settle)
	if !b.settle {
		return nil
	}
	if err := index.WaitSettled(ctx, busy); err != nil {
		return err
	}
	b.measureSets(sets, run, raw, true, true)
	return nil
}

// measureSets runs one measured pass of one engine over every set.
func (b *bencher) measureSets(sets []*querySet, run func(*benchQuery) (uint64, error), raw, settled, final bool) {
	for _, s := range sets {
		p := &s.Searchdesk
		if raw {
			if s.RawBleve == nil {
				s.RawBleve = &benchPasses{}
			}
			p = s.RawBleve
		}
		cr := measure(s.Queries, b.warm, run, recordQuery(raw, settled, final))
		if settled {
			p.Settled = cr
		} else {
			p.AfterLoad = cr
		}
	}
}

// recordQuery keeps a measured query's latency in the field of its
// engine and pass, and on the final pass its total.
func recordQuery(raw, settled, final bool) func(*benchQuery, uint64, float64, error) {
	return func(q *benchQuery, total uint64, ms float64, err error) {
		switch {
		case raw && settled:
			q.RawMsSettled = ms
		case raw:
			q.RawMsAfterLoad = ms
		case settled:
			q.MsSettled = ms
		default:
			q.MsAfterLoad = ms
		}
		if !final {
			return
		}
		switch {
		case raw && err != nil:
			q.RawTotal, q.RawError = nil, err.Error()
		case raw:
			q.RawTotal, q.RawError = &total, ""
		case err != nil:
			q.Total, q.Error = 0, err.Error()
		default:
			q.Total, q.Error = total, ""
		}
	}
}

// ingest loads the corpus through the engine in batches, each made
// durable before the next (group commit).
func (b *bencher) ingest(ctx context.Context, st *engine.Store) (int, error) {
	r := rand.New(rand.NewPCG(b.seed, 7))
	users := map[string]bool{}
	desks := map[string]bool{}
	var batch []engine.TicketImport
	n := 0
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
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// benchUserEmail turns a corpus assignee ("tereza.smith") into an address.
func benchUserEmail(name string) string {
	if name == "" || strings.Contains(name, "@") {
		return name
	}
	return name + "@agents.bench.invalid"
}

// draw draws perClass queries of each class from the sample, with the
// random stream numbered stream (11 for the own set).
func (b *bencher) draw(stream uint64, perClass int) []benchQuery {
	r := rand.New(rand.NewPCG(b.seed, stream))
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
		for i := 0; i < perClass; i++ {
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
				q.Statuses, q.Priority, q.Desk = []string{t.Status}, t.Priority, t.Desk
			case "view-count":
				q.Statuses, q.SLA = []string{"open", "in_progress"}, "breached"
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
		return fmt.Sprintf("status:%s priority:%s desk:%s sort:created-desc", strings.Join(q.Statuses, ","), q.Priority, q.Desk)
	case "view-count":
		return fmt.Sprintf("status:%s sla:%s desk:%s", strings.Join(q.Statuses, ","), q.SLA, q.Desk)
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

// measure runs, class by class, the class's warm-up queries (neither
// timed nor counted), then each of its queries once, in order, and
// reports the latency percentiles of each class; rec gets every measured
// query's total, latency in ms and error.
func measure(qs, warm []benchQuery, run func(*benchQuery) (uint64, error),
	rec func(*benchQuery, uint64, float64, error)) []classReport {
	var out []classReport
	for _, class := range benchClasses {
		var cqs, cwarm []*benchQuery
		for i := range qs {
			if qs[i].Class == class {
				cqs = append(cqs, &qs[i])
			}
		}
		for i := range warm {
			if warm[i].Class == class && len(cqs) > 0 {
				cwarm = append(cwarm, &warm[i])
			}
		}
		out = append(out, measureClass(class, cqs, cwarm, run, rec))
	}
	return out
}

func measureClass(class string, qs, warm []*benchQuery, run func(*benchQuery) (uint64, error),
	rec func(*benchQuery, uint64, float64, error)) classReport {
	cr := classReport{Class: class, Warmup: len(warm)}
	for _, q := range warm {
		run(q) // only to warm caches: a failure shows in the measured queries
	}
	lat := make([]float64, 0, len(qs))
	for _, q := range qs {
		t0 := time.Now()
		total, err := run(q)
		took := time.Since(t0)
		ms := float64(took.Microseconds()) / 1000
		lat = append(lat, ms)
		if took > time.Second {
			cr.OverDeadline++
		}
		rec(q, total, ms, err)
		if err != nil {
			if cr.Failed == 0 {
				cr.FirstErr = fmt.Sprintf("%s: %v", q.Query, err)
			}
			cr.Failed++
			continue
		}
		cr.Total += total
	}
	cr.N = len(lat)
	cr.P50, cr.P95, cr.P99 = percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)
	return cr
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
