package archive

import (
	"bufio"
	"bytes"
	"testing"
)

// refSplit is a plain reference of mboxReader over a whole input: it skips
// the first line and splits at separator lines. Like the reader, it only
// sees separators and escapes within the first bufSize bytes of a line.
func refSplit(data []byte, bufSize int, unescape bool) []string {
	lines := bytes.SplitAfter(data, []byte("\n"))
	var msgs []string
	var cur []byte
	for i, line := range lines[1:] {
		last := i == len(lines)-2
		if len(line) == 0 && last {
			break
		}
		if len(line) <= bufSize && isSeparator(line) {
			msgs = append(msgs, string(trimBlankLine(cur)))
			cur = nil
			continue
		}
		if unescape && isEscapedFrom(line[:min(len(line), bufSize)]) {
			line = line[1:]
		}
		cur = append(cur, line...)
	}
	return append(msgs, string(trimBlankLine(cur)))
}

// readAll runs an mboxReader with a bufSize buffer over data.
func readAll(t *testing.T, data []byte, bufSize int, limit int64, unescape bool) (msgs []string, truncated []bool) {
	t.Helper()
	m := newMboxReader(bufio.NewReaderSize(bytes.NewReader(data), bufSize), limit, nil)
	m.unescape = unescape
	if err := m.skipLine(); err != nil {
		t.Fatal(err)
	}
	for {
		raw, tr, more, err := m.next()
		if err != nil {
			t.Fatal(err)
		}
		msgs, truncated = append(msgs, string(raw)), append(truncated, tr)
		if !more {
			return msgs, truncated
		}
	}
}

// FuzzSplitMbox checks the mbox splitter against refSplit, with long lines
// cut into buffer-sized fragments, and checks truncation and that the
// messages come from the input in order.
func FuzzSplitMbox(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, bufSize := range []int{64, headSize} {
			for _, unescape := range []bool{false, true} {
				got, _ := readAll(t, data, bufSize, DefaultMaxMessageBytes, unescape)
				want := refSplit(data, bufSize, unescape)
				if len(got) != len(want) {
					t.Fatalf("buf %d unescape %v: got %d messages, want %d", bufSize, unescape, len(got), len(want))
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("buf %d unescape %v message %d: got %q, want %q", bufSize, unescape, i+1, got[i], want[i])
					}
				}
			}
		}
		// Without unescaping every message is a chunk of the input, in order.
		plain, _ := readAll(t, data, headSize, DefaultMaxMessageBytes, false)
		rest := data
		for i, m := range plain {
			j := bytes.Index(rest, []byte(m))
			if j < 0 {
				t.Fatalf("message %d %q is not in the input after the previous one", i+1, m)
			}
			rest = rest[j+len(m):]
		}
		if classify(data[:min(len(data), headSize)]) == kindMbox && len(plain) < 1 {
			t.Fatalf("got no message from an mbox")
		}
		// Truncation keeps a prefix of at most limit bytes.
		const limit = 7
		full, _ := readAll(t, data, headSize, DefaultMaxMessageBytes, true)
		cut, truncated := readAll(t, data, headSize, limit, true)
		if len(cut) != len(full) {
			t.Fatalf("limit %d: got %d messages, want %d", limit, len(cut), len(full))
		}
		for i := range cut {
			wantCut := full[i][:min(len(full[i]), limit)]
			if cut[i] != wantCut || truncated[i] != (len(full[i]) > limit) {
				t.Fatalf("limit %d message %d: got %q %v, want %q %v", limit, i+1, cut[i], truncated[i], wantCut, len(full[i]) > limit)
			}
		}
	})
}

// FuzzLooksLikeMail checks that LooksLikeMail and classify do not panic,
// only look at 64 KiB, and judge LF and CRLF text alike.
func FuzzLooksLikeMail(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		got := LooksLikeMail(data)
		_ = classify(data)
		if len(data) > headLimit && LooksLikeMail(data[:headLimit]) != got {
			t.Fatalf("verdict depends on bytes beyond %d", headLimit)
		}
		if len(data) < 400 && bytes.IndexByte(data, '\r') < 0 {
			crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			if LooksLikeMail(crlf) != got {
				t.Fatalf("got %v for LF, %v for CRLF", got, !got)
			}
		}
	})
}
