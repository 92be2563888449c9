// Package number parses a desk's ticket-number pattern, renders numbers from
// it and finds them again in typed text and in subject tags.
//
// A pattern is literal text with tokens:
//
//	{{nr}}    per-desk counter, never reset
//	{{nr-y}}  counter reset every year
//	{{nr-m}}  counter reset every month
//	{{nr-w}}  counter reset every ISO week
//	{{nr-d}}  counter reset every day
//	{{yy}}    year, 2 digits
//	{{yyyy}}  year, 4 digits
//	{{mm}}    month, 2 digits
//	{{ww}}    ISO 8601 week, 2 digits
//	{{dd}}    day of the month, 2 digits
//	{{desk}}  the desk code
//
// For example "SUP-{{yy}}-{{mm}}-{{nr-m}}" renders the first ticket of
// February 2026 as "SUP-26-02-1".
//
// Parse enforces the rules that keep numbers unique and readable:
//
//   - exactly one counter token, and each token at most once;
//   - a resetting counter names the period it resets in: {{nr-y}} needs a
//     year ({{yy}} or {{yyyy}}), {{nr-m}} a year and {{mm}}, {{nr-w}} a year
//     and {{ww}}, {{nr-d}} a year, {{mm}} and {{dd}};
//   - two numeric tokens (all but {{desk}}) are separated by literal text
//     with a character that is not a digit, and no numeric token touches a
//     digit of the literal text, so the digits of a number never run
//     together ("{{yy}}{{nr}}" and "T1{{nr}}" are rejected);
//   - literal text holds no brackets, braces, white space or control
//     characters, because numbers are written in subject tags such as
//     "[SUP-26-02-1]". Other printable characters, such as '#', '-', '/' and
//     letters of any script, are allowed, so "#{{nr}}" is a valid pattern.
//
// When a pattern contains {{ww}}, its {{yy}} and {{yyyy}} render the ISO 8601
// week-numbering year, and {{nr-y}} resets with that year, so
// "F-{{yy}}-{{ww}}-{{nr-w}}" never repeats at New Year: 2027-01-01 is in
// week 53 of 2026 and renders as "F-26-53-…". {{yyyy}} renders the year
// modulo 10000, {{yy}} modulo 100.
//
// Matching is case-insensitive on letters (simple Unicode case folding) and
// strict on digits: a counter with leading zeros is not a number the pattern
// renders, so "[TK-007]" does not match "TK-{{nr}}".
package number
