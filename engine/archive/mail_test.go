package archive

import (
	"strings"
	"testing"
)

func TestLooksLikeMail(t *testing.T) {
	many := "From: a@b\n" + strings.Repeat("X-H: v\n", 10000) + "\nbody\n"
	huge := "From: a@b\nTo: c@d\nX-Huge: " + strings.Repeat("A", 900) + strings.Repeat("\n "+strings.Repeat("A", 900), 200) + "\n\nbody\n"
	tests := []struct {
		name string
		head string
		want bool
	}{
		{name: "minimal", head: "From: a@b\nTo: c@d\n\nhi\n", want: true},
		{name: "crlf", head: "Subject: x\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000\r\n\r\nhi\r\n", want: true},
		{name: "from plus unknown", head: "From: a@b\nFoo: bar\n\n", want: true},
		{name: "two x fields", head: "X-A: 1\nX-B: 2\n\n", want: true},
		{name: "folded", head: "Subject: a\n b\n\tc\nTo: d\n\n", want: true},
		{name: "leading lf", head: "\nFrom: a@b\nTo: c@d\n\n", want: true},
		{name: "leading crlf", head: "\r\nFrom: a@b\r\nTo: c@d\r\n\r\n", want: true},
		{name: "leading white space line", head: "    \nMIME-Version: 1.0\nDate: x\n\n", want: true},
		{name: "two leading blank lines", head: "\n\nFrom: a@b\nTo: c@d\n\n"},
		{name: "leading envelope", head: "From a@b\nFrom: a@b\nTo: c@d\n\n", want: true},
		{name: "indented first field", head: " From: a@b\nSubject: x\n\n", want: true},
		{name: "8-bit value", head: "Subject: caf\xe9\nFrom: \xff\xfe\n\n", want: true},
		{name: "space before colon", head: "Subject : x\nTo : y\n\n", want: true},
		{name: "single content-type part", head: "Content-Type: text/plain\n\nbody\n", want: true},
		{name: "single field without body", head: "Content-Type: text/plain\n"},
		{name: "single x field", head: "X-Note: 1\n\nbody\n"},
		{name: "single unknown field", head: "Note: remember\n\nmilk\n"},
		{name: "two unknown fields", head: "Note: a\nAuthor: b\n\ntext\n"},
		{name: "only from", head: "From: a@b\n\nhi\n", want: true},
		{name: "only from without body", head: "From: a@b\n"},
		{name: "broken line after fields", head: "Received: x\nReceived-SPF: y\nquite Delivered-To: z\nDate: d\nFrom: f\n\n", want: true},
		{name: "mostly broken", head: "Subject: x\nhello there\nthis is text\nTo: y\n\n"},
		{name: "first line broken", head: "hello\nFrom: a@b\nTo: c@d\n\n"},
		{name: "markdown", head: "Raw HTML: <script>\n\n[click](javascript:alert(1))\n"},
		{name: "json", head: "{\n  \"From\": \"a@b\",\n  \"To\": \"c@d\"\n}\n"},
		{name: "html", head: "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2//EN\">\n<html>\n"},
		{name: "plain text", head: "// Not an RFC-822 Document"},
		{name: "nul in header", head: "From: a@b\nTo: c\x00d\n\n"},
		{name: "nul in body", head: "From: a@b\nTo: c@d\n\nbin\x00ary\n", want: true},
		{name: "cut in first line", head: "From: a@"},
		{name: "no final newline", head: "Subject: x\nTo: y", want: true},
		{name: "cut in second line", head: "Subject: x\nTo"},
		{name: "cut after fields", head: "From: a@b\nTo: c@d\nSubj", want: true},
		{name: "non-ascii name", head: "Fr\xf6m: a\nTo: b\n\n"},
		{name: "empty name", head: ": a\nTo: b\n\n"},
		{name: "empty", head: ""},
		{name: "many headers", head: many, want: true},
		{name: "huge header", head: huge, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LooksLikeMail([]byte(tc.head)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
