package mime

import (
	"bytes"
	"fmt"
	"strings"
)

// parser holds the state of one Parse call.
type parser struct {
	lim       Limits
	msg       *Message
	parts     int   // nodes created below the root
	decoded   int64 // bytes of decoded bodies so far
	rootFound bool  // the top-level header had at least one field
	seen      map[string]bool
}

func newParser(lim Limits) *parser {
	return &parser{lim: lim, msg: &Message{}, seen: map[string]bool{}}
}

// problem records a non-fatal problem once; at most maxProblems are kept.
func (p *parser) problem(s string) {
	if p.seen[s] || len(p.msg.Problems) >= maxProblems {
		return
	}
	p.seen[s] = true
	p.msg.Problems = append(p.msg.Problems, s)
}

// Parse parses raw. It never panics (recover → error) and never allocates
// without bound: everything it reads is capped by lim (zero fields take
// their defaults). It returns a non-nil *Message whenever it can read
// anything, plus an error when the message could not be parsed as MIME at
// all (the caller stores it raw and flags it parse-error): ErrNotMail when
// there is no header block. Damage short of that (broken boundaries, bad
// charsets or encodings, caps hit) is listed in Message.Problems.
func Parse(raw []byte, lim Limits) (msg *Message, err error) {
	lim = lim.withDefaults()
	defer func() {
		if r := recover(); r != nil {
			msg, err = afterPanic(raw, lim, r)
		}
	}()
	return newParser(lim).parse(raw)
}

func (p *parser) parse(raw []byte) (*Message, error) {
	m := p.msg
	if len(raw) > p.lim.MaxBytes {
		// DOS-01: over the cap only the header is read.
		p.problem("message too large")
		return p.headersOnly(raw)
	}
	// One private copy: parts without transfer encoding are slices of it,
	// so Attachment.Data never aliases the caller's buffer.
	root := p.buildTree(bytes.Clone(raw))
	if !p.rootFound {
		p.problem("no header block")
		return m, ErrNotMail
	}
	p.envelope(root.header, charsetHint(root))
	p.body(root)
	m.Report = p.report(root)
	m.Auto = autoSignals(root.header, m)
	if m.Report == nil && !m.Auto.NullSender {
		// A bounce, with or without multipart/report, is not a forward.
		m.Forward = p.forward(root)
	}
	return m, nil
}

// headersOnly fills the envelope from the header block alone.
func (p *parser) headersOnly(raw []byte) (*Message, error) {
	h := splitHeader(raw, p.lim, true)
	if !h.found {
		p.problem("no header block")
		return p.msg, ErrNotMail
	}
	ct, params := parseMediaType(h.fields.get("Content-Type"))
	hint := ""
	if strings.HasPrefix(ct, "text/") {
		hint = params["charset"]
	}
	p.envelope(h.fields, hint)
	p.msg.Auto = autoSignals(h.fields, p.msg)
	return p.msg, nil
}

// afterPanic turns a parser bug into an error (REL-07) and still tries to
// return the envelope, itself guarded.
func afterPanic(raw []byte, lim Limits, r any) (m *Message, err error) {
	err = fmt.Errorf("mime: parser failure: %v", r)
	m = &Message{Problems: []string{"parser failure"}}
	func() {
		defer func() {
			if recover() != nil {
				m = &Message{Problems: []string{"parser failure"}}
			}
		}()
		p := newParser(lim)
		p.problem("parser failure")
		if hm, herr := p.headersOnly(raw); herr == nil {
			m = hm
		}
	}()
	return m, err
}

// charsetHint is the charset 8-bit header bytes are read in: the top part's,
// else that of the first part declaring one.
func charsetHint(root *node) string {
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if cs := n.params["charset"]; cs != "" {
			return cs
		}
		for i := len(n.children) - 1; i >= 0; i-- {
			stack = append(stack, n.children[i])
		}
	}
	return ""
}

// envelope fills the header-derived fields of the message.
func (p *parser) envelope(h rawHeader, hint string) {
	m := p.msg
	for _, f := range h {
		if strings.HasPrefix(strings.ToLower(f.name), "x-searchdesk-") {
			continue // MAIL-03: our own namespace is never believed from outside
		}
		m.Header = append(m.Header, Field{Name: f.name, Value: decodeValue(f.value, hint)})
	}
	m.MessageID = parseMessageID(h.get("Message-ID"))
	m.InReplyTo = msgIDList(strings.Join(h.values("In-Reply-To"), " "))
	m.References = capRefs(msgIDList(strings.Join(h.values("References"), " ")))
	m.Subject = decodeValue(h.get("Subject"), hint)
	m.DateRaw = cleanLine(decodeHeaderBytes(h.get("Date"), hint))
	m.Date = parseDate(m.DateRaw)
	m.From = p.addresses(h, "From", hint)
	if s := p.addresses(h, "Sender", hint); len(s) > 0 {
		m.Sender = &s[0]
	}
	m.ReplyTo = p.addresses(h, "Reply-To", hint)
	m.To = p.addresses(h, "To", hint)
	m.Cc = p.addresses(h, "Cc", hint)
}

// addresses parses every field called name, at most MaxAddresses in all.
func (p *parser) addresses(h rawHeader, name, hint string) []Address {
	var out []Address
	for _, v := range h.values(name) {
		left := p.lim.MaxAddresses - len(out)
		as, cut := parseAddressList(decodeHeaderBytes(v, hint), left)
		out = append(out, as...)
		if cut || len(out) >= p.lim.MaxAddresses {
			if cut {
				p.problem("too many addresses")
			}
			break
		}
	}
	return out
}

// parseMessageID returns the first <...> of v with white space removed, or v
// in brackets when it is a bare id-left@id-right; "" for anything else.
func parseMessageID(v string) string {
	v = removeBlanks(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j <= 1 || j+1 > maxIDLen {
			return ""
		}
		return v[i : i+j+1]
	}
	if v == "" || len(v) > maxIDLen || !strings.Contains(v, "@") || strings.ContainsAny(v, "<>") {
		return ""
	}
	return "<" + v + ">"
}

// msgIDList picks every <...@...> token of v (RFC 5322 3.6.4, leniently:
// any text around and between the ids is ignored). A lone bare id is
// accepted too.
func msgIDList(v string) []string {
	var ids []string
	rest := v
	for {
		j := strings.IndexByte(rest, '>')
		if j < 0 {
			break
		}
		i := strings.LastIndexByte(rest[:j], '<')
		id := ""
		if i >= 0 {
			id = removeBlanks(rest[i : j+1])
		}
		rest = rest[j+1:]
		if len(id) > 2 && strings.Contains(id, "@") && len(id) <= maxIDLen {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && !strings.ContainsAny(v, "<>") {
		if f := strings.Fields(v); len(f) == 1 && strings.Contains(f[0], "@") {
			ids = append(ids, parseMessageID(f[0]))
		}
	}
	return ids
}

// capRefs removes repeated ids and keeps the first and the last
// maxReferences-1 (the root and the nearest ancestors matter for threading).
func capRefs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > maxReferences {
		out = append(out[:1], out[len(out)-(maxReferences-1):]...)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// removeBlanks drops white space and control characters.
func removeBlanks(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
