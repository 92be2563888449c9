package engine

import (
	"context"
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
		return IntakeResult{}, Errorf(CodeInvalid, "err_submit_subject", "engine: subject: 1 to 500 characters")
	case strings.TrimSpace(sub.Text) == "" || len(sub.Text) > maxSubmissionText:
		return IntakeResult{}, Errorf(CodeInvalid, "err_submit_text", "engine: text: 1 to %d bytes", maxSubmissionText)
	case !compose.ValidAddress(normAddr(sub.From.Addr)):
		return IntakeResult{}, Errorf(CodeInvalid, "err_submit_from", "engine: from %q is not an address", sub.From.Addr)
	}
	switch sub.Channel {
	case "api", "form", "portal":
	default:
		return IntakeResult{}, Errorf(CodeInvalid, "err_submit_channel", "engine: channel %q: want api, form or portal", sub.Channel)
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
		return IntakeResult{}, Errorf(CodeInvalid, "err_submit_invalid", "engine: submission: %v", err)
	}
	return s.Intake(ctx, Inbound{Desk: desk.Code, Raw: raw, Source: sub.Channel, Channel: sub.Channel,
		Change: sub.Change, Actor: sub.Actor})
}
