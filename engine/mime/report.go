package mime

import (
	"bytes"
	"strings"
)

const maxStatusBlocks = 1000 // per-recipient blocks read from one status part

// isStatusPart reports whether n holds machine-readable report fields:
// RFC 3464 delivery status, RFC 8098 disposition notification (MDN) or RFC
// 5965 feedback report (ARF), also in their RFC 6533 global forms.
func isStatusPart(n *node) bool {
	switch n.mediaType {
	case "message/delivery-status", "message/global-delivery-status",
		"message/disposition-notification", "message/global-disposition-notification",
		"message/feedback-report":
		return true
	}
	return false
}

// isReturnedHeaders reports whether n holds the returned message or its
// header (RFC 6522 3, RFC 3462).
func isReturnedHeaders(n *node) bool {
	switch n.mediaType {
	case "text/rfc822-headers", "message/rfc822-headers", "message/global-headers":
		return true
	}
	return n.isMessage()
}

// outerNodes lists the nodes of the message itself, not of messages it
// encapsulates, in document order.
func outerNodes(root *node) []*node {
	var out []*node
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, n)
		for i := len(n.children) - 1; i >= 0; i-- {
			stack = append(stack, n.children[i])
		}
	}
	return out
}

// report reads a delivery report (MAIL-05): the first multipart/report, or
// failing that a message that carries a delivery-status part anyway. A
// forwarded bounce inside a message/rfc822 is not this message's report.
func (p *parser) report(root *node) *Report {
	var scope *node
	for _, n := range outerNodes(root) {
		if n.mediaType == "multipart/report" || n.declared == "multipart/report" {
			scope = n
			break
		}
	}
	nodes := outerNodes(root)
	if scope != nil {
		nodes = outerNodes(scope)
	} else if !hasStatusPart(nodes) {
		return nil
	}
	r := &Report{}
	seen := map[string]bool{}
	for _, n := range nodes {
		switch {
		case isStatusPart(n):
			p.readStatus(r, n.data, seen)
		case isReturnedHeaders(n) && r.OriginalMessageID == "":
			r.OriginalMessageID = returnedMessageID(n, p.lim)
		}
	}
	if scope != nil && scope.declared != "" {
		p.statusFromText(r, scope.data, seen) // a report whose boundaries were lost
	}
	if r.OriginalMessageID == "" {
		r.OriginalMessageID = idInText(nodes)
	}
	return r
}

func hasStatusPart(nodes []*node) bool {
	for _, n := range nodes {
		if isStatusPart(n) {
			return true
		}
	}
	return false
}

// readStatus reads the field blocks of a status part (RFC 3464 2.1): the
// per-message block, then one block per recipient.
func (p *parser) readStatus(r *Report, data []byte, seen map[string]bool) {
	for _, h := range statusBlocks(data, p.lim) {
		for _, name := range []string{"Final-Recipient", "Original-Recipient", "Original-Rcpt-To"} {
			for _, v := range h.values(name) {
				a := statusAddress(v)
				if a != "" && !seen[a] && len(r.Recipients) < p.lim.MaxAddresses {
					seen[a] = true
					r.Recipients = append(r.Recipients, a)
				}
			}
		}
		if r.OriginalMessageID == "" {
			r.OriginalMessageID = parseMessageID(h.get("Original-Message-ID"))
		}
		if r.Action == "" && r.Status == "" && (h.has("Action") || h.has("Status")) {
			r.Action = strings.ToLower(cleanLine(h.get("Action")))
			r.Status = firstWord(h.get("Status"))
			r.Diagnostic = cleanLine(decodeHeaderBytes(h.get("Diagnostic-Code"), ""))
		}
		if r.Action == "" {
			if d := h.get("Disposition"); d != "" { // MDN: "manual-action/MDN-sent-manually; displayed"
				_, after, _ := strings.Cut(d, ";")
				r.Action = strings.ToLower(cleanLine(after))
			} else if f := h.get("Feedback-Type"); f != "" { // ARF
				r.Action = strings.ToLower(cleanLine(f))
			}
		}
	}
}

// statusFromText reads the report fields of a report that arrived as one
// text: the status blocks start at the first "Reporting-MTA:" or
// "Final-Recipient:" line, and the returned header at the "Message-ID:" line
// after them.
func (p *parser) statusFromText(r *Report, data []byte, seen map[string]bool) {
	lower := bytes.ToLower(data)
	start := -1
	for _, key := range []string{"\nreporting-mta:", "\nfinal-recipient:"} {
		if i := bytes.Index(lower, []byte(key)); i >= 0 && (start < 0 || i < start) {
			start = i + 1
		}
	}
	if start < 0 {
		return
	}
	p.readStatus(r, data[start:], seen)
	if r.OriginalMessageID != "" {
		return
	}
	if i := bytes.Index(lower[start:], []byte("\nmessage-id:")); i >= 0 {
		line, _ := nextLine(data, start+i+len("\nmessage-id:"))
		r.OriginalMessageID = parseMessageID(string(line))
	}
}

// statusBlocks splits data into its blank-line separated field blocks.
func statusBlocks(data []byte, lim Limits) []rawHeader {
	var blocks []rawHeader
	for len(data) > 0 && len(blocks) < maxStatusBlocks {
		h := splitHeader(data, lim, true)
		if h.found {
			blocks = append(blocks, h.fields)
			if len(h.body) >= len(data) {
				break
			}
			data = h.body
			continue
		}
		_, next := nextLine(data, skipPreamble(data))
		data = data[next:]
	}
	return blocks
}

// statusAddress reads "rfc822; user@example.org" (RFC 3464 2.3.2).
func statusAddress(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	v = strings.ToLower(strings.Trim(removeBlanks(v), "<>"))
	if !strings.Contains(v, "@") {
		return ""
	}
	return v
}

func firstWord(v string) string {
	if f := strings.Fields(v); len(f) > 0 {
		return f[0]
	}
	return ""
}

// returnedMessageID is the Message-ID of a returned message or header part.
func returnedMessageID(n *node, lim Limits) string {
	if n.inner != nil {
		return parseMessageID(n.inner.header.get("Message-ID"))
	}
	return parseMessageID(splitHeader(n.data, lim, true).fields.get("Message-ID"))
}

// idInText finds a "Message-ID:" line in the text parts of a report after
// the first, for MTAs that return the header as text/plain, and in status
// parts, which swallow the returned header when its boundary is broken.
func idInText(nodes []*node) string {
	first := true
	for _, n := range nodes {
		if n.isMultipart() || !strings.HasPrefix(n.mediaType, "text/") && !isStatusPart(n) {
			continue
		}
		if isStatusPart(n) {
			first = false
		}
		if first {
			first = false
			continue
		}
		lower := bytes.ToLower(n.data)
		for _, key := range []string{"\nmessage-id:", "\nmessage-id :"} {
			if i := bytes.Index(lower, []byte(key)); i >= 0 {
				line, _ := nextLine(n.data, i+len(key))
				if id := parseMessageID(string(line)); id != "" {
					return id
				}
			}
		}
	}
	return ""
}
