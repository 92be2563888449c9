package lang

import "testing"

func TestDetect(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// Polish
		{"Dzień dobry, nie mogę zalogować się do swojego konta.", Polish},
		{"Proszę o pilną pomoc – drukarka w biurze nie drukuje faktur.", Polish},
		{"Zgłoszenie zostało zamknięte, ale problem nadal występuje.", Polish},
		{"Faktura za marzec jest błędna, proszę o korektę.", Polish},
		{"prosze o pomoc, nie dziala logowanie do systemu", Polish},
		{"Witam, czy można zmienić adres e-mail na koncie?", Polish},
		// Czech
		{"Dobrý den, nemohu se přihlásit do svého účtu.", Czech},
		{"Prosím o pomoc, tiskárna v kanceláři netiskne faktury.", Czech},
		{"Heslo není platné a přihlášení selhalo už potřetí.", Czech},
		{"Faktura za březen obsahuje chybnou částku.", Czech},
		{"dobry den, prosim o pomoc, neni mozne se prihlasit", Czech},
		{"Děkuji za rychlou odpověď, teď už to funguje.", Czech},
		// English
		{"Hello, the printer is jammed again, please help.", English},
		{"I cannot log in to my account since yesterday.", English},
		{"Thanks, the invoice was sent with the wrong VAT number.", English},
		{"Please call Mr. Dvořák about the invoice and the refund.", English},
		{"Łukasz from the Kraków office says the VPN is down.", English},
		// No evidence at all.
		{"Printer broken", English},
		{"", English},
		{"12345 !!!", English},
	} {
		if got := Detect(c.text); got != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestDetectDoesNotAllocate(t *testing.T) {
	text := "Dobrý den, PROSÍM o pomoc: Zgłoszenie #123 the printer's tray."
	if n := testing.AllocsPerRun(100, func() { _ = Detect(text) }); n != 0 {
		t.Errorf("Detect allocates %v times per call", n)
	}
}

func TestMark(t *testing.T) {
	if got, want := Mark(Polish, "faktura"), "sdlangpl faktura"; got != want {
		t.Errorf("Mark = %q, want %q", got, want)
	}
	if got := Mark("de", "Rechnung"); got != "Rechnung" {
		t.Errorf("Mark of an unknown language = %q, want the text unchanged", got)
	}
	for _, l := range []string{English, Polish, Czech} {
		if got := markerLang([]byte(Mark(l, "")[:len(markerPrefix)+2])); got != l {
			t.Errorf("markerLang(marker of %q) = %q", l, got)
		}
	}
	for _, term := range []string{"sdlang", "sdlangde", "sdlangplx", "xdlangpl", "faktura"} {
		if got := markerLang([]byte(term)); got != "" {
			t.Errorf("markerLang(%q) = %q, want none", term, got)
		}
	}
}
