package mime

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotMail is returned by Parse when raw holds no readable header block:
// empty input, binary data, or text whose first line is not a header field.
var ErrNotMail = errors.New("mime: not a mail message")

// Default limits (DOS-02, DOS-05, DOS-07).
const (
	DefaultMaxBytes        = 50 << 20
	DefaultMaxDepth        = 20
	DefaultMaxParts        = 500
	DefaultMaxHeaderBytes  = 256 << 10
	DefaultMaxHeaderFields = 1000
	DefaultMaxAddresses    = 500
	DefaultMaxDecodedBytes = 64 << 20
	DefaultMaxHTMLBytes    = 2 << 20
)

const (
	maxProblems   = 50  // distinct problems kept per message
	maxReferences = 200 // RFC 5322 3.6.4 sets none; we keep the first and the last 199
	maxIDLen      = 998 // RFC 5322 2.1.1 line length; longer ids are junk
)

// Limits caps the work Parse does (DOS-02, DOS-05, DOS-07). A zero or
// negative field means its default. Parse keeps one private copy of the
// message; parts without a transfer encoding are slices of it, so
// MaxDecodedBytes counts what base64, quoted-printable and uuencode
// decoding produce.
type Limits struct {
	MaxBytes        int   // raw message size parsed at all (default 50 MiB); above it: headers only + ErrTooLarge-style problem
	MaxDepth        int   // multipart/message nesting (default 20)
	MaxParts        int   // total parts (default 500)
	MaxHeaderBytes  int   // total header block bytes per part (default 256 KiB)
	MaxHeaderFields int   // header fields per part (default 1000)
	MaxAddresses    int   // per address header (default 500)
	MaxDecodedBytes int64 // total decoded body bytes across parts (default 64 MiB)
	MaxHTMLBytes    int   // HTML fed to sanitizer/html2text (default 2 MiB); larger → html dropped, text from text part or truncated
}

// DefaultLimits returns the limits Parse uses for fields left zero.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:        DefaultMaxBytes,
		MaxDepth:        DefaultMaxDepth,
		MaxParts:        DefaultMaxParts,
		MaxHeaderBytes:  DefaultMaxHeaderBytes,
		MaxHeaderFields: DefaultMaxHeaderFields,
		MaxAddresses:    DefaultMaxAddresses,
		MaxDecodedBytes: DefaultMaxDecodedBytes,
		MaxHTMLBytes:    DefaultMaxHTMLBytes,
	}
}

// withDefaults fills zero or negative fields with their defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	l.MaxBytes = pick(l.MaxBytes, d.MaxBytes)
	l.MaxDepth = pick(l.MaxDepth, d.MaxDepth)
	l.MaxParts = pick(l.MaxParts, d.MaxParts)
	l.MaxHeaderBytes = pick(l.MaxHeaderBytes, d.MaxHeaderBytes)
	l.MaxHeaderFields = pick(l.MaxHeaderFields, d.MaxHeaderFields)
	l.MaxAddresses = pick(l.MaxAddresses, d.MaxAddresses)
	l.MaxHTMLBytes = pick(l.MaxHTMLBytes, d.MaxHTMLBytes)
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = d.MaxDecodedBytes
	}
	return l
}

// Address is one mailbox of an address header.
type Address struct {
	Name string // display name, RFC 2047 decoded, CR/LF and control characters removed
	Addr string // lower-cased, trimmed; may lack a domain (MAILER-DAEMON)
}

// String formats a as "Name <addr>" or "addr" for logs and tests; it is not
// meant for outgoing headers.
func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	return fmt.Sprintf("%s <%s>", a.Name, a.Addr)
}

// Attachment is a part of the message that is not its body text.
type Attachment struct {
	Name        string // decoded filename (RFC 2047/2231), path components and control chars removed; never empty (fallback "attachment-N" + extension from type)
	ContentType string // media type as declared, lower case, no params
	ContentID   string // without angle brackets, "" if none
	Inline      bool   // Content-Disposition inline or referenced by cid from the HTML
	Data        []byte // decoded bytes (possibly truncated when Truncated)
	Truncated   bool
}

