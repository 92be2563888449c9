package engine

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"searchdesk/engine/compose"
)

// Submission is a message that reaches the desk other than by mail: the
// API, a web form, the portal. It becomes a message like any other and
// goes through Intake, so it is stored raw, threaded and acknowledged the
// same way.
type Submission struct {
	Desk      string // desk code; "" for the default desk
	From      Address
	Subject   string
	Text      string
	Channel   string // api, form, portal
	InReplyTo string // a Message-ID of the ticket it answers, if any
	// Change and Actor: first fields set by a member of staff, applied in
	// the intake transaction (Inbound.Change).
	Change *Change
	Actor  string
}

// maxSubmissionText bounds a submitted message.
const maxSubmissionText = 256 << 10

// Submit takes in a submission as a message of its channel.
func (s *Store) Submit(ctx context.Context, sub Submission) (IntakeResult, error) {
	sub.Subject = strings.TrimSpace(sub.Subject)
	switch {
	case sub.Subject == "" || utf8.RuneCountInString(sub.Subject) > 500:
		return IntakeResult{}, fmt.Errorf("engine: subject: 1 to 500 characters: %w", ErrInvalid)
	case strings.TrimSpace(sub.Text) == "" || len(sub.Text) > maxSubmissionText:
		return IntakeResult{}, fmt.Errorf("engine: text: 1 to %d bytes: %w", maxSubmissionText, ErrInvalid)
	case !compose.ValidAddress(normAddr(sub.From.Addr)):
		return IntakeResult{}, fmt.Errorf("engine: from %q is not an address: %w", sub.From.Addr, ErrInvalid)
	}
	switch sub.Channel {
	case "api", "form", "portal":
	default:
		return IntakeResult{}, fmt.Errorf("engine: channel %q: want api, form or portal: %w", sub.Channel, ErrInvalid)
	}
	desk, err := s.EnsureDesk(ctx, sub.Desk)
	if err != nil {
		return IntakeResult{}, err
	}
	m := compose.Mail{
		From:      compose.Address{Name: sub.From.Name, Addr: normAddr(sub.From.Addr)},
		To:        []compose.Address{{Name: desk.Name, Addr: deskAddress(&desk)}},
		Subject:   sub.Subject,
		MessageID: sub.Channel + "." + randomID() + "@" + deskHost(&desk),
		InReplyTo: sub.InReplyTo,
		Date:      s.opts.Now(),
		Text:      sub.Text,
	}
	raw, err := compose.Build(m)
	if err != nil {
		return IntakeResult{}, fmt.Errorf("engine: submission: %v: %w", err, ErrInvalid)
	}
	return s.Intake(ctx, Inbound{Desk: desk.Code, Raw: raw, Source: sub.Channel, Channel: sub.Channel,
		Change: sub.Change, Actor: sub.Actor})
}
