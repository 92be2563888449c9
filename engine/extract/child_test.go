package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// childModeEnv, when set, makes the test binary a child process instead
// of running the tests: "serve" is the real child (ServeChild); the other
// modes misbehave in one way each.
const childModeEnv = "EXTRACT_TEST_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(testChildMain(mode))
	}
	os.Exit(m.Run())
}

func testChildMain(mode string) int {
	switch mode {
	case "serve":
		if err := ServeChild(os.Args[1:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	case "spin": // a loop that never ends, as the PDF library's lexer can
		io.Copy(io.Discard, os.Stdin)
		spin()
	case "flood": // output without end
		io.Copy(io.Discard, os.Stdin)
		b := []byte(strings.Repeat("x", 64<<10))
		for {
			if _, err := os.Stdout.Write(b); err != nil {
				return 0
			}
		}
	case "hog": // allocation without end, under the child's real limits
		if err := confine(64 << 20); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		var keep [][]byte
		for {
			keep = append(keep, make([]byte, 8<<20))
		}
	case "fail":
		fmt.Fprintln(os.Stderr, "extract: child: request header: unexpected EOF")
		return 1
	}
	return 0
}

func spin() {
	for n := 0; ; n++ {
	}
}

// testChild returns a Child that runs this test binary in the given mode.
func testChild(t testing.TB, mode string) *Child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Under -race the runtime waits a second before exiting, unless told.
	env := []string{childModeEnv + "=" + mode, "GORACE=atexit_sleep_ms=0"}
	return &Child{Path: exe, Env: env, Memory: 256 << 20}
}

// stillWorks checks that, after whatever happened to a child, the next
// one extracts a normal PDF.
func stillWorks(t *testing.T, c *Child) {
	t.Helper()
	got, kind, err := c.Text(context.Background(), "invoice.pdf", "application/pdf",
		classicPDF(onePage([]byte(invoiceContent)), ""), Limits{Timeout: 10 * time.Second})
	if err != nil || kind != KindPDF || !strings.Contains(got, "Invoice 2026") {
		t.Errorf("after that, a normal PDF: got %q, %q, %v", got, kind, err)
	}
}

// TestChildSameText extracts files through the child and in process: the
// text, the kind and the error (message and sentinel) are the same.
func TestChildSameText(t *testing.T) {
	const doc = `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>Refund zgłoszenie</w:t></w:r></w:p><w:p><w:r><w:t>Second</w:t></w:r></w:p></w:body></w:document>`
	enc := "/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + strings.Repeat("00", 32) + "> /U <" + strings.Repeat("00", 32) + "> /P -4 >>"
	tests := []struct {
		name, file, ct string
		data           []byte
		lim            Limits
	}{
		{name: "pdf", file: "invoice.pdf", ct: "application/pdf", data: classicPDF(onePage([]byte(invoiceContent)), "")},
		{name: "pdf 1.5 packed", file: "invoice.pdf", ct: "application/octet-stream", data: invoicePacked(t, invoiceContent).bytes(t)},
		{name: "docx", file: "letter.docx", data: docx(t, doc)},
		{name: "html", ct: "text/html; charset=iso-8859-2", data: []byte("<p>zg\xb3oszenie</p><script>x</script><div>two</div>")},
		{name: "plain latin2, in process", ct: "text/plain; charset=iso-8859-2", data: []byte("Nowe zg\xb3oszenie")},
		{name: "cut to MaxOutput", ct: "text/html", data: []byte(strings.Repeat("<p>żółw</p>", 100)), lim: Limits{MaxOutput: 51}},
		{name: "nothing to extract", file: "photo.jpg", ct: "image/jpeg", data: []byte("\xff\xd8\xff\xe0")},
		{name: "empty", file: "empty.html", data: nil},
		{name: "broken docx", file: "letter.docx", data: []byte("PK\x03\x04 not really")},
		{name: "truncated pdf", ct: "application/pdf", data: classicPDF(onePage([]byte(invoiceContent)), "")[:300]},
		{name: "encrypted pdf", ct: "application/pdf", data: classicPDF(onePage([]byte(invoiceContent)), enc)},
		{name: "pdf over MaxInput", ct: "application/pdf", data: classicPDF(onePage([]byte(invoiceContent)), ""), lim: Limits{MaxInput: 100}},
	}
	c := testChild(t, "serve")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			wantText, wantKind, wantErr := Text(ctx, tc.file, tc.ct, tc.data, tc.lim)
			got, kind, err := c.Text(ctx, tc.file, tc.ct, tc.data, tc.lim)
			if got != wantText || kind != wantKind || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("got %q, %q, %v, want %q, %q, %v", got, kind, err, wantText, wantKind, wantErr)
			}
			for _, s := range []error{ErrMalformed, ErrTooLarge, ErrEncrypted, ErrTimeout} {
				if errors.Is(err, s) != errors.Is(wantErr, s) {
					t.Errorf("errors.Is(%v, %v) = %v, in process %v", err, s, errors.Is(err, s), errors.Is(wantErr, s))
				}
			}
		})
	}
}

