package engine

import (
	"errors"
	"time"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrOpenTask: a ticket with an open task cannot close. It is also
	// ErrConflict.
	ErrOpenTask error = openTaskError{}
)

type openTaskError struct{}

func (openTaskError) Error() string        { return ErrConflict.Error() }
func (openTaskError) Is(target error) bool { return target == ErrConflict }

// Ticket statuses.
const (
	StatusOpen       = "open"
	StatusInProgress = "in_progress"
	StatusWaiting    = "waiting"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
)

// Message kinds.
const (
	KindEmailIn  = "email-in"
	KindReplyOut = "reply-out"
	KindNote     = "note"
	KindForm     = "form"
	KindPortal   = "portal"
	KindSystem   = "system"
)

// Message flags. They belong to messages, never to tickets.
const (
	FlagParseError       = "parse-error"
	FlagUnverifiedSender = "unverified-sender"
	FlagDuplicateID      = "duplicate-id"
	FlagQuarantined      = "quarantined"
)

// Thread rules, in the order docs/architecture.md lists them.
const (
	RuleDuplicate     = "duplicate"
	RuleOwnID         = "own-id"
	RuleInReplyTo     = "in-reply-to"
	RuleReferences    = "references"
	RuleReplyToken    = "reply-token"
	RuleSubjectNumber = "subject-number"
	RuleSubjectSender = "subject-sender"
	RuleNew           = "new"
	RuleForward       = "forward"
	RuleBounce        = "bounce"
	RuleFollowUp      = "follow-up"
	RuleMerge         = "merge"
	RuleSplit         = "split"
	RuleManual        = "manual"
)

// ThreadRules lists every rule a message's thread reason may name.
func ThreadRules() []string {
	return []string{RuleDuplicate, RuleOwnID, RuleInReplyTo, RuleReferences, RuleReplyToken,
		RuleSubjectNumber, RuleSubjectSender, RuleNew, RuleForward, RuleBounce, RuleFollowUp,
		RuleMerge, RuleSplit, RuleManual}
}

// Desk policies for replies to closed tickets and for non-participants.
const (
	ClosedReopen   = "reopen"
	ClosedFollowUp = "follow-up"

	UnverifiedAttach    = "attach"
	UnverifiedNewLinked = "new-linked"
)

// Desk is a queue that customers write to.
type Desk struct {
	ID              string   `json:"id"`
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	Addresses       []string `json:"addresses,omitempty"`
	Pattern         string   `json:"pattern"`
	DefaultCategory string   `json:"default_category,omitempty"`
	DefaultPriority string   `json:"default_priority,omitempty"`
	DefaultType     string   `json:"default_type,omitempty"`
	TimeZone        string   `json:"time_zone,omitempty"`
	NeverCC         []string `json:"never_cc,omitempty"`
	// SubjectWindowDays bounds the subject-sender rule (default 14).
	SubjectWindowDays int `json:"subject_window_days,omitempty"`
	// ClosedPolicy says what a reply to a closed ticket does: reopen it,
	// or open a follow-up. ReopenGraceDays: after that many days since
	// closing, a follow-up is opened even under the reopen policy (0: never).
	ClosedPolicy    string `json:"closed_policy,omitempty"`
	ReopenGraceDays int    `json:"reopen_grace_days,omitempty"`
	// UnverifiedPolicy: a threaded message from a non-participant is attached
	// flagged (attach) or opens a ticket linked to the one it named.
	UnverifiedPolicy string `json:"unverified_policy,omitempty"`
	// AuthservID is the authserv-id of the desk's own MTA: only
	// Authentication-Results headers carrying it are believed.
	AuthservID string `json:"authserv_id,omitempty"`

	// Mail. Language picks the default templates (en, pl, cs); Templates
	// override them by kind. Hours are the working hours ("mon-fri
	// 09:00-17:00"; "" is always open) in TimeZone: outside them the
	// after-hours acknowledgement is sent.
	Language  string                  `json:"language,omitempty"`
	Templates map[string]MailTemplate `json:"templates,omitempty"`
	Hours     string                  `json:"hours,omitempty"`
	// NoAck turns acknowledgements off; NoResolvedMail the mail sent when
	// a ticket is resolved.
	NoAck          bool `json:"no_ack,omitempty"`
	NoResolvedMail bool `json:"no_resolved_mail,omitempty"`
	// AutoMailsPerHour caps automatic mail (acknowledgements) to one
	// address per hour (MAIL-04, MAIL-06); default 1, so two auto-responders
	// exchange at most one automatic mail each.
	AutoMailsPerHour int `json:"auto_mails_per_hour,omitempty"`
	// KeepStatusOnReply: a customer's reply leaves a waiting or resolved
	// ticket as it is instead of moving it back to open.
	KeepStatusOnReply bool      `json:"keep_status_on_reply,omitempty"`
	Mailboxes         []Mailbox `json:"mailboxes,omitempty"`
	SMTP              *Server   `json:"smtp,omitempty"`

	Secret  []byte    `json:"secret"`
	Created time.Time `json:"created"`
}

