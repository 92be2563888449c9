package extract

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"searchdesk/engine/corpustest"
)

func TestPDFGenerated(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"classic xref table", classicPDF(onePage([]byte(invoiceContent)), "")},
		{"object and xref streams", invoicePacked(t, invoiceContent).bytes(t)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, kind, err := Text(context.Background(), "invoice.pdf", "application/pdf", tc.data, Limits{})
			want := "Invoice 2026 refund zgloszenie\n\nOrder number SUP-26-02-1"
			if err != nil || kind != KindPDF || got != want {
				t.Errorf("got %q, %q, %v, want %q", got, kind, err, want)
			}
		})
	}
}

func TestPDF20(t *testing.T) {
	b := bytes.Replace(classicPDF(onePage([]byte(invoiceContent)), ""), []byte("%PDF-1.4"), []byte("%PDF-2.0"), 1)
	got, _, err := Text(context.Background(), "", "application/pdf", b, Limits{})
	if err != nil || !strings.Contains(got, "Invoice 2026") {
		t.Errorf("got %q, %v, want the invoice text", got, err)
	}
}

func TestPDFTimeout(t *testing.T) {
	// Enough pages that reading them takes far longer than the timeout
	// (tens of milliseconds), so the timeout is what ends it: ErrTimeout
	// comes only from the deadline.
	objs := onePage([]byte(invoiceContent))
	kids := strings.TrimSpace(strings.Repeat("3 0 R ", maxPDFPages))
	objs[1].body = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, maxPDFPages)
	_, _, err := Text(context.Background(), "", "application/pdf", classicPDF(objs, ""), Limits{Timeout: time.Millisecond})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("got %v, want ErrTimeout", err)
	}
}

func TestPDFToUnicode(t *testing.T) {
	// Two-byte codes mapped by a ToUnicode CMap (ISO 32000-1 9.10.3), the
	// way most producers embed subset fonts: 0001 → ł, 0002 → ó.
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
		"2 beginbfchar <0001> <0142> <0002> <00F3> endbfchar\n" +
		"1 beginbfrange <0003> <0004> <0041> endbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end\n"
	objs := onePage([]byte("BT /F1 12 Tf <00010002000300040003> Tj ET"))
	objs[4].body = "<< /Type /Font /Subtype /Type0 /BaseFont /Subset /Encoding /Identity-H /ToUnicode 6 0 R >>"
	objs = append(objs, pdfObj{body: "<< >>", stream: []byte(cmap)})
	got, _, err := Text(context.Background(), "", "application/pdf", classicPDF(objs, ""), Limits{})
	if err != nil || got != "łóABA" {
		t.Errorf("got %q, %v, want łóABA", got, err)
	}
}

func TestPDFEncrypted(t *testing.T) {
	enc := "/Encrypt << /Filter /Standard /V 1 /R 2 /O <" + strings.Repeat("00", 32) + "> /U <" +
		strings.Repeat("00", 32) + "> /P -4 >> /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]"
	got, kind, err := Text(context.Background(), "", "application/pdf", classicPDF(onePage([]byte(invoiceContent)), enc), Limits{})
	if !errors.Is(err, ErrEncrypted) || got != "" || kind != KindPDF {
		t.Errorf("got %q, %q, %v, want ErrEncrypted", got, kind, err)
	}
}

// hostileCase is a file built to hit one of the PDF library's weak spots;
// the comments in hostilePDFs say what the library does with it. want is
// the error the child's parent must get (nil: any of the package's errors
// or none), and says a part of its message.
type hostileCase struct {
	name string
	data []byte
	want error
	says string
}

