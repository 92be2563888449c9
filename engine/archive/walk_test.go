package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeFile writes data to dir/name, making parent directories.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gzipped returns data gzip compressed.
func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// walkResult is what a Walk produced, in a form tests compare.
type walkResult struct {
	stats   Stats
	sources []string
	raws    []string
	errs    []string
}

// walk runs Walk over paths relative to dir.
func walk(t *testing.T, dir string, opt Options, paths ...string) walkResult {
	t.Helper()
	var r walkResult
	var full []string
	for _, p := range paths {
		full = append(full, filepath.Join(dir, p))
	}
	st, err := Walk(context.Background(), full, opt, func(it Item) error {
		r.sources = append(r.sources, strings.TrimPrefix(filepath.ToSlash(it.Source), filepath.ToSlash(dir)+"/"))
		raw := string(it.Raw)
		if it.Truncated {
			raw += "[truncated]"
		}
		r.raws = append(r.raws, raw)
		return nil
	}, func(path string, err error) {
		if !strings.HasPrefix(err.Error(), "archive: ") {
			t.Errorf("error %q does not start with \"archive: \"", err)
		}
		r.errs = append(r.errs, strings.TrimPrefix(filepath.ToSlash(path), filepath.ToSlash(dir)+"/"))
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	r.stats = st
	return r
}

const (
	msgA = "From: a@example.org\nSubject: a\n\nFrom what I see, this works.\n"
	msgB = "From: b@example.org\nSubject: b\n\nbody b\n"
	sepZ = "From mboxrd@z Thu Jan  1 00:00:00 1970\n"
)

func TestWalkFiles(t *testing.T) {
	crlf := strings.ReplaceAll(sepZ+msgA+"\n"+sepZ+msgB+"\n", "\n", "\r\n")
	tests := []struct {
		name    string
		file    string
		data    string
		stats   Stats
		sources []string
		raws    []string
	}{
		{name: "eml", file: "a.eml", data: msgA, stats: Stats{Files: 1, Messages: 1},
			sources: []string{"a.eml"}, raws: []string{msgA}},
		{name: "eml with envelope line", file: "a.eml", data: "From a@example.org\n" + msgA,
			stats: Stats{Files: 1, Messages: 1}, sources: []string{"a.eml"}, raws: []string{msgA}},
		{name: "mbox of one", file: "a.txt", data: sepZ + msgA + "\n", stats: Stats{Files: 1, Messages: 1},
			sources: []string{"a.txt"}, raws: []string{msgA}},
		{name: "mbox", file: "box", data: sepZ + msgA + "\n" + sepZ + msgB + "\n", stats: Stats{Files: 1, Messages: 2},
			sources: []string{"box#1", "box#2"}, raws: []string{msgA, msgB}},
		{name: "mailman mbox without blank lines", file: "2005-March.txt",
			data:  "From a at example.org  Tue Mar  1 01:47:31 2005\n" + msgA + "From b at example.org  Tue Mar  1 01:48:31 2005\n" + msgB,
			stats: Stats{Files: 1, Messages: 2}, sources: []string{"2005-March.txt#1", "2005-March.txt#2"}, raws: []string{msgA, msgB}},
		{name: "crlf mbox", file: "crlf.mbox", data: crlf, stats: Stats{Files: 1, Messages: 2},
			sources: []string{"crlf.mbox#1", "crlf.mbox#2"},
			raws:    []string{strings.ReplaceAll(msgA, "\n", "\r\n"), strings.ReplaceAll(msgB, "\n", "\r\n")}},
		{name: "gzip mbox", file: "box.gz", data: string(gzipped(t, []byte(sepZ+msgA+"\n"+sepZ+msgB+"\n"))),
			stats: Stats{Files: 1, Messages: 2}, sources: []string{"box.gz#1", "box.gz#2"}, raws: []string{msgA, msgB}},
		{name: "gzip eml", file: "a.eml.gz", data: string(gzipped(t, []byte(msgA))),
			stats: Stats{Files: 1, Messages: 1}, sources: []string{"a.eml.gz"}, raws: []string{msgA}},
		{name: "gzip text", file: "notes.gz", data: string(gzipped(t, []byte("hello\n"))), stats: Stats{Files: 1, Skipped: 1}},
		{name: "empty gzip", file: "empty.gz", data: string(gzipped(t, nil)), stats: Stats{Files: 1, Skipped: 1}},
		{name: "empty file", file: "empty.eml", data: "", stats: Stats{Files: 1, Skipped: 1}},
		{name: "text", file: "notes.eml", data: "From what I see\nthis is not mail\n", stats: Stats{Files: 1, Skipped: 1}},
		{name: "binary", file: "x.bin", data: "\x1f\x8b", stats: Stats{Files: 1, Skipped: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, tc.file, []byte(tc.data))
			r := walk(t, dir, Options{}, ".")
			if r.stats != tc.stats {
				t.Errorf("got %+v, want %+v", r.stats, tc.stats)
			}
			if strings.Join(r.sources, "|") != strings.Join(tc.sources, "|") {
				t.Errorf("got sources %q, want %q", r.sources, tc.sources)
			}
			if strings.Join(r.raws, "|") != strings.Join(tc.raws, "|") {
				t.Errorf("got raws %q, want %q", r.raws, tc.raws)
			}
		})
	}
}

func TestWalkTree(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b/2.eml", []byte(msgB))
	writeFile(t, dir, "a.eml", []byte(msgA))
	writeFile(t, dir, "b/1.eml", []byte(msgA))
	writeFile(t, dir, ".hidden.eml", []byte(msgA))
	writeFile(t, dir, ".git/x.eml", []byte(msgA))
	writeFile(t, dir, "md/cur/1:2,S", []byte(msgA))
	writeFile(t, dir, "md/new/2", []byte(msgB))
	writeFile(t, dir, "md/tmp/3", []byte(msgB))
	writeFile(t, dir, "md/dovecot-uidlist", []byte("3 V1 N4\n"))
	writeFile(t, dir, "md/cur/.keep", nil)
	writeFile(t, dir, "md/.Sent/cur/4:2,S", []byte(msgB)) // Maildir++ folder
	writeFile(t, dir, "md/.Sent/new/.keep", nil)
	writeFile(t, dir, "md/.Sent/tmp/5", []byte(msgA))
	writeFile(t, dir, "md/.notafolder/x.eml", []byte(msgA))
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "a.eml"), filepath.Join(dir, "c-link.eml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "d-dangling")); err != nil {
		t.Fatal(err)
	}
	r := walk(t, dir, Options{}, ".", "b/2.eml", "missing")
	want := []string{"a.eml", "b/1.eml", "b/2.eml", "c-link.eml", "md/cur/1:2,S", "md/new/2", "md/.Sent/cur/4:2,S", "b/2.eml"}
	if strings.Join(r.sources, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", r.sources, want)
	}
	wantStats := Stats{Files: 8, Messages: 8, Failed: 2}
	if r.stats != wantStats {
		t.Errorf("got %+v, want %+v", r.stats, wantStats)
	}
	if strings.Join(r.errs, "|") != "d-dangling|missing" {
		t.Errorf("got errors on %q, want d-dangling and missing", r.errs)
	}
}

