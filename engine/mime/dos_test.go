package mime

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/corpustest"
)

// maxParseTime only catches a parse that never ends: it is generous so
// that a loaded machine under the race detector does not flake (decoding
// 64 MiB of base64 takes about 10 s there). The allocation bound is the
// real check of bounded work.
const maxParseTime = 60 * time.Second

// bounded parses raw under lim and fails when it takes longer than
// maxParseTime or allocates more than maxAlloc bytes in all.
func bounded(t *testing.T, raw []byte, lim Limits, maxAlloc uint64) *Message {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	m, err := Parse(raw, lim)
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if took > maxParseTime {
		t.Errorf("took %v, want under %v", took, maxParseTime)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
		t.Errorf("allocated %d MB, want at most %d MB", alloc>>20, maxAlloc>>20)
	}
	checkSafe(t, t.Name(), m)
	return m
}

// allocFor is the allocation budget for an input: a small multiple of its
// size plus a constant.
func allocFor(raw []byte) uint64 { return uint64(len(raw))*12 + 32<<20 }

func TestHostileDOS(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpustest.Path(t, "hostile"), "DOS-*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no DOS samples: %v", err)
	}
	want := map[string]string{
		"DOS-02-nested-5000.eml":               "nesting too deep",
		"DOS-02-parts-10000.eml":               "too many parts",
		"DOS-02-many-headers.eml":              "too many header fields",
		"DOS-05-address-and-encoded-words.eml": "too many addresses",
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw := readMessages(t, f)[0]
			m := bounded(t, raw, Limits{}, allocFor(raw))
			if p := want[filepath.Base(f)]; p != "" && !hasProblem(m, p) {
				t.Errorf("problems %v, want %q", m.Problems, p)
			}
			if len(m.Header) > DefaultMaxHeaderFields || len(m.To) > DefaultMaxAddresses {
				t.Errorf("got %d header fields and %d recipients", len(m.Header), len(m.To))
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	for _, tc := range []struct {
		name    string
		depth   int
		problem string
		open    func(i int) string
		close   func(i int) string
	}{
		{"multipart", 50000, "nesting too deep",
			func(i int) string {
				return fmt.Sprintf("Content-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n--n%d\r\n", i, i)
			},
			func(i int) string { return fmt.Sprintf("\r\n--n%d--\r\n", i) }},
		{"message/rfc822", 50000, "nesting too deep",
			func(i int) string { return "Content-Type: message/rfc822\r\n\r\nFrom: x@example.org\r\n" },
			func(i int) string { return "" }},
		// One boundary for every level: all delimiters belong to the top.
		{"same boundary", 50000, "too many parts",
			func(i int) string { return "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" },
			func(i int) string { return "\r\n--b--\r\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("From: bomb@example.net\r\nSubject: deep\r\n")
			for i := 0; i < tc.depth; i++ {
				b.WriteString(tc.open(i))
			}
			b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
			for i := tc.depth - 1; i >= 0; i-- {
				b.WriteString(tc.close(i))
			}
			raw := []byte(b.String())
			m := bounded(t, raw, Limits{}, allocFor(raw))
			if !hasProblem(m, tc.problem) {
				t.Errorf("problems %v, want %q", m.Problems, tc.problem)
			}
			if strings.Contains(m.Text, "bottom") {
				t.Error("text below the depth cap was read")
			}
		})
	}
}

func TestManyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: bomb@example.net\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&b, "--b\r\nContent-Type: application/octet-stream\r\n\r\n%d\r\n", i)
	}
	b.WriteString("--b--\r\n")
	raw := []byte(b.String())
	m := bounded(t, raw, Limits{MaxParts: 300}, allocFor(raw))
	if len(m.Attachments) != 300 || !hasProblem(m, "too many parts") {
		t.Errorf("got %d attachments and problems %v, want 300 and too many parts", len(m.Attachments), m.Problems)
	}
	if string(m.Attachments[0].Data) != "0" || string(m.Attachments[299].Data) != "299" {
		t.Error("the parts kept are not the first ones")
	}
}

