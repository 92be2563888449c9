package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"searchdesk/engine"
	"searchdesk/engine/archive"
	"searchdesk/engine/corpustest"
	"searchdesk/engine/mime"
)

// TestImportWholeCorpus checks the import counts of ../shared/corpus/README.md
// and that nothing is lost: every Message-ID of the corpus (or, without one,
// the place the message came from) is in the export.
func TestImportWholeCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: imports the whole corpus (9,006 messages) twice and exports it")
	}
	corpus := corpustest.Dir(t)
	data := t.TempDir()
	st := importJSON(t, data, corpus)
	t.Logf("whole corpus: %+v", st)
	if st.Read != 9006 || st.Failed != 0 || st.Skipped != 22 {
		t.Errorf("got read %d failed %d skipped %d, want 9006, 0, 22", st.Read, st.Failed, st.Skipped)
	}
	if st.Stored+st.Duplicate+st.Failed != st.Read {
		t.Errorf("stored %d + duplicate %d + failed %d != read %d", st.Stored, st.Duplicate, st.Failed, st.Read)
	}
	exported := exportedMessages(t, data)
	if len(exported) != st.Stored {
		t.Errorf("export has %d messages, import stored %d", len(exported), st.Stored)
	}
	ids, sources := map[string]bool{}, map[string]bool{}
	rules := map[string]int{}
	for _, m := range exported {
		rule := m["thread_reason"].(map[string]any)["rule"].(string)
		rules[rule]++
		if !slices.Contains(engine.ThreadRules(), rule) {
			t.Errorf("message %s: thread reason %q is not a rule of docs/architecture.md", m["source"], rule)
		}
		ids[m["message_id"].(string)] = true
		sources[m["source"].(string)] = true
		if ds, ok := m["deliveries"].([]any); ok {
			for _, d := range ds {
				sources[d.(string)] = true
			}
		}
	}
	missing := 0
	_, err := archive.Walk(context.Background(), []string{corpus}, archive.Options{}, func(it archive.Item) error {
		pm, _ := mime.Parse(it.Raw, mime.DefaultLimits())
		if pm != nil && pm.MessageID != "" {
			if !ids[pm.MessageID] {
				missing++
				t.Errorf("message %s (%s) is not in the export", pm.MessageID, it.Source)
			}
		} else if !sources[it.Source] {
			missing++
			t.Errorf("message from %s (no Message-ID) is not in the export", it.Source)
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lost messages: %d; thread reasons: %v", missing, rules)
	again := importJSON(t, data, corpus)
	if again.Stored != 0 || again.Duplicate != again.Read {
		t.Errorf("second import: got %+v, want nothing new stored", again)
	}
}

// archiveCase is one threaded archive with its reference threading.
type archiveCase struct {
	name, path, threads, anomalies string
	stored, duplicate              int // -1: not asserted
}

func archiveCases() []archiveCase {
	return []archiveCase{
		{"ksummit", "threaded/ksummit.mbox.gz", "threaded/ksummit.threads.tsv", "threaded/ksummit.anomalies.tsv", 3112, 3},
		{"twisted-web", "threaded/twisted-web.mbox.gz", "threaded/twisted-web.threads.tsv", "threaded/twisted-web.anomalies.tsv", 5372, 2},
		{"twisted-reality", "maildir/twisted-reality", "maildir/twisted-reality.threads.tsv", "maildir/twisted-reality.anomalies.tsv", 126, 0},
	}
}

// TestThreadingAgainstReference imports each archive alone and scores
// message-to-ticket assignment with B-cubed precision and recall against
// the archive's threads.tsv. Header-less replies are scored apart. Under
// -short only the Maildir of 126 messages is scored.
func TestThreadingAgainstReference(t *testing.T) {
	for _, ac := range archiveCases() {
		t.Run(ac.name, func(t *testing.T) {
			if testing.Short() && ac.stored > 1000 {
				t.Skipf("slow: imports %d messages", ac.stored)
			}
			path := corpustest.Path(t, ac.path)
			data := t.TempDir()
			st := importJSON(t, data, path)
			if st.Stored != ac.stored || st.Duplicate != ac.duplicate || st.Failed != 0 {
				t.Errorf("import: got stored %d duplicate %d failed %d, want %d, %d, 0", st.Stored, st.Duplicate, st.Failed, ac.stored, ac.duplicate)
			}
			truth := readTSV(t, corpustest.Path(t, ac.threads), 0, 1)
			headerless := map[string]string{}
			for _, row := range readRows(t, corpustest.Path(t, ac.anomalies)) {
				if row[0] == "headerless-reply" {
					headerless[row[1]] = row[3]
				}
			}
			recs := exportRecords(t, data)
			msgs := recs["message"]
			pred := map[string]string{}
			byID := map[string]map[string]any{}
			for _, m := range msgs {
				id := m["message_id"].(string)
				if id == "" {
					id = missingID(m["source"].(string))
				}
				if _, dup := pred[id]; !dup {
					pred[id] = m["ticket"].(string)
					byID[id] = m
				}
			}
			p, r, n := bcubed(truth, pred, headerless)
			t.Logf("%s: B-cubed precision %.4f recall %.4f over %d messages (%d header-less replies apart)", ac.name, p, r, n, len(headerless))
			if p < 0.995 || r < 0.995 {
				t.Errorf("%s: precision %.4f recall %.4f, want both >= 0.995", ac.name, p, r)
			}
			first := checkHeaderless(t, ac.name, headerless, byID, msgs, recs["ticket"])
			if ac.name == "ksummit" && first < 3 {
				t.Errorf("ksummit: %d header-less replies from first-time senders, want the 3 spam mails among them", first)
			}
		})
	}
}

// missingID names a message without Message-ID as threads.py does:
// <missing-message-id-N@threads.invalid>, N its 1-based position.
func missingID(source string) string {
	i := strings.LastIndexByte(source, '#')
	if i < 0 {
		return source
	}
	return fmt.Sprintf("<missing-message-id-%s@threads.invalid>", source[i+1:])
}

// bcubed scores pred against truth over the messages in both, leaving out skip.
func bcubed(truth, pred map[string]string, skip map[string]string) (precision, recall float64, n int) {
	predC, trueC := map[string][]string{}, map[string][]string{}
	var items []string
	for id, tt := range truth {
		pt, ok := pred[id]
		if !ok || skip[id] != "" {
			continue
		}
		items = append(items, id)
		predC[pt] = append(predC[pt], id)
		trueC[tt] = append(trueC[tt], id)
	}
	for _, id := range items {
		inPred := map[string]bool{}
		for _, x := range predC[pred[id]] {
			inPred[x] = true
		}
		both := 0
		for _, x := range trueC[truth[id]] {
			if inPred[x] {
				both++
			}
		}
		precision += float64(both) / float64(len(predC[pred[id]]))
		recall += float64(both) / float64(len(trueC[truth[id]]))
	}
	n = len(items)
	if n == 0 {
		return 0, 0, 0
	}
	return precision / float64(n), recall / float64(n), n
}

// checkHeaderless reports how header-less replies were threaded, checks that
// none joined a ticket whose participants do not include its sender, and
// that those from first-time senders opened new tickets. It returns how
// many came from first-time senders.
func checkHeaderless(t *testing.T, name string, headerless map[string]string, byID map[string]map[string]any, msgs, tickets []map[string]any) int {
	t.Helper()
	participants := map[string]map[string]bool{}
	for _, tk := range tickets {
		set := map[string]bool{}
		if ps, ok := tk["participants"].([]any); ok {
			for _, p := range ps {
				set[p.(string)] = true
			}
		}
		participants[tk["number"].(string)] = set
	}
	// Addresses seen before each message, in archive order.
	sort.SliceStable(msgs, func(i, j int) bool {
		pi, pj := position(msgs[i]), position(msgs[j])
		if pi != pj {
			return pi < pj
		}
		return msgs[i]["source"].(string) < msgs[j]["source"].(string)
	})
	seenBefore := map[string]bool{}
	firstTime := map[string]bool{}
	for _, m := range msgs {
		id := m["message_id"].(string)
		from := m["from"].(string)
		if headerless[id] != "" && !seenBefore[from] {
			firstTime[id] = true
		}
		seenBefore[from] = true
		for _, k := range []string{"to", "cc"} {
			if as, ok := m[k].([]any); ok {
				for _, a := range as {
					seenBefore[a.(string)] = true
				}
			}
		}
	}
	rules := map[string]int{}
	for id := range headerless {
		m := byID[id]
		if m == nil {
			t.Errorf("%s: header-less reply %s not exported", name, id)
			continue
		}
		rule := m["thread_reason"].(map[string]any)["rule"].(string)
		rules[rule]++
		from := m["from"].(string)
		if rule != "new" && !participants[m["ticket"].(string)][from] {
			t.Errorf("%s: header-less reply %s from %s joined %s (%s), whose participants do not include the sender", name, id, from, m["ticket"], rule)
		}
		if firstTime[id] && rule != "new" {
			t.Errorf("%s: header-less reply %s from first-time sender %s joined %s by %s, want a new ticket", name, id, from, m["ticket"], rule)
		}
	}
	t.Logf("%s: %d header-less replies, by rule %v; %d from first-time senders", name, len(headerless), rules, len(firstTime))
	return len(firstTime)
}

func position(m map[string]any) int {
	src := m["source"].(string)
	n := 0
	if i := strings.LastIndexByte(src, '#'); i >= 0 {
		fmt.Sscan(src[i+1:], &n)
	}
	return n
}

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func readTSV(t *testing.T, path string, k, v int) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, row := range readRows(t, path) {
		if len(row) > max(k, v) {
			out[row[k]] = row[v]
		}
	}
	return out
}
