package mime

import (
	"bytes"
	"strings"
)

// Body roles of a leaf.
const (
	roleNone  = iota // an attachment
	roleText         // part of the text body
	roleHTML         // part of the HTML body
	roleInner        // body of an encapsulated message
	roleSkip         // an alternative not chosen
)

// node is one entity of the MIME tree (RFC 2045 2.4). Bodies are slices of
// Parse's copy of the message; only transfer decoding allocates.
type node struct {
	header    rawHeader
	body      []byte
	depth     int
	mediaType string // lower case, the RFC 2045 5.2 default when missing
	declared  string // the multipart type of a multipart read as text
	params    map[string]string
	ctRaw     string // Content-Type as written (8-bit decoded)
	disp      string // Content-Disposition type, lower case
	dparams   map[string]string
	dispRaw   string
	cte       string
	children  []*node
	inner     *node // the message inside a message/rfc822 part
	skipped   bool  // over a cap: neither split nor decoded
	data      []byte
	truncated bool
	role      int
}

func (n *node) isMultipart() bool { return strings.HasPrefix(n.mediaType, "multipart/") }

// isMessage reports whether n encapsulates a whole message (RFC 2046 5.2.1).
func (n *node) isMessage() bool {
	return n.mediaType == "message/rfc822" || n.mediaType == "message/global" ||
		n.mediaType == "message/news"
}

// buildTree splits raw into its MIME tree without recursion: a stack of
// nodes, each parsed once, so depth, part count and decoded bytes stay
// within the limits whatever the input (DOS-02). Nodes are visited in
// document order, so the parts kept under a cap are the first ones.
func (p *parser) buildTree(raw []byte) *node {
	root := p.newNode(raw, 0, "text/plain", true)
	stack := []*node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		kids := p.expand(n)
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
	return root
}

// newNode reads the header of one entity and what it says about the body.
func (p *parser) newNode(data []byte, depth int, defaultType string, top bool) *node {
	h := splitHeader(data, p.lim, top)
	if depth == 0 {
		p.rootFound = h.found
	}
	if h.tooBig {
		p.problem("header too large")
	}
	if h.tooMany {
		p.problem("too many header fields")
	}
	if h.malformed || h.noBlank {
		p.problem("malformed header")
	}
	n := &node{header: h.fields, body: h.body, depth: depth}
	n.ctRaw = decodeHeaderBytes(pickContentType(h.fields, h.body), "")
	n.mediaType, n.params = parseMediaType(n.ctRaw)
	if !strings.Contains(n.mediaType, "/") {
		if n.mediaType != "" {
			p.problem("bad content type")
		}
		n.mediaType = defaultType
	}
	n.dispRaw = decodeHeaderBytes(h.fields.get("Content-Disposition"), "")
	n.disp, n.dparams = parseMediaType(n.dispRaw)
	cte, known := normalizeCTE(h.fields.get("Content-Transfer-Encoding"))
	if !known {
		p.problem("unknown transfer encoding")
	}
	n.cte = cte
	return n
}

// maxContentTypes is how many Content-Type fields of one part are tried:
// each try scans the body.
const maxContentTypes = 3

// pickContentType returns the Content-Type field to believe. With several,
// a multipart whose boundary really delimits the body wins (senders that
// write two usually mean the multipart one); otherwise the first.
func pickContentType(h rawHeader, body []byte) string {
	cts := h.values("Content-Type")
	if len(cts) <= 1 {
		return h.get("Content-Type")
	}
	for _, ct := range cts[:min(len(cts), maxContentTypes)] {
		mt, params := parseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			if parts, _, _ := splitMultipart(body, params["boundary"], 1); len(parts) > 0 {
				return ct
			}
		}
	}
	return cts[0]
}

// expand splits a multipart, opens a message/rfc822 or decodes a leaf, and
// returns the new nodes to visit.
func (p *parser) expand(n *node) []*node {
	switch {
	case n.isMultipart():
		return p.expandMultipart(n)
	case n.isMessage():
		p.decodeLeaf(n)
		switch {
		case n.depth >= p.lim.MaxDepth:
			p.problem("nesting too deep")
			return nil
		case p.parts >= p.lim.MaxParts:
			p.problem("too many parts")
			return nil
		}
		p.parts++
		n.inner = p.newNode(n.data, n.depth+1, "text/plain", true)
		return []*node{n.inner}
	}
	p.decodeLeaf(n)
	return nil
}

