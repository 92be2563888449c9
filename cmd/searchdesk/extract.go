package main

import (
	"context"
	"fmt"
	"os"

	"searchdesk/engine"
	"searchdesk/engine/extract"
)

// runExtract is `searchdesk extract`, the internal child process of
// extract.Child: one attachment on stdin, its text on stdout.
func runExtract(_ context.Context, env *cliEnv, args []string) error {
	return extract.ServeChild(args, os.Stdin, env.stdout)
}

// childExtractor reads each attachment's text in `searchdesk extract`, a
// child process of this same executable, so a file that crashes or hangs
// the PDF library costs its own text, not the process. The commands that
// take mail in (serve, import) use it.
func childExtractor() (extract.Extractor, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("attachment extractor: %w", err)
	}
	return &extract.Child{Path: exe, Args: []string{"extract"}}, nil
}

// openIntakeStore is openStoreDir with the child extractor.
func openIntakeStore(env *cliEnv, flagValue string) (*engine.Store, func(), error) {
	x, err := childExtractor()
	if err != nil {
		return nil, nil, err
	}
	return openStoreDirWith(env, flagValue, x)
}
