package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name, file, ct, data string
		want, wantCharset    string
	}{
		{name: "plain with charset", file: "a.bin", ct: "text/plain; charset=ISO-8859-2", want: KindText, wantCharset: "ISO-8859-2"},
		{name: "csv", ct: "text/csv", want: KindText},
		{name: "calendar", ct: "text/calendar; method=REQUEST", want: KindText},
		{name: "json", ct: "application/json", want: KindText},
		{name: "ld+json", ct: "application/ld+json", want: KindText},
		{name: "xml", ct: "text/xml", want: KindText},
		{name: "html", ct: "TEXT/HTML; charset=utf-8", want: KindHTML, wantCharset: "utf-8"},
		{name: "pdf", ct: "application/pdf", want: KindPDF},
		{name: "declared type wins over name", file: "report.pdf", ct: "text/plain", want: KindText},
		{name: "specific unsupported type", file: "photo.txt", ct: "image/jpeg", want: ""},
		{name: "octet-stream by extension", file: "Invoice.PDF", ct: "application/octet-stream", want: KindPDF},
		{name: "missing type by extension", file: "notes.md", want: KindText},
		{name: "log extension", file: "server.log", ct: "application/octet-stream", want: KindText},
		{name: "ics extension", file: "invite.ics", want: KindText},
		{name: "htm extension", file: "page.htm", want: KindHTML},
		{name: "docx extension", file: "letter.docx", want: KindDOCX},
		{name: "sniff pdf", file: "scan", ct: "application/octet-stream", data: "%PDF-1.4\n", want: KindPDF},
		{name: "sniff html", file: "x", data: "<!DOCTYPE html><p>hi", want: KindHTML},
		{name: "sniff text", data: "just words", want: KindText},
		{name: "sniff binary", file: "blob", ct: "application/octet-stream", data: "\x00\x01\x02PK", want: ""},
		{name: "broken content type falls back to its media type", ct: "text/plain; charset", want: KindText},
		{name: "zip is not extracted", file: "a.zip", ct: "application/zip", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cs := detect(tc.file, tc.ct, []byte(tc.data))
			if got != tc.want || cs != tc.wantCharset {
				t.Errorf("got %q, %q, want %q, %q", got, cs, tc.want, tc.wantCharset)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name, ct, data, want string
	}{
		{
			name: "iso-8859-2 label",
			ct:   "text/plain; charset=iso-8859-2",
			data: "Nowe zg\xb3oszenie: \xbf\xf3\xb3w",
			want: "Nowe zgłoszenie: żółw",
		},
		{
			name: "windows-1250 label",
			ct:   "text/plain; charset=windows-1250",
			data: "zg\xb3oszenie",
			want: "zgłoszenie",
		},
		{
			name: "utf-8 unlabelled",
			ct:   "text/plain",
			data: "zgłoszenie № 7",
			want: "zgłoszenie № 7",
		},
		{
			name: "invalid utf-8 unlabelled is windows-1252",
			ct:   "text/plain",
			data: "caf\xe9 \x80 5",
			want: "café € 5",
		},
		{
			name: "label says utf-8 but bytes are not",
			ct:   "text/plain; charset=utf-8",
			data: "na\xefve",
			want: "naïve",
		},
		{
			name: "unknown label falls back to the bytes",
			ct:   "text/plain; charset=x-unknown-42",
			data: "zgłoszenie",
			want: "zgłoszenie",
		},
		{
			name: "utf-16 byte order mark",
			ct:   "text/plain",
			data: "\xff\xfeO\x00k\x00",
			want: "Ok",
		},
		{
			name: "utf-8 byte order mark",
			ct:   "text/csv",
			data: "\xef\xbb\xbfa;b\r\n1;2\r\n",
			want: "a;b\n1;2",
		},
		{
			name: "NULs stripped, white space normalised",
			ct:   "text/plain",
			data: "  a\x00b  \t c \r\n\r\n\r\n\r\nd\x07e  \n",
			want: "ab c\n\nd e",
		},
		{
			name: "json is text",
			ct:   "application/json",
			data: `{"order": "SUP-26-02-1"}`,
			want: `{"order": "SUP-26-02-1"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kind, err := Text(context.Background(), "", tc.ct, []byte(tc.data), Limits{})
			if err != nil || kind != KindText || got != tc.want {
				t.Errorf("got %q, %q, %v, want %q, text", got, kind, err, tc.want)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	tests := []struct {
		name, ct, data, want string
	}{
		{
			name: "entities",
			data: "<p>Tom &amp; Jerry &lt;3 caf&eacute; &#x17C;&oacute;&#322;w&nbsp;x</p>",
			want: "Tom & Jerry <3 café żółw x",
		},
		{
			name: "script, style and head dropped",
			data: "<html><head><title>Secret title</title><style>p{color:red}</style>" +
				"<script>var leak = 'script text';</script></head>" +
				"<body><script type=module>alert('x')</script><p>Visible</p><style>.a{}</style></body></html>",
			want: "Visible",
		},
		{
			name: "blocks on their own lines",
			data: "<div>First</div><div>Second<br>Third</div><ul><li>one</li><li>two</li></ul>" +
				"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table><h1>Head</h1>inline <b>bold</b> text",
			want: "First\n\nSecond\nThird\n\none\n\ntwo\n\na b\n\nc\n\nHead\ninline bold text",
		},
		{
			name: "source line breaks are spaces",
			data: "<p>one\ntwo\n   three</p>",
			want: "one two three",
		},
		{
			name: "pre keeps lines",
			data: "<pre>line 1\nline 2</pre>",
			want: "line 1\nline 2",
		},
		{
			name: "unclosed head ends at the first body element",
			data: "<head><meta charset=utf-8><title>t</title><div>Body text</div>",
			want: "Body text",
		},
		{
			name: "charset from content type",
			ct:   "text/html; charset=iso-8859-2",
			data: "<p>zg\xb3oszenie</p>",
			want: "zgłoszenie",
		},
		{
			name: "charset from meta when bytes are not utf-8",
			ct:   "text/html",
			data: `<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"><p>zg` + "\xb3" + `oszenie</p>`,
			want: "zgłoszenie",
		},
		{
			name: "unclosed script hides only its own text",
			data: "<p>before</p><script>never closed <p>x</p>",
			want: "before",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.ct
			if ct == "" {
				ct = "text/html"
			}
			got, kind, err := Text(context.Background(), "", ct, []byte(tc.data), Limits{})
			if err != nil || kind != KindHTML || got != tc.want {
				t.Errorf("got %q, %q, %v, want %q, html", got, kind, err, tc.want)
			}
		})
	}
}

