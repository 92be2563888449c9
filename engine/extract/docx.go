package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// maxDocxXML bounds the decompressed word/document.xml, whatever the zip
// directory claims (a zip bomb lies there).
const maxDocxXML = 64 << 20

// docxText returns the text of word/document.xml: the runs' <w:t> text,
// with a line per paragraph and <w:tab/>, <w:br/> and <w:cr/> kept.
// Headers, footers, notes and comments live in other parts and are not read.
func docxText(ctx context.Context, data []byte, lim Limits) (string, error) {
	if len(data) > lim.MaxInput {
		return "", tooLarge("%d bytes, limit %d", len(data), lim.MaxInput)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", malformed("zip: %v", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", malformed("no word/document.xml")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", malformed("word/document.xml: %v", err)
	}
	defer rc.Close()
	return wordText(ctx, io.LimitReader(rc, maxDocxXML), lim.MaxOutput)
}

// wordText reads WordprocessingML (ECMA-376 Part 1, 17) from r until
// maxOut bytes of text. RawToken keeps no element stack, so nesting depth
// costs nothing.
func wordText(ctx context.Context, r io.Reader, maxOut int) (string, error) {
	d := xml.NewDecoder(r)
	var b strings.Builder
	inText := 0
	for n := 0; b.Len() <= maxOut; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return "", stopReason(ctx)
		}
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", malformed("word/document.xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText++
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = max(inText-1, 0)
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText > 0 {
				b.Write(t)
			}
		}
	}
	return b.String(), nil
}
