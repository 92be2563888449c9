package extract

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"time"
)

// The child's protocol, on its stdin and stdout. The parent writes one
// line of JSON, a request, then exactly request.Size bytes of the file.
// The child answers with one line of JSON, a reply, then exactly
// reply.Size bytes of text, and exits 0. Anything else (no reply, a short
// one, an exit status, a signal) is a crash.

// request is the header the parent writes before the file's bytes.
type request struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	MaxInput    int    `json:"max_input"`
	MaxOutput   int    `json:"max_output"`
	// TimeoutMS is the child's own timeout, a little past the parent's
	// deadline, so that the parent's kill is what ends a slow file.
	TimeoutMS int64 `json:"timeout_ms"`
	Size      int   `json:"size"`
}

// reply is the header the child writes before the text.
type reply struct {
	Kind  string `json:"kind"`
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"` // the sentinel Error wraps; see causeName
	Size  int    `json:"size"`
}

// Caps of the child's side of the protocol.
const (
	maxRequestHeader = 64 << 10
	maxReplyError    = 2 << 10
)

// ServeChild is the child process of Child: it caps its own stack, heap
// and address space (args may set -memory, in bytes; Child passes it),
// then reads one request from r, extracts the file's text with Text and
// writes the reply to w. It returns an error only when the request cannot
// be read or the reply cannot be written; the caller then exits non-zero.
func ServeChild(args []string, r io.Reader, w io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	memory := fs.Int64("memory", DefaultMemory, "address space in bytes the child may add to what it holds at start")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("extract: child: %w", err)
	}
	if *memory <= 0 {
		return errors.New("extract: child: -memory must be positive")
	}
	if err := confine(*memory); err != nil {
		return err
	}
	req, data, err := readRequest(r, *memory)
	if err != nil {
		return err
	}
	lim := Limits{MaxInput: req.MaxInput, MaxOutput: req.MaxOutput, Timeout: time.Duration(req.TimeoutMS) * time.Millisecond}
	text, kind, err := Text(context.Background(), req.Name, req.ContentType, data, lim)
	return writeReply(w, kind, text, err)
}

// confine lowers the child's limits before it reads anything of the file:
// a goroutine's stack (a runaway recursion is a fatal error in
// milliseconds instead of a gigabyte later), the heap the garbage
// collector aims at, and the address space (see limitAddressSpace).
func confine(memory int64) error {
	debug.SetMaxStack(childMaxStack)
	debug.SetMemoryLimit(memory - memory/4)
	if err := limitAddressSpace(uint64(memory)); err != nil {
		return fmt.Errorf("extract: child: limit address space: %w", err)
	}
	return nil
}

// readRequest reads the request header and the file's bytes, which must
// fit in memory.
func readRequest(r io.Reader, memory int64) (request, []byte, error) {
	br := bufio.NewReader(io.LimitReader(r, maxRequestHeader))
	line, err := br.ReadBytes('\n')
	if err != nil {
		return request{}, nil, fmt.Errorf("extract: child: request header: %w", err)
	}
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return request{}, nil, fmt.Errorf("extract: child: request header: %w", err)
	}
	if req.Size < 0 || int64(req.Size) > memory {
		return request{}, nil, fmt.Errorf("extract: child: request of %d bytes", req.Size)
	}
	data := make([]byte, req.Size)
	if _, err := io.ReadFull(io.MultiReader(br, r), data); err != nil {
		return request{}, nil, fmt.Errorf("extract: child: request data: %w", err)
	}
	return req, data, nil
}

// writeReply writes the reply header and the text.
func writeReply(w io.Writer, kind, text string, err error) error {
	rep := reply{Kind: kind, Size: len(text)}
	if err != nil {
		rep.Error, rep.Cause, rep.Size, text = truncate(err.Error(), maxReplyError), causeName(err), 0, ""
	}
	head, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("extract: child: reply: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.Write(head)
	bw.WriteByte('\n')
	bw.WriteString(text)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("extract: child: reply: %w", err)
	}
	return nil
}

// causeName names the sentinel err wraps, for the reply; causeErr is its
// inverse in the parent.
func causeName(err error) string {
	switch {
	case errors.Is(err, ErrMalformed):
		return "malformed"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrEncrypted):
		return "encrypted"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, errInternal):
		return "internal"
	}
	return ""
}

func causeErr(name string) error {
	switch name {
	case "malformed":
		return ErrMalformed
	case "too_large":
		return ErrTooLarge
	case "encrypted":
		return ErrEncrypted
	case "timeout":
		return ErrTimeout
	case "internal":
		return errInternal
	}
	return nil
}
