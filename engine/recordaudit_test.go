package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestRecordChangesAudited: contact, account and user changes are audited
// with who, field, old and new, in the transaction of the change (AC-09,
// invariant 6).
func TestRecordChangesAudited(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	d := newDesk(t, s)
	fields := func(kind, id string) []string {
		t.Helper()
		as, err := s.RecordAudit(ctx, kind, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range as {
			out = append(out, fmt.Sprintf("%s %s:%s>%s", a.Actor, a.Field, a.Old, a.New))
		}
		return out
	}
	c, err := s.SaveContact(ctx, "ann@desk", Contact{Name: "Jo", Addresses: []string{"jo@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Name, c.Addresses = "Jo Smith", []string{"jo@example.org", "jo@home.example"}
	if _, err := s.SaveContact(ctx, "bob@desk", c); err != nil {
		t.Fatal(err)
	}
	want := []string{"ann@desk created:>jo@example.org", "bob@desk name:Jo>Jo Smith",
		"bob@desk addresses:jo@example.org>jo@example.org,jo@home.example"}
	if got := fields(RefContact, c.ID); !slices.Equal(got, want) {
		t.Errorf("contact audit: got %q, want %q", got, want)
	}
	a, err := s.SaveAccount(ctx, "ann@desk", Account{Name: "Acme", Domains: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	a.Domains = []string{"acme.example", "acme.test"}
	if _, err := s.SaveAccount(ctx, "bob@desk", a); err != nil {
		t.Fatal(err)
	}
	want = []string{"ann@desk created:>Acme", "bob@desk domains:acme.example>acme.example,acme.test"}
	if got := fields(RefAccount, a.ID); !slices.Equal(got, want) {
		t.Errorf("account audit: got %q, want %q", got, want)
	}
	u, err := s.AddUser(ctx, User{Email: "cy@desk.example.com", Role: RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUserAccess(ctx, "root@desk", u.ID, RoleOperator, []string{d.ID}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUserEmail(ctx, "root@desk", u.ID, "cy.new@desk.example.com"); err != nil {
		t.Fatal(err)
	}
	want = []string{"root@desk role:agent>operator", "root@desk desks:>" + d.ID, "root@desk disabled:false>true",
		"root@desk email:cy@desk.example.com>cy.new@desk.example.com"}
	if got := fields(RefUser, u.ID); !slices.Equal(got, want) {
		t.Errorf("user audit: got %q, want %q", got, want)
	}
}