// TestChildDeadline: a child that never ends is killed at the deadline.
func TestChildDeadline(t *testing.T) {
	c := testChild(t, "spin")
	start := time.Now()
	_, kind, err := c.Text(context.Background(), "loop.pdf", "application/pdf", []byte("%PDF-1.4"), Limits{Timeout: time.Second})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "took longer than 1s") || kind != KindPDF {
		t.Errorf("got %q, %v, want a timeout after 1s", kind, err)
	}
	if elapsed < time.Second || elapsed > 4*time.Second {
		t.Errorf("took %v, want 1s and the time to kill", elapsed)
	}
	stillWorks(t, testChild(t, "serve"))
}

// TestChildCanceled: the caller's cancellation kills the child too.
func TestChildCanceled(t *testing.T) {
	c := testChild(t, "spin")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := c.Text(ctx, "loop.pdf", "application/pdf", []byte("%PDF-1.4"), Limits{Timeout: 20 * time.Second})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("got %v after %v, want context.Canceled soon after 200ms", err, time.Since(start))
	}
}

// TestChildOutputCap: a child that writes more than a reply can hold is
// killed as soon as it has, and its output refused.
func TestChildOutputCap(t *testing.T) {
	c := testChild(t, "flood")
	start := time.Now()
	got, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>a"), Limits{MaxOutput: 1000, Timeout: 20 * time.Second})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "wrote more than") || got != "" {
		t.Errorf("got %d bytes, %v, want the output refused", len(got), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the child was not killed at the cap", d)
	}
}

// TestChildOutOfMemory: the child's address space limit holds: it dies
// at once, with the runtime's reason (which, at the limit, is "out of
// memory", "cannot allocate memory" or a fault, by where the allocation
// failed), not at the deadline.
func TestChildOutOfMemory(t *testing.T) {
	c := testChild(t, "hog")
	start := time.Now()
	_, _, err := c.Text(context.Background(), "a.pdf", "application/pdf", []byte("%PDF-1.4"), Limits{Timeout: 20 * time.Second})
	if !errors.Is(err, ErrCrashed) || !strings.Contains(err.Error(), "(exit status 2)") {
		t.Errorf("got %v, want a fatal error of the runtime", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: the limit did not hold", d)
	}
	t.Log(err)
}

// TestChildExitStatus: a child that fails says so, with its stderr.
func TestChildExitStatus(t *testing.T) {
	c := testChild(t, "fail")
	_, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>x"), Limits{Timeout: 20 * time.Second})
	want := "extract: html: extractor crashed: extract: child: request header: unexpected EOF (exit status 1)"
	if !errors.Is(err, ErrCrashed) || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestChildMissingExecutable: a child that cannot start is an error, not
// a panic; plain text needs none.
func TestChildMissingExecutable(t *testing.T) {
	c := &Child{Path: t.TempDir() + "/no-such-binary"}
	if _, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>a"), Limits{}); err == nil || !strings.Contains(err.Error(), "start the extractor") {
		t.Errorf("html: got %v, want a start error", err)
	}
	if got, kind, err := c.Text(context.Background(), "a.txt", "text/plain", []byte("plain"), Limits{}); got != "plain" || kind != KindText || err != nil {
		t.Errorf("text: got %q, %q, %v, want it decoded in process", got, kind, err)
	}
}

// BenchmarkChildStart measures what one attachment costs for the child
// alone: start this test binary as the child, hand it a short HTML file,
// read the reply, wait for it to exit.
func BenchmarkChildStart(b *testing.B) {
	c := testChild(b, "serve")
	for b.Loop() {
		if _, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>hello"), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
