package main

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	sdhttp "searchdesk/http"
)

// TestDemo loads the demo data into a fresh store and reads it back over
// HTTP: health, the ticket list in three languages, and the thread reasons
// the demo is meant to show.
func TestDemo(t *testing.T) {
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, log: discardLogger()}
	st, err := openStore(env, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	n, err := loadDemo(ctx, st)
	if err != nil || n == 0 {
		t.Fatalf("loadDemo: %d, %v", n, err)
	}
	if again, err := loadDemo(ctx, st); err != nil || again != 0 {
		t.Errorf("second loadDemo: got %d, %v; want 0 (the store is not empty)", again, err)
	}
	idx, err := openIndex(ctx, env, t.TempDir(), st)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	srv := httptest.NewServer(sdhttp.NewServer(st, idx, discardLogger()).Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &nethttp.Client{Jar: jar}
	login, err := hc.Post(srv.URL+"/api/v1/session", "application/json",
		strings.NewReader(`{"email":"anna.agent@desk.example.com","password":"`+demoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	if login.StatusCode != 200 {
		t.Fatalf("demo agent sign-in: status %d", login.StatusCode)
	}
	get := func(path string, v any) {
		t.Helper()
		resp, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	var health map[string]any
	get("/healthz", &health)
	if health["status"] != "ok" {
		t.Errorf("healthz: got %v", health)
	}
	var list struct {
		Tickets []struct{ ID, Number, Subject string }
	}
	get("/api/v1/tickets", &list)
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
		get("/api/v1/tickets/"+tk.ID, &one)
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
	get("/api/v1/tickets?q=zgloszenie+OR+prihlaseni", &found)
	if found.Total != 1 || len(found.Tickets) != 1 || !strings.Contains(found.Tickets[0].Subject, "Přihlášení") {
		t.Errorf("search over HTTP: got %+v, want the Czech ticket (diacritics folded)", found)
	}
	for _, want := range []string{"new", "in-reply-to", "forward", "bounce", "kind:note", "kind:reply-out"} {
		if !rules[want] {
			t.Errorf("demo messages: want %s among %v", want, rules)
		}
	}
}
