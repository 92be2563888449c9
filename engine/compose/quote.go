package compose

import (
	"strings"

	"searchdesk/engine/quote"
)

// QuoteLast trims a customer message for quoting in a reply: it keeps what
// engine/quote finds the customer newly wrote (dropping quoted history with
// its attribution line), drops any remaining ">" lines, cuts the signature
// at a "-- " line (RFC 3676 4.3; "--" too, as some clients trim the space),
// squeezes runs of blank lines, and keeps at most maxLines lines, followed
// by a line "…" when some were cut. maxLines <= 0 keeps every line. The
// result is plain text for Vars.Quote.
func QuoteLast(text string, maxLines int) string {
	if p := quote.Split(text); strings.TrimSpace(p.New) != "" {
		text = p.New
	}
	var kept []string
	blank := true // drops leading blank lines
	for _, l := range strings.Split(cleanLines(text), "\n") {
		if l == "--" { // "-- " after cleanLines trims the space
			break
		}
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), ">") {
			continue
		}
		if strings.TrimSpace(l) == "" {
			if !blank {
				kept = append(kept, "")
			}
			blank = true
			continue
		}
		kept = append(kept, l)
		blank = false
	}
	cut := maxLines > 0 && len(kept) > maxLines
	if cut {
		kept = kept[:maxLines]
	}
	for len(kept) > 0 && kept[len(kept)-1] == "" {
		kept = kept[:len(kept)-1]
	}
	if cut {
		kept = append(kept, "…")
	}
	return strings.Join(kept, "\n")
}
