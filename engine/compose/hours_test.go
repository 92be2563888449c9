package compose

import (
	"testing"
	"time"
	_ "time/tzdata" // the DST cases must not depend on the host's zoneinfo
)

func TestParseHoursErrors(t *testing.T) {
	tests := []struct {
		name, spec, tz, want string
	}{
		{"unknown day", "mon-fry 09:00-17:00", "", `compose: hours: at 4: expected a day (mon, tue, wed, thu, fri, sat or sun), found "fry"`},
		{"full day name", "monday 09:00-17:00", "", `compose: hours: at 0: expected a day (mon, tue, wed, thu, fri, sat or sun), found "monday"`},
		{"missing times", "mon-fri", "", `compose: hours: at 7: expected a time from 00:00 to 23:59, found end of input`},
		{"am/pm", "mon 9am-5pm", "", `compose: hours: at 4: expected a time from 00:00 to 23:59, found "9am"`},
		{"hour 25", "mon 09:00-25:00", "", `compose: hours: at 10: expected a time from 00:01 to 24:00, found "25:00"`},
		{"minute 60", "mon 09:60-10:00", "", `compose: hours: at 4: expected a time from 00:00 to 23:59, found "09:60"`},
		{"one-digit minutes", "mon 09:0-10:00", "", `compose: hours: at 4: expected a time from 00:00 to 23:59, found "09:0"`},
		{"start at 24:00", "mon 24:00-24:00", "", `compose: hours: at 4: expected a time from 00:00 to 23:59, found "24:00"`},
		{"24:30", "mon 10:00-24:30", "", `compose: hours: at 10: expected a time from 00:01 to 24:00, found "24:30"`},
		{"no end", "mon 09:00", "", `compose: hours: at 9: expected "-" and an end time, found end of input`},
		{"end before start", "fri 22:00-02:00", "", `compose: hours: at 10: expected an end time after 22:00 (split a range past midnight into two days), found "02:00"`},
		{"empty range", "fri 10:00-10:00", "", `compose: hours: at 10: expected an end time after 10:00 (split a range past midnight into two days), found "10:00"`},
		{"junk after rule", "mon 09:00-17:00 tue 09:00-17:00", "", `compose: hours: at 16: expected ";" or the end, found "tue"`},
		{"comma before times", "mon, 09:00-17:00", "", `compose: hours: at 5: expected a day (mon, tue, wed, thu, fri, sat or sun), found "09:00"`},
		{"unknown zone", "mon 09:00-17:00", "Mars/Olympus", `compose: hours: time zone "Mars/Olympus": unknown time zone Mars/Olympus`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHours(tc.spec, tc.tz)
			if err == nil {
				t.Fatalf("got no error, want %q", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("got %q, want %q", err, tc.want)
			}
		})
	}
}

