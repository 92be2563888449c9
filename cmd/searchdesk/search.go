package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"time"

	"searchdesk/engine"
	"searchdesk/index"
)

// openIndex opens the index under the data directory and brings it up to
// date with the store.
func openIndex(ctx context.Context, env *cliEnv, data string, st *engine.Store) (*index.Index, error) {
	idx, err := index.Open(filepath.Join(dataDir(env, data), "index"), st, env.log)
	if err != nil {
		return nil, err
	}
	if err := idx.CatchUp(ctx); err != nil {
		idx.Close()
		return nil, err
	}
	return idx, nil
}

// searchHit is one line of `search --json`.
type searchHit struct {
	Number    string           `json:"number"`
	Subject   string           `json:"subject"`
	Status    string           `json:"status"`
	Desk      string           `json:"desk"`
	Highlight *index.Highlight `json:"highlight,omitempty"`
}

func runSearch(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "search")
	data := fs.String("data", "", "data directory")
	as := fs.String("as", "", "search as EMAIL (a user) or customer:EMAIL")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 25, "hits to print")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := strings.Join(fs.Args(), " ")
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	scope, err := searchScope(ctx, st, *as)
	if err != nil {
		return err
	}
	idx, err := openIndex(ctx, env, *data, st)
	if err != nil {
		return err
	}
	defer idx.Close()
	res, err := idx.Search(ctx, index.Request{Query: q, Scope: scope, Size: *limit, Highlight: true})
	var se *index.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	hits := []searchHit{}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	err = st.Summaries(ctx, ids, func(_ string, b *engine.Bundle, err error) error {
		if err != nil {
			return err
		}
		hits = append(hits, searchHit{Number: b.Ticket.Number, Subject: b.Ticket.Subject, Status: b.Ticket.Status,
			Desk: b.Desk.Code, Highlight: res.Hits[len(hits)].Highlight})
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.stdout).Encode(map[string]any{"total": res.Total, "hits": hits})
	}
	for _, h := range hits {
		fmt.Fprintf(env.stdout, "%-16s %-12s %s\n", h.Number, h.Status, h.Subject)
		if h.Highlight != nil && h.Highlight.Field != "subject" {
			fmt.Fprintf(env.stdout, "%29s %s\n", "", plainFragment(h.Highlight.Fragment))
		}
	}
	fmt.Fprintf(env.stdout, "%d tickets\n", res.Total)
	return nil
}

// searchScope resolves --as: empty is an unrestricted admin search (the
// command line has the data directory anyway); customer:EMAIL a customer;
// EMAIL a user.
func searchScope(ctx context.Context, st *engine.Store, as string) (index.Scope, error) {
	if as == "" {
		return index.Scope{All: true}, nil
	}
	if addr, ok := strings.CutPrefix(as, "customer:"); ok {
		c, err := st.ContactByAddress(ctx, addr)
		if errors.Is(err, engine.ErrNotFound) {
			// An unknown customer sees nothing, but still gets an answer.
			return index.Scope{Customer: true, Me: addr}, nil
		}
		return index.CustomerScope(c, false), err
	}
	u, err := st.UserByEmail(ctx, as)
	if err != nil {
		return index.Scope{}, fmt.Errorf("%w: --as %s: %v", errUsage, as, err)
	}
	return index.StaffScope(u), nil
}

func runReindex(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "reindex")
	data := fs.String("data", "", "data directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	dir := filepath.Join(dataDir(env, *data), "index")
	fresh := dir + ".new"
	start := time.Now()
	c, err := st.Count(ctx)
	if err != nil {
		return err
	}
	bar := newBar(env, c.Tickets, "reindexing", "tickets")
	err = index.Rebuild(ctx, fresh, st, env.log, func(n int) {
		if bar != nil {
			_ = bar.Set(n)
		}
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.Rename(fresh, dir); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	idx, err := openIndex(ctx, env, *data, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "reindexed %d tickets in %.1fs\n", c.Tickets, time.Since(start).Seconds())
	return idx.Close()
}

// plainFragment turns a highlight's HTML into terminal text: matches in
// brackets, entities decoded.
func plainFragment(f string) string {
	f = strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(f)
	return html.UnescapeString(f)
}
