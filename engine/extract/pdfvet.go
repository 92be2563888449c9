package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
)

// The PDF library trusts numbers in the file: an xref stream's /Size and
// /Index and an object stream's /N size allocations and loops, an object
// stream kept inside another object stream makes its resolver recurse until
// the Go stack overflows (a fatal error, which recover cannot catch), and an
// unterminated hex string at the end of an object stream makes its lexer spin
// forever. vetPDF reads the same cross-reference chain and object streams
// the library will read and refuses the file before the library sees it.
// Page content and fonts are checked later, page by page, in pdf.go.

const (
	// maxPDFObjects bounds the object numbers of a file: the library keeps a
	// 32-byte table entry for each number up to the largest one.
	maxPDFObjects = 1 << 20
	// maxXrefSections bounds the /Prev chain of cross-reference sections.
	maxXrefSections = 256
	// maxXrefStreamBytes bounds one decoded cross-reference stream.
	maxXrefStreamBytes = 32 << 20
	// maxObjStmBytes bounds one decoded object stream, which the library
	// decodes again each time it looks up an object in it.
	maxObjStmBytes = 16 << 20
	// maxObjStmTotal bounds all object streams of a file together.
	maxObjStmTotal = 256 << 20
	// maxPNGColumns bounds /Columns of the PNG predictor: the library
	// allocates two rows of that many bytes.
	maxPNGColumns = 1 << 16
)

// xrefEntry mirrors one entry of the library's cross-reference table.
type xrefEntry struct {
	set bool   // the library's "ptr != objptr{}": later sections don't override
	typ byte   // 0 free, 1 at an offset in the file, 2 inside an object stream
	off int64  // file offset (type 1)
	stm uint32 // object stream number (type 2)
}

// xrefTable is the merged table, newest section first, as the library builds it.
type xrefTable struct {
	ents    []xrefEntry
	trailer pdfDict // the newest section's trailer, the only one the library reads
}

func (t *xrefTable) grow(x int) {
	if x >= len(t.ents) {
		t.ents = append(t.ents, make([]xrefEntry, x-len(t.ents)+1)...)
	}
}

// vetPDF checks the structures of data that drive the library's allocations
// and recursion. It returns ErrEncrypted for an encrypted file, an error
// wrapping ErrTooLarge when a count is over a cap, and one wrapping
// ErrMalformed when the structure cannot be read.
func vetPDF(ctx context.Context, data []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", errInternal, p)
		}
	}()
	start, err := findStartXref(data)
	if err != nil {
		return err
	}
	t, err := readXrefChain(ctx, data, start)
	if err != nil {
		return err
	}
	if _, ok := t.trailer["Encrypt"]; ok {
		return ErrEncrypted
	}
	return vetObjectStreams(ctx, data, t)
}

// malformed wraps ErrMalformed with what is wrong.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// tooLarge wraps ErrTooLarge with what is over its cap.
func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTooLarge}, args...)...)
}

// findStartXref finds the offset after the last "startxref" line in the
// last 100 bytes, as the library's NewReader does (ISO 32000-1 7.5.5).
func findStartXref(data []byte) (int64, error) {
	const endChunk = 100
	if len(data) < endChunk {
		return 0, malformed("file too short")
	}
	tail := bytes.TrimRight(data[len(data)-endChunk:], "\r\n\t ")
	if !bytes.HasSuffix(tail, []byte("%%EOF")) {
		return 0, malformed("missing %%%%EOF")
	}
	i := lastLine(tail, []byte("startxref"))
	if i < 0 {
		return 0, malformed("missing startxref")
	}
	l := &lexer{b: data, pos: len(data) - endChunk + i}
	if tok, err := l.token(); err != nil || tok != pdfKeyword("startxref") {
		return 0, malformed("missing startxref")
	}
	tok, err := l.token()
	off, ok := tok.(int64)
	if err != nil || !ok || off < 0 || off >= int64(len(data)) {
		return 0, malformed("startxref does not point into the file")
	}
	return off, nil
}

// lastLine is the library's findLastLine: the last s that sits alone
// between line ends.
func lastLine(buf, s []byte) int {
	end := len(buf)
	for {
		i := bytes.LastIndex(buf[:end], s)
		if i <= 0 || i+len(s) >= len(buf) {
			return -1
		}
		before, after := buf[i-1], buf[i+len(s)]
		if (before == '\n' || before == '\r') && (after == '\n' || after == '\r') {
			return i
		}
		end = i
	}
}

