package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
)

// chromiumPath finds headless Chromium (Debian's chromium package); without
// it the browser tests skip, or fail when CI=true.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH (Debian package chromium): the browser tests cannot run")
	}
	t.Skip("no Chromium on PATH (Debian package chromium)")
	return ""
}

// browserDesk is the demo desk served over HTTP with a headless browser
// watching for script that runs and requests that leave the page.
type browserDesk struct {
	t      *testing.T
	st     *engine.Store
	url    string
	ctx    context.Context
	mu     sync.Mutex
	ran    []string          // script the page was not meant to run
	remote map[string]string // request id -> URL of requests to other hosts
}

func newBrowserDesk(t *testing.T) *browserDesk {
	if testing.Short() {
		t.Skip("slow: drives headless Chromium")
	}
	chrome := chromiumPath(t)
	// The real serve wiring, as `searchdesk serve --demo` starts it.
	srv := MustRunMain(t, serveConfig{Demo: true})
	st := srv.Store
	ctx := context.Background()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox,
		chromedp.WindowSize(1400, 900), chromedp.Flag("disable-gpu", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelB := chromedp.NewContext(alloc)
	t.Cleanup(cancelB)
	b := &browserDesk{t: t, st: st, url: srv.URL(), ctx: bctx, remote: map[string]string{}}
	chromedp.ListenTarget(bctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			b.ran = append(b.ran, "dialog: "+e.Message)
			go chromedp.Run(bctx, page.HandleJavaScriptDialog(false))
		case *runtime.EventBindingCalled:
			if e.Name == "sdScriptRan" {
				b.ran = append(b.ran, e.Payload)
			}
		case *network.EventRequestWillBeSent:
			u := e.Request.URL
			if !strings.HasPrefix(u, b.url) && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
				b.remote[string(e.RequestID)] = u
			}
		case *network.EventLoadingFailed:
			if e.BlockedReason != "" { // stopped by the browser (CSP, sandbox): it never left
				delete(b.remote, string(e.RequestID))
			}
		}
	})
	// Anything a hostile message could use to show it ran calls the
	// binding instead, in every frame.
	hook := `(() => { const report = (what) => { try { sdScriptRan(what + " in " + location.href); } catch (e) {} };
		for (const n of ["alert", "confirm", "prompt", "print"]) { window[n] = (...a) => report(n + "(" + a.join(",") + ")"); }
	})();`
	if err := chromedp.Run(bctx, network.Enable(), runtime.AddBinding("sdScriptRan"),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(hook).Do(ctx)
			return err
		})); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return b
}

// run runs browser actions with a deadline, failing the test on error.
func (b *browserDesk) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// navigate runs actions that load a new page (a submit, a click, a key)
// and waits until that page is there, not the one before it.
func (b *browserDesk) navigate(what string, actions ...chromedp.Action) {
	b.t.Helper()
	var ok bool
	b.run(what, chromedp.Evaluate(`window.sdOldPage = true`, &ok))
	b.run(what, actions...)
	// Evaluating while the page changes fails now and then: try again
	// until the new page answers.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		err := chromedp.Run(ctx, chromedp.Evaluate(`!window.sdOldPage && document.readyState === "complete"`, &ok))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("%s: no new page loaded", what)
}

