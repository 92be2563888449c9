package compose

import "testing"

func TestQuoteLast(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		maxLines int
		want     string
	}{
		{"plain", "Hello,\nit broke.", 0, "Hello,\nit broke."},
		{"crlf", "Hello,\r\nit broke.\r\n", 0, "Hello,\nit broke."},
		{"drops quoted history", "Still broken.\n> On Monday you wrote:\n>> older\n  > indented quote\nThanks", 0, "Still broken.\nThanks"},
		{"cuts signature", "Still broken.\n\n-- \nJan Nowak\nACME", 0, "Still broken."},
		{"cuts signature without the space", "Still broken.\n--\nJan", 0, "Still broken."},
		{"keeps a longer rule", "a\n---\nb", 0, "a\n---\nb"},
		{"squeezes blank lines", "\n\na\n\n\n\nb\n\n", 0, "a\n\nb"},
		{"caps lines", "1\n2\n3\n4\n5", 3, "1\n2\n3\n…"},
		{"cap not reached", "1\n2\n3", 3, "1\n2\n3"},
		{"cap at a blank line", "1\n\n2\n3", 2, "1\n…"},
		{"cap counts kept lines only", "1\n> q\n> q\n2\n3", 3, "1\n2\n3"},
		{"only quotes", "> a\n> b", 5, ""},
		{"trailing spaces trimmed", "a  \nb\t", 0, "a\nb"},
		{"drops the attribution with the history", "It smokes now.\n\nOn Mon, 2 Feb 2026, Support <s@desk.example> wrote:\n> We sent a technician.", 0, "It smokes now."},
		{"drops an Outlook header block", "Works again.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: Re: x\n\nWe sent a technician.", 0, "Works again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := QuoteLast(tc.text, tc.maxLines); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"ascii", "abcdef", 5, "ab…"},
		{"rune boundary", "żżżż", 6, "ż…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clip(tc.in, tc.n); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
