package mime

import (
	"os"
	"testing"
)

func BenchmarkZZPolicy(b *testing.B) {
	for i := 0; i < b.N; i++ {
		policy()
	}
}

func BenchmarkZZSanitize(b *testing.B) {
	p := policy()
	for i := 0; i < b.N; i++ {
		p.Sanitize("<p>Hello <b>world</b> <a href='http://x'>x</a></p>")
	}
}

func BenchmarkZZParseHTML(b *testing.B) {
	raw, _ := os.ReadFile(corpusDir + "/mime/enmime/mail__html-mime-inline.eml")
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		Parse(raw, Limits{})
	}
}

func BenchmarkZZParsePlain(b *testing.B) {
	raw, _ := os.ReadFile(corpusDir + "/mime/lore-ksummit/windows-1252-1__1d2c50bffed4.eml")
	b.SetBytes(int64(len(raw)))
	for i := 0; i < b.N; i++ {
		Parse(raw, Limits{})
	}
}
