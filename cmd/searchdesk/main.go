// Command searchdesk is the support desk: one binary for the web UI, the
// JSON API and the command-line tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes (README.md, Command line).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

const usage = `usage: searchdesk COMMAND [flags]

commands:
  serve    [--addr :8080] [--data DIR] [--demo]
  import   [--data DIR] [--desk CODE] [--json] PATH...
  export   [--data DIR] --format jsonl|csv [--query Q] [--as EMAIL|customer:EMAIL] [-o FILE]
  search   [--data DIR] [--as EMAIL|customer:EMAIL] [--json] [--limit N] QUERY
  reindex  [--data DIR]
  bench    [--n N] [--corpus FILE.jsonl] [--query-set FILE.json] [--json FILE] [--queries 200] [--raw=false]
  user add --email EMAIL --role admin|operator|agent [--desk CODE]
  desk set|mailbox|smtp|show --code CODE ...   (searchdesk desk for the flags)
  extract  (internal: the child process that extracts one attachment's text)

--data defaults to $SEARCHDESK_DATA, else ./searchdesk-data.
`

type command struct {
	name string
	run  func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what every subcommand gets: its streams and a logger.
type cliEnv struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
}

func commands() []command {
	return []command{
		{"serve", runServe},
		{"import", runImport},
		{"export", runExport},
		{"user", runUser},
		{"desk", runDesk},
		{"search", runSearch},
		{"reindex", runReindex},
		{"bench", runBench},
		{"extract", runExtract},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and maps its error to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &cliEnv{stdout: stdout, stderr: stderr, getenv: getenv,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "searchdesk %s: %v\n", c.name, err)
			return exitUsage
		default:
			fmt.Fprintf(stderr, "searchdesk %s: %v\n", c.name, err)
			return exitFailure
		}
	}
	fmt.Fprintf(stderr, "searchdesk: unknown command %q\n%s", args[0], usage)
	return exitUsage
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(env *cliEnv, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("searchdesk "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return fs
}

// parseFlags parses args, wrapping mistakes as usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// dataDir resolves --data: the flag, then $SEARCHDESK_DATA, then the default.
func dataDir(env *cliEnv, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := env.getenv("SEARCHDESK_DATA"); v != "" {
		return v
	}
	return "searchdesk-data"
}
