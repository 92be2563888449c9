package ui

import (
	"html/template"
	"io/fs"
	"strings"
	"testing"
)

// TestEveryLanguageHasEveryString: no screen falls back to English in
// Polish or Czech.
func TestEveryLanguageHasEveryString(t *testing.T) {
	for _, l := range Languages()[1:] {
		for _, k := range Keys() {
			if !Has(l, k) {
				t.Errorf("%s has no string %q", l, k)
			}
		}
	}
}

// TestTemplateKeysExist: every {{t .Lang "key"}} in the templates names a
// string that exists.
func TestTemplateKeysExist(t *testing.T) {
	err := fs.WalkDir(Templates(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Templates(), p)
		if err != nil {
			return err
		}
		for _, part := range strings.Split(string(b), `t .Lang "`)[1:] {
			k := part[:strings.IndexByte(part, '"')]
			if !Has("en", k) {
				t.Errorf("%s: string %q does not exist", p, k)
			}
		}
		for _, part := range strings.Split(string(b), `t $.Lang "`)[1:] {
			k := part[:strings.IndexByte(part, '"')]
			if !Has("en", k) {
				t.Errorf("%s: string %q does not exist", p, k)
			}
		}
		// Each page parses with the layout.
		if p != "templates/layout.html" {
			_, err := template.New("").Funcs(template.FuncMap{"t": T, "join": strings.Join, "asset": func(string) string { return "" }}).
				ParseFS(Templates(), "templates/layout.html", p)
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPick(t *testing.T) {
	for _, tc := range []struct{ name, setting, accept, want string }{
		{"setting wins", "cs", "pl-PL,pl;q=0.9", "cs"},
		{"browser", "", "pl-PL,pl;q=0.9,en;q=0.8", "pl"},
		{"unknown falls back", "de", "de-DE,fr", "en"},
		{"second choice", "", "de-DE, cs;q=0.5", "cs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Pick(tc.setting, tc.accept); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
