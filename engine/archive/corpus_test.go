package archive

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/corpustest"
)

// collect walks paths and returns the items and stats, failing on errors.
func collect(t *testing.T, paths []string, opt Options) ([]Item, Stats) {
	t.Helper()
	var items []Item
	st, err := Walk(context.Background(), paths, opt, func(it Item) error {
		items = append(items, it)
		return nil
	}, func(path string, err error) {
		t.Errorf("onErr(%s): %v", path, err)
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return items, st
}

func TestWalkCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	start := time.Now()
	items, st := collect(t, []string{dir}, Options{})
	t.Logf("walked %d files, %d messages in %v", st.Files, st.Messages, time.Since(start))
	want := Stats{Files: 540, Messages: 9006, Skipped: 22, Failed: 0}
	if st != want {
		t.Errorf("got %+v, want %+v", st, want)
	}
	if len(items) != st.Messages {
		t.Errorf("got %d items, want %d", len(items), st.Messages)
	}
	per := map[string]int{}
	for _, it := range items {
		rel := strings.TrimPrefix(filepath.ToSlash(it.Source), dir+"/")
		top, _, _ := strings.Cut(rel, "/")
		switch {
		case strings.HasPrefix(rel, "threaded/"), strings.HasPrefix(rel, "maildir/"):
			top = rel[:strings.LastIndex(rel, "/")]
			if i := strings.IndexByte(rel, '#'); i >= 0 && top == "threaded" {
				top = rel[:i]
			}
		}
		per[top]++
		if it.Truncated {
			t.Errorf("%s: truncated", it.Source)
		}
	}
	wantPer := map[string]int{
		"mime":                         344,
		"threaded/ksummit.mbox.gz":     3115,
		"threaded/twisted-web.mbox.gz": 5374,
		"maildir/twisted-reality/cur":  123,
		"maildir/twisted-reality/new":  3,
		"hostile":                      47,
	}
	for k, v := range wantPer {
		if per[k] != v {
			t.Errorf("%s: got %d messages, want %d", k, per[k], v)
		}
	}
	if len(per) != len(wantPer) {
		t.Errorf("got messages from %v, want only %v", per, wantPer)
	}
}

func TestWalkCorpusArchives(t *testing.T) {
	dir := corpustest.Dir(t)
	tests := []struct {
		name     string
		path     string
		messages int
		skipped  int
		files    int
	}{
		{name: "mime", path: "mime", messages: 344, files: 343},
		{name: "rhost-cox mbox", path: "mime/sisimai-bounces/rhost-cox-01.mbox", messages: 2, files: 1},
		{name: "ksummit", path: "threaded/ksummit.mbox.gz", messages: 3115, files: 1},
		{name: "twisted-web", path: "threaded/twisted-web.mbox.gz", messages: 5374, files: 1},
		{name: "threaded with derived files", path: "threaded", messages: 8489, skipped: 6, files: 8},
		{name: "maildir twisted-reality", path: "maildir/twisted-reality", messages: 126, files: 126},
		{name: "maildir with derived files", path: "maildir", messages: 126, skipped: 3, files: 129},
		{name: "hostile", path: "hostile", messages: 47, skipped: 4, files: 51},
		{name: "non-mail", path: "non-mail", skipped: 6, files: 6},
		{name: "top-level files", path: "README.md", skipped: 1, files: 1},
		{name: "manifest", path: "MANIFEST.tsv", skipped: 1, files: 1},
		{name: "script", path: "threads.py", skipped: 1, files: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, st := collect(t, []string{filepath.Join(dir, tc.path)}, Options{})
			want := Stats{Files: tc.files, Messages: tc.messages, Skipped: tc.skipped}
			if st != want {
				t.Errorf("got %+v, want %+v", st, want)
			}
		})
	}
}

// messageID returns the first <id> of the first Message-ID field of raw's
// header block, unfolded, or "".
func messageID(raw []byte) string {
	r := bufio.NewReader(bytes.NewReader(raw))
	var field []byte
	found := false
	for {
		line, err := r.ReadBytes('\n')
		trimmed := bytes.TrimRight(line, "\r\n")
		isCont := len(trimmed) > 0 && (trimmed[0] == ' ' || trimmed[0] == '\t')
		if found && !isCont {
			break
		}
		if found {
			field = append(field, trimmed...)
		} else if name, value, ok := bytes.Cut(trimmed, []byte(":")); ok && strings.EqualFold(string(name), "Message-ID") {
			found, field = true, append(field, value...)
		}
		if len(trimmed) == 0 || err != nil {
			break
		}
	}
	return firstAngle(field)
}

// firstAngle returns the first <id> in s as corpus/threads.py finds it
// (regexp <([^<>\s]+)>), or "".
func firstAngle(s []byte) string {
	for {
		i := bytes.IndexByte(s, '<')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
		j := bytes.IndexAny(s, "<> \t\r\n\v\f")
		if j > 0 && s[j] == '>' {
			return "<" + string(s[:j]) + ">"
		}
	}
}

