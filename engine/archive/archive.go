// Package archive finds the mail messages in a set of files and directories.
//
// It reads .eml files, mbox files (mboxo and mboxrd, optionally gzip
// compressed) and Maildir folders, recursively. A file's kind is decided
// from its content, never from its name:
//
//   - gzip magic (1f 8b 08): the file is decompressed as a stream and the
//     decision below is made on the decompressed bytes (one level only).
//   - the first line is an mbox From_ separator ("From ", a sender that may
//     hold spaces, and a date such as "Thu Jan  1 00:00:00 1970", optionally
//     with a zone): an mbox, split into messages at every From_ line. Body
//     lines that merely start with "From " do not split.
//   - the file starts like an RFC 5322 header block (LooksLikeMail): one
//     message. If its first line is a "From " envelope line without a date
//     (some tools write "From user@host"), the file is read as an mbox too:
//     a single From line followed by one message is an mbox of one message.
//   - anything else is not mail and is counted as skipped.
//
// Maildir folders (a directory with cur/, new/ and tmp/) are read from cur/
// and new/ only; tmp/ holds deliveries in progress and is never read.
// The files in cur/ and new/ are judged by content like any other file.
// Names starting with "." are ignored while walking (this includes the
// ".Folder" subfolders of Maildir++), and so are symbolic links to
// directories (they could make loops); symbolic links to files are read.
// Paths named by the caller are always read, whatever their name.
//
// The package only reads; the caller stores each Item. Memory does not grow
// with the size of an mbox: one message is held at a time, and no message
// holds more than Options.MaxMessageBytes.
package archive

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMaxMessageBytes is the message size limit used when
// Options.MaxMessageBytes is zero or negative.
const DefaultMaxMessageBytes = 64 << 20

// maxLimit bounds Options.MaxMessageBytes so that size arithmetic cannot
// overflow.
const maxLimit = 1 << 50

// headSize is how much of a file is looked at to decide its kind. It is also
// the size of the read buffers, so a From_ separator longer than this is not
// recognised.
const headSize = 64 << 10

// Item is one message found in an archive.
type Item struct {
	// Source is where the message came from: the file path, plus "#N"
	// (1-based) for the N-th message of an mbox that holds two or more
	// messages. A file holding a single message, with or without a From_
	// line, has the bare path.
	Source string
	// Raw is the message bytes exactly as stored (mbox: From_ line removed,
	// ">From " unescaped per the format; line endings untouched). Raw is a
	// fresh slice for every Item and may be kept by the callback.
	Raw []byte
	// Truncated is true when the message was longer than
	// Options.MaxMessageBytes and Raw holds only its first bytes.
	Truncated bool
}

// Stats counts what Walk saw.
type Stats struct {
	Files    int // regular files looked at
	Messages int // items yielded
	Skipped  int // files that are not mail (not counted in Messages)
	Failed   int // files or messages that could not be read (I/O errors); each also reported through the error callback
}

// Options tunes Walk.
type Options struct {
	// MaxMessageBytes is the size limit of one message: a message larger
	// than this is still yielded but truncated to this size with
	// Item.Truncated=true (default DefaultMaxMessageBytes, 64 MiB).
	MaxMessageBytes int64
}

// limit returns the effective message size limit.
func (o Options) limit() int64 {
	switch {
	case o.MaxMessageBytes <= 0:
		return DefaultMaxMessageBytes
	case o.MaxMessageBytes > maxLimit:
		return maxLimit
	}
	return o.MaxMessageBytes
}

// Walk reads every path (file or directory, recursively, in lexical order so
// runs are repeatable) and calls fn for every message in order.
// If fn returns an error Walk stops and returns it. I/O errors on a file are
// passed to onErr (path, err) and counted as Failed, and the walk continues.
// It checks ctx between messages. It streams: memory must not grow with the
// size of an mbox (one message at a time).
//
// Paths are read in the order given; the entries of a directory in lexical
// order. onErr may be nil. A file that fails part way (a truncated .gz, a
// read error) is counted once in Failed; the messages read completely before
// the error have been yielded, the one being read when it happened is not.
// An unreadable directory is counted in Failed too. If ctx is done, Walk
// returns an error wrapping ctx.Err().
func Walk(ctx context.Context, paths []string, opt Options, fn func(Item) error, onErr func(path string, err error)) (Stats, error) {
	w := &walker{
		ctx:   ctx,
		limit: opt.limit(),
		fn:    fn,
		onErr: onErr,
		file:  bufio.NewReaderSize(nil, headSize),
		body:  bufio.NewReaderSize(nil, headSize),
	}
	for _, p := range paths {
		if err := w.walkPath(p); err != nil {
			return w.stats, err
		}
	}
	return w.stats, nil
}

