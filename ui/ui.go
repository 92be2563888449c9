// Package ui holds the HTML templates, static files and UI strings of the
// agent workspace, embedded in the binary. The http package parses the
// templates once at start-up and serves the static files under names that
// carry their content hash, so browsers may cache them for good.
package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

// Templates returns the template files: layout.html and one file a page.
func Templates() fs.FS { return templates }

// Static returns the static files (styles, scripts).
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree always has static/
	}
	return sub
}

// Asset is a static file with the hashed name it is served under.
type Asset struct {
	Name   string // app.css
	Hashed string // app.3f2a9c1b.css
	Data   []byte
	Type   string
}

// Assets lists the static files with their hashed names.
func Assets() ([]Asset, error) {
	var out []Asset
	err := fs.WalkDir(Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		a := Asset{Name: p, Hashed: strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:4]) + ext, Data: b}
		switch ext {
		case ".css":
			a.Type = "text/css; charset=utf-8"
		case ".js":
			a.Type = "text/javascript; charset=utf-8"
		case ".svg":
			a.Type = "image/svg+xml"
		default:
			a.Type = "application/octet-stream"
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Languages returns the UI languages, the first the default.
func Languages() []string { return []string{"en", "pl", "cs"} }

// T returns the UI string key in language lang, falling back to English,
// then to the key itself.
func T(lang, key string) string {
	if s, ok := catalog[lang][key]; ok {
		return s
	}
	if s, ok := catalog["en"][key]; ok {
		return s
	}
	return key
}

// Tf returns the UI string key in language lang (as T) filled with args
// by fmt's verbs; a string without verbs is returned as it is. Strings
// that leave out some of their values name the others by index
// ("%[2]q"), which fmt allows.
func Tf(lang, key string, args ...any) string {
	s := T(lang, key)
	if len(args) == 0 || !strings.Contains(s, "%") {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Keys lists every UI string key (of the English table), for tests that
// check the other languages have them all.
func Keys() []string {
	out := make([]string, 0, len(catalog["en"]))
	for k := range catalog["en"] {
		out = append(out, k)
	}
	return out
}

// Has reports whether language lang has its own string for key.
func Has(lang, key string) bool {
	_, ok := catalog[lang][key]
	return ok
}

// Pick chooses a UI language: the user's setting when it is one of
// Languages, else the first of Accept-Language that is, else English.
func Pick(setting, acceptLanguage string) string {
	for _, l := range Languages() {
		if setting == l {
			return l
		}
	}
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		base, _, _ := strings.Cut(tag, "-")
		for _, l := range Languages() {
			if base == l {
				return l
			}
		}
	}
	return Languages()[0]
}
