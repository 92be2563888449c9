package archive

import (
	"bytes"
)

// headLimit is how much of its argument LooksLikeMail examines.
const headLimit = 64 << 10

// nulWindow is the part of the header block that must be free of NUL bytes:
// a NUL there means a binary file, not broken mail.
const nulWindow = 1 << 10

// LooksLikeMail reports whether head (the first bytes of a file or message, up to 64 KiB) starts like an RFC 5322 message.
//
// The header block (up to the first empty line, or the first 64 KiB) must
// start with a header field "Name: value" (RFC 5322 2.2: a name of printable
// ASCII but colon; obsolete white space before the colon allowed, 4.5.3) and
// go on with fields and folded continuation lines (2.2.3). It is mail when it
// holds
//
//   - two fields known from mail (From, To, Subject, Date, Message-ID,
//     Received, Content-*, X-*, ...), or
//   - From and any other field, or
//   - a single known field (not X-*) and nothing else, ended by the empty
//     line that starts the body: MIME parts and minimal test messages
//     ("Content-Type: text/plain" + body) are stored as mail.
//
// Tolerated: CRLF or LF line endings, 8-bit bytes in values, one leading
// empty or white-space line, one leading mbox "From " envelope line, an
// indented first field, and lines that are not fields (broken mail is still
// mail) as long as well-formed fields are more than twice as many. A NUL
// byte in the first KiB means binary data: not mail. An incomplete last line
// (head cut in the middle of a line) counts only if it is a whole field.
func LooksLikeMail(head []byte) bool {
	if len(head) > headLimit {
		head = head[:headLimit]
	}
	var s headerScan
	for off, n := 0, 0; off < len(head); n++ {
		end, complete := len(head), false
		if i := bytes.IndexByte(head[off:], '\n'); i >= 0 {
			end, complete = off+i+1, true
		}
		start := off
		off = end
		if start < nulWindow && bytes.IndexByte(head[start:min(end, nulWindow)], 0) >= 0 {
			return false
		}
		line := bytes.TrimSuffix(bytes.TrimSuffix(head[start:end], []byte("\n")), []byte("\r"))
		if n == 0 && isLeadIn(line) {
			continue
		}
		if len(line) == 0 {
			s.body = true // RFC 5322 2.1: an empty line ends the header block
			break
		}
		if !complete {
			// Head cut short, or a file without a final newline: count
			// the line if it is a field, else judge by the lines before.
			if _, ok := fieldName(line); ok && line[0] != ' ' && line[0] != '\t' {
				s.line(line)
			}
			break
		}
		if !s.line(line) {
			return false
		}
	}
	return s.mail()
}

// isLeadIn reports whether a first line may be skipped before the header
// block: an empty or white-space line, or an mbox "From " envelope line.
func isLeadIn(line []byte) bool {
	return len(bytes.Trim(line, " \t")) == 0 || bytes.HasPrefix(line, []byte("From "))
}

// headerScan counts the lines of a header block.
type headerScan struct {
	fields     int  // well-formed fields
	recognised int  // fields known from mail
	strong     int  // fields known from mail, not counting X-*
	from       bool // a From field was seen
	broken     int  // lines that are neither fields nor continuations
	body       bool // the block ended with an empty line
}

// line takes one complete line of the header block, without its line
// ending, and reports whether the block can still be mail.
func (s *headerScan) line(line []byte) bool {
	if line[0] == ' ' || line[0] == '\t' {
		if s.fields > 0 {
			return true // RFC 5322 2.2.3 folding
		}
		line = bytes.TrimLeft(line, " \t") // indented first field
	}
	name, ok := fieldName(line)
	if !ok {
		// The first line must be a field; later, broken lines are
		// counted and judged in mail.
		s.broken++
		return s.fields > 0
	}
	s.fields++
	switch k := mailField(name); {
	case k == fieldFrom:
		s.from = true
		fallthrough
	case k == fieldKnown:
		s.strong++
		fallthrough
	case k == fieldExtension:
		s.recognised++
	}
	return true
}

// mail reports the verdict on the header block scanned.
func (s *headerScan) mail() bool {
	if s.fields == 0 || s.fields <= 2*s.broken {
		return false
	}
	return s.recognised >= 2 ||
		(s.from && s.fields >= 2) ||
		(s.fields == 1 && s.strong == 1 && s.broken == 0 && s.body)
}

// fieldName returns the name of the header field on line, and whether line
// is a header field at all (RFC 5322 2.2 and 3.6.8: printable US-ASCII but
// colon; white space before the colon is obsolete syntax, 4.5.3).
func fieldName(line []byte) ([]byte, bool) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return nil, false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return nil, false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return nil, false
		}
	}
	return name, true
}

// fieldKind is what mailField knows of a header field name.
type fieldKind int

const (
	fieldOther     fieldKind = iota // not known from mail
	fieldExtension                  // X-*
	fieldKnown                      // a field mail carries
	fieldFrom                       // From (RFC 5322 3.6.2)
)

// mailField tells whether a header field name is one that mail carries.
func mailField(name []byte) fieldKind {
	if len(name) > 2 && bytes.EqualFold(name[:2], []byte("x-")) {
		return fieldExtension
	}
	for _, p := range []string{"content-", "resent-", "list-", "arc-"} {
		if len(name) > len(p) && bytes.EqualFold(name[:len(p)], []byte(p)) {
			return fieldKnown
		}
	}
	var buf [32]byte
	if len(name) > len(buf) {
		return fieldOther
	}
	lower := buf[:len(name)]
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower) {
	case "from":
		return fieldFrom
	case "to", "cc", "bcc", "subject", "date", "message-id",
		"received", "return-path", "mime-version", "delivered-to", "sender",
		"reply-to", "in-reply-to", "references", "newsgroups", "path",
		"organization", "user-agent", "dkim-signature", "domainkey-signature",
		"authentication-results", "received-spf", "precedence",
		"auto-submitted", "importance", "priority", "thread-topic",
		"thread-index", "comments", "keywords", "envelope-to", "errors-to",
		"mail-followup-to", "mail-reply-to", "followup-to", "apparently-to",
		"disposition-notification-to", "return-receipt-to", "status",
		"mailing-list", "archived-at", "autocrypt", "feedback-id":
		return fieldKnown
	}
	return fieldOther
}