// readXrefChain reads the cross-reference section at off and those its /Prev
// entries lead to. Like the library, a chain is all tables or all streams.
func readXrefChain(ctx context.Context, data []byte, off int64) (*xrefTable, error) {
	t := &xrefTable{}
	seen := map[int64]bool{}
	first, streams := true, false
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n == maxXrefSections {
			return nil, tooLarge("more than %d cross-reference sections", maxXrefSections)
		}
		if off < 0 || off >= int64(len(data)) {
			return nil, malformed("cross-reference offset %d outside the file", off)
		}
		if seen[off] {
			return nil, malformed("cross-reference sections form a loop at offset %d", off)
		}
		seen[off] = true
		l := &lexer{b: data, pos: int(off)}
		save := l.pos
		tok, err := l.token()
		if err != nil {
			return nil, malformed("cross-reference section at offset %d: %v", off, err)
		}
		isTable := tok == pdfKeyword("xref")
		if !first && isTable == streams {
			return nil, malformed("cross-reference chain mixes tables and streams")
		}
		var trailer pdfDict
		if isTable {
			trailer, err = readXrefTableSection(l, t)
		} else {
			l.pos = save
			trailer, err = readXrefStreamSection(ctx, l, t, first)
		}
		if err != nil {
			return nil, fmt.Errorf("cross-reference section at offset %d: %w", off, err)
		}
		if first {
			t.trailer, streams, first = trailer, !isTable, false
		}
		prev, ok := trailer["Prev"]
		if !ok {
			return t, nil
		}
		if off, ok = prev.(int64); !ok {
			return nil, malformed("/Prev is not an integer")
		}
	}
}

// readXrefTableSection reads the subsections of a classic table after the
// "xref" keyword and the trailer dictionary (ISO 32000-1 7.5.4).
func readXrefTableSection(l *lexer, t *xrefTable) (pdfDict, error) {
	for {
		tok, err := l.token()
		if err != nil {
			return nil, malformed("%v", err)
		}
		if tok == pdfKeyword("trailer") {
			break
		}
		start, ok1 := tok.(int64)
		tok, err = l.token()
		count, ok2 := tok.(int64)
		if err != nil || !ok1 || !ok2 || start < 0 || count < 0 {
			return nil, malformed("bad subsection header")
		}
		if start+count > maxPDFObjects {
			return nil, tooLarge("object numbers past %d", maxPDFObjects)
		}
		for i := int64(0); i < count; i++ {
			o, e1 := l.token()
			g, e2 := l.token()
			k, e3 := l.token()
			off, ok1 := o.(int64)
			_, ok2 := g.(int64)
			if e1 != nil || e2 != nil || e3 != nil || !ok1 || !ok2 || (k != pdfKeyword("n") && k != pdfKeyword("f")) {
				return nil, malformed("bad table entry")
			}
			x := int(start + i)
			t.grow(x)
			if k == pdfKeyword("n") && t.ents[x].off == 0 {
				t.ents[x] = xrefEntry{set: true, typ: 1, off: off}
			}
		}
	}
	tr, err := l.object(0)
	trailer, ok := tr.(pdfDict)
	if err != nil || !ok {
		return nil, malformed("no trailer dictionary")
	}
	return trailer, nil
}

// readXrefStreamSection reads a cross-reference stream (ISO 32000-1 7.5.8).
// Its dictionary entries are direct objects, as the standard requires and
// the library assumes.
func readXrefStreamSection(ctx context.Context, l *lexer, t *xrefTable, newest bool) (pdfDict, error) {
	_, obj, at, err := l.indirect()
	if err != nil {
		return nil, malformed("%v", err)
	}
	d, ok := obj.(pdfDict)
	if !ok || at < 0 || d["Type"] != pdfName("XRef") {
		return nil, malformed("not a cross-reference stream")
	}
	size, ok := d["Size"].(int64)
	if !ok || size < 0 {
		return nil, malformed("bad /Size")
	}
	if size > maxPDFObjects {
		return nil, tooLarge("/Size %d", size)
	}
	if newest {
		t.grow(int(size) - 1)
	} else if int(size) > len(t.ents) {
		return nil, malformed("older cross-reference stream is larger than the newest")
	}
	w, err := xrefWidths(d)
	if err != nil {
		return nil, err
	}
	index, err := xrefIndex(d, size)
	if err != nil {
		return nil, err
	}
	length, ok := d["Length"].(int64)
	if !ok || length < 0 || int64(at)+length > int64(len(l.b)) {
		return nil, malformed("bad /Length")
	}
	raw, err := decodeStream(ctx, d, l.b[at:at+int(length)], maxXrefStreamBytes)
	if err != nil {
		return nil, err
	}
	return d, addXrefStreamEntries(t, raw, w, index)
}

