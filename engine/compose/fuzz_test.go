package compose

import (
	"bytes"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// FuzzBuild builds a reply with a hostile subject and display name and
// checks that the header keeps its shape (MAIL-07 in docs/security.md): every
// line well formed, no Bcc, exactly the fields we set, and the subject and
// name read back as the one-line text we meant.
func FuzzBuild(f *testing.F) {
	want := []string{"Content-Type", "Mime-Version", "Date", "From", "To", "Subject",
		"Message-Id", "In-Reply-To", "Auto-Submitted", "X-Auto-Response-Suppress", "X-Loop"}
	f.Fuzz(func(t *testing.T, subject, name string) {
		raw, err := Build(Mail{
			From:      Address{Name: name, Addr: "support@desk.example.com"},
			To:        []Address{{Name: name, Addr: "customer@example.org"}},
			Subject:   "Re: " + subject,
			MessageID: "<r1@desk.example.com>",
			InReplyTo: "<m1@example.org>",
			Date:      time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC),
			Text:      "text",
			HTML:      "<p>html</p>",
			Auto:      AutoReplied,
			XLoop:     "support@desk.example.com",
		})
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		checkWellFormed(t, raw)
		h := parseMessage(t, raw).Header
		if len(h) != len(want) {
			t.Errorf("got fields %v, want %v", h, want)
		}
		for _, k := range want {
			if len(h[k]) != 1 {
				t.Errorf("%s: got %d fields, want 1", k, len(h[k]))
			}
		}
		back, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := must(back.Header.Subject()), headerText("Re: "+subject, maxValue); got != want {
			t.Errorf("subject: got %q, want %q", got, want)
		}
		for _, field := range []string{"From", "To"} {
			l, err := back.Header.AddressList(field)
			if err != nil || len(l) != 1 || l[0].Name != displayName(name) {
				t.Errorf("%s: got %v, %v, want name %q", field, l, err, displayName(name))
			}
		}
	})
}

// must drops the error of a decoding the test checks by its result.
func must(s string, _ error) string { return s }
