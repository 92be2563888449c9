package index

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"searchdesk/engine"
)

// designFixture holds tickets made to tell the examples of
// docs/architecture.md's query language apart: name maps ticket ids to
// the letters the cases use.
type designFixture struct {
	eng     *engine.Store
	x       *Index
	dir     string
	name    map[string]string
	eNumber string
}

// designTickets are tickets A to D of the design fixture.
func designTickets(t *testing.T, now time.Time) []engine.TicketImport {
	t.Helper()
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(12 * time.Hour)
	}
	in := []engine.TicketImport{
		{Number: "A", Subject: "Printer jammed", Body: "The paper jam is back on floor two.", Status: "open",
			Priority: "high", Category: "Problem techniczny", Type: "incident", Customer: "jan@example.com",
			Account: "acme.com", Assignee: "me@desk.example.com", Tags: []string{"vip"}, SLA: "breached",
			Created: day("2026-01-15"), Updated: now.Add(-time.Hour)},
		{Number: "B", Subject: "Faktura do korekty", Body: "Proszę o zwrot, refund please.", Status: "waiting",
			Priority: "normal", Customer: "ewa@firma.example.pl", SLA: "ok",
			Created: day("2025-12-01"), Updated: now.AddDate(0, 0, -20)},
		{Number: "C", Subject: "Invoice dispute", Body: "Chargeback filed, refund refused.", Status: "closed",
			Priority: "urgent", Customer: "jan@example.com", Account: "acme.com",
			Created: day("2026-03-01"), Updated: now.AddDate(0, 0, -10)},
		{Desk: "billing", Number: "D", Subject: "Card charge", Body: "A chargeback is coming.", Status: "in_progress",
			Priority: "low", Customer: "kim@other.example", Created: day("2026-01-20"), Updated: now.AddDate(0, 0, -3)},
	}
	return in
}

func newDesignFixture(t *testing.T) *designFixture {
	t.Helper()
	ctx := context.Background()
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	desk, err := eng.EnsureDesk(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.EnsureDesk(ctx, "billing"); err != nil {
		t.Fatal(err)
	}
	me, err := eng.AddUser(ctx, engine.User{Email: "me@desk.example.com", Role: engine.RoleAgent, Desks: []string{desk.ID}})
	if err != nil {
		t.Fatal(err)
	}
	in := designTickets(t, time.Now().UTC())
	ids, err := eng.ImportTickets(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	f := &designFixture{eng: eng, dir: filepath.Join(t.TempDir(), "index"), name: map[string]string{}}
	for i, id := range ids {
		f.name[id] = in[i].Number
	}
	if _, err := eng.AddNote(ctx, me, ids[1], "Internal: refund approved by finance."); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.AddTask(ctx, "me", engine.Task{TicketID: ids[0], Title: "send a technician"}); err != nil {
		t.Fatal(err)
	}
	r, err := eng.Intake(ctx, engine.Inbound{Raw: withAttachment("lee@mail.example", "Scan of the invoice", "<e1@x>",
		"Attached.", "invoice.pdf", "application/pdf", "not really a pdf"), Channel: "email"})
	if err != nil {
		t.Fatal(err)
	}
	f.name[r.TicketID] = "E"
	f.eNumber = r.TicketNumber
	x, err := Open(f.dir, eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	f.x = x
	return f
}

// TestDesignQueries runs every example of docs/architecture.md's query language over
// tickets made to tell them apart, and checks which tickets each matches.
func TestDesignQueries(t *testing.T) {
	ctx := context.Background()
	f := newDesignFixture(t)
	x, name, eNumber := f.x, f.name, f.eNumber
	scope := StaffScope(engine.User{Email: "me@desk.example.com", Role: engine.RoleAdmin})
	all := []string{"A", "B", "C", "D", "E"}
	cases := []struct {
		q    string
		want []string
	}{
		{"printer jammed", []string{"A"}},
		{`"paper jam"`, []string{"A"}},
		{"fakt*", []string{"B"}},
		{"subject:invoice body:refund", []string{"C"}},
		{"subject:refund", nil},
		{"status:open -status:closed", []string{"A", "E"}},
		{"status:open,waiting", []string{"A", "B", "E"}},
		{"priority:>=high", []string{"A", "C"}},
		{`category:"Problem techniczny"`, []string{"A"}},
		{"customer:jan@example.com", []string{"A", "C"}},
		{"account:acme.com", []string{"A", "C"}},
		{"desk:support", []string{"A", "B", "C", "E"}},
		{"desk:billing", []string{"D"}},
		{"assignee:me", []string{"A"}},
		{"assignee:none", []string{"B", "C", "D", "E"}},
		{"tag:vip", []string{"A"}},
		{"source:email", []string{"E"}},
		{"source:import", []string{"A", "B", "C", "D"}},
		{"type:incident", []string{"A"}},
		{"sla:breached", []string{"A"}},
		{"from:lee@mail.example", []string{"E"}},
		{"to:support@desk.example.com", []string{"E"}},
		{"cc:nobody@example.com", nil},
		{"created:>=2026-01-01", []string{"A", "C", "D", "E"}},
		{"updated:<7d", []string{"A", "B", "D", "E"}}, // the note updated B
		{"created:2026-01-01..2026-02-01", []string{"A", "D"}},
		{"is:open", []string{"A", "B", "D", "E"}},
		{"is:unassigned", []string{"B", "C", "D", "E"}},
		{"is:mine", []string{"A"}},
		{"is:overdue", []string{"A"}},
		{"has:attachment", []string{"E"}},
		{"has:task", []string{"A"}},
		{"has:open-task", []string{"A"}},
		{"has:note", []string{"B"}},
		{"attachment:invoice.pdf", []string{"E"}},
		{"note:refund", []string{"B"}},
		{"number:" + eNumber, []string{"E"}},
		{eNumber, []string{"E"}},
		{"(refund OR chargeback) -status:closed", []string{"B", "D"}},
		{"sort:updated-desc", all},
		{"sort:created-asc", all},
		{"sort:priority-desc", all},
		{"refund sort:relevance", []string{"B", "C"}},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			res, err := x.Search(ctx, Request{Query: tc.q, Scope: scope, Size: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, name[h.ID])
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || res.Total != uint64(len(tc.want)) {
				t.Errorf("got %v (total %d), want %v", got, res.Total, tc.want)
			}
		})
	}
	// Sorts mean what they say.
	order := func(q string) []string {
		res, err := x.Search(ctx, Request{Query: q, Scope: scope, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, name[h.ID])
		}
		return out
	}
	if got := order("status:open,waiting,closed,in_progress sort:created-asc -source:email"); !slices.Equal(got, []string{"B", "A", "D", "C"}) {
		t.Errorf("created-asc: %v", got)
	}
	if got := order("-source:email sort:priority-desc"); !slices.Equal(got[:2], []string{"C", "A"}) || got[3] != "D" {
		t.Errorf("priority-desc: %v", got)
	}
}
