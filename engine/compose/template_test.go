package compose

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		tmpl Template
		want string // error text, "" for none
	}{
		{"valid", Template{"[{{ticket_number}}] {{ticket_title}}", "Hello {{customer_name}},\n{{quote}}"}, ""},
		{"spaces inside braces", Template{"{{ ticket_title }}", "{{\tdesk_name\t}}"}, ""},
		{"stray closing braces", Template{"a }} b", "}}"}, ""},
		{"no placeholders", Template{"Hello", "plain text"}, ""},
		{
			"typo with suggestion",
			Template{Body: strings.Repeat("x", 34) + "{{ticket_nmber}}"},
			`compose: body: unknown variable "ticket_nmber" at 34 (did you mean "ticket_number"?)`,
		},
		{
			"wrong case",
			Template{Subject: "Re: {{Ticket_Title}}"},
			`compose: subject: unknown variable "Ticket_Title" at 4 (did you mean "ticket_title"?)`,
		},
		{"unknown without suggestion", Template{Subject: "{{ foo }}"}, `compose: subject: unknown variable "foo" at 0`},
		{"unclosed", Template{Body: "Hello {{customer_name"}, `compose: body: unclosed "{{" at 6`},
		{"unclosed before a good one", Template{Body: "{{ a {{ticket_title}}"}, `compose: body: unclosed "{{" at 0`},
		{"empty", Template{Body: "x{{ }}"}, `compose: body: empty variable at 1`},
		{
			"every error reported",
			Template{Subject: "{{foo}}", Body: "{{agent_nam}} {{bar"},
			"compose: subject: unknown variable \"foo\" at 0\n" +
				"compose: body: unknown variable \"agent_nam\" at 0 (did you mean \"agent_name\"?)\n" +
				"compose: body: unclosed \"{{\" at 14",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.tmpl)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckErrorType(t *testing.T) {
	err := Check(Template{Body: "ab{{ticket_nmber}}"})
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("got %T, want *TemplateError", err)
	}
	want := TemplateError{Field: "body", Pos: 2, Name: "ticket_nmber", Suggest: "ticket_number"}
	if *te != want {
		t.Errorf("got %+v, want %+v", *te, want)
	}
}

