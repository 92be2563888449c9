package lang

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerFor builds the named analyzer from a fresh registry cache.
func analyzerFor(t testing.TB, name string) analysis.Analyzer {
	t.Helper()
	a, err := registry.NewCache().AnalyzerNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// analyze runs the named analyzer over text.
func analyze(t testing.TB, name, text string) analysis.TokenStream {
	t.Helper()
	return analyzerFor(t, name).Analyze([]byte(text))
}

// byPosition groups the terms of a stream by position, each group sorted.
func byPosition(ts analysis.TokenStream) map[int][]string {
	m := map[int][]string{}
	for _, tok := range ts {
		m[tok.Position] = append(m[tok.Position], string(tok.Term))
	}
	for _, terms := range m {
		slices.Sort(terms)
	}
	return m
}

// checkStream checks what every stream of both analyzers must satisfy:
// positions run 1..n without gaps, and no term repeats at a position.
func checkStream(t *testing.T, ts analysis.TokenStream) {
	t.Helper()
	m := byPosition(ts)
	for p := 1; p <= len(m); p++ {
		terms, ok := m[p]
		if !ok {
			t.Errorf("no token at position %d of %d: %v", p, len(m), m)
			continue
		}
		if len(slices.Compact(slices.Clone(terms))) != len(terms) {
			t.Errorf("duplicate terms at position %d: %v", p, terms)
		}
	}
}

func TestIndexAnalyzerMarker(t *testing.T) {
	text := Mark(Polish, "Zgłoszenie działa")
	ts := analyze(t, IndexAnalyzer, text)
	checkStream(t, ts)
	for _, tok := range ts {
		if strings.HasPrefix(string(tok.Term), markerPrefix) {
			t.Fatalf("marker %q left in the stream", tok.Term)
		}
	}
	got := byPosition(ts)
	// stempel stems zgłoszenie to zgłosić, but the word typed without
	// diacritics to zglosnąć; both are indexed, folded.
	want := map[int][]string{1: {"zglosic", "zglosnac"}, 2: {"dziala"}}
	if !equalPositions(got, want) {
		t.Errorf("terms = %v, want %v", got, want)
	}
	// Offsets still point at the words in the analysed text.
	for _, tok := range ts {
		if tok.Position == 1 && text[tok.Start:tok.End] != "Zgłoszenie" {
			t.Errorf("offsets %d..%d cover %q", tok.Start, tok.End, text[tok.Start:tok.End])
		}
	}
}

func TestIndexAnalyzerMarkerSwitchesLanguage(t *testing.T) {
	// One field holding a Polish and a Czech message: "heslo" must be
	// stemmed as Czech, after the second marker.
	text := Mark(Polish, "Hasło") + "\n" + Mark(Czech, "Heslo hesla")
	ts := analyze(t, IndexAnalyzer, text)
	checkStream(t, ts)
	// Polish "hasło" keeps its stem; "haslo" without diacritics is a word
	// stempel does not know and mangles, but that form is what a query
	// "haslo" produces too.
	want := map[int][]string{1: {"hasecio", "haslo"}, 2: {"hesl"}, 3: {"hesl"}}
	if got := byPosition(ts); !equalPositions(got, want) {
		t.Errorf("terms = %v, want %v", got, want)
	}
}

func TestIndexAnalyzerGuessesWithoutMarker(t *testing.T) {
	ts := analyze(t, IndexAnalyzer, "přihlášení zgłoszenie printers 2024")
	checkStream(t, ts)
	got := byPosition(ts)
	want := map[int][]string{
		1: {"prihlasn"},            // Czech letters: Czech stem
		2: {"zglosic", "zglosnac"}, // Polish letters: Polish stem
		3: {"printer"},             // ASCII: English stem
		4: {"2024"},                // numbers are kept as they are
	}
	if !equalPositions(got, want) {
		t.Errorf("terms = %v, want %v", got, want)
	}
}

func TestQueryAnalyzerExpands(t *testing.T) {
	text := "Zgłoszenia printer's"
	ts := analyze(t, QueryAnalyzer, text)
	checkStream(t, ts)
	got := byPosition(ts)
	for pos, word := range map[int]string{1: "Zgłoszenia", 2: "printer's"} {
		want := Forms(word)
		slices.Sort(want)
		if !slices.Equal(got[pos], want) {
			t.Errorf("position %d: terms %v, Forms(%q) = %v", pos, got[pos], word, want)
		}
	}
	if !slices.Contains(got[1], "zglosic") || !slices.Contains(got[2], "printer") {
		t.Errorf("terms %v miss the Polish stem of zgłoszenia or the English stem of printer", got)
	}
	// Every alternative keeps the offsets of the word it came from.
	for _, tok := range ts {
		want := [2]int{0, len("Zgłoszenia")}
		if tok.Position == 2 {
			want = [2]int{len("Zgłoszenia "), len(text)}
		}
		if got := [2]int{tok.Start, tok.End}; got != want {
			t.Errorf("%q at position %d: offsets %v, want %v", tok.Term, tok.Position, got, want)
		}
	}
}

func TestQueryAnalyzerIgnoresMarkers(t *testing.T) {
	// A query has no marker; a word that looks like one is just a word.
	ts := analyze(t, QueryAnalyzer, "sdlangpl faktura")
	if m := byPosition(ts); len(m) != 2 {
		t.Errorf("positions = %v, want two", m)
	}
}

func TestForms(t *testing.T) {
	for _, c := range []struct {
		word string
		want []string // must all be present
	}{
		{"zgłoszenia", []string{"zglosic"}},
		{"zgloszenie", []string{"zglosnac"}},
		{"přihlášením", []string{"prihlasn"}},
		{"Printers", []string{"printer"}},
		{"printer’s", []string{"printer"}},
		{"faktury", []string{"faktura", "faktur"}},
	} {
		got := Forms(c.word)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Forms(%q) = %v, missing %q", c.word, got, w)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
			t.Errorf("Forms(%q) = %v has duplicates", c.word, got)
		}
	}
	if got := Forms(""); got != nil {
		t.Errorf("Forms(\"\") = %v, want nil", got)
	}
}

func equalPositions(a, b map[int][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for p, terms := range a {
		if !slices.Equal(terms, b[p]) {
			return false
		}
	}
	return true
}
