package mime

import (
	"bytes"
	"strings"
)

// Transfer encodings after normalizeCTE (RFC 2045 6).
const (
	cteIdentity = "identity" // 7bit, 8bit, binary and unknown values
	cteBase64   = "base64"
	cteQP       = "quoted-printable"
	cteUU       = "uuencode"
)

// normalizeCTE maps a Content-Transfer-Encoding value as found in real mail
// ("7-bit", "Quoted Printable", "base64;", "x-uuencode", "text/html") to one
// of the cte constants. known is false for values that mean nothing; the
// body is then taken as it is.
func normalizeCTE(v string) (cte string, known bool) {
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"';`))
	if i := strings.IndexAny(v, "; \t"); i > 0 && !strings.HasPrefix(v, "quoted") {
		v = v[:i]
	}
	switch {
	case v == "":
		return cteIdentity, true
	case strings.Contains(v, "base64"):
		return cteBase64, true
	case strings.HasPrefix(v, "quoted") || v == "qp":
		return cteQP, true
	case strings.Contains(v, "uuencode") || v == "x-uue" || v == "uue":
		return cteUU, true
	case v == "7bit" || v == "8bit" || v == "binary" || v == "7-bit" || v == "8-bit" ||
		v == "plain" || v == "none" || v == "text" || v == "us-ascii":
		return cteIdentity, true
	}
	return cteIdentity, false
}

// decodeTransfer undoes the transfer encoding of body, decoding what it can
// of damaged input. It returns whether bad input was skipped. An identity
// encoding returns body itself.
func decodeTransfer(cte string, body []byte) (out []byte, damaged bool) {
	switch cte {
	case cteBase64:
		return decodeBase64(body)
	case cteQP:
		return decodeQP(body), false
	case cteUU:
		return decodeUU(body)
	}
	return body, false
}

// base64Value maps a byte to its base64 value, -1 for white space and '='
// (skipped silently) and -2 for anything else (skipped, reported).
func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+' || c == '-':
		return 62
	case c == '/' || c == '_':
		return 63
	case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '=':
		return -1
	}
	return -2
}

// decodeBase64 decodes RFC 2045 6.8 base64 leniently: white space, padding
// in the middle and stray bytes are skipped, the URL-safe alphabet is
// accepted, and a trailing incomplete quantum yields the bytes it holds.
// Text that only claims to be base64 (more than 1 in 20 characters stray,
// or blanks between words) is returned as it is. Memory is bounded by the
// output, whatever the input holds.
func decodeBase64(in []byte) (out []byte, damaged bool) {
	out = make([]byte, 0, len(in)/4*3+3)
	var acc uint32
	n, total, bad, blanks := 0, 0, 0, 0
	for _, c := range in {
		v := base64Value(c)
		switch {
		case c == '\n':
			blanks = 0
		case c == ' ' || c == '\t':
			if n > 0 || total > 0 {
				blanks++
			}
		case v == -2:
			bad++
		}
		if v < 0 {
			continue
		}
		total++
		bad += blanks // blanks between two base64 characters of a line
		blanks = 0
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	if bad*20 > total+bad {
		return bytes.Clone(in), true
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out, bad > 0 || n == 1
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// decodeQP decodes RFC 2045 6.7 quoted-printable leniently: "=XX" in either
// case is a byte, "=" before a line break is a soft break, trailing blanks
// of a line are dropped, and any other "=" stays as it is.
func decodeQP(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for pos := 0; pos < len(in); {
		end, next := len(in), len(in)
		if i := bytes.IndexByte(in[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		crlf := end > pos && end < len(in) && in[end-1] == '\r'
		line := bytes.TrimRight(in[pos:end], " \t\r")
		soft := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != '=' {
				out = append(out, c)
				continue
			}
			if i == len(line)-1 {
				soft = true
				break
			}
			if i+2 < len(line) {
				h, ok1 := unhex(line[i+1])
				l, ok2 := unhex(line[i+2])
				if ok1 && ok2 {
					out = append(out, h<<4|l)
					i += 2
					continue
				}
			}
			out = append(out, '=')
		}
		if !soft && end < len(in) {
			if crlf {
				out = append(out, '\r')
			}
			out = append(out, '\n')
		}
		pos = next
	}
	return out
}

// decodeUU decodes a uuencoded body ("begin 644 name" ... "end"); text
// before the block is kept as it is. Bytes outside the uuencode alphabet are
// skipped and reported.
func decodeUU(in []byte) (out []byte, damaged bool) {
	if len(bytes.TrimSpace(in)) == 0 {
		return nil, false
	}
	begin := bytes.Index(in, []byte("begin "))
	if begin < 0 || (begin > 0 && in[begin-1] != '\n') {
		return bytes.Clone(in), true
	}
	out = append(out, in[:begin]...)
	_, pos := nextLine(in, begin)
	for pos < len(in) {
		line, next := nextLine(in, pos)
		pos = next
		if bytes.Equal(bytes.TrimSpace(line), []byte("end")) || len(line) == 0 {
			if len(line) != 0 {
				break
			}
			continue
		}
		var bad bool
		out, bad = decodeUULine(out, line)
		damaged = damaged || bad
	}
	return out, damaged
}

// decodeUULine appends the bytes of one uuencoded line to out.
func decodeUULine(out, line []byte) ([]byte, bool) {
	n := int((line[0] - ' ') & 63)
	var acc uint32
	k, bad := 0, false
	for _, c := range line[1:] {
		if n <= 0 {
			break
		}
		if c < ' ' || c > '`' {
			bad = true
			continue
		}
		acc = acc<<6 | uint32((c-' ')&63)
		k++
		if k < 4 {
			continue
		}
		for shift := 16; shift >= 0 && n > 0; shift -= 8 {
			out = append(out, byte(acc>>uint(shift)))
			n--
		}
		acc, k = 0, 0
	}
	return out, bad
}
