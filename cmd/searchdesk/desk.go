package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"searchdesk/engine"
)

const deskUsage = `searchdesk desk set     --code CODE [--name NAME] [--address A,B] [--pattern P] [--language en|pl|cs] [--hours SPEC] [--tz ZONE]
searchdesk desk mailbox --code CODE --host HOST [--port N] [--security tls|starttls|none] --user USER
                        (--password-env VAR | --password-stdin) [--folder INBOX] [--after seen|delete|move:FOLDER]
searchdesk desk smtp    --code CODE --host HOST [--port N] [--security tls|starttls|none] [--user USER]
                        [--password-env VAR | --password-stdin]
searchdesk desk show    [--code CODE]`

func runDesk(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w:\n%s", errUsage, deskUsage)
	}
	fs := newFlags(env, "desk "+args[0])
	data := fs.String("data", "", "data directory")
	code := fs.String("code", "", "desk code")
	name := fs.String("name", "", "desk name")
	addrs := fs.String("address", "", "the desk's addresses, comma separated; the first one sends")
	pattern := fs.String("pattern", "", "ticket number pattern, e.g. SUP-{{yy}}-{{mm}}-{{nr-m}}")
	lang := fs.String("language", "", "language of the default mail templates: en, pl or cs")
	hours := fs.String("hours", "", `working hours, e.g. "mon-fri 09:00-17:00"`)
	tz := fs.String("tz", "", "time zone of the working hours and numbers, e.g. Europe/Warsaw")
	host := fs.String("host", "", "mail server host")
	port := fs.Int("port", 0, "mail server port (default by security)")
	security := fs.String("security", "", "tls (default), starttls or none")
	user := fs.String("user", "", "user name on the mail server")
	passEnv := fs.String("password-env", "", "read the password from this environment variable at run time")
	passStdin := fs.Bool("password-stdin", false, "read the password from standard input and store it sealed")
	folder := fs.String("folder", "INBOX", "IMAP folder to watch")
	after := fs.String("after", "seen", "after intake: seen, delete or move:FOLDER")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *code == "" && args[0] != "show" {
		return fmt.Errorf("%w: --code is required", errUsage)
	}
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	if args[0] == "show" {
		return showDesks(ctx, env, st, *code)
	}
	d, err := st.EnsureDesk(ctx, *code)
	if err != nil {
		return err
	}
	password := func() (engine.Secret, error) {
		switch {
		case *passEnv != "":
			return engine.Secret{Env: *passEnv}, nil
		case *passStdin:
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && err != io.EOF {
				return engine.Secret{}, err
			}
			return st.Seal(strings.TrimRight(line, "\r\n"))
		}
		return engine.Secret{}, nil
	}
	server := func() (engine.Server, error) {
		if *host == "" {
			return engine.Server{}, fmt.Errorf("%w: --host is required", errUsage)
		}
		pw, err := password()
		return engine.Server{Host: *host, Port: *port, Security: *security, User: *user, Password: pw}, err
	}
	switch args[0] {
	case "set":
		set := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		set(&d.Name, *name)
		set(&d.Pattern, *pattern)
		set(&d.Language, *lang)
		set(&d.Hours, *hours)
		set(&d.TimeZone, *tz)
		if *addrs != "" {
			d.Addresses = strings.Split(*addrs, ",")
		}
	case "mailbox":
		srv, err := server()
		if err != nil {
			return err
		}
		if *user == "" || srv.Password.IsZero() {
			return fmt.Errorf("%w: a mailbox needs --user and --password-env or --password-stdin", errUsage)
		}
		box := engine.Mailbox{Server: srv, Folder: *folder}
		box.After, box.MoveTo = engine.ParseAfter(*after)
		d.PutMailbox(box)
	case "smtp":
		srv, err := server()
		if err != nil {
			return err
		}
		if srv.Security == "" {
			srv.Security = engine.SecurityStartTLS
		}
		d.SMTP = &srv
	default:
		return fmt.Errorf("%w: unknown desk command %q\n%s", errUsage, args[0], deskUsage)
	}
	d, err = st.SaveDesk(ctx, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "desk %s saved\n", d.Code)
	return st.Sync()
}

// showDesks prints desks with their mail settings (never secrets) and the
// health of their mailboxes.
func showDesks(ctx context.Context, env *cliEnv, st *engine.Store, code string) error {
	desks, err := st.Desks(ctx)
	if err != nil {
		return err
	}
	states, err := st.MailboxStates()
	if err != nil {
		return err
	}
	health := map[string]engine.MailboxState{}
	for _, s := range states {
		health[s.MailboxID] = s
	}
	for _, d := range desks {
		if code != "" && d.Code != code {
			continue
		}
		fmt.Fprintf(env.stdout, "%s  %q  pattern %s  addresses %s\n", d.Code, d.Name, d.Pattern, strings.Join(d.Addresses, ","))
		for _, b := range d.Mailboxes {
			h := health[b.ID]
			fmt.Fprintf(env.stdout, "  mailbox %s  imap %s %s user %s folder %s after %s  stored %d lag %d last ok %s",
				b.ID, b.Server.Security, b.Server.Addr(), b.Server.User, b.Folder, b.After, h.Stored, h.Lag, h.LastSuccess.Format("2006-01-02 15:04:05"))
			if h.LastError != "" {
				fmt.Fprintf(env.stdout, "  last error %s: %s", h.LastErrorAt.Format("2006-01-02 15:04:05"), h.LastError)
			}
			fmt.Fprintln(env.stdout)
		}
		if d.SMTP != nil {
			fmt.Fprintf(env.stdout, "  smtp %s %s user %s\n", d.SMTP.Security, d.SMTP.Addr(), d.SMTP.User)
		}
	}
	return nil
}
