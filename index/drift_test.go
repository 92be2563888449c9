package index

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	"searchdesk/engine"
)

// TestFollowedIndexEqualsRebuild changes every record whose values ticket
// documents copy (desk code and number pattern, contact address, account
// domain and name, assignee email, category name) without touching the
// tickets, lets the follower catch up, and compares the followed index with
// one rebuilt from the store, query by query (invariant 1).
func TestFollowedIndexEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	acme, err := f.eng.SaveAccount(ctx, "admin", engine.Account{Name: "Acme", Domains: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	f.intake(t, "frank", "", mail("frank@acme.example", "Broken scanner", "<f1@x>", "The scanner does not scan."))
	if _, err := f.eng.SaveCategory(ctx, engine.Category{ID: "hardware", Name: "Hardware", Colour: "#112233"}); err != nil {
		t.Fatal(err)
	}
	carol := f.tix["carol"].TicketID
	hw, agentID := "hardware", f.agent.ID
	if _, err := f.eng.UpdateTicket(ctx, "admin@desk.example.com", carol, engine.Change{CategoryID: &hw, AssigneeID: &agentID}, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.idx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	all := Scope{All: true}
	before := map[string]int{
		"customer:carol@customer.example.org": 1, "desk:support": 4, "account:acme.example": 1,
		"account:acme": 1, "assignee:agent@desk.example.com": 1, "category:hardware": 1,
	}
	for q, want := range before {
		if got := len(f.ids(t, q, all)); got != want {
			t.Fatalf("before the changes, %q finds %d, want %d", q, got, want)
		}
	}

	desk := f.desk
	desk.Code, desk.Pattern = "helpdesk", "HD-{{nr}}"
	if _, err := f.eng.SaveDesk(ctx, desk); err != nil {
		t.Fatal(err)
	}
	c, err := f.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	c.Addresses = []string{"carol@new.example.org"}
	if _, err := f.eng.SaveContact(ctx, "admin", c); err != nil {
		t.Fatal(err)
	}
	acme.Name, acme.Domains = "Acme Group", []string{"acme-group.example"}
	if _, err := f.eng.SaveAccount(ctx, "admin", acme); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.SetUserEmail(ctx, "admin", f.agent.ID, "agent.new@desk.example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.SaveCategory(ctx, engine.Category{ID: "hardware", Name: "Devices", Colour: "#112233"}); err != nil {
		t.Fatal(err)
	}
	if err := f.idx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	queries := []string{
		"customer:carol@customer.example.org", "customer:carol@new.example.org",
		"desk:support", "desk:helpdesk", "HD-1", "number:HD-2", "number:1",
		"account:acme.example", "account:acme-group.example", "account:acme", `account:"acme group"`,
		"assignee:agent@desk.example.com", "assignee:agent.new@desk.example.com",
		"category:hardware", "printer", "-status:closed",
	}
	followed := map[string][]string{}
	for _, q := range queries {
		followed[q] = f.ids(t, q, all)
	}
	dir := filepath.Join(t.TempDir(), "rebuilt")
	if err := Rebuild(ctx, dir, f.eng, slog.New(slog.DiscardHandler), nil); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := OpenShards(dir, f.shards, f.eng, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rebuilt.Close() })
	g := *f
	g.idx = rebuilt
	for _, q := range queries {
		if want := g.ids(t, q, all); !slices.Equal(followed[q], want) {
			t.Errorf("%q: followed index finds %v, rebuilt %v", q, followed[q], want)
		}
	}
	after := map[string]int{
		"customer:carol@customer.example.org": 0, "customer:carol@new.example.org": 1,
		"desk:support": 0, "desk:helpdesk": 4, "account:acme.example": 0, "account:acme-group.example": 1,
		`account:"acme group"`: 1, "assignee:agent@desk.example.com": 0, "assignee:agent.new@desk.example.com": 1,
		"category:hardware": 1,
	}
	for q, want := range after {
		if got := len(followed[q]); got != want {
			t.Errorf("after the changes, %q finds %d, want %d", q, got, want)
		}
	}
}
