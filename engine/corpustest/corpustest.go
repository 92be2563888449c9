// Package corpustest finds the shared files the tests read: the real-mail
// corpus in shared/corpus and the benchmark tickets in shared/bench, both
// in a folder named shared beside the repository root (../shared from the
// directory that holds go.mod).
//
// When a folder is missing the test is skipped with a message that names
// the path it expected, or fails when CI=true, so that CI never passes
// without having read the corpus.
package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the corpus folder, shared/corpus beside the repository root.
func Dir(t testing.TB) string {
	t.Helper()
	return sharedDir(t, "corpus")
}

// Path returns the file or folder rel (slash-separated) inside the corpus.
// A missing corpus skips the test (fails under CI=true); a corpus without
// rel is broken and fails the test.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return sharedPath(t, "corpus", rel)
}

// BenchPath returns the file rel (slash-separated) inside shared/bench,
// the benchmark tickets and queries, skipping or failing as Path does.
func BenchPath(t testing.TB, rel string) string {
	t.Helper()
	return sharedPath(t, "bench", rel)
}

func sharedPath(t testing.TB, folder, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir(t, folder), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpustest: shared/%s has no %s: %v", folder, rel, err)
	}
	return p
}

// sharedDir returns shared/folder beside the repository root, or skips
// (fails under CI=true) when it is not there.
func sharedDir(t testing.TB, folder string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("corpustest: %v", err)
	}
	dir := filepath.Join(filepath.Dir(root), "shared", folder)
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return dir
	}
	msg := "corpustest: MISSING " + dir + " (../shared/" + folder +
		" beside the repository root " + root + ")"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + ": required under CI=true")
	}
	t.Skip(msg + ": SKIPPING this test, which did not run")
	return ""
}

// repoRoot walks up from the working directory (the package's directory
// under go test) to the directory that holds go.mod.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &os.PathError{Op: "find go.mod above", Path: wd, Err: os.ErrNotExist}
		}
		dir = parent
	}
}
