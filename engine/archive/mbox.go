package archive

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// An mbox is a stream of messages, each preceded by a From_ separator line
// ("From " sender date). Inside a message, lines that would look like a
// separator are escaped with ">":
//
//   - mboxo escapes "From " as ">From " and leaves ">From " alone, so the
//     escaping cannot be undone exactly;
//   - mboxrd escapes every line matching ^>*From  with one more ">".
//
// Both are read the same way: a line matching ^>+From  loses one ">". That
// undoes mboxrd exactly. For mboxo it undoes every escaped "From " line and
// differs only on lines that began with ">From " before the message was
// stored (quoted text that happened to start with "From "); those lose
// their ">". The format does not say which one a file is, and this is the
// usual choice (mutt, Python's mailbox module for mboxrd).
//
// Only true separators split messages: "From " followed by a sender (which
// may contain spaces, as Mailman writes "user at host") and a date at the
// end of the line. Body lines such as "From what I see, ..." do not split.
// No blank line is required before a separator (Mailman often writes
// none); the single blank line mbox writers add after each message is
// removed. Lines are read into a 64 KiB buffer, so a From_ line longer than
// that does not split, and an escaped line whose "From " starts beyond it
// keeps its ">"; no real mbox has either.

// maxDateTokens is how many whitespace-separated tokens at the end of a
// From_ line are examined for the date: weekday, month, day, time, up to
// three zone/year tokens and a UUCP "remote from host" suffix.
const maxDateTokens = 12

// isSeparator reports whether line (with or without its line ending) is an
// mbox From_ separator: "From ", a sender, whitespace and a date in one of
// the forms MTAs write:
//
//	From MAILER-DAEMON Thu Jan  1 00:00:00 1970
//	From user at host  Tue Mar  1 01:47:31 2005
//	From user@host Mon Jan 14 10:12:01 2019 +0100
//	From user@host Tue Mar  1 01:47:31 EST 2005
//	From user@host Sat, 01 Jan 2000 10:12:01 +0000
//	From user Tue Mar  1 01:47 2005 remote from host
func isSeparator(line []byte) bool {
	if !bytes.HasPrefix(line, []byte("From ")) {
		return false
	}
	var tok [maxDateTokens][]byte
	n := lastFields(line[len("From "):], tok[:])
	for i := range n {
		if isDate(tok[i:n]) {
			return true
		}
	}
	return false
}

// lastFields stores the last len(dst) whitespace-separated fields of s in
// dst, in order, and returns how many it stored.
func lastFields(s []byte, dst [][]byte) int {
	i, end := len(dst), len(s)
	for i > 0 {
		for end > 0 && isSpace(s[end-1]) {
			end--
		}
		if end == 0 {
			break
		}
		start := end
		for start > 0 && !isSpace(s[start-1]) {
			start--
		}
		i--
		dst[i] = s[start:end]
		end = start
	}
	return copy(dst, dst[i:])
}

// isSpace reports whether c separates the fields of a From_ line.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// isDate reports whether t is exactly a date as written on From_ lines.
func isDate(t [][]byte) bool {
	if len(t) == 0 || !isWeekday(bytes.TrimSuffix(t[0], []byte(","))) {
		return false
	}
	t = t[1:]
	if n := len(t); n >= 3 && string(t[n-3]) == "remote" && string(t[n-2]) == "from" {
		t = t[:n-3] // UUCP
	}
	// asctime(3): "Tue Mar  1 01:47:31 2005", with zones before or after the year.
	if len(t) >= 4 && isMonth(t[0]) && isDigits(t[1], 1, 2) && isTime(t[2]) {
		return isYearAndZones(t[3:])
	}
	// RFC 5322 3.3 style: "Sat, 01 Jan 2000 10:12:01 +0000".
	if len(t) >= 4 && isDigits(t[0], 1, 2) && isMonth(t[1]) && isDigits(t[2], 4, 4) && isTime(t[3]) {
		for _, z := range t[4:] {
			if !isZone(z) {
				return false
			}
		}
		return len(t) <= 6
	}
	return false
}

// isYearAndZones reports whether t is one four-digit year among at most two
// time zones.
func isYearAndZones(t [][]byte) bool {
	if len(t) == 0 || len(t) > 3 {
		return false
	}
	years := 0
	for _, s := range t {
		switch {
		case isDigits(s, 4, 4):
			years++
		case !isZone(s):
			return false
		}
	}
	return years == 1
}

