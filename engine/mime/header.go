package mime

import (
	"bytes"
	"strings"
)

// rawField is a header field as written: name trimmed, value unfolded but
// not decoded.
type rawField struct {
	name  string
	value string
}

// rawHeader is a header block in message order.
type rawHeader []rawField

// get returns the raw value of the first field called name, or "".
func (h rawHeader) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// has reports whether a field called name is present.
func (h rawHeader) has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return true
		}
	}
	return false
}

// values returns the raw values of all fields called name.
func (h rawHeader) values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			vs = append(vs, f.value)
		}
	}
	return vs
}

// headerResult is what splitHeader found.
type headerResult struct {
	fields    rawHeader
	body      []byte
	found     bool // at least one field line was read
	malformed bool // a line had to be repaired
	noBlank   bool // the header ended without a blank line
	tooBig    bool // MaxHeaderBytes reached; later fields dropped
	tooMany   bool // MaxHeaderFields reached; later fields dropped
}

// nextLine returns the line starting at pos without its line break, and the
// position after the break.
func nextLine(data []byte, pos int) (line []byte, next int) {
	i := bytes.IndexByte(data[pos:], '\n')
	if i < 0 {
		line, next = data[pos:], len(data)
	} else {
		line, next = data[pos:pos+i], pos+i+1
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, next
}

// splitHeader splits data into header fields and body (RFC 5322 2.1). It is
// lenient the way real mail needs: for the top-level message (top) it skips
// an mbox "From " line and leading blank lines and accepts an indented first
// line; a line that is neither a field nor a continuation is joined to the
// previous field when the header goes on after it, and otherwise starts the
// body. Header bytes and fields beyond the limits are dropped (DOS-02), but
// the header is still scanned to its end so the body is found.
func splitHeader(data []byte, lim Limits, top bool) headerResult {
	hr := headerReader{lim: lim, top: top, data: data}
	pos := 0
	if top {
		pos = skipPreamble(data)
	}
	for pos < len(data) {
		line, next := nextLine(data, pos)
		if hr.size += next - pos; hr.size > lim.MaxHeaderBytes && !hr.r.tooBig {
			hr.r.tooBig = true
			hr.flush()
		}
		if hr.line(line, pos, next) {
			return hr.r
		}
		pos = next
	}
	hr.flush()
	hr.r.body = data[len(data):]
	return hr.r
}

// headerReader is the state of splitHeader.
type headerReader struct {
	lim     Limits
	top     bool
	data    []byte
	r       headerResult
	size    int    // header bytes read
	curName string // the field being read
	cur     []byte // its value so far
}

func (hr *headerReader) flush() {
	if hr.curName != "" {
		hr.r.fields = append(hr.r.fields, rawField{name: hr.curName, value: string(bytes.TrimSpace(hr.cur))})
	}
	hr.curName, hr.cur = "", nil
}

func (hr *headerReader) appendLine(line []byte) {
	if !hr.r.tooBig && hr.curName != "" {
		hr.cur = append(append(hr.cur, ' '), bytes.TrimSpace(line)...)
	}
}

// end stops reading: the body starts at pos.
func (hr *headerReader) end(pos int) bool {
	hr.flush()
	hr.r.body = hr.data[pos:]
	return true
}

// line reads the line at pos, which ends at next, and reports whether the
// header ended.
func (hr *headerReader) line(line []byte, pos, next int) bool {
	r := &hr.r
	blank := len(bytes.TrimRight(line, " \t")) == 0
	if !r.found {
		if hr.top && !blank && (line[0] == ' ' || line[0] == '\t') {
			line = bytes.TrimLeft(line, " \t") // " From: ..." as the first line
			r.malformed = true
		}
		if len(line) == 0 {
			return hr.end(next) // a part without header fields
		}
	}
	switch {
	case blank && (len(line) == 0 || !continuesHeader(hr.data, next)):
		return hr.end(next) // RFC 5322 2.1: the first empty line ends the header
	case blank:
		// A line of blanks inside the header: ignore it.
	case line[0] == ' ' || line[0] == '\t':
		hr.appendLine(line)
	default:
		name, value, ok := fieldLine(line, hr.top && !r.found)
		switch {
		case ok:
			r.found = true
			hr.flush()
			if len(r.fields) >= hr.lim.MaxHeaderFields {
				r.tooMany = true
			} else if !r.tooBig {
				hr.curName, hr.cur = name, append([]byte(nil), value...)
			}
		case !r.found:
			return hr.end(pos)
		case looksContinued(line, hr.data, next):
			r.malformed = true
			hr.appendLine(line)
		default:
			r.noBlank = true
			return hr.end(pos)
		}
	}
	return false
}

// continuesHeader reports whether the line at pos is a field line or an
// indented continuation, so a line of blanks before it does not end the
// header.
func continuesHeader(data []byte, pos int) bool {
	if pos < len(data) && (data[pos] == ' ' || data[pos] == '\t') {
		line, _ := nextLine(data, pos)
		return len(bytes.TrimSpace(line)) > 0
	}
	return nextIsField(data, pos)
}

// nextIsField reports whether the line at pos is a header field line.
func nextIsField(data []byte, pos int) bool {
	if pos >= len(data) {
		return false
	}
	line, _ := nextLine(data, pos)
	_, _, ok := fieldLine(line, false)
	return ok
}

// skipPreamble returns where the header of a top-level message starts: after
// an mbox "From " line and any blank or white-space-only lines.
func skipPreamble(data []byte) int {
	pos := 0
	if bytes.HasPrefix(data, []byte("From ")) {
		_, pos = nextLine(data, 0)
	}
	for pos < len(data) {
		line, next := nextLine(data, pos)
		if len(bytes.TrimSpace(line)) != 0 {
			break
		}
		pos = next
	}
	return pos
}

// fieldLine splits "Name: value". The name is RFC 5322 ftext (printable
// ASCII but colon), optionally followed by blanks before the colon. When
// strict, the name must look like a real header name (letters, digits, '-',
// '_', '.'); this decides whether an unknown input is mail at all.
func fieldLine(line []byte, strict bool) (name string, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", nil, false
	}
	n := bytes.TrimRight(line[:i], " \t")
	if len(n) == 0 {
		return "", nil, false
	}
	for _, c := range n {
		if c < 33 || c > 126 {
			return "", nil, false
		}
		if strict && !isPlainNameByte(c) {
			return "", nil, false
		}
	}
	return string(n), line[i+1:], true
}

func isPlainNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}

// looksContinued decides whether line, which is neither a field nor indented,
// is a broken continuation of the previous field (as in "References: <a@b>,
// <c@\nd>") rather than the first line of a body that lacks the blank line
// before it. A single word continues the field; text with blanks does only
// when the next line is again a field or an indented continuation.
func looksContinued(line, data []byte, next int) bool {
	if bytes.HasPrefix(line, []byte("--")) {
		return false // a boundary
	}
	if bytes.IndexAny(bytes.TrimSpace(line), " \t") < 0 {
		return true
	}
	if next >= len(data) {
		return false
	}
	following, _ := nextLine(data, next)
	if len(following) > 0 && (following[0] == ' ' || following[0] == '\t') {
		return true
	}
	return nextIsField(data, next)
}
