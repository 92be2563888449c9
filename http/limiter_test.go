package http

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	nethttp "net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// postSignIn posts one sign-in from the client named by xff (when set) and
// returns the status.
func postSignIn(t *testing.T, base, email, password, xff string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := nethttp.NewRequest("POST", base+"/api/v1/session", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestAC08ParallelBurst: 40 wrong passwords at once for one address are
// counted before any is checked, so no more than the limit are tried.
func TestAC08ParallelBurst(t *testing.T) {
	d := newDesk(t)
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			st := postSignIn(t, d.srv.URL, d.agentS.Email, fmt.Sprint("wrong-password-", i), "")
			mu.Lock()
			got[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if got[401] > addressFailures || got[401]+got[429] != 40 {
		t.Errorf("answers %v: want at most %d checked (401), the rest 429", got, addressFailures)
	}
}

// TestAC08AddressVariants: "<ADDR>" is the same account as "addr" to the
// limits as it is to sign-in.
func TestAC08AddressVariants(t *testing.T) {
	d := newDesk(t)
	for i := range addressFailures {
		if st := postSignIn(t, d.srv.URL, d.agentS.Email, fmt.Sprint("wrong-password-", i), ""); st != 401 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	for _, v := range []string{"<" + d.agentS.Email + ">", " SAM@desk.example.com "} {
		if st := postSignIn(t, d.srv.URL, v, testPassword, ""); st != 429 {
			t.Errorf("%q with the right password after %d failures of the address: %d, want 429", v, addressFailures, st)
		}
	}
}

// TestAC08ForwardedForNotTrusted: without trusted proxies, X-Forwarded-For
// does not make a client someone else to the limits.
func TestAC08ForwardedForNotTrusted(t *testing.T) {
	d := newDesk(t)
	for i := range clientFailures {
		st := postSignIn(t, d.srv.URL, fmt.Sprintf("nobody%d@example.org", i), "wrong-password", fmt.Sprintf("203.0.113.%d", i))
		if st != 401 {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	if st := postSignIn(t, d.srv.URL, "another@example.org", "wrong-password", "198.51.100.7"); st != 429 {
		t.Errorf("after %d failures, a new X-Forwarded-For: %d, want 429", clientFailures, st)
	}
}

// TestAC08CleanClientStillSignsIn: while an account is under attack from
// one client, another client that has not failed signs in with the right
// password (slowed, not locked out); behind a trusted proxy, clients are
// told apart by X-Forwarded-For.
func TestAC08CleanClientStillSignsIn(t *testing.T) {
	d := newDesk(t)
	srv := NewServer(d.eng, d.idx, slog.New(slog.DiscardHandler))
	srv.TrustedProxies = []string{"127.0.0.1"}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	for i := range addressFailures + 2 {
		postSignIn(t, ts.URL, d.agentS.Email, fmt.Sprint("wrong-password-", i), "203.0.113.9")
	}
	if st := postSignIn(t, ts.URL, d.agentS.Email, testPassword, "203.0.113.9"); st != 429 {
		t.Errorf("the attacking client with the right password: %d, want 429", st)
	}
	if st := postSignIn(t, ts.URL, d.agentS.Email, testPassword, "198.51.100.20"); st != 200 {
		t.Errorf("a clean client with the right password: %d, want 200", st)
	}
}

// TestLimiterMemoryBounded: the limiter keeps fixed-size keys, at most
// maxLimiterKeys of them, and refuses new keys when full.
func TestLimiterMemoryBounded(t *testing.T) {
	huge := string(bytes.Repeat([]byte("a"), 1<<20))
	if k := limiterKey(huge); len(k) != 32 {
		t.Errorf("key of a 1 MiB address is %d bytes, want 32", len(k))
	}
	l := newLimiter(signInWindow)
	at := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)
	for i := range maxLimiterKeys {
		if !l.add(limiterKey(fmt.Sprint(i)), at) {
			t.Fatalf("key %d refused before the limiter is full", i)
		}
	}
	ok := l.add(limiterKey("one more"), at)
	n := len(l.hits)
	if ok || n != maxLimiterKeys {
		t.Errorf("a full limiter took a new key (%v) and holds %d, want refused at %d", ok, n, maxLimiterKeys)
	}
	if !l.add(limiterKey("later"), at.Add(signInWindow+1)) {
		t.Error("once the old keys expired, a new key is still refused")
	}
}

// TestAgentListsOnlyTheirDesksStaff: an agent's list of users holds the
// staff of their desks, not every user with role and desks.
func TestAgentListsOnlyTheirDesksStaff(t *testing.T) {
	d := newDesk(t)
	var out struct{ Users []struct{ Email string } }
	d.token(d.agentS).do("GET", "/api/v1/users", nil, &out)
	var seen []string
	for _, u := range out.Users {
		seen = append(seen, u.Email)
	}
	if !slices.Contains(seen, d.agentS.Email) || !slices.Contains(seen, d.admin.Email) || slices.Contains(seen, d.agentB.Email) {
		t.Errorf("agent of support sees %v: want themselves and the admin, not the billing agent", seen)
	}
	out.Users = nil
	d.token(d.admin).do("GET", "/api/v1/users", nil, &out)
	if len(out.Users) < 3 {
		t.Errorf("admin sees %d users, want all", len(out.Users))
	}
}

// TestAC11ContactsInScope: an agent reads and edits only the contacts
// and accounts with a ticket on their desks (or none yet); another desk's
// contact answers 404 as a missing one does, on the API and the page.
func TestAC11ContactsInScope(t *testing.T) {
	d := newDesk(t)
	ctx := t.Context()
	carol, err := d.eng.ContactByAddress(ctx, "carol@customer.example.org") // a ticket on support
	if err != nil {
		t.Fatal(err)
	}
	acct := carol.AccountID
	sam, bea := d.token(d.agentS), d.token(d.agentB)
	if st := sam.do("GET", "/api/v1/contacts/"+carol.ID, nil, nil); st != 200 {
		t.Errorf("support agent reads support's contact: %d", st)
	}
	bea.wantError("GET", "/api/v1/contacts/"+carol.ID, nil, 404)
	bea.wantError("PATCH", "/api/v1/contacts/"+carol.ID, map[string]any{"name": "Mallory"}, 404)
	if acct != "" {
		bea.wantError("GET", "/api/v1/accounts/"+acct, nil, 404)
	}
	if st, _ := d.signIn(d.agentB).raw("GET", "/contacts/"+carol.ID, nil); st != 404 {
		t.Errorf("billing agent opens support's contact page: %d, want 404", st)
	}
	if c, _ := d.eng.Contact(ctx, carol.ID); c.Name == "Mallory" {
		t.Error("the other desk's agent renamed the contact")
	}
	var made struct{ Contact struct{ ID string } }
	if st := bea.do("POST", "/api/v1/contacts", map[string]any{"addresses": []string{"new@example.org"}}, &made); st != 201 {
		t.Fatalf("create: %d", st)
	}
	if st := sam.do("GET", "/api/v1/contacts/"+made.Contact.ID, nil, nil); st != 200 {
		t.Errorf("a contact with no ticket yet: %d, want 200 for any agent", st)
	}
	if st := d.token(d.admin).do("GET", "/api/v1/contacts/"+carol.ID, nil, nil); st != 200 {
		t.Errorf("admin: %d", st)
	}
}
