package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/extract"
)

// stackOverflowMail is a mail with two attachments: invoice.pdf, whose
// object stream is listed as stored inside itself, so that the PDF
// library's resolver recurses until the Go stack overflows (a fatal error
// no recover catches), and notes.txt, which holds the word quokka.
const stackOverflowMail = "testdata/stack-overflow-pdf.eml"

// TestHostilePDFCostsItsText imports that mail with the real binary, then
// serves the data directory with it. The import survives and stores the
// message; the PDF's text is missing and the message says why (the
// extractor crashed: stack overflow); the other file's text is there and
// searchable; the server answers /healthz and stays up.
func TestHostilePDFCostsItsText(t *testing.T) {
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
	base, serve := startServe(t, data)
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
	var msgs struct {
		Messages []struct{ Attachments []engine.AttachmentRef }
	}
	if code := get(t, base+"/api/v1/tickets/"+page.Tickets[0].ID+"/messages", token, &msgs); code != nethttp.StatusOK || len(msgs.Messages) != 1 {
		t.Fatalf("messages: %d, %+v", code, msgs)
	}
	atts := map[string]engine.AttachmentRef{}
	for _, a := range msgs.Messages[0].Attachments {
		atts[a.Name] = a
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
	if err := serve.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the server is gone: %v", err)
	}
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

// startServe starts `searchdesk serve` on loopback, without mail, and
// returns its base URL; the server is stopped (SIGTERM) when the test ends.
func startServe(t *testing.T, data string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--data", data, "--addr", "127.0.0.1:0", "--mail=false")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	addr := regexp.MustCompile(`msg=listening addr=(http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return u, cmd
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not say where it listens")
	}
	return "", nil
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
	c := &extract.Child{Path: binary, Args: []string{"extract"}}
	for b.Loop() {
		if _, _, err := c.Text(context.Background(), "a.html", "text/html", []byte("<p>hello"), extract.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
