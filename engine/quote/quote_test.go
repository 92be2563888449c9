package quote

import (
	"fmt"
	"strings"
	"testing"
)

// splitCases are realistic messages from the clients and languages the desk
// receives, with the expected split.
var splitCases = []struct {
	name string
	text string
	want Parts
}{
	{
		name: "empty",
		text: "",
		want: Parts{},
	},
	{
		name: "blank lines only",
		text: "\n \n\t\n",
		want: Parts{},
	},
	{
		name: "no quote at all",
		text: "Hello,\n\nthe printer on floor 2 prints blank pages since Monday.\nCould you have a look?\n\nRegards,\nJan\n",
		want: Parts{New: "Hello,\n\nthe printer on floor 2 prints blank pages since Monday.\nCould you have a look?\n\nRegards,\nJan"},
	},
	{
		name: "bottom quote en",
		text: "On Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> Please restart the printer.\n>\n> Support team\n\nI did, it still prints blank pages.\n",
		want: Parts{
			New:    "I did, it still prints blank pages.",
			Quoted: "On Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> Please restart the printer.\n>\n> Support team",
		},
	},
	{
		name: "bottom quote de",
		text: "Am 05.01.2026 um 10:00 schrieb Support <support@example.com>:\n> Bitte starten Sie den Drucker neu.\n\nHabe ich gemacht, er druckt weiter leere Seiten.\n",
		want: Parts{
			New:    "Habe ich gemacht, er druckt weiter leere Seiten.",
			Quoted: "Am 05.01.2026 um 10:00 schrieb Support <support@example.com>:\n> Bitte starten Sie den Drucker neu.",
		},
	},
	{
		name: "bottom quote fr",
		text: "Le lun. 5 janv. 2026 à 10:00, Support <support@example.com> a écrit\u00a0:\n> Merci de redémarrer l'imprimante.\n\nC'est fait, toujours des pages blanches.",
		want: Parts{
			New:    "C'est fait, toujours des pages blanches.",
			Quoted: "Le lun. 5 janv. 2026 à 10:00, Support <support@example.com> a écrit\u00a0:\n> Merci de redémarrer l'imprimante.",
		},
	},
	{
		name: "bottom quote pl thunderbird",
		text: "W dniu 5.01.2026 o 10:00, Dział wsparcia pisze:\n> Proszę zrestartować drukarkę.\n\nZrestartowałem, nadal drukuje puste strony.\n",
		want: Parts{
			New:    "Zrestartowałem, nadal drukuje puste strony.",
			Quoted: "W dniu 5.01.2026 o 10:00, Dział wsparcia pisze:\n> Proszę zrestartować drukarkę.",
		},
	},
	{
		name: "top quote pl gmail",
		text: "Nadal nie działa.\n\npon., 5 sty 2026 o 10:00 Dział wsparcia <support@example.com> napisał(a):\n\n> Proszę zrestartować drukarkę.\n>\n",
		want: Parts{
			New:    "Nadal nie działa.",
			Quoted: "pon., 5 sty 2026 o 10:00 Dział wsparcia <support@example.com> napisał(a):\n\n> Proszę zrestartować drukarkę.\n>",
		},
	},
	{
		name: "bottom quote cs",
		text: "Dne 5. 1. 2026 v 10:00 Podpora napsal(a):\n> Restartujte prosím tiskárnu.\n\nRestartoval jsem, pořád tiskne prázdné stránky.\n",
		want: Parts{
			New:    "Restartoval jsem, pořád tiskne prázdné stránky.",
			Quoted: "Dne 5. 1. 2026 v 10:00 Podpora napsal(a):\n> Restartujte prosím tiskárnu.",
		},
	},
	{
		name: "top quote cs gmail",
		text: "Pořád to nejde.\n\npo 5. 1. 2026 v 10:00 odesílatel Podpora <support@example.com> napsal:\n\n> Restartujte prosím tiskárnu.\n",
		want: Parts{
			New:    "Pořád to nejde.",
			Quoted: "po 5. 1. 2026 v 10:00 odesílatel Podpora <support@example.com> napsal:\n\n> Restartujte prosím tiskárnu.",
		},
	},
	{
		name: "bottom quote es and it",
		text: "El lun, 5 ene 2026 a las 10:00, Soporte (<support@example.com>) escribió:\n> Reinicie la impresora.\n\nYa lo hice.\n\nIl giorno lun 5 gen 2026 alle ore 10:00 Supporto <support@example.com> ha scritto:\n> Riavvii la stampante.\n\nFatto.",
		want: Parts{
			New:    "Ya lo hice.\n\nFatto.",
			Quoted: "El lun, 5 ene 2026 a las 10:00, Soporte (<support@example.com>) escribió:\n> Reinicie la impresora.\n\nIl giorno lun 5 gen 2026 alle ore 10:00 Supporto <support@example.com> ha scritto:\n> Riavvii la stampante.",
		},
	},
	{
		name: "top posting gmail with wrapped attribution",
		text: "Thanks, that fixed it!\n\nOn Mon, Jan 5, 2026 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n\n> Please update the driver to 4.2.\n>\n> Kind regards,\n> Support\n",
		want: Parts{
			New:    "Thanks, that fixed it!",
			Quoted: "On Mon, Jan 5, 2026 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n\n> Please update the driver to 4.2.\n>\n> Kind regards,\n> Support",
		},
	},
	{
		name: "attribution wrapped before the verb",
		text: "Works now.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Support Team <support@example.com>\nwrote:\n\n> Please update the driver.\n",
		want: Parts{
			New:    "Works now.",
			Quoted: "On Mon, Jan 5, 2026 at 10:00 AM Support Team <support@example.com>\nwrote:\n\n> Please update the driver.",
		},
	},
	{
		name: "sentence before a short attribution stays new",
		text: "I tried it on Monday.\nJan wrote:\n> restart it\n",
		want: Parts{
			New:    "I tried it on Monday.",
			Quoted: "Jan wrote:\n> restart it",
		},
	},
	{
		name: "outlook original message en",
		text: "Hi,\n\nstill broken, see attached.\n\nJan\n\n-----Original Message-----\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00 AM\nTo: Jan Kowalski <jan@example.com>\nSubject: RE: Printer\n\nPlease restart the printer.\n",
		want: Parts{
			New:    "Hi,\n\nstill broken, see attached.\n\nJan",
			Quoted: "-----Original Message-----\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00 AM\nTo: Jan Kowalski <jan@example.com>\nSubject: RE: Printer\n\nPlease restart the printer.",
		},
	},
	{
		name: "outlook original message de pl cs",
		text: "Danke.\n-----Ursprüngliche Nachricht-----\nVon: Support\n\nDziękuję.\n-----Wiadomość oryginalna-----\nOd: Support\n\nDěkuji.\n-----Původní zpráva-----\nOd: Podpora",
		want: Parts{
			New:    "Danke.",
			Quoted: "-----Ursprüngliche Nachricht-----\nVon: Support\n\nDziękuję.\n-----Wiadomość oryginalna-----\nOd: Support\n\nDěkuji.\n-----Původní zpráva-----\nOd: Podpora",
		},
	},
	{
		name: "outlook header block en with rule",
		text: "It works again, thank you.\n\nJan Kowalski\nACME Ltd.\n\n________________________________\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00\nTo: Jan Kowalski\nSubject: Printer\n\nPlease update the driver.\n",
		want: Parts{
			New:    "It works again, thank you.\n\nJan Kowalski\nACME Ltd.",
			Quoted: "________________________________\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00\nTo: Jan Kowalski\nSubject: Printer\n\nPlease update the driver.",
		},
	},
	{
		name: "outlook header block pl",
		text: "Dzień dobry,\nnadal nie działa.\n\nOd: Dział wsparcia <support@example.com>\nWysłano: poniedziałek, 5 stycznia 2026 10:00\nDo: Jan Kowalski <jan@example.com>\nDW: biuro@example.com\nTemat: RE: Drukarka\n\nProszę zaktualizować sterownik.\n",
		want: Parts{
			New:    "Dzień dobry,\nnadal nie działa.",
			Quoted: "Od: Dział wsparcia <support@example.com>\nWysłano: poniedziałek, 5 stycznia 2026 10:00\nDo: Jan Kowalski <jan@example.com>\nDW: biuro@example.com\nTemat: RE: Drukarka\n\nProszę zaktualizować sterownik.",
		},
	},
	{
		name: "outlook header block cs with bold keys",
		text: "Dobrý den,\npořád to nejde.\n\n*Od:* Podpora <support@example.com>\n*Odesláno:* pondělí 5. ledna 2026 10:00\n*Komu:* Jan Novák <jan@example.cz>\n*Předmět:* Tiskárna\n\nAktualizujte prosím ovladač.",
		want: Parts{
			New:    "Dobrý den,\npořád to nejde.",
			Quoted: "*Od:* Podpora <support@example.com>\n*Odesláno:* pondělí 5. ledna 2026 10:00\n*Komu:* Jan Novák <jan@example.cz>\n*Předmět:* Tiskárna\n\nAktualizujte prosím ovladač.",
		},
	},
	{
		name: "outlook header block with wrapped recipients",
		text: "See below.\n\nFrom: Support\nSent: Monday\nTo: a@example.com; b@example.com;\n    c@example.com\nSubject: x\n\nold text",
		want: Parts{
			New:    "See below.",
			Quoted: "From: Support\nSent: Monday\nTo: a@example.com; b@example.com;\n    c@example.com\nSubject: x\n\nold text",
		},
	},
	{
		name: "from line alone is not a header block",
		text: "From: the accounting department\nWe need a new toner.\nSubject: toner",
		want: Parts{New: "From: the accounting department\nWe need a new toner.\nSubject: toner"},
	},
	{
		name: "travel booking is not a header block",
		text: "Please change my ticket:\nFrom: Warsaw\nTo: Kraków\nDate: 5 January 2026\n\nThanks",
		want: Parts{New: "Please change my ticket:\nFrom: Warsaw\nTo: Kraków\nDate: 5 January 2026\n\nThanks"},
	},
	{
		name: "header block with address and date",
		text: "Thanks.\n\nFrom: Support <support@example.com>\nDate: Mon, 5 Jan 2026 10:00\nTo: Jan\n\nold text",
		want: Parts{New: "Thanks.", Quoted: "From: Support <support@example.com>\nDate: Mon, 5 Jan 2026 10:00\nTo: Jan\n\nold text"},
	},
	{
		name: "signature with 15 lines after the delimiter",
		text: "Report attached.\n--\n" + strings.Repeat("footer line\n", 15),
		want: Parts{New: "Report attached.", Signature: "--\n" + strings.Repeat("footer line\n", 14) + "footer line"},
	},
	{
		name: "16 lines after the delimiter are not a signature",
		text: "Report attached.\n--\n" + strings.Repeat("footer line\n", 16),
		want: Parts{New: "Report attached.\n--\n" + strings.Repeat("footer line\n", 15) + "footer line"},
	},
	{
		name: "deep quote under a name line stays quoted",
		text: "dialtone:\n>>> To be honest I would rather not.\n>>> But this is just me.\n\nI agree.",
		want: Parts{New: "dialtone:\nI agree.", Quoted: ">>> To be honest I would rather not.\n>>> But this is just me."},
	},
	{
		name: "dated attribution above unquoted history",
		text: "Still broken.\n\nOn Monday, January 5, 2026, 10:00:00 AM GMT+1, Support <support@example.com> wrote:\n\nPlease restart the printer.\n",
		want: Parts{
			New:    "Still broken.",
			Quoted: "On Monday, January 5, 2026, 10:00:00 AM GMT+1, Support <support@example.com> wrote:\n\nPlease restart the printer.",
		},
	},
	{
		name: "undated attribution without quote stays new",
		text: "My colleague wrote:\nthe toner is empty.\n",
		want: Parts{New: "My colleague wrote:\nthe toner is empty."},
	},
	{
		name: "interleaved reply",
		text: "Jan Kowalski <jan@example.com> writes:\n> Which driver version?\n\n4.1, from your site.\n\n> Does the test page print?\n\nNo, it is blank too.\n\n> Is the toner new?\nYes.\n\nJan\n",
		want: Parts{
			New:    "4.1, from your site.\n\nNo, it is blank too.\n\nYes.\n\nJan",
			Quoted: "Jan Kowalski <jan@example.com> writes:\n> Which driver version?\n\n> Does the test page print?\n\n> Is the toner new?",
		},
	},
	{
		name: "nested quotes",
		text: "Agreed.\n\nOn Tue, 6 Jan 2026, Ann wrote:\n> On Mon, 5 Jan 2026, Bob wrote:\n> > We should replace it.\n> >> Old text\n>>> older\n> > \n> I think so too.\n",
		want: Parts{
			New:    "Agreed.",
			Quoted: "On Tue, 6 Jan 2026, Ann wrote:\n> On Mon, 5 Jan 2026, Bob wrote:\n> > We should replace it.\n> >> Old text\n>>> older\n> > \n> I think so too.",
		},
	},
	{
		name: "signature delimiter",
		text: "The scanner works now, thanks.\n\n-- \nJan Kowalski\nACME Ltd. | +48 22 123 45 67\n",
		want: Parts{
			New:       "The scanner works now, thanks.",
			Signature: "-- \nJan Kowalski\nACME Ltd. | +48 22 123 45 67",
		},
	},
	{
		name: "signature delimiter without space, then quote",
		text: "Fixed, thanks.\n--\nJan\n\nOn Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> Try again.\n",
		want: Parts{
			New:       "Fixed, thanks.",
			Quoted:    "On Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> Try again.",
			Signature: "--\nJan",
		},
	},
	{
		name: "signature after interleaved reply",
		text: "> Does it print?\nNo.\n\n-- \nJan",
		want: Parts{New: "No.", Quoted: "> Does it print?", Signature: "-- \nJan"},
	},
	{
		name: "signature only in the last run of new text",
		text: "First answer.\n-- \nnot a signature here\n> quote\nSecond answer.",
		want: Parts{New: "First answer.\n-- \nnot a signature here\nSecond answer.", Quoted: "> quote"},
	},
	{
		name: "long text after dashes is not a signature",
		text: "Intro\n--\n" + strings.Repeat("line of the report\n", 16) + "end",
		want: Parts{New: "Intro\n--\n" + strings.Repeat("line of the report\n", 16) + "end"},
	},
	{
		name: "mobile sign-off en",
		text: "Ok, I will try tomorrow.\n\nSent from my iPhone\n\n> On 5 Jan 2026, at 10:00, Support <support@example.com> wrote:\n> \n> Please restart it.\n",
		want: Parts{
			New:       "Ok, I will try tomorrow.",
			Quoted:    "> On 5 Jan 2026, at 10:00, Support <support@example.com> wrote:\n> \n> Please restart it.",
			Signature: "Sent from my iPhone",
		},
	},
	{
		name: "mobile sign-off pl",
		text: "Dziękuję, działa.\n\nWysłane z iPhone'a",
		want: Parts{New: "Dziękuję, działa.", Signature: "Wysłane z iPhone'a"},
	},
	{
		name: "mobile sign-off cs",
		text: "Děkuji, funguje to.\n\nOdesláno z iPhonu\n",
		want: Parts{New: "Děkuji, funguje to.", Signature: "Odesláno z iPhonu"},
	},
	{
		name: "outlook mobile above header block",
		text: "Works.\n\nGet Outlook for Android<https://aka.ms/ghei36>\n________________________________\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00:00 AM\nTo: Jan <jan@example.com>\nSubject: Printer\n\nPlease restart.",
		want: Parts{
			New:       "Works.",
			Quoted:    "________________________________\nFrom: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00:00 AM\nTo: Jan <jan@example.com>\nSubject: Printer\n\nPlease restart.",
			Signature: "Get Outlook for Android<https://aka.ms/ghei36>",
		},
	},
	{
		name: "sign-off far from the end stays new",
		text: "Sent from my laptop, so the scan may look odd:\nline one\nline two\nline three",
		want: Parts{New: "Sent from my laptop, so the scan may look odd:\nline one\nline two\nline three"},
	},
	{
		name: "regards is not a signature",
		text: "Please call me back.\n\nBest regards,\nJan Kowalski\nACME Ltd.",
		want: Parts{New: "Please call me back.\n\nBest regards,\nJan Kowalski\nACME Ltd."},
	},
	{
		name: "gmail forward stays new",
		text: "FYI, see the customer's mail below.\n\n---------- Forwarded message ---------\nFrom: Customer <c@example.com>\nDate: Mon, Jan 5, 2026 at 10:00 AM\nSubject: Invoice 2026/01\nTo: <sales@example.com>\n\nThe invoice is wrong.\n\nOn Sun, Jan 4, 2026 at 9:00 AM Sales <sales@example.com> wrote:\n> Here is your invoice.\n",
		want: Parts{New: "FYI, see the customer's mail below.\n\n---------- Forwarded message ---------\nFrom: Customer <c@example.com>\nDate: Mon, Jan 5, 2026 at 10:00 AM\nSubject: Invoice 2026/01\nTo: <sales@example.com>\n\nThe invoice is wrong.\n\nOn Sun, Jan 4, 2026 at 9:00 AM Sales <sales@example.com> wrote:\n> Here is your invoice."},
	},
	{
		name: "apple forward quoted with > stays new",
		text: "Please help.\n\nSent from my iPad\n\nBegin forwarded message:\n\n> From: Shop <shop@example.com>\n> Subject: Your order\n> Date: 5 January 2026 at 10:00:00 CET\n> \n> Order 123 was cancelled.\n",
		want: Parts{
			New:       "Please help.\n\n\nBegin forwarded message:\n\n> From: Shop <shop@example.com>\n> Subject: Your order\n> Date: 5 January 2026 at 10:00:00 CET\n> \n> Order 123 was cancelled.",
			Signature: "Sent from my iPad",
		},
	},
	{
		name: "reply above forward in history is quoted",
		text: "Done.\n\nOn Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> ---------- Forwarded message ---------\n> From: x\n",
		want: Parts{
			New:    "Done.",
			Quoted: "On Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:\n> ---------- Forwarded message ---------\n> From: x",
		},
	},
	{
		name: "only quote",
		text: "> Please restart the printer.\n> \n> Support\n",
		want: Parts{Quoted: "> Please restart the printer.\n> \n> Support"},
	},
	{
		name: "only outlook history",
		text: "-----Original Message-----\nFrom: a\nSent: b\nTo: c\n\nold",
		want: Parts{Quoted: "-----Original Message-----\nFrom: a\nSent: b\nTo: c\n\nold"},
	},
	{
		name: "python prompt stays new",
		text: "This is what I get:\n\n>>> from printer import status\n>>> status()\n'offline'\n\nAny idea?",
		want: Parts{New: "This is what I get:\n\n>>> from printer import status\n>>> status()\n'offline'\n\nAny idea?"},
	},
	{
		name: "mbox-escaped From stays new",
		text: "Hello,\n>From what I see the queue is stuck.\n",
		want: Parts{New: "Hello,\n>From what I see the queue is stuck."},
	},
	{
		name: "escaped From inside a quote is quoted",
		text: "> line one\n>From two\n> line three\nreply",
		want: Parts{New: "reply", Quoted: "> line one\n>From two\n> line three"},
	},
}