// expandMultipart splits the body of a multipart node into child nodes. A
// multipart without boundary or without any delimiter line is read as text:
// mailers that send one usually mean the body.
func (p *parser) expandMultipart(n *node) []*node {
	if n.depth >= p.lim.MaxDepth {
		p.problem("nesting too deep")
		n.skipped = true
		return nil
	}
	budget := p.lim.MaxParts - p.parts
	if budget <= 0 {
		p.problem("too many parts")
		n.skipped = true
		return nil
	}
	parts, closed, cut := splitMultipart(n.body, n.params["boundary"], budget)
	if len(parts) == 0 {
		if b := guessBoundary(n.body); b != "" {
			p.problem("boundary mismatch")
			parts, closed, cut = splitMultipart(n.body, b, budget)
		}
	}
	if len(parts) == 0 {
		if len(bytes.TrimSpace(n.body)) > 0 {
			p.problem("multipart without parts")
		}
		// RFC 2045 6.4: a multipart is never transfer-encoded.
		n.declared, n.mediaType, n.cte = n.mediaType, "text/plain", cteIdentity
		p.decodeLeaf(n)
		return nil
	}
	if cut {
		p.problem("too many parts")
	} else if !closed {
		p.problem("missing final boundary")
	}
	def := "text/plain"
	if n.mediaType == "multipart/digest" {
		def = "message/rfc822" // RFC 2046 5.1.5
	}
	for _, b := range parts {
		p.parts++
		n.children = append(n.children, p.newNode(b, n.depth+1, def, false))
	}
	return n.children
}

// splitMultipart returns the bodies between the delimiter lines of boundary
// (RFC 2046 5.1.1), at most max of them. It tolerates blanks before and
// after a delimiter, a close delimiter with one dash or junk after it, and a
// missing close delimiter (closed is then false). The preamble and epilogue
// are dropped. cut reports that parts beyond max were left out. The scan is
// linear: every candidate is checked once.
func splitMultipart(body []byte, boundary string, max int) (parts [][]byte, closed, cut bool) {
	if boundary == "" || max <= 0 {
		return nil, false, false
	}
	delim := []byte("--" + boundary)
	start := -1 // where the current part's body starts
	for pos := 0; pos < len(body); {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		lineStart := i
		for lineStart > 0 && (body[lineStart-1] == ' ' || body[lineStart-1] == '\t') {
			lineStart--
		}
		if lineStart > 0 && body[lineStart-1] != '\n' {
			pos = i + 1 // not at a line start: checked without reading the line
			continue
		}
		rest, next := nextLine(body, i+len(delim))
		kind := delimiterKind(rest)
		if kind == 0 {
			pos = i + 1
			continue
		}
		if start >= 0 {
			if len(parts) == max {
				return parts, false, true
			}
			parts = append(parts, trimLineBreak(body[start:lineStart]))
		}
		if kind == 2 {
			return parts, true, false
		}
		start, pos = next, next
	}
	if start >= 0 {
		if len(parts) == max {
			return parts, false, true
		}
		parts = append(parts, body[start:])
	}
	return parts, false, false
}

// guessBoundary finds the boundary a multipart really uses when the declared
// one never occurs: the first "--token" line followed by a Content- field.
// Only the first 64 KiB are searched.
func guessBoundary(body []byte) string {
	body = body[:min(len(body), 64<<10)]
	for pos := 0; pos < len(body); {
		line, next := nextLine(body, pos)
		pos = next
		if len(line) < 4 || !bytes.HasPrefix(line, []byte("--")) || bytes.ContainsAny(line, " \t") {
			continue
		}
		following, _ := nextLine(body, next)
		if len(following) > 8 && bytes.EqualFold(following[:8], []byte("content-")) {
			return string(bytes.TrimSuffix(line[2:], []byte("--")))
		}
	}
	return ""
}

// delimiterKind classifies what follows "--boundary" on its line: 1 for a
// delimiter, 2 for the close delimiter, 0 when it is another boundary that
// merely starts the same way.
func delimiterKind(rest []byte) int {
	t := bytes.TrimRight(rest, " \t\r")
	switch {
	case len(t) == 0:
		return 1
	case bytes.HasPrefix(t, []byte("--")) || bytes.Equal(t, []byte("-")):
		return 2
	}
	return 0
}

// trimLineBreak removes the line break before a delimiter, which belongs to
// the delimiter (RFC 2046 5.1.1).
func trimLineBreak(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// decodeLeaf undoes the transfer encoding of n within what is left of
// MaxDecodedBytes; over it the part keeps what fits and is marked truncated.
// A part without transfer encoding is a slice of Parse's private copy of
// the message and costs nothing.
func (p *parser) decodeLeaf(n *node) {
	if n.cte == cteIdentity {
		n.data = n.body
		return
	}
	left := p.lim.MaxDecodedBytes - p.decoded
	body := n.body
	if left <= 0 {
		if len(body) > 0 {
			n.truncated = true
			p.problem("decoded size limit reached")
		}
		return
	}
	maxIn := left
	if n.cte == cteBase64 {
		maxIn = left/3*4 + 4
	}
	if int64(len(body)) > maxIn {
		body = body[:maxIn]
		n.truncated = true
		p.problem("decoded size limit reached")
	}
	data, damaged := decodeTransfer(n.cte, body)
	if int64(len(data)) > left {
		data = data[:left]
		n.truncated = true
	}
	if damaged {
		p.problem("bad " + n.cte + " data")
	}
	n.data = data
	p.decoded += int64(len(data))
}