func TestWalkCorruptGzip(t *testing.T) {
	var mbox bytes.Buffer
	for range 200 {
		mbox.WriteString(sepZ + msgA + strings.Repeat("filler line of the body\n", 50) + "\n")
	}
	gz := gzipped(t, mbox.Bytes())
	tests := []struct {
		name string
		data []byte
		min  int // messages yielded at least
		max  int // and at most
	}{
		{name: "truncated", data: gz[:len(gz)/2], min: 1, max: 199},
		{name: "bad checksum", data: append(bytes.Clone(gz[:len(gz)-8]), 0, 0, 0, 0, 0, 0, 0, 0), min: 199, max: 199},
		{name: "bad header", data: []byte("\x1f\x8b\x08\xff garbage"), min: 0, max: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "a.mbox.gz", tc.data)
			writeFile(t, dir, "b.eml", []byte(msgB))
			r := walk(t, dir, Options{}, ".")
			n := r.stats.Messages - 1
			if n < tc.min || n > tc.max || r.stats.Failed != 1 || r.stats.Files != 2 {
				t.Errorf("got %+v, want %d..%d messages before the error, 1 failed", r.stats, tc.min, tc.max)
			}
			if len(r.errs) != 1 || r.errs[0] != "a.mbox.gz" {
				t.Errorf("got errors on %q, want a.mbox.gz", r.errs)
			}
			if last := r.sources[len(r.sources)-1]; last != "b.eml" {
				t.Errorf("got last source %s, want b.eml (the walk goes on)", last)
			}
			for i, raw := range r.raws[:n] {
				if !strings.HasPrefix(raw, msgA) || !strings.HasSuffix(raw, "body\n") {
					t.Errorf("message %d is incomplete: %q", i+1, raw[max(0, len(raw)-40):])
				}
			}
		})
	}
}

