package index

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"searchdesk/engine"
)

// tableQueries are the queries without text of docs/architecture.md's
// query language (design_test.go's examples) and combinations of them:
// each must be answered by the ticket table.
func tableQueries() []string {
	return []string{
		"", "status:open -status:closed", "status:open,waiting", "priority:>=high", `category:"Problem techniczny"`,
		"customer:jan@example.com", "account:acme.com", "desk:support", "desk:billing", "assignee:me",
		"assignee:none", "tag:vip", "source:email", "source:import", "type:incident", "sla:breached",
		"created:>=2026-01-01", "updated:<7d", "created:2026-01-01..2026-02-01", "is:open", "is:unassigned",
		"is:mine", "is:overdue", "is:closed", "has:attachment", "has:task", "has:open-task", "has:note", "has:flagged",
		"sort:updated-desc", "sort:updated-asc", "sort:created-asc", "sort:created-desc", "sort:priority-desc",
		"sort:priority-asc", "status:open,waiting -tag:spam", "created:>=2026-01-01 updated:<7d",
		"is:open is:unassigned", "has:attachment -has:note", "(status:open OR status:waiting) desk:support",
		"priority:<normal", "priority:>low priority:<=high sort:priority-asc", "-is:open sort:created-desc",
		"status:nothing", "(is:mine OR tag:vip) -sla:ok", "-(desk:billing OR has:note) sort:created-asc",
		"customer:jan@example.com sort:priority-desc", "updated:>30d", "created:2026-01-15",
		"created:>1000-01-01", "updated:<3000-01-01 sort:created-asc",
	}
}

// mixedQueries hold parts the table does not hold itself (text, fields it
// lacks, prefixes): Bleve gives their match set, the table the rest.
func mixedQueries() []string {
	return []string{"printer", `"paper jam"`, "fakt*", "note:refund", "from:lee@mail.example",
		"to:support@desk.example.com", "cc:nobody@example.com", "attachment:invoice.pdf", "number:1",
		"tag:vi*", "status:open printer", "printer OR refund -status:closed", "(fakt* OR invoice) sort:created-asc",
		"refund priority:>=normal sort:priority-desc", "-printer"}
}

// bleveQueries are queries the table must leave to Bleve: relevance.
func bleveQueries() []string {
	return []string{"status:open sort:relevance", "printer sort:relevance"}
}

// sameAnswers runs q through the table and through Bleve alone, in scope
// s, pages of size hits with facets, and fails unless both give the same
// totals, facet counts, hits and cursors, on the first page and on the
// page after it (through the table's cursor, which Bleve must read as its
// own). wantTable says which path must have answered. It returns the
// total.
func sameAnswers(t *testing.T, x *Index, q string, s Scope, size int, wantTable bool) uint64 {
	t.Helper()
	ctx := context.Background()
	tr := Request{Query: q, Scope: s, Size: size, Facets: true, Deadline: time.Minute}
	br := tr
	br.BleveOnly = true
	for page := 1; page <= 2; page++ {
		got, gerr := x.Search(ctx, tr)
		want, werr := x.Search(ctx, br)
		if gerr != nil || werr != nil {
			if gerr == nil || werr == nil || gerr.Error() != werr.Error() {
				t.Errorf("%q page %d: got error %v, want %v", q, page, gerr, werr)
			}
			return 0
		}
		if got.table != wantTable || want.table {
			t.Errorf("%q: answered by the table: %v and %v, want %v and false", q, got.table, want.table, wantTable)
		}
		if got.Total != want.Total || !slices.Equal(hitIDs(got), hitIDs(want)) || got.Next != want.Next {
			t.Errorf("%q page %d: got total %d, hits %v, next %q; want %d, %v, %q", q, page,
				got.Total, hitIDs(got), got.Next, want.Total, hitIDs(want), want.Next)
		}
		if !reflect.DeepEqual(got.Facets, want.Facets) {
			t.Errorf("%q page %d: got facets %v, want %v", q, page, got.Facets, want.Facets)
		}
		if got.Next == "" {
			break
		}
		tr.Cursor, br.Cursor = got.Next, got.Next
	}
	n, err := x.Count(ctx, q, s)
	if err == nil {
		var want *Result
		if want, err = x.Search(ctx, Request{Query: q, Scope: s, NoHits: true, BleveOnly: true}); err == nil && n != want.Total {
			t.Errorf("%q: count %d, want %d", q, n, want.Total)
		}
	}
	return n
}

