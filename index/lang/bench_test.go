package lang

import (
	"strings"
	"testing"
)

// benchMessages are three messages of about a hundred words each, one per
// language, as one ticket might hold them.
var benchMessages = []string{
	`Dzień dobry, piszę w sprawie zgłoszenia numer 4521, które zostało
zamknięte bez rozwiązania problemu. Od poniedziałku nie mogę zalogować się
do panelu klienta: po wpisaniu hasła strona odświeża się i wraca do ekranu
logowania. Próbowałem w dwóch przeglądarkach, wyczyściłem pamięć podręczną
i pliki cookie, zmieniłem też hasło, ale błąd nadal występuje. Dodatkowo
faktura za marzec zawiera błędną kwotę podatku VAT i nie mogę jej pobrać
w formacie PDF. Proszę o pilną pomoc, ponieważ musimy rozliczyć koszty do
końca tygodnia. W załączniku przesyłam zrzut ekranu z komunikatem o błędzie
oraz numer zamówienia. Dziękuję za szybką odpowiedź i pozdrawiam serdecznie,
Łukasz Kowalski, dział księgowości.`,
	`Dobrý den, obracím se na vás kvůli přihlášení do aplikace, které od
včerejška nefunguje. Po zadání uživatelského jména a hesla se zobrazí
chybová hláška, že účet je zablokovaný, přestože jsem heslo neměnil a
žádné upozornění mi nepřišlo. Zkoušel jsem obnovit heslo přes odkaz v
e-mailu, ale odkaz vede na stránku, která hlásí neplatný token. Kolegové
v kanceláři mají stejný problém s tiskárnou: faktury se netisknou a úloha
zůstane ve frontě. Prosím o kontrolu nastavení našeho účtu a o informaci,
zda jde o známou chybu na vaší straně. Děkuji předem za rychlé vyřízení
požadavku, s pozdravem Jan Dvořák, oddělení provozu.`,
	`Hello, thanks for getting back to me so quickly. Unfortunately the
problem is still there after the update you suggested. The printer on the
second floor keeps reporting a paper jam even though the tray is empty,
and every job we send stays in the queue until someone restarts the
device. We also noticed that invoices exported from the portal are missing
the customer's tax number, which our accountants need before they can
approve the payments. Could you please check whether both issues are
related to the changes deployed last week? I have attached the printer
logs and two sample invoices. Let me know if you need remote access to
one of our machines. Best regards, the IT team.`,
}

// benchText is the three messages unmarked, for Detect.
var benchText = strings.Join(benchMessages, "\n")

// benchField is the messages as the index side writes them.
func benchField() string {
	var b strings.Builder
	for _, m := range benchMessages {
		b.WriteString(Mark(Detect(m), m))
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkIndexAnalyzer(b *testing.B) {
	text := []byte(benchField())
	a := analyzerFor(b, IndexAnalyzer)
	b.ReportMetric(float64(len(strings.Fields(benchText))), "words")
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(text)
	}
}

func BenchmarkQueryAnalyzer(b *testing.B) {
	text := []byte("zgłoszenia faktury prihlaseni printer jammed")
	a := analyzerFor(b, QueryAnalyzer)
	b.ReportAllocs()
	for b.Loop() {
		a.Analyze(text)
	}
}

func BenchmarkDetect(b *testing.B) {
	b.ReportMetric(float64(len(strings.Fields(benchText))), "words")
	b.SetBytes(int64(len(benchText)))
	b.ReportAllocs()
	for b.Loop() {
		Detect(benchText)
	}
}

// TestBenchMessagesDetected keeps the benchmark input honest: each
// message is detected as the language it is written in.
func TestBenchMessagesDetected(t *testing.T) {
	for i, want := range []string{Polish, Czech, English} {
		if got := Detect(benchMessages[i]); got != want {
			t.Errorf("benchmark message %d detected as %q, want %q", i, got, want)
		}
	}
	if n := len(strings.Fields(benchText)); n < 250 || n > 350 {
		t.Errorf("benchmark text has %d words, want about 300", n)
	}
}
