package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	nethttp "net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"searchdesk/engine"
	"searchdesk/engine/extract"
)

// stackOverflowMail is a mail with two attachments: invoice.pdf, whose
// object stream is listed as stored inside itself, so that the PDF
// library's resolver recurses until the Go stack overflows (a fatal error
// no recover catches), and notes.txt, which holds the word quokka.
const stackOverflowMail = "testdata/stack-overflow-pdf.eml"

// TestImportHostilePDF imports that mail with the real binary, then
// serves the data directory with it. The import survives and stores the
// message; the PDF's text is missing and the message says why (the
// extractor crashed: stack overflow); the other file's text is there and
// searchable; the server answers /healthz and stays up.
func TestImportHostilePDF(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds and runs the real binary")
	}
	binary := buildBinary(t)
	data := t.TempDir()
	out, err := exec.Command(binary, "import", "--json", "--data", data, stackOverflowMail).Output()
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	var st importStats
	if err := json.Unmarshal(out, &st); err != nil || st.Stored != 1 || st.Failed != 0 {
		t.Fatalf("import: got %s (%v), want 1 stored", out, err)
	}
	token := adminToken(t, data)
	srv := startServe(t, binary, data, "--mail=false")
	base := srv.base
	waitReady(t, base)
	if code := get(t, base+"/healthz", "", nil); code != nethttp.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	var page struct {
		Total   int
		Tickets []struct{ ID string }
	}
	if code := get(t, base+"/api/v1/tickets?q=quokka", token, &page); code != nethttp.StatusOK || page.Total != 1 {
		t.Fatalf("search quokka: %d, %+v, want the ticket by its text attachment", code, page)
	}
	atts := attachmentsOf(t, base, token, page.Tickets[0].ID)
	if len(atts) != 2 {
		t.Fatalf("attachments: %+v, want invoice.pdf and notes.txt", atts)
	}
	pdf, notes := atts["invoice.pdf"], atts["notes.txt"]
	t.Logf("invoice.pdf: text_error %q", pdf.TextError)
	if !strings.Contains(pdf.TextError, "extractor crashed") || !strings.Contains(pdf.TextError, "stack overflow") || pdf.TextKind != extract.KindPDF {
		t.Errorf("invoice.pdf: got kind %q, text_error %q, want the crash recorded", pdf.TextKind, pdf.TextError)
	}
	if notes.TextKind != extract.KindText || notes.TextError != "" {
		t.Errorf("notes.txt: got kind %q, text_error %q, want its text", notes.TextKind, notes.TextError)
	}
	if code := get(t, base+"/healthz", "", nil); code != nethttp.StatusOK {
		t.Errorf("/healthz afterwards: %d", code)
	}
	if !srv.alive() {
		t.Errorf("the server is gone: %v", srv.err)
	}
}

// TestServeHostilePDFByMail: the running server takes the same mail from
// its desk's mailbox (an in-memory IMAP server on loopback), so the server
// process itself hands the PDF to its child; the child dies, the message
// records why, and the server answers /healthz and stays up.
func TestServeHostilePDFByMail(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds and runs the real binary")
	}
	binary := buildBinary(t)
	raw, err := os.ReadFile(stackOverflowMail)
	if err != nil {
		t.Fatal(err)
	}
	host, port := startIMAP(t, "desk", "imap-secret", raw)
	data := t.TempDir()
	for _, args := range [][]string{
		{"desk", "set", "--data", data, "--code", "sup", "--address", "support@desk.example.com"},
		{"desk", "mailbox", "--data", data, "--code", "sup", "--host", host, "--port", port, "--security", "none",
			"--user", "desk", "--password-env", "SD_TEST_IMAP_PASSWORD"},
	} {
		if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	token := adminToken(t, data)
	srv := startServe(t, binary, data, "--mail=true", "SD_TEST_IMAP_PASSWORD=imap-secret")
	base := srv.base
	var page struct {
		Total   int
		Tickets []struct{ ID string }
	}
	for deadline := time.Now().Add(30 * time.Second); page.Total == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the mail did not arrive")
		}
		get(t, base+"/api/v1/tickets?q=quokka", token, &page)
	}
	pdf := attachmentsOf(t, base, token, page.Tickets[0].ID)["invoice.pdf"]
	if !strings.Contains(pdf.TextError, "extractor crashed") || !strings.Contains(pdf.TextError, "stack overflow") {
		t.Errorf("invoice.pdf: got text_error %q, want the crash recorded", pdf.TextError)
	}
	if code := get(t, base+"/healthz", "", nil); code != nethttp.StatusOK {
		t.Errorf("/healthz afterwards: %d", code)
	}
	if !srv.alive() {
		t.Errorf("the server is gone: %v", srv.err)
	}
}

