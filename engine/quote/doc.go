// Package quote splits the plain text of one e-mail message into what the
// sender wrote in it, the quoted history of earlier messages, and the
// sender's signature, so that search can weigh them differently: a word
// the customer typed today matters more than the same word in the desk's
// own reply quoted back at it, or in a footer repeated under every message.
//
// Split works line by line and puts every line of the text in exactly one
// of the three parts, keeping their order; nothing is rewritten or dropped
// except blank lines at the edges of a part.
//
// # Quoted
//
//   - Lines starting with ">" after optional white space, at any depth
//     ("> > x", ">>x"). Two look-alikes are resolved by their neighbours:
//     ">From " at the start of a line is usually mbox escaping of a body
//     line, and ">>> " is also the Python prompt; such lines are quoted only
//     next to other quoted lines (for ">>> ", in a paragraph with no other
//     quoting and with prompt output, they stay new text). Quoting with "|"
//     is rare and is not recognised.
//   - The attribution line that introduces a quote, in the forms clients
//     write in English, German, French, Polish, Czech, Spanish, Italian and
//     a few more languages ("On Mon, 5 Jan 2026 at 10:00, Jan <jan@x>
//     wrote:", "Am ... schrieb ...:", "Le ... a écrit :", "W dniu ...
//     pisze:", "... napisał(a):", "Dne ... napsal(a):", "El ... escribió:",
//     "Il ... ha scritto:", "Quoting Jan <jan@x>:", and, without a verb, a
//     time and an address ending in a colon, as Gmail writes in Japanese),
//     also when wrapped onto two or three lines. An attribution counts only
//     when the next non-blank line is quoted, or, for a dated one (a head
//     word such as "On", "Am", "W dniu" with a digit, or a time with an
//     address), when it stands above unquoted history (see below).
//   - Everything from a marker of top-posted history to the end of the
//     text: an Outlook separator ("-----Original Message-----" and its
//     translations, such as "-----Ursprüngliche Nachricht-----",
//     "-----Wiadomość oryginalna-----", "-----Původní zpráva-----"); a line
//     of underscores followed by a "From:" line; a header block of a "From:"
//     line and at least two more of Sent, Date, To, Cc and Subject, in
//     English or translated (Polish "Od:", "Wysłano:", "Do:", "Temat:",
//     Czech "Od:", "Odesláno:", "Komu:", "Předmět:", German, French,
//     Spanish, Italian, Dutch, Nordic ...), one of them Subject or Sent, or
//     Date when the sender has an address, so that "From: Warsaw / To:
//     Kraków / Date: ..." in a booking stays new text; and a dated
//     attribution that is not followed by quoted lines. Clients that
//     top-post put the whole history below such a marker without any ">"
//     prefix, so nothing after it is the sender's.
//
// Unquoted lines between quoted blocks are the sender's inline replies and
// stay new text.
//
// # Forwards
//
// A forwarded message is not history: it is usually the very thing the
// customer wants the desk to read. From the first forward marker
// ("---------- Forwarded message ---------", "Begin forwarded message:",
// "-------- Forwarded Message --------", mutt's "----- Forwarded message
// from ... -----" and translations) to the end, the text is new text, with
// no further quote or signature detection, since the forwarded message
// may itself be quoted with ">" (Apple Mail) and carries its own headers.
// Whichever comes first, forward marker or history marker, decides.
//
// # Signature
//
// A signature is looked for only at the end of the sender's own text: in
// the last run of new lines before the history or the forward, that is,
// after the last quoted line that precedes them. It starts at
//
//   - the delimiter line "-- ", or "--" alone (the trailing space is often
//     lost), when at most 15 non-blank lines follow it in that run; or
//   - a mobile or client sign-off such as "Sent from my iPhone", "Get
//     Outlook for Android", "Wysłane z iPhone'a", "Odesláno z iPhonu",
//     "Von meinem iPhone gesendet", when at most two non-blank lines
//     follow it;
//
// whichever qualifying line comes first, and runs to the end of that run.
// Closings such as "Regards,\nJan" without a delimiter are left in new
// text: telling them from the last sentence of a message is guesswork, and
// a wrong guess would hide the sender's words.
//
// # Cost
//
// Split is linear in the size of its input: every line is classified once,
// look-ahead is bounded (an attribution spans at most three lines of at
// most 400 bytes, a header block is searched for in the next 12 lines) and
// only bounded prefixes of long lines are lower-cased or compared.
// Regular expressions are not used.
package quote
