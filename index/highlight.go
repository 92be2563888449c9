package index

import (
	"context"
	"html"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"searchdesk/engine"
)

// Highlight is the fragment of a ticket that matched, and where it came
// from. Fragment is HTML: the text is escaped first, then the matches are
// wrapped in <mark>, so nothing from a message can become markup.
type Highlight struct {
	MessageID  string `json:"message_id,omitempty"` // empty for the ticket's subject
	Field      string `json:"field"`                // subject, body, attachment or note
	Attachment string `json:"attachment,omitempty"` // the file, when the match is in one
	Fragment   string `json:"fragment"`
}

// Highlights are computed from the records in the store, not from text
// stored in Bleve: the index keeps no copy of the messages.
const (
	fragmentRunes    = 180
	maxHighlightText = 256 << 10 // bytes of one text looked at
)

// hlTerms are the analysed forms of a query's positive text terms, by field.
type hlTerms struct {
	forms    map[string]map[string]bool // field ("" = any text field) → forms
	prefixes map[string][]string        // field → folded prefixes
}

func (h *hlTerms) empty() bool { return len(h.forms) == 0 && len(h.prefixes) == 0 }

// collectTerms walks the query, skipping negated parts, and analyses the
// text terms the searcher's scope lets them search.
func (x *Index) collectTerms(n Node, s Scope, out *hlTerms) {
	switch n := n.(type) {
	case And:
		for _, p := range n.Parts {
			x.collectTerms(p, s, out)
		}
	case Or:
		for _, p := range n.Parts {
			x.collectTerms(p, s, out)
		}
	case *Term:
		switch n.Field {
		case "", "subject", "body", "attachment":
		case "note":
			if s.Customer {
				return
			}
		default:
			return
		}
		if n.Prefix {
			out.prefixes[n.Field] = append(out.prefixes[n.Field], fold(n.Value))
			return
		}
		for _, tok := range x.analyze(queryAnalyzer, n.Value) {
			if out.forms[n.Field] == nil {
				out.forms[n.Field] = map[string]bool{}
			}
			out.forms[n.Field][string(tok.Term)] = true
		}
	}
}

// analyze runs one of the registered analyzers over text.
func (x *Index) analyze(name, text string) analysis.TokenStream {
	a, err := analyzers.AnalyzerNamed(name)
	if err != nil {
		return nil
	}
	return a.Analyze([]byte(text))
}

// span is a match in a text, in bytes.
type span struct{ start, end int }

// matches finds the words of text that match terms searched in field.
func (x *Index) matches(terms *hlTerms, field, text string) []span {
	if len(text) > maxHighlightText {
		text = text[:maxHighlightText]
	}
	var out []span
	for _, tok := range x.analyze(queryAnalyzer, text) {
		form := string(tok.Term)
		folded := ""
		hit := false
		for _, f := range []string{"", field} {
			if terms.forms[f][form] {
				hit = true
			}
			for _, p := range terms.prefixes[f] {
				if folded == "" {
					folded = fold(text[tok.Start:tok.End])
				}
				if strings.HasPrefix(folded, p) {
					hit = true
				}
			}
		}
		if hit && (len(out) == 0 || out[len(out)-1].start != tok.Start) {
			out = append(out, span{tok.Start, tok.End})
		}
	}
	return out
}

// fragment cuts the window of text with the most matches and marks them.
func fragment(text string, spans []span) string {
	if len(spans) == 0 {
		return ""
	}
	// The densest window of fragmentRunes (counted in bytes of a
	// generous 2 bytes per rune, then trimmed to whole runes).
	width := fragmentRunes * 2
	best, bestN := 0, 0
	for i := range spans {
		n := 0
		for j := i; j < len(spans) && spans[j].end-spans[i].start <= width; j++ {
			n++
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	from := max(spans[best].start-width/4, 0)
	to := min(from+width, len(text))
	for from > 0 && from < len(text) && !startsRune(text[from]) {
		from--
	}
	for to < len(text) && !startsRune(text[to]) {
		to++
	}
	if from > 0 { // start on a word
		if k := strings.IndexAny(text[from:spans[best].start], " \n\t"); k >= 0 {
			from += k + 1
		}
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := from
	for _, s := range spans {
		if s.start < from || s.end > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	if to < len(text) {
		b.WriteString(" …")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func startsRune(c byte) bool { return c&0xC0 != 0x80 }

// visibleMessages are the messages of a bundle the scope may read:
// customers never see internal notes or mail held as unverified.
func visibleMessages(b *engine.Bundle, s Scope) []*engine.Message {
	var out []*engine.Message
	for i := range b.Messages {
		m := &b.Messages[i]
		if s.Customer && messageField(m) != "body" {
			continue
		}
		out = append(out, m)
	}
	return out
}

// highlight finds the best fragment of one ticket for the terms.
func (x *Index) highlight(b *engine.Bundle, terms *hlTerms, s Scope) *Highlight {
	var best *Highlight
	bestN := 0
	consider := func(h Highlight, text string, field string) {
		sp := x.matches(terms, field, text)
		if len(sp) > bestN {
			h.Fragment = fragment(text, sp)
			best, bestN = &h, len(sp)
		}
	}
	consider(Highlight{Field: "subject"}, b.Ticket.Subject, "subject")
	for _, m := range visibleMessages(b, s) {
		field := messageField(m)
		consider(Highlight{MessageID: m.ID, Field: field}, m.Text, field)
		for _, a := range m.Attachments {
			h := Highlight{MessageID: m.ID, Field: "attachment", Attachment: a.Name}
			consider(h, a.Name, "attachment")
			if text := b.AttachmentText[a.Hash]; text != "" {
				consider(h, text, "attachment")
			}
		}
	}
	return best
}

// addHighlights fills in the hits' highlights from the store.
func (x *Index) addHighlights(ctx context.Context, root Node, s Scope, hits []Hit) error {
	terms := &hlTerms{forms: map[string]map[string]bool{}, prefixes: map[string][]string{}}
	x.collectTerms(root, s, terms)
	if terms.empty() || len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return x.eng.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
		if err != nil {
			return nil // deleted since the search: no highlight
		}
		i := slices.IndexFunc(hits, func(h Hit) bool { return h.ID == id })
		hits[i].Highlight = x.highlight(b, terms, s)
		return nil
	})
}
