package index

import (
	"slices"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// The ticket table holds, beside Bleve and in memory, what filters, facets,
// counts and date or priority sorts need: every ticket has a dense ordinal
// (assigned the first time the table sees the ticket, never reused), and
// for each field a roaring bitmap per value (the ordinals of the tickets
// with that value) and, for the fields that facet or sort, a column
// indexed by ordinal. A query without text is answered from it alone
// (table_query.go); the rest go to Bleve.
//
// The table is derived like the index (invariant 1): it is filled from the
// store when the index opens (table_load.go) and kept by the follower,
// which applies the same documents to Bleve and to the table in
// applyBatch, before it records the feed sequence, so WaitFor covers both.

// Single-valued keyword fields of the table: each has a column of
// dictionary codes and a bitmap per value.
const (
	colStatus = iota
	colPriority
	colCategory
	colDesk
	colAssignee
	colType
	colSource
	colSLA
	colDeskID
	colContactID
	colAccountID
	nCols
)

// Multi-valued keyword fields: a bitmap per value, and each ticket's list
// of codes (tableLists), which an update needs to clear the old bits.
const (
	setTag = iota
	setHas
	setCustomer
	setAccount
	nSets
)

// colFields and setFields name the table's fields as the index does.
func colFields() [nCols]string {
	return [nCols]string{"status", "priority", "category", "desk", "assignee", "type", "source", "sla",
		"desk_id", "contact_id", "account_id"}
}

func setFields() [nSets]string {
	return [nSets]string{"tag", "has", "customer", "account"}
}

// tableField finds an index keyword field in the table: its number and
// whether it is single-valued (a column) or multi-valued (a set).
func tableField(name string) (i int, single, ok bool) {
	for i, f := range colFields() {
		if f == name {
			return i, true, true
		}
	}
	for i, f := range setFields() {
		if f == name {
			return i, false, true
		}
	}
	return 0, false, false
}

// dict is one field's values: a dense code per value, and the bitmap of
// the tickets that have it. A value no ticket has any more keeps its
// code, with an empty bitmap.
type dict struct {
	values []string
	codes  map[string]uint32
	bits   []*roaring.Bitmap
}

// add returns v's code, giving it one when it is new.
func (d *dict) add(v string) uint32 {
	if c, ok := d.codes[v]; ok {
		return c
	}
	if d.codes == nil {
		d.codes = map[string]uint32{}
	}
	c := uint32(len(d.values))
	d.values = append(d.values, v)
	d.codes[v] = c
	d.bits = append(d.bits, roaring.New())
	return c
}

// bitmap is the tickets with value v; nil when no ticket ever had it.
// The caller must not change it.
func (d *dict) bitmap(v string) *roaring.Bitmap {
	if c, ok := d.codes[v]; ok {
		return d.bits[c]
	}
	return nil
}

// codeColumn is a column of dictionary codes, as narrow as its dictionary
// allows: a byte per ticket while the field has at most 256 values (status,
// priority, source, sla, most desks), two bytes up to 65,536, four beyond.
type codeColumn struct {
	u8  []uint8
	u16 []uint16
	u32 []uint32
}

func (c *codeColumn) get(o uint32) uint32 {
	switch {
	case c.u32 != nil:
		return c.u32[o]
	case c.u16 != nil:
		return uint32(c.u16[o])
	}
	return uint32(c.u8[o])
}

// set stores code v at ordinal o, widening the column when v needs it.
func (c *codeColumn) set(o, v uint32) {
	if c.u32 == nil && (v > 0xffff || c.u16 == nil && v > 0xff) {
		c.widen(v)
	}
	switch {
	case c.u32 != nil:
		c.u32[o] = v
	case c.u16 != nil:
		c.u16[o] = uint16(v)
	default:
		c.u8[o] = uint8(v)
	}
}

func (c *codeColumn) widen(v uint32) {
	n := len(c.u8) + len(c.u16)
	if v > 0xffff {
		wide := make([]uint32, n)
		for o := range n {
			wide[o] = c.get(uint32(o))
		}
		c.u8, c.u16, c.u32 = nil, nil, wide
		return
	}
	wide := make([]uint16, n)
	for o, x := range c.u8 {
		wide[o] = uint16(x)
	}
	c.u8, c.u16 = nil, wide
}

// grow appends one ordinal with code 0.
func (c *codeColumn) grow() {
	switch {
	case c.u32 != nil:
		c.u32 = append(c.u32, 0)
	case c.u16 != nil:
		c.u16 = append(c.u16, 0)
	default:
		c.u8 = append(c.u8, 0)
	}
}

// tableLists are the codes of each ticket's multi-valued fields, packed in
// one array: at[o] is where ordinal o's lists start in vals (0: none), and
// there each set field has a count and that many codes. An update appends
// the new lists and leaves the old ones as waste, reclaimed by compacting
// when waste passes half of vals.
type tableLists struct {
	at    []uint32
	vals  []uint32
	waste int
}

// list returns ordinal o's codes of set field f.
func (l *tableLists) list(o uint32, f int) []uint32 {
	p := l.at[o]
	if p == 0 {
		return nil
	}
	for range f {
		p += 1 + l.vals[p]
	}
	n := l.vals[p]
	return l.vals[p+1 : p+1+n]
}

// span is how many values ordinal o's lists take.
func (l *tableLists) span(o uint32) int {
	p := l.at[o]
	if p == 0 {
		return 0
	}
	q := p
	for range nSets {
		q += 1 + l.vals[q]
	}
	return int(q - p)
}

// put replaces ordinal o's lists.
func (l *tableLists) put(o uint32, lists *[nSets][]uint32) {
	l.drop(o)
	if len(l.vals) == 0 {
		l.vals = append(l.vals, 0) // offset 0 means none
	}
	l.at[o] = uint32(len(l.vals))
	for _, codes := range lists {
		l.vals = append(l.vals, uint32(len(codes)))
		l.vals = append(l.vals, codes...)
	}
	if l.waste > 1<<16 && l.waste > len(l.vals)/2 {
		l.compact()
	}
}

// drop forgets ordinal o's lists.
func (l *tableLists) drop(o uint32) {
	l.waste += l.span(o)
	l.at[o] = 0
}

func (l *tableLists) compact() {
	vals := make([]uint32, 1, len(l.vals)-l.waste)
	for o, p := range l.at {
		if p == 0 {
			continue
		}
		n := l.span(uint32(o))
		l.at[o] = uint32(len(vals))
		vals = append(vals, l.vals[p:int(p)+n]...)
	}
	l.vals, l.waste = vals, 0
}

// table is the ticket table. Searches read it under mu's read lock while
// the follower writes a batch under its write lock.
type table struct {
	mu    sync.RWMutex
	seq   uint64            // the feed sequence it has applied
	dirty bool              // changed since it was read or saved
	ids   []string          // ordinal → ticket id
	ord   map[string]uint32 // ticket id → ordinal
	alive *roaring.Bitmap   // ordinals of the tickets that exist

	cols    [nCols]codeColumn
	colDict [nCols]dict
	setDict [nSets]dict
	lists   tableLists

	// rank is the priority's order (priority_rank), with a bitmap per
	// rank for comparisons; created and updated are unix nanoseconds,
	// as Bleve indexes dates.
	rank     []uint8
	rankBits [256]*roaring.Bitmap
	created  []int64
	updated  []int64
}

func newTable() *table {
	return &table{ord: map[string]uint32{}, alive: roaring.New()}
}

// tableRow is one ticket as the follower applies it: its table document,
// or nil when the ticket no longer exists.
type tableRow struct {
	id  string
	doc *ticketDoc
}

// apply applies a batch of rows and the feed sequence it brings the table
// up to (0: none, the batch ends inside a feed entry).
func (t *table) apply(rows []tableRow, seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, r := range rows {
		if r.doc == nil {
			t.remove(r.id)
		} else {
			t.put(r.id, r.doc)
		}
	}
	if seq != 0 {
		t.seq = seq
	}
	t.dirty = true
}

// save writes the table's snapshot into dir unless it has not changed
// since it was read or last saved.
func (t *table) save(dir string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.dirty {
		return nil
	}
	if err := saveTable(dir, t); err != nil {
		return err
	}
	t.dirty = false
	return nil
}

// put stores one ticket's values, replacing what it had.
func (t *table) put(id string, d *ticketDoc) {
	o, ok := t.ord[id]
	if ok {
		t.clear(o)
	} else {
		o = t.newOrdinal(id)
	}
	vals := [nCols]string{d.Status, d.Priority, d.Category, d.Desk, d.Assignee, d.Type, d.Source, d.SLA,
		d.DeskID, d.ContactID, d.AccountID}
	for f, v := range vals {
		c := t.colDict[f].add(v)
		t.cols[f].set(o, c)
		t.colDict[f].bits[c].Add(o)
	}
	var lists [nSets][]uint32
	for f, vs := range [nSets][]string{d.Tag, d.Has, d.Customer, d.Account} {
		for _, v := range vs {
			c := t.setDict[f].add(v)
			if slices.Contains(lists[f], c) {
				continue // a value twice counts once, as in Bleve's postings
			}
			lists[f] = append(lists[f], c)
			t.setDict[f].bits[c].Add(o)
		}
	}
	t.lists.put(o, &lists)
	r := uint8(d.PriorityRank)
	if t.rankBits[r] == nil {
		t.rankBits[r] = roaring.New()
	}
	t.rank[o] = r
	t.rankBits[r].Add(o)
	t.created[o], t.updated[o] = unixNano(d.Created), unixNano(d.Updated)
	t.alive.Add(o)
}

// unixNano is a date as Bleve indexes it.
func unixNano(tm time.Time) int64 { return tm.UnixNano() }

// remove takes a ticket out: its ordinal stays assigned, out of alive.
func (t *table) remove(id string) {
	o, ok := t.ord[id]
	if !ok || !t.alive.Contains(o) {
		return
	}
	t.clear(o)
	t.lists.drop(o)
	t.alive.Remove(o)
}

// clear takes ordinal o out of every value bitmap it is in.
func (t *table) clear(o uint32) {
	if !t.alive.Contains(o) {
		return
	}
	for f := range t.cols {
		t.colDict[f].bits[t.cols[f].get(o)].Remove(o)
	}
	for f := range t.setDict {
		for _, c := range t.lists.list(o, f) {
			t.setDict[f].bits[c].Remove(o)
		}
	}
	t.rankBits[t.rank[o]].Remove(o)
}

func (t *table) newOrdinal(id string) uint32 {
	o := uint32(len(t.ids))
	t.ids = append(t.ids, id)
	t.ord[id] = o
	for f := range t.cols {
		t.cols[f].grow()
	}
	t.lists.at = append(t.lists.at, 0)
	t.rank = append(t.rank, 0)
	t.created = append(t.created, 0)
	t.updated = append(t.updated, 0)
	return o
}
