package extract

import (
	"context"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzText feeds any name, content type and bytes to a child process, the
// way servers extract. The package's own code must not panic (its recover
// would turn that into errInternal), and the text must be valid UTF-8 of
// at most MaxOutput bytes, with a kind and no error. What the PDF library
// does on some files (loop, overflow its stack) ends in ErrTimeout or
// ErrCrashed, which are allowed: the child is there to contain them.
// Seeds are in testdata/fuzz/FuzzText: generated and hostile PDFs, HTML,
// labelled and unlabelled text, DOCX and noise.
func FuzzText(f *testing.F) {
	f.Add("invoice.pdf", "application/pdf", classicPDF(onePage([]byte(invoiceContent)), ""))
	f.Add("note.txt", "text/plain; charset=iso-8859-2", []byte("zg\xb3oszenie"))
	f.Add("page.html", "", []byte("<p>a &amp; b<script>x</script>"))
	lim := Limits{MaxInput: 1 << 20, MaxOutput: 4096, Timeout: time.Second}
	c := testChild(f, "serve")
	f.Fuzz(func(t *testing.T, name, contentType string, data []byte) {
		text, kind, err := c.Text(context.Background(), name, contentType, data, lim)
		if errors.Is(err, errInternal) {
			t.Fatalf("%s: %v", kind, err)
		}
		if len(text) > lim.MaxOutput || !utf8.ValidString(text) {
			t.Fatalf("%s: %d bytes, valid UTF-8 %v", kind, len(text), utf8.ValidString(text))
		}
		if (err != nil || kind == "") && text != "" {
			t.Fatalf("text %q with kind %q and error %v", text, kind, err)
		}
	})
}
