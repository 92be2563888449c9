package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"searchdesk/engine"
	"searchdesk/index"
)

func runExport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "export")
	data := fs.String("data", "", "data directory")
	format := fs.String("format", "jsonl", "jsonl or csv")
	query := fs.String("query", "", "export the tickets matching this query (csv always exports tickets)")
	as := fs.String("as", "", "export as EMAIL (a user) or customer:EMAIL: their scope applies")
	out := fs.String("o", "", "write to FILE instead of standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "jsonl" && *format != "csv" {
		return fmt.Errorf("%w: --format %q: want jsonl or csv", errUsage, *format)
	}
	queried := false
	fs.Visit(func(f *flag.Flag) { queried = queried || f.Name == "query" || f.Name == "as" })
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	var w io.Writer = env.stdout
	var f *os.File
	if *out != "" {
		f, err = os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if *format == "jsonl" && !queried {
		// The whole store, message by message: the backup format.
		err = st.ExportJSONL(ctx, bw)
	} else {
		err = exportTickets(ctx, env, st, *data, *as, *query, *format, bw)
	}
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		return f.Close()
	}
	return nil
}

// ticketRow is one exported ticket.
type ticketRow struct {
	ID       string    `json:"id"`
	Number   string    `json:"number"`
	Desk     string    `json:"desk"`
	Subject  string    `json:"subject"`
	Status   string    `json:"status"`
	Priority string    `json:"priority"`
	Category string    `json:"category"`
	Type     string    `json:"type"`
	Assignee string    `json:"assignee"`
	Customer string    `json:"customer"`
	Account  string    `json:"account"`
	Tags     []string  `json:"tags"`
	Source   string    `json:"source"`
	SLA      string    `json:"sla"`
	Messages int       `json:"messages"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

var ticketColumns = []string{"id", "number", "desk", "subject", "status", "priority", "category", "type",
	"assignee", "customer", "account", "tags", "source", "sla", "messages", "created", "updated"}

func (r *ticketRow) csv() []string {
	cells := []string{r.ID, r.Number, r.Desk, r.Subject, r.Status, r.Priority, r.Category, r.Type,
		r.Assignee, r.Customer, r.Account, strings.Join(r.Tags, " "), r.Source, r.SLA,
		fmt.Sprint(r.Messages), r.Created.Format(time.RFC3339), r.Updated.Format(time.RFC3339)}
	for i, c := range cells {
		cells[i] = csvSafe(c) // every cell: category, type and tags are typed by people too
	}
	return cells
}

// csvSafe keeps a spreadsheet from running a cell as a formula (CSV
// injection): text that starts like one gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// rowOf is the exported row of a ticket; its message count is of the
// messages the scope may read.
func rowOf(b *engine.Bundle, scope index.Scope) ticketRow {
	t := &b.Ticket
	r := ticketRow{ID: t.ID, Number: t.Number, Desk: b.Desk.Code, Subject: t.Subject, Status: t.Status,
		Priority: t.Priority, Category: t.CategoryID, Type: t.TypeID, Tags: t.Tags, Source: t.Source,
		SLA: t.SLAState, Created: t.Created, Updated: t.Updated}
	for i := range b.Messages {
		if scope.Reads(&b.Messages[i]) {
			r.Messages++
		}
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	if b.Assignee != nil {
		r.Assignee = b.Assignee.Email
	}
	if b.Contact != nil && len(b.Contact.Addresses) > 0 {
		r.Customer = b.Contact.Addresses[0]
	}
	if b.Account != nil {
		r.Account = b.Account.Name
	}
	return r
}

// exportTickets streams the tickets a query matches, in the searcher's
// scope, as JSONL or CSV: page by page from the index, records from the
// store.
func exportTickets(ctx context.Context, env *cliEnv, st *engine.Store, data, as, q, format string, w io.Writer) error {
	scope, err := searchScope(ctx, st, as)
	if err != nil {
		return err
	}
	idx, err := openIndex(ctx, env, data, st)
	if err != nil {
		return err
	}
	defer idx.Close()
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	if format == "csv" {
		cw = csv.NewWriter(w)
		if err := cw.Write(ticketColumns); err != nil {
			return err
		}
	}
	var ids []string
	flush := func() error {
		err := st.Bundles(ctx, ids, func(id string, b *engine.Bundle, err error) error {
			if err != nil { // deleted since the page was read
				return nil
			}
			r := rowOf(b, scope)
			if cw != nil {
				return cw.Write(r.csv())
			}
			return enc.Encode(r)
		})
		ids = ids[:0]
		return err
	}
	err = idx.Each(ctx, index.Request{Query: q, Scope: scope}, func(h index.Hit) error {
		if ids = append(ids, h.ID); len(ids) == 500 {
			return flush()
		}
		return nil
	})
	var se *index.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: --query: %v", errUsage, err)
	}
	if err == nil {
		err = flush()
	}
	if cw != nil {
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	}
	return err
}
