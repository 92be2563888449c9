package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// querySetFile is a query set in the format of ../shared/bench/README.md,
// the queries other engines were measured with.
type querySetFile struct {
	Seed    int64          `json:"seed"`
	Queries []querySetItem `json:"queries"`
}

// querySetItem is one query of a query set; a class uses only some fields.
type querySetItem struct {
	Class    string   `json:"class"`
	Terms    []string `json:"terms"`
	Prefix   string   `json:"prefix"`
	Status   []string `json:"status"`
	Priority string   `json:"priority"`
	SLA      string   `json:"sla"`
	Desk     string   `json:"desk"`
}

// readQuerySet reads a query set file and translates every query into
// one of bench's classes, in the file's order.
func readQuerySet(path string) (*querySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: query set: %w", err)
	}
	var f querySetFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("bench: query set %s: %w", path, err)
	}
	if len(f.Queries) == 0 {
		return nil, fmt.Errorf("bench: query set %s: no queries", path)
	}
	s := &querySet{Name: path, Source: fmt.Sprintf("query set file, seed %d", f.Seed)}
	for i, it := range f.Queries {
		q, err := it.benchQuery()
		if err != nil {
			return nil, fmt.Errorf("bench: query set %s: query %d (%s): %w", path, i+1, it.Class, err)
		}
		s.Queries = append(s.Queries, q)
	}
	return s, nil
}

// benchQuery maps the query onto bench's class of the same work: term →
// one-term, and2 → two-terms, phrase → phrase, facets → term+facets,
// filter → filter-only, prefix → prefix, saved_view → view-count.
func (it querySetItem) benchQuery() (benchQuery, error) {
	var q benchQuery
	var err error
	switch it.Class {
	case "term":
		q.Class, q.Words, err = "one-term", it.Terms, wantWords(it.Terms, 1)
	case "and2":
		q.Class, q.Words, err = "two-terms", it.Terms, wantWords(it.Terms, 2)
	case "phrase":
		q.Class, q.Words, err = "phrase", it.Terms, wantWords(it.Terms, 2)
	case "facets":
		q.Class, q.Words, err = "term+facets", it.Terms, wantWords(it.Terms, 1)
	case "prefix":
		q.Class, q.Words, err = "prefix", []string{it.Prefix}, wantWords([]string{it.Prefix}, 1)
	case "filter":
		q.Class, q.Priority, q.Desk = "filter-only", it.Priority, it.Desk
		err = wantValues(it.Status, "priority", it.Priority, "desk", it.Desk)
	case "saved_view":
		q.Class, q.SLA, q.Desk = "view-count", it.SLA, it.Desk
		err = wantValues(it.Status, "sla", it.SLA, "desk", it.Desk)
	default:
		err = errors.New("unknown class")
	}
	if err != nil {
		return q, err
	}
	for _, s := range it.Status {
		q.Statuses = append(q.Statuses, corpusStatus(s))
	}
	q.Query = sdQueryText(&q)
	return q, nil
}

// wantWords checks that there are n words, each of letters and digits
// only, so that the query language reads each as one plain word.
func wantWords(ws []string, n int) error {
	if len(ws) != n {
		return fmt.Errorf("want %d terms, got %d", n, len(ws))
	}
	for _, w := range ws {
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
			return fmt.Errorf("term %q is not a plain word", w)
		}
	}
	return nil
}

// wantValues checks that a filter names at least one status and that
// every value (given as name, value pairs) is one plain value of letters,
// digits, '-' and '_'.
func wantValues(statuses []string, pairs ...string) error {
	if len(statuses) == 0 {
		return errors.New("no status")
	}
	for _, st := range statuses {
		pairs = append(pairs, "status", st)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v := pairs[i+1]
		if v == "" || strings.IndexFunc(v, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_'
		}) >= 0 {
			return fmt.Errorf("%s %q is not a plain value", pairs[i], v)
		}
	}
	return nil
}

// compareTotals counts, per class, the queries whose searchdesk total
// equals, exceeds or falls short of raw Bleve's, and lists the filter and
// view-count queries whose totals differ: those must agree exactly.
// Queries that failed on either engine are left out (they count as failed
// in their class).
func (s *querySet) compareTotals() {
	s.Totals, s.Mismatches = nil, nil
	for _, class := range benchClasses {
		ct := classTotals{Class: class}
		for i, q := range s.Queries {
			if q.Class != class || q.RawTotal == nil || q.Error != "" {
				continue
			}
			switch raw := *q.RawTotal; {
			case q.Total == raw:
				ct.Equal++
				continue
			case q.Total > raw:
				ct.More++
			default:
				ct.Fewer++
			}
			if class == "filter-only" || class == "view-count" {
				s.Mismatches = append(s.Mismatches, fmt.Sprintf("%s query %d %q: searchdesk %d, raw bleve %d",
					class, i+1, q.Query, q.Total, *q.RawTotal))
			}
		}
		s.Totals = append(s.Totals, ct)
	}
}

// procMemory reads VmRSS and VmHWM of this process from /proc/self/status,
// in bytes.
func procMemory() (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("bench: memory: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || key != "VmRSS" && key != "VmHWM" {
			continue
		}
		f := strings.Fields(val) // "123456 kB"
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("bench: memory: %s: unexpected %q", key, val)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: memory: %s: %w", key, err)
		}
		if key == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		return rss, hwm, errors.New("bench: memory: no VmRSS or VmHWM in /proc/self/status")
	}
	return rss, hwm, nil
}
