package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestTableStorage puts, replaces and removes random tickets and checks
// every value bitmap, column, list and facet count against a plain map
// of what each ticket last was: past 256 categories the column widens,
// values a ticket loses leave its bitmaps, removed tickets leave alive.
func TestTableStorage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tb := newTable()
	model := map[string]*ticketDoc{}
	pick := func(n int, prefix string) string { return fmt.Sprintf("%s%d", prefix, r.IntN(n)) }
	for range 4000 {
		id := pick(600, "t")
		if r.IntN(8) == 0 {
			tb.remove(id)
			delete(model, id)
			continue
		}
		d := &ticketDoc{Status: pick(5, "s"), Priority: []string{"low", "normal", "high", "urgent", ""}[r.IntN(5)],
			Category: pick(400, "c"), Desk: pick(3, "d"), Assignee: pick(20, "a"), Type: "", Source: pick(2, "src"),
			SLA: pick(4, "sla"), DeskID: pick(3, "D"), ContactID: pick(300, "C"), AccountID: pick(50, "A"),
			Created: time.Unix(int64(r.IntN(1e6)), 0), Updated: time.Unix(int64(r.IntN(1e6)), 0)}
		for range r.IntN(4) {
			d.Tag = append(d.Tag, pick(10, "tag"))
		}
		d.Customer = []string{pick(300, "x@"), pick(300, "x@")}
		d.Account = []string{pick(40, "acc")}
		d.PriorityRank = priorityRank(d.Priority)
		tb.put(id, d)
		model[id] = d
	}
	if tb.cols[colCategory].u16 == nil {
		t.Errorf("400 categories: want a two-byte column")
	}
	if got := tb.alive.GetCardinality(); got != uint64(len(model)) {
		t.Fatalf("alive has %d tickets, want %d", got, len(model))
	}
	tb.lists.compact()
	check := func(field string, values func(*ticketDoc) []string) {
		t.Helper()
		checkField(t, tb, model, field, values)
	}
	one := func(get func(*ticketDoc) string) func(*ticketDoc) []string {
		return func(d *ticketDoc) []string { return []string{get(d)} }
	}
	check("status", one(func(d *ticketDoc) string { return d.Status }))
	check("category", one(func(d *ticketDoc) string { return d.Category }))
	check("contact_id", one(func(d *ticketDoc) string { return d.ContactID }))
	check("tag", func(d *ticketDoc) []string { return d.Tag })
	check("customer", func(d *ticketDoc) []string { return d.Customer })
	check("account", func(d *ticketDoc) []string { return d.Account })
	for id, doc := range model {
		o := tb.ord[id]
		if tb.ids[o] != id || tb.updated[o] != doc.Updated.UnixNano() || tb.rank[o] != uint8(doc.PriorityRank) ||
			tb.colDict[colCategory].values[tb.cols[colCategory].get(o)] != doc.Category {
			t.Errorf("ticket %s: columns do not hold its values", id)
		}
	}
	// Facets over a few matches read the columns instead of the bitmaps.
	few := roaring.New()
	for id := range model {
		if few.Add(tb.ord[id]); few.GetCardinality() == 5 {
			break
		}
	}
	n := 0
	for _, fv := range tb.facets(few, []string{"customer"})["customer"] {
		n += fv.Count
	}
	if want := few.AndCardinality(tb.alive); n < int(want) || n > 2*int(want) {
		t.Errorf("customer facet over %d tickets counts %d", want, n)
	}
}

func TestCodeColumnWidens(t *testing.T) {
	var c codeColumn
	for o := range 10 {
		c.grow()
		c.set(uint32(o), uint32(o))
	}
	c.set(3, 300)
	c.set(4, 70000)
	for o, want := range []uint32{0, 1, 2, 300, 70000, 5, 6, 7, 8, 9} {
		if got := c.get(uint32(o)); got != want {
			t.Errorf("ordinal %d: got %d, want %d", o, got, want)
		}
	}
	if c.u32 == nil || c.u8 != nil || c.u16 != nil {
		t.Errorf("want a four-byte column, got %d/%d/%d", len(c.u8), len(c.u16), len(c.u32))
	}
}

// checkField compares one field's bitmaps and facet counts in tb with
// what model says each ticket holds.
func checkField(t *testing.T, tb *table, model map[string]*ticketDoc, field string, values func(*ticketDoc) []string) {
	t.Helper()
	f, single, _ := tableField(field)
	d := tb.dictOf(f, single)
	want := map[string][]uint32{}
	for id, doc := range model {
		for _, v := range values(doc) {
			if o := tb.ord[id]; !slices.Contains(want[v], o) {
				want[v] = append(want[v], o)
			}
		}
	}
	for i, v := range d.values {
		if got, w := d.bits[i], roaring.BitmapOf(want[v]...); !got.Equals(w) {
			t.Errorf("%s=%s: got %v, want %v", field, v, got.ToArray(), w.ToArray())
		}
	}
	counts := map[string]int{}
	for v, os := range want {
		counts[v] = len(os)
	}
	for _, fv := range tb.facets(tb.alive, []string{field})[field] {
		if fv.Count != counts[fv.Value] {
			t.Errorf("facet %s=%s: got %d, want %d", field, fv.Value, fv.Count, counts[fv.Value])
		}
	}
}
