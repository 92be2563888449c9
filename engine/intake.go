package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/extract"
	"searchdesk/engine/mime"
	"searchdesk/engine/subject"
)

// Inbound is one message arriving at a desk.
type Inbound struct {
	Desk    string // desk code; "" means the default desk
	Raw     []byte // the message as received, stored verbatim
	Source  string // where it came from, e.g. "import:archive.mbox#12"
	Channel string // ticket source for a new ticket: email, import, form, ...
	// Received is when the desk got the message; zero means now, or for
	// imports (Channel "import") the message's Date when it is plausible.
	Received time.Time
	// Truncated says Raw is only the start of a larger message.
	Truncated bool
	// NoSync skips the fsync: the caller calls Store.Sync before it
	// acknowledges the message (group commit for bulk import).
	NoSync bool
	// IMAP names the mailbox message this is; the same one is stored
	// once, whatever happens between fetching and flagging it.
	IMAP *IMAPRef
	// NoParse stores the message raw without parsing it, flagged
	// quarantined with Problem: a poison message that failed before (REL-07).
	NoParse bool
	Problem string
	// Change, when not nil, is applied by Actor to the ticket the message
	// opens or joins, in the same transaction: a ticket opened through the
	// API with its first fields is stored whole or not at all.
	Change *Change
	Actor  string
}

// IMAPRef identifies a message in an IMAP folder (RFC 3501 2.3.1.1).
type IMAPRef struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
}

// Intake outcomes.
const (
	OutcomeStored    = "stored"
	OutcomeDuplicate = "duplicate"
)

// IntakeResult says what Intake did with a message.
type IntakeResult struct {
	Outcome      string
	MessageID    string // our id of the stored message (or of the one it duplicates)
	TicketID     string
	TicketNumber string
	NewTicket    bool
	Reason       Reason
	Flags        []string
}

// draft is a parsed inbound message on its way into the store.
type draft struct {
	in       Inbound
	pm       *mime.Message
	msg      Message
	sender   string // the one From address that identifies the sender; "" if none
	multiple bool   // more than one From address (MAIL-09)
	norm     string // normalized subject
	chash    string // content hash, for messages without Message-ID
	atts     []mime.Attachment
	texts    []attText // the searchable text of each attachment
	id       string    // our id for the message, fixed before any write
	size     int       // raw plus decoded attachment bytes
}

// Intake stores one inbound message: raw bytes, message, ticket, contact,
// audit and feed entry in one transaction, threaded by docs/architecture.md's rules.
// A message that cannot be parsed is stored raw, flagged parse-error.
func (s *Store) Intake(ctx context.Context, in Inbound) (IntakeResult, error) {
	if in.Change != nil {
		c := *in.Change
		if err := c.normalize(); err != nil {
			return IntakeResult{}, err
		}
		in.Change = &c
	}
	d := s.prepare(ctx, in)
	if s.preStored(d) {
		if err := s.preStore(d); err != nil {
			return IntakeResult{}, err
		}
	}
	var res IntakeResult
	err := s.write(ctx, func(txn *badger.Txn, w *writeCtx) error {
		var err error
		res, err = s.intakeTxn(txn, w, d)
		return err
	})
	if err != nil {
		return IntakeResult{}, fmt.Errorf("engine: intake %s: %w", in.Source, err)
	}
	if !in.NoSync {
		if err := s.Sync(); err != nil {
			return IntakeResult{}, err
		}
	}
	return res, nil
}

