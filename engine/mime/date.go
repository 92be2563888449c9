package mime

import (
	"strconv"
	"strings"
	"time"
)

const maxDateLen = 200 // longer Date values are junk

// dateParts collects the pieces of a date found so far; -1 means unknown.
type dateParts struct {
	year, month, day     int
	hour, minute, second int
	offset               int // seconds east of UTC
	pm, am               bool
	badZone              bool
}

// parseDate reads a Date value leniently (REL-12): RFC 5322 3.3 with its
// obsolete forms (no weekday or seconds, two-digit years, zone names and
// military zones), asctime ("Tue Mar  1 01:47:31 2005"), ISO 8601, the
// English, Polish and Czech dates mail clients write in forward blocks
// ("May 8, 2005 1:17 PM", "1 mar 2021 o 10:00", "1. 3. 2021 10:00"), and
// junk after the date. It returns the zero time when there is no day,
// month and year, when a field is out of range, or when the zone is beyond
// ±14 hours.
func parseDate(s string) time.Time {
	if len(s) > maxDateLen {
		return time.Time{}
	}
	d := dateParts{year: -1, month: -1, day: -1, hour: -1}
	for _, tok := range dateTokens(s) {
		d.take(tok)
	}
	return d.time()
}

// dateTokens splits s at blanks and commas after removing comments; "T"
// between an ISO date and time splits too.
func dateTokens(s string) []string {
	s = strings.ToLower(s)
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth > 0:
		case r == ',' || r == '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	var toks []string
	for _, f := range strings.Fields(b.String()) {
		if len(f) > 10 && f[4] == '-' && f[10] == 't' {
			toks = append(toks, f[:10], f[11:])
			continue
		}
		toks = append(toks, f)
	}
	return toks
}

// take assigns one token to the field it can be.
func (d *dateParts) take(tok string) {
	switch {
	case tok == "am" || tok == "a.m.":
		d.am = true
	case tok == "pm" || tok == "p.m.":
		d.pm = true
	case strings.Contains(tok, ":") && d.hour < 0 && isDigit(tok[0]):
		d.takeTime(tok)
	case tok[0] == '+' || (tok[0] == '-' && len(tok) > 1 && isDigit(tok[1])):
		d.takeOffset(tok)
	case strings.HasPrefix(tok, "gmt") || strings.HasPrefix(tok, "utc"):
		if len(tok) > 3 {
			d.takeOffset(tok[3:])
		}
	case isDigit(tok[0]):
		d.takeNumber(tok)
	default:
		if m := monthNumber(tok); m > 0 && d.month < 0 {
			d.month = m
		} else if off, ok := zoneOffset(tok); ok && d.hour >= 0 {
			d.offset = off
		}
	}
}

// takeTime reads hh:mm[:ss][.frac], possibly with am/pm or a zone stuck
// to it.
func (d *dateParts) takeTime(tok string) {
	if i := strings.IndexAny(tok, "+-z"); i > 0 {
		if tok[i] != 'z' {
			d.takeOffset(tok[i:])
		}
		tok = tok[:i]
	}
	if strings.HasSuffix(tok, "pm") || strings.HasSuffix(tok, "am") {
		d.pm = strings.HasSuffix(tok, "pm")
		d.am = !d.pm
		tok = tok[:len(tok)-2]
	}
	f := strings.Split(tok, ":")
	if len(f) < 2 || len(f) > 3 {
		return
	}
	if i := strings.IndexByte(f[len(f)-1], '.'); i >= 0 {
		f[len(f)-1] = f[len(f)-1][:i]
	}
	h, m, sec := atoi(f[0]), atoi(f[1]), 0
	if len(f) == 3 {
		sec = atoi(f[2])
	}
	if h < 0 || m < 0 || sec < 0 {
		return
	}
	d.hour, d.minute, d.second = h, m, sec
}

// takeOffset reads +hhmm, -hhmm, +hh:mm or +h.
func (d *dateParts) takeOffset(tok string) {
	sign := 1
	switch tok[0] {
	case '-':
		sign = -1
		fallthrough
	case '+':
		tok = tok[1:]
	default:
		return
	}
	tok = strings.ReplaceAll(tok, ":", "")
	var h, m int
	switch len(tok) {
	case 1, 2:
		h, m = atoi(tok), 0
	case 4:
		h, m = atoi(tok[:2]), atoi(tok[2:])
	default:
		d.badZone = true
		return
	}
	if h < 0 || m < 0 || m >= 60 || h*60+m > 14*60 {
		d.badZone = true
		return
	}
	d.offset = sign * (h*3600 + m*60)
}

// takeNumber reads a day, a year, an ordinal ("1." as in "1. 3. 2021") or
// a numeric date (2021-03-01, 01.03.2021, 3/1/2021).
func (d *dateParts) takeNumber(tok string) {
	for _, sep := range []string{"-", ".", "/"} {
		f := strings.Split(strings.TrimSuffix(tok, sep), sep)
		if len(f) != 3 {
			continue
		}
		a, b, c := atoi(f[0]), atoi(f[1]), atoi(f[2])
		switch {
		case len(f[0]) == 4 && d.year < 0:
			d.year, d.month, d.day = a, b, c
		case sep == "/" && a <= 12 && b > 12:
			d.month, d.day, d.year = a, b, fullYear(f[2], c)
		case d.year < 0:
			d.day, d.month, d.year = a, b, fullYear(f[2], c)
		}
		return
	}
	n := atoi(strings.TrimSuffix(tok, "."))
	if n < 0 {
		return
	}
	switch {
	case strings.HasSuffix(tok, ".") && d.day < 0:
		d.day = n
	case strings.HasSuffix(tok, ".") && d.month < 0:
		d.month = n
	case len(tok) <= 2 && d.day < 0:
		d.day = n
	case d.year < 0:
		d.year = fullYear(tok, n)
	}
}

