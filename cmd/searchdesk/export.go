package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
)

func runExport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "export")
	data := fs.String("data", "", "data directory")
	format := fs.String("format", "jsonl", "jsonl")
	out := fs.String("o", "", "write to FILE instead of standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "jsonl" {
		return fmt.Errorf("%w: --format %q: only jsonl exports the whole store (csv comes with --query)", errUsage, *format)
	}
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
		w = f
	}
	bw := bufio.NewWriter(w)
	if err := st.ExportJSONL(ctx, bw); err != nil {
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