func TestManyHeaderFields(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&b, "X-H%d: v\r\n", i)
	}
	b.WriteString("Subject: late\r\n\r\nbody")
	raw := []byte("From: a@example.org\r\n" + b.String())
	m := bounded(t, raw, Limits{}, allocFor(raw))
	if len(m.Header) != DefaultMaxHeaderFields || !hasProblem(m, "too many header fields") || m.Text != "body" {
		t.Errorf("got %d fields, text %q, problems %v", len(m.Header), m.Text, m.Problems)
	}
}

func TestHugeHeader(t *testing.T) {
	long := "X-Long: " + strings.Repeat("word ", 40000) + "\r\n"                 // one 200 KB field
	folded := "X-Folded: " + strings.Repeat("w\r\n ", 100000) + "\r\n"           // 100,000 folds
	words := "Subject: " + strings.Repeat("=?utf-8?q?=C5=BC?= ", 50000) + "\r\n" // 50,000 encoded words
	for _, tc := range []struct {
		name, field string
		lim         Limits
		problem     string
	}{
		{"200 KB field", long, Limits{}, ""},
		{"200 KB field over the cap", long, Limits{MaxHeaderBytes: 64 << 10}, "header too large"},
		{"many folds", folded, Limits{}, ""},
		{"many encoded words", words, Limits{MaxHeaderBytes: 4 << 20}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte("From: a@example.org\r\n" + tc.field + "Message-ID: <id@example.org>\r\n\r\nbody")
			m := bounded(t, raw, tc.lim, allocFor(raw))
			if m.Text != "body" {
				t.Errorf("text %q, want body", m.Text)
			}
			if tc.problem != "" && !hasProblem(m, tc.problem) {
				t.Errorf("problems %v, want %q", m.Problems, tc.problem)
			}
		})
	}
}

func TestAddressBombs(t *testing.T) {
	var to strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&to, "r%d@example.org, ", i)
	}
	comment := strings.Repeat("(", 100000) + strings.Repeat(")", 3)
	raw := []byte("From: a@example.org " + comment + "\r\nTo: " + to.String() + "\r\n\r\nbody")
	m := bounded(t, raw, Limits{MaxHeaderBytes: 8 << 20}, allocFor(raw))
	if len(m.To) != DefaultMaxAddresses || !hasProblem(m, "too many addresses") {
		t.Errorf("got %d recipients, problems %v", len(m.To), m.Problems)
	}
	if len(m.From) != 1 || m.From[0].Addr != "a@example.org" {
		t.Errorf("From got %v", m.From)
	}
}

func TestParamBombs(t *testing.T) {
	var d strings.Builder
	d.WriteString("attachment")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&d, "; filename*%d=a%d", i, i)
	}
	raw := []byte("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" +
		"Content-Type: application/pdf\r\nContent-Disposition: " + d.String() + "\r\n\r\ndata\r\n--b--\r\n")
	m := bounded(t, raw, Limits{}, allocFor(raw))
	if len(m.Attachments) != 1 || len(m.Attachments[0].Name) > 255 || !strings.HasPrefix(m.Attachments[0].Name, "a0a1a2") {
		t.Errorf("got %+v", m.Attachments)
	}
}

func TestBoundaryLookalikes(t *testing.T) {
	body := strings.Repeat("--bx not a delimiter\r\n--b-\r\nx--b\r\n", 100000)
	raw := []byte("From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n" + body + "--b--\r\n")
	m := bounded(t, raw, Limits{}, allocFor(raw))
	if !strings.HasPrefix(m.Text, "--bx not a delimiter") {
		t.Errorf("text starts %q", m.Text[:min(len(m.Text), 40)])
	}
}

