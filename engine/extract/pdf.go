package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ledongthuc/pdf"
)

// Caps on the page tree walk of collectPages, so a /Kids loop ends.
const (
	maxPDFPages      = 2000  // pages read from one file
	maxPageTreeNodes = 20000 // page tree nodes visited
)

// Headers of PDF 2.0 and of the last 1.x version.
const pdf20, pdf17 = "%PDF-2.0", "%PDF-1.7"

// errStopped is what guardedReader returns once the extraction has been
// abandoned. It is not io.EOF, so the library's lexer stops at once.
var errStopped = errors.New("extraction stopped")

// guardedReader is the library's view of the file. Every read checks ctx,
// so a library call still running after the timeout fails at its next read
// instead of running on; release waits for reads under way and makes all
// later ones fail, so the caller's slice is never touched once Text returns.
type guardedReader struct {
	ctx  context.Context
	mu   sync.RWMutex
	data []byte // nil once released
}

func (g *guardedReader) ReadAt(p []byte, off int64) (int, error) {
	if g.ctx.Err() != nil {
		return 0, errStopped
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	if g.data == nil {
		return 0, errStopped
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off:])
	// The library accepts only "%PDF-1.0" to "%PDF-1.7"; a PDF 2.0 file
	// (ISO 32000-2) uses the same syntax, so it is shown a 1.7 header.
	if off < int64(len(pdf20)) && bytes.HasPrefix(g.data, []byte(pdf20)) {
		copy(p, pdf17[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (g *guardedReader) release() {
	g.mu.Lock()
	g.data = nil
	g.mu.Unlock()
}

// extractPDF returns the text of a PDF. The library runs in its own
// goroutine, behind recover and the timeout. After a timeout that goroutine
// may still run until it next reads the file (which then fails), and on
// some hostile files the library loops without reading or recurses until
// the stack overflows, which no recover catches: in process, the timeout
// frees the caller but not the CPU, and a stack overflow ends the process.
// That is why servers extract through Child, where the deadline kills the
// process and a crash is one file's error.
func extractPDF(ctx context.Context, data []byte, lim Limits) (string, error) {
	if len(data) > lim.MaxInput {
		return "", tooLarge("%d bytes, limit %d", len(data), lim.MaxInput)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return "", malformed("no %%PDF- header")
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	g := &guardedReader{ctx: ctx, data: data}
	defer g.release()

	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1) // buffered: a late worker must not block
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: malformed("pdf reader: %v", p)}
			}
			done <- r
		}()
		r.text, r.err = g.extract(lim.MaxOutput)
	}()

	select {
	case r := <-done:
		if r.err != nil && ctx.Err() != nil {
			return "", stopReason(ctx)
		}
		return r.text, r.err
	case <-ctx.Done():
		return "", stopReason(ctx)
	}
}

// stopReason tells a timeout from a cancellation by the caller.
func stopReason(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrTimeout
	}
	return ctx.Err()
}

// extract opens the file and reads its pages in order until maxOut bytes
// of text are in hand. A page that cannot be read is skipped; the error of
// the first such page is returned only when no page gave any text.
func (g *guardedReader) extract(maxOut int) (string, error) {
	g.mu.RLock()
	size := len(g.data)
	g.mu.RUnlock()
	if size == 0 {
		return "", errStopped
	}
	r, err := pdf.NewReader(g, int64(size))
	if errors.Is(err, pdf.ErrInvalidPassword) {
		return "", ErrEncrypted // the empty user password does not open it
	}
	if err != nil {
		return "", malformed("%v", err)
	}
	var out strings.Builder
	var firstErr error
	for i, p := range collectPages(r.Trailer().Key("Root").Key("Pages")) {
		if err := g.ctx.Err(); err != nil {
			return "", err
		}
		text, err := pageText(p, maxOut-out.Len())
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("page %d: %w", i+1, err)
			}
			continue
		}
		out.WriteString(text)
		out.WriteByte('\n')
		if out.Len() >= maxOut {
			break
		}
	}
	if strings.TrimSpace(out.String()) == "" && firstErr != nil {
		return "", firstErr
	}
	return out.String(), nil
}

// collectPages walks the page tree (ISO 32000-1 7.7.3) depth first, in
// document order. A node with /Kids is an inner node whatever its /Type
// says; any other dictionary is taken as a page. The walk pushes at most
// maxPageTreeNodes nodes, so a /Kids loop ends.
func collectPages(root pdf.Value) []pdf.Page {
	var pages []pdf.Page
	stack := []pdf.Value{root}
	pushed := 1
	for len(stack) > 0 && len(pages) < maxPDFPages {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v.Kind() != pdf.Dict {
			continue
		}
		kids := v.Key("Kids")
		if kids.Kind() != pdf.Array || v.Key("Type").Name() == "Page" {
			pages = append(pages, pdf.Page{V: v})
			continue
		}
		n := min(kids.Len(), maxPageTreeNodes-pushed)
		pushed += n
		for i := n - 1; i >= 0; i-- {
			stack = append(stack, kids.Index(i))
		}
	}
	return pages
}

// pageText returns one page's text, at most about maxOut bytes. The library reports most problems by panicking; they are
// recovered here so that one bad page does not end the file.
func pageText(p pdf.Page, maxOut int) (text string, err error) {
	var b strings.Builder
	defer func() {
		if x := recover(); x != nil {
			if x == errPageFull {
				text, err = b.String(), nil
				return
			}
			text, err = "", malformed("%v", x)
		}
	}()
	showText(p, &b, maxOut)
	return b.String(), nil
}

// errPageFull stops the content interpreter once enough text is in hand.
var errPageFull = errors.New("page text full")

// tjSpace is the TJ displacement, in thousandths of an em, past which a
// gap between two strings is taken as a word break; kerning stays well
// below it (ISO 32000-1 9.4.3).
const tjSpace = -200

// showText interprets the page's content with the library's Interpret and
// writes the strings of the text-showing operators (ISO 32000-1 9.4.3),
// decoded through each font's encoding or ToUnicode map, to b. Unlike the
// library's Page.GetPlainText it ends a line at each line move and turns
// wide TJ gaps into spaces, so words set one by one don't run together,
// and it stops once b holds maxOut bytes.
func showText(p pdf.Page, b *strings.Builder, maxOut int) {
	fonts := map[string]pdf.TextEncoding{}
	var enc pdf.TextEncoding
	show := func(v pdf.Value) {
		if v.Kind() != pdf.String {
			return
		}
		s := v.RawString()
		if enc != nil {
			s = enc.Decode(s)
		}
		b.WriteString(s)
	}
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT", "ET", "T*", "'", "\"":
			b.WriteByte('\n')
		case "Td", "TD", "Tm":
			b.WriteByte(' ')
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				e, ok := fonts[name]
				if !ok {
					f := p.Font(name)
					e = f.Encoder()
					fonts[name] = e
				}
				enc = e
			}
		}
		switch op {
		case "Tj", "'", "\"":
			if len(args) > 0 {
				show(args[len(args)-1])
			}
		case "TJ":
			if len(args) == 1 {
				a := args[0]
				for i := 0; i < a.Len(); i++ {
					x := a.Index(i)
					if x.Kind() == pdf.String {
						show(x)
					} else if x.Float64() < tjSpace {
						b.WriteByte(' ')
					}
				}
			}
		}
		if b.Len() >= maxOut {
			panic(errPageFull)
		}
	})
}
