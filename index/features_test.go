package index

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
)

// withAttachment builds a mail with one attachment.
func withAttachment(from, subject, id, body, name, ctype, content string) []byte {
	return []byte(fmt.Sprintf("From: %s\r\nTo: support@desk.example.com\r\nSubject: %s\r\nMessage-ID: %s\r\n"+
		"Date: Mon, 2 Feb 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"+
		"--b1\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=%q\r\n\r\n%s\r\n--b1--\r\n",
		from, subject, id, body, ctype, name, content))
}

func (f *fixture) intake(t *testing.T, name, desk string, raw []byte) engine.IntakeResult {
	t.Helper()
	r, err := f.eng.Intake(context.Background(), engine.Inbound{Desk: desk, Raw: raw, Channel: "email"})
	if err != nil {
		t.Fatal(err)
	}
	f.tix[name] = r
	if err := f.idx.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) search(t *testing.T, q string, s Scope) *Result {
	t.Helper()
	r, err := f.idx.Search(context.Background(), Request{Query: q, Scope: s, Size: 50, Highlight: true, Facets: true,
		BleveOnly: f.bleveOnly})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return r
}

func TestHighlights(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	all := Scope{All: true}
	f.intake(t, "xss", "", mail("mallory@evil.example", "Question", "<x1@x>",
		`Hello <script>alert("pwned")</script> the wombat report is attached & ready.`))

	r := f.search(t, "wombat", all)
	if r.Total != 1 || r.Hits[0].Highlight == nil {
		t.Fatalf("wombat: %+v", r)
	}
	h := r.Hits[0].Highlight
	if strings.Contains(h.Fragment, "<script") || !strings.Contains(h.Fragment, "&lt;script&gt;") {
		t.Errorf("fragment not escaped: %q", h.Fragment)
	}
	if !strings.Contains(h.Fragment, "<mark>wombat</mark>") || h.Field != "body" || h.MessageID == "" {
		t.Errorf("highlight %+v: want the body's word marked and its message named", h)
	}
	msgs, err := f.eng.Messages(ctx, f.tix["xss"].TicketID)
	if err != nil || len(msgs) != 1 || msgs[0].ID != h.MessageID {
		t.Errorf("highlight names message %s; the ticket has %v (%v)", h.MessageID, msgs, err)
	}

	// Diacritics and stems: the fragment marks the word as written.
	r = f.search(t, "zgloszenie", all)
	if r.Total != 1 || !strings.Contains(r.Hits[0].Highlight.Fragment, "<mark>Zgłoszenie</mark>") {
		t.Errorf("zgloszenie: %+v", r.Hits[0].Highlight)
	}
	// A negated word is not highlighted.
	r = f.search(t, "printer -zebrafish", all)
	for _, hit := range r.Hits {
		if hit.Highlight != nil && strings.Contains(hit.Highlight.Fragment, "zebrafish") {
			t.Errorf("negated word highlighted: %q", hit.Highlight.Fragment)
		}
	}
}

// TestCustomerNeverSeesNotes: a word only in an internal note matches
// nothing for the customer, shows in no highlight and no facet count, while
// their own ticket's words do (AC-01, AC-02, invariant 5).
// Queries without text run through the ticket table and through Bleve.
func TestCustomerNeverSeesNotes(t *testing.T) {
	for _, bleveOnly := range []bool{false, true} {
		t.Run(map[bool]string{false: "table", true: "bleve"}[bleveOnly], func(t *testing.T) {
			f := newFixture(t)
			f.bleveOnly = bleveOnly
			testCustomerNeverSeesNotes(t, f)
		})
	}
}

