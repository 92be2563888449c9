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

// openIntakeStore is openStoreDir for the commands that take mail in
// (serve, import): each attachment's text is read by `searchdesk
// extract`, a child process of this same executable, so a file that
// crashes or hangs the PDF library costs its own text, not the process.
func openIntakeStore(env *cliEnv, flagValue string) (*engine.Store, func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("attachment extractor: %w", err)
	}
	return openStoreDirWith(env, flagValue, &extract.Child{Path: exe, Args: []string{"extract"}})
}
