package mime

import (
	"strconv"
	"strings"
	"unicode"
)

// body fills Text, HTML and Attachments from the tree.
func (p *parser) body(root *node) {
	m := p.msg
	texts, htmls := bodyOf(root)
	mark(texts, roleText)
	mark(htmls, roleHTML)
	markInner(root)
	markAlternatives(root)
	m.Text, m.HTML = p.render(texts, htmls)
	cids := cidRefs(m.HTML)
	p.collectAttachments(root, cids)
}

func mark(ns []*node, role int) {
	for _, n := range ns {
		n.role = role
	}
}

// markInner marks the body leaves of every encapsulated message, which are
// its text and not attachments of the outer message.
func markInner(root *node) {
	walk(root, func(n *node) {
		if n.inner != nil {
			t, h := bodyOf(n.inner)
			mark(t, roleInner)
			mark(h, roleInner)
		}
	})
}

// markAlternatives marks the text and HTML alternatives not chosen as the
// body: they are the same content again, not attachments.
func markAlternatives(root *node) {
	walk(root, func(n *node) {
		if n.mediaType != "multipart/alternative" {
			return
		}
		walk(n, func(c *node) {
			if c.role == roleNone && !c.isMultipart() && !c.isMessage() && isBodyLeaf(c) {
				c.role = roleSkip
			}
		})
	})
}

// walk calls f for every node in document order, without recursion.
func walk(root *node, f func(*node)) {
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		f(n)
		if n.inner != nil {
			stack = append(stack, n.inner)
		}
		for i := len(n.children) - 1; i >= 0; i-- {
			stack = append(stack, n.children[i])
		}
	}
}

// bodyOf returns the leaves that make up the text and HTML body of n (RFC
// 2046 5.1.3-5.1.4, RFC 2387): the preferred alternative of each kind, the
// root of a multipart/related, the first part of a report or a signed
// message, and every inline text part of a mixed multipart. Encapsulated
// messages are never the body. Depth is bounded by MaxDepth.
func bodyOf(n *node) (texts, htmls []*node) {
	if n.skipped || n.isMessage() {
		return nil, nil
	}
	if !n.isMultipart() {
		switch {
		case !isBodyLeaf(n):
		case n.mediaType == "text/html":
			htmls = append(htmls, n)
		default:
			texts = append(texts, n)
		}
		return texts, htmls
	}
	if len(n.children) == 0 {
		return nil, nil
	}
	switch n.mediaType {
	case "multipart/alternative":
		// The last alternative is the preferred one (RFC 2046 5.1.4).
		for i := len(n.children) - 1; i >= 0 && (texts == nil || htmls == nil); i-- {
			t, h := bodyOf(n.children[i])
			if texts == nil && len(t) > 0 {
				texts = t
			}
			if htmls == nil && len(h) > 0 {
				htmls = h
			}
		}
		return texts, htmls
	case "multipart/related":
		return bodyOf(relatedRoot(n))
	case "multipart/report", "multipart/signed":
		return bodyOf(n.children[0])
	case "multipart/encrypted":
		return nil, nil
	}
	for _, c := range n.children {
		t, h := bodyOf(c)
		texts = append(texts, t...)
		htmls = append(htmls, h...)
	}
	return texts, htmls
}

// relatedRoot is the part named by the start parameter, else the first
// (RFC 2387 3.2).
func relatedRoot(n *node) *node {
	if start := strings.Trim(n.params["start"], "<> "); start != "" {
		for _, c := range n.children {
			if strings.EqualFold(contentID(c), start) {
				return c
			}
		}
	}
	return n.children[0]
}

// isBodyLeaf reports whether a leaf is body text rather than a file: plain
// or HTML text that is not marked as an attachment and carries no name.
func isBodyLeaf(n *node) bool {
	if n.mediaType != "text/plain" && n.mediaType != "text/html" {
		return false
	}
	if n.disp == "attachment" {
		return false
	}
	return n.dparams["filename"] == "" && n.params["name"] == ""
}

func contentID(n *node) string {
	return strings.Trim(removeBlanks(n.header.get("Content-ID")), "<>")
}

// render decodes the body leaves to text and sanitized HTML (XSS-10: decode
// to UTF-8 first, sanitize second). Text comes from the plain parts, or from
// the HTML when they are empty; HTML over MaxHTMLBytes is dropped (DOS-07).
func (p *parser) render(texts, htmls []*node) (text, html string) {
	text = p.joinText(texts)
	if len(htmls) == 0 {
		return text, ""
	}
	var b strings.Builder
	for _, n := range htmls {
		s, prob := decodeText(n.data, htmlCharset(n))
		if prob != "" {
			p.problem(prob)
		}
		b.WriteString(s)
	}
	raw := b.String()
	if len(raw) > p.lim.MaxHTMLBytes {
		p.problem("html too large")
		if strings.TrimSpace(text) == "" {
			text = cleanText(htmlToText(truncateBytes(raw, p.lim.MaxHTMLBytes)))
		}
		return text, ""
	}
	html = sanitizeHTML(raw)
	if strings.TrimSpace(text) == "" {
		text = cleanText(htmlToText(html))
	}
	return text, html
}

// joinText decodes the plain text leaves and joins them.
func (p *parser) joinText(texts []*node) string {
	var parts []string
	for _, n := range texts {
		s, prob := decodeText(n.data, n.params["charset"])
		if prob != "" {
			p.problem(prob)
		}
		if s = cleanText(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// cleanText makes decoded text uniform: LF line ends, no control characters
// but tab and newline, no blank lines at either end.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r':
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
	s = strings.TrimRight(s, " \t\n")
	return strings.TrimLeft(strings.TrimLeft(s, "\n"), "\n")
}

// htmlCharset is the MIME charset, else one declared in a <meta> tag.
func htmlCharset(n *node) string {
	if cs := n.params["charset"]; cs != "" {
		return cs
	}
	head := strings.ToLower(string(n.data[:min(len(n.data), 2048)]))
	i := strings.Index(head, "charset=")
	if i < 0 {
		return ""
	}
	cs := strings.TrimLeft(head[i+len("charset="):], `"' `)
	end := strings.IndexAny(cs, `"'; />`)
	if end < 0 {
		return ""
	}
	return cs[:end]
}

// collectAttachments lists every leaf that is not body text, and every
// encapsulated message, in document order.
func (p *parser) collectAttachments(root *node, cids map[string]bool) {
	m := p.msg
	walk(root, func(n *node) {
		if n.isMultipart() || n.role != roleNone {
			return // containers, skipped or not, and body text
		}
		a := Attachment{
			ContentType: n.mediaType,
			ContentID:   contentID(n),
			Data:        n.data,
			Truncated:   n.truncated,
		}
		a.Inline = n.disp == "inline" || (a.ContentID != "" && cids[strings.ToLower(a.ContentID)])
		a.Name = cleanFileName(decodeWords(n.dparams["filename"]))
		if a.Name == "" {
			a.Name = cleanFileName(decodeWords(n.params["name"]))
		}
		if a.Name == "" {
			a.Name = "attachment-" + strconv.Itoa(len(m.Attachments)+1) + extensionFor(n.mediaType)
		}
		m.Attachments = append(m.Attachments, a)
	})
}
