package subject

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxTagRunes caps the text inside a stripped "[…]" tag.
	maxTagRunes = 64
	// maxWordRunes is longer than the longest prefix word.
	maxWordRunes = 12
	// maxCounterDigits caps the n of "Re[n]:".
	maxCounterDigits = 6
)

// kind says what a stripped item at the front of a subject is.
type kind uint8

const (
	kindNone    kind = iota // not a prefix: a tag, or nothing
	kindReply               // a reply prefix
	kindForward             // a forward prefix
)

// prefixKind returns the kind of a lower-case prefix word, without its
// colon. The words are those mail clients write (Outlook, Thunderbird, Lotus
// Notes, webmail; see also Wikipedia's "List of email subject
// abbreviations"):
//
//	language     reply             forward
//	(most)       re                fwd, fw
//	Arabic       رد
//	Chinese      回复, 答复, 回覆, 答覆  转发, 转寄, 轉寄, 轉發
//	Czech        odp               př, přeposlat, přeposláno
//	Danish       sv                vs
//	Dutch        antw              doorst
//	Finnish      vs (see doc.go)   vl
//	French       réf, ref          tr
//	German       aw, antwort       wg
//	Greek        απ, σχετ          πρθ
//	Hebrew       השב               העבר
//	Hungarian    vá                továbbítás
//	Italian      r, rif            i
//	Japanese     返信               転送
//	Korean       회신               전달
//	Latvian      atb               pārs
//	Lithuanian   ats               prsn
//	Norwegian    sv                vs
//	Polish       odp               pd
//	Portuguese   res               enc
//	Spanish      re                rv
//	Swedish      sv                vb
//	Turkish      ynt               ilt ("İLT" folds to "ilt")
//
// Decomposed spellings of "vá" and "réf" are accepted too.
func prefixKind(word string) kind {
	switch word {
	case "re", "رد", "回复", "答复", "回覆", "答覆", "odp", "sv", "antw",
		"réf", "re\u0301f", "ref", "aw", "antwort", "απ", "σχετ", "השב",
		"vá", "va\u0301", "r", "rif", "返信", "회신", "atb", "ats", "res", "ynt":
		return kindReply
	case "fwd", "fw", "转发", "转寄", "轉寄", "轉發", "př", "přeposlat",
		"přeposláno", "vs", "doorst", "vl", "tr", "wg", "πρθ", "העבר",
		"továbbítás", "i", "転送", "전달", "pārs", "prsn", "pd", "enc", "rv",
		"vb", "ilt":
		return kindForward
	}
	return kindNone
}

// Normalize returns s with case folded, white space collapsed and trimmed,
// and reply and forward prefixes and bracketed tags stripped from the front;
// see the package documentation.
func Normalize(s string) string {
	t := fold(s)
	rest := t
	for {
		rest = strings.TrimPrefix(rest, " ")
		n, _ := cut(rest)
		if n == 0 {
			break
		}
		rest = rest[n:]
	}
	if rest == "" {
		return t
	}
	return rest
}

// IsReply reports whether s starts, after any bracketed tags, with a reply
// prefix such as "Re:" or "AW:". A subject that starts with a forward
// prefix is not a reply, even when a reply prefix follows.
func IsReply(s string) bool {
	return firstPrefix(s) == kindReply
}

// IsForward reports whether s starts, after any bracketed tags, with a
// forward prefix such as "Fwd:", "WG:" or "PD:".
func IsForward(s string) bool {
	return firstPrefix(s) == kindForward
}

// firstPrefix returns the kind of the first prefix of s after its tags.
func firstPrefix(s string) kind {
	rest := fold(s)
	for {
		rest = strings.TrimPrefix(rest, " ")
		n, k := cut(rest)
		if n == 0 || k != kindNone {
			return k
		}
		rest = rest[n:]
	}
}

// fold lower-cases s, turning invalid UTF-8 into U+FFFD, and collapses runs
// of white space into one space, trimming it at both ends.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// cut returns the length of the prefix or tag at the front of the folded t,
// or 0 if there is none, and what it is.
func cut(t string) (int, kind) {
	if strings.HasPrefix(t, "[") {
		return cutTag(t), kindNone
	}
	return cutPrefix(t)
}

// cutTag returns the length of the "[…]" tag at the front of t, or 0 if
// there is none or nothing follows it.
func cutTag(t string) int {
	runes := 0
	for i, r := range t[1:] {
		switch r {
		case '[':
			return 0
		case ']':
			end := 1 + i + 1
			if strings.TrimSpace(t[end:]) == "" {
				return 0
			}
			return end
		}
		runes++
		if runes > maxTagRunes {
			return 0
		}
	}
	return 0
}

// cutPrefix returns the length of the prefix, such as "re:", "aw[2]:" or
// "réf. :", at the front of t, and its kind, or 0 if there is none.
func cutPrefix(t string) (int, kind) {
	i, runes := 0, 0
	for i < len(t) {
		r, n := utf8.DecodeRuneInString(t[i:])
		if !unicode.IsLetter(r) && (runes == 0 || !unicode.Is(unicode.Mn, r)) {
			break
		}
		i += n
		runes++
		if runes > maxWordRunes {
			return 0, kindNone
		}
	}
	k := prefixKind(t[:i])
	if k == kindNone {
		return 0, kindNone
	}
	rest := t[i:]
	if runes > 1 {
		// The one-letter "r" and "i" must be followed by the colon
		// itself, so that less than a word is never taken for a prefix.
		rest = cutCounter(rest)
	}
	switch {
	case strings.HasPrefix(rest, ":"):
		return len(t) - len(rest) + len(":"), k
	case strings.HasPrefix(rest, "："):
		return len(t) - len(rest) + len("："), k
	}
	return 0, kindNone
}

// cutCounter removes what may stand between a prefix word and its colon:
// a dot, a space, a counter ("[2]", "(2)" or "^2") and a space, each
// optional.
func cutCounter(s string) string {
	s = strings.TrimPrefix(s, ".")
	s = strings.TrimPrefix(s, " ")
	if s == "" {
		return s
	}
	closing := ""
	switch s[0] {
	case '[':
		closing = "]"
	case '(':
		closing = ")"
	case '^':
	default:
		return s
	}
	d := 1
	for d < len(s) && d <= maxCounterDigits && '0' <= s[d] && s[d] <= '9' {
		d++
	}
	if d == 1 || !strings.HasPrefix(s[d:], closing) {
		return s
	}
	return strings.TrimPrefix(s[d+len(closing):], " ")
}
