package engine

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// ReplyToken is what our outgoing Message-IDs carry (docs/architecture.md, threading
// rule 3): the ticket, the message, a hash of the recipient, an expiry
// (zero: none; set for tokens sent to agents) and a MAC with the desk's
// secret, so a reply is threaded even if the Message-ID map is lost, and an
// agent's reply by mail is accepted only from the agent it was sent to.
type ReplyToken struct {
	TicketID  string
	MessageID string
	Recipient string // hex prefix of sha256 of the recipient address
	Expires   time.Time
}

func recipientHash(addr string) string {
	h := sha256.Sum256([]byte(normAddr(addr)))
	return hex.EncodeToString(h[:5])
}

func tokenMAC(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// NewReplyMessageID returns a Message-ID carrying a signed token.
func NewReplyMessageID(secret []byte, ticketID, msgID, recipient string, expires time.Time, host string) string {
	exp := "0"
	if !expires.IsZero() {
		exp = strconv.FormatInt(expires.Unix(), 36)
	}
	body := strings.ToLower(ticketID + "." + msgID + "." + recipientHash(recipient) + "." + exp)
	return "<sd." + body + "." + tokenMAC(secret, body) + "@" + host + ">"
}

// ParseReplyToken verifies id against the desk secret; ok is false for ids
// that are not ours, were altered, or have expired.
func ParseReplyToken(id string, secret []byte, now time.Time) (ReplyToken, bool) {
	id = strings.ToLower(strings.Trim(strings.TrimSpace(id), "<>"))
	at := strings.LastIndexByte(id, '@')
	if at < 0 || !strings.HasPrefix(id, "sd.") {
		return ReplyToken{}, false
	}
	parts := strings.Split(id[3:at], ".")
	if len(parts) != 5 {
		return ReplyToken{}, false
	}
	body := strings.Join(parts[:4], ".")
	if !hmac.Equal([]byte(tokenMAC(secret, body)), []byte(parts[4])) {
		return ReplyToken{}, false
	}
	t := ReplyToken{TicketID: strings.ToUpper(parts[0]), MessageID: strings.ToUpper(parts[1]), Recipient: parts[2]}
	if parts[3] != "0" {
		sec, err := strconv.ParseInt(parts[3], 36, 64)
		if err != nil {
			return ReplyToken{}, false
		}
		t.Expires = time.Unix(sec, 0)
		if now.After(t.Expires) {
			return ReplyToken{}, false
		}
	}
	return t, true
}

// For reports whether the token was addressed to addr.
func (t ReplyToken) For(addr string) bool {
	return hmac.Equal([]byte(recipientHash(addr)), []byte(t.Recipient))
}
