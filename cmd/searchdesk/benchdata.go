package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// benchTicket is one line of a benchmark corpus (../shared/bench/README.md).
type benchTicket struct {
	ID       string   `json:"id"`
	Number   int      `json:"number"`
	Subject  string   `json:"subject"`
	Body     string   `json:"body"`
	Status   string   `json:"status"`
	Priority string   `json:"priority"`
	Category string   `json:"category"`
	Customer string   `json:"customer"`
	Account  string   `json:"account"`
	Desk     string   `json:"desk"`
	Assignee string   `json:"assignee"`
	Tags     []string `json:"tags"`
	Created  string   `json:"created"`
	Updated  string   `json:"updated"`
	SLA      string   `json:"sla"`
}

// benchSource yields a corpus; it can be read more than once (once for
// searchdesk, once for raw Bleve).
type benchSource interface {
	each(fn func(*benchTicket) error) error
	describe() string
	// jsonlBytes is the size of the corpus as JSONL, for the disk ratio;
	// a source that must compute it says so on progress first.
	jsonlBytes(progress io.Writer) (int64, error)
}

// corpusStatus reads a corpus's status as searchdesk's: generated
// corpora write pending for what searchdesk calls waiting.
func corpusStatus(s string) string {
	if s == "pending" {
		return "waiting"
	}
	return s
}

// fileSource reads a JSONL corpus, streaming.
type fileSource struct{ path string }

func (f fileSource) describe() string { return f.path }

func (f fileSource) jsonlBytes(io.Writer) (int64, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func (f fileSource) each(fn func(*benchTicket) error) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, 1<<20)
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(b))) > 0 {
			var t benchTicket
			if jerr := json.Unmarshal(b, &t); jerr != nil {
				return fmt.Errorf("%s:%d: %w", f.path, line, jerr)
			}
			if t.ID == "" || t.Created == "" || t.Desk == "" {
				return fmt.Errorf("%s:%d: id, created and desk are required", f.path, line)
			}
			t.Status = corpusStatus(t.Status)
			if err := fn(&t); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
}

// genSource generates n tickets with the distributions of the benchmark
// corpus: subjects of 3-12 words, bodies of 30-300 words mixing English,
// Polish and Czech (5 % of words typed without diacritics), Zipf-skewed
// categories, customers and words, three years of dates. The same seed
// gives the same corpus.
type genSource struct {
	n    int
	seed uint64
}

func (g genSource) describe() string {
	return fmt.Sprintf("generated, %d tickets, seed %d", g.n, g.seed)
}

var (
	benchDesks      = []string{"pl-billing", "pl-support", "cz-billing", "cz-support", "en-support", "tech-l2", "sales", "vip"}
	benchDeskWeight = []float64{21, 16, 13, 13, 13, 9, 4, 11}
	benchStatuses   = []string{"closed", "resolved", "open", "waiting", "in_progress"}
	benchStatusW    = []float64{80, 13, 3, 2, 2}
	benchPriorities = []string{"low", "normal", "high", "urgent"}
	benchPriorityW  = []float64{29, 44, 20, 7}
	benchSLAs       = []string{"ok", "none", "breached", "at_risk"}
	benchSLAW       = []float64{73, 16, 9, 2}
	benchCategories = []string{"billing", "login", "password_reset", "delivery", "api", "invoice", "returns", "payment",
		"account", "bug", "technical", "security", "gdpr", "integration", "hardware", "feature_request", "onboarding",
		"contract", "other", "mobile"}
	benchTags = []string{"vip", "repeat-contact", "needs-info", "refund-requested", "waiting-vendor", "waiting-customer",
		"duplicate", "bug-confirmed", "legal", "escalated", "api-v1", "chargeback", "churn-risk", "migration",
		"partial-refund", "gdpr-request", "high-value", "sso", "promo", "language-en", "language-pl", "language-cs",
		"courier-ppl", "courier-inpost", "api-v2", "mobile-ios", "mobile-android", "b2c", "b2b", "new-customer"}
	benchFirst = []string{"anna", "jan", "petr", "tereza", "marek", "eva", "tomas", "katarzyna", "pavel", "zofia",
		"lukas", "agnieszka", "jakub", "lucie", "piotr", "martina", "michal", "ewa", "ondrej", "john"}
	benchLast = []string{"novak", "kowalski", "smith", "dvorak", "nowak", "svoboda", "wisniewska", "cerna",
		"wojcik", "brown", "prochazka", "lewandowski", "kucerova", "jones", "zielinska", "horak"}
)

