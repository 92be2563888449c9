package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestSearchScopesOnTheCommandLine: `searchdesk search --as customer:ADDR`
// finds the customer's own ticket and nothing of another customer's or of
// an internal note (AC-02); an agent sees only their desk (AC-01).
func TestSearchScopesOnTheCommandLine(t *testing.T) {
	data := t.TempDir()
	dir := t.TempDir()
	write := func(name, from, subject, body string) {
		raw := "From: " + from + "\r\nTo: support@desk.example.com\r\nSubject: " + subject + "\r\nMessage-ID: <" + name + "@x>\r\n\r\n" + body + "\r\n"
		if err := os.WriteFile(filepath.Join(dir, name+".eml"), []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a", "alice@a.example", "Router broken", "The router blinks red. alphaword")
	write("b", "bob@b.example", "Router slow", "Our router is slow. bravoword")
	importJSON(t, data, dir)
	if _, errs, code := runCLI(t, "user", "add", "--data", data, "--email", "agent@desk.example.com", "--role", "agent", "--desk", "support"); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
	search := func(as, q string) int {
		t.Helper()
		out, errs, code := runCLI(t, "search", "--data", data, "--json", "--as", as, q)
		if code != 0 {
			t.Fatalf("search --as %s %q: exit %d: %s", as, q, code, errs)
		}
		var r struct{ Total int }
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	cases := []struct {
		as, q string
		want  int
	}{
		{"customer:alice@a.example", "alphaword", 1},
		{"customer:alice@a.example", "bravoword", 0},
		{"customer:alice@a.example", "router", 1},
		{"customer:nobody@x.example", "router", 0},
		{"agent@desk.example.com", "router", 2},
	}
	for _, tc := range cases {
		if got := search(tc.as, tc.q); got != tc.want {
			t.Errorf("search --as %s %q: got %d, want %d", tc.as, tc.q, got, tc.want)
		}
	}
	if _, _, code := runCLI(t, "search", "--data", data, "stauts:open"); code != exitUsage {
		t.Errorf("bad query: got exit %d, want %d", code, exitUsage)
	}
}