// Forward describes the original message inside a forward (MAIL-08).
type Forward struct {
	Kind      string    // "rfc822" (message/rfc822 attachment) or "inline" (forward block in the text)
	From      Address   // the ORIGINAL sender
	Subject   string    // the original subject
	Date      time.Time // zero if unknown
	MessageID string    // with angle brackets, "" if unknown
	Text      string    // the original message's text
}

// Report holds what a delivery report (multipart/report, RFC 3464 and
// look-alikes) says about the message that bounced (MAIL-05).
type Report struct {
	OriginalMessageID string   // Message-ID of the bounced message (from the message/rfc822 or text/rfc822-headers part), with angle brackets
	Recipients        []string // Final-Recipient / Original-Recipient addresses (lower case)
	Action            string   // "failed", "delayed", "delivered", ... (first recipient block)
	Status            string   // e.g. "5.1.1"
	Diagnostic        string   // Diagnostic-Code, trimmed
}

// Auto holds automatic-mail signals, RFC 3834 and common practice (MAIL-04).
type Auto struct {
	AutoSubmitted string   // value of Auto-Submitted if not "no", lower case
	Precedence    string   // bulk, list, junk, auto_reply (lower case) if present
	ListID        string   // List-Id value
	AutoReply     bool     // vacation or out-of-office reply (headers or subject)
	NullSender    bool     // Return-Path: <> or From MAILER-DAEMON / postmaster
	XLoop         []string // X-Loop values
}

// Field is one header field: its name as written and its decoded value.
type Field struct{ Name, Value string }

// Header is a header block in message order.
type Header []Field

// Get returns the value of the first field called name (case-insensitive),
// or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns the values of all fields called name (case-insensitive), in
// order.
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Message is what a support desk needs from one raw RFC 5322 message.
type Message struct {
	MessageID   string    // as in the header, with angle brackets, whitespace removed; "" if none or unparseable
	InReplyTo   []string  // ids with angle brackets (every <...@...> token)
	References  []string  // in header order, deduplicated, capped at 200 (the first and the last 199)
	From        []Address // all From addresses (MAIL-09: several possible)
	Sender      *Address  // Sender, nil if absent
	ReplyTo     []Address // Reply-To addresses
	To, Cc      []Address // recipients
	Subject     string    // decoded, CR/LF and other control chars replaced by space, trimmed
	Date        time.Time // parsed Date (lenient); zero if missing or garbage
	DateRaw     string    // the Date field as written
	Text        string    // best plain text: the text/plain body, or text derived from HTML when only HTML exists; valid UTF-8
	HTML        string    // sanitized HTML (bluemonday) or "" if none
	Attachments []Attachment
	Forward     *Forward // non-nil if this message forwards another
	Report      *Report  // non-nil for multipart/report
	Auto        Auto
	Header      Header   // all header fields of the top part, decoded values, in order; X-Searchdesk-* removed (MAIL-03)
	Problems    []string // non-fatal problems found, each a short lower-case phrase
}

// NormalizeBody returns text with CRLF→LF, trailing spaces/tabs of each line
// removed and trailing blank lines removed; used to compare bodies of
// duplicate deliveries (threading rule 1, docs/architecture.md). A lone CR also becomes
// LF so that the result is stable when normalized again.
func NormalizeBody(text string) string {
	out := make([]byte, 0, len(text))
	trim := func() {
		for len(out) > 0 && (out[len(out)-1] == ' ' || out[len(out)-1] == '\t') {
			out = out[:len(out)-1]
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\r' && c != '\n' {
			out = append(out, c)
			continue
		}
		if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		trim()
		out = append(out, '\n')
	}
	trim()
	for len(out) > 0 && out[len(out)-1] == '\n' {
		out = out[:len(out)-1]
		trim()
	}
	return string(out)
}
