package mime

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// charsetKind says how a declared charset is decoded.
type charsetKind int

const (
	csUnknown charsetKind = iota // no label or a label nobody knows
	csUTF8                       // utf-8 and us-ascii: kept when valid
	csUTF7                       // RFC 2152, decoded by decodeUTF7
	csWide                       // UTF-16/32: not ASCII compatible
	csLegacy                     // any other x/text encoding
)

// cleanCharsetLabel undoes the damage labels suffer in real mail: quotes,
// "charset=" repeated, and the "3D" left by quoted-printable ("=3Dutf-8").
func cleanCharsetLabel(label string) string {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.Trim(l, `"' ;`)
	if i := strings.LastIndex(l, "charset="); i >= 0 {
		l = l[i+len("charset="):]
	}
	l = strings.Trim(l, `"' ;`)
	if strings.HasPrefix(l, "3d") && len(l) > 2 {
		l = strings.Trim(l[2:], `"'`)
	}
	return l
}

// lookupCharset finds the decoder for a MIME charset label: x/text's WHATWG
// index first (it maps iso-8859-1 and us-ascii to windows-1252 and gb2312 to
// GBK, as browsers do), then the IANA MIME and IANA names.
func lookupCharset(label string) (encoding.Encoding, charsetKind) {
	l := cleanCharsetLabel(label)
	switch l {
	case "":
		return nil, csUnknown
	case "utf-8", "utf8", "unicode-1-1-utf-8", "utf8mb4", "x-utf8", "us-ascii", "ascii",
		"ansi_x3.4-1968", "iso646-us", "us", "cp367", "7bit", "8bit":
		return nil, csUTF8
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-utf-7":
		return nil, csUTF7
	case "utf-16", "ucs-2", "unicode":
		// RFC 2781 4.3: big-endian unless a byte order mark says otherwise.
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), csWide
	case "utf-16be", "utf-16le":
		e, _ := htmlindex.Get(l)
		return e, csWide
	case "utf-32", "ucs-4", "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM), csWide
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), csWide
	}
	if strings.HasPrefix(l, "cp125") || strings.HasPrefix(l, "x-cp125") {
		l = "windows-" + l[strings.Index(l, "125"):]
	}
	if e, err := htmlindex.Get(l); err == nil && e != nil {
		return e, kindOf(e)
	}
	for _, ix := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := ix.Encoding(l); err == nil && e != nil {
			return e, kindOf(e)
		}
	}
	if strings.HasPrefix(l, "iso-2022-jp") {
		e, _ := htmlindex.Get("iso-2022-jp")
		return e, csLegacy
	}
	return nil, csUnknown
}

// kindOf tells UTF-8 and the wide encodings from legacy ones.
func kindOf(e encoding.Encoding) charsetKind {
	if e == unicode.UTF8 || e == encoding.Nop {
		return csUTF8
	}
	if n, err := htmlindex.Name(e); err == nil && strings.HasPrefix(n, "utf-16") {
		return csWide
	}
	return csLegacy
}

// decodeText converts b from the declared charset to valid UTF-8 and never
// fails (XSS-10: decode first, sanitize later). Without a usable label the
// bytes are kept when they are valid UTF-8 and read as windows-1252
// otherwise. A legacy label on bytes that are valid UTF-8 with non-ASCII
// characters loses: senders mislabel UTF-8 far more often than legacy text
// happens to be valid UTF-8. problem is "" or a short phrase.
func decodeText(b []byte, label string) (s string, problem string) {
	if len(b) == 0 {
		return "", ""
	}
	enc, kind := lookupCharset(label)
	switch kind {
	case csUTF7:
		return decodeUTF7(b), ""
	case csWide:
		if out, err := enc.NewDecoder().Bytes(b); err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD"), ""
		}
		return fallbackText(b), "bad " + cleanCharsetLabel(label) + " text"
	case csLegacy:
		if mostlyUTF8(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD"), ""
		}
		if out, err := enc.NewDecoder().Bytes(b); err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD"), ""
		}
		return fallbackText(b), "bad " + cleanCharsetLabel(label) + " text"
	case csUnknown:
		if label != "" && cleanCharsetLabel(label) != "" {
			problem = "unknown charset " + truncateRunes(cleanCharsetLabel(label), 40)
		}
	}
	if utf8.Valid(b) {
		return string(b), problem
	}
	if problem == "" && kind == csUTF8 {
		problem = "text not in declared charset " + truncateRunes(cleanCharsetLabel(label), 40)
	}
	if mostlyUTF8(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), problem
	}
	return fallbackText(b), problem
}

// mostlyUTF8 reports whether b is UTF-8 text with at most a few broken
// bytes: four valid multi-byte characters or more for each invalid byte.
// Legacy 8-bit text almost never forms valid multi-byte sequences.
func mostlyUTF8(b []byte) bool {
	multi, bad := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
		} else {
			multi++
		}
		i += size
	}
	return multi > 0 && multi >= 4*bad
}

// fallbackText reads b as windows-1252 (a superset of the printable part of
// ISO-8859-1), which maps every byte to a character.
func fallbackText(b []byte) string {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// decodeHeaderBytes turns a header value that holds 8-bit bytes into UTF-8:
// as UTF-8 when valid, else in hint (the part's charset) when that is a
// legacy charset, else windows-1252.
func decodeHeaderBytes(v, hint string) string {
	if !hasHighBytes([]byte(v)) || utf8.ValidString(v) {
		return v
	}
	if enc, kind := lookupCharset(hint); kind == csLegacy {
		if out, err := enc.NewDecoder().String(v); err == nil {
			return strings.ToValidUTF8(out, "\uFFFD")
		}
	}
	return fallbackText([]byte(v))
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeUTF7 decodes RFC 2152 UTF-7 leniently: bad base64 runs and 8-bit
// bytes become U+FFFD. Decoding before sanitizing is what defuses
// "+ADw-script+AD4-" (XSS-10).
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 0x80 {
			sb.WriteRune(utf8.RuneError)
			continue
		}
		if c != '+' {
			sb.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(b) && base64Value(b[j]) >= 0 && b[j] != '-' && b[j] != '_' && b[j] != '=' {
			j++
		}
		if j == i+1 {
			if j < len(b) && b[j] == '-' {
				sb.WriteByte('+') // "+-" is a plus sign
				i = j
				continue
			}
			sb.WriteByte('+')
			continue
		}
		writeUTF16Run(&sb, b[i+1:j])
		if j < len(b) && b[j] == '-' {
			j++ // the '-' ending a run is absorbed
		}
		i = j - 1
	}
	return sb.String()
}

// writeUTF16Run decodes the modified base64 of one UTF-7 run as UTF-16BE.
func writeUTF16Run(sb *strings.Builder, run []byte) {
	var units []uint16
	var acc uint32
	bits := 0
	for _, c := range run {
		acc = acc<<6 | uint32(base64Value(c))
		bits += 6
		if bits >= 16 {
			bits -= 16
			units = append(units, uint16(acc>>uint(bits)))
			acc &= 1<<uint(bits) - 1
		}
	}
	for _, r := range utf16.Decode(units) {
		sb.WriteRune(r)
	}
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