// TestHTMLDeepNesting reads 100,000 nested elements: the tokenizer keeps
// no element stack, so this is linear (milliseconds). Work that grew with
// the square of the depth would run into the generous deadline.
func TestHTMLDeepNesting(t *testing.T) {
	const depth = 100000
	var b strings.Builder
	for range depth {
		b.WriteString("<div><span><b>")
	}
	b.WriteString("deep needle")
	for range depth {
		b.WriteString("</b></span></div>")
	}
	got, kind, err := Text(context.Background(), "deep.html", "", []byte(b.String()), Limits{Timeout: time.Minute})
	if err != nil || kind != KindHTML || got != "deep needle" {
		t.Fatalf("got %.40q, %q, %v, want deep needle", got, kind, err)
	}
}

func TestMaxOutput(t *testing.T) {
	lim := Limits{MaxOutput: 100}
	for _, tc := range []struct{ name, ct, data string }{
		{"text", "text/plain", strings.Repeat("żółw ", 1000)},
		{"html", "text/html", strings.Repeat("<p>żółw</p>", 1000)},
		{"pdf", "application/pdf", string(classicPDF(onePage([]byte(strings.Repeat("BT (Invoice) Tj ET\n", 1000))), ""))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Text(context.Background(), "", tc.ct, []byte(tc.data), lim)
			if err != nil || len(got) > 100 || len(got) < 50 || !utf8.ValidString(got) {
				t.Errorf("got %d bytes %q, %v, want 50 to 100 valid bytes", len(got), got, err)
			}
		})
	}
}

func TestMaxInput(t *testing.T) {
	lim := Limits{MaxInput: 10}
	got, _, err := Text(context.Background(), "", "text/plain", []byte("0123456789 over the limit"), lim)
	if err != nil || got != "0123456789" {
		t.Errorf("text: got %q, %v, want the first 10 bytes", got, err)
	}
	_, kind, err := Text(context.Background(), "", "application/pdf", classicPDF(onePage([]byte(invoiceContent)), ""), lim)
	if !errors.Is(err, ErrTooLarge) || kind != KindPDF {
		t.Errorf("pdf: got %q, %v, want ErrTooLarge", kind, err)
	}
}

func TestUnsupported(t *testing.T) {
	got, kind, err := Text(context.Background(), "photo.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0"), Limits{})
	if got != "" || kind != "" || err != nil {
		t.Errorf("got %q, %q, %v, want nothing", got, kind, err)
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Text(ctx, "", "application/pdf", classicPDF(onePage([]byte(invoiceContent)), ""), Limits{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// docx builds a minimal WordprocessingML package holding document.
func docx(t *testing.T, document string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(document)); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDOCX(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>Refund</w:t></w:r><w:r><w:t xml:space="preserve"> request &amp; </w:t></w:r><w:r><w:tab/><w:t>zgłoszenie</w:t></w:r></w:p>
<w:p><w:r><w:instrText>HYPERLINK x</w:instrText><w:t>Second</w:t><w:br/><w:t>line</w:t></w:r></w:p>
</w:body></w:document>`
	got, kind, err := Text(context.Background(), "letter.docx", "application/octet-stream", docx(t, doc), Limits{})
	want := "Refund request & zgłoszenie\nSecond\nline"
	if err != nil || kind != KindDOCX || got != want {
		t.Errorf("got %q, %q, %v, want %q", got, kind, err, want)
	}
	_, _, err = Text(context.Background(), "letter.docx", "", []byte("PK\x03\x04 not really"), Limits{})
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("broken zip: got %v, want ErrMalformed", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only space", " \n\t\r\n ", ""},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"unicode spaces", "a\u00a0\u2003b\u3000c", "a b c"},
		{"bom and controls", "\ufeffa\x1bb", "a b"},
		{"line separators", "a\u2028b\r\rc", "a\nb\n\nc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := normalize(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