// parseSafely runs the MIME parser, turning a panic into an error (REL-07).
func parseSafely(raw []byte) (pm *mime.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			pm, err = nil, fmt.Errorf("engine: mime parser panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return mime.Parse(raw, mime.DefaultLimits())
}

func (s *Store) prepare(ctx context.Context, in Inbound) *draft {
	d := &draft{in: in, id: s.newID(), size: len(in.Raw)}
	now := s.opts.Now().UTC()
	var pm *mime.Message
	var err error
	if in.NoParse {
		err = fmt.Errorf("engine: not parsed: %s", in.Problem)
	} else {
		pm, err = parseSafely(in.Raw)
	}
	m := &d.msg
	m.Kind = KindEmailIn
	m.Source = in.Source
	m.RawSize = len(in.Raw)
	if in.NoParse {
		m.Flags = append(m.Flags, FlagQuarantined)
	}
	if err != nil || pm == nil {
		m.Flags = append(m.Flags, FlagParseError)
		m.Problems = append(m.Problems, errString(err))
		if pm == nil {
			pm = &mime.Message{}
		}
	}
	if in.Truncated || len(in.Raw) > s.opts.MaxRawBytes {
		m.Flags = append(m.Flags, FlagQuarantined)
	}
	d.pm = pm
	m.MessageID = pm.MessageID
	m.InReplyTo = pm.InReplyTo
	m.References = pm.References
	m.Subject = pm.Subject
	m.Date = pm.Date
	m.DateRaw = pm.DateRaw
	m.Text = pm.Text
	m.HTML = pm.HTML
	m.Problems = append(m.Problems, pm.Problems...)
	m.To = addrs(pm.To)
	m.Cc = addrs(pm.Cc)
	from := addrs(pm.From)
	if len(from) == 0 && pm.Sender != nil {
		from = addrs([]mime.Address{*pm.Sender})
	}
	if len(from) > 0 {
		m.From = from[0]
		d.sender = from[0].Addr
	}
	d.multiple = len(from) > 1
	a := pm.Auto
	m.Automatic = a.AutoSubmitted != "" || a.Precedence != "" || a.ListID != "" || a.AutoReply || a.NullSender || pm.Report != nil
	m.Received = receivedTime(in, pm, now)
	d.norm = subject.Normalize(pm.Subject)
	d.atts = pm.Attachments
	d.texts = s.attachmentTexts(ctx, pm.Attachments)
	var ah [][]byte
	for _, at := range pm.Attachments {
		ah = append(ah, []byte(contentHash(at.Data)))
		d.size += len(at.Data)
	}
	body := mime.NormalizeBody(pm.Text) + "\x00" + mime.NormalizeBody(pm.HTML)
	if strings.TrimSpace(pm.Text) == "" && pm.HTML == "" && len(ah) == 0 {
		body = mime.NormalizeBody(string(rawBody(in.Raw)))
	}
	m.BodyHash = hashHex(append([][]byte{[]byte(body)}, ah...)...)
	if m.MessageID == "" {
		d.chash = contentHash([]byte(normalizedContent(in.Raw)))
	}
	return d
}

func errString(err error) string {
	if err == nil {
		return "unreadable message"
	}
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// rawBody returns what follows the header block.
func rawBody(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[i+4:]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[i+2:]
	}
	return nil
}

// receivedTime is the message's arrival time. Imported mail arrived when
// its Date says, if that is plausible (REL-12: never trust a future or
// ancient date).
func receivedTime(in Inbound, pm *mime.Message, now time.Time) time.Time {
	if !in.Received.IsZero() {
		return in.Received.UTC()
	}
	if in.Channel == "import" && !pm.Date.IsZero() {
		t := pm.Date.UTC()
		if t.Year() >= 1980 && t.Before(now.Add(48*time.Hour)) {
			return t
		}
	}
	return now
}

func addrs(in []mime.Address) []Address {
	var out []Address
	for _, a := range in {
		if n := normAddr(a.Addr); n != "" {
			out = append(out, Address{Name: a.Name, Addr: n})
		}
	}
	return out
}

// normalizedContent is what identifies a message without Message-ID
// (REL-13): the whole message with line endings and trailing space
// normalized and the trace fields a second delivery path adds
// (Received, Return-Path, Delivered-To, X-Original-To) left out. Two mails
// that differ anywhere else, even only in their bodies, are both kept.
func normalizedContent(raw []byte) string {
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	var b strings.Builder
	skip := false
	for _, line := range strings.Split(head, "\n") {
		if line != "" && (line[0] == ' ' || line[0] == '\t') {
			if !skip {
				b.WriteString(strings.TrimRight(line, " \t") + "\n")
			}
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "received", "return-path", "delivered-to", "x-original-to":
			skip = true
		default:
			skip = false
			b.WriteString(strings.TrimRight(line, " \t") + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(mime.NormalizeBody(body))
	return b.String()
}

// attText is what extraction made of one attachment.
type attText struct {
	kind, text, err string
}

// Caps of attachment text extraction: the text kept per message, the
// time for one file, and the time for all files of one message, so that a
// message of many slow files is bounded too (invariant 8).
const (
	maxAttachmentText  = 4 << 20
	attachmentTextTime = 5 * time.Second
	messageTextTime    = 30 * time.Second
)

// errMessageTextTime is why files are left unread once a message's
// extraction time is spent.
var errMessageTextTime = errors.New("the message's attachment time limit is reached")

// attachmentTexts extracts the searchable text of attachments before the
// write transaction, so slow files never hold the writer lock, through the
// store's Extractor and within the deadlines above. A file that cannot be
// read keeps its error for admins; the message is stored anyway. A file
// whose text is already stored (the same content arrived before, or the
// archive is imported again) is not extracted again.
func (s *Store) attachmentTexts(ctx context.Context, atts []mime.Attachment) []attText {
	out := make([]attText, len(atts))
	budget := maxAttachmentText
	ctx, cancel := context.WithTimeoutCause(ctx, messageTextTime, errMessageTextTime)
	defer cancel()
	for i, a := range atts {
		if kind := s.storedTextKind(contentHash(a.Data)); kind != "" {
			out[i].kind = kind
			continue
		}
		if budget <= 0 {
			out[i].err = "not extracted: the message's attachment text limit is reached"
			continue
		}
		if ctx.Err() != nil {
			out[i].err = "not extracted: " + context.Cause(ctx).Error()
			continue
		}
		text, kind, err := s.opts.Extractor.Text(ctx, a.Name, a.ContentType, a.Data,
			extract.Limits{MaxOutput: min(budget, 1<<20), Timeout: attachmentTextTime})
		out[i] = attText{kind: kind, text: text}
		if err != nil {
			out[i].err = err.Error()
		}
		budget -= len(text)
	}
	return out
}

// storedTextKind returns the kind of the text stored for an attachment
// hash, or "" when none is.
func (s *Store) storedTextKind(h string) string {
	var kind string
	s.db.View(func(txn *badger.Txn) error {
		v, err := getRaw(txn, key(pAText, h))
		if err == nil {
			kind, _, _ = strings.Cut(string(v), "\n")
		}
		return nil
	})
	return kind
}
