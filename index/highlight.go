package index

import (
	"context"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// keys are folded word beginnings that every word matching a form
	// starts with, as far as the stemmers only cut endings off: a word of
	// a text is analysed only when it starts with one of them, so a
	// highlight costs a scan of the text plus the analysis of a few
	// candidate words, not the analysis of the whole text.
	keys map[string][]string // field → folded beginnings
	// seen memoizes the verdict on a candidate word, by field and word.
	seen map[[2]string]bool
}

func newHLTerms() *hlTerms {
	return &hlTerms{forms: map[string]map[string]bool{}, prefixes: map[string][]string{},
		keys: map[string][]string{}, seen: map[[2]string]bool{}}
}

func (h *hlTerms) empty() bool { return len(h.forms) == 0 && len(h.prefixes) == 0 }

// minKey is the shortest word beginning a candidate must share with the
// query word; shorter query words must be matched whole.
const minKey = 3

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
		x.collectWords(n.Field, n.Value, out)
	}
}

// collectWords adds the forms of each word of a term's value (one word, or
// the words of a phrase), and the beginnings candidates must start with.
func (x *Index) collectWords(field, value string, out *hlTerms) {
	for _, w := range strings.FieldsFunc(value, notWordRune) {
		fw := fold(w)
		for _, tok := range x.analyze(queryAnalyzer, w) {
			form := string(tok.Term)
			if out.forms[field] == nil {
				out.forms[field] = map[string]bool{}
			}
			out.forms[field][form] = true
			key := commonPrefix(fw, form)
			if len(key) < minKey {
				key = fw[:min(len(fw), minKey)]
			}
			if !slices.Contains(out.keys[field], key) {
				out.keys[field] = append(out.keys[field], key)
			}
		}
	}
}

// commonPrefix is the longest common beginning of a and b, in whole runes.
func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	for n > 0 && n < len(a) && !startsRune(a[n]) {
		n--
	}
	return a[:n]
}

// notWordRune reports whether r separates words for highlighting.
func notWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
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

// maxSpans bounds the matches collected in one text: a fragment shows far
// fewer.
const maxSpans = 64

// matches finds the words of text that match terms searched in field. It
// scans the text for words (letters and digits) and analyses only those
// that start like a query word, so its cost is bounded by maxHighlightText
// bytes of scanning whatever the text.
func (x *Index) matches(terms *hlTerms, field, text string) []span {
	if len(text) > maxHighlightText {
		text = text[:maxHighlightText]
	}
	var out []span
	for i := 0; i < len(text) && len(out) < maxSpans; {
		r, n := utf8.DecodeRuneInString(text[i:])
		if notWordRune(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if notWordRune(r) {
				break
			}
			j += n
		}
		if x.wordMatches(terms, field, text[i:j]) {
			out = append(out, span{i, j})
		}
		i = j
	}
	return out
}

// wordMatches reports whether one word of a text matches a query term
// searched in field: a prefix term by its beginning, any other by its
// analysed forms, looked at only when the word starts like a query word.
func (x *Index) wordMatches(terms *hlTerms, field, word string) bool {
	fw := fold(word)
	candidate := false
	for _, f := range []string{"", field} {
		for _, p := range terms.prefixes[f] {
			if strings.HasPrefix(fw, p) {
				return true
			}
		}
		for _, k := range terms.keys[f] {
			if strings.HasPrefix(fw, k) {
				candidate = true
			}
		}
	}
	if !candidate {
		return false
	}
	k := [2]string{field, fw}
	if v, ok := terms.seen[k]; ok {
		return v
	}
	hit := false
	for _, tok := range x.analyze(queryAnalyzer, word) {
		if terms.forms[""][string(tok.Term)] || terms.forms[field][string(tok.Term)] {
			hit = true
			break
		}
	}
	terms.seen[k] = hit
	return hit
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

// What one page of highlights may look at (invariant 8): a ticket's texts
// are scanned newest first until a fragment has goodFragment matches, at
// most maxHitMessages messages and maxHitText bytes of text a hit and
// maxPageText bytes a page, so the cost of a page does not grow with the
// size of its tickets.
const (
	goodFragment   = 3
	maxHitMessages = 20
	maxHitText     = 64 << 10
	maxPageText    = 1 << 20
)

// hlPage is the highlighting of one page of hits.
type hlPage struct {
	x       *Index
	terms   *hlTerms
	scope   Scope
	scanned int // bytes of text looked at on this page
}

// ticket finds the best fragment of one ticket: its subject, then its
// messages newest first (only those the scope may read) and their
// attachments, within the page's budget.
func (p *hlPage) ticket(ctx context.Context, t *engine.Ticket) (*Highlight, error) {
	var best *Highlight
	bestN, hitScanned, messages := 0, 0, 0
	consider := func(h Highlight, text string, field string) bool {
		text = text[:min(len(text), maxHighlightText, maxHitText-hitScanned, max(maxPageText-p.scanned, 0))]
		hitScanned += len(text)
		p.scanned += len(text)
		if sp := p.x.matches(p.terms, field, text); len(sp) > bestN {
			h.Fragment = fragment(text, sp)
			best, bestN = &h, len(sp)
		}
		return bestN < goodFragment && hitScanned < maxHitText && p.scanned < maxPageText
	}
	if !consider(Highlight{Field: "subject"}, t.Subject, "subject") {
		return best, nil
	}
	err := p.x.eng.MessageTexts(ctx, t.ID, func(m *engine.Message, attText func(string) string) bool {
		field := messageField(m)
		if p.scope.Customer && field != "body" {
			return true
		}
		if messages++; messages > maxHitMessages {
			return false
		}
		if !consider(Highlight{MessageID: m.ID, Field: field}, m.Text, field) {
			return false
		}
		for _, a := range m.Attachments {
			h := Highlight{MessageID: m.ID, Field: "attachment", Attachment: a.Name}
			if !consider(h, a.Name, "attachment") {
				return false
			}
			if a.TextKind != "" && !consider(h, attText(a.Hash), "attachment") {
				return false
			}
		}
		return true
	})
	return best, err
}

// addHighlights fills in the hits' highlights from the store.
func (x *Index) addHighlights(ctx context.Context, root Node, s Scope, hits []Hit) error {
	terms := newHLTerms()
	x.collectTerms(root, s, terms)
	if terms.empty() || len(hits) == 0 {
		return nil
	}
	p := &hlPage{x: x, terms: terms, scope: s}
	for i := range hits {
		t, err := x.eng.Ticket(ctx, hits[i].ID)
		if err != nil {
			continue // deleted since the search: no highlight
		}
		if hits[i].Highlight, err = p.ticket(ctx, &t); err != nil {
			return err
		}
	}
	return nil
}