func TestWalkTruncate(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.eml", []byte(msgA))
	writeFile(t, dir, "b.mbox", []byte(sepZ+msgA+"\n"+sepZ+msgB+"\n"))
	r := walk(t, dir, Options{MaxMessageBytes: 20}, ".")
	want := []string{msgA[:20] + "[truncated]", msgA[:20] + "[truncated]", msgB[:20] + "[truncated]"}
	if strings.Join(r.raws, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", r.raws, want)
	}
	r = walk(t, dir, Options{MaxMessageBytes: int64(len(msgA))}, ".")
	want = []string{msgA, msgA, msgB}
	if strings.Join(r.raws, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", r.raws, want)
	}
}

func TestWalkStop(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.mbox", []byte(sepZ+msgA+"\n"+sepZ+msgB+"\n"+sepZ+msgB))
	stop := errors.New("stop")
	tests := []struct {
		name     string
		cancel   bool
		fnErr    error
		want     error
		messages int
	}{
		{name: "callback error", fnErr: stop, want: stop, messages: 1},
		{name: "context canceled", cancel: true, want: context.Canceled, messages: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := Walk(ctx, []string{dir}, Options{}, func(Item) error {
				if tc.cancel {
					cancel()
				}
				return tc.fnErr
			}, nil)
			if !errors.Is(err, tc.want) || st.Messages != tc.messages {
				t.Errorf("got %v after %d messages, want %v after %d", err, st.Messages, tc.want, tc.messages)
			}
		})
	}
}

// TestWalkMemory checks that an mbox is read one message at a time: a
// 96 MiB mbox (compressed to a few hundred KiB) and a single 64 MiB
// message inside it must not grow the heap to their size.
func TestWalkMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.mbox.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	body := strings.Repeat("a line of text in a message body\n", 32) // 1 KiB
	for range 32 << 10 {
		if _, err := zw.Write([]byte(sepZ + msgA + body + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := zw.Write([]byte(sepZ + msgB)); err != nil {
		t.Fatal(err)
	}
	for range 64 << 10 {
		if _, err := zw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var peak uint64
	n, i := 0, 0
	st, err := Walk(context.Background(), []string{dir}, Options{MaxMessageBytes: 1 << 20}, func(it Item) error {
		n++
		if it.Truncated {
			i++
		}
		if n%(4<<10) == 0 || it.Truncated {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	}, nil)
	if err != nil || st.Messages != 32<<10+1 || i != 1 {
		t.Fatalf("got %+v, %d truncated, %v; want %d messages, 1 truncated", st, i, err, 32<<10+1)
	}
	if peak > 32<<20 {
		t.Errorf("got peak heap %d MiB, want under 32 MiB", peak>>20)
	}
	t.Logf("peak heap in use: %d MiB", peak>>20)
}
