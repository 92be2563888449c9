package extract

import (
	"errors"
	"strconv"
)

// This file holds a small reader of PDF object syntax (ISO 32000-1 7.2 and
// 7.3). It is not used to extract text: vetPDF uses it to look at the
// cross-reference data and object streams before the PDF library does, so it
// follows the library's own lexer (ledongthuc/pdf lex.go) wherever the two
// could disagree on what a byte means.

// maxLexDepth bounds the nesting of arrays and dictionaries read here; the
// structures vetPDF reads are flat, so real files never come near it.
const maxLexDepth = 32

// errLexEOF is returned when the data ends inside a token or an object.
var errLexEOF = errors.New("unexpected end of data")

type (
	pdfName    string // /Name, without the slash
	pdfKeyword string // obj, R, stream, <<, [, and other bare words
	pdfRef     struct {
		id  uint32
		gen uint16
	}
	pdfDict  map[pdfName]any
	pdfArray []any
)

// lexer reads PDF tokens from b starting at pos.
type lexer struct {
	b   []byte
	pos int
}

// isPDFSpace and isPDFDelim are the library's isSpace and isDelim.
func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isPDFDelim(c byte) bool {
	switch c {
	case '<', '>', '(', ')', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skip moves past white space and comments.
func (l *lexer) skip() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\r' && l.b[l.pos] != '\n' {
				l.pos++
			}
		default:
			return
		}
	}
}

// token returns the next token: int64, float64, bool, string (a PDF string),
// pdfName or pdfKeyword.
func (l *lexer) token() (any, error) {
	l.skip()
	if l.pos >= len(l.b) {
		return nil, errLexEOF
	}
	c := l.b[l.pos]
	l.pos++
	switch c {
	case '<':
		if l.pos < len(l.b) && l.b[l.pos] == '<' {
			l.pos++
			return pdfKeyword("<<"), nil
		}
		return l.hexString()
	case '>':
		if l.pos < len(l.b) && l.b[l.pos] == '>' {
			l.pos++
			return pdfKeyword(">>"), nil
		}
		return nil, errors.New("unexpected '>'")
	case '(':
		return l.literalString()
	case '[', ']', '{', '}':
		return pdfKeyword(c), nil
	case '/':
		return l.name()
	}
	if isPDFDelim(c) {
		return nil, errors.New("unexpected delimiter " + strconv.QuoteRune(rune(c)))
	}
	l.pos--
	return l.keyword()
}

func unhexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// nextNonSpace returns the next byte that is not white space.
func (l *lexer) nextNonSpace() (byte, bool) {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if !isPDFSpace(c) {
			return c, true
		}
	}
	return 0, false
}

// hexString reads <...> as the library does: digits in pairs, white space
// ignored, '>' ends the string only where a pair would start.
func (l *lexer) hexString() (any, error) {
	var out []byte
	for {
		c, ok := l.nextNonSpace()
		if !ok {
			return nil, errLexEOF
		}
		if c == '>' {
			return string(out), nil
		}
		c2, ok := l.nextNonSpace()
		if !ok {
			return nil, errLexEOF
		}
		hi, lo := unhexDigit(c), unhexDigit(c2)
		if hi < 0 || lo < 0 {
			return nil, errors.New("malformed hex string")
		}
		out = append(out, byte(hi<<4|lo))
	}
}

// literalString reads (...) with nested parentheses and escapes
// (ISO 32000-1 7.3.4.2).
func (l *lexer) literalString() (any, error) {
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return string(out), nil
			}
		case '\\':
			if l.pos >= len(l.b) {
				return nil, errLexEOF
			}
			e := l.b[l.pos]
			l.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '(', ')', '\\':
				c = e
			case '\r':
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e < '0' || e > '7' {
					return nil, errors.New("invalid escape in string")
				}
				x := int(e - '0')
				for i := 0; i < 2 && l.pos < len(l.b) && '0' <= l.b[l.pos] && l.b[l.pos] <= '7'; i++ {
					x = x*8 + int(l.b[l.pos]-'0')
					l.pos++
				}
				if x > 255 {
					return nil, errors.New("invalid octal escape in string")
				}
				c = byte(x)
			}
		}
		out = append(out, c)
	}
	return nil, errLexEOF
}

