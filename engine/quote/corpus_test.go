package quote

import (
	"bufio"
	"compress/gzip"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"searchdesk/engine/corpustest"
)

// corpusSample is how many messages of an archive the corpus test reads.
const corpusSample = 600

// mboxMessage is one message of an mbox archive: its subject and the text
// after the header.
type mboxMessage struct {
	subject, body string
	encoding      string // Content-Transfer-Encoding, lower-case
	multipart     bool
}

// text returns the body, with the transfer encoding of a single-part
// message undone when that works; otherwise, and for multipart messages,
// the raw body.
func (m mboxMessage) text() string {
	if m.multipart {
		return m.body
	}
	var b []byte
	var err error
	switch m.encoding {
	case "quoted-printable":
		b, err = io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.body)))
	case "base64":
		b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(m.body), ""))
	default:
		return m.body
	}
	if err != nil || !utf8.Valid(b) {
		return m.body
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// readMbox reads up to max messages from a gzip'd mbox file. It is a crude
// reader for plain-text list mail: a message starts at a "From " line that
// ends in a year (the asctime date of the separator), the header ends at
// the first blank line, and only Subject, Content-Type and
// Content-Transfer-Encoding are read (headers are not decoded).
func readMbox(t testing.TB, path string, max int) []mboxMessage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	var (
		msgs     []mboxMessage
		cur      *mboxMessage
		inHeader bool
		body     strings.Builder
		lastHdr  string
	)
	flush := func() {
		if cur != nil {
			cur.body = body.String()
			msgs = append(msgs, *cur)
		}
		body.Reset()
	}
	for sc.Scan() {
		line := sc.Text()
		if isSeparator(line) {
			flush()
			if len(msgs) >= max {
				return msgs
			}
			cur, inHeader, lastHdr = &mboxMessage{}, true, ""
			continue
		}
		if cur == nil {
			continue
		}
		if inHeader {
			switch {
			case line == "":
				inHeader = false
			case line[0] == ' ' || line[0] == '\t':
				if lastHdr == "subject" {
					cur.subject += " " + strings.TrimSpace(line)
				}
			default:
				name, value, _ := strings.Cut(line, ":")
				value = strings.TrimSpace(value)
				switch lastHdr = strings.ToLower(name); lastHdr {
				case "subject":
					cur.subject = value
				case "content-type":
					cur.multipart = strings.HasPrefix(strings.ToLower(value), "multipart/")
				case "content-transfer-encoding":
					cur.encoding = strings.ToLower(value)
				}
			}
			continue
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	flush()
	return msgs
}

// isSeparator reports whether line is an mbox "From " line ending in a year.
func isSeparator(line string) bool {
	if !strings.HasPrefix(line, "From ") || len(line) < 10 {
		return false
	}
	year := line[len(line)-4:]
	return strings.Trim(year, "0123456789") == "" && line[len(line)-5] == ' '
}

// isReply reports whether subject starts with "Re:" after list tags.
func isReply(subject string) bool {
	s := strings.TrimSpace(subject)
	for strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			break
		}
		s = strings.TrimSpace(s[i+1:])
	}
	return len(s) >= 3 && strings.EqualFold(s[:3], "re:")
}

// TestCorpusReplies splits the first messages of two list archives: every
// message must keep its lines, and most replies must be found to quote.
func TestCorpusReplies(t *testing.T) {
	dir := corpustest.Dir(t)
	for _, tc := range []struct {
		archive  string
		minShare float64 // of replies with non-empty Quoted
	}{
		{"twisted-web.mbox.gz", 0.80},
		{"ksummit.mbox.gz", 0.85},
	} {
		t.Run(tc.archive, func(t *testing.T) {
			msgs := readMbox(t, filepath.Join(dir, "threaded", tc.archive), corpusSample)
			if len(msgs) < corpusSample {
				t.Fatalf("read %d messages, want %d", len(msgs), corpusSample)
			}
			replies, quoting, signed, bodyBytes := 0, 0, 0, 0
			for i, m := range msgs {
				text := m.text()
				p := Split(text)
				checkLines(t, text, p)
				if t.Failed() {
					t.Fatalf("message %d (%q) lost or reordered lines", i, m.subject)
				}
				bodyBytes += len(text)
				if p.Signature != "" {
					signed++
				}
				if !isReply(m.subject) {
					continue
				}
				replies++
				if p.Quoted != "" {
					quoting++
				}
			}
			if replies == 0 {
				t.Fatal("no replies in the sample")
			}
			share := float64(quoting) / float64(replies)
			t.Logf("%d messages (%d KB of text): %d replies, %d (%.1f%%) with quoted history; %d with a signature",
				len(msgs), bodyBytes>>10, replies, quoting, 100*share, signed)
			if share < tc.minShare {
				t.Errorf("%.1f%% of replies have quoted history, want at least %.0f%%", 100*share, 100*tc.minShare)
			}
		})
	}
}
