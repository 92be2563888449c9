package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/extract"
)

// stubExtractor records the deadline it was given and answers each file
// with text or, for names starting with "bad", an error.
type stubExtractor struct{ deadlines []time.Duration }

func (x *stubExtractor) Text(ctx context.Context, name, contentType string, data []byte, lim extract.Limits) (string, string, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return "", "", errors.New("no deadline")
	}
	x.deadlines = append(x.deadlines, time.Until(d))
	if strings.HasPrefix(name, "bad") {
		return "", extract.KindPDF, errors.New("extract: pdf: extractor crashed: fatal error: stack overflow (exit status 2)")
	}
	return "text of " + name, extract.KindText, nil
}

// TestIntakeExtractor: intake reads attachments through the store's
// Extractor, with a deadline, and a file it cannot read records why.
func TestIntakeExtractor(t *testing.T) {
	x := &stubExtractor{}
	s, err := Open(t.TempDir(), Options{Extractor: x})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.EnsureDesk(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	raw := "From: dan@customer.example.org\r\nTo: support@desk.example.com\r\nSubject: Two files\r\n" +
		"Message-ID: <two-files@customer.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=good.txt\r\n\r\nfine\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=bad.pdf\r\n\r\n%PDF-1.4 hostile\r\n--b--\r\n"
	r, err := s.Intake(context.Background(), Inbound{Raw: []byte(raw), Channel: "email"})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(context.Background(), r.TicketID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %d, %v", len(msgs), err)
	}
	got := map[string]AttachmentRef{}
	for _, a := range msgs[0].Attachments {
		got[a.Name] = a
	}
	if a := got["good.txt"]; a.TextKind != extract.KindText || a.TextError != "" {
		t.Errorf("good.txt: got kind %q, error %q, want text", a.TextKind, a.TextError)
	}
	if a := got["bad.pdf"]; !strings.Contains(a.TextError, "stack overflow") {
		t.Errorf("bad.pdf: got error %q, want why the text is missing", a.TextError)
	}
	if len(x.deadlines) != 2 {
		t.Fatalf("extractor called %d times, want 2", len(x.deadlines))
	}
	for _, d := range x.deadlines {
		if d <= 0 || d > messageTextTime {
			t.Errorf("deadline in %v, want within %v", d, messageTextTime)
		}
	}
}