// xrefWidths reads /W, the byte widths of the three fields of an entry.
func xrefWidths(d pdfDict) ([3]int, error) {
	var w [3]int
	a, ok := d["W"].(pdfArray)
	if !ok || len(a) < 3 {
		return w, malformed("bad /W")
	}
	for i, v := range a {
		n, ok := v.(int64)
		if !ok || n < 0 || n > 8 {
			return w, malformed("bad /W")
		}
		if i < 3 {
			w[i] = int(n)
		}
	}
	return w, nil
}

// xrefIndex reads /Index, pairs of first object number and count.
func xrefIndex(d pdfDict, size int64) ([]int64, error) {
	v, ok := d["Index"]
	if !ok {
		return []int64{0, size}, nil
	}
	a, ok := v.(pdfArray)
	if !ok || len(a)%2 != 0 {
		return nil, malformed("bad /Index")
	}
	out := make([]int64, len(a))
	for i := 0; i < len(a); i += 2 {
		start, ok1 := a[i].(int64)
		n, ok2 := a[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || n < 0 {
			return nil, malformed("bad /Index")
		}
		if start+n > maxPDFObjects {
			return nil, tooLarge("object numbers past %d", maxPDFObjects)
		}
		out[i], out[i+1] = start, n
	}
	return out, nil
}

// addXrefStreamEntries decodes the entries as the library's
// readXrefStreamData does: the first section to set an entry wins.
func addXrefStreamEntries(t *xrefTable, raw []byte, w [3]int, index []int64) error {
	rec := w[0] + w[1] + w[2]
	field := func(b []byte) int {
		x := 0
		for _, c := range b {
			x = x<<8 | int(c)
		}
		return x
	}
	for ; len(index) > 0; index = index[2:] {
		start, n := index[0], index[1]
		for i := int64(0); i < n; i++ {
			if len(raw) < rec {
				return malformed("cross-reference stream too short")
			}
			e := raw[:rec]
			raw = raw[rec:]
			typ := field(e[:w[0]])
			if w[0] == 0 {
				typ = 1
			}
			f2, f3 := field(e[w[0]:w[0]+w[1]]), field(e[w[0]+w[1]:rec])
			x := int(start + i)
			t.grow(x)
			if t.ents[x].set {
				continue
			}
			switch typ {
			case 0:
				t.ents[x] = xrefEntry{set: true}
			case 1:
				t.ents[x] = xrefEntry{set: x != 0 || uint16(f3) != 0, typ: 1, off: int64(f2)}
			case 2:
				t.ents[x] = xrefEntry{set: x != 0, typ: 2, stm: uint32(f2)}
			}
		}
	}
	return nil
}

// vetObjectStreams checks every object stream the table refers to
// (ISO 32000-1 7.5.7): none may itself sit in an object stream, /N must be
// a direct, bounded count, /Extends must lead to streams that pass the same
// checks, and the decoded data must fit its cap and not end inside a hex
// string.
func vetObjectStreams(ctx context.Context, data []byte, t *xrefTable) error {
	seen := map[uint32]bool{}
	var todo []uint32
	push := func(s uint32) error {
		if int(s) < len(t.ents) && t.ents[s].typ == 2 {
			return malformed("object stream %d is inside another object stream", s)
		}
		if !seen[s] {
			seen[s] = true
			todo = append(todo, s)
		}
		return nil
	}
	for _, e := range t.ents {
		if e.typ == 2 {
			if err := push(e.stm); err != nil {
				return err
			}
		}
	}
	total := 0
	for len(todo) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		ext, n, err := vetObjStm(ctx, data, t, s)
		if err != nil {
			return fmt.Errorf("object stream %d: %w", s, err)
		}
		if total += n; total > maxObjStmTotal {
			return tooLarge("object streams decode to more than %d bytes", maxObjStmTotal)
		}
		if ext != nil {
			if err := push(ext.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// vetObjStm checks object stream s and returns its /Extends reference, if
// any, and its decoded size. A stream the library cannot find or read is
// left to the library, which reports it as an error.
func vetObjStm(ctx context.Context, data []byte, t *xrefTable, s uint32) (*pdfRef, int, error) {
	if int(s) >= len(t.ents) || t.ents[s].typ != 1 || t.ents[s].off <= 0 || t.ents[s].off >= int64(len(data)) {
		return nil, 0, nil
	}
	l := &lexer{b: data, pos: int(t.ents[s].off)}
	_, obj, at, err := l.indirect()
	d, ok := obj.(pdfDict)
	if err != nil || !ok || at < 0 {
		return nil, 0, nil
	}
	if v, ok := d["N"]; ok {
		if n, isInt := v.(int64); !isInt || n < 0 || n > maxPDFObjects {
			return nil, 0, malformed("/N is not a direct count up to %d", maxPDFObjects)
		}
	}
	var ext *pdfRef
	if v, ok := d["Extends"]; ok {
		r, isRef := v.(pdfRef)
		if !isRef {
			return nil, 0, malformed("/Extends is not a reference")
		}
		ext = &r
	}
	raw := data[at:]
	if length, ok := d["Length"].(int64); ok && length >= 0 && int64(at)+length <= int64(len(data)) {
		raw = data[at : at+int(length)]
	} else if _, ok := d["Filter"]; !ok {
		// Without a filter the library reads exactly /Length bytes.
		return nil, 0, malformed("unfiltered object stream without a direct /Length")
	}
	dec, err := decodeStream(ctx, d, raw, maxObjStmBytes)
	if err != nil {
		return nil, 0, err
	}
	if endsInOpenHexString(dec) {
		return nil, 0, malformed("ends inside a hex string")
	}
	return ext, len(dec), nil
}

// decodeStream applies the filters object streams and cross-reference
// streams use: none, or FlateDecode with no predictor or the PNG Up
// predictor (the only ones the library decodes). It reads at most max bytes.
// Decoding that stops on corrupt data keeps what came before, as the
// library's readers do.
func decodeStream(ctx context.Context, d pdfDict, raw []byte, max int) ([]byte, error) {
	flate, err := flateOnly(d["Filter"])
	if err != nil {
		return nil, err
	}
	columns, err := pngUpColumns(d["DecodeParms"])
	if err != nil {
		return nil, err
	}
	if !flate {
		if len(raw) > max {
			return nil, tooLarge("stream over %d bytes", max)
		}
		return raw, nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, malformed("stream: %v", err)
	}
	var out bytes.Buffer
	buf := make([]byte, 32<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, rerr := zr.Read(buf)
		out.Write(buf[:n])
		if out.Len() > max {
			return nil, tooLarge("stream decodes to more than %d bytes", max)
		}
		if rerr != nil {
			break
		}
	}
	if columns == 0 {
		return out.Bytes(), nil
	}
	return unPNGUp(out.Bytes(), columns), nil
}

// flateOnly reports whether /Filter is FlateDecode (by name or as a
// one-element array); no filter is false, anything else an error.
func flateOnly(f any) (bool, error) {
	switch f := f.(type) {
	case nil:
		return false, nil
	case pdfName:
		if f == "FlateDecode" {
			return true, nil
		}
	case pdfArray:
		if len(f) == 0 {
			return false, nil
		}
		if len(f) == 1 && f[0] == pdfName("FlateDecode") {
			return true, nil
		}
	}
	return false, malformed("unsupported filter %v", f)
}

// pngUpColumns returns /Columns when /DecodeParms asks for PNG prediction
// (/Predictor 12), 0 when it asks for none.
func pngUpColumns(p any) (int, error) {
	if a, ok := p.(pdfArray); ok && len(a) == 1 {
		p = a[0]
	}
	switch p := p.(type) {
	case nil:
		return 0, nil
	case pdfDict:
		pred, ok := p["Predictor"]
		if !ok {
			return 0, nil
		}
		if pred != int64(12) {
			return 0, malformed("unsupported predictor %v", pred)
		}
		c, ok := p["Columns"].(int64)
		if !ok || c < 0 || c > maxPNGColumns {
			return 0, malformed("bad /Columns")
		}
		return int(c), nil
	}
	return 0, malformed("bad /DecodeParms")
}

// unPNGUp reverses the PNG Up predictor as the library's pngUpReader does:
// every row starts with filter type 2, and a short or mistyped row ends the
// data.
func unPNGUp(b []byte, columns int) []byte {
	row := columns + 1
	hist := make([]byte, row)
	out := make([]byte, 0, len(b)/row*columns)
	for ; len(b) >= row && b[0] == 2; b = b[row:] {
		for i := 0; i < row; i++ {
			hist[i] += b[i]
		}
		out = append(out, hist[1:]...)
	}
	return out
}

// endsInOpenHexString reports whether b could end inside a hex string: a
// '<' followed only by hex digits and white space. The library's lexer,
// told that end of data is normal (as it is in content, CMap and object
// streams), loops forever on such a string, so such data is refused
// whatever comes before the '<'.
func endsInOpenHexString(b []byte) bool {
	i := len(b)
	for i > 0 && (isPDFSpace(b[i-1]) || unhexDigit(b[i-1]) >= 0) {
		i--
	}
	return i > 0 && b[i-1] == '<'
}
