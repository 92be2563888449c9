package engine

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Connection security of a mail server.
const (
	SecurityTLS      = "tls"      // implicit TLS (IMAPS 993, SMTPS 465)
	SecurityStartTLS = "starttls" // plain connection upgraded with STARTTLS
	SecurityNone     = "none"     // plain text: loopback and tests only
)

// What a mailbox does with a message once it is stored.
const (
	AfterSeen   = "seen"   // set \Seen
	AfterMove   = "move"   // move to MoveTo
	AfterDelete = "delete" // delete and expunge
)

// Secret is a password or token as stored: sealed with the store's secret
// key (AES-256-GCM), never in clear text. Env, when set, names an
// environment variable that holds the value instead.
type Secret struct {
	Sealed string `json:"sealed,omitempty"`
	Env    string `json:"env,omitempty"`
}

// IsZero reports whether no secret is configured.
func (s Secret) IsZero() bool { return s.Sealed == "" && s.Env == "" }

// OAuth2 configures XOAUTH2 sign-in (Gmail, Microsoft 365): the token
// endpoint, the client, and the refresh token, sealed. Access tokens are
// fetched when needed and kept sealed with their expiry.
type OAuth2 struct {
	TokenURL     string    `json:"token_url"`
	ClientID     string    `json:"client_id"`
	ClientSecret Secret    `json:"client_secret"`
	RefreshToken Secret    `json:"refresh_token"`
	Scopes       []string  `json:"scopes,omitempty"`
	AccessToken  Secret    `json:"access_token"`
	Expiry       time.Time `json:"expiry"`
}

// Server is where a mailbox or outbox connects.
type Server struct {
	Host     string  `json:"host"`
	Port     int     `json:"port"`
	Security string  `json:"security"`
	User     string  `json:"user"`
	Password Secret  `json:"password"`
	OAuth2   *OAuth2 `json:"oauth2,omitempty"`
	// InsecureSkipVerify is for test servers with self-signed
	// certificates only.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Mailbox is an IMAP folder a desk reads its mail from.
type Mailbox struct {
	ID     string `json:"id"`
	Server Server `json:"server"`
	Folder string `json:"folder"`
	After  string `json:"after"`
	MoveTo string `json:"move_to,omitempty"`
	// MaxBytes: larger messages are stored with their header only and
	// quarantined (DOS-01); default 25 MiB.
	MaxBytes int64 `json:"max_bytes,omitempty"`
	// PollSeconds is the polling interval when the server has no IDLE.
	PollSeconds int  `json:"poll_seconds,omitempty"`
	Disabled    bool `json:"disabled,omitempty"`
}

// MailboxState is what a mailbox's poller has committed, and its health.
type MailboxState struct {
	MailboxID   string    `json:"mailbox_id"`
	DeskID      string    `json:"desk_id"`
	UIDValidity uint32    `json:"uid_validity"`
	LastUID     uint32    `json:"last_uid"` // every UID up to this one is stored and acknowledged
	LastSuccess time.Time `json:"last_success"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at"`
	Lag         int       `json:"lag"`     // messages in the folder not yet taken in
	Stored      int64     `json:"stored"`  // messages stored since the state was created
	Skipped     int64     `json:"skipped"` // poison messages stored raw and skipped
	// Tries counts failed attempts per UID, for poison messages (REL-07).
	Tries map[uint32]int `json:"tries,omitempty"`
}

func normalizeServer(what string, s *Server, defPort int) error {
	s.Host = strings.TrimSpace(s.Host)
	if s.Host == "" {
		return Errorf(CodeInvalid, "err_server_host", "engine: %s: host is empty", what)
	}
	if s.Security == "" {
		s.Security = SecurityTLS
	}
	switch s.Security {
	case SecurityTLS, SecurityStartTLS, SecurityNone:
	default:
		return Errorf(CodeInvalid, "err_server_security", "engine: %s: security %q: want tls, starttls or none", what, s.Security)
	}
	if s.Port == 0 {
		s.Port = defPort
	}
	if s.Port < 1 || s.Port > 65535 {
		return Errorf(CodeInvalid, "err_server_port", "engine: %s: port %d", what, s.Port)
	}
	if s.OAuth2 != nil && s.OAuth2.TokenURL == "" {
		return Errorf(CodeInvalid, "err_server_oauth2", "engine: %s: oauth2 needs a token URL", what)
	}
	return nil
}

func normalizeMailbox(d *Desk, i int, m *Mailbox, newID func() string) error {
	what := fmt.Sprintf("desk %s mailbox %d", d.Code, i+1)
	def := 993
	if m.Server.Security == SecurityStartTLS || m.Server.Security == SecurityNone {
		def = 143
	}
	if err := normalizeServer(what, &m.Server, def); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = newID()
	}
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.After == "" {
		m.After = AfterSeen
	}
	switch m.After {
	case AfterSeen, AfterDelete:
	case AfterMove:
		if m.MoveTo == "" {
			return Errorf(CodeInvalid, "err_mailbox_move_to", "engine: %s: after=move needs a folder to move to", what)
		}
	default:
		return Errorf(CodeInvalid, "err_mailbox_after", "engine: %s: after %q: want seen, move or delete", what, m.After)
	}
	if m.MaxBytes <= 0 {
		m.MaxBytes = 25 << 20
	}
	if m.PollSeconds <= 0 {
		m.PollSeconds = 60
	}
	return nil
}

