package ui

import (
	"html/template"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
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

// TestStringsTakeTheSameValues: a string with values (fmt verbs) takes
// the same ones, by index and verb, in every language, so a message
// filled by Tf reads right in each; a string that leaves a value out
// names the others by index.
func TestStringsTakeTheSameValues(t *testing.T) {
	for _, k := range Keys() {
		want := verbs(T("en", k))
		for _, l := range Languages()[1:] {
			if got := verbs(T(l, k)); !slices.Equal(got, want) {
				t.Errorf("%s %q takes %v, want %v as in English", l, k, got, want)
			}
		}
	}
	if got := Tf("pl", "err_password_short", 10, 5); got != "Hasło musi mieć co najmniej 10 znaków (to ma 5)." {
		t.Errorf("got %q", got)
	}
	if got := Tf("cs", "err_no_view", "v1"); got != "Takový pohled neexistuje." {
		t.Errorf("a string without values: got %q", got)
	}
}

// verbs lists a string's fmt verbs with the index of the value each
// takes, sorted.
func verbs(s string) []string {
	var out []string
	next := 1
	for _, m := range regexp.MustCompile(verbPattern).FindAllStringSubmatch(s, -1) {
		if m[0] == "%%" {
			continue
		}
		n := next
		if m[1] != "" {
			n, _ = strconv.Atoi(m[1])
		}
		out = append(out, strconv.Itoa(n)+m[2])
		next = n + 1
	}
	slices.Sort(out)
	return out
}

// verbPattern matches a fmt verb: an optional argument index, flags,
// width, precision and the verb letter.
const verbPattern = `%%|%(?:\[(\d+)\])?[-+# 0]*\d*(?:\.\d+)?([a-zA-Z])`