func TestDeepHTML(t *testing.T) {
	html := strings.Repeat("<div>", 200000) + strings.Repeat("<b><i>", 5000) + "deep text" + strings.Repeat("</div>", 200000)
	raw := []byte("From: a@example.org\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html)
	m := bounded(t, raw, Limits{MaxHTMLBytes: 4 << 20}, allocFor(raw)*4)
	if m.Text != "deep text" || m.HTML == "" {
		t.Errorf("text %q, html %d bytes", m.Text, len(m.HTML))
	}
	m = bounded(t, raw, Limits{MaxHTMLBytes: 64 << 10}, allocFor(raw))
	if m.HTML != "" || !hasProblem(m, "html too large") {
		t.Errorf("html %d bytes, problems %v: want it dropped", len(m.HTML), m.Problems)
	}
}

// TestHugeBase64 parses a 100 MB base64 part: over MaxBytes only the header
// is read; with MaxBytes raised the part is decoded up to MaxDecodedBytes.
func TestHugeBase64(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	line := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW", 1))[:57]) + "\r\n"
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	for b.Len() < 100<<20 {
		b.WriteString(line)
	}
	b.WriteString("--b--\r\n")
	raw := []byte(b.String())

	start := time.Now()
	m := bounded(t, raw, Limits{}, 1<<20)
	t.Logf("over MaxBytes: %v", time.Since(start))
	if m.Subject != "big" || len(m.Attachments) != 0 || !hasProblem(m, "message too large") {
		t.Errorf("default limits: subject %q, %d attachments, problems %v", m.Subject, len(m.Attachments), m.Problems)
	}

	start = time.Now()
	m = bounded(t, raw, Limits{MaxBytes: 200 << 20}, 200<<20) // a private copy of raw and 64 MiB decoded
	t.Logf("decoded to the cap: %v", time.Since(start))
	if len(m.Attachments) != 1 || !m.Attachments[0].Truncated || len(m.Attachments[0].Data) > DefaultMaxDecodedBytes {
		t.Fatalf("got %d attachments, problems %v", len(m.Attachments), m.Problems)
	}
	if m.Text != "see attachment" || !hasProblem(m, "decoded size limit reached") {
		t.Errorf("text %q, problems %v", m.Text, m.Problems)
	}
}

// TestPanicRecovered checks that afterPanic turns a panic into an error
// and still returns the envelope (REL-07).
func TestPanicRecovered(t *testing.T) {
	m, err := afterPanic([]byte("From: a@example.org\r\nSubject: s\r\n\r\nbody"), DefaultLimits(), "boom")
	if err == nil || !strings.HasPrefix(err.Error(), "mime: ") || m == nil || m.Subject != "s" || !hasProblem(m, "parser failure") {
		t.Errorf("got %v, %+v", err, m)
	}
}

// TestQuadraticTraps feeds inputs that make a naive parser quadratic: each
// would take minutes there and takes milliseconds here.
func TestQuadraticTraps(t *testing.T) {
	big := Limits{MaxHeaderBytes: 8 << 20, MaxHeaderFields: 5000}
	manyCT := strings.Repeat("Content-Type: multipart/mixed; boundary=nowhere\r\n", 1000)
	tests := []struct {
		name string
		raw  string
	}{
		{"unterminated encoded words in subject", "From: a@example.org\r\nSubject: " + strings.Repeat("=?x?q?a ", 200000) + "\r\n\r\nbody"},
		{"unterminated encoded words in addresses", "From: a@example.org\r\nTo: " + strings.Repeat("=?x?q?a ", 500000) + "\r\n\r\nbody"},
		{"adjacent quoted strings", "From: " + strings.Repeat(`"a"`, 1000000) + " <a@example.org>\r\n\r\nbody"},
		{"delimiter look-alikes on one line", "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\nx" + strings.Repeat("--b", 1000000)},
		{"many content types", "From: a@example.org\r\n" + manyCT + "\r\n" + strings.Repeat("0123456789abcdef", 1<<20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			bounded(t, raw, big, allocFor(raw)*2)
		})
	}
}
