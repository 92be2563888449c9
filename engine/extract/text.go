package extract

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// plainText decodes a text attachment to UTF-8. Normalisation (NULs, line
// ends, spaces) is left to Text.
func plainText(data []byte, label string) string {
	return decodeText(data, label, false)
}

// decodeText converts data to UTF-8 by one fixed rule, the first that
// applies:
//
//  1. the charset label of the content type, when golang.org/x/text knows
//     it (WHATWG names, through htmlindex), unless it says UTF-8 and the
//     bytes are not;
//  2. a UTF-8 or UTF-16 byte order mark;
//  3. the bytes as they are, when they are valid UTF-8;
//  4. for HTML, a <meta> charset declaration other than UTF-8;
//  5. windows-1252, which gives every byte a character and is the WHATWG
//     default for unlabelled text (ISO-8859-1 is a subset of it).
//
// Central European text with no label therefore comes out as windows-1252
// lookalikes ("zg³oszenie"); a correct label avoids that.
func decodeText(data []byte, label string, isHTML bool) string {
	if e := lookupLabel(label); e != nil && !(e == encoding.Nop && !utf8.Valid(data)) {
		return decodeWith(e, data)
	}
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return string(data[3:])
	case bytes.HasPrefix(data, []byte("\xFF\xFE")):
		return decodeWith(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), data)
	case bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return decodeWith(unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), data)
	case utf8.Valid(data):
		return string(data)
	}
	if isHTML {
		if e, name, _ := charset.DetermineEncoding(data, ""); name != "utf-8" && e != nil {
			return decodeWith(e, data)
		}
	}
	return decodeWith(charmap.Windows1252, data)
}

// lookupLabel returns the decoder for a charset label, encoding.Nop for
// UTF-8, or nil when the label is empty or unknown. The WHATWG
// "replacement" encoding, which turns whole documents into U+FFFD, counts
// as unknown.
func lookupLabel(label string) encoding.Encoding {
	if label == "" {
		return nil
	}
	e, err := htmlindex.Get(label)
	if err != nil || e == encoding.Replacement {
		return nil
	}
	if e == unicode.UTF8 {
		return encoding.Nop
	}
	return e
}

// decodeWith decodes data with e; invalid sequences become U+FFFD.
func decodeWith(e encoding.Encoding, data []byte) string {
	if e == encoding.Nop {
		return string(data)
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return string(data)
	}
	return string(out)
}
