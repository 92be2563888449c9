package compose

import (
	"fmt"
	"strings"
	"time"
)

// Hours is a desk's weekly working hours in one time zone. The zero Hours
// is always open.
type Hours struct {
	limited bool           // false: always open
	loc     *time.Location // nil: UTC
	days    [7][]span      // indexed by time.Weekday
}

// span is a working range in seconds since local midnight, end excluded.
type span struct{ from, to int }

// ParseHours parses a weekly schedule such as
//
//	mon-fri 09:00-12:00, 13:00-17:00; sat 10:00-14:00
//
// Each rule is a list of days (mon … sun; ranges such as fri-mon wrap
// around the week; "mon,wed" lists) and a list of 24-hour ranges, which
// may end at 24:00 but not pass midnight. Rules are separated by ";" and
// add up. An empty spec or "24/7" is always open. tz is an IANA zone name
// such as "Europe/Warsaw"; "" is UTC. Errors give the byte offset in spec
// and say what was expected there.
func ParseHours(spec, tz string) (Hours, error) {
	h := Hours{}
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return Hours{}, fmt.Errorf("compose: hours: time zone %q: %w", tz, err)
		}
		h.loc = loc
	}
	if s := strings.TrimSpace(spec); s == "" || s == "24/7" {
		return h, nil
	}
	p := hoursParser{s: spec}
	for {
		p.skipSpace()
		if p.pos == len(p.s) {
			break
		}
		if p.s[p.pos] == ';' {
			p.pos++
			continue
		}
		if err := p.rule(&h); err != nil {
			return Hours{}, err
		}
		p.skipSpace()
		if p.pos < len(p.s) && p.s[p.pos] != ';' {
			return Hours{}, p.expected("separator", `";" or the end`)
		}
	}
	h.limited = true
	return h, nil
}

// Open reports whether t falls in the working hours, read on the wall clock
// of the schedule's time zone. Across a DST change, an hour the clock skips
// is never open and an hour it repeats is open both times if it is listed.
func (h Hours) Open(t time.Time) bool {
	if !h.limited {
		return true
	}
	loc := h.loc
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	for _, s := range h.days[lt.Weekday()] {
		if s.from <= sec && sec < s.to {
			return true
		}
	}
	return false
}

// hoursParser reads a schedule spec.
type hoursParser struct {
	s   string
	pos int
}

// dayNames is the order of days in a spec, Monday first.
const dayNames = "mon tue wed thu fri sat sun"

// rule reads "days ranges" and adds the ranges to h.
func (p *hoursParser) rule(h *Hours) error {
	var days []time.Weekday
	for {
		p.skipSpace()
		from, err := p.day()
		if err != nil {
			return err
		}
		to := from
		p.skipSpace()
		if p.consume('-') {
			p.skipSpace()
			if to, err = p.day(); err != nil {
				return err
			}
		}
		// Days count from Monday here; time.Weekday counts from Sunday.
		for d := from; ; d = (d + 1) % 7 {
			days = append(days, time.Weekday((d+1)%7))
			if d == to {
				break
			}
		}
		p.skipSpace()
		if !p.consume(',') {
			break
		}
	}
	for {
		p.skipSpace()
		sp, err := p.timeRange()
		if err != nil {
			return err
		}
		for _, d := range days {
			h.days[d] = append(h.days[d], sp)
		}
		p.skipSpace()
		if !p.consume(',') {
			return nil
		}
	}
}

// day reads a day name and returns it counted from Monday = 0.
func (p *hoursParser) day() (int, error) {
	start := p.pos
	for p.pos < len(p.s) && isLetter(p.s[p.pos]) {
		p.pos++
	}
	word := strings.ToLower(p.s[start:p.pos])
	if i := strings.Index(dayNames, word); len(word) == 3 && i >= 0 && i%4 == 0 {
		return i / 4, nil
	}
	p.pos = start
	return 0, p.expected("day", "a day (mon, tue, wed, thu, fri, sat or sun)")
}

// timeRange reads "HH:MM-HH:MM".
func (p *hoursParser) timeRange() (span, error) {
	from, err := p.clock(false)
	if err != nil {
		return span{}, err
	}
	p.skipSpace()
	if !p.consume('-') {
		return span{}, p.expected("dash", `"-" and an end time`)
	}
	p.skipSpace()
	start := p.pos
	to, err := p.clock(true)
	if err != nil {
		return span{}, err
	}
	if to <= from {
		p.pos = start
		after := fmt.Sprintf("%02d:%02d", from/3600, from%3600/60)
		e := p.expected("end_after", "an end time after "+after+" (split a range past midnight into two days)")
		e.After = after
		return span{}, e
	}
	return span{from, to}, nil
}

// clock reads H:MM or HH:MM, 00:00 to 23:59, or 24:00 when end is true, and
// returns seconds since midnight.
func (p *hoursParser) clock(end bool) (int, error) {
	start := p.pos
	hh, n1 := p.digits()
	ok := n1 >= 1 && n1 <= 2 && p.consume(':')
	mm, n2 := p.digits()
	ok = ok && n2 == 2 && mm < 60 && (hh < 24 || end && hh == 24 && mm == 0)
	if !ok {
		p.pos = start
		if end {
			return 0, p.expected("end_time", "a time from 00:01 to 24:00")
		}
		return 0, p.expected("start_time", "a time from 00:00 to 23:59")
	}
	return hh*3600 + mm*60, nil
}

// digits reads a run of ASCII digits and returns its value and length.
func (p *hoursParser) digits() (int, int) {
	v, n := 0, 0
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' && n < 4 {
		v = v*10 + int(p.s[p.pos]-'0')
		p.pos++
		n++
	}
	return v, n
}

// consume skips c if it is next.
func (p *hoursParser) consume(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// skipSpace skips spaces, tabs and line ends.
func (p *hoursParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// HoursError is a schedule ParseHours refuses: at byte Pos, what it
// expected (Expected, a word: separator, day, dash, end_after, end_time,
// start_time) and what it found there ("" for the end of the text).
type HoursError struct {
	Pos      int
	Expected string
	After    string // for end_after: the start time the end must follow
	Found    string
	want     string
}

func (e *HoursError) Error() string {
	found := "end of input"
	if e.Found != "" {
		found = fmt.Sprintf("%q", e.Found)
	}
	return fmt.Sprintf("compose: hours: at %d: expected %s, found %s", e.Pos, e.want, found)
}

// expected returns an error at the current position naming what was
// expected and the word found there.
func (p *hoursParser) expected(what, want string) *HoursError {
	e := &HoursError{Pos: p.pos, Expected: what, want: want}
	if p.pos < len(p.s) {
		end := p.pos + 1
		for end < len(p.s) && strings.IndexByte(" \t\r\n;,-", p.s[end]) < 0 && end-p.pos < 20 {
			end++
		}
		e.Found = p.s[p.pos:end]
	}
	return e
}

// isLetter reports whether c is an ASCII letter.
func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