func testCustomerNeverSeesNotes(t *testing.T, f *fixture) {
	ctx := context.Background()
	carol, err := f.eng.ContactByAddress(ctx, "carol@customer.example.org")
	if err != nil {
		t.Fatal(err)
	}
	cs := CustomerScope(carol, false)
	for _, q := range []string{"zebrafish", "note:zebrafish", "zebra*", `"zebrafish list"`, "secretword", "invoice",
		"has:note", "customer:dave@other.example.net", "desk:billing", "-customer:carol@customer.example.org"} {
		r, err := f.idx.Search(ctx, Request{Query: q, Scope: cs, Size: 50, Highlight: true, Facets: true, BleveOnly: f.bleveOnly})
		if err != nil {
			if q == "note:zebrafish" || q == "has:note" {
				continue // refused outright: also fine
			}
			t.Fatal(err)
		}
		if r.Total != 0 || len(r.Hits) != 0 {
			t.Errorf("customer %q: %d hits", q, r.Total)
		}
		for name, vals := range r.Facets {
			for _, v := range vals {
				if v.Count != 0 {
					t.Errorf("customer %q: facet %s=%s counts %d", q, name, v.Value, v.Count)
				}
			}
		}
	}
	// Positive controls: the customer's own ticket by a filter, and by
	// its words, highlighted.
	r, err := f.idx.Search(ctx, Request{Query: "is:open", Scope: cs, Size: 50, Facets: true, BleveOnly: f.bleveOnly})
	if err != nil || r.Total != 1 || r.Hits[0].ID != f.tix["carol"].TicketID || r.table == f.bleveOnly {
		t.Fatalf("customer is:open: %+v %v", r, err)
	}
	r, err = f.idx.Search(ctx, Request{Query: "printer", Scope: cs, Size: 50, Highlight: true, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 1 || r.Hits[0].ID != f.tix["carol"].TicketID || r.Hits[0].Highlight == nil {
		t.Fatalf("customer printer: %+v", r)
	}
	// Carol's ticket has a note; a customer's highlight never comes from it.
	r, err = f.idx.Search(ctx, Request{Query: "printer OR list OR customer", Scope: cs, Size: 50, Highlight: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, hit := range r.Hits {
		if h := hit.Highlight; h != nil && (h.Field == "note" || strings.Contains(h.Fragment, "zebrafish")) {
			t.Errorf("customer highlight from a note: %+v", h)
		}
	}
	// Staff see the note, and the highlight says so.
	r = f.search(t, "zebrafish", Scope{All: true})
	if r.Total != 1 || r.Hits[0].Highlight == nil || r.Hits[0].Highlight.Field != "note" {
		t.Errorf("staff zebrafish: %+v", r.Hits)
	}
}

func TestAttachmentText(t *testing.T) {
	f := newFixture(t)
	all := Scope{All: true}
	f.intake(t, "html", "", withAttachment("ann@a.example", "Report", "<a1@x>", "See the file.",
		"report.html", "text/html; charset=utf-8", "<html><body><p>The quokka&nbsp;census</p><script>var hidden=1</script></body></html>"))
	f.intake(t, "txt", "", withAttachment("bob@b.example", "Logs", "<b1@x>", "Logs attached.",
		"server.log", "text/plain; charset=iso-8859-2", "connection refused by platypus-gateway"))

	cases := []struct{ q, want, file string }{
		{"quokka", "html", "report.html"},
		{"attachment:quokka", "html", "report.html"},
		{"platypus", "txt", "server.log"},
		{"attachment:report.html", "html", "report.html"},
	}
	for _, tc := range cases {
		r := f.search(t, tc.q, all)
		if r.Total != 1 || r.Hits[0].ID != f.tix[tc.want].TicketID {
			t.Errorf("%q: %d hits, want ticket %s", tc.q, r.Total, tc.want)
			continue
		}
		if h := r.Hits[0].Highlight; h == nil || h.Attachment != tc.file || h.Field != "attachment" {
			t.Errorf("%q: highlight %+v, want the file %s named", tc.q, h, tc.file)
		}
	}
	if r := f.search(t, "hidden", all); r.Total != 0 {
		t.Errorf("script text of an HTML attachment is searchable: %d hits", r.Total)
	}

	// The same file again, in another ticket: its stored text is reused
	// and the new message still records what the text came from.
	again := f.intake(t, "again", "", withAttachment("cy@c.example", "Same report", "<copy1@x>", "Again.",
		"copy.html", "text/html; charset=utf-8", "<html><body><p>The quokka&nbsp;census</p><script>var hidden=1</script></body></html>"))
	if r := f.search(t, "quokka", all); r.Total != 2 {
		t.Errorf("quokka after a second copy: %d hits, want 2", r.Total)
	}
	if msgs, err := f.eng.Messages(context.Background(), again.TicketID); err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].TextKind != "html" {
		t.Errorf("second copy: %+v %v", msgs, err)
	}

	// A PDF from real mail: its text is only inside the PDF.
	raw, err := os.ReadFile(corpustest.Path(t, "mime/php-mime-mail-parser/issue274.eml"))
	if err != nil {
		t.Fatal(err)
	}
	f.intake(t, "pdf", "", raw)
	r := f.search(t, "attachment:swiftmailer", all)
	if r.Total != 1 || r.Hits[0].ID != f.tix["pdf"].TicketID {
		t.Fatalf("attachment:swiftmailer: %d hits", r.Total)
	}
	if h := r.Hits[0].Highlight; h == nil || h.Attachment == "" || !strings.Contains(h.Fragment, "<mark>SwiftMailer</mark>") {
		t.Errorf("attachment highlight %+v: want the file named", h)
	}
	// The message records what each file's text came from: the PDF's own.
	msgs, err := f.eng.Messages(context.Background(), f.tix["pdf"].TicketID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, a := range msgs[0].Attachments {
		kinds[a.TextKind] = true
	}
	if !kinds["pdf"] {
		t.Errorf("no attachment's text came from a PDF: %+v", msgs[0].Attachments)
	}
}

// TestQuotedHistoryWeighsLess: a ticket that says a word anew ranks above
// one that only quotes it. It uses one shard: scores come from each shard's
// own term statistics, and with a handful of tickets two shards' statistics
// differ more than the weights do (see README, Search).
func TestQuotedHistoryWeighsLess(t *testing.T) {
	f := newFixture(t)
	f.shards = 1
	f.idx.Close()
	os.RemoveAll(f.dir)
	f.open(t)
	f.intake(t, "quoting", "", mail("q@q.example", "Re: order", "<q1@x>",
		"Thanks, all sorted now.\r\n\r\nOn Mon, 2 Feb 2026 at 09:00, Support <support@desk.example.com> wrote:\r\n> Your kumquat shipment is delayed.\r\n> We are sorry."))
	f.intake(t, "saying", "", mail("s@s.example", "Order", "<s1@x>",
		"Where is my kumquat shipment? It has not arrived."))
	r := f.search(t, "kumquat sort:relevance", Scope{All: true})
	if r.Total != 2 {
		t.Fatalf("kumquat: %d hits, want 2", r.Total)
	}
	if r.Hits[0].ID != f.tix["saying"].TicketID {
		t.Errorf("the ticket that only quotes the word ranks first (scores %v, %v)", r.Hits[0].Score, r.Hits[1].Score)
	}
}

func TestSavedViews(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin, err := f.eng.AddUser(ctx, engine.User{Email: "boss@desk.example.com", Role: engine.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := f.eng.AddUser(ctx, engine.User{Email: "other@desk.example.com", Role: engine.RoleAgent, Desks: []string{f.other.ID}})
	if err != nil {
		t.Fatal(err)
	}
	v := engine.SavedView{Name: "Open printers", Query: "printer is:open", Sort: "created-asc",
		Columns: []string{"number", "subject"}, SharedDesk: f.desk.ID}
	if err := CheckView(v); err != nil {
		t.Fatal(err)
	}
	bad := engine.SavedView{Name: "typo", Query: "stauts:open"}
	if err := CheckView(bad); err == nil || !strings.Contains(err.Error(), `did you mean "status"`) {
		t.Errorf("CheckView(stauts:open) = %v", err)
	}
	saved, err := f.eng.SaveView(ctx, admin, v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.SaveView(ctx, outsider, engine.SavedView{ID: saved.ID, Name: "mine now", Query: ""}); err == nil {
		t.Error("an agent edited someone else's view")
	}
	if _, err := f.eng.SaveView(ctx, admin, engine.SavedView{Name: "x", Columns: []string{"password"}}); err == nil {
		t.Error("unknown column accepted")
	}
	// The agent of the desk sees the shared view; the outsider does not.
	views, err := f.eng.Views(ctx, f.agent)
	if err != nil || len(views) != 1 || views[0].ID != saved.ID {
		t.Fatalf("agent's views: %v %v", views, err)
	}
	if vs, _ := f.eng.Views(ctx, outsider); len(vs) != 0 {
		t.Errorf("outsider sees %d views", len(vs))
	}
	// Counts are live and in the viewer's scope: the admin's and agent's
	// views count carol's ticket (desk support); the billing desk's printer
	// ticket is not in the view's desk scope for the agent.
	counts, err := f.idx.ViewCounts(ctx, views, Request{Scope: StaffScope(f.agent)})
	if err != nil || counts[0].Count != 1 || counts[0].Err != nil {
		t.Errorf("agent's count: %+v %v", counts, err)
	}
	counts, _ = f.idx.ViewCounts(ctx, views, Request{Scope: Scope{All: true}})
	if counts[0].Count != 2 {
		t.Errorf("admin's count: %+v, want 2 (carol and billing)", counts[0])
	}
	// A view whose query no longer parses has its error; a count cut off
	// by the deadline stops the counting.
	broken := append(slices.Clone(views), engine.SavedView{Name: "old", Query: "stauts:open"})
	counts, err = f.idx.ViewCounts(ctx, broken, Request{Scope: Scope{All: true}})
	if err != nil || len(counts) != 2 || engine.ErrorCode(counts[1].Err) != CodeBadQuery {
		t.Errorf("a broken view: %+v %v, want its own bad_query", counts, err)
	}
	if _, err := f.idx.ViewCounts(ctx, views, Request{Scope: Scope{All: true}, Deadline: time.Nanosecond}); engine.ErrorCode(err) != CodeSearchTimeout {
		t.Errorf("counts past the deadline: %v, want %s", err, CodeSearchTimeout)
	}
	f.intake(t, "new", "", mail("nina@n.example", "Printer again", "<n1@x>", "The printer is broken again."))
	counts, _ = f.idx.ViewCounts(ctx, views, Request{Scope: StaffScope(f.agent)})
	if counts[0].Count != 2 {
		t.Errorf("count after a new ticket: %+v, want 2", counts[0])
	}
	res, err := f.idx.SearchView(ctx, views[0], Request{Scope: StaffScope(f.agent)})
	if err != nil || res.Total != 2 || res.Hits[0].ID != f.tix["carol"].TicketID {
		t.Errorf("SearchView: %+v %v (want carol first, oldest first)", res, err)
	}
	if err := f.eng.DeleteView(ctx, outsider, saved.ID); err == nil {
		t.Error("outsider deleted the view")
	}
	if err := f.eng.DeleteView(ctx, admin, saved.ID); err != nil {
		t.Error(err)
	}
}

// TestEachStreamsAll pages through every hit with the cursor.
func TestEachStreamsAll(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var in []engine.TicketImport
	for i := 0; i < 2500; i++ {
		in = append(in, engine.TicketImport{Subject: fmt.Sprintf("bulk ticket %d", i), Body: "bulk body",
			Customer: fmt.Sprintf("c%d@bulk.example", i%7), Created: time.Now().AddDate(0, 0, -i%300)})
	}
	if _, err := f.eng.ImportTickets(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := f.idx.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err := f.idx.Each(ctx, Request{Query: "bulk sort:created-desc", Scope: Scope{All: true}}, func(h Hit) error {
		if seen[h.ID] {
			return fmt.Errorf("%s twice", h.ID)
		}
		seen[h.ID] = true
		return nil
	})
	if err != nil || len(seen) != 2500 {
		t.Errorf("Each: %d hits, %v", len(seen), err)
	}
}