// Words of each language that tickets are made of: function words, the
// vocabulary of support, and syllables for the long tail of rare words.
var benchWords = map[string][]string{
	"en": strings.Fields(`the and to from can but that has do our not your is are so this on please will my was
		with for i there as have you at if in an we it be of me when after before still again since cannot
		password login account invoice refund payment order delivery package printer paper jam error server
		email button website settings maintenance broken missing problem slow update upgrade download upload
		subscription contract warranty customer support ticket request issue reset unlock confirmation link
		limit code sync database hardware software network connection timeout browser mobile app screen page
		report export import file attachment document address phone number card bank transfer charge
		duplicate cancel return replace damaged shipment courier tracking week tomorrow today yesterday
		morning urgent billing api integration webhook token certificate domain backup restore storage quota`),
	"pl": strings.Fields(`jest nie się że na z w do ale to i o po dla czy jak już tylko proszę dzień dobry
		pozdrawiam dziękuję faktura faktury fakturę zgłoszenie zgłoszenia hasło hasła konto konta logowanie
		płatność płatności zamówienie zamówienia przesyłka przesyłki dostawa dostawy reklamacja reklamacji
		zwrot zwrotu drukarka drukarki papier błąd błędu serwer serwera strona strony przycisk formularz
		ustawienia aktualizacja umowa umowy gwarancja klient klienta pomoc problem usunięcie dostępu
		dostęp weryfikacyjny kod niepoprawna uszkodzona zepsute zaksięgowany koszyk urządzenie spotkanie
		połączenia połączenie wiadomość wiadomości załącznik załącznika numer karta przelew opłata
		anulowanie wymiana uszkodzony kurier śledzenie tydzień jutro dzisiaj wczoraj rano pilne księgowość`),
	"cs": strings.Fields(`je se že na z v do ale to a o po pro jak už jen prosím dobrý den děkuji s pozdravem
		faktura faktury fakturu hesla heslo účet účtu přihlášení platba platby objednávka objednávky zásilka
		zásilky doručení reklamace vrácení tiskárna tiskárny papír chyba chyby server serveru stránka stránky
		tlačítko formulář nastavení aktualizace smlouva smlouvy záruka zákazník zákazníka podpora problém
		přístup ověřovací kód nefunguje funguje nelze databáze prohlížeč přeplatek košík zařízení schůzka
		spojení zpráva zprávy příloha přílohy číslo karta převod poplatek zrušení výměna poškozený kurýr
		sledování týden zítra dnes včera ráno naléhavé účetnictví jsem jsme není byl`),
}

var benchSyllables = map[string][]string{
	"en": strings.Fields(`ta re con ex pro ver al in ing er ment tion ly ous able ist ive ful pre sub`),
	"pl": strings.Fields(`prze szcz ż ą ę ł ść ów ski cz rz dź ni wy za po ko ta ny ła`),
	"cs": strings.Fields(`př ř ě ů š č ž ý á ní ov ka te no ra st ce ho ta ně`),
}

// weighted picks an index by weight.
type weighted struct{ cdf []float64 }

func newWeighted(w []float64) weighted {
	cdf := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		cdf[i] = sum
	}
	for i := range cdf {
		cdf[i] /= sum
	}
	return weighted{cdf}
}

// zipf builds weights 1/k^s for k = 1..n.
func zipf(n int, s float64) weighted {
	w := make([]float64, n)
	for k := range w {
		w[k] = 1 / math.Pow(float64(k+1), s)
	}
	return newWeighted(w)
}

func (w weighted) pick(r *rand.Rand) int {
	x := r.Float64()
	return min(sort.SearchFloat64s(w.cdf, x), len(w.cdf)-1)
}

// benchGen holds a generator's state.
type benchGen struct {
	r                         *rand.Rand
	vocab                     map[string][]string
	vocabW                    map[string]weighted
	desk, status, prio, sla   weighted
	category, customer, tagsW weighted
	customers                 int
	agents                    [][]string // per desk
	start                     time.Time
	span                      time.Duration
	stripDiacritics           transform.Transformer
	langOfDesk                map[string][]float64
}

