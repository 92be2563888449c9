// Package mailtest starts real mail servers on the loopback interface for
// end-to-end tests: a Dovecot IMAP server (StartDovecot) and an SMTP
// submission server built on go-smtp (StartSMTP).
//
// Everything a server needs lives in the test's temporary directory and every
// server is stopped by t.Cleanup. When a program the harness needs is missing
// (dovecot and doveadm come from the Debian package dovecot-imapd), the test
// is skipped, or fails when the environment variable CI is "true", so that CI
// never passes by skipping.
package mailtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// installHint is the advice given whenever something the harness needs is
// missing.
const installHint = "install the Debian package dovecot-imapd (apt-get install dovecot-imapd)"

// unavailable skips the test, or fails it when CI is "true", saying what is
// missing.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := "mailtest: " + fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	} else {
		t.Skip(msg)
	}
}

// lookPath finds a program on PATH or in the sbin directories, which are often
// missing from an ordinary user's PATH although Debian installs dovecot there.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH nor in the sbin directories", name)
}

// syncBuffer is a bytes.Buffer safe for concurrent writers that keeps at most
// limit bytes (the first ones) so that a chatty server cannot eat the memory.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	limit   int
	dropped bool
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.limit > 0 && b.buf.Len()+len(p) > b.limit {
		room := b.limit - b.buf.Len()
		if room > 0 {
			b.buf.Write(p[:room])
		}
		b.dropped = true
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if b.dropped {
		s += "\n[mailtest: log truncated]\n"
	}
	return s
}
