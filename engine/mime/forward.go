package mime

import (
	"strings"
	"unicode/utf8"
)

const (
	maxOwnTextRunes   = 500 // own text of a message/rfc822 forward without a forward subject
	maxForwardHeader  = 30  // lines of a forward block's header read
	maxMarkerLineLen  = 200 // longer lines are never forward markers
	maxForwardScanned = 1 << 20
)

// Marker strengths of forward block separators.
const (
	markNone   = iota
	markStrong // says "forwarded": a forward whatever the subject
	markWeak   // says "original message": also what replies quote
)

// forward finds the message this one forwards (MAIL-08): a message/rfc822
// part when the subject says forward or the forwarder wrote little besides
// it, else a forward block in the text.
func (p *parser) forward(root *node) *Forward {
	if f := p.rfc822Forward(root); f != nil {
		return f
	}
	return inlineForward(p.msg.Subject, p.msg.Text)
}

func (p *parser) rfc822Forward(root *node) *Forward {
	var enc *node
	for _, n := range outerNodes(root) {
		if n.isMessage() && n.inner != nil {
			enc = n
			break
		}
	}
	if enc == nil {
		return nil
	}
	own := strings.TrimSpace(p.msg.Text)
	if !isForwardSubject(p.msg.Subject) && utf8.RuneCountInString(own) > maxOwnTextRunes {
		return nil
	}
	in := enc.inner
	hint := charsetHint(in)
	f := &Forward{
		Kind:      "rfc822",
		Subject:   decodeValue(in.header.get("Subject"), hint),
		Date:      parseDate(cleanLine(in.header.get("Date"))),
		MessageID: parseMessageID(in.header.get("Message-ID")),
	}
	if from, _ := parseAddressList(decodeHeaderBytes(in.header.get("From"), hint), 1); len(from) > 0 {
		f.From = from[0]
	}
	texts, htmls := bodyOf(in)
	if f.Text = p.joinText(texts); strings.TrimSpace(f.Text) == "" {
		f.Text, _ = p.render(nil, htmls)
	}
	return f
}

// stripSubjectTags drops leading "[list]" tags and blanks.
func stripSubjectTags(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || strings.Contains(s[:end], ":") {
			break // "[Fwd: subject]" is a forward, not a tag
		}
		s = strings.TrimSpace(s[end+1:])
	}
	return strings.TrimPrefix(s, "[")
}

// subjectPrefix returns the lower-case prefix before the first ':' of s
// when it is short enough to be one ("Fwd", "AW", "Odp", "回复").
func subjectPrefix(s string) string {
	s = strings.ReplaceAll(stripSubjectTags(s), "：", ":")
	i := strings.IndexByte(s, ':')
	if i <= 0 || i > 12 {
		return ""
	}
	pre := strings.ToLower(strings.TrimSpace(s[:i]))
	if j := strings.IndexByte(pre, '['); j > 0 { // "Fwd[2]"
		pre = strings.TrimSpace(pre[:j])
	}
	return pre
}

// isForwardSubject reports whether the subject starts with a forward prefix
// in one of the languages customers write in.
func isForwardSubject(s string) bool {
	switch subjectPrefix(s) {
	case "fwd", "fw", "fwd.", "pd", "tr", "wg", "rv", "vb", "enc", "i", "doorst", "přeposlat",
		"preposlat", "přeposláno", "转发", "轉寄", "転送":
		return true
	}
	return false
}

// isReplySubject reports whether the subject starts with a reply prefix.
func isReplySubject(s string) bool {
	switch subjectPrefix(s) {
	case "re", "aw", "odp", "sv", "vs", "antw", "rif", "r", "ynt", "vá", "res", "回复", "答复", "回覆":
		return true
	}
	return false
}

// markerKind classifies a line as a forward block separator.
func markerKind(line string) int {
	t := strings.TrimSpace(line)
	if t == "" || len(t) > maxMarkerLineLen {
		return markNone
	}
	if len(t) >= 10 && strings.Trim(t, "_") == "" {
		return markWeak // Outlook's rule before the original header
	}
	core := strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.Trim(t, "-=_*~ \t"), ":")))
	switch core {
	case "forwarded message", "begin forwarded message", "forwarded message follows",
		"forwarded e-mail", "forwarded email", "forwarded mail",
		"wiadomość przekazana", "przekazana wiadomość", "wiadomosc przekazana",
		"přeposlaná zpráva", "preposlana zprava", "přeposlaný e-mail",
		"weitergeleitete nachricht", "message transféré", "mensaje reenviado", "doorgestuurd bericht",
		"messaggio inoltrato", "inizio messaggio inoltrato", "mensagem encaminhada":
		return markStrong
	case "original message", "wiadomość oryginalna", "oryginalna wiadomość", "wiadomosc oryginalna",
		"původní zpráva", "puvodni zprava", "ursprüngliche nachricht", "originalnachricht",
		"message d'origine", "mensaje original", "original email", "oorspronkelijk bericht",
		"messaggio originale", "mensagem original":
		return markWeak
	}
	if strings.HasPrefix(core, "forwarded message from ") {
		return markStrong // mutt
	}
	return markNone
}

