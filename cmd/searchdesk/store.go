package main

import (
	"fmt"
	"os"
	"path/filepath"

	"searchdesk/engine"
)

// openStore opens the Badger store under the data directory.
func openStore(env *cliEnv, dir string) (*engine.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return engine.Open(filepath.Join(dir, "store"), engine.Options{Logger: env.log})
}

// openStoreDir opens the store of the --data flag value (see dataDir) and
// returns a func that closes it, logging what goes wrong.
func openStoreDir(env *cliEnv, flagValue string) (*engine.Store, func(), error) {
	st, err := openStore(env, dataDir(env, flagValue))
	if err != nil {
		return nil, nil, err
	}
	return st, func() {
		if err := st.Close(); err != nil {
			env.log.Error("close store", "err", err)
		}
	}, nil
}
