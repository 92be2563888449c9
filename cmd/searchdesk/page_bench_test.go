package main

import (
	"context"
	"io"
	nethttp "net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
	"searchdesk/index"
)

// pageQueries are text queries an agent types into a big inbox.
func pageQueries() []string { return []string{"bug", "error", "release", "kernel", "patch"} }

// pageData is the data directory the page benchmark serves:
// $SEARCHDESK_PAGE_DATA (for example a 1,000,000-ticket bench directory),
// else ../shared/corpus imported into a temporary one.
func pageData(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("SEARCHDESK_PAGE_DATA"); dir != "" {
		return dir
	}
	data := b.TempDir()
	if _, stderr, code := runCLI(b, "import", "--data", data, corpustest.Dir(b)); code != 0 {
		b.Fatalf("import: exit %d: %s", code, stderr)
	}
	return data
}

// BenchmarkPage times what an agent waits for, over HTTP through the real
// serve wiring: the inbox page and GET /api/v1/tickets with facets and
// highlights, 25 rows, beside the index search of the same query alone.
//
//	go test -run X -bench Page ./cmd/searchdesk
//	SEARCHDESK_PAGE_DATA=DIR go test -run X -bench Page -timeout 1h ./cmd/searchdesk
func BenchmarkPage(b *testing.B) {
	m := MustRunMain(b, serveConfig{Data: pageData(b), AdminEmail: "bench@localhost", SearchDeadline: time.Minute})
	ctx := context.Background()
	admin, err := m.Store.UserByEmail(ctx, "bench@localhost")
	if err != nil {
		admin, err = m.Store.AddUser(ctx, engine.User{Email: "bench@localhost", Role: engine.RoleAdmin})
	}
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := m.Store.NewAPIToken(ctx, admin.ID, "page bench")
	if err != nil {
		b.Fatal(err)
	}
	cookie, _, err := m.Store.NewSession(ctx, admin.ID, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range pageQueries() {
		b.Run("index/"+q, func(b *testing.B) {
			for b.Loop() {
				_, err := m.Index.Search(ctx, index.Request{Query: q, Scope: index.Scope{All: true}, Size: 25,
					Facets: true, Deadline: time.Minute})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("api/"+q, func(b *testing.B) {
			getPage(b, m.URL()+"/api/v1/tickets?facets=1&limit=25&q="+url.QueryEscape(q), "Authorization", "Bearer "+token)
		})
		b.Run("inbox/"+q, func(b *testing.B) {
			getPage(b, m.URL()+"/?q="+url.QueryEscape(q), "Cookie", "sd_session="+cookie)
		})
	}
}

// getPage requests u b.N times with one header and checks each answer is 200.
func getPage(b *testing.B, u, header, value string) {
	b.Helper()
	for b.Loop() {
		req, err := nethttp.NewRequest("GET", u, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set(header, value)
		resp, err := nethttp.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
		}
	}
}
