package archive

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestIsSeparator(t *testing.T) {
	tests := []struct {
		name string
		line string
		want bool
	}{
		{name: "mboxrd epoch", line: "From mboxrd@z Thu Jan  1 00:00:00 1970\n", want: true},
		{name: "mailman spaces in sender", line: "From fog at initd.org  Tue Mar  1 01:47:31 2005\n", want: true},
		{name: "crlf", line: "From jamis@37signals.com Mon May  2 16:07:05 2005\r\n", want: true},
		{name: "zero padded day", line: "From noreply@ogone.com Tue Oct 01 00:42:20 2013", want: true},
		{name: "numeric zone after year", line: "From a@b Mon Jan 14 10:12:01 2019 +0100", want: true},
		{name: "zone before year", line: "From a@b Tue Mar  1 01:47:31 EST 2005", want: true},
		{name: "two zones", line: "From a@b Mon Jan 14 10:12:01 2019 +0100 (CET)", want: true},
		{name: "no seconds", line: "From a@b Tue Mar  1 01:47 2005", want: true},
		{name: "rfc 5322 date", line: "From a@b Sat, 01 Jan 2000 10:12:01 +0000", want: true},
		{name: "uucp remote from", line: "From a Tue Mar  1 01:47:31 2005 remote from host", want: true},
		{name: "thunderbird dash", line: "From - Sat Jan  1 00:00:00 2000", want: true},
		{name: "empty sender", line: "From Thu Jan  1 00:00:00 1970", want: true},
		{name: "trailing blanks", line: "From a@b Thu Jan  1 00:00:00 1970  \t\n", want: true},
		{name: "body text", line: "From what do I see, you're not asking about Nevow.\n"},
		{name: "body text with weekday", line: "From Mon Jan 1 I will be away\n"},
		{name: "no date", line: "From email_test@me.nowhere\r\n"},
		{name: "no year", line: "From a@b Thu Jan  1 00:00:00\n"},
		{name: "two years", line: "From a@b Thu Jan  1 00:00:00 1970 1971\n"},
		{name: "bad time", line: "From a@b Thu Jan  1 00:00:00:00 1970\n"},
		{name: "bad time colon", line: "From a@b Thu Jan  1 00: 1970\n"},
		{name: "bad month", line: "From a@b Thu Jax  1 00:00:00 1970\n"},
		{name: "text after date", line: "From a@b Thu Jan  1 00:00:00 1970 and more text\n"},
		{name: "header field", line: "From: a@b Thu Jan  1 00:00:00 1970\n"},
		{name: "escaped", line: ">From a@b Thu Jan  1 00:00:00 1970\n"},
		{name: "lower case", line: "from a@b Thu Jan  1 00:00:00 1970\n"},
		{name: "just From", line: "From \n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isSeparator([]byte(tc.line)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// split runs an mboxReader over data (whose first line is skipped) and
// returns the messages.
func split(t *testing.T, data string, limit int64, unescape bool) []string {
	t.Helper()
	m := newMboxReader(bufio.NewReaderSize(strings.NewReader(data), headSize), limit, nil)
	m.unescape = unescape
	if err := m.skipLine(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		raw, _, more, err := m.next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
		if !more {
			return out
		}
	}
}

func TestMboxSplit(t *testing.T) {
	const sep = "From a@b Thu Jan  1 00:00:00 1970\n"
	const mm = "From fog at initd.org  Tue Mar  1 01:47:31 2005\n"
	tests := []struct {
		name string
		data string
		want []string
	}{
		{name: "one", data: sep + "A: 1\n\nbody\n\n", want: []string{"A: 1\n\nbody\n"}},
		{name: "two with blank lines", data: sep + "A: 1\n\nb1\n\n" + sep + "A: 2\n\nb2\n\n",
			want: []string{"A: 1\n\nb1\n", "A: 2\n\nb2\n"}},
		{name: "no blank line before separator", data: mm + "A: 1\n\nb1\n" + mm + "A: 2\n\nb2\n",
			want: []string{"A: 1\n\nb1\n", "A: 2\n\nb2\n"}},
		{name: "body From line does not split", data: sep + "A: 1\n\nx\nFrom what I see, it works\n\n" + sep + "A: 2\n",
			want: []string{"A: 1\n\nx\nFrom what I see, it works\n", "A: 2\n"}},
		{name: "crlf", data: "From a@b Thu Jan  1 00:00:00 1970\r\nA: 1\r\n\r\nb1\r\n\r\nFrom a@b Thu Jan  1 00:00:00 1970\r\nA: 2\r\n\r\nb2\r\n\r\n",
			want: []string{"A: 1\r\n\r\nb1\r\n", "A: 2\r\n\r\nb2\r\n"}},
		{name: "mboxrd unescape", data: sep + "A: 1\n\n>From x\n>>From y\n>>>From z\n> From w\n>Fromage\n",
			want: []string{"A: 1\n\nFrom x\n>From y\n>>From z\n> From w\n>Fromage\n"}},
		{name: "no final newline", data: sep + "A: 1\n\nb1", want: []string{"A: 1\n\nb1"}},
		{name: "empty messages", data: sep + sep + "\n" + sep, want: []string{"", "", ""}},
		{name: "only separator", data: sep, want: []string{""}},
		{name: "two blank lines keep one", data: sep + "A: 1\n\nb\n\n\n" + sep, want: []string{"A: 1\n\nb\n\n", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := split(t, tc.data, DefaultMaxMessageBytes, true)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMboxLongLines(t *testing.T) {
	long := strings.Repeat("x", 3*headSize+17)
	data := "From a@b Thu Jan  1 00:00:00 1970\nA: 1\n\n" + long + "\n>From " + long + "\n" +
		"From a@b Thu Jan  1 00:00:00 1970\nA: 2\n"
	got := split(t, data, DefaultMaxMessageBytes, true)
	want := []string{"A: 1\n\n" + long + "\nFrom " + long + "\n", "A: 2\n"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %d messages of %d and %d bytes, want 2 of %d and %d", len(got), len(got[0]), len(got[len(got)-1]), len(want[0]), len(want[1]))
	}
}

func TestMboxTruncate(t *testing.T) {
	const sep = "From a@b Thu Jan  1 00:00:00 1970\n"
	tests := []struct {
		name      string
		data      string
		limit     int64
		want      string
		truncated bool
	}{
		{name: "fits", data: sep + "A: 1\n\n", limit: 5, want: "A: 1\n"},
		{name: "blank line beyond limit", data: sep + "A: 1\r\n\r\n", limit: 6, want: "A: 1\r\n"},
		{name: "one byte over", data: sep + "A: 12\n\n", limit: 5, want: "A: 12", truncated: true},
		{name: "much longer", data: sep + "A: 1\n\n" + strings.Repeat("y", 1000) + "\n", limit: 8, want: "A: 1\n\nyy", truncated: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMboxReader(bufio.NewReaderSize(strings.NewReader(tc.data), headSize), tc.limit, nil)
			if err := m.skipLine(); err != nil {
				t.Fatal(err)
			}
			raw, truncated, _, err := m.next()
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != tc.want || truncated != tc.truncated {
				t.Errorf("got %q %v, want %q %v", raw, truncated, tc.want, tc.truncated)
			}
		})
	}
}

// escapeMboxrd writes messages as an mboxrd file.
func escapeMboxrd(msgs []string, crlf bool) []byte {
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	var b bytes.Buffer
	for _, m := range msgs {
		b.WriteString("From mboxrd@z Thu Jan  1 00:00:00 1970" + eol)
		for _, line := range strings.SplitAfter(m, eol) {
			if isEscapedFrom([]byte(line)) || strings.HasPrefix(line, "From ") {
				b.WriteString(">")
			}
			b.WriteString(line)
		}
		b.WriteString(eol)
	}
	return b.Bytes()
}

func TestMboxrdRoundTrip(t *testing.T) {
	msgs := []string{
		"From: a@example.org\nSubject: one\n\nFrom the start\n>From quoted\n>>From twice\n",
		"From: b@example.org\nSubject: two\n\nFrom a@b Thu Jan  1 00:00:00 1970\nlast line\n",
		"From: c@example.org\nSubject: three\n\n\n\nends with blank lines\n\n",
	}
	for _, crlf := range []bool{false, true} {
		want := msgs
		if crlf {
			want = nil
			for _, m := range msgs {
				want = append(want, strings.ReplaceAll(m, "\n", "\r\n"))
			}
		}
		got := split(t, string(escapeMboxrd(want, crlf)), DefaultMaxMessageBytes, true)
		if len(got) != len(want) {
			t.Fatalf("crlf=%v: got %d messages, want %d", crlf, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("crlf=%v message %d: got %q, want %q", crlf, i+1, got[i], want[i])
			}
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		head string
		want kind
	}{
		{name: "eml", head: "From: a@b\nTo: c@d\n\nhi\n", want: kindMessage},
		{name: "mbox", head: "From a@b Thu Jan  1 00:00:00 1970\nFrom: a@b\n\nhi\n", want: kindMbox},
		{name: "envelope without date", head: "From a@b\r\nFrom: a@b\r\nTo: c@d\r\n\r\nhi\r\n", want: kindMbox},
		{name: "text starting with From", head: "From what I see\nthis is text\n", want: kindNone},
		{name: "empty", head: "", want: kindNone},
		{name: "separator without newline", head: "From a@b Thu Jan  1 00:00:00 1970", want: kindMbox},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify([]byte(tc.head)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
