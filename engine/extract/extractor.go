package extract

import "context"

// Extractor returns the searchable text of one attachment, with the same
// meaning as Text: kind says what was extracted ("" for nothing) and a
// file that cannot be read returns an error saying why. InProcess and
// Child are the two; the store takes either.
type Extractor interface {
	Text(ctx context.Context, name, contentType string, data []byte, lim Limits) (text, kind string, err error)
}

// InProcess is the Extractor that calls Text in the calling process. It
// is for tests and tools: a file that makes the PDF library overflow its
// stack ends the whole process, so servers use Child.
type InProcess struct{}

// Text calls the package's Text.
func (InProcess) Text(ctx context.Context, name, contentType string, data []byte, lim Limits) (string, string, error) {
	return Text(ctx, name, contentType, data, lim)
}