func newBenchGen(n int, seed uint64) *benchGen {
	g := &benchGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), vocab: map[string][]string{},
		vocabW: map[string]weighted{}}
	// Each language has its real words plus a long tail of invented ones,
	// Zipf-distributed, so that rare words are rare.
	// Languages in a fixed order: the generator must draw the same words
	// on every pass, or raw Bleve would load another corpus than ours.
	for _, lang := range slices.Sorted(maps.Keys(benchWords)) {
		list := append([]string(nil), benchWords[lang]...)
		syl := benchSyllables[lang]
		tail := 3000
		for i := 0; i < tail; i++ {
			var b strings.Builder
			for k := 2 + g.r.IntN(3); k > 0; k-- {
				b.WriteString(syl[g.r.IntN(len(syl))])
			}
			list = append(list, b.String())
		}
		g.vocab[lang] = list
		g.vocabW[lang] = zipf(len(list), 1.0)
	}
	g.desk, g.status, g.prio, g.sla = newWeighted(benchDeskWeight), newWeighted(benchStatusW), newWeighted(benchPriorityW), newWeighted(benchSLAW)
	g.category = zipf(len(benchCategories), 1.1)
	g.tagsW = zipf(len(benchTags), 1.0)
	// Exponent 0.7 over n/10 customers puts about 1.6 % of tickets on the
	// top customer at 200,000 tickets.
	g.customers = max(n/10, 50)
	g.customer = zipf(g.customers, 0.7)
	for d := range benchDesks {
		var agents []string
		for k := 0; k < 5; k++ {
			i := d*5 + k
			agents = append(agents, benchFirst[i%len(benchFirst)]+"."+benchLast[(i*7)%len(benchLast)])
		}
		g.agents = append(g.agents, agents)
	}
	g.start = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	g.span = 3 * 365 * 24 * time.Hour
	g.stripDiacritics = transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	g.langOfDesk = map[string][]float64{
		"pl-billing": {0.2, 0.7, 0.1}, "pl-support": {0.2, 0.7, 0.1}, "cz-billing": {0.2, 0.1, 0.7},
		"cz-support": {0.2, 0.1, 0.7}, "en-support": {0.8, 0.1, 0.1}, "tech-l2": {0.5, 0.25, 0.25},
		"sales": {0.5, 0.25, 0.25}, "vip": {0.4, 0.3, 0.3}}
	return g
}

func (g *benchGen) word(lang string) string {
	w := g.vocab[lang][g.vocabW[lang].pick(g.r)]
	if g.r.IntN(20) == 0 { // 5 % typed without diacritics
		if s, _, err := transform.String(g.stripDiacritics, w); err == nil {
			w = strings.ReplaceAll(s, "ł", "l")
		}
	}
	return w
}

func (g *benchGen) text(words int, mix []float64, sentences bool) string {
	var b strings.Builder
	langs := [3]string{"en", "pl", "cs"}
	lw := newWeighted(mix)
	start := true
	for i := 0; i < words; i++ {
		w := g.word(langs[lw.pick(g.r)])
		if start && sentences {
			rs := []rune(w)
			rs[0] = unicode.ToUpper(rs[0])
			w = string(rs)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		start = false
		if sentences && (g.r.IntN(12) == 0 || i == words-1) {
			b.WriteString([]string{".", ".", ".", "?", "!"}[g.r.IntN(5)])
			start = true
		} else if sentences && g.r.IntN(15) == 0 {
			b.WriteByte(',')
		}
	}
	return b.String()
}

// jsonlBytes generates the corpus once, untimed, to count the bytes of
// the JSONL the corpus generator of ../shared/bench would write for it
// (one object a line, keys in the format's order, HTML not escaped).
func (g genSource) jsonlBytes(progress io.Writer) (int64, error) {
	fmt.Fprintf(progress, "bench: sizing %s as JSONL\n", g.describe())
	var cw countWriter
	enc := json.NewEncoder(&cw)
	enc.SetEscapeHTML(false)
	err := g.each(func(t *benchTicket) error { return enc.Encode(t) })
	return cw.n, err
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func (g genSource) each(fn func(*benchTicket) error) error {
	gen := newBenchGen(g.n, g.seed)
	step := gen.span / time.Duration(max(g.n, 1))
	for i := 1; i <= g.n; i++ {
		r := gen.r
		d := gen.desk.pick(r)
		desk := benchDesks[d]
		cust := gen.customer.pick(r)
		created := gen.start.Add(step*time.Duration(i-1) + time.Duration(r.Int64N(int64(step)+1)))
		updated := created.Add(time.Duration(r.Int64N(int64(14 * 24 * time.Hour))))
		var tags []string
		for k := []int{0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4}[r.IntN(11)]; k > 0; k-- {
			tag := benchTags[gen.tagsW.pick(r)]
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		if tags == nil {
			tags = []string{}
		}
		t := benchTicket{
			ID: fmt.Sprintf("T%07d", i), Number: i,
			Subject:  gen.text(3+r.IntN(10), gen.langOfDesk[desk], false),
			Body:     gen.text(30+int(270*math.Pow(r.Float64(), 2.2)), gen.langOfDesk[desk], true),
			Status:   benchStatuses[gen.status.pick(r)],
			Priority: benchPriorities[gen.prio.pick(r)],
			Category: benchCategories[gen.category.pick(r)],
			Customer: fmt.Sprintf("cust-%05d", cust),
			Account:  fmt.Sprintf("acct-%04d", cust/10),
			Desk:     desk,
			Assignee: gen.agents[d][r.IntN(5)],
			Tags:     tags,
			Created:  created.Format(time.RFC3339),
			Updated:  updated.Format(time.RFC3339),
			SLA:      benchSLAs[gen.sla.pick(r)],
		}
		if err := fn(&t); err != nil {
			return err
		}
	}
	return nil
}
