package main

import (
	"context"
	"strings"
	"testing"
)

// TestDemo starts the server with --demo, as the README's first command
// does, and reads the desk back over HTTP: health, the ticket list in
// three languages, and the thread reasons the demo is meant to show.
func TestDemo(t *testing.T) {
	var out lockedBuffer
	m, stop := startMain(t, serveConfig{Demo: true}, &out)
	t.Cleanup(stop)
	for _, want := range []string{"sign in at " + m.URL() + "/login as ", "anna.agent@desk.example.com (agent)", "password " + demoPassword} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed %q, want %q in it", out.String(), want)
		}
	}
	if again, err := loadDemo(context.Background(), m.Store); err != nil || again != 0 {
		t.Errorf("second loadDemo: got %d, %v; want 0 (the store is not empty)", again, err)
	}
	c := newAPIClient(t, m.URL())
	if got := c.signIn("anna.agent@desk.example.com", demoPassword); got != 200 {
		t.Fatalf("demo agent sign-in: status %d", got)
	}
	var health map[string]any
	c.get("/healthz", &health)
	if health["status"] != "ok" {
		t.Errorf("healthz: got %v", health)
	}
	var list struct {
		Tickets []struct{ ID, Number, Subject string }
	}
	c.get("/api/v1/tickets", &list)
	var subjects []string
	rules := map[string]bool{}
	for _, tk := range list.Tickets {
		subjects = append(subjects, tk.Subject)
		var one struct {
			Messages []struct {
				Kind   string
				Reason struct{ Rule string } `json:"thread_reason"`
			}
		}
		c.get("/api/v1/tickets/"+tk.ID, &one)
		for _, m := range one.Messages {
			rules[m.Reason.Rule] = true
			rules["kind:"+m.Kind] = true
		}
	}
	all := strings.Join(subjects, " | ")
	for _, want := range []string{"Printer", "Błędna", "Přihlášení"} {
		if !strings.Contains(all, want) {
			t.Errorf("ticket subjects %q: want one with %q (English, Polish, Czech)", all, want)
		}
	}
	var found struct {
		Total   int
		Tickets []struct{ Subject string }
	}
	c.get("/api/v1/tickets?q=zgloszenie+OR+prihlaseni", &found)
	if found.Total != 1 || len(found.Tickets) != 1 || !strings.Contains(found.Tickets[0].Subject, "Přihlášení") {
		t.Errorf("search over HTTP: got %+v, want the Czech ticket (diacritics folded)", found)
	}
	for _, want := range []string{"new", "in-reply-to", "forward", "bounce", "kind:note", "kind:reply-out"} {
		if !rules[want] {
			t.Errorf("demo messages: want %s among %v", want, rules)
		}
	}
}
