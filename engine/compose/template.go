package compose

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
)

// Kind names the occasion a template is written for.
type Kind string

// The kinds of mail a desk sends.
const (
	Ack           Kind = "ack"             // a new ticket was opened
	AckAfterHours Kind = "ack_after_hours" // the same, outside working hours
	AgentReply    Kind = "agent_reply"     // an agent answered the customer
	Resolved      Kind = "resolved"        // the ticket's status became resolved
	Summary       Kind = "summary"         // a correspondence summary on demand
	AgentNotify   Kind = "agent_notify"    // to an agent: a customer wrote on their ticket
)

// Template is a message with {{name}} placeholders: a one-line Subject and a
// Markdown Body. Spaces inside the braces are allowed: {{ name }}.
type Template struct {
	Subject string
	Body    string
}

// Vars holds the values of the template variables, named in the comments.
// Customer values are plain text and are escaped in the Markdown body;
// CommentContent is the agent's Markdown and is inserted as written.
type Vars struct {
	TicketTitle    string // ticket_title, from the customer
	TicketNumber   string // ticket_number, as the desk's pattern renders it
	TicketURL      string // ticket_url, an http or https URL
	DeskName       string // desk_name
	CustomerName   string // customer_name, from the customer
	CommentContent string // comment_content, the agent's Markdown
	Status         string // status
	AgentName      string // agent_name
	Quote          string // quote, the last customer message (see QuoteLast)
	Summary        string // summary, plain text, one point per line
}

// insertion says how a value is written into the body.
type insertion int

const (
	asText     insertion = iota // one line of plain text
	asLines                     // plain text that keeps its lines
	asQuote                     // plain text lines, as a "> " block quote
	asURL                       // a link target
	asMarkdown                  // Markdown, unchanged
)

// varNames lists the known variables, in the order of Vars.
func varNames() []string {
	return []string{"ticket_title", "ticket_number", "ticket_url", "desk_name",
		"customer_name", "comment_content", "status", "agent_name", "quote", "summary"}
}

// lookup returns the value of the named variable and how it is inserted.
func (v *Vars) lookup(name string) (string, insertion, bool) {
	switch name {
	case "ticket_title":
		return v.TicketTitle, asText, true
	case "ticket_number":
		return v.TicketNumber, asText, true
	case "ticket_url":
		return v.TicketURL, asURL, true
	case "desk_name":
		return v.DeskName, asText, true
	case "customer_name":
		return v.CustomerName, asText, true
	case "comment_content":
		return v.CommentContent, asMarkdown, true
	case "status":
		return v.Status, asText, true
	case "agent_name":
		return v.AgentName, asText, true
	case "quote":
		return v.Quote, asQuote, true
	case "summary":
		return v.Summary, asLines, true
	}
	return "", 0, false
}

// TemplateError reports a placeholder that Check rejects.
type TemplateError struct {
	Field    string // "subject" or "body"
	Pos      int    // byte offset of the placeholder's "{{" in the field
	Name     string // the variable as written, without braces and spaces
	Suggest  string // the known variable Name is closest to, if any
	Unclosed bool   // the "{{" has no "}}"
}

// Error describes the placeholder, for example:
// compose: body: unknown variable "ticket_nmber" at 34 (did you mean "ticket_number"?).
func (e *TemplateError) Error() string {
	switch {
	case e.Unclosed:
		return fmt.Sprintf("compose: %s: unclosed \"{{\" at %d", e.Field, e.Pos)
	case e.Name == "":
		return fmt.Sprintf("compose: %s: empty variable at %d", e.Field, e.Pos)
	case e.Suggest != "":
		return fmt.Sprintf("compose: %s: unknown variable %q at %d (did you mean %q?)", e.Field, e.Name, e.Pos, e.Suggest)
	}
	return fmt.Sprintf("compose: %s: unknown variable %q at %d", e.Field, e.Name, e.Pos)
}

// placeholder is one {{name}} in a template field.
type placeholder struct {
	start, end int // offsets of "{{" and just past "}}"
	name       string
}

// parse finds the placeholders of one template field. Its error joins a
// *TemplateError for every bad placeholder.
func parse(field, s string) ([]placeholder, error) {
	var ps []placeholder
	var errs []error
	for i := 0; ; {
		j := strings.Index(s[i:], "{{")
		if j < 0 {
			break
		}
		start := i + j
		k := strings.Index(s[start+2:], "}}")
		if k < 0 {
			errs = append(errs, &TemplateError{Field: field, Pos: start, Unclosed: true})
			break
		}
		inner := s[start+2 : start+2+k]
		if n := strings.Index(inner, "{{"); n >= 0 {
			// "{{ a {{b}}": the first pair is open, the second may be fine.
			errs = append(errs, &TemplateError{Field: field, Pos: start, Unclosed: true})
			i = start + 2 + n
			continue
		}
		p := placeholder{start: start, end: start + 2 + k + 2, name: strings.TrimSpace(inner)}
		if _, _, ok := (&Vars{}).lookup(p.name); !ok {
			errs = append(errs, &TemplateError{Field: field, Pos: start, Name: p.name, Suggest: suggest(p.name)})
		}
		ps = append(ps, p)
		i = p.end
	}
	return ps, errors.Join(errs...)
}