func TestSplit(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.text)
			if got != tc.want {
				t.Errorf("Split(%q)\n got New=%q\n     Quoted=%q\n     Signature=%q\nwant New=%q\n     Quoted=%q\n     Signature=%q",
					tc.text, got.New, got.Quoted, got.Signature, tc.want.New, tc.want.Quoted, tc.want.Signature)
			}
			checkLines(t, tc.text, got)
		})
	}
}

// TestSplitCRLF checks that stray carriage returns do not change the split.
func TestSplitCRLF(t *testing.T) {
	for _, tc := range splitCases {
		crlf := strings.ReplaceAll(tc.text, "\n", "\r\n")
		got := Split(crlf)
		strip := func(s string) string { return strings.ReplaceAll(s, "\r", "") }
		if strip(got.New) != tc.want.New || strip(got.Quoted) != tc.want.Quoted || strip(got.Signature) != tc.want.Signature {
			t.Errorf("%s with CRLF: got %+q, want %+q", tc.name, got, tc.want)
		}
	}
}

// BenchmarkSplitShapes measures Split on shapes that would expose
// unbounded look-ahead or look-back, at 128 KB and 2 MB: the ns/byte of the
// two sizes should stay close (a quadratic cost would make the larger 16
// times as much). Run with: go test -run x -bench SplitShapes ./engine/quote
func BenchmarkSplitShapes(b *testing.B) {
	shapes := map[string]string{
		"mixed": "On Mon, 5 Jan 2026 at 10:00, Jan <jan@example.com> wrote:\n> quoted\nnew text\n" +
			"From: a\nSent: b\n" + strings.Repeat("x", 300) + ":\n--\n>From z\n>>> p\n\n",
		"one long line":     "x y z: ",
		"blank lines":       "\n\n \n",
		"colon lines":       strings.Repeat("On 10:00 <a@b> ", 8) + "wrote x:\n",
		"from lines":        "From: a\nTo: b\n",
		"prompt paragraph":  ">>> x\n",
		"delimiters":        "--\n\n",
		"unclosed brackets": "On <\n",
		"quotes":            "> a\n",
	}
	for name, unit := range shapes {
		for _, size := range []int{128 << 10, 2 << 20} {
			text := strings.Repeat(unit, size/len(unit))
			b.Run(fmt.Sprintf("%s/%dKB", name, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					Split(text)
				}
			})
		}
	}
}