// TestWalkCorpusOrder checks the split against the Message-IDs that
// corpus/threads.py lists, in archive order, for each threaded archive.
func TestWalkCorpusOrder(t *testing.T) {
	dir := corpustest.Dir(t)
	tests := []struct {
		name string
		path string
		tsv  string
	}{
		{name: "ksummit", path: "threaded/ksummit.mbox.gz", tsv: "threaded/ksummit.threads.tsv"},
		{name: "twisted-web", path: "threaded/twisted-web.mbox.gz", tsv: "threaded/twisted-web.threads.tsv"},
		{name: "twisted-reality", path: "maildir/twisted-reality", tsv: "maildir/twisted-reality.threads.tsv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.tsv))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				id, _, _ := strings.Cut(line, "\t")
				want = append(want, id)
			}
			items, _ := collect(t, []string{filepath.Join(dir, tc.path)}, Options{})
			var got []string
			seen := map[string]bool{}
			for i, it := range items {
				id := messageID(it.Raw)
				if id == "" {
					id = "<missing-message-id-" + strconv.Itoa(i+1) + "@threads.invalid>"
				}
				if !seen[id] {
					seen[id] = true
					got = append(got, id)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d distinct ids, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("id %d: got %s, want %s", i+1, got[i], want[i])
				}
			}
		})
	}
}

// TestWalkCorpusLore checks unescaping and framing: the lore-ksummit files
// hold the same bytes as their copies inside ksummit.mbox.gz.
func TestWalkCorpusLore(t *testing.T) {
	dir := corpustest.Dir(t)
	inMbox, _ := collect(t, []string{filepath.Join(dir, "threaded/ksummit.mbox.gz")}, Options{})
	byID := map[string][][]byte{}
	for _, it := range inMbox {
		id := messageID(it.Raw)
		byID[id] = append(byID[id], it.Raw)
	}
	lore, _ := collect(t, []string{filepath.Join(dir, "mime/lore-ksummit")}, Options{})
	if len(lore) != 7 {
		t.Fatalf("got %d lore messages, want 7", len(lore))
	}
	for _, it := range lore {
		found := false
		for _, raw := range byID[messageID(it.Raw)] {
			found = found || bytes.Equal(raw, it.Raw)
		}
		if !found {
			t.Errorf("%s: no identical message in ksummit.mbox.gz", it.Source)
		}
	}
}

// TestCorpusKinds checks the content decision file by file.
func TestCorpusKinds(t *testing.T) {
	dir := corpustest.Dir(t)
	notMail := map[string]bool{
		"README.md": true, "MANIFEST.tsv": true, "threads.py": true,
		"hostile/README.md": true, "hostile/XSS-04-markdown-note.md": true,
		"hostile/hostile-queries.txt": true, "hostile/make_hostile.py": true,
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.Contains(p, "/tmp/") {
			return err
		}
		rel := strings.TrimPrefix(filepath.ToSlash(p), dir+"/")
		wantMail := !notMail[rel] && !strings.HasPrefix(rel, "non-mail/") &&
			!strings.HasSuffix(rel, ".tsv") && !strings.HasSuffix(rel, ".json")
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if isGzip(data) {
			return nil // checked by TestWalkCorpusArchives
		}
		head := data[:min(len(data), headSize)]
		if got := classify(head) != kindNone; got != wantMail {
			t.Errorf("%s: got mail=%v, want %v", rel, got, wantMail)
		}
		if strings.HasSuffix(rel, ".eml") && !bytes.HasPrefix(data, []byte("From ")) && LooksLikeMail(head) != wantMail {
			t.Errorf("%s: LooksLikeMail got %v, want %v", rel, !wantMail, wantMail)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWalkCorpusEscapes counts the body lines starting with "From " after
// unescaping: ksummit (mboxrd) escaped 20 lines; twisted-web (mboxo) has
// 20 ">From " lines, one ">>From " line (a reply quoting an escaped line)
// and 3 unescaped "From what do I see, ..." lines that must stay inside
// their messages.
func TestWalkCorpusEscapes(t *testing.T) {
	dir := corpustest.Dir(t)
	tests := []struct {
		name    string
		path    string
		from    int // lines starting with "From "
		escaped int // lines starting with ">From "
	}{
		{name: "ksummit", path: "threaded/ksummit.mbox.gz", from: 20},
		{name: "twisted-web", path: "threaded/twisted-web.mbox.gz", from: 23, escaped: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, _ := collect(t, []string{filepath.Join(dir, tc.path)}, Options{})
			from, escaped := 0, 0
			for _, it := range items {
				for _, line := range bytes.Split(it.Raw, []byte("\n")) {
					if bytes.HasPrefix(line, []byte("From ")) {
						from++
					}
					if bytes.HasPrefix(line, []byte(">From ")) {
						escaped++
					}
				}
			}
			if from != tc.from || escaped != tc.escaped {
				t.Errorf("got %d From and %d >From lines, want %d and %d", from, escaped, tc.from, tc.escaped)
			}
		})
	}
}

func BenchmarkWalkCorpus(b *testing.B) {
	dir := corpustest.Dir(b)
	for b.Loop() {
		st, err := Walk(context.Background(), []string{dir}, Options{}, func(Item) error { return nil }, nil)
		if err != nil || st.Messages != 9006 {
			b.Fatalf("got %+v, %v", st, err)
		}
	}
}
