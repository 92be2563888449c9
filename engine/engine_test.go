package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// mail builds a small RFC 5322 message; headers with empty values are left out.
func mkmail(hdr map[string]string, body string) []byte {
	var b strings.Builder
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if hdr[k] != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, hdr[k])
		}
	}
	b.WriteString("\r\n" + body + "\r\n")
	return []byte(b.String())
}

func intake(t *testing.T, s *Store, raw []byte) IntakeResult {
	t.Helper()
	r, err := s.Intake(context.Background(), Inbound{Raw: raw, Source: fmt.Sprintf("test:%p", raw), Channel: "email"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newDesk(t *testing.T, s *Store) Desk {
	t.Helper()
	d, err := s.EnsureDesk(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	d.Addresses = []string{"support@desk.example.com"}
	d, err = s.SaveDesk(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestThreadingRules(t *testing.T) {
	s := openTest(t)
	newDesk(t, s)
	ctx := context.Background()
	orig := intake(t, s, mkmail(map[string]string{
		"From": "Carol <carol@customer.example.org>", "To": "support@desk.example.com",
		"Cc": "Dave <dave@customer.example.org>", "Subject": "Printer jammed",
		"Message-ID": "<orig@customer.example.org>", "Date": "Mon, 2 Feb 2026 10:00:00 +0000"}, "The printer is jammed."))
	if !orig.NewTicket || orig.Reason.Rule != RuleNew {
		t.Fatalf("first message: got %+v, want a new ticket", orig)
	}
	cases := []struct {
		name     string
		hdr      map[string]string
		wantRule string
		wantSame bool
		wantFlag string
	}{
		{"cc reply to the original email", map[string]string{
			"From": "dave@customer.example.org", "To": "carol@customer.example.org, support@desk.example.com",
			"Subject": "Re: Printer jammed", "Message-ID": "<dave1@customer.example.org>",
			"In-Reply-To": "<orig@customer.example.org>"}, RuleInReplyTo, true, ""},
		{"references only", map[string]string{
			"From": "carol@customer.example.org", "To": "support@desk.example.com", "Subject": "again",
			"Message-ID": "<carol2@customer.example.org>",
			"References": "<unknown@x.example> <dave1@customer.example.org>"}, RuleReferences, true, ""},
		{"stranger with the number in the subject (MAIL-11)", map[string]string{
			"From": "mallory@evil.example.net", "To": "support@desk.example.com",
			"Subject": "Re: [" + orig.TicketNumber + "] Printer jammed", "Message-ID": "<m1@evil.example.net>"},
			RuleSubjectNumber, true, FlagUnverifiedSender},
		{"spoofed reply from a stranger (MAIL-01)", map[string]string{
			"From": "mallory@evil.example.net", "To": "support@desk.example.com",
			"Subject": "Re: Printer jammed", "Message-ID": "<m2@evil.example.net>",
			"In-Reply-To": "<orig@customer.example.org>"}, RuleInReplyTo, true, FlagUnverifiedSender},
		{"header-less Re: from a stranger opens a ticket", map[string]string{
			"From": "spam@spam.example.net", "To": "support@desk.example.com",
			"Subject": "Re: Printer jammed", "Message-ID": "<s1@spam.example.net>"}, RuleNew, false, ""},
		{"header-less reply from the customer", map[string]string{
			"From": "carol@customer.example.org", "To": "support@desk.example.com",
			"Subject": "RE: printer jammed", "Message-ID": "<carol3@customer.example.org>"}, RuleSubjectSender, true, ""},
		{"own id known from an earlier reference", map[string]string{
			"From": "carol@customer.example.org", "To": "support@desk.example.com",
			"Subject": "late", "Message-ID": "<unknown@x.example>"}, RuleOwnID, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := intake(t, s, mkmail(tc.hdr, "body of "+tc.name))
			if r.Reason.Rule != tc.wantRule {
				t.Errorf("rule: got %q (%q), want %q", r.Reason.Rule, r.Reason.Matched, tc.wantRule)
			}
			if got := r.TicketID == orig.TicketID; got != tc.wantSame {
				t.Errorf("same ticket: got %v, want %v", got, tc.wantSame)
			}
			if has := slices.Contains(r.Flags, FlagUnverifiedSender); has != (tc.wantFlag != "") {
				t.Errorf("flags: got %v, want %q", r.Flags, tc.wantFlag)
			}
		})
	}
	tk, err := s.Ticket(ctx, orig.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(tk.Participants, "mallory@evil.example.net") {
		t.Errorf("participants: got %v, an unverified sender must not join", tk.Participants)
	}
}

func TestDuplicates(t *testing.T) {
	s := openTest(t)
	newDesk(t, s)
	h := map[string]string{"From": "a@example.org", "To": "support@desk.example.com", "Subject": "x", "Message-ID": "<dup@example.org>"}
	first := intake(t, s, mkmail(h, "same body"))
	h2 := map[string]string{"From": "a@example.org", "To": "support@desk.example.com", "Subject": "x", "Message-ID": "<dup@example.org>", "X-Other-Path": "1"}
	again := intake(t, s, mkmail(h2, "same body  "))
	if again.Outcome != OutcomeDuplicate || again.MessageID != first.MessageID {
		t.Errorf("same id and body: got %+v, want duplicate of %s", again, first.MessageID)
	}
	other := intake(t, s, mkmail(h, "another body"))
	if other.Outcome != OutcomeStored || other.TicketID != first.TicketID || !slices.Contains(other.Flags, FlagDuplicateID) {
		t.Errorf("same id, other body: got %+v, want stored on %s flagged duplicate-id", other, first.TicketID)
	}
	// REL-13: no Message-ID, same From/Subject/Date, different bodies: both kept.
	nh := map[string]string{"From": "b@example.org", "Subject": "twin", "Date": "Tue, 3 Mar 2026 10:15:00 +0000"}
	a, b := intake(t, s, mkmail(nh, "body A")), intake(t, s, mkmail(nh, "body B"))
	if a.Outcome != OutcomeStored || b.Outcome != OutcomeStored || a.MessageID == b.MessageID {
		t.Errorf("twins: got %s and %s, want both stored", a.Outcome, b.Outcome)
	}
	if c := intake(t, s, mkmail(nh, "body A")); c.Outcome != OutcomeDuplicate {
		t.Errorf("twin again: got %s, want duplicate", c.Outcome)
	}
}

func TestNumbersUniqueUnderConcurrentWriters(t *testing.T) {
	s := openTest(t)
	d := newDesk(t, s)
	d.Pattern = "TK-{{nr}}"
	if _, err := s.SaveDesk(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 25
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				raw := mkmail(map[string]string{"From": fmt.Sprintf("w%d@example.org", w), "Subject": fmt.Sprintf("s %d %d", w, i),
					"Message-ID": fmt.Sprintf("<%d.%d@example.org>", w, i)}, "x")
				r, err := s.Intake(context.Background(), Inbound{Raw: raw, Channel: "email"})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[r.TicketNumber] {
					t.Errorf("number %s given twice", r.TicketNumber)
				}
				seen[r.TicketNumber] = true
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if len(seen) != writers*each {
		t.Fatalf("got %d numbers, want %d", len(seen), writers*each)
	}
	for i := 1; i <= writers*each; i++ {
		if !seen[fmt.Sprintf("TK-%d", i)] {
			t.Errorf("TK-%d missing: numbers must be dense", i)
		}
	}
}

func TestDeskPatternValidation(t *testing.T) {
	s := openTest(t)
	d := newDesk(t, s)
	d.Pattern = "X-{{nr-m}}"
	if _, err := s.SaveDesk(context.Background(), d); err == nil || !strings.Contains(err.Error(), "{{mm}}") {
		t.Errorf("got %v, want an error naming {{mm}}", err)
	}
}

func TestFeedAndAudit(t *testing.T) {
	s := openTest(t)
	newDesk(t, s)
	before := s.LastSeq()
	r := intake(t, s, mkmail(map[string]string{"From": "a@example.org", "Subject": "hello", "Message-ID": "<f1@example.org>"}, "x"))
	feed, err := s.Feed(context.Background(), before, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 1 || !slices.Contains(feed[0].Tickets, r.TicketID) || feed[0].Seq != before+1 {
		t.Fatalf("feed: got %+v, want one entry naming %s", feed, r.TicketID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitFeed(ctx, s.LastSeq()); err == nil {
		t.Error("WaitFeed returned without a new entry")
	}
}

// TestUnparseableStoredRaw: a message the parser cannot read is stored raw
// on a ticket, flagged parse-error (invariant 7), and its bytes come back
// verbatim.
func TestUnparseableStoredRaw(t *testing.T) {
	s := openTest(t)
	newDesk(t, s)
	cases := []struct {
		name string
		raw  []byte
	}{
		{"binary", []byte("\x00\x01\x02\xff\xfe binary \x00 junk")},
		{"empty", []byte{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := intake(t, s, tc.raw)
			if r.Outcome != OutcomeStored || r.TicketID == "" || !slices.Contains(r.Flags, FlagParseError) {
				t.Fatalf("got %+v, want stored on a ticket, flagged parse-error", r)
			}
			raw, err := s.Raw(context.Background(), r.MessageID)
			if err != nil || string(raw) != string(tc.raw) {
				t.Errorf("raw: got %q, %v; want %q", raw, err, tc.raw)
			}
		})
	}
}
