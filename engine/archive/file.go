package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strconv"
)

// kind is what a file holds, decided from its first bytes.
type kind int

const (
	kindNone    kind = iota // not mail
	kindMessage             // one RFC 5322 message
	kindMbox                // an mbox: From_ line, message, From_ line, ...
)

// classify decides what a stream holds from head, its first bytes.
func classify(head []byte) kind {
	line := head
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line = head[:i+1]
	}
	if isSeparator(line) {
		return kindMbox
	}
	if !LooksLikeMail(head) {
		return kindNone
	}
	if bytes.HasPrefix(head, []byte("From ")) {
		// A "From user@host" envelope line without a date, then a message:
		// an mbox of one message.
		return kindMbox
	}
	return kindMessage
}

// isGzip reports whether head starts with the gzip magic and the deflate
// method (RFC 1952 2.3.1).
func isGzip(head []byte) bool {
	return len(head) >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8
}

// readFile reads one regular file and yields its messages. I/O errors are
// reported through w.fail; the returned error stops the walk.
func (w *walker) readFile(path string) error {
	w.stats.Files++
	f, err := os.Open(path)
	if err != nil {
		w.fail(path, fmt.Errorf("archive: %w", err))
		return nil
	}
	defer func() {
		// Read only: a Close error cannot lose data.
		_ = f.Close()
		w.file.Reset(nil)
		w.body.Reset(nil)
	}()
	w.file.Reset(f)
	magic, err := w.file.Peek(3)
	if err != nil && err != io.EOF {
		w.fail(path, fmt.Errorf("archive: read: %w", err))
		return nil
	}
	if !isGzip(magic) {
		return w.readStream(path, w.file, "read")
	}
	if w.gz == nil {
		w.gz, err = gzip.NewReader(w.file)
	} else {
		err = w.gz.Reset(w.file)
	}
	if err != nil {
		w.fail(path, fmt.Errorf("archive: gunzip: %w", err))
		return nil
	}
	w.body.Reset(w.gz)
	return w.readStream(path, w.body, "gunzip")
}

// readStream classifies the (decompressed) stream br and yields its
// messages. op names the reading step in error messages.
func (w *walker) readStream(path string, br *bufio.Reader, op string) error {
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF {
		w.fail(path, fmt.Errorf("archive: %s: %w", op, err))
		return nil
	}
	switch classify(head) {
	case kindMessage:
		return w.readMessage(path, br, op)
	case kindMbox:
		return w.readMbox(path, br, op)
	}
	w.stats.Skipped++
	return nil
}

// readMessage yields the whole stream as one message.
func (w *walker) readMessage(path string, br *bufio.Reader, op string) error {
	raw, err := io.ReadAll(io.LimitReader(br, w.limit+1))
	if err != nil {
		w.fail(path, fmt.Errorf("archive: %s: %w", op, err))
		return nil
	}
	truncated := int64(len(raw)) > w.limit
	if truncated {
		raw = raw[:w.limit]
	}
	if cap(raw)-len(raw) > len(raw)/4 {
		raw = bytes.Clone(raw) // don't hand the caller ReadAll's spare room
	}
	return w.yield(Item{Source: path, Raw: raw, Truncated: truncated})
}

// readMbox yields the messages of the mbox stream br, whose first line is a
// From line. Messages are numbered "#N" when there are two or more.
func (w *walker) readMbox(path string, br *bufio.Reader, op string) error {
	m := newMboxReader(br, w.limit, w.mbuf)
	defer func() { w.mbuf = m.buf[:0] }()
	if err := m.skipLine(); err != nil {
		w.fail(path, fmt.Errorf("archive: %s: %w", op, err))
		return nil
	}
	for n := 1; ; n++ {
		raw, truncated, more, err := m.next()
		if err != nil {
			// The message being read is incomplete: it is not yielded.
			w.fail(path, fmt.Errorf("archive: %s: message %d: %w", op, n, err))
			return nil
		}
		src := path
		if n > 1 || more {
			src = path + "#" + strconv.Itoa(n)
		}
		if err := w.yield(Item{Source: src, Raw: raw, Truncated: truncated}); err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

// yield passes it to the callback, unless ctx is done.
func (w *walker) yield(it Item) error {
	if err := w.checkCtx(); err != nil {
		return err
	}
	w.stats.Messages++
	return w.fn(it)
}
