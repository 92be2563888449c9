package main

import (
	"fmt"
	"io"
)

// printBench prints the report: the corpus, ingest, disk and memory, then
// each query set on its own.
func printBench(w io.Writer, rep *benchReport) {
	printBenchHeader(w, rep)
	for _, s := range rep.Sets {
		printQuerySet(w, rep, s)
	}
}

func printBenchHeader(w io.Writer, rep *benchReport) {
	fmt.Fprintf(w, "corpus: %s, %d tickets (JSONL %.1f MB), %d index shards\n",
		rep.Corpus, rep.Tickets, float64(rep.CorpusBytes)/1e6, rep.Shards)
	sd, raw := rep.Searchdesk, rep.RawBleve
	fmt.Fprintf(w, "ingest searchdesk: committed %.0f tickets/s, searchable %.0f tickets/s", sd.CommittedPerSec, sd.SearchablePerSec)
	if raw != nil {
		fmt.Fprintf(w, "; raw bleve %.0f docs/s (ratio %.2f)", raw.SearchablePerSec, sd.SearchablePerSec/raw.SearchablePerSec)
	}
	fmt.Fprintf(w, "\ndisk: searchdesk %.1f MB (%.2f × the JSONL)", float64(sd.DiskBytes)/1e6, sd.DiskRatio)
	if raw != nil {
		fmt.Fprintf(w, ", raw bleve %.1f MB (%.2f × the JSONL)", float64(raw.DiskBytes)/1e6, raw.DiskRatio)
	}
	when := "loaded and settled"
	if !rep.Settled {
		when = "loaded (not settled: --settle=false)"
	}
	if sd.VmRSSBytes > 0 {
		fmt.Fprintf(w, "\nmemory of the bench process, searchdesk %s, before raw bleve: VmRSS %.1f MB, VmHWM %.1f MB",
			when, float64(sd.VmRSSBytes)/1e6, float64(sd.VmHWMBytes)/1e6)
	} else {
		fmt.Fprint(w, "\nmemory of the bench process: not known (no /proc/self/status)")
	}
	fmt.Fprintln(w)
}

// printQuerySet prints one query set's latencies after loading and
// settled, its totals against raw Bleve's, and an error line for every
// filter or view-count total that differs from raw Bleve's.
func printQuerySet(w io.Writer, rep *benchReport, s *querySet) {
	fmt.Fprintf(w, "\nquery set %s: %s, %d queries; each class after %d warm-up queries of its class, not counted\n",
		s.Name, s.Source, len(s.Queries), rep.Warmup)
	var rawAfter, rawSettled []classReport
	if s.RawBleve != nil {
		rawAfter, rawSettled = s.RawBleve.AfterLoad, s.RawBleve.Settled
	}
	printClassTable(w, "right after loading", s.Searchdesk.AfterLoad, rawAfter)
	printClassTable(w, "settled", s.Searchdesk.Settled, rawSettled)
	if len(s.Totals) > 0 {
		fmt.Fprintln(w)
	}
	for _, t := range s.Totals {
		fmt.Fprintf(w, "totals %-12s equal to raw bleve %4d, more %4d, fewer %4d\n", t.Class, t.Equal, t.More, t.Fewer)
	}
	for _, m := range s.Mismatches {
		fmt.Fprintf(w, "error: total differs from raw bleve's: %s\n", m)
	}
}

// printClassTable prints one pass: per class, searchdesk's figures, raw
// Bleve's, and the ratios of searchdesk's percentiles to raw Bleve's.
func printClassTable(w io.Writer, title string, ours, theirs []classReport) {
	if len(ours) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (ms)\n%-12s %5s %8s %8s %8s %11s %5s", title, "class", "n", "p50", "p95", "p99", "total hits", ">1 s")
	if theirs != nil {
		fmt.Fprintf(w, " | %8s %8s %8s %11s %5s | %9s %9s %9s", "raw p50", "raw p95", "raw p99", "raw total", ">1 s",
			"p50 ratio", "p95 ratio", "p99 ratio")
	}
	fmt.Fprintln(w)
	for i, c := range ours {
		if c.N == 0 {
			continue
		}
		fmt.Fprintf(w, "%-12s %5d %8.2f %8.2f %8.2f %11d %5d", c.Class, c.N, c.P50, c.P95, c.P99, c.Total, c.OverDeadline)
		if theirs != nil && i < len(theirs) {
			t := theirs[i]
			fmt.Fprintf(w, " | %8.2f %8.2f %8.2f %11d %5d | %9.2f %9.2f %9.2f", t.P50, t.P95, t.P99, t.Total, t.OverDeadline,
				c.P50/max(t.P50, 0.001), c.P95/max(t.P95, 0.001), c.P99/max(t.P99, 0.001))
			if t.Failed > 0 {
				fmt.Fprintf(w, "  (raw bleve: %d failed; first: %s)", t.Failed, t.FirstErr)
			}
		}
		if c.Failed > 0 {
			fmt.Fprintf(w, "  (%d failed; first: %s)", c.Failed, c.FirstErr)
		}
		fmt.Fprintln(w)
	}
}
