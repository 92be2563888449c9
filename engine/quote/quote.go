package quote

import (
	"strings"
	"unicode"
)

// Parts is the text of one message split by Split. Each part is some of the
// message's lines, in their order, joined with "\n", without blank lines at
// its start or end; a part with no non-blank line is empty.
type Parts struct {
	New       string // what the sender wrote in this message
	Quoted    string // quoted history: earlier messages included in the reply
	Signature string // the sender's signature block
}

const (
	maxSigLines    = 15 // non-blank lines a signature may have after its delimiter
	maxSignOffTail = 2  // non-blank lines that may follow a mobile sign-off
)

// kind is what a line looks like on its own.
type kind uint8

const (
	kindBlank kind = iota // nothing but white space
	kindText              // the sender's text, or a marker
	kindQuote             // starts with ">" after optional white space
	kindMaybe             // ">From " or ">>> ": decided by the neighbours
)

// part is where a line goes.
type part uint8

const (
	partNew part = iota
	partQuoted
	partSignature
)

// Split splits the text of one message (UTF-8, lines ending in "\n") into
// the sender's new text, quoted history and signature. Every non-blank line
// of text lands in exactly one of the parts. See the package documentation
// for what counts as quoted and as a signature.
func Split(text string) Parts {
	if strings.TrimSpace(text) == "" {
		return Parts{}
	}
	s := newSplitter(strings.Split(text, "\n"))
	s.run()
	return s.assemble()
}

// splitter holds the lines of one message and what was decided about them.
type splitter struct {
	lines []string
	kinds []kind
	// next[i] is the first non-blank line at or after i, or len(lines);
	// next has len(lines)+1 entries.
	next  []int
	parts []part
	// fields caches headerField of each line, plus fieldKnown once computed.
	fields []field
}

func newSplitter(lines []string) *splitter {
	n := len(lines)
	s := &splitter{
		lines:  lines,
		kinds:  make([]kind, n),
		next:   make([]int, n+1),
		parts:  make([]part, n),
		fields: make([]field, n),
	}
	for i, line := range lines {
		s.kinds[i] = lineKind(line)
	}
	s.next[n] = n
	for i := n - 1; i >= 0; i-- {
		if s.kinds[i] == kindBlank {
			s.next[i] = s.next[i+1]
		} else {
			s.next[i] = i
		}
	}
	s.resolvePrompts()
	s.resolveFromEscapes()
	return s
}

// lineKind classifies one line by its first non-space character.
func lineKind(line string) kind {
	t := strings.TrimLeftFunc(line, unicode.IsSpace)
	switch {
	case t == "":
		return kindBlank
	case t[0] != '>':
		return kindText
	case len(t) == len(line) && (isPrompt(line) || strings.HasPrefix(line, ">From ")):
		return kindMaybe
	}
	return kindQuote
}

// isPrompt reports whether line starts like the Python prompt ">>> ".
func isPrompt(line string) bool {
	return line == ">>>" || strings.HasPrefix(line, ">>> ")
}

// resolvePrompts decides the ">>> " lines paragraph by paragraph (runs of
// non-blank lines): in a paragraph without other quoted lines, where an
// unquoted line (the prompt's output, a "..." continuation) follows a
// prompt, they are an interactive session; elsewhere they are a third
// level of quoting.
func (s *splitter) resolvePrompts() {
	n := len(s.lines)
	for a := 0; a < n; {
		if s.kinds[a] == kindBlank {
			a++
			continue
		}
		b, quoted, prompt, output := a, false, false, false
		for ; b < n && s.kinds[b] != kindBlank; b++ {
			switch s.kinds[b] {
			case kindQuote:
				quoted = true
			case kindText:
				output = output || prompt
			case kindMaybe:
				prompt = prompt || isPrompt(s.lines[b])
			}
		}
		for i := a; i < b; i++ {
			if s.kinds[i] == kindMaybe && isPrompt(s.lines[i]) {
				if output && !quoted {
					s.kinds[i] = kindText
				} else {
					s.kinds[i] = kindQuote
				}
			}
		}
		a = b
	}
}