func TestHoursOpen(t *testing.T) {
	warsaw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	local := func(y int, m time.Month, d, h, min, sec int) time.Time {
		return time.Date(y, m, d, h, min, sec, 0, warsaw)
	}
	// 2026-03-02 is a Monday. Warsaw changes to CEST at 2026-03-29 01:00 UTC
	// (02:00 becomes 03:00) and back at 2026-10-25 01:00 UTC (03:00 becomes
	// 02:00); both days are Sundays.
	tests := []struct {
		name, spec, tz string
		at             time.Time
		want           bool
	}{
		{"empty spec is open", "", "", utc("2026-03-01T03:00:00Z"), true},
		{"24/7 is open", " 24/7 ", "Europe/Warsaw", utc("2026-03-01T03:00:00Z"), true},
		{"weekday inside", "mon-fri 09:00-17:00", "", utc("2026-03-02T09:00:00Z"), true},
		{"start included", "mon-fri 09:00-17:00", "", utc("2026-03-06T09:00:00Z"), true},
		{"end excluded", "mon-fri 09:00-17:00", "", utc("2026-03-02T17:00:00Z"), false},
		{"second before end", "mon-fri 09:00-17:00", "", utc("2026-03-02T16:59:59Z"), true},
		{"weekend closed", "mon-fri 09:00-17:00", "", utc("2026-03-07T10:00:00Z"), false},
		{"second rule", "mon-fri 09:00-17:00; sat 10:00-14:00", "", utc("2026-03-07T10:00:00Z"), true},
		{"lunch break", "mon-fri 09:00-12:00, 13:00-17:00", "", utc("2026-03-03T12:30:00Z"), false},
		{"after lunch", "mon-fri 09:00-12:00, 13:00-17:00", "", utc("2026-03-03T13:00:00Z"), true},
		{"comma list of days", "mon,wed 08:00-10:00", "", utc("2026-03-04T09:00:00Z"), true},
		{"day not in list", "mon,wed 08:00-10:00", "", utc("2026-03-03T09:00:00Z"), false},
		{"range wraps the week", "fri-mon 08:00-10:00", "", utc("2026-03-08T09:00:00Z"), true},
		{"wrapped range skips midweek", "fri-mon 08:00-10:00", "", utc("2026-03-04T09:00:00Z"), false},
		{"case and spaces", "  MON - Fri , sun\t9:00 - 17:00 ;", "", utc("2026-03-02T09:30:00Z"), true},
		{"ends at 24:00, last second", "mon 22:00-24:00", "", utc("2026-03-02T23:59:59Z"), true},
		{"ends at 24:00, next day closed", "mon 22:00-24:00", "", utc("2026-03-03T00:00:00Z"), false},
		{"whole day", "sun 00:00-24:00", "", utc("2026-03-01T00:00:00Z"), true},
		{"zone: local 09:30 CET", "mon-fri 09:00-17:00", "Europe/Warsaw", utc("2026-03-02T08:30:00Z"), true},
		{"zone: local 08:30 CET", "mon-fri 09:00-17:00", "Europe/Warsaw", utc("2026-03-02T07:30:00Z"), false},
		{"zone: weekday from local date", "mon 00:00-01:00", "Europe/Warsaw", utc("2026-03-01T23:30:00Z"), true},
		{"winter: 07:30 UTC is 08:30 CET", "mon-sun 08:00-17:00", "Europe/Warsaw", utc("2026-03-27T07:30:00Z"), true},
		{"winter: 06:30 UTC is 07:30 CET", "mon-sun 08:00-17:00", "Europe/Warsaw", utc("2026-03-27T06:30:00Z"), false},
		{"summer: 06:30 UTC is 08:30 CEST", "mon-sun 08:00-17:00", "Europe/Warsaw", utc("2026-03-30T06:30:00Z"), true},
		{"summer: 15:30 UTC is 17:30 CEST", "mon-sun 08:00-17:00", "Europe/Warsaw", utc("2026-03-30T15:30:00Z"), false},
		{"spring: last second before the gap", "sun 01:00-02:00", "Europe/Warsaw", utc("2026-03-29T00:59:59Z"), true},
		{"spring: skipped hour is never open", "sun 02:00-03:00", "Europe/Warsaw", utc("2026-03-29T01:00:00Z"), false},
		{"spring: before the gap", "sun 02:00-03:00", "Europe/Warsaw", utc("2026-03-29T00:59:59Z"), false},
		{"spring: 03:00 CEST opens", "sun 03:00-04:00", "Europe/Warsaw", utc("2026-03-29T01:00:00Z"), true},
		{"autumn: first 02:30 (CEST)", "sun 02:00-03:00", "Europe/Warsaw", utc("2026-10-25T00:30:00Z"), true},
		{"autumn: second 02:30 (CET)", "sun 02:00-03:00", "Europe/Warsaw", utc("2026-10-25T01:30:00Z"), true},
		{"autumn: 03:00 CET closes", "sun 02:00-03:00", "Europe/Warsaw", utc("2026-10-25T02:00:00Z"), false},
		{"time in another zone", "mon 09:00-10:00", "Europe/Warsaw", local(2026, 3, 2, 9, 15, 0).In(time.FixedZone("X", -5*3600)), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHours(tc.spec, tc.tz)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.Open(tc.at); got != tc.want {
				t.Errorf("Open(%s): got %v, want %v", tc.at.Format(time.RFC3339), got, tc.want)
			}
		})
	}
}

func TestHoursZeroIsOpen(t *testing.T) {
	var h Hours
	if got := h.Open(time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC)); !got {
		t.Errorf("got %v, want true", got)
	}
}
