package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"searchdesk/index"
)

// rawDoc is a benchmark ticket as raw Bleve indexes it.
type rawDoc struct {
	Subject  string    `json:"subject"`
	Body     string    `json:"body"`
	Status   string    `json:"status"`
	Priority string    `json:"priority"`
	Category string    `json:"category"`
	Desk     string    `json:"desk"`
	Assignee string    `json:"assignee"`
	Customer string    `json:"customer"`
	Account  string    `json:"account"`
	Tags     []string  `json:"tags"`
	SLA      string    `json:"sla"`
	Created  time.Time `json:"created"`
}

// rawMapping is the baseline the anchors were measured with: one
// index, the standard analyzer for subject and body, keyword fields with
// doc values for the facet fields, a datetime field for created, no _all.
func rawMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{"subject", "body"} {
		t := bleve.NewTextFieldMapping()
		t.Analyzer = standard.Name
		t.Store = false
		t.IncludeInAll = false
		doc.AddFieldMappingsAt(f, t)
	}
	for _, f := range []string{"status", "priority", "category", "desk", "assignee", "customer", "account", "tags", "sla"} {
		k := bleve.NewKeywordFieldMapping()
		k.Store = false
		k.DocValues = true
		k.IncludeInAll = false
		doc.AddFieldMappingsAt(f, k)
	}
	dt := bleve.NewDateTimeFieldMapping()
	dt.Store = false
	dt.IncludeInAll = false
	doc.AddFieldMappingsAt("created", dt)
	m.DefaultMapping = doc
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m
}

// runRaw loads the corpus into raw Bleve and runs the same query sets,
// with the same warm-up and passes as searchdesk.
func (b *bencher) runRaw(ctx context.Context, sets []*querySet) (*engineReport, error) {
	dir := filepath.Join(b.dir, "raw-bleve")
	os.RemoveAll(dir)
	bi, err := bleve.New(dir, rawMapping())
	if err != nil {
		return nil, err
	}
	defer bi.Close()
	rate, err := b.loadRaw(ctx, bi)
	if err != nil {
		return nil, err
	}
	rep := &engineReport{SearchablePerSec: rate}
	run := func(q *benchQuery) (uint64, error) { return rawQuery(ctx, bi, q) }
	if err := b.passes(ctx, sets, run, func() bool { return index.Busy(bi) }, true); err != nil {
		return nil, err
	}
	rep.DiskBytes = dirSize(dir)
	return rep, nil
}

// loadRaw indexes the corpus in batches of 1,000 and returns the rate.
func (b *bencher) loadRaw(ctx context.Context, bi bleve.Index) (float64, error) {
	fmt.Fprintf(b.env.stderr, "bench: loading %s into raw bleve\n", b.src.describe())
	start := time.Now()
	batch := bi.NewBatch()
	n := 0
	err := b.src.each(func(t *benchTicket) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		created, _ := time.Parse(time.RFC3339, t.Created)
		if err := batch.Index(t.ID, rawDoc{Subject: t.Subject, Body: t.Body, Status: t.Status, Priority: t.Priority,
			Category: t.Category, Desk: t.Desk, Assignee: t.Assignee, Customer: t.Customer, Account: t.Account,
			Tags: t.Tags, SLA: t.SLA, Created: created}); err != nil {
			return err
		}
		n++
		if batch.Size() == 1000 {
			if err := bi.Batch(batch); err != nil {
				return err
			}
			batch.Reset()
		}
		return nil
	})
	if err == nil && batch.Size() > 0 {
		err = bi.Batch(batch)
	}
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// rawQuery runs one benchmark query through raw Bleve the plain way.
func rawQuery(ctx context.Context, bi bleve.Index, q *benchQuery) (uint64, error) {
	size := 25
	var sort []string
	switch q.Class {
	case "filter-only":
		sort = []string{"-created"}
	case "view-count":
		size = 0
	}
	req := bleve.NewSearchRequestOptions(rawQueryOf(q), size, 0, false)
	if q.Class == "term+facets" {
		sort = []string{"-created"}
		for _, f := range benchFacets {
			req.AddFacet(f, bleve.NewFacetRequest(f, 50))
		}
	}
	if sort != nil {
		req.SortBy(sort)
	}
	res, err := bi.SearchInContext(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// rawQueryOf is the match part of a benchmark query in raw Bleve: text
// in subject or body, keyword terms for filters.
func rawQueryOf(q *benchQuery) query.Query {
	text := func(mk func(field string) query.Query) query.Query {
		return bleve.NewDisjunctionQuery(mk("subject"), mk("body"))
	}
	match := func(w string) query.Query {
		return text(func(f string) query.Query {
			m := bleve.NewMatchQuery(w)
			m.SetField(f)
			return m
		})
	}
	switch q.Class {
	case "one-term", "term+facets":
		return match(q.Words[0])
	case "two-terms":
		return bleve.NewConjunctionQuery(match(q.Words[0]), match(q.Words[1]))
	case "phrase":
		return text(func(f string) query.Query {
			p := bleve.NewMatchPhraseQuery(q.Words[0] + " " + q.Words[1])
			p.SetField(f)
			return p
		})
	case "prefix":
		return text(func(f string) query.Query {
			p := bleve.NewPrefixQuery(q.Words[0])
			p.SetField(f)
			return p
		})
	case "filter-only":
		return bleve.NewConjunctionQuery(rawStatuses(q.Statuses), rawTerm("priority", q.Priority), rawTerm("desk", q.Desk))
	case "view-count":
		return bleve.NewConjunctionQuery(rawStatuses(q.Statuses), rawTerm("sla", q.SLA), rawTerm("desk", q.Desk))
	}
	return bleve.NewMatchNoneQuery()
}

func rawTerm(field, v string) query.Query {
	t := bleve.NewTermQuery(v)
	t.SetField(field)
	return t
}

// rawStatuses matches any of the statuses: one term for one, else a
// disjunction of terms.
func rawStatuses(ss []string) query.Query {
	if len(ss) == 1 {
		return rawTerm("status", ss[0])
	}
	var qs []query.Query
	for _, s := range ss {
		qs = append(qs, rawTerm("status", s))
	}
	return bleve.NewDisjunctionQuery(qs...)
}
