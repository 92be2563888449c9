package extract

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits bound the work of one extraction. A zero field takes its default.
type Limits struct {
	MaxInput  int           // bytes of attachment read (default 20 MiB)
	MaxOutput int           // bytes of text returned (default 1 MiB)
	Timeout   time.Duration // wall time for one file (default 5 s)
}

// Defaults of Limits.
const (
	DefaultMaxInput  = 20 << 20
	DefaultMaxOutput = 1 << 20
	DefaultTimeout   = 5 * time.Second
)

// Kinds of extracted text.
const (
	KindText = "text"
	KindHTML = "html"
	KindPDF  = "pdf"
	KindDOCX = "docx"
)

// Errors wrapped by the errors Text returns.
var (
	// ErrTooLarge: the input, or a count or size inside it, is over a cap.
	ErrTooLarge = errors.New("over a limit")
	// ErrMalformed: the file cannot be read as the format it claims.
	ErrMalformed = errors.New("malformed")
	// ErrEncrypted: the file is encrypted; no text is extracted from it.
	ErrEncrypted = errors.New("encrypted")
	// ErrTimeout: extraction took longer than Limits.Timeout.
	ErrTimeout = errors.New("timed out")

	// errInternal marks a panic of this package's own code, recovered;
	// the fuzz test looks for it.
	errInternal = errors.New("internal error")
)

// malformed wraps ErrMalformed with what is wrong.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// tooLarge wraps ErrTooLarge with what is over its cap.
func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTooLarge}, args...)...)
}

func (lim Limits) withDefaults() Limits {
	if lim.MaxInput <= 0 {
		lim.MaxInput = DefaultMaxInput
	}
	if lim.MaxOutput <= 0 {
		lim.MaxOutput = DefaultMaxOutput
	}
	if lim.Timeout <= 0 {
		lim.Timeout = DefaultTimeout
	}
	return lim
}

// Text returns the searchable text of one attachment, chosen by content
// type and, when the type is generic (application/octet-stream) or
// missing, by file name extension and by sniffing the bytes. kind says what
// was extracted ("text", "html", "pdf", "docx", "" for nothing). An
// unsupported type returns "", "", nil. A broken file returns an error
// naming what is wrong, wrapping ErrMalformed, ErrTooLarge, ErrEncrypted or
// ErrTimeout; Text never panics.
//
// Text and HTML beyond MaxInput are cut and the rest is read; a PDF or DOCX
// over MaxInput is refused, since neither can be read in part. The text is
// valid UTF-8 with light white space normalisation, at most MaxOutput bytes.
// Text does not keep or modify data, nor read it after it returns.
//
// Text runs in the calling process: on some hostile PDFs the library keeps
// a CPU busy after the timeout or overflows the stack, which ends the
// process. Child runs Text in a child process, where both cost one file.
func Text(ctx context.Context, name, contentType string, data []byte, lim Limits) (text, kind string, err error) {
	lim = lim.withDefaults()
	kind, charset := detect(name, contentType, data)
	if kind == "" {
		return "", "", nil
	}
	defer func() {
		if p := recover(); p != nil {
			text, err = "", fmt.Errorf("extract: %s: %w: %v", kind, errInternal, p)
		}
	}()
	if err := ctx.Err(); err != nil {
		return "", kind, fmt.Errorf("extract: %s: %w", kind, err)
	}
	switch kind {
	case KindText:
		text = plainText(data[:min(len(data), lim.MaxInput)], charset)
	case KindHTML:
		text, err = htmlText(ctx, data[:min(len(data), lim.MaxInput)], charset, lim)
	case KindPDF:
		text, err = extractPDF(ctx, data, lim)
	case KindDOCX:
		text, err = docxText(ctx, data, lim)
	}
	if err != nil {
		return "", kind, fmt.Errorf("extract: %s: %w", kind, err)
	}
	return truncate(normalize(text), lim.MaxOutput), kind, nil
}

// detect picks the extractor: the declared media type when it is specific,
// else the file name's extension, else the bytes (http.DetectContentType
// and the PDF signature). It also returns the declared charset, if any.
func detect(name, contentType string, data []byte) (kind, charset string) {
	mt, params := parseContentType(contentType)
	if k, ok := kindOfType(mt); ok {
		return k, params["charset"]
	}
	if mt != "" && !isGenericType(mt) {
		return "", ""
	}
	if k := kindOfExt(path.Ext(strings.ToLower(strings.TrimSpace(name)))); k != "" {
		return k, params["charset"]
	}
	return sniff(data), params["charset"]
}

// parseContentType returns the lower-case media type and its parameters.
// A header mime.ParseMediaType rejects still yields its media type.
func parseContentType(ct string) (string, map[string]string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(ct, ";")
		mt, params = strings.ToLower(strings.TrimSpace(mt)), nil
	}
	return mt, params
}

// kindOfType maps specific media types; ok is false for types not listed.
func kindOfType(mt string) (kind string, ok bool) {
	switch mt {
	case "text/plain", "text/csv", "text/markdown", "text/x-markdown", "text/calendar",
		"text/tab-separated-values", "text/xml", "application/json", "application/xml":
		return KindText, true
	case "text/html", "application/xhtml+xml":
		return KindHTML, true
	case "application/pdf", "application/x-pdf":
		return KindPDF, true
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return KindDOCX, true
	}
	if strings.HasPrefix(mt, "application/") && (strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")) {
		return KindText, true
	}
	return "", false
}

// isGenericType reports whether mt says nothing about the content, so the
// name and the bytes decide.
func isGenericType(mt string) bool {
	switch mt {
	case "application/octet-stream", "application/x-download", "application/force-download",
		"application/download", "application/unknown", "binary/octet-stream":
		return true
	}
	return false
}

func kindOfExt(ext string) string {
	switch ext {
	case ".txt", ".text", ".csv", ".tsv", ".log", ".md", ".markdown", ".json", ".xml", ".ics":
		return KindText
	case ".html", ".htm", ".xhtml":
		return KindHTML
	case ".pdf":
		return KindPDF
	case ".docx":
		return KindDOCX
	}
	return ""
}

// sniff recognises PDF by its signature and text and HTML by the WHATWG
// sniffing rules of http.DetectContentType.
func sniff(data []byte) string {
	if strings.HasPrefix(string(data[:min(len(data), 5)]), "%PDF-") {
		return KindPDF
	}
	mt, _ := parseContentType(http.DetectContentType(data))
	switch mt {
	case "text/html":
		return KindHTML
	case "text/plain", "text/xml":
		return KindText
	}
	return ""
}

// normalize makes text valid UTF-8 and tidies white space lightly: NULs
// and byte order marks are dropped, other control characters and Unicode
// spaces count as spaces, a run of spaces becomes one, lines are trimmed,
// and at most one blank line is kept between paragraphs.
func normalize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	newlines, space, wrote := 0, false, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r' && i < len(s) && s[i] == '\n':
			// the \n that follows ends the line
		case r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == '\u2028' || r == '\u2029':
			if wrote {
				newlines++
			}
			space = false
		case r == 0 || r == '\uFEFF':
			// NULs and byte order marks carry no text
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		default:
			if newlines > 0 {
				b.WriteString("\n\n"[:min(newlines, 2)])
			} else if space && wrote {
				b.WriteByte(' ')
			}
			newlines, space, wrote = 0, false, true
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