func (l *lexer) name() (any, error) {
	var out []byte
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isPDFDelim(c) || isPDFSpace(c) {
			break
		}
		l.pos++
		if c == '#' {
			if l.pos+2 > len(l.b) {
				return nil, errLexEOF
			}
			hi, lo := unhexDigit(l.b[l.pos]), unhexDigit(l.b[l.pos+1])
			if hi < 0 || lo < 0 {
				return nil, errors.New("malformed name")
			}
			l.pos += 2
			c = byte(hi<<4 | lo)
		}
		out = append(out, c)
	}
	return pdfName(out), nil
}

// keyword reads a bare word and classifies it as the library does.
func (l *lexer) keyword() (any, error) {
	start := l.pos
	for l.pos < len(l.b) && !isPDFDelim(l.b[l.pos]) && !isPDFSpace(l.b[l.pos]) {
		l.pos++
	}
	s := string(l.b[start:l.pos])
	switch {
	case s == "true":
		return true, nil
	case s == "false":
		return false, nil
	case isPDFInteger(s):
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errors.New("invalid integer")
		}
		return x, nil
	case isPDFReal(s):
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("invalid real")
		}
		return x, nil
	}
	return pdfKeyword(s), nil
}

func isPDFInteger(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPDFReal(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			dots++
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return s != "" && dots == 1
}

// object reads one object. Like the library, "a b R" is a reference; an
// indirect definition ("a b obj") is read by indirect, not here.
func (l *lexer) object(depth int) (any, error) {
	if depth > maxLexDepth {
		return nil, errors.New("objects nested too deeply")
	}
	tok, err := l.token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case pdfKeyword("<<"):
		return l.dict(depth)
	case pdfKeyword("["):
		return l.array(depth)
	case pdfKeyword("null"):
		return nil, nil
	}
	if id, ok := tok.(int64); ok && int64(uint32(id)) == id {
		save := l.pos
		if gen, err := l.token(); err == nil {
			if g, ok := gen.(int64); ok && int64(uint16(g)) == g {
				if r, err := l.token(); err == nil && r == pdfKeyword("R") {
					return pdfRef{uint32(id), uint16(g)}, nil
				}
			}
		}
		l.pos = save
	}
	return tok, nil
}

func (l *lexer) array(depth int) (any, error) {
	var a pdfArray
	for {
		l.skip()
		if l.pos < len(l.b) && l.b[l.pos] == ']' {
			l.pos++
			return a, nil
		}
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
}

func (l *lexer) dict(depth int) (any, error) {
	d := pdfDict{}
	for {
		tok, err := l.token()
		if err != nil {
			return nil, err
		}
		if tok == pdfKeyword(">>") {
			return d, nil
		}
		k, ok := tok.(pdfName)
		if !ok {
			return nil, errors.New("dictionary key is not a name")
		}
		v, err := l.object(depth + 1)
		if err != nil {
			return nil, err
		}
		d[k] = v
	}
}

// indirect reads "id gen obj <object>" at the lexer's position. When the
// object is a dictionary followed by "stream", streamAt is the offset of the
// stream's first data byte, found as the library finds it; otherwise -1.
func (l *lexer) indirect() (ref pdfRef, obj any, streamAt int, err error) {
	streamAt = -1
	id, err := l.token()
	if err != nil {
		return ref, nil, streamAt, err
	}
	gen, err := l.token()
	if err != nil {
		return ref, nil, streamAt, err
	}
	kw, err := l.token()
	if err != nil {
		return ref, nil, streamAt, err
	}
	i, ok1 := id.(int64)
	g, ok2 := gen.(int64)
	if !ok1 || !ok2 || kw != pdfKeyword("obj") || int64(uint32(i)) != i || int64(uint16(g)) != g {
		return ref, nil, streamAt, errors.New("no object definition")
	}
	ref = pdfRef{uint32(i), uint16(g)}
	if obj, err = l.object(0); err != nil {
		return ref, nil, streamAt, err
	}
	if _, isDict := obj.(pdfDict); !isDict {
		return ref, obj, streamAt, nil
	}
	save := l.pos
	if tok, err := l.token(); err != nil || tok != pdfKeyword("stream") {
		l.pos = save
		return ref, obj, streamAt, nil
	}
	// ISO 32000-1 7.3.8.1: "stream" is followed by CRLF or LF; the library
	// also takes a lone CR.
	switch {
	case l.pos < len(l.b) && l.b[l.pos] == '\n':
		l.pos++
	case l.pos < len(l.b) && l.b[l.pos] == '\r':
		l.pos++
		if l.pos < len(l.b) && l.b[l.pos] == '\n' {
			l.pos++
		}
	default:
		return ref, nil, streamAt, errors.New("stream keyword not followed by newline")
	}
	return ref, obj, l.pos, nil
}