// MailTemplate is a desk's text for one kind of outgoing mail: a subject
// and a Markdown body with {{variables}}.
type MailTemplate struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Category groups tickets; it has a colour in the UI.
type Category struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Colour string `json:"colour"`
}

// TicketType carries SLA targets.
type TicketType struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	FirstResponseSLA time.Duration `json:"first_response_sla"`
	ResolutionSLA    time.Duration `json:"resolution_sla"`
}

// Links between tickets.
type Links struct {
	MergedInto string   `json:"merged_into,omitempty"`
	FollowUpOf string   `json:"follow_up_of,omitempty"`
	Related    []string `json:"related,omitempty"`
}

// Ticket is one conversation with a customer.
type Ticket struct {
	ID           string     `json:"id"`
	Number       string     `json:"number"`
	DeskID       string     `json:"desk_id"`
	Subject      string     `json:"subject"`
	Status       string     `json:"status"`
	Priority     string     `json:"priority"`
	CategoryID   string     `json:"category_id,omitempty"`
	TypeID       string     `json:"type_id,omitempty"`
	ContactID    string     `json:"contact_id,omitempty"`
	AccountID    string     `json:"account_id,omitempty"`
	AssigneeID   string     `json:"assignee_id,omitempty"`
	Watchers     []string   `json:"watchers,omitempty"`
	Participants []string   `json:"participants,omitempty"`
	Tags         []string   `json:"tags,omitempty"`
	Source       string     `json:"source"`
	Created      time.Time  `json:"created"`
	Updated      time.Time  `json:"updated"`
	FirstResp    *time.Time `json:"first_response,omitempty"`
	Resolved     *time.Time `json:"resolved,omitempty"`
	Closed       *time.Time `json:"closed,omitempty"`
	SLADue       *time.Time `json:"sla_due,omitempty"`
	SLAState     string     `json:"sla_state"`
	Links        Links      `json:"links"`
	Messages     int        `json:"messages"`
	// LastActivity is the receive time of the newest message; the
	// subject-sender window is measured from it.
	LastActivity time.Time `json:"last_activity"`
	Version      uint64    `json:"version"`
}

// Address is a mailbox with its display name.
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr"`
}

// Reason says why a message was threaded where it was.
type Reason struct {
	Rule    string `json:"rule"`
	Matched string `json:"matched"`
}

