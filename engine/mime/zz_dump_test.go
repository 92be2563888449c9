package mime

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestZZDump(t *testing.T) {
	out, _ := os.Create("/tmp/dump.txt")
	defer out.Close()
	for _, path := range corpusFiles(t) {
		for _, raw := range readMessages(t, path) {
			t0 := time.Now()
			m, err := Parse(raw, Limits{})
			d := time.Since(t0)
			fmt.Fprintf(out, "=== %s (%v) err=%v\n", strings.TrimPrefix(path, corpusDir+"/"), d, err)
			fmt.Fprintf(out, "  subj=%q date=%v raw=%q\n  from=%v to=%d cc=%d id=%s irt=%v refs=%d\n", m.Subject, m.Date, m.DateRaw, m.From, len(m.To), len(m.Cc), m.MessageID, m.InReplyTo, len(m.References))
			txt := m.Text
			if len(txt) > 300 { txt = txt[:300] }
			fmt.Fprintf(out, "  text=%q\n  html=%d\n", txt, len(m.HTML))
			for _, a := range m.Attachments {
				fmt.Fprintf(out, "  att name=%q type=%s cid=%q inline=%v len=%d trunc=%v\n", a.Name, a.ContentType, a.ContentID, a.Inline, len(a.Data), a.Truncated)
			}
			if m.Forward != nil { f := *m.Forward; ft := f.Text; if len(ft) > 100 { ft = ft[:100] }; fmt.Fprintf(out, "  FORWARD %s from=%v subj=%q date=%v id=%s text=%q\n", f.Kind, f.From, f.Subject, f.Date, f.MessageID, ft) }
			if m.Report != nil { fmt.Fprintf(out, "  REPORT %+v\n", *m.Report) }
			fmt.Fprintf(out, "  auto=%+v\n  problems=%v\n", m.Auto, m.Problems)
		}
	}
}