func hitIDs(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

// sameAnswersAll checks every table query and every Bleve query in each
// scope, and returns how many table queries matched anything, over all
// scopes: a comparison of empty answers proves little.
func sameAnswersAll(t *testing.T, x *Index, size int, scopes map[string]Scope, extra ...string) int {
	t.Helper()
	matched := 0
	for name, s := range scopes {
		for _, q := range append(append(tableQueries(), mixedQueries()...), extra...) {
			if sameAnswers(t, x, q, s, size, true) > 0 {
				matched++
			}
		}
		for _, q := range bleveQueries() {
			sameAnswers(t, x, q, s, size, false)
		}
		if t.Failed() {
			t.Fatalf("scope %s differs", name)
		}
	}
	return matched
}

// reopen closes x, deletes its directory and opens it again, as at a
// start after the index was lost: Bleve catches up from the feed, the
// table is built from the store.
func reopen(t *testing.T, x *Index, dir string, eng *engine.Store) *Index {
	t.Helper()
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	return openCaughtUp(t, dir, eng)
}

// rebuilt makes a fresh index with Rebuild, as `searchdesk reindex` does,
// and opens it.
func rebuilt(t *testing.T, eng *engine.Store) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index.new")
	if err := Rebuild(context.Background(), dir, eng, slog.New(slog.DiscardHandler), nil); err != nil {
		t.Fatal(err)
	}
	return openCaughtUp(t, dir, eng)
}