// startIMAP serves one user's INBOX holding raw on loopback, in memory,
// and returns its host and port.
func startIMAP(t *testing.T, user, password string, raw []byte) (string, string) {
	t.Helper()
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, password)
	if err := u.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	return host, port
}

// attachmentsOf returns the attachments of the ticket's messages by name.
func attachmentsOf(t *testing.T, base, token, ticketID string) map[string]engine.AttachmentRef {
	t.Helper()
	var msgs struct {
		Messages []struct{ Attachments []engine.AttachmentRef }
	}
	if code := get(t, base+"/api/v1/tickets/"+ticketID+"/messages", token, &msgs); code != nethttp.StatusOK {
		t.Fatalf("messages: %d", code)
	}
	atts := map[string]engine.AttachmentRef{}
	for _, m := range msgs.Messages {
		for _, a := range m.Attachments {
			atts[a.Name] = a
		}
	}
	return atts
}

// adminToken adds an admin to the store under data and returns an API
// token of theirs.
func adminToken(t *testing.T, data string) string {
	t.Helper()
	env := &cliEnv{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }, log: discardLogger()}
	st, err := openStore(env, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.AddUser(ctx, engine.User{Email: "admin@desk.example.com", Role: engine.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := st.NewAPIToken(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// served is a `searchdesk serve` process started by startServe.
type served struct {
	base   string        // its URL
	exited chan struct{} // closed when the process has ended
	err    error         // how it ended, once exited is closed
}

// alive reports whether the process is still running.
func (s *served) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// startServe starts `searchdesk serve` on loopback; it is stopped (SIGTERM)
// when the test ends and must then exit cleanly. mail is the --mail flag;
// env is added to the server's environment.
func startServe(t *testing.T, binary, data, mail string, env ...string) *served {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--data", data, "--addr", "127.0.0.1:0", mail)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{exited: make(chan struct{})}
	addr := regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil && len(found) == 0 {
				found <- m[1]
			}
		}
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-s.exited
		if s.err != nil {
			t.Errorf("serve: %v", s.err)
		}
	})
	select {
	case s.base = <-found:
		return s
	case <-s.exited:
		t.Fatalf("serve ended: %v", s.err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not say where it listens")
	}
	return nil
}

// waitReady waits until the index has caught up with the store.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if get(t, base+"/readyz", "", nil) == nethttp.StatusOK {
			return
		}
	}
	t.Fatal("/readyz: not ready")
}

// get fetches u with the token, if any, and decodes a JSON answer into
// out, if any; it returns the status.
func get(t *testing.T, u, token string, out any) int {
	t.Helper()
	req, err := nethttp.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := nethttp.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode == nethttp.StatusOK {
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
			t.Fatalf("GET %s: %v in %s", u, err, b)
		}
	}
	return resp.StatusCode
}

// BenchmarkExtractChild measures one attachment through the real binary's
// `searchdesk extract`: start, a short HTML file, the reply, the exit.
func BenchmarkExtractChild(b *testing.B) {
	c := &extract.Child{Path: buildBinary(b), Args: []string{"extract"}}
	for b.Loop() {
		if _, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>hello"), extract.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