func (b *browserDesk) text(sel string) string {
	b.t.Helper()
	var s string
	b.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// screenshot saves the page as name.png: into ui/screenshots when
// SEARCHDESK_SCREENSHOTS=1 (the README shows those), else a temporary
// directory.
func (b *browserDesk) screenshot(name string) {
	b.t.Helper()
	var png []byte
	b.run("screenshot "+name, chromedp.CaptureScreenshot(&png))
	if len(png) < 10000 {
		b.t.Errorf("screenshot %s: %d bytes, too small to show a page", name, len(png))
	}
	dir := b.t.TempDir()
	if os.Getenv("SEARCHDESK_SCREENSHOTS") == "1" {
		dir = filepath.Join("..", "..", "ui", "screenshots")
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

// drain returns and forgets what the browser saw run or leave.
func (b *browserDesk) drain() (ran, remote []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ran = b.ran
	for _, u := range b.remote {
		remote = append(remote, u)
	}
	b.ran, b.remote = nil, map[string]string{}
	return ran, remote
}

// clean fails the test if script ran or a request left the page.
func (b *browserDesk) clean(where string) {
	b.t.Helper()
	ran, remote := b.drain()
	for _, r := range ran {
		b.t.Errorf("%s: script ran: %s", where, r)
	}
	for _, u := range remote {
		b.t.Errorf("%s: a request left the page for %s", where, u)
	}
}

func (b *browserDesk) signIn(email string) {
	b.run("sign in", chromedp.Navigate(b.url+"/"),
		chromedp.WaitVisible("#email", chromedp.ByQuery),
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", demoPassword, chromedp.ByQuery),
		chromedp.Submit("#password", chromedp.ByQuery),
		chromedp.WaitVisible("#q", chromedp.ByQuery))
}

// TestBrowserWorkflow walks an agent's day in real Chromium: sign in,
// search, a facet, a saved view, j/k, open, reply, note, a task that blocks
// closing, finish it, close.
func TestBrowserWorkflow(t *testing.T) {
	b := newBrowserDesk(t)
	b.signIn("anna.agent@desk.example.com")
	rows := b.text("table.results tbody")
	for _, want := range []string{"Printer jammed", "Błędna kwota", "Přihlášení nefunguje"} {
		if !strings.Contains(rows, want) {
			t.Errorf("inbox does not list %q: %s", want, rows)
		}
	}
	b.run("inbox to screenshot", chromedp.Navigate(b.url+"/?q=printer+OR+faktura+OR+prihlaseni"),
		chromedp.WaitVisible("table.results", chromedp.ByQuery))
	b.screenshot("inbox")
	b.run("inbox", chromedp.Navigate(b.url+"/"), chromedp.WaitVisible("#q", chromedp.ByQuery))

	// The query bar, focused with "/".
	var focused string
	b.run("focus search", chromedp.KeyEvent("/"), chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != "q" {
		t.Errorf("/ focused %q, not the query bar", focused)
	}
	var cleared bool
	b.run("clear", chromedp.Evaluate(`(document.getElementById("q").value = "") === ""`, &cleared))
	b.navigate("search", chromedp.SendKeys("#q", "faktura\r", chromedp.ByQuery))
	var loc string
	b.run("location", chromedp.Location(&loc))
	if got := b.text("table.results tbody"); !strings.Contains(loc, "q=faktura") || !strings.Contains(got, "Błędna kwota") ||
		strings.Contains(got, "Printer") {
		t.Errorf("search faktura at %s: %s", loc, got)
	}
	if frag := b.text("table.results tbody .frag"); !strings.Contains(strings.ToLower(frag), "faktur") {
		t.Errorf("no highlighted fragment: %q", frag)
	}

	// A facet adds its term to the query.
	b.run("inbox", chromedp.Navigate(b.url+"/?q=is:open"), chromedp.WaitVisible(".facets", chromedp.ByQuery))
	b.navigate("facet", chromedp.Click(`//aside[@class="facets"]//a[contains(., "jan.kowalski")]`, chromedp.BySearch))
	b.run("location", chromedp.Location(&loc))
	if l := strings.ToLower(loc); !strings.Contains(l, "is%3aopen%20customer%3ajan") && !strings.Contains(l, "is%3aopen+customer%3ajan") {
		t.Errorf("facet click went to %s", loc)
	}
	if got := b.text("table.results tbody"); !strings.Contains(got, "Błędna kwota") || strings.Contains(got, "Printer") {
		t.Errorf("facet results: %s", got)
	}

	// Save the search as a view; it shows with its count.
	b.run("open view form", chromedp.Click(".views-save summary", chromedp.ByQuery),
		chromedp.SendKeys("#view-name", "Jan's open", chromedp.ByQuery))
	b.navigate("save view", chromedp.Submit("#view-name", chromedp.ByQuery))
	if side := b.text(".side"); !strings.Contains(side, "Jan's open") || !strings.Contains(side, "1") {
		t.Errorf("saved view not in the sidebar with its count: %q", side)
	}

	// j and k walk the results; o opens the current one.
	b.run("inbox", chromedp.Navigate(b.url+"/?q=sort:created-asc"), chromedp.WaitVisible("table.results", chromedp.ByQuery))
	cur := func() string { return b.text("tr.cur .num") }
	first := cur()
	b.run("j", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"))
	if second := cur(); second == first {
		t.Errorf("j did not move: still %s", second)
	}
	b.run("k", chromedp.KeyEvent("k"))
	number := cur()
	b.navigate("open", chromedp.KeyEvent("o"))
	if title := b.text("#ticket-title"); !strings.Contains(title, number) {
		t.Errorf("o opened %q, want ticket %s", title, number)
	}

	// Reply, note, task.
	b.run("type reply", chromedp.SendKeys("#reply-text", "We are on it: **today**.", chromedp.ByQuery))
	b.navigate("reply", chromedp.Submit("#reply-text", chromedp.ByQuery))
	if got := b.text("article"); !strings.Contains(got, "We are on it: today.") {
		t.Errorf("reply not in the thread")
	}
	b.run("type note", chromedp.SendKeys("#note-text", "Call the customer back.", chromedp.ByQuery))
	b.navigate("note", chromedp.Submit("#note-text", chromedp.ByQuery))
	if got := b.text(".msg.note"); !strings.Contains(got, "Call the customer back.") {
		t.Errorf("note not shown as a note: %q", got)
	}
	b.run("type task", chromedp.SendKeys("#task-title", "Check the invoice", chromedp.ByQuery))
	b.navigate("task", chromedp.Submit("#task-title", chromedp.ByQuery))
	var tasks string
	b.run("tasks", chromedp.Evaluate(`[...document.querySelectorAll(".task")].map(e => e.textContent).join("|")`, &tasks))
	if got := tasks; !strings.Contains(got, "Check the invoice") {
		t.Errorf("task not listed: %q", got)
	}

	// Closing is refused while a task is open.
	closeTicket := func() {
		b.run("choose closed", chromedp.SetValue("#f-status", "closed", chromedp.ByQuery))
		b.navigate("close", chromedp.Submit("#f-status", chromedp.ByQuery))
	}
	closeTicket()
	if got := b.text(".panel"); !strings.Contains(got, "cannot be closed while its task") {
		t.Errorf("closing with an open task was not refused: %q", got)
	}
	// Finish every open task, then close.
	for {
		var open int
		b.run("count tasks", chromedp.Evaluate(`document.querySelectorAll(".task:not(.done) button").length`, &open))
		if open == 0 {
			break
		}
		b.navigate("finish task", chromedp.Click(".task:not(.done) button", chromedp.ByQuery))
	}
	closeTicket()
	if got := b.text(".meta .badge"); got != "closed" {
		t.Errorf("status after closing: %q", got)
	}
	b.run("inbox", chromedp.Navigate(b.url+"/?q=printer"), chromedp.WaitVisible("a.open", chromedp.ByQuery))
	b.navigate("ticket to screenshot", chromedp.Click("a.open", chromedp.ByQuery))
	b.screenshot("ticket")
	b.clean("workflow")
}

// TestBrowserHostileMail imports every XSS-*.eml of the shared corpus,
// opens each ticket page with its message frames, and types the hostile
// Markdown into both composers: no script may run and no request may
// leave the page (XSS-01 … XSS-10), as the browser sees it.
func TestBrowserHostileMail(t *testing.T) {
	b := newBrowserDesk(t)
	files, err := filepath.Glob(filepath.Join(corpustest.Path(t, "hostile"), "XSS-*.eml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("hostile corpus: %d files, %v", len(files), err)
	}
	ctx := context.Background()
	var tickets []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := b.st.Intake(ctx, engine.Inbound{Raw: raw, Source: filepath.Base(f), Channel: "email"})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		tickets = append(tickets, r.TicketID)
	}
	b.signIn("admin@desk.example.com")
	b.clean("inbox")
	// Positive controls: the watch sees script that runs and a request
	// that leaves (to a name that cannot resolve), on a page without our
	// CSP.
	b.run("control", chromedp.Navigate("about:blank"),
		chromedp.Evaluate(`alert("control"); new Image().src = "http://tracker.invalid/pixel.gif"; 1`, nil),
		chromedp.Sleep(500*time.Millisecond))
	if ran, remote := b.drain(); len(ran) == 0 || len(remote) == 0 {
		t.Fatalf("the watch missed a control: script %v, requests %v", ran, remote)
	}
	for i, id := range tickets {
		name := filepath.Base(files[i])
		var frames int
		b.run(name, chromedp.Navigate(b.url+"/t/"+id), chromedp.WaitVisible("#ticket-title", chromedp.ByQuery),
			chromedp.Sleep(300*time.Millisecond),
			chromedp.Evaluate(`document.querySelectorAll(".msg iframe").length`, &frames))
		b.clean(name)
		if frames > 0 {
			// With remote images allowed, still no script.
			b.run(name+" images", chromedp.Click("[data-images]", chromedp.ByQuery), chromedp.Sleep(300*time.Millisecond))
			b.mu.Lock()
			b.remote = map[string]string{} // the agent asked for remote images
			b.mu.Unlock()
			b.clean(name + " with images")
		}
	}
	// Search results with highlight bait (XSS-06).
	b.run("search", chromedp.Navigate(b.url+"/?q=mark OR script OR alert"), chromedp.WaitVisible("#q", chromedp.ByQuery),
		chromedp.Sleep(200*time.Millisecond))
	b.clean("search results")

	md, err := os.ReadFile(corpustest.Path(t, "hostile/XSS-04-markdown-note.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, box := range []string{"#reply-text", "#note-text"} {
		b.run("compose "+box, chromedp.Navigate(b.url+"/t/"+tickets[0]), chromedp.WaitVisible(box, chromedp.ByQuery),
			chromedp.SetValue(box, string(md), chromedp.ByQuery),
			chromedp.Click(box+" ~ .row [data-preview], "+box+" ~ div [data-preview]", chromedp.ByQuery),
			chromedp.Sleep(300*time.Millisecond))
		b.clean("preview in " + box)
		b.navigate("send "+box, chromedp.Submit(box, chromedp.ByQuery))
		b.run("frames", chromedp.Sleep(300*time.Millisecond))
		b.clean("sent from " + box)
	}
	var links int
	b.run("links", chromedp.Evaluate(`[...document.querySelectorAll(".rendered a")].filter(a => /^\s*(javascript|vbscript|data):/i.test(a.getAttribute("href") || "")).length`, &links))
	if links != 0 {
		t.Errorf("%d rendered links with a script URL", links)
	}
	fmt.Fprintf(os.Stderr, "browser: %d hostile messages opened\n", len(tickets))
}