// AttachmentRef is an attachment of a message; bytes live once per hash.
type AttachmentRef struct {
	ID          string `json:"id"`
	Hash        string `json:"hash"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
	Size        int64  `json:"size"`
	Truncated   bool   `json:"truncated,omitempty"`
	TextKind    string `json:"text_kind,omitempty"`  // what its searchable text came from: text, html, pdf, docx
	TextError   string `json:"text_error,omitempty"` // why no text could be read from it
}

// Delivery records one more arrival of a message already stored.
type Delivery struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
}

// Message is one entry of a ticket's conversation.
type Message struct {
	ID           string          `json:"id"`
	TicketID     string          `json:"ticket_id"`
	DeskID       string          `json:"desk_id"`
	Kind         string          `json:"kind"`
	AuthorUserID string          `json:"author_user_id,omitempty"`
	ContactID    string          `json:"contact_id,omitempty"`
	MessageID    string          `json:"message_id,omitempty"`
	InReplyTo    []string        `json:"in_reply_to,omitempty"`
	References   []string        `json:"references,omitempty"`
	From         Address         `json:"from"`
	To           []Address       `json:"to,omitempty"`
	Cc           []Address       `json:"cc,omitempty"`
	Subject      string          `json:"subject"`
	Date         time.Time       `json:"date"`
	DateRaw      string          `json:"date_raw,omitempty"`
	Received     time.Time       `json:"received"`
	Text         string          `json:"text"`
	HTML         string          `json:"html,omitempty"`
	Attachments  []AttachmentRef `json:"attachments,omitempty"`
	Reason       Reason          `json:"thread_reason"`
	Flags        []string        `json:"flags,omitempty"`
	Problems     []string        `json:"problems,omitempty"`
	ForwardedBy  string          `json:"forwarded_by,omitempty"`
	Source       string          `json:"source,omitempty"`
	RawSize      int             `json:"raw_size"`
	BodyHash     string          `json:"body_hash"`
	Deliveries   []Delivery      `json:"deliveries,omitempty"`
	Internal     bool            `json:"internal,omitempty"`
	// Automatic is set for auto-replies, bulk and list mail and bounces
	// (RFC 3834; MAIL-04 in docs/security.md): they never reopen or notify.
	Automatic bool `json:"automatic,omitempty"`
}

// HasFlag reports whether the message carries flag f.
func (m *Message) HasFlag(f string) bool {
	for _, x := range m.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// Contact is a customer.
type Contact struct {
	ID        string    `json:"id"`
	Name      string    `json:"name,omitempty"`
	Addresses []string  `json:"addresses"`
	AccountID string    `json:"account_id,omitempty"`
	Created   time.Time `json:"created"`
}

// Account is a customer company.
type Account struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Domains []string  `json:"domains"`
	Created time.Time `json:"created"`
}

// User roles.
const (
	RoleAdmin    = "admin"
	RoleOperator = "operator"
	RoleAgent    = "agent"
)

// User is a member of staff.
type User struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Email        string   `json:"email"`
	Role         string   `json:"role"`
	Desks        []string `json:"desks,omitempty"`
	PasswordHash string   `json:"password_hash,omitempty"`
	// Disabled users cannot sign in; their sessions and tokens stop working.
	Disabled bool      `json:"disabled,omitempty"`
	Language string    `json:"language,omitempty"` // UI language: en, pl, cs ("" follows the browser)
	Created  time.Time `json:"created"`
	// Epoch counts password changes: a session made in an earlier epoch
	// no longer signs in (AC-06).
	Epoch uint64 `json:"epoch,omitempty"`
}

// Task is work delegated from a ticket.
type Task struct {
	ID         string     `json:"id"`
	TicketID   string     `json:"ticket_id"`
	Title      string     `json:"title"`
	AssigneeID string     `json:"assignee_id,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	Done       bool       `json:"done"`
	Created    time.Time  `json:"created"`
}

// AuditEntry records one change: who, when, field, old, new.
type AuditEntry struct {
	ID       string    `json:"id"`
	TicketID string    `json:"ticket_id,omitempty"`
	Record   string    `json:"record,omitempty"` // kind/id of a contact, account or user (recordaudit.go)
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`
	Field    string    `json:"field"`
	Old      string    `json:"old,omitempty"`
	New      string    `json:"new,omitempty"`
}

// FeedEntry is one committed change, in commit order.
type FeedEntry struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Op       string    `json:"op"`
	Tickets  []string  `json:"tickets,omitempty"`
	Messages []string  `json:"messages,omitempty"`
	// Records names, as kind/id (RefDesk, RefContact, ...), records whose
	// values ticket documents copy; EntryTickets expands them.
	Records []string `json:"records,omitempty"`
}

// OutboxMail is mail waiting to be sent, written in the same transaction as
// the change that causes it.
type OutboxMail struct {
	ID          string    `json:"id"`
	TicketID    string    `json:"ticket_id"`
	DeskID      string    `json:"desk_id"`
	Kind        string    `json:"kind"`              // template kind: ack, ack_after_hours, agent_reply, resolved, summary, agent_notify
	Message     string    `json:"message,omitempty"` // our id of the message it carries (an agent's reply)
	MessageID   string    `json:"message_id"`        // its Message-ID header, with a reply token
	From        string    `json:"from"`              // envelope sender: the desk's address
	To          []Address `json:"to"`
	Cc          []Address `json:"cc,omitempty"`
	Subject     string    `json:"subject"`
	Automatic   bool      `json:"automatic,omitempty"`
	Raw         []byte    `json:"raw"`
	Status      string    `json:"status"` // queued, sent, failed, bounced
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
	Created     time.Time `json:"created"`
	Sent        time.Time `json:"sent"`
}

// Outbox statuses.
const (
	OutboxQueued  = "queued"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"  // permanently: the server refused it, or retries ran out
	OutboxBounced = "bounced" // accepted, then a bounce (DSN) reported it undelivered
)

// SavedView is a named query: personal to its owner, or shared with the
// members of a desk. Its query is evaluated in the scope of whoever opens
// it, never of its owner.
type SavedView struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Query      string    `json:"query"`
	Sort       string    `json:"sort,omitempty"`
	Columns    []string  `json:"columns,omitempty"`
	OwnerID    string    `json:"owner_id"`
	SharedDesk string    `json:"shared_desk_id,omitempty"` // empty: personal
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}
