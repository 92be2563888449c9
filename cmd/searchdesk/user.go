package main

import (
	"context"
	"fmt"

	"searchdesk/engine"
)

func runUser(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: searchdesk user add --email EMAIL --role admin|operator|agent [--desk CODE]", errUsage)
	}
	fs := newFlags(env, "user add")
	data := fs.String("data", "", "data directory")
	email := fs.String("email", "", "the user's address")
	name := fs.String("name", "", "the user's name")
	role := fs.String("role", "", "admin, operator or agent")
	desk := fs.String("desk", "", "desk code the user works on")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" || *role == "" {
		return fmt.Errorf("%w: --email and --role are required", errUsage)
	}
	st, closeStore, err := openStoreDir(env, *data)
	if err != nil {
		return err
	}
	defer closeStore()
	u := engine.User{Email: *email, Name: *name, Role: *role}
	if *desk != "" {
		d, err := st.DeskByCode(ctx, *desk)
		if err != nil {
			return err
		}
		u.Desks = []string{d.ID}
	}
	u, err = st.AddUser(ctx, u)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "user %s (%s) added\n", u.Email, u.Role)
	return st.Sync()
}
