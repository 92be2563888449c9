package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/archive"
	"searchdesk/engine/corpustest"
)

// designQueries are the examples of docs/architecture.md's query language, with the
// placeholders filled from the imported corpus where a value must exist.
func designQueries(number string) []string {
	return []string{
		"printer jammed", `"paper jam"`, "fakt*", "subject:invoice body:refund", "status:open -status:closed",
		"status:open,waiting", "priority:>=high", `category:"Problem techniczny"`, "customer:jan@example.com",
		"account:acme.com", "desk:support", "assignee:me", "assignee:none", "tag:vip", "source:email",
		"type:incident", "sla:breached", "from:linux-kernel", "to:ksummit@lists.linux.dev", "cc:torvalds@linux-foundation.org",
		"created:>=2026-01-01", "updated:<7d", "created:2026-01-01..2026-02-01", "is:open", "is:unassigned",
		"is:mine", "is:overdue", "has:attachment", "has:task", "has:open-task", "has:note", "has:flagged",
		"attachment:invoice.pdf", "note:refund", "number:" + number, number, "(refund OR chargeback) -status:closed",
		"sort:updated-desc", "sort:created-asc", "sort:priority-desc", "kernel sort:relevance",
		"kernel maintainer", "twisted", "reality -twisted", `"pull request"`, "mainta*",
	}
}

// snapshot is what must not change when the index is rebuilt: totals,
// facet counts and first-page ids of every query.
type snapshot map[string]struct {
	Total  uint64
	IDs    []string
	Facets map[string][]FacetValue
}

func takeSnapshot(t *testing.T, x *Index, qs []string) snapshot {
	t.Helper()
	s := snapshot{}
	scope := Scope{All: true, Me: "agent@desk.example.com"}
	slowest, slowQ := time.Duration(0), ""
	defer func() { t.Logf("slowest query %q: %v", slowQ, slowest) }()
	for _, q := range qs {
		t0 := time.Now()
		// The comparison is about answers, not speed: a deadline of its
		// own, generous for a busy machine, instead of the production 1 s.
		r, err := x.Search(context.Background(), Request{Query: q, Scope: scope, Size: 25, Facets: true, Deadline: time.Minute})
		if d := time.Since(t0); d > slowest {
			slowest, slowQ = d, q
		}
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		e := s[q]
		e.Total, e.Facets = r.Total, r.Facets
		for _, h := range r.Hits {
			e.IDs = append(e.IDs, h.ID)
		}
		s[q] = e
	}
	return s
}

// TestRebuildCorpus imports ../shared/corpus, then checks that deleting the
// index and catching up, and separately Rebuild, answer every docs/architecture.md
// query exactly as the index built while following the feed (invariant 1).
// Under -short it imports the single messages, the hostile samples and the
// small Maildir (about 500 messages) instead of all 9,006.
func TestRebuildCorpus(t *testing.T) {
	paths, minTickets := []string{corpustest.Dir(t)}, 1000
	if testing.Short() {
		paths, minTickets = []string{corpustest.Path(t, "mime"), corpustest.Path(t, "hostile"),
			corpustest.Path(t, "maildir/twisted-reality")}, 300
	}
	ctx := context.Background()
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.EnsureDesk(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.AddUser(ctx, engine.User{Email: "agent@desk.example.com", Role: engine.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Open(dir, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	// Follow the feed while importing, as the server does.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { x.Run(runCtx); close(done) }()
	n := 0
	var number string
	if _, err := archive.Walk(ctx, paths, archive.Options{}, func(it archive.Item) error {
		r, err := eng.Intake(ctx, engine.Inbound{Raw: it.Raw, Source: it.Source, Channel: "import", NoSync: true})
		if err == nil && number == "" && r.NewTicket {
			number = r.TicketNumber
		}
		n++
		return err
	}, func(string, error) {}); err != nil {
		t.Fatal(err)
	}
	if err := x.WaitFor(ctx, eng.LastSeq()); err != nil {
		t.Fatal(err)
	}
	stop()
	<-done
	qs := designQueries(number)
	followed := takeSnapshot(t, x, qs)
	scopes := corpusScopes(t, eng)
	m := sameAnswersAll(t, x, 25, scopes)
	t.Logf("the table answers as Bleve: %d queries without text in %d scopes, %d of them matching", len(tableQueries())*len(scopes), len(scopes), m)
	if m < 60 {
		t.Errorf("only %d queries in %d scopes match anything: the comparison of the table would prove little", m, len(scopes))
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := eng.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all := followed["sort:updated-desc"]; all.Total != uint64(c.Tickets) || c.Tickets < minTickets {
		t.Fatalf("index has %d tickets, store %d (from %d messages)", all.Total, c.Tickets, n)
	}
	nonEmpty := 0
	for _, q := range qs {
		if followed[q].Total > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 15 {
		t.Fatalf("only %d of %d queries match anything: the comparison would prove little", nonEmpty, len(qs))
	}
	t.Logf("%d messages, %d tickets, %d of %d queries match", n, c.Tickets, nonEmpty, len(qs))

	compare := func(name string, got snapshot) {
		t.Helper()
		for _, q := range qs {
			if !reflect.DeepEqual(got[q], followed[q]) {
				t.Errorf("%s: %q differs: total %d vs %d, ids %v vs %v", name, q, got[q].Total, followed[q].Total,
					first(got[q].IDs), first(followed[q].IDs))
			}
		}
	}
	// Delete the index and restart: the follower rebuilds it from the feed.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	compare("after deleting the index", takeSnapshot(t, x, qs))
	admin := map[string]Scope{"admin": {All: true, Me: "agent@desk.example.com"}}
	sameAnswersAll(t, x, 25, admin)
	x.Close()

	// reindex: a fresh index built from the records, not the feed.
	fresh := filepath.Join(t.TempDir(), "index.new")
	if err := Rebuild(ctx, fresh, eng, slog.New(slog.DiscardHandler), nil); err != nil {
		t.Fatal(err)
	}
	x, err = Open(fresh, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	compare("after reindex", takeSnapshot(t, x, qs))
	sameAnswersAll(t, x, 25, admin)
}

// corpusScopes are the scopes the table is checked in over the corpus: an
// admin, an agent of the desk, and the customer of the first ticket, alone
// and with their account.
func corpusScopes(t *testing.T, eng *engine.Store) map[string]Scope {
	t.Helper()
	ctx := context.Background()
	var first engine.Ticket
	errStop := errors.New("stop")
	if err := eng.EachTicket(ctx, func(tk *engine.Ticket) error { first = *tk; return errStop }); !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	c, err := eng.Contact(ctx, first.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]Scope{
		"admin":            {All: true, Me: "agent@desk.example.com"},
		"agent":            {DeskIDs: []string{first.DeskID}, Me: "agent@desk.example.com"},
		"customer":         CustomerScope(c, false),
		"customer account": CustomerScope(c, true),
	}
}

func first(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	return fmt.Sprintf("[%s …%d]", ids[0], len(ids))
}