func hostilePDFs(t *testing.T) []hostileCase {
	good := classicPDF(onePage([]byte(invoiceContent)), "")
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	return []hostileCase{
		{name: "truncated", data: good[:len(good)/2], want: ErrMalformed},
		{name: "truncated packed", data: truncated(invoicePacked(t, invoiceContent).bytes(t)), want: ErrMalformed},
		{name: "xref points everywhere", data: scrambleXref(good, rng)},
		{name: "startxref into a stream", data: pointStartxref(good, bytes.Index(good, []byte("stream"))+7), want: ErrMalformed},
		{name: "random bytes", data: random(64 << 10), want: ErrMalformed},
		{name: "1 MB of garbage with a header and trailer", data: garbagePDF(random(1 << 20)), want: ErrMalformed},
		// The library follows /Prev back to the same table, forever.
		{name: "xref Prev loop", data: prevLoop(good), want: ErrTimeout, says: "took longer than"},
		{
			// The library grows its table to the largest object number.
			name: "huge xref subsection",
			data: bytes.Replace(good, []byte("xref\n0 6\n"), []byte("xref\n0 2000006\n"), 1),
		},
		{
			// The library allocates /Size entries at once.
			name: "huge xref stream Size",
			data: bytes.Replace(invoicePacked(t, invoiceContent).bytes(t), []byte("/Size 8 "), []byte("/Size 2000000 "), 1),
		},
		{
			// The library's resolver recurses without end until the Go
			// stack overflows: a fatal error, which ends the process.
			name: "object stream inside itself",
			data: packedWith(t, func(p *packedPDF) { p.SelfRef = true }),
			want: ErrCrashed,
			says: "extractor crashed: fatal error: stack overflow (exit status 2)",
		},
		{
			// Looking up an object missing from the stream, the library
			// reads /N entries past the end, forever.
			name: "object stream count beyond all bounds",
			data: packedWith(t, func(p *packedPDF) {
				p.N, p.Phantom = "4000000000000000000", true
				p.Top[1].body = "<< /Type /Font /Subtype /Type0 /BaseFont /X /ToUnicode 8 0 R >>"
			}),
			want: ErrTimeout,
			says: "took longer than",
		},
		{
			// The library's lexer loops forever at the end of a content
			// stream inside a hex string.
			name: "content ends in an open hex string",
			data: classicPDF(onePage([]byte("BT /F1 12 Tf (Hello) Tj ET <4142")), ""),
			want: ErrTimeout,
			says: "took longer than",
		},
		{
			// The library appends the announced number of entries
			// whatever follows.
			name: "CMap entry count over the cap",
			data: cmapPDF("1 begincodespacerange <00> <FF> endcodespacerange 65537 beginbfchar endbfchar"),
		},
		{
			// The library allocates two rows of /Columns bytes.
			name: "predictor columns over the cap",
			data: classicPDF(withContentDict(onePage(deflate(t, pngUpRow([]byte(invoiceContent), 70000))),
				"<< /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 70000 >> >>"), ""),
		},
		{
			name: "deflate bomb in content",
			data: classicPDF(withContentDict(onePage(deflate(t, make([]byte, 16<<20))), "<< /Filter /FlateDecode >>"), ""),
		},
		{
			name: "unknown filter",
			data: classicPDF(withContentDict(onePage([]byte(invoiceContent)), "<< /Filter /JBIG9Decode >>"), ""),
			want: ErrMalformed,
		},
		{name: "page tree loop", data: pageTreeLoop()},
		// The library stops nesting at its own depth cap.
		{name: "deeply nested arrays in content", data: classicPDF(onePage([]byte(strings.Repeat("[", 1<<20))), "")},
	}
}

