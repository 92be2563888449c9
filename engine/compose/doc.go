// Package compose builds the mail a support desk sends: it fills templates
// with ticket variables, turns their Markdown into text and sanitized HTML,
// encodes the MIME message, and says whether the desk is within its working
// hours.
//
// Values that come from customers (titles, names, quoted messages) are
// escaped before they reach Markdown, so they cannot add links, markup or
// HTML to a message; the agent's own Markdown is inserted as written. The
// HTML is rendered by goldmark without raw HTML and then passed through
// bluemonday's UGC policy (XSS-04, XSS-07 in docs/security.md).
//
// Headers are built only by go-message. Every value that reaches a header is
// first reduced to one line, and addresses and Message-IDs are validated, so
// a CR or LF hidden in a subject or display name can never start a header
// field of its own (MAIL-07). Automatic mail carries Auto-Submitted and
// X-Loop so that other systems do not answer it (MAIL-04, RFC 3834).
//
// Of searchdesk it imports only engine/quote, to find what a quoted
// customer message newly says.
package compose
