package quote

import (
	"strings"
	"testing"
)

// benchReply is a reply of about 5 KB: new text, a signature, a Gmail
// attribution and two levels of quoted history with an Outlook block.
var benchReply = func() string {
	var b strings.Builder
	b.WriteString("Hello,\n\nthanks for the quick answer. I updated the driver as you suggested,\n")
	b.WriteString("but the printer on the second floor still prints blank pages.\n\n")
	for i := 0; i < 8; i++ {
		b.WriteString("The queue shows the job as printed, the counter goes up, and the page\n")
		b.WriteString("comes out empty; the test page from the panel is fine.\n\n")
	}
	b.WriteString("-- \nJan Kowalski\nACME Ltd. | +48 22 123 45 67\n\n")
	b.WriteString("On Mon, Jan 5, 2026 at 10:00 AM Support Team <\nsupport@example.com> wrote:\n\n")
	for i := 0; i < 20; i++ {
		b.WriteString("> Please install driver 4.2 from our site and restart the print spooler.\n")
		b.WriteString(">> We have received your request and will answer within one business day.\n")
	}
	b.WriteString("> -----Original Message-----\n> From: Jan Kowalski <jan@example.com>\n")
	b.WriteString("> Sent: Sunday, January 4, 2026 9:00 PM\n> To: support@example.com\n> Subject: Printer\n")
	for b.Len() < 5<<10 {
		b.WriteString("> The printer prints blank pages.\n")
	}
	return b.String()
}()

func BenchmarkSplit(b *testing.B) {
	p := Split(benchReply)
	if p.New == "" || p.Quoted == "" || p.Signature == "" {
		b.Fatalf("benchmark reply split as %+v", p)
	}
	b.SetBytes(int64(len(benchReply)))
	b.ReportAllocs()
	for b.Loop() {
		Split(benchReply)
	}
}
