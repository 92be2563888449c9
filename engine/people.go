package engine

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// normAddr lower-cases and trims an address; "" if it is not one.
// NormAddress is an email address as the desk keys it: trimmed, lower
// case, without angle brackets; "" when it is not an address. Sign-in and
// its limits use it, so "<Ann@x>" and "ann@x" are one account.
func NormAddress(a string) string { return normAddr(a) }

func normAddr(a string) string {
	a = strings.ToLower(strings.TrimSpace(a))
	a = strings.Trim(a, "<>")
	if !strings.Contains(a, "@") || strings.ContainsAny(a, " \t\r\n") {
		return ""
	}
	return a
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// AddUser creates a user. The email must be a valid, unused address.
func (s *Store) AddUser(ctx context.Context, u User) (User, error) {
	a, err := mail.ParseAddress(u.Email)
	if err != nil {
		return User{}, Errorf(CodeInvalid, "err_user_email", "engine: user email %q", u.Email)
	}
	u.Email = strings.ToLower(a.Address)
	switch u.Role {
	case RoleAdmin, RoleOperator, RoleAgent:
	default:
		return User{}, Errorf(CodeInvalid, "err_user_role", "engine: user role %q: want admin, operator or agent", u.Role)
	}
	if u.Name == "" {
		u.Name = a.Name
	}
	err = s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if _, err := getRaw(txn, key(pUEmail, u.Email)); err == nil {
			return Errorf(CodeConflict, "err_user_exists", "engine: user %s exists", u.Email)
		}
		for _, d := range u.Desks {
			if _, err := getRaw(txn, key(pDesk, d)); err != nil {
				return fmt.Errorf("engine: user desk %s: %w", d, err)
			}
		}
		u.ID = s.newID()
		u.Created = w.now
		w.op = "user"
		if err := txn.Set(key(pUEmail, u.Email), []byte(u.ID)); err != nil {
			return err
		}
		return putJSON(txn, key(pUser, u.ID), u)
	})
	return u, err
}

// UserByEmail returns the user with that address.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.View(func(txn *badger.Txn) error { return userByEmailTxn(txn, normAddr(email), &u) })
	return u, err
}

func userByEmailTxn(txn *badger.Txn, email string, u *User) error {
	id, err := getRaw(txn, key(pUEmail, email))
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeNotFound, "err_no_user", "engine: user %s", email)
	}
	if err != nil {
		return err
	}
	return getJSON(txn, key(pUser, string(id)), u)
}

// Users lists every user.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(pUser), func() any { return &User{} }, func(v any) error {
			out = append(out, *v.(*User))
			return nil
		})
	})
	return out, err
}

// MemberOf reports whether u works on desk: admins and operators see every
// desk, agents the desks they belong to.
func (u User) MemberOf(deskID string) bool {
	return u.Role == RoleAdmin || u.Role == RoleOperator || slices.Contains(u.Desks, deskID)
}

// SaveAccount creates or changes an account on behalf of actor, audited;
// senders from its domains join it.
func (s *Store) SaveAccount(ctx context.Context, actor string, a Account) (Account, error) {
	if a.Name == "" {
		return Account{}, Errorf(CodeInvalid, "err_account_name", "engine: account needs a name")
	}
	for i, d := range a.Domains {
		a.Domains[i] = strings.ToLower(strings.TrimSpace(d))
		if a.Domains[i] == "" || strings.ContainsAny(a.Domains[i], " @/") {
			return Account{}, Errorf(CodeInvalid, "err_account_domain", "engine: account domain %q", d)
		}
	}
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		for _, d := range a.Domains {
			if id, err := getRaw(txn, key(pADom, d)); err == nil && string(id) != a.ID {
				return Errorf(CodeConflict, "err_account_domain_taken", "engine: domain %s belongs to another account", d)
			}
		}
		if a.ID == "" {
			a.ID = s.newID()
			a.Created = w.now
			if err := w.recordAudit(RefAccount, a.ID, actor, "created", "", a.Name); err != nil {
				return err
			}
		} else if err := s.replaceAccount(txn, w, actor, a); err != nil {
			return err
		}
		w.op = "account"
		if err := txn.Set(key(pAName, strings.ToLower(a.Name)), []byte(a.ID)); err != nil {
			return err
		}
		for _, d := range a.Domains {
			if err := txn.Set(key(pADom, d), []byte(a.ID)); err != nil {
				return err
			}
		}
		return putJSON(txn, key(pAccount, a.ID), a)
	})
	return a, err
}

