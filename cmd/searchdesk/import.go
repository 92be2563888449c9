package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"searchdesk/engine"
	"searchdesk/engine/archive"
)

// importStats is the --json summary of an import. read = stored + duplicate
// + failed; parse_error counts messages stored raw and flagged.
type importStats struct {
	Read       int     `json:"read"`
	Stored     int     `json:"stored"`
	Duplicate  int     `json:"duplicate"`
	ParseError int     `json:"parse_error"`
	Skipped    int     `json:"skipped"`
	Failed     int     `json:"failed"`
	Tickets    int     `json:"tickets"`
	Seconds    float64 `json:"seconds"`
}

// syncEvery is the group-commit batch of import: messages are counted as
// stored only after the fsync that makes them durable (invariant 2).
const syncEvery = 256

func runImport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "import")
	data := fs.String("data", "", "data directory")
	desk := fs.String("desk", "", "desk code (created if missing; default: the default desk)")
	asJSON := fs.Bool("json", false, "print a JSON summary")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: name at least one .eml, mbox or Maildir path", errUsage)
	}
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	st, closeStore, err := openIntakeStore(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	d, err := st.EnsureDesk(ctx, *desk)
	if err != nil {
		return err
	}
	res, err := importPaths(ctx, env, st, d.Code, fs.Args())
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		return enc.Encode(res)
	}
	fmt.Fprintf(env.stdout, "read %d: stored %d (parse errors %d), duplicate %d, failed %d; skipped %d files that are not mail; %d new tickets in %.1fs\n",
		res.Read, res.Stored, res.ParseError, res.Duplicate, res.Failed, res.Skipped, res.Tickets, res.Seconds)
	if res.Failed > 0 {
		return fmt.Errorf("%d messages failed", res.Failed)
	}
	return nil
}

// importPaths walks the paths and stores every message through Intake.
func importPaths(ctx context.Context, env *cliEnv, st *engine.Store, desk string, paths []string) (importStats, error) {
	start := time.Now()
	var res importStats
	bar := newImportBar(ctx, env, paths)
	pending := importStats{} // counted but not yet fsync'd
	flush := func() error {
		if err := st.Sync(); err != nil {
			return err
		}
		res.Stored += pending.Stored
		res.Duplicate += pending.Duplicate
		res.ParseError += pending.ParseError
		res.Tickets += pending.Tickets
		pending = importStats{}
		return nil
	}
	n := 0
	stats, err := archive.Walk(ctx, paths, archive.Options{}, func(it archive.Item) error {
		r, err := st.Intake(ctx, engine.Inbound{Desk: desk, Raw: it.Raw, Source: it.Source,
			Channel: "import", Truncated: it.Truncated, NoSync: true})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			env.log.Error("store message", "source", it.Source, "err", err)
			res.Failed++
			return nil
		}
		switch r.Outcome {
		case engine.OutcomeDuplicate:
			pending.Duplicate++
		default:
			pending.Stored++
			if slices.Contains(r.Flags, engine.FlagParseError) {
				pending.ParseError++
			}
			if r.NewTicket {
				pending.Tickets++
			}
		}
		if bar != nil {
			_ = bar.Add(1)
		}
		if n++; n%syncEvery == 0 {
			return flush()
		}
		return nil
	}, func(path string, err error) {
		env.log.Error("read", "path", path, "err", err)
	})
	if ferr := flush(); ferr != nil && err == nil {
		err = ferr
	}
	if bar != nil {
		_ = bar.Finish()
	}
	res.Skipped = stats.Skipped
	res.Failed += stats.Failed
	res.Read = res.Stored + res.Duplicate + res.Failed
	res.Seconds = time.Since(start).Seconds()
	if err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, err
}

// newImportBar shows count, rate and ETA on stderr when it is a terminal.
// The total comes from a quick first walk that only splits the archives.
func newImportBar(ctx context.Context, env *cliEnv, paths []string) *progressbar.ProgressBar {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	st, err := archive.Walk(ctx, paths, archive.Options{}, func(archive.Item) error { return nil }, nil)
	if err != nil {
		return nil
	}
	return newBar(env, st.Messages, "importing", "msg")
}

// newBar returns a progress bar with count, rate and ETA on stderr when it
// is a terminal, else nil.
func newBar(env *cliEnv, total int, what, unit string) *progressbar.ProgressBar {
	f, ok := env.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
}