// Seal encrypts a secret with the store's key so it can be kept in a record.
func (s *Store) Seal(plain string) (Secret, error) {
	gcm, err := s.gcm()
	if err != nil {
		return Secret{}, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Secret{}, err
	}
	out := gcm.Seal(nonce, nonce, []byte(plain), []byte("searchdesk-secret"))
	return Secret{Sealed: "v1:" + base64.StdEncoding.EncodeToString(out)}, nil
}

// Reveal returns a secret's value: from its environment variable, or
// decrypted with the store's key.
func (s *Store) Reveal(sec Secret) (string, error) {
	if sec.Env != "" {
		v, ok := os.LookupEnv(sec.Env)
		if !ok {
			return "", fmt.Errorf("engine: environment variable %s is not set", sec.Env)
		}
		return v, nil
	}
	if sec.Sealed == "" {
		return "", nil
	}
	b64, ok := strings.CutPrefix(sec.Sealed, "v1:")
	if !ok {
		return "", errors.New("engine: sealed secret: unknown format")
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("engine: sealed secret: %w", err)
	}
	gcm, err := s.gcm()
	if err != nil {
		return "", err
	}
	if len(raw) < gcm.NonceSize() {
		return "", errors.New("engine: sealed secret: too short")
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte("searchdesk-secret"))
	if err != nil {
		return "", errors.New("engine: sealed secret: cannot be opened with this secret key")
	}
	return string(plain), nil
}

func (s *Store) gcm() (cipher.AEAD, error) {
	if len(s.opts.SecretKey) != 32 {
		return nil, errors.New("engine: no secret key configured (SEARCHDESK_SECRET_KEY or the data directory's secret.key)")
	}
	b, err := aes.NewCipher(s.opts.SecretKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// MailboxState returns what the poller of mailbox id has committed; a
// mailbox never polled has the zero state.
func (s *Store) MailboxState(id string) (MailboxState, error) {
	st := MailboxState{MailboxID: id}
	err := s.db.View(func(txn *badger.Txn) error {
		err := getJSON(txn, key(pMbox, id), &st)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	return st, err
}

// SaveMailboxState records a mailbox's progress and health, durably.
func (s *Store) SaveMailboxState(ctx context.Context, deskCode string, st MailboxState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.DeskID == "" && deskCode != "" {
		if d, err := s.DeskByCode(ctx, deskCode); err == nil {
			st.DeskID = d.ID
		}
	}
	err := s.db.Update(func(txn *badger.Txn) error { return putJSON(txn, key(pMbox, st.MailboxID), st) })
	if err != nil {
		return err
	}
	return s.Sync()
}

// MailboxStates returns the state and health of every mailbox polled.
func (s *Store) MailboxStates() ([]MailboxState, error) {
	var out []MailboxState
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pMbox), func() any { return new(MailboxState) }, func(v any) error {
			out = append(out, *v.(*MailboxState))
			return nil
		})
	})
	return out, err
}

// SetOAuthTokens stores fresh OAuth 2 tokens, sealed, for a desk's mailbox
// (by id) or its outbox ("smtp").
func (s *Store) SetOAuthTokens(ctx context.Context, deskCode, which, access, refresh string, expiry time.Time) error {
	sa, err := s.Seal(access)
	if err != nil {
		return err
	}
	sr, err := s.Seal(refresh)
	if err != nil {
		return err
	}
	return s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var d Desk
		if err := deskByCodeTxn(txn, deskCode, &d); err != nil {
			return err
		}
		var o *OAuth2
		if which == "smtp" && d.SMTP != nil {
			o = d.SMTP.OAuth2
		}
		for i := range d.Mailboxes {
			if d.Mailboxes[i].ID == which {
				o = d.Mailboxes[i].Server.OAuth2
			}
		}
		if o == nil {
			return fmt.Errorf("engine: desk %s has no OAuth 2 settings for %s: %w", deskCode, which, ErrNotFound)
		}
		o.AccessToken, o.Expiry = sa, expiry
		if o.RefreshToken.Env == "" {
			o.RefreshToken = sr
		}
		return putJSON(txn, key(pDesk, d.ID), d)
	})
}

// ParseAfter reads what a mailbox does with a message once it is stored,
// as people write it: seen, delete, or move:FOLDER.
func ParseAfter(s string) (after, moveTo string) {
	s = strings.TrimSpace(s)
	if to, ok := strings.CutPrefix(s, "move:"); ok {
		return AfterMove, to
	}
	return s, ""
}

// PutMailbox adds box to the desk, or replaces the mailbox of the same
// server, user and folder (keeping its id, so its state carries on).
func (d *Desk) PutMailbox(box Mailbox) {
	for i, b := range d.Mailboxes {
		if b.Server.Host == box.Server.Host && b.Server.User == box.Server.User && b.Folder == box.Folder {
			box.ID = b.ID
			d.Mailboxes[i] = box
			return
		}
	}
	d.Mailboxes = append(d.Mailboxes, box)
}