// TestAttributions checks attribution lines of many clients and languages:
// each must go to Quoted with the quote it introduces, and the dated ones
// also when the history below them is not quoted with ">".
func TestAttributions(t *testing.T) {
	for _, tc := range []struct {
		line  string
		dated bool // introduces unquoted history too
	}{
		{"On Mon, 5 Jan 2026 at 10:00, Support <support@example.com> wrote:", true},
		{"On Mon, Jan 5, 2026 at 10:00 AM Support <support@example.com> wrote:", true},
		{"On 5 Jan 2026, at 10:00, Support <support@example.com> wrote:", true},
		{"On Wed, 21 Apr 2021, Jiri Kosina wrote:", true},
		{"On Wed, Apr 21, 2021 at 11:35:36AM -0700, James Bottomley wrote:", true},
		{"On Monday, January 5, 2026, 10:00:00 AM GMT+1, Support <support@example.com> wrote:", true},
		{"Am 05.01.2026 um 10:00 schrieb Support:", true},
		{"Am Mo., 5. Jan. 2026 um 10:00 Uhr schrieb Support <support@example.com>:", true},
		{"Le 05/01/2026 à 10:00, Support a écrit :", true},
		{"Le lun. 5 janv. 2026 à 10:00, Support <support@example.com> a écrit\u00a0:", true},
		{"W dniu 5.01.2026 o 10:00, Dział wsparcia pisze:", true},
		{"W dniu 5.01.2026 o 10:00, Dział wsparcia napisał(a):", true},
		{"pon., 5 sty 2026 o 10:00 Dział wsparcia <support@example.com> napisał(a):", true},
		{"Dne 5. 1. 2026 v 10:00 Podpora napsal(a):", true},
		{"po 5. 1. 2026 v 10:00 odesílatel Podpora <support@example.com> napsal:", true},
		{"El lun, 5 ene 2026 a las 10:00, Soporte (<support@example.com>) escribió:", true},
		{"Il giorno lun 5 gen 2026 alle ore 10:00 Supporto <support@example.com> ha scritto:", true},
		{"Il 05/01/2026 10:00, Supporto ha scritto:", true},
		{"Op ma 5 jan 2026 om 10:00 schreef Support <support@example.com>:", true},
		{"Em seg., 5 de jan. de 2026 às 10:00, Support <support@example.com> escreveu:", true},
		{"Den mån 5 jan. 2026 kl 10:00 skrev Support <support@example.com>:", true},
		{"Support <support@example.com> 于2026年1月5日周一 10:00写道：", true},
		{"Support <support@example.com> wrote on 05.01.2026 10:00:00:", true},
		{"Jan Kowalski <jan@example.com> writes:", false},
		{"Jan Kowalski wrote:", false},
		{"Jan Müller schrieb:", false},
		{"Jan Kowalski napisał:", false},
		{"Valentino Volonghi aka Dialtone ha scritto:", false},
		{"At 10:00 AM 1/5/2026, you wrote:", false},
		{"Quoting Jan Kowalski <jan@example.com>:", false},
		{"2026年1月5日(月) 10:00 Support <support@example.com>:", false},
		{"* Jan Kowalski <jan@example.com> [2026-01-05 10:00]:", false},
	} {
		quoted := "Reply.\n\n" + tc.line + "\n> Please restart it.\n"
		want := Parts{New: "Reply.", Quoted: tc.line + "\n> Please restart it."}
		if got := Split(quoted); got != want {
			t.Errorf("above a quote: %q\n got %+q\nwant %+q", tc.line, got, want)
		}
		unquoted := "Reply.\n\n" + tc.line + "\nPlease restart it.\n"
		want = Parts{New: "Reply.\n\n" + tc.line + "\nPlease restart it."}
		if tc.dated {
			want = Parts{New: "Reply.", Quoted: tc.line + "\nPlease restart it."}
		}
		if got := Split(unquoted); got != want {
			t.Errorf("above unquoted text: %q\n got %+q\nwant %+q", tc.line, got, want)
		}
	}
}