// Check reports every unknown variable and unclosed "{{" in t, as
// *TemplateError values joined into one error.
func Check(t Template) error {
	_, err1 := parse("subject", t.Subject)
	_, err2 := parse("body", t.Body)
	return errors.Join(err1, err2)
}

// Render fills t with v. The subject is one line of plain text. The text is
// the Markdown body with plain values, readable as it is; the HTML is the
// body with escaped values, rendered by goldmark and sanitized by bluemonday.
func Render(t Template, v Vars) (subject, text, html string, err error) {
	sp, err1 := parse("subject", t.Subject)
	bp, err2 := parse("body", t.Body)
	if err := errors.Join(err1, err2); err != nil {
		return "", "", "", err
	}
	subject = oneLine(fill(t.Subject, sp, func(name string) string {
		val, _, _ := v.lookup(name)
		return oneLine(val)
	}))
	text = cleanLines(fill(t.Body, bp, v.plain))
	html, err = toHTML(cleanLines(fill(t.Body, bp, v.markdown)))
	if err != nil {
		return "", "", "", err
	}
	return subject, text, html, nil
}

// fill replaces the placeholders ps of s by value(name).
func fill(s string, ps []placeholder, value func(name string) string) string {
	var b strings.Builder
	last := 0
	for _, p := range ps {
		b.WriteString(s[last:p.start])
		b.WriteString(value(p.name))
		last = p.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// plain returns the value of a variable for the text part.
func (v *Vars) plain(name string) string {
	val, how, _ := v.lookup(name)
	switch how {
	case asText:
		return oneLine(val)
	case asQuote:
		return quoteLines(cleanLines(val), func(s string) string { return s })
	case asURL:
		if u, ok := linkURL(val); ok {
			return u
		}
		return oneLine(val)
	}
	return cleanLines(val)
}

// markdown returns the value of a variable for the Markdown of the HTML part.
// Plain text is escaped so it cannot form links, emphasis or HTML.
func (v *Vars) markdown(name string) string {
	val, how, _ := v.lookup(name)
	switch how {
	case asText:
		return escapeMarkdown(oneLine(val))
	case asLines:
		lines := strings.Split(cleanLines(val), "\n")
		for i, l := range lines {
			lines[i] = escapeMarkdown(strings.TrimLeft(l, " \t"))
		}
		return strings.Join(lines, "\n")
	case asQuote:
		return quoteLines(cleanLines(val), func(s string) string {
			return escapeMarkdown(strings.TrimLeft(s, " \t"))
		})
	case asURL:
		if u, ok := linkURL(val); ok {
			return u
		}
		return escapeMarkdown(oneLine(val))
	}
	return cleanLines(val)
}

// quoteLines prefixes each line of s, after esc, with "> ".
func quoteLines(s string, esc func(string) string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l = esc(l); l == "" {
			lines[i] = ">"
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

// escapeMarkdown puts a backslash before every ASCII punctuation character,
// which CommonMark then shows literally (CommonMark 0.31 section 2.4). This
// covers emphasis, links, headings, lists, tables, entities and HTML.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '/' || r >= ':' && r <= '@' || r >= '[' && r <= '`' || r >= '{' && r <= '~' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// linkURL returns s as a CommonMark autolink target when it is an absolute
// http or https URL; characters an autolink cannot hold are percent-encoded.
func linkURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("<>\"`\\", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// toHTML renders Markdown as GitHub does, without raw HTML, and sanitizes
// the result (XSS-04 in docs/security.md).
func toHTML(md string) (string, error) {
	gm := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(gmhtml.WithHardWraps()),
	)
	var buf bytes.Buffer
	if err := gm.Convert([]byte(md), &buf); err != nil {
		return "", fmt.Errorf("compose: render markdown: %w", err)
	}
	return bluemonday.UGCPolicy().Sanitize(buf.String()), nil
}

// suggest returns the known variable closest to name, or "" when none is
// close enough to be a likely typo.
func suggest(name string) string {
	if name == "" || len(name) > 64 {
		return ""
	}
	best, bestDist := "", 3
	for _, known := range varNames() {
		if d := distance(strings.ToLower(name), known); d < bestDist {
			best, bestDist = known, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// MarkdownHTML renders Markdown written by staff (a reply, a note, its
// preview) to sanitized HTML: goldmark without raw HTML, then bluemonday,
// the same path outgoing mail takes (XSS-04).
func MarkdownHTML(md string) (string, error) { return toHTML(md) }
