package mime

import (
	"strings"
)

const (
	maxCommentBytes = 256  // comment text kept as a fallback display name
	maxWordBytes    = 1024 // one atom or quoted string, with what touches it
	maxPhraseWords  = 100  // words kept of one display name
)

// word is one atom or quoted string of a mailbox; raw keeps the quotes.
type word struct{ text, raw string }

// mailbox collects the tokens of one address while it is read.
type mailbox struct {
	words    []word
	adjacent bool // the next token touches the last word
	angle    string
	hasAngle bool
	comment  string
}

// addrParser reads an address list (RFC 5322 3.4) in one pass: nested
// comments are counted, not recursed into, and the list stops after max
// addresses (DOS-05).
type addrParser struct {
	s        string
	max      int
	nameOnly bool // keep entries that have a name but no address
	out      []Address
	pending  []word // "Doe" of `Doe, John <j@x>`: may be the start of the next name
	cut      bool
	noWords  bool // no "?=" is left, so no encoded word can start here
}

// parseAddressList parses s leniently: display names with or without
// quotes, RFC 2047 names, "addr (Name)", groups, Outlook's "[mailto:addr]",
// pipermail's "user at host", commas inside unquoted names and missing
// brackets. cut reports that addresses beyond max were dropped.
func parseAddressList(s string, max int) (out []Address, cut bool) {
	p := &addrParser{s: s, max: max}
	p.run()
	return p.out, p.cut
}

func (p *addrParser) run() {
	var mb mailbox
	s := p.s
	for i := 0; i < len(s) && !p.cut; {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			mb.adjacent = false
			i++
		case c == '"':
			text, next := readQuoted(s, i)
			mb.add(text, s[i:next])
			i = next
		case c == '(':
			text, next := readComment(s, i)
			if mb.comment == "" {
				mb.comment = text
			}
			mb.adjacent = false
			i = next
		case c == '<':
			mb.angle, i = readAngle(s, i+1, '>')
			mb.hasAngle = true
		case c == '[' && len(s)-i > 7 && strings.EqualFold(s[i+1:i+8], "mailto:"):
			mb.angle, i = readAngle(s, i+8, ']')
			mb.hasAngle = true
		case c == ',' || c == ';':
			p.finish(&mb)
			mb = mailbox{}
			i++
		case c == ':' && !mb.hasAngle:
			mb = mailbox{} // a group name (RFC 5322 3.4) or "mailto:"
			i++
		default:
			j := i
			if !p.noWords && strings.HasPrefix(s[i:], "=?") {
				switch _, _, end := parseWord(s, i); {
				case end > 0:
					j = end // an encoded word is one atom, whatever it holds
				case end < 0:
					p.noWords = true
				}
			}
			for j < len(s) && !strings.ContainsRune(" \t\r\n\"(<,;:[", rune(s[j])) {
				j++
			}
			if j == i {
				j++ // a lone '[' or ':' after an angle address
			}
			mb.add(s[i:j], s[i:j])
			i = j
		}
	}
	p.finish(&mb)
	p.flushPending()
}

func (mb *mailbox) add(text, raw string) {
	if mb.adjacent && len(mb.words) > 0 {
		w := &mb.words[len(mb.words)-1]
		if len(w.raw) < maxWordBytes { // longer words are junk; growing them is quadratic
			w.text += text
			w.raw += raw
		}
	} else if len(mb.words) < maxPhraseWords {
		mb.words = append(mb.words, word{text: text, raw: raw})
	}
	mb.adjacent = true
}

// finish turns the tokens of one mailbox into an Address.
func (p *addrParser) finish(mb *mailbox) {
	if mb.hasAngle {
		name := joinWords(mb.words)
		if len(p.pending) > 0 && name != "" {
			name = joinWords(p.pending) + ", " + name
			p.pending = nil
		}
		p.flushPending()
		if name == "" {
			name = mb.comment
		}
		p.emit(name, mb.angle)
		return
	}
	at := -1
	for i, w := range mb.words {
		if strings.Contains(w.raw, "@") {
			at = i
			break
		}
	}
	switch {
	case at >= 0:
		p.flushPending()
		rest := append(append([]word(nil), mb.words[:at]...), mb.words[at+1:]...)
		name := joinWords(rest)
		if name == "" {
			name = mb.comment
		}
		p.emit(name, mb.words[at].raw)
	case len(mb.words) == 3 && strings.EqualFold(mb.words[1].raw, "at") && strings.Contains(mb.words[2].raw, "."):
		p.flushPending()
		p.emit(mb.comment, mb.words[0].raw+"@"+mb.words[2].raw) // pipermail obfuscation
	case len(mb.words) > 0:
		p.flushPending()
		p.pending = mb.words
	}
}

// flushPending emits a held mailbox that no name followed: a single word is
// a local address (MAILER-DAEMON), more words are a name without address.
func (p *addrParser) flushPending() {
	w := p.pending
	p.pending = nil
	switch {
	case len(w) == 1 && !strings.HasPrefix(w[0].raw, `"`):
		p.emit("", w[0].raw)
	case len(w) > 0 && p.nameOnly:
		p.emit(joinWords(w), "")
	}
}

func (p *addrParser) emit(name, addr string) {
	addr = strings.ToLower(removeBlanks(addr))
	addr = strings.TrimPrefix(addr, "mailto:")
	if n := len(addr); n >= 2 && addr[0] == addr[n-1] && (addr[0] == '\'' || addr[0] == '"') {
		addr = addr[1 : n-1] // 'john@example.org' as Outlook writes it
	}
	name = cleanLine(decodeWords(name))
	name = strings.TrimSpace(strings.Trim(name, `"'`))
	if addr == "" && (!p.nameOnly || name == "") {
		return
	}
	if len(p.out) >= p.max {
		p.cut = true
		return
	}
	p.out = append(p.out, Address{Name: name, Addr: addr})
}

func joinWords(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}

// readQuoted reads a quoted-string starting at s[i] == '"'; an unterminated
// one runs to the end.
func readQuoted(s string, i int) (text string, next int) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		case '"':
			return b.String(), j + 1
		default:
			b.WriteByte(s[j])
		}
	}
	return b.String(), len(s)
}

// readComment reads a comment starting at s[i] == '(' with its nested
// comments, counting depth instead of recursing.
func readComment(s string, i int) (text string, next int) {
	depth := 0
	j := i
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			break
		}
	}
	end := min(j, len(s))
	text = s[min(i+1, end):end]
	if len(text) > maxCommentBytes {
		text = truncateBytes(text, maxCommentBytes)
	}
	return strings.TrimSpace(text), min(j+1, len(s))
}

// readAngle reads up to the closing bracket, skipping quoted strings (a
// quoted local part may hold '>').
func readAngle(s string, i int, closing byte) (addr string, next int) {
	var b strings.Builder
	for j := i; j < len(s); j++ {
		switch c := s[j]; {
		case c == closing:
			return b.String(), j + 1
		case c == '"':
			_, q := readQuoted(s, j)
			b.WriteString(s[j:q])
			j = q - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s)
}
