// Package extract turns one attachment into searchable text within the caps
// of Limits, choosing the format by content type, file name and the bytes.
//
// Plain text formats are decoded with golang.org/x/text, HTML is read with
// golang.org/x/net/html's tokenizer, DOCX with archive/zip and
// encoding/xml, and PDF with github.com/ledongthuc/pdf. That PDF library
// was chosen because it is the maintained fork of rsc.io/pdf, pure Go under
// the BSD licence with no dependencies, and maps text through each font's
// encoding and ToUnicode table; pdfcpu has no text extraction and
// dslipak/pdf is an older copy of the same code. It trusts the numbers in a
// file: on some hostile files it loops without end, allocates what the
// file announces, or recurses until the Go stack overflows, a fatal error
// that recover cannot catch. So a server extracts through Child, a child
// process per file with a deadline, memory and stack limits and an output
// cap, where any of these costs that file's text only; Text in process runs
// the library in a goroutine behind recover and the timeout, for tests and
// tools.
package extract