// TestNotAttributions checks lines that end with a colon above a quote but
// do not introduce it, and sentences that merely mention writing.
func TestNotAttributions(t *testing.T) {
	for _, text := range []string{
		"This is the error I get:\n> printer offline",
		"On Monday I rewrote:\n> the config",
		"I tried it on Monday.\nThe log says:\n> error 42",
		"Our technician wrote the following on 5 January:\n> restart",
	} {
		p := Split(text)
		first := strings.SplitN(text, "\n", 2)[0]
		if !strings.HasPrefix(p.New, first) {
			t.Errorf("Split(%q).New = %q, want it to start with %q", text, p.New, first)
		}
	}
}

// TestHeaderBlocks checks localised Outlook header blocks above history.
func TestHeaderBlocks(t *testing.T) {
	for _, block := range []string{
		"From: Support <support@example.com>\nSent: Monday, January 5, 2026 10:00 AM\nTo: Jan\nSubject: RE: Printer",
		"Von: Support [mailto:support@example.com]\nGesendet: Montag, 5. Januar 2026 10:00\nAn: Jan\nBetreff: AW: Drucker",
		"De : Support <support@example.com>\nEnvoyé : lundi 5 janvier 2026 10:00\nÀ : Jan\nObjet : RE: Imprimante",
		"Od: Dział wsparcia\nWysłano: poniedziałek, 5 stycznia 2026 10:00\nDo: Jan\nTemat: RE: Drukarka",
		"Od: Podpora\nOdesláno: pondělí 5. ledna 2026 10:00\nKomu: Jan\nPředmět: RE: Tiskárna",
		"De: Soporte\nEnviado: lunes, 5 de enero de 2026 10:00\nPara: Jan\nAsunto: RE: Impresora",
		"Da: Supporto\nInviato: lunedì 5 gennaio 2026 10:00\nA: Jan\nOggetto: R: Stampante",
		"Van: Support\nVerzonden: maandag 5 januari 2026 10:00\nAan: Jan\nOnderwerp: RE: Printer",
		"**From:** Support\n**Sent:** Monday\n**To:** Jan\n**Subject:** Printer",
		"-------- Original message --------\nFrom: Support <support@example.com>\nDate: 05/01/2026 10:00 (GMT+01:00)",
		"-------- Oryginalna wiadomość --------\nOd: Support",
		"----- Original Message -----\nFrom: Support",
	} {
		text := "Still broken.\n\n" + block + "\n\nPlease restart it.\n"
		want := Parts{New: "Still broken.", Quoted: block + "\n\nPlease restart it."}
		if got := Split(text); got != want {
			t.Errorf("block %q\n got %+q\nwant %+q", block, got, want)
		}
	}
}