func TestVarNames(t *testing.T) {
	// Every listed name resolves, and Vars has a field for each.
	names := varNames()
	if got, want := len(names), reflect.TypeFor[Vars]().NumField(); got != want {
		t.Fatalf("got %d names, want %d", got, want)
	}
	for _, n := range names {
		if _, _, ok := (&Vars{}).lookup(n); !ok {
			t.Errorf("lookup(%q): got unknown, want known", n)
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		tmpl       Template
		vars       Vars
		subject    string   // exact, when not ""
		textHas    []string // substrings of the text part
		htmlHas    []string // substrings of the HTML part
		htmlHasNot []string
	}{
		{
			name:       "customer title cannot inject markup",
			tmpl:       Template{"[{{ticket_number}}] {{ticket_title}}", "Title: {{ticket_title}}"},
			vars:       Vars{TicketNumber: "#7", TicketTitle: `*bold* <script>alert(1)</script> [x](javascript:alert(1)) &amp; _u_`},
			subject:    `[#7] *bold* <script>alert(1)</script> [x](javascript:alert(1)) &amp; _u_`,
			textHas:    []string{`Title: *bold* <script>alert(1)</script> [x](javascript:alert(1)) &amp; _u_`},
			htmlHas:    []string{"*bold*", "&lt;script&gt;", "[x](javascript:alert(1))", "&amp;amp;", "_u_"},
			htmlHasNot: []string{"<script", "<em>", "<a ", "<strong>"},
		},
		{
			name:       "customer name cannot start a block",
			tmpl:       Template{"x", "Hello {{customer_name}},"},
			vars:       Vars{CustomerName: "Eve\n# Heading\n\n<img src=x onerror=alert(1)>"},
			textHas:    []string{"Hello Eve # Heading <img src=x onerror=alert(1)>,"},
			htmlHas:    []string{"Hello Eve # Heading &lt;img"},
			htmlHasNot: []string{"<h1", "<img", "onerror=\""},
		},
		{
			name:       "quote becomes an escaped block quote",
			tmpl:       Template{"x", "You wrote:\n\n{{quote}}\n\nBye"},
			vars:       Vars{Quote: "First line\r\n<b>bold</b> **x**\n\n    indented\n1. item"},
			textHas:    []string{"> First line\n> <b>bold</b> **x**\n>\n>     indented\n> 1. item\n\nBye"},
			htmlHas:    []string{"<blockquote>", "First line<br>", "&lt;b&gt;bold&lt;/b&gt; **x**", "1. item"},
			htmlHasNot: []string{"<b>", "<strong>", "<pre>", "<ol>"},
		},
		{
			name: "agent markdown is inserted as is and sanitized",
			tmpl: Template{"x", "{{comment_content}}"},
			vars: Vars{CommentContent: "**done**\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) [good](https://example.com/a)\n\n" +
				"| a | b |\n|---|---|\n| 1 | 2 |\n\nsee https://example.org/x"},
			textHas:    []string{"**done**", "[good](https://example.com/a)"},
			htmlHas:    []string{"<strong>done</strong>", `href="https://example.com/a"`, "<table>", "<td>1</td>", `href="https://example.org/x"`},
			htmlHasNot: []string{"<script", "javascript:", "alert(1)"},
		},
		{
			name:       "summary keeps lines, escaped",
			tmpl:       Template{"x", "{{summary}}"},
			vars:       Vars{Summary: "- asked for a refund\n- [link](https://evil.example)\n2024. something"},
			textHas:    []string{"- asked for a refund\n- [link](https://evil.example)\n2024. something"},
			htmlHas:    []string{"- asked for a refund<br>", "[link](https://evil.example)<br>"},
			htmlHasNot: []string{"<li>", "<a ", "<ol"},
		},
		{
			name:    "ticket url becomes a link",
			tmpl:    Template{"x", "Open: <{{ticket_url}}>"},
			vars:    Vars{TicketURL: "https://desk.example.com/t/1?a=1&b=<2>"},
			textHas: []string{"Open: <https://desk.example.com/t/1?a=1&b=%3C2%3E>"},
			htmlHas: []string{`href="https://desk.example.com/t/1?a=1&amp;b=%3C2%3E"`},
		},
		{
			name:       "ticket url that is not http is text",
			tmpl:       Template{"x", "Open: <{{ticket_url}}>"},
			vars:       Vars{TicketURL: "javascript:alert(1)"},
			htmlHas:    []string{"javascript:alert(1)"},
			htmlHasNot: []string{"<a "},
		},
		{
			name:    "subject is one line (MAIL-07)",
			tmpl:    Template{"Re: [{{ticket_number}}]  {{ticket_title}}\r\n", "x"},
			vars:    Vars{TicketNumber: "#1", TicketTitle: "Refund\r\nBcc: x@y\u2028X-A: 1\u2029\u0085\t\x00z\xff"},
			subject: "Re: [#1] Refund Bcc: x@y X-A: 1 z\uFFFD",
		},
		{
			name:    "multi-line values in the subject are flattened",
			tmpl:    Template{"{{quote}} / {{summary}}", "x"},
			vars:    Vars{Quote: "a\nb", Summary: "c\r\n\r\nd"},
			subject: "a b / c d",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			subject, text, html, err := Render(tc.tmpl, tc.vars)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if tc.subject != "" && subject != tc.subject {
				t.Errorf("subject: got %q, want %q", subject, tc.subject)
			}
			for _, s := range tc.textHas {
				if !strings.Contains(text, s) {
					t.Errorf("text: got %q, want it to contain %q", text, s)
				}
			}
			for _, s := range tc.htmlHas {
				if !strings.Contains(html, s) {
					t.Errorf("html: got %q, want it to contain %q", html, s)
				}
			}
			for _, s := range tc.htmlHasNot {
				if strings.Contains(html, s) {
					t.Errorf("html: got %q, want no %q", html, s)
				}
			}
		})
	}
}