// replaceAccount drops the lookup keys of the stored account a replaces
// and, when its domains or name change, names it in the feed so that its
// tickets' account field is re-indexed.
func (s *Store) replaceAccount(txn *badger.Txn, w *writeCtx, actor string, a Account) error {
	var old Account
	if err := getJSON(txn, key(pAccount, a.ID), &old); err != nil {
		return fmt.Errorf("engine: account %s: %w", a.ID, err)
	}
	a.Created = old.Created
	for _, d := range old.Domains {
		if !slices.Contains(a.Domains, d) {
			if err := txn.Delete(key(pADom, d)); err != nil {
				return err
			}
		}
	}
	if on := strings.ToLower(old.Name); on != strings.ToLower(a.Name) {
		if err := txn.Delete(key(pAName, on)); err != nil {
			return err
		}
	}
	if old.Name != a.Name || !slices.Equal(old.Domains, a.Domains) {
		w.changedRecord(RefAccount, a.ID)
	}
	if err := w.recordAudit(RefAccount, a.ID, actor, "name", old.Name, a.Name); err != nil {
		return err
	}
	return w.recordAuditList(RefAccount, a.ID, actor, "domains", old.Domains, a.Domains)
}

// ensureContact returns the contact for addr, creating it (and joining the
// account of its domain) when the address is new.
func (s *Store) ensureContact(txn *badger.Txn, w *writeCtx, addr, name string) (Contact, error) {
	var c Contact
	id, err := getRaw(txn, key(pCAddr, addr))
	if err == nil {
		return c, getJSON(txn, key(pContact, string(id)), &c)
	}
	if !errors.Is(err, ErrNotFound) {
		return c, err
	}
	c = Contact{ID: s.newID(), Name: name, Addresses: []string{addr}, Created: w.now}
	if acc, err := getRaw(txn, key(pADom, domainOf(addr))); err == nil {
		c.AccountID = string(acc)
	}
	if err := txn.Set(key(pCAddr, addr), []byte(c.ID)); err != nil {
		return c, err
	}
	return c, putJSON(txn, key(pContact, c.ID), c)
}

// SetProfile changes what a user may change of themselves: their name and
// UI language ("" follows the browser; else en, pl or cs).
func (s *Store) SetProfile(ctx context.Context, userID, name, lang string) (User, error) {
	name = strings.TrimSpace(name)
	switch {
	case len(name) > 200:
		return User{}, Errorf(CodeInvalid, "err_user_name", "engine: name: at most 200 characters")
	case lang != "" && lang != "en" && lang != "pl" && lang != "cs":
		return User{}, Errorf(CodeInvalid, "err_user_language", "engine: language %q: want en, pl or cs", lang)
	}
	var u User
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		u.Name, u.Language = name, lang
		return putJSON(txn, key(pUser, u.ID), u)
	})
	return u, err
}

// SetUserAccess changes a user's role, desks and whether they may sign in:
// an admin's operation (AC-09). Disabling takes effect at once: sessions
// and tokens of a disabled user stop working on their next request.
func (s *Store) SetUserAccess(ctx context.Context, actor, userID, role string, desks []string, disabled bool) (User, error) {
	switch role {
	case RoleAdmin, RoleOperator, RoleAgent:
	default:
		return User{}, Errorf(CodeInvalid, "err_user_role", "engine: user role %q: want admin, operator or agent", role)
	}
	var u User
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		for _, d := range desks {
			if _, err := getRaw(txn, key(pDesk, d)); err != nil {
				return fmt.Errorf("engine: user desk %s: %w", d, err)
			}
		}
		if err := w.recordAudit(RefUser, u.ID, actor, "role", u.Role, role); err != nil {
			return err
		}
		if err := w.recordAuditList(RefUser, u.ID, actor, "desks", u.Desks, desks); err != nil {
			return err
		}
		if err := w.recordAudit(RefUser, u.ID, actor, "disabled", fmt.Sprint(u.Disabled), fmt.Sprint(disabled)); err != nil {
			return err
		}
		u.Role, u.Desks, u.Disabled = role, slices.Clone(desks), disabled
		w.op = "user"
		return putJSON(txn, key(pUser, u.ID), u)
	})
	return u, err
}

// SetUserEmail changes the address a user signs in with and is shown by:
// an admin's operation. The user's assigned tickets are re-indexed, since
// their assignee field holds the address.
func (s *Store) SetUserEmail(ctx context.Context, actor, userID, email string) (User, error) {
	a, err := mail.ParseAddress(email)
	if err != nil {
		return User{}, Errorf(CodeInvalid, "err_user_email", "engine: user email %q", email)
	}
	email = strings.ToLower(a.Address)
	var u User
	err = s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		if err := getJSON(txn, key(pUser, userID), &u); err != nil {
			return fmt.Errorf("engine: user %s: %w", userID, err)
		}
		if u.Email == email {
			return nil
		}
		if _, err := getRaw(txn, key(pUEmail, email)); err == nil {
			return Errorf(CodeConflict, "err_user_exists", "engine: user %s exists", email)
		}
		if err := txn.Delete(key(pUEmail, u.Email)); err != nil {
			return err
		}
		if err := txn.Set(key(pUEmail, email), []byte(u.ID)); err != nil {
			return err
		}
		if err := w.recordAudit(RefUser, u.ID, actor, "email", u.Email, email); err != nil {
			return err
		}
		u.Email = email
		w.op = "user"
		w.changedRecord(RefUser, u.ID) // the assignee field of its tickets
		return putJSON(txn, key(pUser, u.ID), u)
	})
	return u, err
}
