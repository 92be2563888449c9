package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"searchdesk/engine/mail/mailtest"
)

// TestIMAPSurvivesSIGKILL kills `searchdesk serve` with SIGKILL while it is
// taking a batch of mail from a real Dovecot, restarts it, and checks that
// every mail became exactly one message (invariant 2, REL-05).
func TestIMAPSurvivesSIGKILL(t *testing.T) {
	dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{}) // skips under -short
	binary := buildBinary(t)
	const n = 150
	for i := 0; i < n; i++ {
		hdr := fmt.Sprintf("From: cust%d@customer.example.org\r\nTo: support@desk.example.com\r\nSubject: Question %d\r\n", i%17, i)
		if i%10 != 3 { // every tenth mail has no Message-ID: its content hash must dedupe it
			hdr += fmt.Sprintf("Message-ID: <kill-%d@customer.example.org>\r\n", i)
		}
		dc.Deliver(t, dc.User, "INBOX", []byte(hdr+"\r\nBody of question "+fmt.Sprint(i)+".\r\n"))
	}
	data := t.TempDir()
	host, port, _ := net.SplitHostPort(dc.Addr)
	for _, args := range [][]string{
		{"desk", "set", "--data", data, "--code", "sup", "--address", "support@desk.example.com"},
		{"desk", "mailbox", "--data", data, "--code", "sup", "--host", host, "--port", port, "--security", "none",
			"--user", dc.User, "--password-env", "SD_TEST_IMAP_PASSWORD"},
	} {
		if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	serve := func() (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.Command(binary, "serve", "--data", data, "--addr", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "SD_TEST_IMAP_PASSWORD="+dc.Password)
		pr, pw := io.Pipe()
		cmd.Stderr = pw
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { cmd.Wait(); pw.Close() }()
		return cmd, bufio.NewScanner(pr)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	taken := 0
	for round := 0; round < 3; round++ {
		cmd, sc := serve()
		killAt := taken + 5 + rng.IntN(25)
		seen := 0
		for sc.Scan() {
			if strings.Contains(sc.Text(), "imap message") {
				seen++
				if taken+seen >= killAt {
					break
				}
			}
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, scReader(sc))
		cmd.Process.Wait()
		taken += seen
		t.Logf("round %d: killed after %d messages taken in this run", round+1, seen)
	}
	// Restart and let it finish.
	cmd, sc := serve()
	go func() {
		for sc.Scan() {
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for seenCount(t, dc) < n {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("only %d of %d mails acknowledged", seenCount(t, dc), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Process.Wait()

	msgs := exportedMessages(t, data)
	var bodies []string
	for _, m := range msgs {
		bodies = append(bodies, fmt.Sprint(m["subject"]))
	}
	sort.Strings(bodies)
	if len(msgs) != n {
		t.Fatalf("%d messages stored from %d mails (subjects %v)", len(msgs), n, bodies)
	}
	for i := 1; i < len(bodies); i++ {
		if bodies[i] == bodies[i-1] {
			t.Errorf("stored twice: %s", bodies[i])
		}
	}
}

// seenCount counts the messages of the INBOX flagged \Seen.
func seenCount(t *testing.T, dc *mailtest.Dovecot) int {
	n := 0
	for _, fl := range dc.Flags(t, dc.User, "INBOX") {
		for _, f := range fl {
			if strings.EqualFold(f, `\Seen`) {
				n++
			}
		}
	}
	return n
}

// scReader drains what a scanner has not read, so the child never blocks
// on a full pipe.
func scReader(sc *bufio.Scanner) io.Reader {
	return readerFunc(func(p []byte) (int, error) {
		if !sc.Scan() {
			return 0, io.EOF
		}
		return copy(p, sc.Bytes()), nil
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