func openCaughtUp(t *testing.T, dir string, eng *engine.Store) *Index {
	t.Helper()
	x, err := Open(dir, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestTableAnswersAsBleve: over the design fixture, in the scopes of an
// admin, an agent of one desk, an agent of none and customers, every
// query without text gets from the table what Bleve alone gives, two
// tickets a page so that the cursor is used; after the index was built
// by following the feed, after deleting it and starting again, and after
// Rebuild.
func TestTableAnswersAsBleve(t *testing.T) {
	ctx := context.Background()
	f := newDesignFixture(t)
	jan, err := f.eng.ContactByAddress(ctx, "jan@example.com")
	if err != nil {
		t.Fatal(err)
	}
	me, err := f.eng.UserByEmail(ctx, "me@desk.example.com")
	if err != nil {
		t.Fatal(err)
	}
	scopes := map[string]Scope{
		"admin":            {All: true, Me: "me@desk.example.com"},
		"agent":            StaffScope(me),
		"agent of no desk": StaffScope(engine.User{Email: "x@desk.example.com", Role: engine.RoleAgent}),
		"customer":         CustomerScope(jan, false),
		"customer account": CustomerScope(jan, true),
		"contact page":     {All: true, OnlyContact: jan.ID},
		"account page":     {All: true, OnlyAccount: jan.AccountID},
	}
	sameAnswersAll(t, f.x, 2, scopes)
	admin := map[string]Scope{"admin": scopes["admin"]}
	x := reopen(t, f.x, f.dir, f.eng)
	sameAnswersAll(t, x, 2, admin)
	sameAnswers(t, x, "number:"+f.eNumber, admin["admin"], 2, true)
	sameAnswersAll(t, rebuilt(t, f.eng), 2, admin)
}

// TestTableScopeLeaksNothing: what the table answers an agent or a
// customer holds only tickets their scope allows, in hits, totals and
// facets, and matches what the same scope's search of everything counts.
func TestTableScopeLeaksNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	carol, err := f.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Scope{"customer": CustomerScope(carol, false), "agent": StaffScope(f.agent)} {
		for _, q := range tableQueries() {
			r, err := f.idx.Search(ctx, Request{Query: q, Scope: s, Size: 100, Facets: true})
			if err != nil {
				continue // refused for this scope (has:note for a customer): nothing to leak
			}
			if !r.table {
				t.Errorf("%s %q: not answered by the table", name, q)
			}
			for _, h := range r.Hits {
				tk, err := f.eng.Ticket(ctx, h.ID)
				if err != nil || !s.Allows(tk) {
					t.Errorf("%s %q: hit %s is outside the scope", name, q, h.ID)
				}
			}
			for field, vals := range r.Facets {
				sum := 0
				for _, v := range vals {
					sum += v.Count
				}
				if single := field != "tag" && field != "customer" && field != "account"; single && uint64(sum) != r.Total {
					t.Errorf("%s %q: facet %s counts %d tickets of %d", name, q, field, sum, r.Total)
				}
			}
			if len(r.Hits) != int(r.Total) {
				t.Errorf("%s %q: %d hits, total %d", name, q, len(r.Hits), r.Total)
			}
		}
	}
}

// TestTableFollows: the follower keeps the table current while searches
// read it: new tickets, a reply with an attachment, a changed ticket, a
// task, a desk whose code changes (the drift case: no ticket record
// changes); after each the table answers as Bleve does and as a table
// built from the store does.
func TestTableFollows(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.idx.Run(runCtx); close(done) }()
	reading := make(chan struct{})
	go func() {
		defer close(reading)
		for runCtx.Err() == nil {
			f.idx.Search(ctx, Request{Query: "is:open", Scope: Scope{All: true}, Facets: true})
		}
	}()
	defer func() { stop(); <-done; <-reading }()
	wait := func() {
		t.Helper()
		if err := f.idx.WaitFor(ctx, f.eng.LastSeq()); err != nil {
			t.Fatal(err)
		}
	}
	admin := map[string]Scope{"admin": {All: true, Me: "agent@desk.example.com"}}
	extra := []string{"desk:helpdesk", "tag:urgent-fix", "priority:urgent", "status:waiting",
		"assignee:agent@desk.example.com", "has:open-task", "customer:carol@customer.example.org"}
	check := func(stage string) {
		t.Helper()
		wait()
		sameAnswersAll(t, f.idx, 2, admin, extra...)
		fresh := rebuilt(t, f.eng)
		for _, q := range append(tableQueries(), extra...) {
			a, err := f.idx.Search(ctx, Request{Query: q, Scope: admin["admin"], Size: 100, Facets: true})
			b, err2 := fresh.Search(ctx, Request{Query: q, Scope: admin["admin"], Size: 100, Facets: true})
			if (err == nil) != (err2 == nil) || err == nil && (!slices.Equal(hitIDs(a), hitIDs(b)) || !reflect.DeepEqual(a.Facets, b.Facets)) {
				t.Errorf("%s: %q: followed table %v, built from the store %v", stage, q, hitIDs(a), hitIDs(b))
			}
		}
	}
	f.intake(t, "new", "", mail("nina@n.example", "Printer again", "<n1@x>", "The printer is broken again."))
	if _, err := f.eng.Intake(ctx, engine.Inbound{Raw: withAttachment("carol@customer.example.org", "Re: Printer jammed",
		"<c2@x>", "Photo attached.", "jam.jpg", "image/jpeg", "not a photo"), Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	check("after intake")
	st, prio, tags, agent := "waiting", "urgent", []string{"urgent-fix"}, f.agent.ID
	if _, err := f.eng.UpdateTicket(ctx, "admin@desk.example.com", f.tix["dave"].TicketID,
		engine.Change{Status: &st, Priority: &prio, Tags: &tags, AssigneeID: &agent}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.AddTask(ctx, "admin", engine.Task{TicketID: f.tix["petr"].TicketID, Title: "call back"}); err != nil {
		t.Fatal(err)
	}
	check("after a change")
	desk := f.desk
	desk.Code = "helpdesk"
	if _, err := f.eng.SaveDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	check("after a desk code change")
	if r, _ := f.idx.Search(ctx, Request{Query: "desk:helpdesk", Scope: Scope{All: true}}); r == nil || r.Total != 4 || !r.table {
		t.Errorf("desk:helpdesk after the change: %+v, want 4 tickets from the table", r)
	}
}

// TestTableTies: tickets that share their dates and priority are ordered
// by id, in the direction Bleve's sort gives, across pages.
func TestTableTies(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	var in []engine.TicketImport
	for i := range 30 {
		at := base.Add(time.Duration(i%3) * time.Hour)
		in = append(in, engine.TicketImport{Subject: "tie", Body: "tie", Priority: []string{"low", "high"}[i%2],
			Status: []string{"open", "closed", "waiting"}[i%3], Customer: "tie@tie.example", Created: at, Updated: at})
	}
	if _, err := f.eng.ImportTickets(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := f.idx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"source:import", "source:import sort:updated-asc", "source:import sort:created-desc",
		"source:import sort:created-asc", "source:import sort:priority-desc", "source:import sort:priority-asc"} {
		sameAnswers(t, f.idx, q, Scope{All: true}, 7, true)
	}
}
