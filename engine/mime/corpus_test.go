package mime

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"searchdesk/engine/corpustest"
)

// corpusFiles lists every .eml and .mbox file under the mime and hostile
// folders of the corpus.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"mime", "hostile"} {
		root := corpustest.Path(t, dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".eml") || strings.HasSuffix(path, ".mbox")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no corpus files under %s", corpustest.Dir(t))
	}
	return files
}

// readMessages returns the messages of a corpus file: an .eml that starts
// with an mbox "From " line loses it, an .mbox is split at its From_ lines.
func readMessages(t testing.TB, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(path, ".mbox") {
		return [][]byte{stripFromLine(raw)}
	}
	var msgs [][]byte
	for _, m := range bytes.Split(raw, []byte("\nFrom ")) {
		if !bytes.HasPrefix(m, []byte("From ")) {
			m = append([]byte("From "), m...)
		}
		msgs = append(msgs, stripFromLine(m))
	}
	return msgs
}

func stripFromLine(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// corpusMessage parses one corpus file that holds one message.
func corpusMessage(t *testing.T, rel string) *Message {
	t.Helper()
	msgs := readMessages(t, corpustest.Path(t, rel))
	m, err := Parse(msgs[0], Limits{})
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

// checkSafe asserts the properties every parse result must have.
func checkSafe(t testing.TB, name string, m *Message) {
	t.Helper()
	if !utf8.ValidString(m.Text) {
		t.Errorf("%s: Text is not valid UTF-8", name)
	}
	if !utf8.ValidString(m.HTML) || !utf8.ValidString(m.Subject) {
		t.Errorf("%s: HTML or Subject is not valid UTF-8", name)
	}
	lower := strings.ToLower(m.HTML)
	for _, bad := range []string{"<script", "onerror", "onload", "javascript:"} {
		if strings.Contains(lower, bad) {
			t.Errorf("%s: HTML contains %q", name, bad)
		}
	}
	for _, f := range m.Header {
		if strings.ContainsAny(f.Value, "\r\n") {
			t.Errorf("%s: header %s holds a line break", name, f.Name)
		}
	}
	for _, a := range m.Attachments {
		if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") {
			t.Errorf("%s: bad attachment name %q", name, a.Name)
		}
	}
}

// TestCorpus parses every message of the corpus: none may fail, and every
// result must be safe to show.
func TestCorpus(t *testing.T) {
	start := time.Now()
	n := 0
	for _, path := range corpusFiles(t) {
		for i, raw := range readMessages(t, path) {
			n++
			name := path
			if i > 0 {
				name += "#" + string(rune('0'+i))
			}
			m, err := Parse(raw, Limits{})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if m == nil {
				t.Fatalf("%s: nil message", name)
			}
			checkSafe(t, name, m)
		}
	}
	t.Logf("parsed %d messages in %v", n, time.Since(start))
	if n < 390 {
		t.Errorf("parsed %d messages, want at least 390", n)
	}
}

// BenchmarkParse measures an ordinary message: multipart/alternative with
// text, HTML and an inline image (2.5 KB), and a 15 KB list reply.
func BenchmarkParse(b *testing.B) {
	for _, rel := range []string{"mime/enmime/mail__html-mime-inline.eml", "mime/lore-ksummit/windows-1252-1__1d2c50bffed4.eml"} {
		raw := readMessages(b, corpustest.Path(b, rel))[0]
		b.Run(filepath.Base(rel), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(raw, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCorpus parses every message of the corpus once per iteration.
func BenchmarkCorpus(b *testing.B) {
	var msgs [][]byte
	for _, path := range corpusFiles(b) {
		msgs = append(msgs, readMessages(b, path)...)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, raw := range msgs {
			Parse(raw, Limits{})
		}
	}
}
