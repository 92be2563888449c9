package extract

import (
	"context"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText turns HTML into text with golang.org/x/net/html's tokenizer.
// The tokenizer keeps no element stack, so deep nesting costs nothing; the
// loop keeps two flags and a counter and stops once MaxOutput bytes are
// written. Script, style and the head are dropped, block elements start new
// lines, entities are decoded by the tokenizer.
func htmlText(ctx context.Context, data []byte, label string, lim Limits) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	z := html.NewTokenizer(strings.NewReader(decodeText(data, label, true)))
	var w htmlWriter
	inHead, skipText, pre := false, false, 0
	for n := 0; w.b.Len() <= lim.MaxOutput; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return "", stopReason(ctx)
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF, or a token over the tokenizer's buffer: either way
			// the text so far is the result.
			return w.b.String(), nil
		case html.TextToken:
			if !inHead && !skipText {
				w.text(string(z.Text()), pre > 0)
			}
			skipText = false
			continue
		}
		skipText = false
		name, _ := z.TagName()
		a := atom.Lookup(name)
		switch {
		case tt == html.EndTagToken:
			switch {
			case a == atom.Head:
				inHead = false
			case a == atom.Pre || a == atom.Textarea:
				pre = max(pre-1, 0)
			}
			if isBlock(a) {
				w.newline()
			}
		case tt == html.StartTagToken || tt == html.SelfClosingTagToken:
			switch {
			case a == atom.Head:
				inHead = true
			case a == atom.Body || !isHeadElement(a):
				// HTML 5 13.2.6.4.4: other elements close the head.
				inHead = false
			}
			// The tokenizer returns the body of these raw-text elements
			// as one text token, which is not text a reader sees.
			skipText = tt == html.StartTagToken && isHiddenRaw(a)
			switch {
			case tt == html.StartTagToken && (a == atom.Pre || a == atom.Textarea):
				pre++
			case a == atom.Td || a == atom.Th:
				w.space()
			}
			if isBlock(a) || a == atom.Br {
				w.newline()
			}
		}
	}
	return w.b.String(), nil
}

// isBlock reports whether the element starts and ends a line.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Caption, atom.Center,
		atom.Dd, atom.Div, atom.Dl, atom.Dt, atom.Fieldset, atom.Figcaption, atom.Figure,
		atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Header, atom.Hr, atom.Li, atom.Main, atom.Nav, atom.Ol, atom.P, atom.Pre,
		atom.Section, atom.Table, atom.Tr, atom.Ul, atom.Body, atom.Html, atom.Textarea:
		return true
	}
	return false
}

// isHeadElement reports whether the element may appear in the head.
func isHeadElement(a atom.Atom) bool {
	switch a {
	case atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta, atom.Title,
		atom.Noscript, atom.Noframes, atom.Style, atom.Script, atom.Template, atom.Html:
		return true
	}
	return false
}

// isHiddenRaw reports whether the element's raw text is never shown.
func isHiddenRaw(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Noembed,
		atom.Noframes, atom.Iframe:
		return true
	}
	return false
}

// htmlWriter collects text: outside <pre> white space runs become one
// space, and line breaks are not repeated more than once in a row.
type htmlWriter struct {
	b strings.Builder
}

func (w *htmlWriter) text(s string, pre bool) {
	if pre {
		w.b.WriteString(s)
		return
	}
	for i, f := range strings.Fields(s) {
		if i > 0 || startsWithSpace(s) {
			w.space()
		}
		w.b.WriteString(f)
	}
	if s != "" && endsWithSpace(s) {
		w.space()
	}
}

func (w *htmlWriter) space() {
	if s := w.b.String(); s != "" && !strings.HasSuffix(s, " ") && !strings.HasSuffix(s, "\n") {
		w.b.WriteByte(' ')
	}
}

func (w *htmlWriter) newline() {
	if s := w.b.String(); s != "" && !strings.HasSuffix(s, "\n\n") {
		w.b.WriteByte('\n')
	}
}

func startsWithSpace(s string) bool {
	return s != "" && strings.TrimLeft(s[:1], " \t\r\n\f") == ""
}

func endsWithSpace(s string) bool {
	return s != "" && strings.TrimRight(s[len(s)-1:], " \t\r\n\f") == ""
}
