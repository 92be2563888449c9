package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"sort"
	"syscall"
	"testing"
	"time"

	"searchdesk/engine"
	"searchdesk/engine/corpustest"
)

// storeCounts counts the records in the store under data.
func storeCounts(t *testing.T, data string) engine.Counts {
	t.Helper()
	env := &cliEnv{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }, log: discardLogger()}
	st, err := openStore(env, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// messageKeys lists every exported message as message_id|source, sorted.
func messageKeys(t *testing.T, data string) []string {
	t.Helper()
	var keys []string
	for _, m := range exportedMessages(t, data) {
		keys = append(keys, fmt.Sprintf("%s|%s", m["message_id"], m["source"]))
	}
	sort.Strings(keys)
	return keys
}

// TestImportSurvivesSIGKILL kills `searchdesk import` at random moments
// while it is storing, imports again, and checks that the result is the
// same as an uninterrupted import: nothing lost, nothing twice (REL-01).
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: imports an archive of 5,374 messages a dozen times, killing the process")
	}
	archive := corpustest.Path(t, "threaded/twisted-web.mbox.gz")
	binary := buildBinary(t)
	clean := t.TempDir()
	start := time.Now()
	if out, err := exec.Command(binary, "import", "--data", clean, archive).CombinedOutput(); err != nil {
		t.Fatalf("clean import: %v\n%s", err, out)
	}
	full := time.Since(start) // the whole run of the real process, start-up included
	wantStored := storeCounts(t, clean).Messages
	wantKeys := messageKeys(t, clean)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	runs := 0
	for attempt := 0; runs < 5 && attempt < 25; attempt++ {
		data := t.TempDir()
		delay := time.Duration(float64(full) * (0.05 + 0.8*rng.Float64()))
		cmd := exec.Command(binary, "import", "--data", data, archive)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		stored := storeCounts(t, data).Messages
		if stored == 0 || stored >= wantStored {
			t.Logf("kill after %v landed outside storing (stored %d of %d); again", delay, stored, wantStored)
			continue
		}
		runs++
		// The index follows the store after the crash: it reports as many
		// tickets as Badger holds.
		out, err := exec.Command(binary, "search", "--data", data, "--json", "--limit", "1", "").Output()
		if err != nil {
			t.Fatalf("search after kill: %v", err)
		}
		var sr struct{ Total int }
		if err := json.Unmarshal(out, &sr); err != nil {
			t.Fatalf("search output %q: %v", out, err)
		}
		if tickets := storeCounts(t, data).Tickets; sr.Total != tickets {
			t.Errorf("run %d: index reports %d tickets after the crash, Badger holds %d", runs+1, sr.Total, tickets)
		}
		again := importJSON(t, data, archive)
		got := messageKeys(t, data)
		t.Logf("run %d: killed after %v with %d of %d stored; re-import stored %d more, %d duplicates", runs, delay.Round(time.Millisecond), stored, wantStored, again.Stored, again.Duplicate)
		if len(got) != len(wantKeys) {
			t.Errorf("run %d: %d messages after re-import, want %d", runs, len(got), len(wantKeys))
			continue
		}
		for i := range got {
			if got[i] != wantKeys[i] {
				t.Errorf("run %d: message %q, want %q", runs, got[i], wantKeys[i])
				break
			}
		}
	}
	if runs < 5 {
		t.Errorf("only %d kills landed while storing, want 5", runs)
	}
}