// isWeekday reports whether s is an English weekday abbreviation.
func isWeekday(s []byte) bool {
	switch string(s) {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// isMonth reports whether s is an English month abbreviation.
func isMonth(s []byte) bool {
	switch string(s) {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return true
	}
	return false
}

// isDigits reports whether s is between lo and hi ASCII digits.
func isDigits(s []byte, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isTime reports whether s is hh:mm or hh:mm:ss (one or two digits each).
func isTime(s []byte) bool {
	parts := 0
	for len(s) > 0 {
		i := bytes.IndexByte(s, ':')
		if i < 0 {
			i = len(s)
		}
		if !isDigits(s[:i], 1, 2) {
			return false
		}
		parts++
		if i == len(s) {
			break
		}
		s = s[i+1:]
		if len(s) == 0 {
			return false
		}
	}
	return parts == 2 || parts == 3
}

// isZone reports whether s is a time zone: +hhmm, -hhmm, an abbreviation
// of up to five letters (UTC, CEST), or one in parentheses ("(CET)").
func isZone(s []byte) bool {
	if len(s) == 5 && (s[0] == '+' || s[0] == '-') {
		return isDigits(s[1:], 4, 4)
	}
	if len(s) > 2 && s[0] == '(' && s[len(s)-1] == ')' {
		s = s[1 : len(s)-1]
	}
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// isEscapedFrom reports whether line matches ^>+From , a From line escaped
// by the mbox writer.
func isEscapedFrom(line []byte) bool {
	if len(line) == 0 || line[0] != '>' {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// mboxReader splits an mbox stream into messages, one at a time.
type mboxReader struct {
	br       *bufio.Reader
	limit    int64  // message size limit
	unescape bool   // undo ">From " escaping (false only in tests)
	buf      []byte // the message being read, at most limit+2 bytes
	dropped  bool   // bytes beyond buf's capacity were dropped
}

// newMboxReader returns a reader of the mbox in br whose messages are
// truncated at limit bytes. buf is reused as scratch space.
func newMboxReader(br *bufio.Reader, limit int64, buf []byte) *mboxReader {
	return &mboxReader{br: br, limit: limit, unescape: true, buf: buf[:0]}
}

// skipLine discards the rest of the current line: the first From line.
func (m *mboxReader) skipLine() error {
	for {
		_, err := m.br.ReadSlice('\n')
		switch {
		case err == nil, err == io.EOF:
			return nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return err
		}
	}
}

// next reads the next message: every line up to the next From_ separator
// (consumed) or the end of the stream. more reports whether a separator
// ended the message, so that another message follows. raw is a new slice.
func (m *mboxReader) next() (raw []byte, truncated, more bool, err error) {
	m.buf, m.dropped = m.buf[:0], false
	atStart := true // frag begins a line
	for {
		frag, err := m.br.ReadSlice('\n')
		switch {
		case err == nil || err == io.EOF:
			// frag is a whole line; lines longer than the buffer come as
			// ErrBufferFull fragments and are never separators.
			if atStart && isSeparator(frag) {
				raw, truncated = m.finish()
				return raw, truncated, true, nil
			}
			m.add(frag, atStart)
			if err == io.EOF {
				raw, truncated = m.finish()
				return raw, truncated, false, nil
			}
			atStart = true
		case errors.Is(err, bufio.ErrBufferFull):
			m.add(frag, atStart)
			atStart = false
		default:
			return nil, false, false, err
		}
	}
}

// add appends frag to the message, unescaping it if it starts a line, and
// drops what does not fit in limit+2 bytes (2 for the CRLF blank line that
// finish removes).
func (m *mboxReader) add(frag []byte, atStart bool) {
	if atStart && m.unescape && isEscapedFrom(frag) {
		frag = frag[1:]
	}
	room := m.limit + 2 - int64(len(m.buf))
	if int64(len(frag)) > room {
		frag = frag[:max(room, 0)]
		m.dropped = true
	}
	m.buf = append(m.buf, frag...)
}

// finish returns a copy of the message read, without the blank line that
// mbox adds after each message, truncated to limit bytes.
func (m *mboxReader) finish() (raw []byte, truncated bool) {
	b := m.buf
	if !m.dropped {
		b = trimBlankLine(b)
	}
	truncated = m.dropped
	if int64(len(b)) > m.limit {
		b, truncated = b[:m.limit], true
	}
	raw = make([]byte, len(b))
	copy(raw, b)
	return raw, truncated
}

// trimBlankLine removes one trailing empty line (LF or CRLF) from b.
func trimBlankLine(b []byte) []byte {
	switch {
	case string(b) == "\n", string(b) == "\r\n":
		return b[:0]
	case bytes.HasSuffix(b, []byte("\r\n\r\n")):
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n\n")):
		return b[:len(b)-1]
	}
	return b
}
