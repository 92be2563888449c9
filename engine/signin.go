package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106) and kept in the PHC string
// format, so the parameters travel with the hash and can be raised later:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH. The parameters are OWASP's
// recommendation for argon2id.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16

	// MinPasswordLen and MaxPasswordLen bound a password, in characters.
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// HashPassword returns the argon2id hash of pw in PHC format.
func HashPassword(pw string) (string, error) {
	if err := checkPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return Errorf(CodeInvalid, "err_password_short", "engine: password: at least %d characters, got %d", MinPasswordLen, n)
	case n > MaxPasswordLen:
		return Errorf(CodeInvalid, "err_password_long", "engine: password: at most %d characters", MaxPasswordLen)
	}
	return nil
}

// passwordMatches reports whether pw hashes to the PHC string phc, in time
// that does not depend on where they differ.
func passwordMatches(phc, pw string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil ||
		mem == 0 || mem > 1<<21 || iter == 0 || iter > 16 || threads == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no user has the address given, so
// that signing in as nobody takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a password of anyone")
	return h
})

// ErrBadLogin is returned for an unknown address or a wrong password
// alike, so that a sign-in form never tells which addresses exist.
var ErrBadLogin = errors.New("wrong email or password")

// SetPassword sets a user's password; every session made with the old one
// ends and every API token is revoked (AC-06).
func (s *Store) SetPassword(ctx context.Context, userID, pw string) error {
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	return s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var u User
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		u.PasswordHash = h
		u.Epoch++ // every session of the old password ends
		if err := deleteAPITokens(txn, u.ID); err != nil {
			return err
		}
		return putJSON(txn, key(pUser, u.ID), u)
	})
}

// deleteAPITokens revokes every API token of a user.
func deleteAPITokens(txn *badger.Txn, userID string) error {
	var tokens []APIToken
	err := eachJSON(txn, append(key(pUToken, userID), '/'), func() any { return &APIToken{} }, func(v any) error {
		tokens = append(tokens, *v.(*APIToken))
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if err := txn.Delete(key(pAPIToken, t.Hash)); err != nil {
			return err
		}
		if err := txn.Delete(key(pUToken, userID, t.ID)); err != nil {
			return err
		}
	}
	return nil
}

// Authenticate returns the user with that address and password, or
// ErrBadLogin.
func (s *Store) Authenticate(ctx context.Context, email, pw string) (User, error) {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) || (err == nil && u.PasswordHash == "") {
		passwordMatches(dummyHash(), pw)
		return User{}, ErrBadLogin
	}
	if err != nil {
		return User{}, err
	}
	if u.Disabled || !passwordMatches(u.PasswordHash, pw) {
		return User{}, ErrBadLogin
	}
	return u, nil
}

// Session is a signed-in browser. Its key is the hash of the cookie's
// token, so the store never holds a token that would sign anyone in.
type Session struct {
	UserID  string    `json:"user_id"`
	CSRF    string    `json:"csrf"` // the token every state-changing form carries
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Epoch   uint64    `json:"epoch,omitempty"` // the user's Epoch when it was made
}

// secretToken returns a new random token with a prefix saying what it is,
// and the hash under which it is stored.
func secretToken(prefix string) (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, tokenHash(token)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewSession signs a user in for ttl and returns the cookie's token.
func (s *Store) NewSession(ctx context.Context, userID string, ttl time.Duration) (string, Session, error) {
	token, h := secretToken("sds_")
	csrf, _ := secretToken("")
	var sess Session
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var u User
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		sess = Session{UserID: userID, CSRF: csrf, Created: w.now, Expires: w.now.Add(ttl), Epoch: u.Epoch}
		b, err := json.Marshal(sess)
		if err != nil {
			return err
		}
		return txn.SetEntry(badger.NewEntry(key(pSession, h), b).WithTTL(ttl + time.Hour))
	})
	if err != nil {
		return "", Session{}, err
	}
	return token, sess, nil
}

// SessionUser returns the live session of a cookie token and its user;
// ErrNotFound when the token is unknown, expired or its user disabled.
func (s *Store) SessionUser(ctx context.Context, token string) (Session, User, error) {
	var sess Session
	var u User
	if !strings.HasPrefix(token, "sds_") {
		return sess, u, ErrNotFound
	}
	err := s.db.View(func(txn *badger.Txn) error {
		if err := getJSON(txn, key(pSession, tokenHash(token)), &sess); err != nil {
			return err
		}
		if !s.opts.Now().Before(sess.Expires) {
			return ErrNotFound
		}
		if err := getJSON(txn, key(pUser, sess.UserID), &u); err != nil {
			return err
		}
		if u.Disabled || sess.Epoch != u.Epoch { // disabled, or the password changed since
			return ErrNotFound
		}
		return nil
	})
	return sess, u, err
}

// EndSession signs a cookie token out.
func (s *Store) EndSession(ctx context.Context, token string) error {
	return s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		return txn.Delete(key(pSession, tokenHash(token)))
	})
}

// APIToken lets a script act as a user with `Authorization: Bearer`. Only
// its hash is stored; the token itself is shown once, when it is made.
type APIToken struct {
	ID      string    `json:"id"`
	UserID  string    `json:"user_id"`
	Name    string    `json:"name"`
	Hash    string    `json:"hash"`
	Created time.Time `json:"created"`
}

// NewAPIToken makes a token for a user and returns it with its record.
func (s *Store) NewAPIToken(ctx context.Context, userID, name string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", APIToken{}, Errorf(CodeInvalid, "err_token_name", "engine: token name: 1 to 100 characters")
	}
	token, h := secretToken("sdt_")
	var t APIToken
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var u User
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		t = APIToken{ID: s.newID(), UserID: userID, Name: name, Hash: h, Created: w.now}
		if err := putJSON(txn, key(pAPIToken, h), t); err != nil {
			return err
		}
		return putJSON(txn, key(pUToken, userID, t.ID), t)
	})
	if err != nil {
		return "", APIToken{}, err
	}
	return token, t, nil
}

// APITokens lists a user's tokens (never the tokens themselves).
func (s *Store) APITokens(ctx context.Context, userID string) ([]APIToken, error) {
	out := []APIToken{}
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, append(key(pUToken, userID), '/'), func() any { return &APIToken{} }, func(v any) error {
			out = append(out, *v.(*APIToken))
			return nil
		})
	})
	return out, err
}

// RevokeAPIToken deletes one of a user's tokens.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id string) error {
	return s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var t APIToken
		if err := getJSON(txn, key(pUToken, userID, id), &t); err != nil {
			return fmt.Errorf("engine: token %s: %w", id, err)
		}
		if err := txn.Delete(key(pAPIToken, t.Hash)); err != nil {
			return err
		}
		return txn.Delete(key(pUToken, userID, id))
	})
}

// UserByAPIToken returns the user a bearer token acts as; ErrNotFound when
// the token is unknown or revoked, or its user disabled.
func (s *Store) UserByAPIToken(ctx context.Context, token string) (User, error) {
	var u User
	if !strings.HasPrefix(token, "sdt_") {
		return u, ErrNotFound
	}
	err := s.db.View(func(txn *badger.Txn) error {
		var t APIToken
		if err := getJSON(txn, key(pAPIToken, tokenHash(token)), &t); err != nil {
			return err
		}
		if err := getJSON(txn, key(pUser, t.UserID), &u); err != nil {
			return err
		}
		if u.Disabled {
			return ErrNotFound
		}
		return nil
	})
	return u, err
}
