package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
)

type fixture struct {
	shards int // for a new index; 0: one per core
	eng    *engine.Store
	idx    *Index
	dir    string
	desk   engine.Desk
	other  engine.Desk
	agent  engine.User
	tix    map[string]engine.IntakeResult
	// bleveOnly sends the fixture's searches to Bleve even when the
	// ticket table could answer them.
	bleveOnly bool
}

func mail(from, subject, id, body string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: support@desk.example.com\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subject, id, body))
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	eng, err := engine.Open(t.TempDir(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	f := &fixture{eng: eng, dir: filepath.Join(t.TempDir(), "index"), tix: map[string]engine.IntakeResult{}}
	if f.desk, err = eng.EnsureDesk(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if f.other, err = eng.EnsureDesk(ctx, "billing"); err != nil {
		t.Fatal(err)
	}
	if f.agent, err = eng.AddUser(ctx, engine.User{Email: "agent@desk.example.com", Role: engine.RoleAgent, Desks: []string{f.desk.ID}}); err != nil {
		t.Fatal(err)
	}
	add := func(name, desk string, raw []byte) {
		r, err := eng.Intake(ctx, engine.Inbound{Desk: desk, Raw: raw, Channel: "email"})
		if err != nil {
			t.Fatal(err)
		}
		f.tix[name] = r
	}
	add("carol", "", mail("carol@customer.example.org", "Printer jammed", "<c1@x>", "The printer on floor 3 is jammed with paper."))
	add("dave", "", mail("dave@other.example.net", "Zgłoszenie: faktura", "<d1@x>", "Proszę o korektę faktury, kwota jest błędna. secretword"))
	add("petr", "", mail("petr@firma.example.cz", "Přihlášení nefunguje", "<p1@x>", "Nemohu se přihlásit do portálu."))
	add("billing", "billing", mail("erin@acme.example", "Invoice question", "<e1@x>", "Where is my invoice for the printer?"))
	if _, err := eng.AddNote(ctx, f.agent, f.tix["carol"].TicketID, "Internal: customer is on the zebrafish list."); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	return f
}

func (f *fixture) open(t *testing.T) {
	t.Helper()
	idx, err := OpenShards(f.dir, f.shards, f.eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.idx = idx
	t.Cleanup(func() { idx.Close() })
}

func (f *fixture) ids(t *testing.T, q string, s Scope) []string {
	t.Helper()
	r, err := f.idx.Search(context.Background(), Request{Query: q, Scope: s, Size: 100, BleveOnly: f.bleveOnly})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range r.Hits {
		for name, tr := range f.tix {
			if tr.TicketID == h.ID {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestQueries(t *testing.T) {
	f := newFixture(t)
	all := Scope{All: true, Me: "agent@desk.example.com"}
	cases := []struct {
		q    string
		want []string
	}{
		{"printer jammed", []string{"carol"}},
		{"printer", []string{"billing", "carol"}},
		{`"floor 3"`, []string{"carol"}},
		{"zgloszenie", []string{"dave"}},
		{"prihlaseni", []string{"petr"}},
		{"fakt*", []string{"dave"}},
		{"printer -desk:billing", []string{"carol"}},
		{"desk:billing", []string{"billing"}},
		{"(jammed OR invoice) status:open", []string{"billing", "carol"}},
		{"status:open,waiting priority:>=normal desk:support", []string{"carol", "dave", "petr"}},
		{"priority:>normal", nil},
		{"has:note", []string{"carol"}},
		{"zebrafish", []string{"carol"}},
		{"note:zebrafish", []string{"carol"}},
		{"is:unassigned is:open", []string{"billing", "carol", "dave", "petr"}},
		{"created:>=2026-01-01 updated:<7d", []string{"billing", "carol", "dave", "petr"}},
		{"created:2020-01-01..2021-01-01", nil},
		{"created:>1000-01-01", []string{"billing", "carol", "dave", "petr"}}, // outside the index's dates: every ticket, not an error
		{"created:<9999-12-31 created:>=0001-01-01", []string{"billing", "carol", "dave", "petr"}},
		{"customer:carol@customer.example.org", []string{"carol"}},
		{f.tix["petr"].TicketNumber, []string{"petr"}},
		{"number:" + f.tix["petr"].TicketNumber, []string{"petr"}},
		{"sort:created-asc printer", []string{"billing", "carol"}},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			if got := f.ids(t, tc.q, all); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestScopes: what a customer or an agent may not see is matched, counted
// and faceted by neither the ticket table nor Bleve (invariant 5).
func TestScopes(t *testing.T) {
	for _, bleveOnly := range []bool{false, true} {
		t.Run(map[bool]string{false: "table", true: "bleve"}[bleveOnly], func(t *testing.T) {
			f := newFixture(t)
			f.bleveOnly = bleveOnly
			testScopes(t, f)
		})
	}
}

func testScopes(t *testing.T, f *fixture) {
	ctx := context.Background()
	carol, err := f.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	cust := CustomerScope(carol, false)
	cases := []struct {
		name  string
		q     string
		scope Scope
		want  []string
	}{
		{"customer finds own ticket (positive control)", "jammed", cust, []string{"carol"}},
		{"internal note word is invisible to the customer", "zebrafish", cust, nil},
		{"another customer's word is invisible", "secretword", cust, nil},
		{"customer sees only own tickets", "printer", cust, []string{"carol"}},
		{"customer's filter sees only own tickets", "is:open", cust, []string{"carol"}},
		{"customer's empty query sees only own tickets", "", cust, []string{"carol"}},
		{"customer's filter on another customer is empty", "customer:dave@other.example.net", cust, nil},
		{"agent never sees another desk", "printer", StaffScope(f.agent), []string{"carol"}},
		{"agent sees desk filter of another desk as empty", "desk:billing", StaffScope(f.agent), nil},
		{"agent's filter sees only own desk", "is:open -has:note", StaffScope(f.agent), []string{"dave", "petr"}},
		{"agent of no desk sees nothing", "", StaffScope(engine.User{Role: engine.RoleAgent}), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.ids(t, tc.q, tc.scope); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := f.idx.Search(ctx, Request{Query: "note:zebrafish", Scope: cust, BleveOnly: f.bleveOnly}); err == nil {
		t.Error("note: for a customer: want an error")
	}
	for _, q := range []string{"", "status:open", "-desk:support"} {
		r, err := f.idx.Search(ctx, Request{Query: q, Scope: cust, Facets: true, BleveOnly: f.bleveOnly})
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(1)
		if q == "-desk:support" {
			want = 0
		}
		for name, vals := range r.Facets {
			total := 0
			for _, v := range vals {
				total += v.Count
				if name == "customer" && v.Value != "carol@customer.example.org" || name == "desk" && v.Value != "support" {
					t.Errorf("customer %q: facet %s shows %s", q, name, v.Value)
				}
			}
			if name != "tag" && name != "account" && uint64(total) != want {
				t.Errorf("customer %q: facet %s counts %d; want %d", q, name, total, want)
			}
		}
		if r.Total != want || r.table == f.bleveOnly {
			t.Errorf("customer %q: total %d, from the table %v; want %d and %v", q, r.Total, r.table, want, !f.bleveOnly)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	cases := []struct{ q, want, key string }{
		{"stauts:open", `unknown field "stauts" at 1:1; did you mean "status"?`, "err_query_unknown_field_hint"},
		{"printer (jam", `unclosed '(' at 1:9`, "err_query_unclosed_paren"},
		{`"paper jam`, `unclosed '"' at 1:1`, "err_query_unclosed_quote"},
		{"sort:random", "sort:random: want one of", "err_query_sort"},
		{"a OR", "OR needs a term on both sides", "err_query_or"},
		{"priority:>=hot", `priority "hot"`, "err_query_priority"},
		{"created:>yesterday", `is not a date`, "err_query_date"},
		{"is:everything", "is:everything", "err_query_is"},
	}
	f := newFixture(t)
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			_, err := f.idx.Search(context.Background(), Request{Query: tc.q, Scope: Scope{All: true}})
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a syntax error containing %q", err, tc.want)
			}
			// The user's message is a typed error: its key, and the
			// column first among its values.
			var ue *engine.Error
			if !errors.As(err, &ue) || ue.Code != CodeBadQuery || ue.Key != tc.key || len(ue.Args) == 0 || ue.Args[0] != se.Col {
				t.Errorf("got %+v, want code %s, key %s, the column %d first", ue, CodeBadQuery, tc.key, se.Col)
			}
			if !errors.Is(err, ErrQuery) {
				t.Errorf("%v is not an ErrQuery", err)
			}
		})
	}
}

// TestHostileQueries: every line of hostile-queries.txt is answered with
// a result or a clear error (DOS-03), stopped by the query caps, not by a
// deadline: the search runs with a generous one of its own, which it must
// not reach (in production the 1 s deadline would cut it off).
func TestHostileQueries(t *testing.T) {
	b, err := os.ReadFile(corpustest.Path(t, "hostile/hostile-queries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	const limit = time.Minute
	for i, q := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		_, err := f.idx.Search(ctx, Request{Query: q, Scope: Scope{All: true}, Facets: true, Deadline: limit})
		if ctx.Err() != nil {
			t.Errorf("line %d ran into the %v deadline: %v", i+1, limit, err)
		}
		cancel()
		if err != nil && !strings.HasPrefix(err.Error(), "index: ") {
			t.Errorf("line %d: error %q does not say where it comes from", i+1, err)
		}
	}
}

// TestRebuildFromStore: deleting the index and catching up again gives the
// same answers (invariant 1).
func TestRebuildFromStore(t *testing.T) {
	f := newFixture(t)
	all := Scope{All: true}
	queries := []string{"printer", "zgloszenie", "has:note", "desk:billing", "-status:closed"}
	var before [][]string
	for _, q := range queries {
		before = append(before, f.ids(t, q, all))
	}
	if err := f.idx.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(f.dir); err != nil {
		t.Fatal(err)
	}
	f.open(t)
	if f.idx.Applied() != f.eng.LastSeq() {
		t.Errorf("applied %d, want %d", f.idx.Applied(), f.eng.LastSeq())
	}
	for i, q := range queries {
		if got := f.ids(t, q, all); !slices.Equal(got, before[i]) {
			t.Errorf("%q after rebuild: got %v, want %v", q, got, before[i])
		}
	}
}
