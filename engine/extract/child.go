package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrCrashed: the child process died before it answered (a fatal error of
// the Go runtime such as a stack overflow or running out of memory, a
// signal, a non-zero exit, or a reply it could not finish).
var ErrCrashed = errors.New("extractor crashed")

// Child is the Extractor that runs each extraction in a child process of
// its own: Path run with Args, which must call ServeChild (for
// searchdesk, its own executable with the word "extract"). The child caps
// its own address space, heap and stack before it reads the file; the
// parent kills it at the deadline (Limits.Timeout, or the context's
// deadline if sooner), reads back at most Limits.MaxOutput bytes of text,
// and turns every way the child can fail into an error that says why. So
// a file that crashes or hangs the PDF library costs its own text, never
// the caller's process.
//
// Plain text (KindText) is decoded in the calling process: it has no
// structure to parse, only a charset to decode, and it is most of what
// mail attaches (380 of the 415 extractable attachments of the shared test
// corpus), while a child of searchdesk costs about 11 ms (see
// BenchmarkExtractChild in cmd/searchdesk). HTML, DOCX and PDF go to the
// child.
//
// A Child must not be copied after first use.
type Child struct {
	Path string   // the executable
	Args []string // arguments that make it the child; ServeChild's flags are added
	// Env is the child's whole environment. It needs none, so it gets
	// none by default and sees nothing of the parent's (keys, passwords).
	Env []string
	// Memory is the address space the child may add to what it holds at
	// start, and about its heap (default DefaultMemory).
	Memory int64
	// Parallel bounds the children running at once (default GOMAXPROCS);
	// callers beyond it wait, within their context.
	Parallel int

	once  sync.Once
	slots chan struct{}
}

// Defaults of Child and the child's own caps.
const (
	DefaultMemory  = 512 << 20
	childMaxStack  = 16 << 20 // bytes of one goroutine's stack: a runaway recursion dies in milliseconds
	maxReplyHeader = 16 << 10 // the reply's header line
	maxChildStderr = 8 << 10  // what is kept of the child's stderr, to say why it died
	// waitDelay bounds how long Wait waits for the child's pipes once it
	// exits or is killed; the child's own timeout falls that much after
	// the parent's deadline, so the kill is what ends a slow file.
	waitDelay = time.Second
)

// Text extracts data's text in a child process. Data with no kind to
// extract (see Text) is answered here without one, and plain text is
// decoded here.
func (c *Child) Text(ctx context.Context, name, contentType string, data []byte, lim Limits) (string, string, error) {
	lim = lim.withDefaults()
	kind, _ := detect(name, contentType, data)
	switch kind {
	case "":
		return "", "", nil
	case KindText:
		return Text(ctx, name, contentType, data, lim)
	}
	if err := c.acquire(ctx); err != nil {
		return "", kind, fmt.Errorf("extract: %s: waiting for a free extractor: %w", kind, err)
	}
	defer c.release()
	req := request{Name: name, ContentType: contentType, MaxInput: lim.MaxInput, MaxOutput: lim.MaxOutput,
		TimeoutMS: (lim.Timeout + waitDelay).Milliseconds(), Size: len(data)}
	rep, text, err := c.run(ctx, req, data, lim)
	if err != nil {
		return "", kind, fmt.Errorf("extract: %s: %w", kind, err)
	}
	if rep.Error != "" {
		return "", rep.Kind, &childError{msg: rep.Error, cause: causeErr(rep.Cause)}
	}
	return text, rep.Kind, nil
}

func (c *Child) acquire(ctx context.Context) error {
	c.once.Do(func() {
		n := c.Parallel
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		c.slots = make(chan struct{}, n)
	})
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Child) release() { <-c.slots }

func (c *Child) memory() int64 {
	if c.Memory > 0 {
		return c.Memory
	}
	return DefaultMemory
}

// run starts the child, hands it the request and the bytes, and reads its
// reply, killing it at the deadline or as soon as it writes more than a
// reply can hold.
func (c *Child) run(ctx context.Context, req request, data []byte, lim Limits) (reply, string, error) {
	caller := ctx
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	head, err := json.Marshal(req)
	if err != nil {
		return reply{}, "", err
	}
	args := append(slices.Clone(c.Args), "-memory="+strconv.FormatInt(c.memory(), 10))
	cmd := exec.CommandContext(ctx, c.Path, args...)
	cmd.Env = append([]string{}, c.Env...)
	cmd.Stdin = io.MultiReader(bytes.NewReader(append(head, '\n')), bytes.NewReader(data))
	stderr := &headBuffer{max: maxChildStderr}
	cmd.Stderr = stderr
	cmd.WaitDelay = waitDelay
	out, err := cmd.StdoutPipe()
	if err != nil {
		return reply{}, "", err
	}
	if err := cmd.Start(); err != nil {
		return reply{}, "", fmt.Errorf("start the extractor: %w", err)
	}
	limit := int64(maxReplyHeader + lim.MaxOutput)
	b, readErr := io.ReadAll(io.LimitReader(out, limit+1))
	over := int64(len(b)) > limit
	if over {
		cancel() // the child is killed; what it wrote is not read
	}
	waitErr := cmd.Wait()
	switch {
	case over:
		return reply{}, "", fmt.Errorf("%w: the extractor wrote more than %d bytes", ErrTooLarge, limit)
	case waitErr == nil && readErr == nil:
		rep, text, err := parseReply(b, lim.MaxOutput)
		if err != nil {
			return reply{}, "", fmt.Errorf("%w: %v", ErrCrashed, err)
		}
		return rep, text, nil
	case caller.Err() != nil:
		return reply{}, "", fmt.Errorf("stopped: %w", caller.Err())
	case ctx.Err() != nil:
		return reply{}, "", fmt.Errorf("%w: took longer than %v", ErrTimeout, lim.Timeout)
	case waitErr == nil:
		waitErr = readErr
	}
	return reply{}, "", fmt.Errorf("%w: %s", ErrCrashed, crashReason(string(stderr.b), waitErr))
}

// parseReply splits the child's reply into its header and text, refusing
// text over maxOutput or not as long as the header says.
func parseReply(b []byte, maxOutput int) (reply, string, error) {
	line, text, ok := bytes.Cut(b, []byte("\n"))
	if !ok || len(line) > maxReplyHeader {
		return reply{}, "", errors.New("no reply header")
	}
	var rep reply
	if err := json.Unmarshal(line, &rep); err != nil {
		return reply{}, "", fmt.Errorf("reply header: %v", err)
	}
	if rep.Size != len(text) {
		return reply{}, "", fmt.Errorf("reply of %d bytes of text, header says %d", len(text), rep.Size)
	}
	if len(text) > maxOutput || !utf8.Valid(text) {
		return reply{}, "", fmt.Errorf("reply text of %d bytes is over the limit of %d or not UTF-8", len(text), maxOutput)
	}
	return rep, string(text), nil
}

// crashReason says why the child died: the runtime's "fatal error:" or
// "panic:" line when it printed one (else its first line), and how it
// ended (exit status, signal).
func crashReason(stderr string, err error) string {
	why := ""
	for line := range strings.Lines(stderr) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "fatal error: ") || strings.HasPrefix(line, "panic: ") {
			why = line
			break
		}
		if why == "" {
			why = line
		}
	}
	if why == "" {
		return err.Error()
	}
	return fmt.Sprintf("%s (%v)", truncate(why, 300), err)
}

// headBuffer keeps the first max bytes written to it and drops the rest,
// so a child cannot grow the parent's memory through its stderr.
type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// childError is an error the child reported: its message, and the
// sentinel it wrapped there, so errors.Is works across the process.
type childError struct {
	msg   string
	cause error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.cause }
