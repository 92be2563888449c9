package mail

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"golang.org/x/oauth2"

	"searchdesk/engine"
)

// xoauth2 is the SASL XOAUTH2 mechanism of Gmail and Microsoft 365.
type xoauth2 struct{ user, token string }

// NewXOAuth2Client returns a SASL client that signs in user with an OAuth 2
// access token.
func NewXOAuth2Client(user, token string) sasl.Client { return &xoauth2{user, token} }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server fails the exchange with its reason.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

// TokenSource hands out OAuth 2 access tokens for one mailbox or outbox,
// refreshing them at the token endpoint and keeping them sealed in the
// desk's record.
type TokenSource struct {
	Store    *engine.Store
	DeskCode string
	Which    string // a mailbox id, or "smtp"
	HTTP     *http.Client

	mu sync.Mutex
}

// Token returns a valid access token.
func (ts *TokenSource) Token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	desk, err := ts.Store.DeskByCode(ctx, ts.DeskCode)
	if err != nil {
		return "", err
	}
	conf := oauthOf(&desk, ts.Which)
	if conf == nil {
		return "", fmt.Errorf("desk %s %s: no OAuth 2 configured", ts.DeskCode, ts.Which)
	}
	if access, err := ts.Store.Reveal(conf.AccessToken); err == nil && access != "" && time.Until(conf.Expiry) > time.Minute {
		return access, nil
	}
	refresh, err := ts.Store.Reveal(conf.RefreshToken)
	if err != nil {
		return "", err
	}
	secret, err := ts.Store.Reveal(conf.ClientSecret)
	if err != nil {
		return "", err
	}
	oc := oauth2.Config{ClientID: conf.ClientID, ClientSecret: secret, Scopes: conf.Scopes,
		Endpoint: oauth2.Endpoint{TokenURL: conf.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}
	hc := ts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	tok, err := oc.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, hc), &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		return "", fmt.Errorf("desk %s: refresh OAuth 2 token at %s: %w", ts.DeskCode, conf.TokenURL, err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refresh
	}
	if err := ts.Store.SetOAuthTokens(ctx, ts.DeskCode, ts.Which, tok.AccessToken, tok.RefreshToken, tok.Expiry); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

func oauthOf(d *engine.Desk, which string) *engine.OAuth2 {
	if which == "smtp" {
		if d.SMTP != nil {
			return d.SMTP.OAuth2
		}
		return nil
	}
	for _, m := range d.Mailboxes {
		if m.ID == which {
			return m.Server.OAuth2
		}
	}
	return nil
}
