package index

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse: the parser never panics, answers within its caps, and every
// error is a SyntaxError with a position inside the query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"printer jammed", `"paper jam"`, "fakt*", "subject:invoice body:refund", "status:open -status:closed",
		"status:open,waiting", "priority:>=high", `category:"Problem techniczny"`,
		"customer:jan@example.com account:acme.com desk:support assignee:me assignee:none",
		"created:>=2026-01-01 updated:<7d created:2026-01-01..2026-02-01", "is:open is:unassigned has:open-task",
		"(refund OR chargeback) -status:closed", "sort:priority-desc", "((((a))))", "a OR", "-", `"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		start := time.Now()
		parsed, err := Parse(q)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("parse took %v", d)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(q) {
				t.Fatalf("error %v: want a SyntaxError inside the query", err)
			}
			return
		}
		c := &compiler{scope: Scope{Customer: true, ContactID: "c"}, now: time.Now()}
		if _, err := c.compile(parsed.Root); err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("compile error %v: want a SyntaxError", err)
			}
		}
	})
}
