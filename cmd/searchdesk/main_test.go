package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) {
	// In-process commands (runCLI) that take mail in start this test
	// binary as their `searchdesk extract` child. It exits through
	// syscall.Exit: built with -race, os.Exit would first sleep a second
	// in the race runtime.
	if len(os.Args) > 1 && os.Args[1] == "extract" {
		syscall.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// buildBinary builds the searchdesk binary for a test that needs a real
// process (SIGKILL, the extractor child, serve as a process) and returns
// its path.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "searchdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runCLI runs searchdesk in-process and returns stdout, stderr and the exit code.
func runCLI(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), code
}

func importJSON(t *testing.T, data string, paths ...string) importStats {
	t.Helper()
	out, errs, code := runCLI(t, append([]string{"import", "--json", "--data", data}, paths...)...)
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, errs)
	}
	var st importStats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("import output %q: %v", out, err)
	}
	return st
}

// exportedMessages exports data and returns the message records.
func exportedMessages(t *testing.T, data string) []map[string]any {
	t.Helper()
	return exportRecords(t, data)["message"]
}

// exportRecords exports data and returns its records by kind.
func exportRecords(t *testing.T, data string) map[string][]map[string]any {
	t.Helper()
	f := filepath.Join(t.TempDir(), "export.jsonl")
	if _, errs, code := runCLI(t, "export", "--data", data, "--format", "jsonl", "-o", f); code != 0 {
		t.Fatalf("export exit %d: %s", code, errs)
	}
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs := map[string][]map[string]any{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		k, _ := rec["kind"].(string)
		recs[k] = append(recs[k], rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"import without paths", []string{"import"}, exitUsage},
		{"import of a missing path", []string{"import", "--data", t.TempDir(), "no/such/file"}, exitUsage},
		{"bad flag", []string{"export", "--nope"}, exitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, code := runCLI(t, tc.args...); code != tc.want {
				t.Errorf("got exit %d, want %d", code, tc.want)
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
