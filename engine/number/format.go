package number

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// date holds the date fields a pattern renders at one instant.
type date struct {
	year  int // calendar year, or the ISO year for patterns with {{ww}}
	month int
	day   int
	week  int // ISO 8601 week
}

// dateAt returns the fields p renders at t, in t's location.
func (p Pattern) dateAt(t time.Time) date {
	y, m, d := t.Date()
	isoY, w := t.ISOWeek()
	if p.isoYear {
		y = isoY
	}
	return date{year: y, month: int(m), day: d, week: w}
}

// CounterKey names the counter a new number at t uses: "" for {{nr}}, which
// never resets, else the period the counter resets in: "y2026", "m2026-02",
// "w2026-05" (ISO year and week) or "d2026-02-03". Callers keep one counter
// per desk and key. For a pattern with {{ww}}, the year of "y…" is the ISO
// week-numbering year, the year the number shows.
func (p Pattern) CounterKey(t time.Time) string {
	y, m, d := t.Date()
	switch p.counter {
	case kindNrY:
		if p.isoYear {
			y, _ = t.ISOWeek()
		}
		return fmt.Sprintf("y%04d", y)
	case kindNrM:
		return fmt.Sprintf("m%04d-%02d", y, int(m))
	case kindNrW:
		isoY, w := t.ISOWeek()
		return fmt.Sprintf("w%04d-%02d", isoY, w)
	case kindNrD:
		return fmt.Sprintf("d%04d-%02d-%02d", y, int(m), d)
	}
	return ""
}

// Format renders the number for counter value n at time t (in t's own
// location) for the desk with code deskCode.
func (p Pattern) Format(n uint64, t time.Time, deskCode string) string {
	d := p.dateAt(t)
	var b strings.Builder
	for _, e := range p.elems {
		switch e.kind {
		case kindLit:
			b.WriteString(e.lit)
		case kindDesk:
			b.WriteString(deskCode)
		case kindYY:
			writePadded(&b, mod(d.year, 100), 2)
		case kindYYYY:
			writePadded(&b, mod(d.year, 10000), 4)
		case kindMM:
			writePadded(&b, d.month, 2)
		case kindWW:
			writePadded(&b, d.week, 2)
		case kindDD:
			writePadded(&b, d.day, 2)
		default: // the counter
			b.WriteString(strconv.FormatUint(n, 10))
		}
	}
	return b.String()
}

// mod returns a modulo m in [0, m), also for negative years.
func mod(a, m int) int {
	return (a%m + m) % m
}

// writePadded writes v, which is below 10^width, with leading zeros.
func writePadded(b *strings.Builder, v, width int) {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b.WriteByte('0')
	}
	b.WriteString(s)
}