// walker holds the state of one Walk call.
type walker struct {
	ctx   context.Context
	limit int64
	fn    func(Item) error
	onErr func(path string, err error)
	stats Stats

	// Buffers reused from file to file: file reads the file itself, body
	// the decompressed stream of a gzip file.
	file *bufio.Reader
	body *bufio.Reader
	gz   *gzip.Reader
	mbuf []byte // scratch space of the mbox reader
}

// fail reports an I/O error on path and counts it.
func (w *walker) fail(path string, err error) {
	w.stats.Failed++
	if w.onErr != nil {
		w.onErr(path, err)
	}
}

// checkCtx returns a wrapped context error once ctx is done.
func (w *walker) checkCtx() error {
	if err := w.ctx.Err(); err != nil {
		return fmt.Errorf("archive: walk: %w", err)
	}
	return nil
}

// walkPath reads a path named by the caller. It follows symbolic links,
// since the caller asked for this path by name.
func (w *walker) walkPath(p string) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	fi, err := os.Stat(p)
	if err != nil {
		w.fail(p, fmt.Errorf("archive: %w", err))
		return nil
	}
	switch {
	case fi.IsDir():
		return w.walkDir(p)
	case fi.Mode().IsRegular():
		return w.readFile(p)
	}
	return nil // devices, pipes and sockets are not archives
}

// walkDir reads the entries of dir in lexical order.
func (w *walker) walkDir(dir string) error {
	ents, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		// ReadDir may return the entries read before the error: use them.
		w.fail(dir, fmt.Errorf("archive: %w", err))
	}
	if isMaildir(ents) {
		// Maildir: deliveries in progress sit in tmp/ and are never read.
		for _, sub := range []string{"cur", "new"} {
			if err := w.walkDir(filepath.Join(dir, sub)); err != nil {
				return err
			}
		}
		return w.walkMaildirFolders(dir, ents)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := w.checkCtx(); err != nil {
			return err
		}
		if err := w.walkEntry(filepath.Join(dir, e.Name()), e); err != nil {
			return err
		}
	}
	return nil
}

// walkMaildirFolders reads Maildir++ subfolders (".Sent", ".Archive.2020"):
// dot-directories of a Maildir that are Maildirs themselves. Other
// dot-entries are ignored.
func (w *walker) walkMaildirFolders(dir string, ents []os.DirEntry) error {
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || len(name) < 2 || name[0] != '.' || name == ".." {
			continue
		}
		p := filepath.Join(dir, name)
		sub, err := os.ReadDir(p)
		if err != nil {
			w.fail(p, fmt.Errorf("archive: %w", err))
			continue
		}
		if isMaildir(sub) {
			if err := w.walkDir(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkEntry reads one directory entry found while walking.
func (w *walker) walkEntry(p string, e os.DirEntry) error {
	t := e.Type()
	switch {
	case t.IsDir():
		return w.walkDir(p)
	case t.IsRegular():
		return w.readFile(p)
	case t&os.ModeSymlink != 0:
		fi, err := os.Stat(p)
		if err != nil {
			w.fail(p, fmt.Errorf("archive: %w", err))
			return nil
		}
		// A link to a directory is not followed: it could make a loop.
		if fi.Mode().IsRegular() {
			return w.readFile(p)
		}
	}
	return nil
}

// isMaildir reports whether a directory holding ents is a Maildir: it has
// cur, new and tmp subdirectories.
func isMaildir(ents []os.DirEntry) bool {
	n := 0
	for _, e := range ents {
		switch e.Name() {
		case "cur", "new", "tmp":
			if e.IsDir() {
				n++
			}
		}
	}
	return n == 3
}
