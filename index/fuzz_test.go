package index

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse: the parser never panics, answers within its caps (a query it
// accepts is short, and its tree holds no more terms and nodes than the
// caps allow, so the work of parsing and compiling it is bounded), and
// every error is a SyntaxError with a position inside the query.
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
		parsed, err := Parse(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(q) {
				t.Fatalf("error %v: want a SyntaxError inside the query", err)
			}
			return
		}
		if len(q) > maxQueryBytes {
			t.Fatalf("accepted a query of %d bytes, the cap is %d", len(q), maxQueryBytes)
		}
		if terms, nodes := treeSize(parsed.Root); terms > maxQueryTerms || nodes > 8*maxQueryTerms {
			t.Fatalf("accepted a query of %d terms in %d nodes, the cap is %d terms", terms, nodes, maxQueryTerms)
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

// treeSize counts the terms and all the nodes of a parsed query.
func treeSize(n Node) (terms, nodes int) {
	switch n := n.(type) {
	case *Term:
		return 1, 1
	case Not:
		t, m := treeSize(n.Part)
		return t, m + 1
	case And:
		return partsSize(n.Parts)
	case Or:
		return partsSize(n.Parts)
	}
	return 0, 0
}

func partsSize(parts []Node) (terms, nodes int) {
	for _, p := range parts {
		t, m := treeSize(p)
		terms, nodes = terms+t, nodes+m
	}
	return terms, nodes + 1
}
