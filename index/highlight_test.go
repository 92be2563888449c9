package index

import (
	"context"
	"fmt"
	"searchdesk/engine"
	"slices"
	"strings"
	"testing"
)

// TestHighlightBudget: what a highlight looks at is bounded whatever the
// size of the ticket (invariant 8): a word past the budget is found by the
// search but not looked for in the fragment, and a long thread is read
// newest first only as far as the budget goes.
func TestHighlightBudget(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	all := Scope{All: true}
	filler := strings.Repeat("lorem ipsum dolor sit amet ", (2*maxHitText)/27)
	f.intake(t, "big", "", mail("big@example.org", "Big report", "<big1@x>", filler+" quokkaword at the end"))
	r := f.search(t, "quokkaword", all)
	if r.Total != 1 {
		t.Fatalf("quokkaword: total %d, want 1", r.Total)
	}
	if h := r.Hits[0].Highlight; h != nil {
		t.Errorf("a word %d bytes in was looked for: %+v", len(filler), h)
	}

	// A thread of many long messages, each naming the word once: the newest
	// messages are read, and no more than the budget allows.
	first := f.intake(t, "thread", "", mail("long@example.org", "Long thread", "<t0@x>", "start"))
	for i := 1; i <= 3*maxHitMessages; i++ {
		body := fmt.Sprintf("numbat %d %s", i, strings.Repeat("padding words here ", 40))
		raw := fmt.Sprintf("From: long@example.org\r\nTo: support@desk.example.com\r\nSubject: Re: Long thread\r\n"+
			"Message-ID: <t%d@x>\r\nIn-Reply-To: <t0@x>\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", i, body)
		if r := f.intake(t, fmt.Sprint("reply", i), "", []byte(raw)); r.TicketID != first.TicketID {
			t.Fatalf("reply %d went to %s, want %s", i, r.TicketID, first.TicketID)
		}
	}
	tk, err := f.eng.Ticket(ctx, first.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	terms := newHLTerms()
	q, err := Parse("numbat")
	if err != nil {
		t.Fatal(err)
	}
	f.idx.collectTerms(q.Root, all, terms)
	p := &hlPage{x: f.idx, terms: terms, scope: all}
	h, err := p.ticket(ctx, &tk)
	if err != nil {
		t.Fatal(err)
	}
	if h == nil || !strings.Contains(h.Fragment, "<mark>numbat</mark>") {
		t.Fatalf("no fragment from the thread: %+v", h)
	}
	if perMessage := len("numbat 60 ") + 40*len("padding words here "); p.scanned > maxHitMessages*perMessage+len(tk.Subject) {
		t.Errorf("looked at %d bytes of a %d-message thread, want at most %d messages' worth", p.scanned, tk.Messages, maxHitMessages)
	}
	if p.scanned > maxHitText {
		t.Errorf("looked at %d bytes, over the %d a hit may", p.scanned, maxHitText)
	}
}

// TestAC02TicketTrick: a third party's mail threaded onto a customer's
// ticket by its number is held as unverified, and neither its text nor its
// attachment's name or text can be reached by the customer's queries,
// exact or by prefix, nor counted by has:attachment; staff find it.
func TestAC02TicketTrick(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	carol := f.tix["carol"]
	raw := withAttachment("noreply@signup.example", "["+carol.TicketNumber+"] Confirm your account", "<trick1@signup.example>",
		"Welcome!", "onetime-482913.txt", "text/plain", "Your one-time code is 482913. Do not share it.")
	r := f.intake(t, "trick", "", raw)
	if r.TicketID != carol.TicketID || !slices.Contains(r.Flags, engine.FlagUnverifiedSender) {
		t.Fatalf("the trick mail went to %s with flags %v, want %s flagged unverified", r.TicketID, r.Flags, carol.TicketID)
	}
	contact, err := f.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	customer := CustomerScope(contact, false)
	for _, q := range []string{"482913", "4829*", "48291*", "onetime*", "attachment:onetime", "has:attachment", "confirm", "welcome"} {
		if r := f.search(t, q, customer); r.Total != 0 {
			t.Errorf("customer's %q finds %d tickets, want 0", q, r.Total)
		}
	}
	if r := f.search(t, "printer", customer); r.Total != 1 {
		t.Errorf("customer's own words: %d tickets, want 1", r.Total)
	}
	if r := f.search(t, "482913", Scope{All: true}); r.Total != 1 {
		t.Errorf("staff search for the code: %d tickets, want 1", r.Total)
	}
}
