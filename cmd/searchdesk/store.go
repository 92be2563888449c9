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
