package number

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// day returns midday of the date in UTC, so no zone moves it.
func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

func mustParse(t *testing.T, pattern string) Pattern {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("Parse(%q): %v", pattern, err)
	}
	return p
}

func TestFormat(t *testing.T) {
	warsaw := time.FixedZone("CET", 3600)
	tests := []struct {
		name    string
		pattern string
		n       uint64
		date    string
		at      time.Time // if set, used instead of date
		desk    string
		want    string
	}{
		{name: "nr first", pattern: "{{nr}}", n: 1, date: "2026-02-03", want: "1"},
		{name: "nr second", pattern: "{{nr}}", n: 2, date: "2026-02-03", want: "2"},
		{name: "nr large", pattern: "{{nr}}", n: math.MaxUint64, date: "2026-02-03", want: "18446744073709551615"},
		{name: "prefix", pattern: "TK-{{nr}}", n: 1, date: "2026-02-03", want: "TK-1"},
		{name: "nr-y yy", pattern: "{{yy}}-{{nr-y}}", n: 1, date: "2026-02-03", want: "26-1"},
		{name: "nr-y yyyy", pattern: "{{yyyy}}/{{nr-y}}", n: 7, date: "2026-02-03", want: "2026/7"},
		{name: "nr-m", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", n: 1, date: "2026-02-03", want: "SUP-26-02-1"},
		{name: "nr-w", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", n: 1, date: "2026-01-29", want: "F-26-05-1"},
		{name: "nr-d", pattern: "D{{yyyy}}.{{mm}}.{{dd}}-{{nr-d}}", n: 3, date: "2026-02-03", want: "D2026.02.03-3"},
		{name: "desk", pattern: "{{desk}}-{{nr}}", n: 12, date: "2026-02-03", desk: "SUP", want: "SUP-12"},
		{name: "desk next to counter", pattern: "{{desk}}{{nr}}", n: 12, date: "2026-02-03", desk: "HR", want: "HR12"},
		{name: "empty desk", pattern: "{{desk}}-{{nr}}", n: 1, date: "2026-02-03", want: "-1"},
		{name: "hash", pattern: "#{{nr}}", n: 1042, date: "2026-02-03", want: "#1042"},
		{name: "counter first", pattern: "{{nr}}/{{yy}}", n: 5, date: "2026-02-03", want: "5/26"},
		{name: "non-ASCII literal", pattern: "ZGŁ-{{nr}}", n: 5, date: "2026-02-03", want: "ZGŁ-5"},
		{name: "year 5", pattern: "{{yyyy}}-{{yy}}-{{nr-y}}", n: 1, date: "0005-06-07", want: "0005-05-1"},
		{name: "iso year at new year", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", n: 1, date: "2027-01-01", want: "F-26-53-1"},
		{name: "iso year after new year", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", n: 1, date: "2027-01-04", want: "F-27-01-1"},
		{name: "iso year 2020 week 53", pattern: "W{{yyyy}}-{{ww}}-{{nr-w}}", n: 1, date: "2021-01-03", want: "W2020-53-1"},
		{name: "iso year ahead", pattern: "W{{yyyy}}-{{ww}}-{{nr-w}}", n: 1, date: "2024-12-30", want: "W2025-01-1"},
		{name: "calendar year without ww", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", n: 1, date: "2024-12-30", want: "2024-12-30-1"},
		{name: "t's location", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", n: 1,
			at: time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC).In(warsaw), want: "2027-01-01-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.pattern)
			at := tc.at
			if at.IsZero() {
				at = day(t, tc.date)
			}
			if got := p.Format(tc.n, at, tc.desk); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCounterKey(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		date    string
		want    string
	}{
		{name: "never reset", pattern: "TK-{{nr}}", date: "2026-02-03", want: ""},
		{name: "yearly", pattern: "{{yy}}-{{nr-y}}", date: "2026-02-03", want: "y2026"},
		{name: "yearly at new year", pattern: "{{yy}}-{{nr-y}}", date: "2027-01-01", want: "y2027"},
		{name: "yearly iso", pattern: "{{yy}}-{{ww}}-{{nr-y}}", date: "2027-01-01", want: "y2026"},
		{name: "monthly", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", date: "2026-02-03", want: "m2026-02"},
		{name: "weekly", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", date: "2026-01-29", want: "w2026-05"},
		{name: "weekly 2026-12-31", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", date: "2026-12-31", want: "w2026-53"},
		{name: "weekly 2027-01-01", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", date: "2027-01-01", want: "w2026-53"},
		{name: "weekly 2020-12-31", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", date: "2020-12-31", want: "w2020-53"},
		{name: "weekly 2021-01-04", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", date: "2021-01-04", want: "w2021-01"},
		{name: "daily", pattern: "{{yy}}.{{mm}}.{{dd}}-{{nr-d}}", date: "2026-02-03", want: "d2026-02-03"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.pattern)
			if got := p.CounterKey(day(t, tc.date)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
	}{
		{name: "nr", pattern: "{{nr}}"},
		{name: "prefix", pattern: "TK-{{nr}}"},
		{name: "yearly", pattern: "{{yy}}-{{nr-y}}"},
		{name: "monthly", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}"},
		{name: "weekly", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}"},
		{name: "daily", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}"},
		{name: "desk", pattern: "{{desk}}-{{yyyy}}-{{nr-y}}"},
		{name: "desk adjacent", pattern: "{{desk}}{{nr}}"},
		{name: "hash", pattern: "#{{nr}}"},
		{name: "digits in prefix", pattern: "T1-{{nr}}"},
		{name: "both years", pattern: "{{yyyy}}/{{yy}}/{{nr-y}}"},
		{name: "suffix", pattern: "{{nr}}/{{yyyy}}"},
		{name: "unicode", pattern: "ZGŁ-{{nr}}"},
		{name: "single brace", pattern: "A-{{nr}}-B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if got := p.String(); got != tc.pattern {
				t.Errorf("got %v, want %v", got, tc.pattern)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    string // the error, or a part of it
	}{
		{name: "empty", pattern: "", want: "number: empty pattern"},
		{name: "monthly without month", pattern: "X-{{nr-m}}",
			want: `number: pattern "X-{{nr-m}}": {{nr-m}} resets monthly, so the pattern must contain {{mm}} and {{yy}} or {{yyyy}}`},
		{name: "monthly without year", pattern: "X-{{mm}}-{{nr-m}}", want: "{{nr-m}} resets monthly"},
		{name: "yearly without year", pattern: "X-{{nr-y}}",
			want: `number: pattern "X-{{nr-y}}": {{nr-y}} resets yearly, so the pattern must contain {{yy}} or {{yyyy}}`},
		{name: "weekly without week", pattern: "X-{{yy}}-{{nr-w}}",
			want: `{{nr-w}} resets weekly, so the pattern must contain {{ww}} and {{yy}} or {{yyyy}}`},
		{name: "weekly without year", pattern: "X-{{ww}}-{{nr-w}}", want: "{{nr-w}} resets weekly"},
		{name: "daily without day", pattern: "X-{{yy}}-{{mm}}-{{nr-d}}",
			want: `{{nr-d}} resets daily, so the pattern must contain {{dd}}, {{mm}} and {{yy}} or {{yyyy}}`},
		{name: "daily without month", pattern: "X-{{yy}}-{{dd}}-{{nr-d}}", want: "{{nr-d}} resets daily"},
		{name: "daily with week only", pattern: "X-{{yy}}-{{ww}}-{{dd}}-{{nr-d}}", want: "{{nr-d}} resets daily"},
		{name: "no counter", pattern: "X-{{yy}}", want: "no counter token"},
		{name: "literal only", pattern: "TK", want: "no counter token"},
		{name: "two counters", pattern: "{{nr}}-{{nr-y}}-{{yy}}", want: "two counter tokens, {{nr}} and {{nr-y}}"},
		{name: "twice", pattern: "{{yy}}-{{yy}}-{{nr-y}}", want: "{{yy}} appears more than once"},
		{name: "unknown token", pattern: "X-{{foo}}-{{nr}}", want: `unknown token "{{foo}}"`},
		{name: "upper-case token", pattern: "{{NR}}", want: `unknown token "{{NR}}"`},
		{name: "unclosed", pattern: "X-{{nr", want: `unclosed "{{" at byte 2`},
		{name: "unclosed before token", pattern: "X-{{ {{nr}}", want: `unclosed "{{" at byte 2`},
		{name: "open bracket", pattern: "[{{nr}}", want: `character '[' at byte 0 is not allowed`},
		{name: "close bracket", pattern: "{{nr}}]", want: `character ']' at byte 6 is not allowed`},
		{name: "space", pattern: "TK {{nr}}", want: `character ' ' at byte 2 is not allowed`},
		{name: "tab", pattern: "TK\t{{nr}}", want: `character '\t' at byte 2`},
		{name: "no-break space", pattern: "TK\u00a0{{nr}}", want: `character '\u00a0' at byte 2`},
		{name: "control", pattern: "TK\x01{{nr}}", want: `character '\x01' at byte 2`},
		{name: "stray close", pattern: "{{nr}}}}", want: `character '}' at byte 6`},
		{name: "single brace", pattern: "{{{nr}}", want: `unclosed "{{" at byte 0`},
		{name: "invalid utf-8", pattern: "\xff{{nr}}", want: "not valid UTF-8"},
		{name: "too long", pattern: strings.Repeat("x", 100) + "{{nr}}", want: "the limit is 100"},
		{name: "digits run together", pattern: "{{yy}}{{nr}}", want: "{{yy}} and {{nr}} must be separated"},
		{name: "date digits run together", pattern: "{{yyyy}}{{mm}}-{{nr}}", want: "{{yyyy}} and {{mm}} must be separated"},
		{name: "digit separator", pattern: "{{yy}}0{{nr-y}}", want: "{{yy}} is followed by the digit '0'"},
		{name: "desk is no separator", pattern: "{{yy}}{{desk}}{{nr-y}}", want: "{{yy}} and {{nr-y}} must be separated"},
		{name: "digit before counter", pattern: "T1{{nr}}", want: "{{nr}} follows a digit"},
		{name: "digit after counter", pattern: "{{nr}}1", want: "{{nr}} is followed by the digit '1'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.pattern)
			if err == nil {
				t.Fatalf("got no error, want %v", tc.want)
			}
			if got := err.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, "number: ") {
				t.Errorf("got %v, want the prefix \"number: \"", got)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		desk    string
		s       string
		want    string
		wantOK  bool
	}{
		{name: "plain", pattern: "{{nr}}", s: "1042", want: "1042", wantOK: true},
		{name: "plain zero", pattern: "{{nr}}", s: "0", want: "0", wantOK: true},
		{name: "plain hash", pattern: "{{nr}}", s: "#1042"},
		{name: "plain leading zero", pattern: "{{nr}}", s: "01042"},
		{name: "plain empty", pattern: "{{nr}}", s: ""},
		{name: "plain overflow", pattern: "{{nr}}", s: "18446744073709551616"},
		{name: "plain max", pattern: "{{nr}}", s: "18446744073709551615", want: "18446744073709551615", wantOK: true},
		{name: "plain letters", pattern: "{{nr}}", s: "12a"},
		{name: "hash", pattern: "#{{nr}}", s: "#1042", want: "#1042", wantOK: true},
		{name: "hash missing", pattern: "#{{nr}}", s: "1042"},
		{name: "prefix", pattern: "TK-{{nr}}", s: "TK-1", want: "TK-1", wantOK: true},
		{name: "prefix lower case", pattern: "TK-{{nr}}", s: "tk-1", want: "TK-1", wantOK: true},
		{name: "prefix missing counter", pattern: "TK-{{nr}}", s: "TK-"},
		{name: "prefix extra", pattern: "TK-{{nr}}", s: "TK-1x"},
		{name: "prefix space", pattern: "TK-{{nr}}", s: " TK-1"},
		{name: "monthly", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", s: "sup-26-02-1", want: "SUP-26-02-1", wantOK: true},
		{name: "monthly month 13", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", s: "SUP-26-13-1"},
		{name: "monthly month 00", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", s: "SUP-26-00-1"},
		{name: "monthly short year", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", s: "SUP-6-02-1"},
		{name: "weekly", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", s: "F-26-05-1", want: "F-26-05-1", wantOK: true},
		{name: "week 54", pattern: "F-{{yy}}-{{ww}}-{{nr-w}}", s: "F-26-54-1"},
		{name: "week 53 in a 53-week year", pattern: "F-{{yyyy}}-{{ww}}-{{nr-w}}", s: "F-2026-53-1", want: "F-2026-53-1", wantOK: true},
		{name: "week 53 in a 52-week year", pattern: "F-{{yyyy}}-{{ww}}-{{nr-w}}", s: "F-2027-53-1"},
		{name: "daily", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", s: "2024-02-29-3", want: "2024-02-29-3", wantOK: true},
		{name: "daily not leap", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", s: "2026-02-29-3"},
		{name: "daily april 31", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", s: "2026-04-31-3"},
		{name: "daily day 0", pattern: "{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}", s: "2026-04-00-3"},
		{name: "years agree", pattern: "{{yyyy}}/{{yy}}/{{nr-y}}", s: "2026/26/1", want: "2026/26/1", wantOK: true},
		{name: "years disagree", pattern: "{{yyyy}}/{{yy}}/{{nr-y}}", s: "2026/27/1"},
		{name: "desk", pattern: "{{desk}}-{{nr}}", desk: "SUP", s: "sup-7", want: "SUP-7", wantOK: true},
		{name: "other desk", pattern: "{{desk}}-{{nr}}", desk: "SUP", s: "HR-7"},
		{name: "desk with digits", pattern: "{{desk}}{{nr}}", desk: "S1", s: "S11", want: "S11", wantOK: true},
		{name: "counter first", pattern: "{{nr}}/{{yyyy}}", s: "15/2026", want: "15/2026", wantOK: true},
		{name: "counter in the middle", pattern: "A{{yy}}-{{nr-y}}-{{desk}}", desk: "x", s: "a26-99-X", want: "A26-99-x", wantOK: true},
		{name: "unicode fold", pattern: "ZGŁ-{{nr}}", s: "zgł-5", want: "ZGŁ-5", wantOK: true},
		{name: "kelvin sign", pattern: "K-{{nr}}", s: "\u212a-5", want: "K-5", wantOK: true},
		{name: "invalid utf-8", pattern: "K-{{nr}}", s: "\xff-5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.pattern)
			got, ok := p.Match(tc.s, tc.desk)
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("got %q %v, want %q %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestFindInSubject(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		desk    string
		subject string
		want    []string
	}{
		{name: "reply", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", subject: "Re: [SUP-26-02-1] printer", want: []string{"SUP-26-02-1"}},
		{name: "lower case", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", subject: "re: [sup-26-02-1] printer", want: []string{"SUP-26-02-1"}},
		{name: "not bracketed", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", subject: "Re: SUP-26-02-1 printer"},
		{name: "two, deduplicated", pattern: "TK-{{nr}}", subject: "[TK-1] [tk-2] [TK-1] [Tk-2]", want: []string{"TK-1", "TK-2"}},
		{name: "patch", pattern: "{{nr}}", subject: "[PATCH 1/3] fix"},
		{name: "list tag", pattern: "{{nr}}", subject: "[Twisted-web] Re: foo"},
		{name: "hash against plain", pattern: "{{nr}}", subject: "[#1042] printer"},
		{name: "plain", pattern: "{{nr}}", subject: "Re: [1042] printer", want: []string{"1042"}},
		{name: "hash", pattern: "#{{nr}}", subject: "Re: [#1042] printer", want: []string{"#1042"}},
		{name: "plain against hash", pattern: "#{{nr}}", subject: "Re: [1042] printer"},
		{name: "nested", pattern: "TK-{{nr}}", subject: "[[TK-5]]", want: []string{"TK-5"}},
		{name: "open inside", pattern: "TK-{{nr}}", subject: "[x [TK-5] y]", want: []string{"TK-5"}},
		{name: "space inside", pattern: "TK-{{nr}}", subject: "[ TK-5 ]"},
		{name: "text inside", pattern: "TK-{{nr}}", subject: "[ref TK-5]"},
		{name: "unclosed", pattern: "TK-{{nr}}", subject: "[TK-5"},
		{name: "empty", pattern: "TK-{{nr}}", subject: "[]"},
		{name: "desk", pattern: "{{desk}}-{{nr}}", desk: "HR", subject: "[SUP-4] [hr-4]", want: []string{"HR-4"}},
		{name: "after junk", pattern: "TK-{{nr}}", subject: "[" + strings.Repeat("x", 5000) + "[TK-9]", want: []string{"TK-9"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.pattern)
			if got := p.FindInSubject(tc.subject, tc.desk); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFindInSubjectBounded(t *testing.T) {
	p := mustParse(t, "TK-{{nr}}")
	var b strings.Builder
	for i := 0; b.Len() < 200<<10; i++ {
		b.WriteString("[TK-")
		b.WriteString(strings.Repeat("1", i%30))
		b.WriteString("] [[[ ")
	}
	got := p.FindInSubject(b.String(), "")
	if len(got) > maxFinds {
		t.Errorf("got %v numbers, want at most %v", len(got), maxFinds)
	}
	if got := p.FindInSubject(strings.Repeat("[", 200<<10), ""); got != nil {
		t.Errorf("got %v, want %v", got, nil)
	}
}

func TestForms(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		desk    string
		number  string
		want    []string
	}{
		{name: "monthly", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", number: "SUP-26-02-1", want: []string{"SUP-26-02-1", "26-02-1", "1"}},
		{name: "canonical case", pattern: "SUP-{{yy}}-{{mm}}-{{nr-m}}", number: "sup-26-02-1", want: []string{"SUP-26-02-1", "26-02-1", "1"}},
		{name: "plain", pattern: "{{nr}}", number: "1042", want: []string{"1042"}},
		{name: "prefix", pattern: "TK-{{nr}}", number: "TK-7", want: []string{"TK-7", "7"}},
		{name: "hash", pattern: "#{{nr}}", number: "#7", want: []string{"#7", "7"}},
		{name: "no prefix", pattern: "{{yy}}-{{nr-y}}", number: "26-7", want: []string{"26-7", "7"}},
		{name: "desk", pattern: "{{desk}}-{{yy}}-{{nr-y}}", desk: "SUP", number: "SUP-26-7", want: []string{"SUP-26-7", "26-7", "7"}},
		{name: "counter first", pattern: "{{nr}}/{{yyyy}}", number: "7/2026", want: []string{"7/2026", "7"}},
		{name: "old pattern", pattern: "TK-{{nr}}", number: "SUP-26-02-1", want: []string{"SUP-26-02-1", "26-02-1"}},
		{name: "old pattern no digits", pattern: "TK-{{nr}}", number: "abc", want: []string{"abc"}},
		{name: "empty", pattern: "TK-{{nr}}", number: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, tc.pattern)
			if got := p.Forms(tc.number, tc.desk); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestZeroPattern(t *testing.T) {
	var p Pattern
	if got, ok := p.Match("1", ""); ok {
		t.Errorf("got %v %v, want no match", got, ok)
	}
	if got := p.FindInSubject("[1]", ""); got != nil {
		t.Errorf("got %v, want %v", got, nil)
	}
	if got := p.CounterKey(time.Now()); got != "" {
		t.Errorf("got %v, want %v", got, "")
	}
}

// roundTripPatterns covers every token, every counter and the counter at
// the start, in the middle and at the end.
func roundTripPatterns() []string {
	return []string{
		"{{nr}}",
		"TK-{{nr}}",
		"#{{nr}}",
		"{{yy}}-{{nr-y}}",
		"{{yyyy}}/{{yy}}/{{nr-y}}",
		"SUP-{{yy}}-{{mm}}-{{nr-m}}",
		"F-{{yy}}-{{ww}}-{{nr-w}}",
		"W{{yyyy}}.{{ww}}.{{mm}}.{{dd}}-{{nr-d}}",
		"{{yyyy}}-{{mm}}-{{dd}}-{{nr-d}}",
		"{{desk}}{{nr}}",
		"{{desk}}-{{yy}}-{{ww}}-{{nr-y}}",
		"{{nr}}/{{yyyy}}",
		"A{{mm}}-{{nr-m}}-{{yy}}Z",
		"ZGŁ-{{yyyy}}-{{nr-y}}",
		"ĸ-{{dd}}.{{mm}}.{{yyyy}}-{{nr-d}}-{{desk}}",
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	desks := []string{"", "SUP", "hr", "S1", "Dział"}
	counters := []uint64{0, 1, 9, 10, math.MaxUint64}
	minT := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxT := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
	for _, pattern := range roundTripPatterns() {
		t.Run(pattern, func(t *testing.T) {
			p := mustParse(t, pattern)
			for i := 0; i < 2000; i++ {
				n := rng.Uint64() >> rng.IntN(64)
				if i < len(counters) {
					n = counters[i]
				}
				at := time.Unix(minT+rng.Int64N(maxT-minT), 0).In(time.FixedZone("", 60*(rng.IntN(1500)-750)))
				desk := desks[rng.IntN(len(desks))]
				s := p.Format(n, at, desk)
				for _, typed := range []string{s, strings.ToUpper(s), strings.ToLower(s)} {
					if got, ok := p.Match(typed, desk); !ok || got != s {
						t.Fatalf("Match(%q) of Format(%v, %v, %q): got %q %v, want %q true", typed, n, at, desk, got, ok, s)
					}
				}
				if got := p.FindInSubject("Re: ["+strings.ToLower(s)+"] x", desk); !slices.Equal(got, []string{s}) {
					t.Fatalf("FindInSubject of %q: got %v, want %v", s, got, []string{s})
				}
			}
		})
	}
}

// TestNoRepeat allocates numbers the way intake does, one counter per
// CounterKey, every day for years, and checks that no number repeats,
// particularly across New Year in ISO week patterns.
func TestNoRepeat(t *testing.T) {
	patterns := []string{
		"F-{{yy}}-{{ww}}-{{nr-w}}",
		"F-{{yyyy}}-{{ww}}-{{nr-w}}",
		"{{yy}}-{{ww}}-{{nr-y}}",
		"{{yy}}-{{nr-y}}",
		"{{yy}}-{{mm}}-{{nr-m}}",
		"{{yy}}-{{mm}}-{{ww}}-{{nr-m}}",
		"{{yy}}-{{mm}}-{{dd}}-{{nr-d}}",
		"{{yy}}-{{mm}}-{{dd}}-{{ww}}-{{nr-d}}",
		"{{ww}}-{{nr}}",
	}
	start := time.Date(2015, 12, 20, 12, 0, 0, 0, time.UTC)
	end := time.Date(2032, 1, 10, 12, 0, 0, 0, time.UTC)
	for _, pattern := range patterns {
		t.Run(pattern, func(t *testing.T) {
			p := mustParse(t, pattern)
			counters := map[string]uint64{}
			seen := map[string]time.Time{}
			for at := start; at.Before(end); at = at.AddDate(0, 0, 1) {
				// A desk that opens on a day gets its first number
				// then; allocate twice a day from the first day.
				for range 2 {
					key := p.CounterKey(at)
					counters[key]++
					s := p.Format(counters[key], at, "")
					if prev, ok := seen[s]; ok {
						t.Fatalf("%v on %v repeats the number of %v", s, at.Format(time.DateOnly), prev.Format(time.DateOnly))
					}
					seen[s] = at
				}
			}
		})
	}
}

func TestNewYearBoundaries(t *testing.T) {
	p := mustParse(t, "F-{{yy}}-{{ww}}-{{nr-w}}")
	tests := []struct {
		name string
		date string
		n    uint64
		want string
	}{
		{name: "2026-12-31", date: "2026-12-31", n: 4, want: "F-26-53-4"},
		{name: "2027-01-01 continues week 53", date: "2027-01-01", n: 5, want: "F-26-53-5"},
		{name: "2027-01-04 new week", date: "2027-01-04", n: 1, want: "F-27-01-1"},
		{name: "2020-12-31", date: "2020-12-31", n: 2, want: "F-20-53-2"},
		{name: "2021-01-04", date: "2021-01-04", n: 1, want: "F-21-01-1"},
		{name: "2025-12-29 in 2026", date: "2025-12-29", n: 1, want: "F-26-01-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Format(tc.n, day(t, tc.date), ""); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
