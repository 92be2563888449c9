package mime

import (
	"strings"
	"unicode"
)

const maxWordInput = 64 << 10 // header text given to the RFC 2047 decoder per value

// decodeWords decodes RFC 2047 encoded words in s (XSS-02: the result is
// plain text, escaped where it is shown). It is lenient where the standard
// library's decoder gives up: unknown charsets fall back as decodeText does,
// base64 may lack padding, blanks around the encoding letter are ignored,
// and adjacent words in one charset are joined before decoding, so a
// character split across two words survives (RFC 2047 6.2 says words must
// not split characters; Japanese and Chinese mailers do). Text that decodes
// to encoded words again is decoded again, twice at most.
func decodeWords(s string) string {
	if len(s) > maxWordInput {
		s = truncateBytes(s, maxWordInput)
	}
	for round := 0; round < 3 && strings.Contains(s, "=?"); round++ {
		out := decodeWordsOnce(s)
		if out == s {
			break
		}
		s = out
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func decodeWordsOnce(s string) string {
	var out strings.Builder
	var pend []byte // bytes of adjacent words in charset pendCS
	pendCS, pending := "", false
	flush := func() {
		if pending {
			t, _ := decodeText(pend, pendCS)
			out.WriteString(t)
			pend, pending = pend[:0], false
		}
	}
	afterWord := false
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		text := s[i : i+j]
		cs, data, end := parseWord(s, i+j)
		if end <= 0 {
			flush()
			if end < 0 {
				break // no "?=" left: no word can follow
			}
			out.WriteString(s[i : i+j+2])
			i += j + 2
			afterWord = false
			continue
		}
		if !afterWord || strings.TrimSpace(text) != "" {
			flush() // RFC 2047 6.2: only blanks between two words are dropped
			out.WriteString(text)
		}
		if pending && !strings.EqualFold(cs, pendCS) {
			flush()
		}
		pend = append(pend, data...)
		pendCS, pending = cs, true
		afterWord = true
		i = end
	}
	flush()
	out.WriteString(s[i:])
	return out.String()
}

// parseWord reads the encoded word "=?charset?X?text?=" at s[start:] and
// returns its charset, its decoded bytes and where it ends. end is 0 when
// there is no word at start, and -1 when no "?=" follows at all, so that
// callers stop looking instead of scanning the rest again and again.
func parseWord(s string, start int) (charset string, data []byte, end int) {
	p := start + 2
	q := strings.IndexByte(s[p:min(len(s), p+76)], '?')
	if q <= 0 || strings.ContainsAny(s[p:p+q], " \t\r\n=") {
		return "", nil, 0
	}
	charset, _, _ = strings.Cut(s[p:p+q], "*") // RFC 2231 language suffix
	p += q + 1
	for p < len(s) && s[p] == ' ' {
		p++
	}
	if p >= len(s) {
		return "", nil, 0
	}
	enc := s[p] | 0x20
	p++
	for p < len(s) && s[p] == ' ' {
		p++
	}
	if (enc != 'q' && enc != 'b') || p >= len(s) || s[p] != '?' {
		return "", nil, 0
	}
	p++
	e := strings.Index(s[p:], "?=")
	if e < 0 {
		return "", nil, -1
	}
	payload := s[p : p+e]
	if enc == 'b' {
		data, _ = decodeBase64([]byte(payload))
	} else {
		data = decodeQWord(payload)
	}
	return charset, data, p + e + 2
}

// decodeQWord decodes the Q encoding of RFC 2047 4.2.
func decodeQWord(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s):
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
			} else {
				out = append(out, c)
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// decodeValue turns a raw header value into display text: 8-bit bytes
// decoded (hint is the part's charset), encoded words decoded, control
// characters (CR, LF, NUL, ...) replaced by a space, and trimmed (MAIL-07).
func decodeValue(raw, hint string) string {
	return cleanLine(decodeWords(decodeHeaderBytes(raw, hint)))
}

// cleanLine replaces control characters by spaces, collapses runs of white
// space and trims. The result is one line of valid UTF-8.
func cleanLine(s string) string {
	if isCleanASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r) // an invalid byte arrives as U+FFFD
	}
	return b.String()
}

// isCleanASCII reports whether s is printable ASCII without leading,
// trailing or double blanks, which cleanLine leaves as it is.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}