// fullYear applies RFC 5322 4.3: two digits below 50 are 20xx, others
// 19xx; three digits add 1900.
func fullYear(s string, n int) int {
	switch {
	case n < 0:
		return -1
	case len(s) <= 2 && n < 50:
		return 2000 + n
	case len(s) <= 3 && n < 1000:
		return 1900 + n
	}
	return n
}

// time validates the parts and builds the time.
func (d *dateParts) time() time.Time {
	if d.badZone || d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1 {
		return time.Time{}
	}
	if d.day > time.Date(d.year, time.Month(d.month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}
	}
	h := max(d.hour, 0)
	if d.pm && h < 12 {
		h += 12
	} else if d.am && h == 12 {
		h = 0
	}
	sec := min(d.second, 59) // a leap second
	if h > 23 || d.minute > 59 {
		return time.Time{}
	}
	loc := time.UTC
	if d.offset != 0 {
		loc = time.FixedZone("", d.offset)
	}
	return time.Date(d.year, time.Month(d.month), d.day, h, d.minute, sec, 0, loc)
}

// monthNumber knows English month names and abbreviations and, through
// foreignMonth, the names other languages' mail clients write.
func monthNumber(tok string) int {
	tok = strings.TrimSuffix(tok, ".")
	if m := foreignMonth(tok); m > 0 {
		return m
	}
	if len(tok) < 3 {
		return 0
	}
	for i, m := range []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"} {
		if strings.HasPrefix(m, tok) {
			return i + 1
		}
	}
	return 0
}

// foreignMonth knows the month names of the languages forward blocks are
// written in: Polish and Czech (nominative and genitive), German, French,
// Italian, Spanish, Portuguese and Dutch.
func foreignMonth(tok string) int {
	switch tok {
	case "januar", "janvier", "gennaio", "enero", "janeiro", "januari":
		return 1
	case "februar", "février", "fevrier", "febbraio", "febrero", "fevereiro", "februari":
		return 2
	case "märz", "mars", "marzo", "março", "maart":
		return 3
	case "avril", "aprile", "abril":
		return 4
	case "mai", "maggio", "mayo", "maio", "mei":
		return 5
	case "juni", "juin", "giugno", "junio", "junho":
		return 6
	case "juli", "juillet", "luglio", "julio", "julho":
		return 7
	case "août", "aout", "agosto", "augustus":
		return 8
	case "septembre", "settembre", "septiembre", "setembro":
		return 9
	case "oktober", "octobre", "ottobre", "octubre", "outubro":
		return 10
	case "novembre", "noviembre", "novembro":
		return 11
	case "dezember", "décembre", "decembre", "dicembre", "diciembre", "dezembro":
		return 12
	}
	switch tok {
	case "stycznia", "styczeń", "sty", "ledna", "leden":
		return 1
	case "lutego", "luty", "lut", "února", "únor":
		return 2
	case "marca", "marzec", "března", "březen":
		return 3
	case "kwietnia", "kwiecień", "kwi", "dubna", "duben":
		return 4
	case "maja", "maj", "května", "květen":
		return 5
	case "czerwca", "czerwiec", "cze", "června", "červen":
		return 6
	case "lipca", "lipiec", "lip", "července", "červenec":
		return 7
	case "sierpnia", "sierpień", "sie", "srpna", "srpen":
		return 8
	case "września", "wrzesień", "wrz", "září":
		return 9
	case "października", "październik", "paź", "října", "říjen":
		return 10
	case "listopada", "listopad", "lis", "listopadu":
		return 11
	case "grudnia", "grudzień", "gru", "prosince", "prosinec":
		return 12
	}
	return 0
}

// zoneOffset knows the zone names of RFC 5322 4.3 and a few common ones.
// Military letters other than Z mean nothing reliable (RFC 5322 4.3) and
// count as UTC.
func zoneOffset(tok string) (int, bool) {
	h := 0
	switch tok {
	case "ut", "utc", "gmt", "z", "wet":
	case "est", "cdt":
		h = -5
	case "edt":
		h = -4
	case "cst", "mdt":
		h = -6
	case "mst", "pdt":
		h = -7
	case "pst":
		h = -8
	case "bst", "cet", "met":
		h = 1
	case "cest", "mest", "eet":
		h = 2
	case "eest", "msk":
		h = 3
	case "hkt":
		h = 8
	case "jst", "kst":
		h = 9
	case "aest":
		h = 10
	default:
		if len(tok) == 1 && tok[0] >= 'a' && tok[0] <= 'z' && tok != "j" {
			return 0, true
		}
		return 0, false
	}
	return h * 3600, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// atoi parses a short run of digits, -1 for anything else.
func atoi(s string) int {
	if s == "" || len(s) > 9 {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return -1
	}
	return n
}