// resolveFromEscapes decides the ">From " lines: mbox escaping turns a body
// line "From ..." into ">From ...", so the line is quoted only when the
// nearest non-blank line before or after it is quoted.
func (s *splitter) resolveFromEscapes() {
	prev := -1
	for i, k := range s.kinds {
		if k == kindBlank {
			continue
		}
		if k == kindMaybe {
			next := s.next[i+1]
			if (prev >= 0 && s.kinds[prev] == kindQuote) ||
				(next < len(s.lines) && s.kinds[next] == kindQuote) {
				s.kinds[i] = kindQuote
			} else {
				s.kinds[i] = kindText
			}
		}
		prev = i
	}
}

// run decides the part of every line.
func (s *splitter) run() {
	n := len(s.lines)
	end := n     // the sender's own text ends here
	history := n // quoted history runs from here to the end
scan:
	for i := 0; i < n; i++ {
		switch s.kinds[i] {
		case kindBlank:
			continue
		case kindQuote:
			s.parts[i] = partQuoted
			continue
		}
		if isForwardMarker(s.lines[i]) {
			end = i
			break scan
		}
		if s.startsHistory(i) {
			end, history = i, i
			break scan
		}
		if last, strong, ok := s.attribution(i); ok {
			if j := s.next[last+1]; j < n && s.kinds[j] == kindQuote {
				for k := i; k <= last; k++ {
					s.parts[k] = partQuoted
				}
				i = last
				continue
			}
			if strong {
				end, history = i, i
				break scan
			}
		}
	}
	s.placeBlanks(end)
	s.markSignature(end)
	for i := history; i < n; i++ {
		s.parts[i] = partQuoted
	}
	// Lines from a forward marker on keep partNew.
}

// placeBlanks gives each blank line before end the part of the nearest
// non-blank line above it, or below it at the top of the text, so that
// blank lines separate paragraphs inside a part.
func (s *splitter) placeBlanks(end int) {
	prev := -1
	for i := 0; i < end; i++ {
		if s.kinds[i] != kindBlank {
			prev = i
			continue
		}
		switch {
		case prev >= 0:
			s.parts[i] = s.parts[prev]
		case s.next[i] < end:
			s.parts[i] = s.parts[s.next[i]]
		}
	}
}

// markSignature finds the signature in the last run of new lines before
// end and marks it.
func (s *splitter) markSignature(end int) {
	last := -1
	for i := end - 1; i >= 0; i-- {
		if s.kinds[i] != kindBlank && s.parts[i] == partNew {
			last = i
			break
		}
	}
	if last < 0 {
		return
	}
	start, seen := -1, 0
	for i := last; i >= 0 && seen <= maxSigLines; i-- {
		if s.kinds[i] == kindBlank {
			continue
		}
		if s.parts[i] != partNew {
			break // the run of new lines ends at a quoted line
		}
		if isSigDelimiter(s.lines[i]) || (seen <= maxSignOffTail && isSignOff(s.lines[i])) {
			start = i
		}
		seen++
	}
	if start < 0 {
		return
	}
	for i := start; i <= last; i++ {
		s.parts[i] = partSignature
	}
}

// assemble joins the lines of each part, leaving out blank lines at the
// edges of a part.
func (s *splitter) assemble() Parts {
	var first, last, size [3]int
	for p := range first {
		first[p] = -1
	}
	for i, p := range s.parts {
		if s.kinds[i] == kindBlank {
			continue
		}
		if first[p] < 0 {
			first[p] = i
		}
		last[p] = i
	}
	var out [3]string
	for p := range out {
		if first[p] < 0 {
			continue
		}
		for i := first[p]; i <= last[p]; i++ {
			if s.parts[i] == part(p) {
				size[p] += len(s.lines[i]) + 1
			}
		}
		var b strings.Builder
		b.Grow(size[p])
		for i := first[p]; i <= last[p]; i++ {
			if s.parts[i] != part(p) {
				continue
			}
			if i > first[p] {
				b.WriteByte('\n')
			}
			b.WriteString(s.lines[i])
		}
		out[p] = b.String()
	}
	return Parts{New: out[partNew], Quoted: out[partQuoted], Signature: out[partSignature]}
}
