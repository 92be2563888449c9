package mime

import (
	"path/filepath"
	"strings"
	"testing"

	"searchdesk/engine/corpustest"
)

// TestSanitize checks the policy of XSS-01 piece by piece: what must go and
// what must stay.
func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in    string
		want, never []string
	}{
		{"script", `<p>a</p><script>alert(1)</script>`, []string{"<p>a</p>"}, []string{"script", "alert"}},
		{"event handler", `<img src="https://x.example/a.png" onerror="alert(1)">`, []string{`src="https://x.example/a.png"`}, []string{"onerror"}},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, []string{"x"}, []string{"javascript", "href"}},
		{"entity javascript", `<a href="jav&#x09;ascript:alert(1)">x</a>`, nil, []string{"ascript", "href"}},
		{"data image", `<img src="data:image/png;base64,AAAA">`, nil, []string{"data:"}},
		{"cid image", `<img src="cid:logo@x">`, []string{`src="cid:logo@x"`}, nil},
		{"cid link", `<a href="cid:logo@x">x</a>`, nil, []string{"cid:"}},
		{"mailto link", `<a href="mailto:a@example.org">a</a>`, []string{`href="mailto:a@example.org"`}, nil},
		{"link rel", `<a href="https://x.example/">x</a>`, []string{"nofollow", "noreferrer", "noopener"}, nil},
		{"form", `<form action="https://x.example/"><input name="p"><button>go</button></form>`, nil, []string{"<form", "<input", "<button"}},
		{"base and meta", `<base href="https://x.example/"><meta http-equiv="refresh" content="0;url=https://x.example/">`, nil, []string{"<base", "<meta", "refresh"}},
		{"style element", `<style>body{background:url(https://x.example/)}</style><p>t</p>`, []string{"<p>t</p>"}, []string{"<style", "url("}},
		{"style attribute url", `<div style="background-image:url(https://x.example/p.gif);color:red">t</div>`, []string{"color: red"}, []string{"url("}},
		{"frames", `<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="x"></object><embed src="x">`, nil, []string{"iframe", "object", "embed", "script"}},
		{"svg", `<svg onload="alert(1)"><script>alert(1)</script></svg>`, nil, []string{"svg", "onload", "script"}},
		{"target", `<a href="https://x.example/" target="_top">x</a>`, nil, []string{"_top"}},
		{"table", `<table border="1"><tr><td colspan="2">c</td></tr></table>`, []string{`<table border="1">`, `<td colspan="2">`}, nil},
		{"formatting", `<h1>T</h1><b>b</b><i>i</i><ul><li>l</li></ul><blockquote>q</blockquote>`, []string{"<h1>", "<b>", "<i>", "<li>", "<blockquote>"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sanitizeHTML(tc.in)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(strings.ToLower(got), n) {
					t.Errorf("got %q, must not contain %q", got, n)
				}
			}
		})
	}
}

// TestHostileHTML parses the XSS samples: nothing dangerous may survive in
// HTML after decoding, whatever the charset trick (XSS-01, XSS-10).
func TestHostileHTML(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpustest.Path(t, "hostile"), "XSS-*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no XSS samples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			m := parseFile(t, f)
			checkSafe(t, f, m)
			lower := strings.ToLower(m.HTML)
			for _, bad := range []string{"<iframe", "<form", "<base", "<meta", "<style", "<svg", "<math", "<object", "<embed", "srcdoc", "vbscript:", "data:", "+adw-"} {
				if strings.Contains(lower, bad) {
					t.Errorf("HTML holds %q: %s", bad, m.HTML)
				}
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"line breaks", "a<br>b<br/>c", "a\nb\nc"},
		{"white space", "<div>  lots   of\n\n space </div>", "lots of space"},
		{"entities", "caf&eacute; &amp; &lt;tag&gt; &nbsp;x", "café & <tag> x"},
		{"script and style", "<style>p{}</style><script>var x</script>shown<title>t</title>", "shown"},
		{"head", "<html><head><title>t</title><meta charset=utf-8></head><body>body</body></html>", "body"},
		{"list", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"unclosed", "<b><i>x", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanText(htmlToText(tc.in)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInlineImages(t *testing.T) {
	m := corpusMessage(t, "mime/enmime/mail__html-mime-inline.eml")
	if len(m.Attachments) != 1 || !m.Attachments[0].Inline || m.Attachments[0].ContentID == "" {
		t.Fatalf("got %+v, want one inline image with a Content-ID", m.Attachments)
	}
	if !strings.Contains(m.HTML, "cid:"+m.Attachments[0].ContentID) {
		t.Errorf("HTML %q does not point at cid:%s", m.HTML, m.Attachments[0].ContentID)
	}
	if m.Text == "" {
		t.Error("no text")
	}
}