// TestPDFHostile feeds the hostile files to the child process. Whatever
// the library does with one (an error, a loop, a stack overflow), the
// parent gets an error that says why (the one shown, or any of the
// package's), within the deadline and the time to kill the child, no text
// beyond what is there, and the next child works.
func TestPDFHostile(t *testing.T) {
	c := testChild(t, "serve")
	const deadline = time.Second
	t.Run("all", func(t *testing.T) {
		for _, tc := range hostilePDFs(t) {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel() // the child's slots still bound how many run at once
				start := time.Now()
				got, kind, err := c.Text(context.Background(), "hostile.pdf", "application/octet-stream", tc.data, Limits{Timeout: deadline})
				elapsed := time.Since(start)
				t.Logf("%v: %d bytes, %v", elapsed.Round(time.Millisecond), len(got), err)
				if kind != KindPDF {
					t.Errorf("kind %q, want pdf", kind)
				}
				if tc.want != nil && (!errors.Is(err, tc.want) || got != "") {
					t.Errorf("got %d bytes, %v, want %v", len(got), err, tc.want)
				}
				if err != nil && (causeName(err) == "" && !errors.Is(err, ErrCrashed) || !strings.Contains(err.Error(), tc.says)) {
					t.Errorf("got %v, want an error of the package that says %q", err, tc.says)
				}
				if elapsed > deadline+3*time.Second {
					t.Errorf("took %v with a deadline of %v", elapsed, deadline)
				}
				if strings.Contains(got, "\x00") || len(got) > DefaultMaxOutput {
					t.Errorf("got %d bytes of text", len(got))
				}
			})
		}
	})
	stillWorks(t, c)
}

// truncated cuts b in the middle of its object stream.
func truncated(b []byte) []byte { return b[:bytes.Index(b, []byte("/ObjStm"))+40] }

// scrambleXref gives every cross-reference entry a random offset, inside
// and outside the file, keeping the table's layout.
func scrambleXref(b []byte, rng *rand.Rand) []byte {
	out := bytes.Clone(b)
	at := bytes.Index(out, []byte("xref\n0 6\n")) + len("xref\n0 6\n")
	for i := 0; i < 6; i++ {
		off := fmt.Sprintf("%010d", rng.IntN(len(b)*2))
		copy(out[at+i*20:], off)
	}
	return out
}

// pointStartxref rewrites the startxref value to off.
func pointStartxref(b []byte, off int) []byte {
	i := bytes.LastIndex(b, []byte("startxref\n"))
	return append(b[:i:i], fmt.Sprintf("startxref\n%d\n%%%%EOF\n", off)...)
}

// prevLoop makes the trailer's /Prev point back at its own table.
func prevLoop(b []byte) []byte {
	xref := bytes.LastIndex(b, []byte("xref\n0 "))
	return bytes.Replace(b, []byte("/Root 1 0 R"), fmt.Appendf(nil, "/Root 1 0 R /Prev %d", xref), 1)
}

// garbagePDF wraps noise in a header and a trailer that points into it.
func garbagePDF(noise []byte) []byte {
	b := append([]byte("%PDF-1.4\n"), noise...)
	return fmt.Appendf(b, "\nstartxref\n%d\n%%%%EOF\n", len(noise)/2)
}

// packedWith returns the PDF 1.5 invoice spoiled by f.
func packedWith(t *testing.T, f func(*packedPDF)) []byte {
	p := invoicePacked(t, invoiceContent)
	f(&p)
	return p.bytes(t)
}

// pngUpRow encodes b, padded with spaces, as one PNG Up row of the given
// width (ISO 32000-1 7.4.4.4): after a zero row, Up leaves bytes as they are.
func pngUpRow(b []byte, columns int) []byte {
	row := append([]byte{2}, b...)
	return append(row, bytes.Repeat([]byte(" "), columns+1-len(row))...)
}

// withContentDict replaces the content stream's dictionary.
func withContentDict(objs []pdfObj, dict string) []pdfObj {
	objs[3].body = dict
	return objs
}

// cmapPDF is a page whose font maps codes through the given CMap.
func cmapPDF(cmap string) []byte {
	objs := onePage([]byte("BT /F1 12 Tf <0102> Tj ET"))
	objs[4].body = "<< /Type /Font /Subtype /Type0 /BaseFont /X /ToUnicode 6 0 R >>"
	return classicPDF(append(objs, pdfObj{body: "<< >>", stream: []byte(cmap)}), "")
}

// pageTreeLoop is a page tree whose root lists itself among its kids.
func pageTreeLoop() []byte {
	objs := onePage([]byte(invoiceContent))
	objs[1].body = "<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>"
	return classicPDF(objs, "")
}

