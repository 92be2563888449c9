package corpustest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended: Fatal and Skip
// stop the goroutine, as they do in a real test.
type recorder struct {
	testing.TB
	ended string // "fatal", "skip" or "" when the helper returned
	msg   string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatal(args ...any) { r.end("fatal", fmt.Sprint(args...)) }

func (r *recorder) Fatalf(format string, args ...any) { r.end("fatal", fmt.Sprintf(format, args...)) }

func (r *recorder) Skip(args ...any) { r.end("skip", fmt.Sprint(args...)) }

func (r *recorder) end(how, msg string) {
	r.ended, r.msg = how, msg
	runtime.Goexit()
}

// call runs f with a recorder on its own goroutine and returns the recorder
// and what f returned.
func call(f func(testing.TB) string) (*recorder, string) {
	r := &recorder{}
	var got string
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = f(r)
	}()
	<-done
	return r, got
}

// fakeRepo makes root/repo with a go.mod and a package folder below it,
// and returns root and the package folder.
func fakeRepo(t *testing.T) (root, pkg string) {
	t.Helper()
	root = t.TempDir()
	pkg = filepath.Join(root, "repo", "engine", "thing")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, pkg
}

func TestFindsSharedBesideRoot(t *testing.T) {
	root, pkg := fakeRepo(t)
	if err := os.MkdirAll(filepath.Join(root, "shared", "corpus", "hostile"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	t.Setenv("CI", "")
	want := filepath.Join(root, "shared", "corpus")
	if r, got := call(Dir); r.ended != "" || got != want {
		t.Errorf("Dir: got %q (ended %q: %s), want %q", got, r.ended, r.msg, want)
	}
	if r, got := call(func(tb testing.TB) string { return Path(tb, "hostile") }); r.ended != "" || got != filepath.Join(want, "hostile") {
		t.Errorf("Path hostile: got %q (ended %q: %s)", got, r.ended, r.msg)
	}
	// A corpus that lacks a file is broken: that fails even outside CI.
	if r, _ := call(func(tb testing.TB) string { return Path(tb, "hostile/none.eml") }); r.ended != "fatal" {
		t.Errorf("Path of a missing file: got %q, want fatal", r.ended)
	}
}

func TestMissingSkipsOrFailsInCI(t *testing.T) {
	_, pkg := fakeRepo(t)
	t.Chdir(pkg)
	cases := []struct {
		name, ci, want string
		f              func(testing.TB) string
	}{
		{"corpus outside CI", "", "skip", Dir},
		{"corpus under CI", "true", "fatal", Dir},
		{"corpus file outside CI", "", "skip", func(tb testing.TB) string { return Path(tb, "hostile") }},
		{"bench under CI", "true", "fatal", func(tb testing.TB) string { return BenchPath(tb, "tickets-sample.jsonl") }},
		{"bench outside CI", "false", "skip", func(tb testing.TB) string { return BenchPath(tb, "tickets-sample.jsonl") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r, _ := call(tc.f)
			if r.ended != tc.want {
				t.Fatalf("got %q, want %q", r.ended, tc.want)
			}
			// The message names the path it looked for.
			if !strings.Contains(r.msg, string(filepath.Separator)+"shared"+string(filepath.Separator)) {
				t.Errorf("message %q does not name the expected path", r.msg)
			}
		})
	}
}

// TestRealCorpus finds the corpus of this repository, as every corpus
// test does.
func TestRealCorpus(t *testing.T) {
	dir := Dir(t)
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Errorf("%s is not the corpus: %v", dir, err)
	}
}
