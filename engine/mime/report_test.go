package mime

import (
	"bytes"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"searchdesk/engine/corpustest"
)

// topIsReport reports whether the top-level header declares
// multipart/report; it reads the raw bytes independently of the parser.
func topIsReport(raw []byte) bool {
	end := bytes.Index(raw, []byte("\n\n"))
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 && (end < 0 || i < end) {
		end = i
	}
	if end < 0 {
		end = len(raw)
	}
	h := strings.ToLower(string(raw[:end]))
	h = regexp.MustCompile(`\r?\n[ \t]+`).ReplaceAllString(h, " ")
	return regexp.MustCompile(`(?m)^content-type:\s*multipart/report`).MatchString(h)
}

// returnedID finds the Message-ID of the returned message or header part
// with a plain text search, or "".
func returnedID(raw []byte) string {
	lower := bytes.ToLower(raw)
	start := -1
	for _, key := range []string{"message/rfc822", "rfc822-headers"} {
		if i := bytes.Index(lower, []byte(key)); i >= 0 && (start < 0 || i < start) {
			start = i
		}
	}
	if start < 0 {
		return ""
	}
	m := regexp.MustCompile(`(?im)^message-id:\s*(<[^>\s]+>)`).FindSubmatch(raw[start:])
	if m == nil {
		return ""
	}
	return string(m[1])
}

// TestReportCorpus checks every multipart/report of the corpus: each gives
// a Report, with the Message-ID of the returned message when it has one.
func TestReportCorpus(t *testing.T) {
	var paths []string
	for _, glob := range []string{"mime/sisimai-bounces/*", "mime/ruby-mail/multipart_report_emails__*", "hostile/MAIL-05-*"} {
		m, err := filepath.Glob(filepath.Join(corpustest.Dir(t), glob))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	reports, withID := 0, 0
	for _, path := range paths {
		for i, raw := range readMessages(t, path) {
			if !topIsReport(raw) {
				continue
			}
			reports++
			t.Run(filepath.Base(path)+"#"+string(rune('0'+i)), func(t *testing.T) {
				m, err := Parse(raw, Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if m.Report == nil {
					t.Fatal("Report is nil")
				}
				if m.Forward != nil {
					t.Error("a bounce must not be a forward")
				}
				if want := returnedID(raw); want != "" {
					withID++
					if m.Report.OriginalMessageID != want {
						t.Errorf("OriginalMessageID: got %q, want %q", m.Report.OriginalMessageID, want)
					}
				}
			})
		}
	}
	t.Logf("%d multipart/report messages, %d with a returned Message-ID", reports, withID)
	if reports < 50 {
		t.Errorf("found %d multipart/report messages, want at least 50", reports)
	}
}

func TestReportFields(t *testing.T) {
	tests := []struct {
		name string
		path string
		want Report
	}{
		{"hostile dsn", "hostile/MAIL-05-bounce-dsn.eml", Report{
			OriginalMessageID: "<sd.1042.8.sig@desk.example.com>",
			Recipients:        []string{"gone@customer.example.org"},
			Action:            "failed", Status: "5.1.1", Diagnostic: "smtp; 550 5.1.1 user unknown"}},
		{"delayed", "mime/enmime/dsn__delayed_dsn.eml", Report{
			Recipients: []string{"thomas@de-montfort.ac.uk"}, Action: "delayed", Status: "4.0.0"}},
		{"several recipients", "mime/enmime/dsn__multi_recipient_dsn.eml", Report{
			Recipients: []string{"arathib@vnet.ibm.com", "johnh@hpnjld.njd.hp.com", "wsnell@sdcc13.ucsd.edu"},
			Action:     "failed", Status: "5.0.0", Diagnostic: "smtp; 550 'arathib@vnet.IBM.COM' is not a registered gateway user"}},
		{"boundaries lost", "mime/sisimai-bounces/rfc3464-04.eml", Report{
			OriginalMessageID: "<00000000000.000000@mx4.example.co.jp>",
			Recipients:        []string{"kijitora@mailx-53.neko.example.edu"}, Action: "failed", Status: "5.5.0"}},
		{"feedback report", "mime/sisimai-bounces/arf-01.eml", Report{Action: "abuse"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := corpusMessage(t, tc.path)
			if m.Report == nil {
				t.Fatal("Report is nil")
			}
			if !reflect.DeepEqual(*m.Report, tc.want) {
				t.Errorf("got %+v, want %+v", *m.Report, tc.want)
			}
		})
	}
}

func TestNoReport(t *testing.T) {
	for _, rel := range []string{"mime/ruby-mail/plain_emails__raw_email8.eml", "hostile/MAIL-04-null-sender.eml",
		"mime/sisimai-bounces/rfc3834-01.eml"} {
		t.Run(rel, func(t *testing.T) {
			if m := corpusMessage(t, rel); m.Report != nil {
				t.Errorf("got Report %+v, want nil", *m.Report)
			}
		})
	}
}
