package mime

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxParamSegments = 1000 // RFC 2231 continuations read (DOS-05)
	maxFileNameBytes = 255
)

// parseMediaType parses a Content-Type or Content-Disposition value in one
// linear pass: the type is the first token, lower case, "" when it is not
// type/subtype; parameters follow, separated by ';' (or only by blanks when
// the ';' is missing), quoted or not, first one wins; RFC 2231 forms
// (name*=charset'lang'%XX, name*0=...) are assembled and decoded and win
// over the plain form.
func parseMediaType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	end := strings.IndexAny(v, "; \t")
	if end < 0 {
		end = len(v)
	}
	mt := cleanMediaType(v[:end])
	params := map[string]string{}
	var ext []param
	for _, p := range splitParams(v[end:]) {
		if strings.Contains(p.name, "*") {
			ext = append(ext, p)
			continue
		}
		if _, dup := params[p.name]; !dup {
			params[p.name] = p.value
		}
	}
	for name, val := range assembleRFC2231(ext) {
		params[name] = val
	}
	return mt, params
}

// cleanMediaType lower-cases a type/subtype token and repairs the common
// damage: quotes, a missing subtype ("text/"), a third segment.
func cleanMediaType(t string) string {
	t = strings.ToLower(strings.Trim(t, `"' `))
	typ, sub, ok := strings.Cut(t, "/")
	if !isToken(typ) {
		return ""
	}
	if !ok {
		return typ // a disposition type, or a type without subtype
	}
	sub, _, _ = strings.Cut(sub, "/")
	if sub == "" || !isToken(sub) {
		switch typ {
		case "text":
			sub = "plain"
		case "multipart":
			sub = "mixed"
		default:
			return "application/octet-stream"
		}
	}
	return typ + "/" + sub
}

// isToken reports whether s is an RFC 2045 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// param is one "name=value" of a header value, the value unquoted.
type param struct{ name, value string }

// splitParams splits the parameters of a header value (what follows the
// type). It is linear and forgiving: separators may be ';' or blanks,
// quotes may be missing at either end, and an unquoted value runs to the
// next ';' or to a blank followed by another name=.
func splitParams(v string) []param {
	var ps []param
	rest := v
	for rest != "" && len(ps) < 4*maxParamSegments {
		rest = strings.TrimLeft(rest, " \t\r\n;")
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			break
		}
		name := strings.ToLower(strings.TrimSpace(rest[:eq]))
		if i := strings.LastIndexAny(name, "; \t"); i >= 0 {
			name = strings.TrimSpace(name[i+1:]) // junk before the name
		}
		var val string
		val, rest = paramValue(strings.TrimLeft(rest[eq+1:], " \t"))
		if name != "" && isToken(strings.ReplaceAll(name, "*", "x")) {
			ps = append(ps, param{name: name, value: val})
		}
	}
	return ps
}

// paramValue reads a quoted-string or token at the start of s and returns it
// with the rest of s.
func paramValue(s string) (val, rest string) {
	if !strings.HasPrefix(s, `"`) {
		end := len(s)
		if i := strings.IndexByte(s, ';'); i >= 0 {
			end = i
		}
		val = s[:end]
		if i := nextParamStart(val); i > 0 {
			end = i
			val = s[:i]
		}
		return strings.TrimSpace(val), s[end:]
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			// Only \" and \\ are taken as escapes: Windows paths arrive
			// unescaped and their separators must survive for cleanFileName.
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				i++
			}
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// nextParamStart finds " name=" inside an unquoted value, where a ';' was
// left out; 0 when there is none.
func nextParamStart(v string) int {
	for i := 1; i < len(v); i++ {
		if v[i] != ' ' && v[i] != '\t' {
			continue
		}
		j := i + 1
		for j < len(v) && (isTokenByte(v[j])) {
			j++
		}
		if j > i+1 && j < len(v) && v[j] == '=' {
			return i
		}
	}
	return 0
}

func isTokenByte(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte(`()<>@,;:\"/[]?=`, c) < 0
}

// assembleRFC2231 joins and decodes RFC 2231 parameters:
// "name*=charset'lang'%XX" and "name*0*=...; name*1=...". The charset of the
// first segment applies; an unknown one falls back as decodeText does.
func assembleRFC2231(ps []param) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	type segment struct {
		value string
		enc   bool // percent-encoded
	}
	segs := map[string]map[int]segment{}
	for _, p := range ps {
		base, rest, _ := strings.Cut(p.name, "*")
		enc := strings.HasSuffix(rest, "*") || rest == ""
		rest = strings.TrimSuffix(rest, "*")
		idx := 0
		if rest != "" {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n >= maxParamSegments {
				continue
			}
			idx = n
		}
		if segs[base] == nil {
			segs[base] = map[int]segment{}
		}
		if _, dup := segs[base][idx]; !dup {
			segs[base][idx] = segment{value: p.value, enc: enc}
		}
	}
	out := map[string]string{}
	for base, m := range segs {
		var buf []byte
		charset := ""
		for i := 0; i < maxParamSegments; i++ {
			s, ok := m[i]
			if !ok {
				break
			}
			v := s.value
			if s.enc {
				if i == 0 {
					if parts := strings.SplitN(v, "'", 3); len(parts) == 3 {
						charset, v = parts[0], parts[2]
					}
				}
				buf = append(buf, percentDecode(v)...)
			} else {
				buf = append(buf, v...)
			}
		}
		if len(buf) > 0 {
			out[base], _ = decodeText(buf, charset)
		}
	}
	return out
}

// percentDecode undoes RFC 2231 %XX escapes; a bad escape stays as it is.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}

// cleanFileName keeps the last path component of name, removes control and
// format characters (bidi overrides, XSS-02), leading dots and trailing dots
// and blanks, replaces the characters Windows forbids (<>:"|?*) by '_', and
// cuts it to 255 bytes keeping the extension.
func cleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		if unicode.IsSpace(r) {
			return ' '
		}
		if strings.ContainsRune(`<>:"|?*`, r) {
			return '_' // not allowed in Windows names; never markup
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	name = strings.TrimRight(name, ". ")
	if len(name) > maxFileNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		name = truncateBytes(name, maxFileNameBytes-len(ext)) + ext
	}
	return name
}

// truncateBytes cuts s to at most n bytes without splitting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// extensionFor gives a file name extension for a media type, for parts
// without a name. A fixed table keeps names the same on every machine (the
// standard library's table depends on the system's mime.types).
func extensionFor(mediaType string) string {
	switch mediaType {
	case "text/plain", "text/rfc822-headers", "message/delivery-status",
		"message/disposition-notification", "message/feedback-report", "message/rfc822-headers":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/calendar":
		return ".ics"
	case "text/csv":
		return ".csv"
	case "text/xml", "application/xml":
		return ".xml"
	case "message/rfc822", "message/global":
		return ".eml"
	case "image/png":
		return ".png"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/svg+xml":
		return ".svg"
	case "image/webp":
		return ".webp"
	case "application/pdf":
		return ".pdf"
	case "application/zip":
		return ".zip"
	case "application/gzip", "application/x-gzip":
		return ".gz"
	case "application/json":
		return ".json"
	case "application/pgp-signature":
		return ".asc"
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
		return ".p7s"
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return ".dat"
	}
	if strings.HasPrefix(mediaType, "text/") {
		return ".txt"
	}
	return ".bin"
}
