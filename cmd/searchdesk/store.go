package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"searchdesk/engine"
	"searchdesk/engine/extract"
)

// openStore opens the Badger store under the data directory.
func openStore(env *cliEnv, dir string) (*engine.Store, error) { return openStoreWith(env, dir, nil) }

// openStoreWith is openStore with the extractor of attachments' text at
// intake (nil: in process).
func openStoreWith(env *cliEnv, dir string, x extract.Extractor) (*engine.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	key, err := secretKey(env, dir)
	if err != nil {
		return nil, err
	}
	return engine.Open(filepath.Join(dir, "store"), engine.Options{Logger: env.log, SecretKey: key,
		BaseURL: env.getenv("SEARCHDESK_URL"), Extractor: x})
}

// secretKey is the key that seals mail passwords and tokens at rest:
// $SEARCHDESK_SECRET_KEY (64 hex digits), the file named by
// $SEARCHDESK_SECRET_KEY_FILE, or secret.key in the data directory,
// created on first use.
func secretKey(env *cliEnv, dir string) ([]byte, error) {
	decode := func(what, s string) ([]byte, error) {
		k, err := hex.DecodeString(strings.TrimSpace(s))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s: want 64 hex digits (32 bytes)", what)
		}
		return k, nil
	}
	if v := env.getenv("SEARCHDESK_SECRET_KEY"); v != "" {
		return decode("SEARCHDESK_SECRET_KEY", v)
	}
	file := env.getenv("SEARCHDESK_SECRET_KEY_FILE")
	if file == "" {
		file = filepath.Join(dir, "secret.key")
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			k := make([]byte, 32)
			if _, err := rand.Read(k); err != nil {
				return nil, err
			}
			if err := os.WriteFile(file, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("secret key: %w", err)
			}
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return decode(file, string(b))
}

// openStoreDir opens the store of the --data flag value (see dataDir) and
// returns a func that closes it, logging what goes wrong.
func openStoreDir(env *cliEnv, flagValue string) (*engine.Store, func(), error) {
	return openStoreDirWith(env, flagValue, nil)
}

// openStoreDirWith is openStoreDir with the extractor of attachments' text.
func openStoreDirWith(env *cliEnv, flagValue string, x extract.Extractor) (*engine.Store, func(), error) {
	st, err := openStoreWith(env, dataDir(env, flagValue), x)
	if err != nil {
		return nil, nil, err
	}
	return st, func() {
		if err := st.Close(); err != nil {
			env.log.Error("close store", "err", err)
		}
	}, nil
}