// attachment is one leaf part of a message.
type attachment struct {
	name, contentType string
	data              []byte
}

// attachments reads a message file with net/mail and mime/multipart and
// returns its leaf parts with base64 undone.
func attachments(t *testing.T, path string) []attachment {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(raw, []byte("From ")) { // mbox separator line
		raw = raw[bytes.IndexByte(raw, '\n')+1:]
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out []attachment
	var walk func(ct, cte, name string, body io.Reader)
	walk = func(ct, cte, name string, body io.Reader) {
		mt, params, _ := mime.ParseMediaType(ct)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.FileName(), p)
			}
		}
		data, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(strings.TrimSpace(cte), "base64") { // the decoder skips line breaks
			if data, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(data))); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, attachment{name, ct, data})
	}
	walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return out
}

// TestPDFCorpusRubyMail reads the PDF attached to the ruby-mail fixtures.
// That attachment, named broken.pdf, is the first 1026 bytes of a PDF: one
// Flate stream of drawing operators (rectangles and paths, no text
// objects), cut off before any cross-reference data or %%EOF. So it holds
// no words; the right answer is an error saying why, quickly.
func TestPDFCorpusRubyMail(t *testing.T) {
	dir := corpustest.Dir(t)
	for _, f := range []string{
		"attachment_emails__attachment_pdf.eml",
		"attachment_emails__attachment_pdf_lf.eml",
		"attachment_emails__attachment_pdf_non_ascii.eml",
		"attachment_emails__attachment_pdf_non_ascii_lf.eml",
	} {
		t.Run(f, func(t *testing.T) {
			var pdf *attachment
			for _, a := range attachments(t, filepath.Join(dir, "mime", "ruby-mail", f)) {
				if a.name == "broken.pdf" {
					pdf = &a
				}
			}
			if pdf == nil || len(pdf.data) != 1026 || !bytes.HasPrefix(pdf.data, []byte("%PDF-1.4")) {
				t.Fatalf("broken.pdf not found as a 1026-byte PDF")
			}
			got, kind, err := Text(context.Background(), pdf.name, pdf.contentType, pdf.data, Limits{})
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "%%EOF") || got != "" || kind != KindPDF {
				t.Errorf("got %q, %q, %v, want a malformed-PDF error about %%%%EOF", got, kind, err)
			}
		})
	}
}

// TestPDFCorpusText reads real attachments that do hold text: a PDF and a
// DOCX written by LibreOffice 6.2 (php-mime-mail-parser's issue274.eml),
// and a scanner's PDF with only an image (spamscope's mail_test_7).
func TestPDFCorpusText(t *testing.T) {
	dir := corpustest.Dir(t)
	tests := []struct {
		file, attachment, kind, want string
	}{
		{"mime/php-mime-mail-parser/issue274.eml", "Hello from SwiftMailer.pdf", KindPDF, "Hello from SwiftMailer"},
		{"mime/php-mime-mail-parser/issue274.eml", "Hello from SwiftMailer.docx", KindDOCX, "Hello from SwiftMailer !"},
		{"mime/spamscope-mail-parser/mail_test_7.eml", "20170609091403417.pdf", KindPDF, ""},
	}
	for _, tc := range tests {
		t.Run(tc.attachment, func(t *testing.T) {
			var found bool
			for _, a := range attachments(t, filepath.Join(dir, filepath.FromSlash(tc.file))) {
				if a.name != tc.attachment {
					continue
				}
				found = true
				got, kind, err := Text(context.Background(), a.name, a.contentType, a.data, Limits{})
				if err != nil || kind != tc.kind || !strings.Contains(got, tc.want) || (tc.want == "" && got != "") {
					t.Errorf("got %q, %q, %v, want %q in %s text", got, kind, err, tc.want, tc.kind)
				}
			}
			if !found {
				t.Fatalf("%s not found in %s", tc.attachment, tc.file)
			}
		})
	}
}
