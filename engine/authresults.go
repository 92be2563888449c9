package engine

import (
	"strings"

	"searchdesk/engine/mime"
)

// authFailed reports whether the desk's own MTA recorded a DMARC failure
// for this message. Only Authentication-Results fields whose authserv-id is
// the desk's configured one count (RFC 8601 section 5: anyone can add the
// header, so others are ignored); the topmost such field decides.
func authFailed(h mime.Header, authservID string) bool {
	if authservID == "" {
		return false
	}
	for _, v := range h.Values("Authentication-Results") {
		id, results, _ := strings.Cut(v, ";")
		fields := strings.Fields(id)
		if len(fields) == 0 || !strings.EqualFold(fields[0], authservID) {
			continue
		}
		for _, r := range strings.Split(results, ";") {
			method, rest, ok := strings.Cut(strings.TrimSpace(r), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(method), "dmarc") {
				continue
			}
			verdict := strings.ToLower(strings.Fields(rest + " ")[0])
			return verdict == "fail"
		}
		return false
	}
	return false
}
