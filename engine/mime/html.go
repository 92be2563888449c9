package mime

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is the one HTML policy for inbound mail (XSS-01): ordinary
// formatting, tables, links to http, https and mailto, images from http,
// https and cid, and a safe subset of inline styles (XSS-05: no url(), no
// expressions). No script, event handlers, forms, base, meta, style
// elements, frames, objects or embeds: bluemonday drops every element and
// attribute not listed here. Links get rel="nofollow noreferrer noopener".
func policy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "strike",
		"del", "ins", "sub", "sup", "small", "big", "font", "blockquote", "pre", "code", "tt",
		"kbd", "samp", "var", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol", "li", "dl",
		"dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
		"colgroup", "col", "center", "address", "abbr", "q", "cite", "mark", "figure",
		"figcaption", "section", "article", "header", "footer", "main", "nav", "aside", "a", "img")
	p.AllowAttrs("href").Matching(regexp.MustCompile(`(?i)^(https?|mailto):`)).OnElements("a")
	p.AllowAttrs("name", "title").OnElements("a")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`(?i)^(https?|cid):`)).OnElements("img")
	p.AllowAttrs("alt", "width", "height", "border", "align", "hspace", "vspace").OnElements("img")
	p.AllowAttrs("border", "cellpadding", "cellspacing", "width", "height", "align", "bgcolor",
		"summary").OnElements("table")
	p.AllowAttrs("colspan", "rowspan", "align", "valign", "width", "height", "bgcolor", "nowrap",
		"scope").OnElements("td", "th")
	p.AllowAttrs("align", "valign", "bgcolor", "height").OnElements("tr", "thead", "tbody", "tfoot")
	p.AllowAttrs("span", "width", "align", "valign").OnElements("col", "colgroup")
	p.AllowAttrs("color", "face", "size").OnElements("font")
	p.AllowAttrs("align").OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "caption")
	p.AllowAttrs("start", "type", "reversed").OnElements("ol")
	p.AllowAttrs("type").OnElements("ul", "li")
	p.AllowAttrs("dir", "lang", "title").Globally()
	p.AllowStyles("color", "background-color", "font-weight", "font-style", "font-size",
		"font-family", "text-align", "text-decoration", "vertical-align", "white-space",
		"border-collapse", "padding", "margin", "width", "height", "line-height",
		"list-style-type", "text-indent", "text-transform").Globally()
	p.AllowURLSchemes("http", "https", "mailto", "cid")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // adds rel="noopener"
	p.SkipElementsContent("script", "style", "head", "title", "template", "iframe",
		"object", "applet", "embed", "frameset", "noscript")
	return p
}

// sanitizeHTML runs s, already UTF-8, through policy.
func sanitizeHTML(s string) string {
	return strings.TrimSpace(policy().Sanitize(s))
}

// blockTags end a line in htmlToText.
func isBlockTag(name string) bool {
	switch name {
	case "p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"ul", "ol", "dl", "dt", "dd", "section", "article", "header", "footer", "address",
		"center", "form", "main", "nav", "aside", "figure", "figcaption", "caption", "title":
		return true
	}
	return false
}

// textWriter builds plain text with collapsed white space.
type textWriter struct {
	b        strings.Builder
	space    bool // a blank is due before the next word
	newlines int  // line breaks at the end of b
}

func (w *textWriter) words(s string, pre bool) {
	if s == "" {
		return
	}
	if pre {
		w.b.WriteString(s)
		w.newlines = 0
		if strings.HasSuffix(s, "\n") {
			w.newlines = 1
		}
		return
	}
	if r, _ := utf8.DecodeRuneInString(s); isHTMLSpace(r) {
		w.space = true
	}
	for _, f := range strings.FieldsFunc(s, isHTMLSpace) {
		if w.space && w.newlines == 0 && w.b.Len() > 0 {
			w.b.WriteByte(' ')
		}
		w.b.WriteString(f)
		w.space, w.newlines = true, 0
	}
	if r, _ := utf8.DecodeLastRuneInString(s); !isHTMLSpace(r) {
		w.space = false
	}
}

func isHTMLSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\u00a0'
}

// newline ends the line; at most max line breaks in a row.
func (w *textWriter) newline(max int) {
	if w.b.Len() == 0 {
		return
	}
	for w.newlines < max {
		w.b.WriteByte('\n')
		w.newlines++
	}
	w.space = false
}

// htmlToText turns HTML into plain text with golang.org/x/net/html's
// tokenizer: streaming, no tree and no element stack, so 20,000 nested divs
// cost what 20,000 siblings do (DOS-07). Script, style and head content is
// skipped; block elements end lines, list items get "- ".
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var w textWriter
	skip, pre := 0, 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.b.String()
		case html.TextToken:
			if skip == 0 {
				w.words(string(z.Text()), pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style" || n == "head" || n == "title":
				if tt == html.StartTagToken {
					skip++
				}
			case n == "body":
				skip = 0
			case n == "br":
				w.newline(w.newlines + 1)
			case n == "li":
				w.newline(1)
				w.b.WriteString("- ")
				w.newlines = 0
			case n == "td" || n == "th":
				w.space = true
			case n == "hr":
				w.newline(1)
				w.b.WriteString("----")
				w.newlines = 0
				w.newline(1)
			case n == "pre":
				pre++
				w.newline(1)
			case n == "p" || strings.HasPrefix(n, "h") && len(n) == 2:
				w.newline(2)
			case isBlockTag(n):
				w.newline(1)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch n := string(name); {
			case n == "script" || n == "style" || n == "head" || n == "title":
				skip = max(skip-1, 0)
			case n == "pre":
				pre = max(pre-1, 0)
				w.newline(1)
			case n == "p" || strings.HasPrefix(n, "h") && len(n) == 2:
				w.newline(2)
			case isBlockTag(n) || n == "li":
				w.newline(1)
			}
		}
	}
}

// cidRefs returns the content ids the HTML points at ("cid:..."), lower
// case, so the parts they name count as inline.
func cidRefs(s string) map[string]bool {
	refs := map[string]bool{}
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, "cid:")
		if i < 0 {
			return refs
		}
		lower = lower[i+4:]
		end := strings.IndexAny(lower, "\"' >")
		if end < 0 {
			end = len(lower)
		}
		id := html.UnescapeString(lower[:end])
		if u, err := url.PathUnescape(id); err == nil {
			id = u
		}
		refs[strings.Trim(id, "<>")] = true
		lower = lower[end:]
	}
}