func TestRenderRejectsBadTemplate(t *testing.T) {
	_, _, _, err := Render(Template{Subject: "{{ticket_nmber}}"}, Vars{})
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TemplateError", err)
	}
}

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"letters untouched", "Zażółć 123", "Zażółć 123"},
		{"punctuation", `a*b_c`, `a\*b\_c`},
		{"every ASCII punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "\\!\\\"\\#\\$\\%\\&\\'\\(\\)\\*\\+\\,\\-\\.\\/\\:\\;\\<\\=\\>\\?\\@\\[\\\\\\]\\^\\_\\`\\{\\|\\}\\~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeMarkdown(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello", "Hello"},
		{"crlf", "a\r\nb", "a b"},
		{"bare cr and lf", "a\rb\nc", "a b c"},
		{"unicode separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"controls", "a\x00b\x1bc\x7fd\u009be", "a b c d e"},
		{"collapse and trim", "  a  \t b  ", "a b"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"nbsp kept", "a\u00a0b", "a\u00a0b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := oneLine(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	vars := Vars{
		TicketTitle: "Printer on fire", TicketNumber: "#1042", TicketURL: "https://desk.example.com/t/1042",
		DeskName: "Example Support", CustomerName: "Jan Nowak", CommentContent: "We have sent a technician.",
		Status: "open", AgentName: "Ewa", Quote: "It is still burning.", Summary: "Customer reported a fire.\nTechnician sent.",
	}
	kinds := []Kind{Ack, AckAfterHours, AgentReply, Resolved, Summary, AgentNotify}
	tests := []struct {
		name, lang string
		phrase     string // a phrase of the Ack subject, with the language's diacritics
	}{
		{"english", "en", "We have received your request"},
		{"polish", "pl", "Potwierdzenie przyjęcia zgłoszenia"},
		{"czech", "cs", "Potvrzení přijetí požadavku"},
		{"polish with region", "pl-PL", "Potwierdzenie przyjęcia zgłoszenia"},
		{"czech with underscore region", "cs_CZ", "Potvrzení přijetí požadavku"},
		{"unknown is english", "de", "We have received your request"},
		{"empty is english", "", "We have received your request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Defaults(tc.lang)
			if len(d) != len(kinds) {
				t.Errorf("got %d templates, want %d", len(d), len(kinds))
			}
			if !strings.Contains(d[Ack].Subject, tc.phrase) {
				t.Errorf("ack subject: got %q, want it to contain %q", d[Ack].Subject, tc.phrase)
			}
			for _, k := range kinds {
				tmpl, ok := d[k]
				if !ok {
					t.Errorf("%s: missing", k)
					continue
				}
				if err := Check(tmpl); err != nil {
					t.Errorf("%s: got %v, want no error", k, err)
				}
				if !strings.Contains(tmpl.Subject, "[{{ticket_number}}]") {
					t.Errorf("%s: subject %q has no [{{ticket_number}}]", k, tmpl.Subject)
				}
				subject, text, html, err := Render(tmpl, vars)
				if err != nil {
					t.Fatalf("%s: render: %v", k, err)
				}
				if !strings.Contains(subject, "[#1042]") || strings.Contains(text, "{{") || html == "" {
					t.Errorf("%s: got subject %q, text %q, html %q", k, subject, text, html)
				}
			}
			if !strings.Contains(d[AgentReply].Body, "{{agent_name}}") || !strings.Contains(d[AgentReply].Body, "{{quote}}") {
				t.Errorf("agent reply: got %q, want agent_name and quote", d[AgentReply].Body)
			}
		})
	}
}