// forwardKey maps the field names of forward blocks, in English, Polish,
// Czech and a few more languages, to from, date, subject, to and cc.
func forwardKey(k string) string {
	switch strings.ToLower(strings.Trim(k, "* \t")) {
	case "from", "od", "von", "de", "från", "fra", "van", "da":
		return "from"
	case "date", "sent", "data", "wysłano", "wysłane", "datum", "odesláno", "gesendet", "envoyé",
		"enviado", "verzonden", "inviato", "skickat":
		return "date"
	case "subject", "temat", "předmět", "betreff", "objet", "asunto", "assunto", "onderwerp",
		"oggetto", "ämne", "emne":
		return "subject"
	case "to", "do", "komu", "an", "à", "para", "aan", "a", "till", "til":
		return "to"
	case "cc", "kopia", "kopie", "dw", "kopia do":
		return "cc"
	}
	return ""
}

// inlineForward looks for a forward block in text: a separator line
// followed by header-like lines (MAIL-08, kind "inline"). The first
// separator decides: a weak one ("Original Message") under a reply subject
// is a quoted reply, not a forward. Quoted lines ("> ...") are history and
// never start a block.
func inlineForward(subject, text string) *Forward {
	if len(text) > maxForwardScanned {
		text = truncateBytes(text, maxForwardScanned)
	}
	forwardSubject := isForwardSubject(subject)
	for pos := 0; pos < len(text); {
		start := pos
		line, next := lineAt(text, pos)
		pos = next
		if strings.HasPrefix(strings.TrimSpace(line), ">") {
			continue
		}
		kind := markerKind(line)
		if kind == markNone {
			if forwardSubject && startsHeaderBlock(line) {
				if f := forwardBlock(text, start); f != nil {
					return f
				}
			}
			continue
		}
		if kind == markWeak && isReplySubject(subject) {
			return nil
		}
		if f := forwardBlock(text, pos); f != nil {
			return f
		}
	}
	return nil
}

// lineAt returns the line at pos without its break and where the next one
// starts.
func lineAt(s string, pos int) (string, int) {
	i := strings.IndexByte(s[pos:], '\n')
	if i < 0 {
		return s[pos:], len(s)
	}
	return s[pos : pos+i], pos + i + 1
}

// startsHeaderBlock reports whether line is "From: ..." in a known language.
func startsHeaderBlock(line string) bool {
	k, _, ok := strings.Cut(strings.TrimSpace(line), ":")
	return ok && forwardKey(k) == "from"
}

// forwardBlock reads the header-like lines of a forwarded message starting
// at pos (after up to three blank lines) and takes the rest of the text as
// the original's text. Lines may be quoted with "> " (Apple Mail) and keys
// starred (Gmail's bold as text); To and Cc may wrap onto more lines.
func forwardBlock(text string, pos int) *Forward {
	fields := map[string]string{}
	last, quoted, blanks := "", false, 0
	for n := 0; pos < len(text) && n < maxForwardHeader; n++ {
		line, next := lineAt(text, pos)
		if len(fields) == 0 && strings.HasPrefix(strings.TrimSpace(line), ">") {
			quoted = true
		}
		if quoted {
			line = unquoteLine(line)
		}
		t := strings.TrimSpace(line)
		if t == "" {
			if len(fields) > 0 {
				pos = next
				break
			}
			if blanks++; blanks > 3 {
				return nil
			}
			pos = next
			continue
		}
		k, v, ok := strings.Cut(t, ":")
		key := ""
		if ok {
			key = forwardKey(k)
		}
		switch {
		case key != "":
			if _, dup := fields[key]; !dup {
				fields[key] = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), "*"))
			}
			last = key
		case (last == "to" || last == "cc") && len(fields) > 0:
			fields[last] += " " + t
		case len(fields) > 0:
			return finishForward(fields, text[pos:], quoted)
		default:
			return nil
		}
		pos = next
	}
	return finishForward(fields, text[min(pos, len(text)):], quoted)
}

// unquoteLine removes one level of "> " quoting.
func unquoteLine(line string) string {
	t := strings.TrimLeft(line, " ")
	if !strings.HasPrefix(t, ">") {
		return line
	}
	t = t[1:]
	return strings.TrimPrefix(t, " ")
}

// finishForward builds the Forward when the block had a sender and one more
// field.
func finishForward(fields map[string]string, rest string, quoted bool) *Forward {
	if fields["from"] == "" || (fields["date"] == "" && fields["subject"] == "" && fields["to"] == "") {
		return nil
	}
	f := &Forward{Kind: "inline", Subject: cleanLine(fields["subject"]), Date: parseDate(fields["date"])}
	p := &addrParser{s: strings.ReplaceAll(fields["from"], "*", ""), max: 1, nameOnly: true}
	p.run()
	if len(p.out) > 0 {
		f.From = p.out[0]
	}
	if quoted {
		var b strings.Builder
		for pos := 0; pos < len(rest); {
			line, next := lineAt(rest, pos)
			b.WriteString(unquoteLine(line))
			b.WriteByte('\n')
			pos = next
		}
		rest = b.String()
	}
	f.Text = strings.TrimSpace(rest)
	return f
}
