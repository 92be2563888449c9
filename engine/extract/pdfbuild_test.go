package extract

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// This file builds small PDFs for the tests byte by byte, in the two layouts of
// ISO 32000-1: a classic cross-reference table (7.5.4) and, from PDF 1.5,
// object streams with a cross-reference stream (7.5.7, 7.5.8).

// pdfObj is one numbered object: its body, and stream data if it is a
// stream (Length is added to the body's dictionary).
type pdfObj struct {
	body   string
	stream []byte
}

// deflate compresses b for FlateDecode.
func deflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeObj appends "n 0 obj ... endobj" to b.
func writeObj(b *bytes.Buffer, n int, o pdfObj) {
	fmt.Fprintf(b, "%d 0 obj\n", n)
	if o.stream == nil {
		fmt.Fprintf(b, "%s\nendobj\n", o.body)
		return
	}
	body := strings.TrimSuffix(strings.TrimSpace(o.body), ">>")
	fmt.Fprintf(b, "%s /Length %d >>\nstream\n", body, len(o.stream))
	b.Write(o.stream)
	b.WriteString("\nendstream\nendobj\n")
}

// classicPDF writes objs as objects 1..n with a cross-reference table;
// extra is added to the trailer dictionary.
func classicPDF(objs []pdfObj, extra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offs := make([]int, len(objs)+1)
	for i, o := range objs {
		offs[i+1] = b.Len()
		writeObj(&b, i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, off := range offs[1:] {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, extra, xref)
	return b.Bytes()
}

// packedPDF describes a PDF 1.5 file: Top holds objects 1..len(Top),
// written as ordinary objects; Packed, numbered after them, go inside one
// object stream, followed by the object stream itself and a
// cross-reference stream with PNG Up prediction, the layout most PDF 1.5+
// writers use. Root is the catalog's object number. The other fields
// spoil the file for the hostile tests.
type packedPDF struct {
	Top    []pdfObj
	Packed []string
	Root   int

	N       string // the object stream's /N, when not the true count
	SelfRef bool   // list the object stream as stored inside itself
	Phantom bool   // list one more object, after the xref stream, as stored in the object stream but not there
	XrefDic string // added to the cross-reference stream's dictionary
}

func (p packedPDF) bytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n%\xE2\xE3\xCF\xD3\n")
	type entry struct{ typ, f2, f3 int }
	entries := []entry{{0, 0, 65535}}
	for i, o := range p.Top {
		entries = append(entries, entry{1, b.Len(), 0})
		writeObj(&b, i+1, o)
	}
	stm := len(p.Top) + len(p.Packed) + 1
	var head, body strings.Builder
	for i, o := range p.Packed {
		fmt.Fprintf(&head, "%d %d ", len(p.Top)+1+i, body.Len())
		body.WriteString(o + "\n")
		entries = append(entries, entry{2, stm, i})
	}
	n := p.N
	if n == "" {
		n = fmt.Sprint(len(p.Packed))
	}
	if p.SelfRef {
		entries = append(entries, entry{2, stm, 0})
	} else {
		entries = append(entries, entry{1, b.Len(), 0})
	}
	writeObj(&b, stm, pdfObj{
		body:   fmt.Sprintf("<< /Type /ObjStm /N %s /First %d /Filter /FlateDecode >>", n, head.Len()),
		stream: deflate(t, []byte(head.String()+body.String())),
	})
	xrefAt := b.Len()
	entries = append(entries, entry{1, xrefAt, 0})
	if p.Phantom {
		entries = append(entries, entry{2, stm, 99})
	}
	// Rows of 1+1+4+2 bytes, each with PNG filter type 2 (Up).
	var rows []byte
	prev := make([]byte, 7)
	for _, e := range entries {
		row := make([]byte, 7)
		row[0] = byte(e.typ)
		binary.BigEndian.PutUint32(row[1:5], uint32(e.f2))
		binary.BigEndian.PutUint16(row[5:7], uint16(e.f3))
		rows = append(rows, 2)
		for i := range row {
			rows = append(rows, row[i]-prev[i])
		}
		prev = row
	}
	writeObj(&b, stm+1, pdfObj{
		body: fmt.Sprintf("<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R %s /Filter /FlateDecode /DecodeParms << /Columns 7 /Predictor 12 >> >>",
			len(entries), p.Root, p.XrefDic),
		stream: deflate(t, rows),
	})
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return b.Bytes()
}

// invoicePacked is a one-page PDF 1.5 file showing content with the
// catalog, page tree and page inside an object stream: content 1, font 2,
// catalog 3, pages 4, page 5.
func invoicePacked(t testing.TB, content string) packedPDF {
	return packedPDF{
		Top: []pdfObj{
			{body: "<< /Filter /FlateDecode >>", stream: deflate(t, []byte(content))},
			{body: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"},
		},
		Packed: []string{
			"<< /Type /Catalog /Pages 4 0 R >>",
			"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
			"<< /Type /Page /Parent 4 0 R /Resources << /Font << /F1 2 0 R >> >> /Contents 1 0 R >>",
		},
		Root: 3,
	}
}

// onePage returns the objects of a one-page document whose page shows
// content with Helvetica: catalog 1, pages 2, page 3, content 4, font 5.
func onePage(content []byte) []pdfObj {
	return []pdfObj{
		{body: "<< /Type /Catalog /Pages 2 0 R >>"},
		{body: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"},
		{body: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"},
		{body: "<< >>", stream: content},
		{body: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"},
	}
}

// invoiceContent shows the words the PDF tests look for.
const invoiceContent = "BT /F1 24 Tf 72 700 Td (Invoice 2026 refund zgloszenie) Tj ET\n" +
	"BT /F1 12 Tf 72 650 Td [(Order) -250 (number) -250 (SUP-26-02-1)] TJ ET\n"
