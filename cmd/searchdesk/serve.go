package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	nethttp "net/http"
	"time"

	"searchdesk/engine/mail"
	sdhttp "searchdesk/http"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "serve")
	addr := fs.String("addr", "", "listen address (default $SEARCHDESK_ADDR, else 127.0.0.1:8080)")
	data := fs.String("data", "", "data directory")
	demo := fs.Bool("demo", false, "load demo tickets into an empty data directory")
	mailOn := fs.Bool("mail", true, "poll the desks' mailboxes and send the outbox")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *addr == "" {
		*addr = env.getenv("SEARCHDESK_ADDR")
	}
	if *addr == "" {
		*addr = "127.0.0.1:8080"
	}
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	if *demo {
		n, err := loadDemo(ctx, st)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if n > 0 {
			env.log.Info("demo data loaded", "messages", n)
		}
	} else if _, err := st.EnsureDesk(ctx, ""); err != nil {
		return err
	}
	idx, err := openIndex(ctx, env, *data, st)
	if err != nil {
		return err
	}
	defer func() {
		if err := idx.Close(); err != nil {
			env.log.Error("close index", "err", err)
		}
	}()
	followCtx, stopFollow := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		_ = idx.Run(followCtx)
	}()
	defer func() {
		stopFollow()
		<-followed
	}()
	if *mailOn {
		mailCtx, stopMail := context.WithCancel(ctx)
		mailDone := make(chan struct{})
		go func() {
			defer close(mailDone)
			_ = (&mail.Manager{Store: st, Log: env.log}).Run(mailCtx)
		}()
		defer func() {
			stopMail()
			<-mailDone
		}()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &nethttp.Server{Handler: sdhttp.NewServer(st, idx, env.log).Handler(),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute}
	env.log.Info("listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shctx); err != nil && !errors.Is(err, nethttp.ErrServerClosed) {
		return err
	}
	env.log.Info("stopped")
	return nil
}
