// Package subject normalizes email subjects for threading by subject and
// sender, and tells replies and forwards from new messages.
//
// Normalize folds case (strings.ToLower), collapses runs of white space to
// one space and trims it, then strips from the front, repeatedly and in any
// order:
//
//   - reply and forward prefixes in the languages customers write in, each
//     followed by ":" or the full-width "：", optionally with a counter
//     ("Re[2]:", "Re^2:", "RE (2):") and, for words of two or more letters,
//     a dot or a space before the colon ("Réf. :", "TR :"); the word must be
//     the whole word, so "Reboot:", "Idea:" and "FWIW:" are kept, and the
//     one-letter Italian "R:" and "I:" only count directly followed by the
//     colon;
//   - tags in square brackets of at most 64 characters without nested
//     brackets: mailing-list tags ("[Twisted-web] Re: Re: foo",
//     "Re: [Twisted-web] foo"), our own ticket tags ("[SUP-26-02-1]"), and
//     also patch tags such as "[PATCH v2 1/3]". Telling list tags from
//     topic tags would need a list of lists; two different patches rarely
//     share the rest of the subject, and threading by subject also needs
//     the same sender, so the tags are stripped. A tag after which nothing
//     remains is kept: "[PATCH]" stays "[patch]". Tags elsewhere, such as a
//     ticket tag at the end of the subject, are kept.
//
// If stripping leaves nothing ("Re:"), Normalize returns the folded and
// collapsed subject instead, so a normalized subject is empty only when the
// subject is blank. Normalize is idempotent and its work is linear in the
// length of the subject; invalid UTF-8 becomes U+FFFD.
//
// VS means reply in Finnish but forward in Danish and Norwegian; it is
// counted as a forward. Both are stripped by Normalize alike.
package subject
