package quote

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxMarkerLen  = 200 // longer lines are never separators
	maxSignOffLen = 100 // longer lines are never sign-offs
	maxAttrLen    = 400 // bytes of an attribution, wrapped lines joined
	maxAttrLines  = 3   // lines an attribution may wrap onto
	maxHeaderScan = 12  // lines after "From:" searched for the rest of the block
	maxKeyPrefix  = 64  // bytes of a line searched for a header field name
	minRuleLen    = 10  // underscores in Outlook's rule above the header block
)

// originalMessages are the words between the dashes of Outlook's separator
// above the quoted original, lower-case.
var originalMessages = map[string]bool{
	"original message":        true,
	"reply message":           true,
	"ursprüngliche nachricht": true,
	"originalnachricht":       true,
	"message d'origine":       true,
	"message original":        true,
	"wiadomość oryginalna":    true,
	"oryginalna wiadomość":    true,
	"wiadomosc oryginalna":    true,
	"původní zpráva":          true,
	"puvodni zprava":          true,
	"pôvodná správa":          true,
	"mensaje original":        true,
	"messaggio originale":     true,
	"mensagem original":       true,
	"oorspronkelijk bericht":  true,
	"ursprungligt meddelande": true,
	"opprinnelig melding":     true,
	"oprindelig meddelelse":   true,
	"original meddelelse":     true,
	"alkuperäinen viesti":     true,
	"исходное сообщение":      true,
	"eredeti üzenet":          true,
	"orijinal ileti":          true,
}

// forwardMarkers are the words of forward separators, lower-case, without
// the dashes around them or a trailing colon.
var forwardMarkers = map[string]bool{
	"forwarded message":                     true,
	"begin forwarded message":               true,
	"forwarded message follows":             true,
	"forwarded e-mail":                      true,
	"forwarded email":                       true,
	"forwarded mail":                        true,
	"weitergeleitete nachricht":             true,
	"anfang der weitergeleiteten nachricht": true,
	"message transféré":                     true,
	"début du message transféré":            true,
	"début du message réexpédié":            true,
	"mensaje reenviado":                     true,
	"inicio del mensaje reenviado":          true,
	"messaggio inoltrato":                   true,
	"inizio messaggio inoltrato":            true,
	"mensagem encaminhada":                  true,
	"início da mensagem encaminhada":        true,
	"doorgestuurd bericht":                  true,
	"begin doorgestuurd bericht":            true,
	"wiadomość przekazana":                  true,
	"przekazana wiadomość":                  true,
	"wiadomosc przekazana":                  true,
	"początek przekazywanej wiadomości":     true,
	"początek przekazanej wiadomości":       true,
	"přeposlaná zpráva":                     true,
	"preposlana zprava":                     true,
	"začátek přeposlané zprávy":             true,
	"vidarebefordrat meddelande":            true,
	"videresendt meddelelse":                true,
	"videresendt melding":                   true,
	"välitetty viesti":                      true,
	"пересылаемое сообщение":                true,
	"пересланное сообщение":                 true,
	"továbbított üzenet":                    true,
}

// field is one kind of header field in a quoted header block, as a bit.
type field uint8

const (
	fieldFrom field = 1 << iota
	fieldSent       // "Sent:" and its translations: only Outlook writes it
	fieldDate
	fieldTo
	fieldCc
	fieldSubject
	fieldKnown // marks a cached value in splitter.fields
)

// fields maps the lower-case names of header fields, as clients print them
// above quoted or forwarded messages in the languages customers write in,
// to their kind.
var fields = map[string]field{
	"from": fieldFrom, "von": fieldFrom, "de": fieldFrom, "od": fieldFrom, "da": fieldFrom,
	"van": fieldFrom, "fra": fieldFrom, "från": fieldFrom, "lähettäjä": fieldFrom,
	"от": fieldFrom, "feladó": fieldFrom, "kimden": fieldFrom,

	"sent": fieldSent, "gesendet": fieldSent, "envoyé": fieldSent, "envoye": fieldSent,
	"wysłano": fieldSent, "wysłane": fieldSent, "odesláno": fieldSent, "odeslano": fieldSent,
	"enviado": fieldSent, "enviada": fieldSent, "inviato": fieldSent, "verzonden": fieldSent,
	"skickat": fieldSent, "sendt": fieldSent, "lähetetty": fieldSent, "отправлено": fieldSent,
	"elküldve": fieldSent, "gönderildi": fieldSent,

	"date": fieldDate, "datum": fieldDate, "data": fieldDate, "fecha": fieldDate,
	"dato": fieldDate, "дата": fieldDate, "tarih": fieldDate,

	"to": fieldTo, "an": fieldTo, "à": fieldTo, "a": fieldTo, "do": fieldTo, "komu": fieldTo,
	"para": fieldTo, "aan": fieldTo, "till": fieldTo, "til": fieldTo, "vastaanottaja": fieldTo,
	"кому": fieldTo, "címzett": fieldTo, "kime": fieldTo,

	"cc": fieldCc, "kopie": fieldCc, "dw": fieldCc, "kopia": fieldCc, "kopia do": fieldCc,
	"copie": fieldCc, "cci": fieldCc, "copia": fieldCc, "kopio": fieldCc, "копия": fieldCc,
	"másolatot kap": fieldCc, "bilgi": fieldCc,

	"subject": fieldSubject, "betreff": fieldSubject, "objet": fieldSubject, "temat": fieldSubject,
	"předmět": fieldSubject, "predmet": fieldSubject, "asunto": fieldSubject, "oggetto": fieldSubject,
	"onderwerp": fieldSubject, "assunto": fieldSubject, "ämne": fieldSubject, "emne": fieldSubject,
	"aihe": fieldSubject, "тема": fieldSubject, "tárgy": fieldSubject, "konu": fieldSubject,
}

// heads are the words a dated attribution line starts with, in the
// clients' languages (Gmail in some languages starts with the date instead).
var heads = []string{"On", "Am", "Le", "W dniu", "Dne", "El", "Il", "Op", "Em", "Den"}

// quotingHeads start attributions without a verb: Horde's "Quoting Jan
// <jan@x>:".
var quotingHeads = []string{"Quoting", "Zitat von", "Citando", "Citazione", "Cytuję", "Cytując", "Citace"}

// tailVerbs end an attribution, just before its colon, lower-case:
// "... wrote:", "... napisał(a):".
var tailVerbs = []string{
	"wrote", "writes", "said", "a écrit", "a ecrit", "pisze", "napisał", "napisała", "napisał(a)",
	"napisal", "napisala", "napisal(a)", "napsal", "napsala", "napsal(a)", "escribió", "escribio",
	"ha scritto", "scrisse", "schrieb", "schreef", "escreveu", "skrev", "kirjoitti", "пишет",
	"написал", "написала", "написал(а)", "írta", "yazdı",
}

// cjkTailVerbs end an attribution without a space before them.
var cjkTailVerbs = []string{"写道", "寫道"}

// innerVerbs stand inside an attribution that ends with the sender's name
// or the date: "Am 5. Jan 2026 um 10:00 schrieb Jan <jan@x>:", "Jan
// (jan@x) kirjoitti ma 5.1.2026 klo 10.00:", Lotus Notes' "Jan <jan@x>
// wrote on 05.01.2026 10:00:00:".
var innerVerbs = []string{" schrieb ", " schreef ", " skrev ", " kirjoitti ", " wrote on "}

// signOffs start the lines mobile and desktop clients add under the text,
// lower-case.
var signOffs = []string{
	"sent from ", "sent via ", "sent with ", "sent using ", "get outlook for ",
	"von meinem ", "gesendet von ", "gesendet mit ", "gesendet vom ",
	"envoyé de ", "envoyé depuis ", "envoyé à partir de ", "envoye de ",
	"enviado desde ", "enviado de mi ", "enviado do ", "enviado de meu ", "obtener outlook para ",
	"inviato da ", "inviato dal ", "scarica outlook per ",
	"verzonden vanaf ", "verstuurd vanaf ", "verzonden met ", "download outlook voor ",
	"wysłane z ", "wysłano z ", "wysłane przy użyciu ", "wysłane ze ", "pobierz outlook dla ",
	"uzyskaj outlook dla ",
	"odesláno z ", "odeslano z ", "odesláno ze ", "odesláno pomocí ", "získat outlook pro ",
	"ziskat outlook pro ", "získejte outlook pro ",
	"skickat från ", "skickades från ", "sendt fra ", "lähetetty ",
	"отправлено с ", "отправлено из ",
}

// clip returns at most n bytes of s, cut at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// separatorCore returns the words of a separator line such as
// "-----Original Message-----" or "Begin forwarded message:", lower-case,
// or "" when the line is too long to be one.
func separatorCore(line string) string {
	if len(line) > maxMarkerLen {
		return ""
	}
	t := strings.Trim(line, "-=_*~ \t\r\u00a0")
	t = strings.TrimSpace(strings.TrimRight(t, ":"))
	return strings.ToLower(t)
}

// isForwardMarker reports whether line starts a forwarded message.
func isForwardMarker(line string) bool {
	core := separatorCore(line)
	if core == "" {
		return false
	}
	// mutt: "----- Forwarded message from Jan <jan@x> -----"
	return forwardMarkers[core] || strings.HasPrefix(core, "forwarded message from ")
}

// isOriginalMessage reports whether line is an Outlook-style separator
// above the original message: "-----Original Message-----".
func isOriginalMessage(line string) bool {
	t := strings.TrimSpace(clip(line, maxMarkerLen+1))
	if !strings.HasPrefix(t, "--") || !strings.HasSuffix(t, "--") {
		return false
	}
	return originalMessages[separatorCore(line)]
}

// isRule reports whether line is a rule of underscores, which Outlook puts
// above the header block of the original.
func isRule(line string) bool {
	t := strings.TrimSpace(clip(line, maxMarkerLen+1))
	return len(t) >= minRuleLen && len(t) <= maxMarkerLen && strings.Trim(t, "_") == ""
}

// headerField returns the kind of the header field line starts with
// ("From: ...", "*Od:* ...", "De : ..."), or 0.
func headerField(line string) field {
	t := strings.TrimLeftFunc(clip(line, maxKeyPrefix), unicode.IsSpace)
	i := strings.IndexByte(t, ':')
	if j := strings.Index(t, "："); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 {
		return 0
	}
	name := strings.TrimFunc(t[:i], func(r rune) bool { return r == '*' || unicode.IsSpace(r) })
	return fields[strings.ToLower(name)]
}

// field returns headerField of line i, computing it once.
func (s *splitter) field(i int) field {
	if f := s.fields[i]; f&fieldKnown != 0 {
		return f &^ fieldKnown
	}
	f := headerField(s.lines[i])
	s.fields[i] = f | fieldKnown
	return f
}

// startsHistory reports whether line i starts top-posted history: an
// Outlook separator, a rule followed by "From:", or a header block.
func (s *splitter) startsHistory(i int) bool {
	line := s.lines[i]
	if isOriginalMessage(line) {
		return true
	}
	if isRule(line) {
		j := s.next[i+1]
		return j < len(s.lines) && j <= i+3 && s.kinds[j] == kindText && s.field(j) == fieldFrom
	}
	return s.headerBlock(i)
}

// headerBlock reports whether line i is "From: ..." followed, within a few
// lines, by at least two more header fields, and looks like mail rather
// than, say, a travel booking ("From: Warsaw", "To: Kraków", "Date: ..."):
// one of the fields is Subject or Outlook's Sent, or the sender has an
// address. To and Cc may wrap; a single blank line is allowed between
// fields.
func (s *splitter) headerBlock(i int) bool {
	if s.field(i) != fieldFrom {
		return false
	}
	addressed := strings.Contains(clip(s.lines[i], maxAttrLen), "@")
	seen, last, blanks := field(0), fieldFrom, 0
	for j := i + 1; j < len(s.lines) && j <= i+maxHeaderScan; j++ {
		switch s.kinds[j] {
		case kindBlank:
			if blanks++; blanks > 1 {
				return enough(seen, addressed)
			}
			continue
		case kindQuote:
			return enough(seen, addressed)
		}
		blanks = 0
		f := s.field(j)
		if f == 0 {
			if last == fieldTo || last == fieldCc {
				continue // recipients wrapped onto more lines
			}
			return enough(seen, addressed)
		}
		seen |= f
		last = f
	}
	return enough(seen, addressed)
}

// enough reports whether the fields seen after "From:" make a header
// block: two or more of them, with Subject or Sent among them, or Date
// when the sender has an address.
func enough(seen field, addressed bool) bool {
	if bits.OnesCount8(uint8(seen&^fieldFrom)) < 2 {
		return false
	}
	return seen&(fieldSent|fieldSubject) != 0 || (addressed && seen&fieldDate != 0)
}

// attribution reports whether an attribution line starts at line i, and
// returns its last line (it may wrap onto up to maxAttrLines lines) and
// whether it is strong: dated in the shape clients write, so that unquoted
// text below it is history too.
func (s *splitter) attribution(i int) (last int, strong, ok bool) {
	size := 0
	for last = i; last < len(s.lines) && last < i+maxAttrLines; last++ {
		if s.kinds[last] != kindText {
			return 0, false, false
		}
		if size += len(s.lines[last]) + 1; size > maxAttrLen+1 {
			return 0, false, false
		}
		if !endsWithColon(s.lines[last]) {
			continue
		}
		text := s.join(i, last)
		verbOnly, strong, ok := attributionText(text)
		if !ok || (last == i && verbOnly) {
			continue
		}
		if last > i && !s.wraps(i, last, text, verbOnly) {
			continue
		}
		return last, strong, true
	}
	return 0, false, false
}

// join returns lines i..last trimmed and joined with spaces.
func (s *splitter) join(i, last int) string {
	if i == last {
		return strings.TrimSpace(s.lines[i])
	}
	parts := make([]string, 0, last-i+1)
	for k := i; k <= last; k++ {
		parts = append(parts, strings.TrimSpace(s.lines[k]))
	}
	return strings.Join(parts, " ")
}

// wraps reports whether lines i..last are one attribution wrapped by the
// client, rather than a sentence followed by a short attribution: the
// first line starts like an attribution, no later one does, and the whole
// carries a time or an address; or there are two lines and the first
// breaks inside "<address>" or the second is only the verb ("wrote:").
func (s *splitter) wraps(i, last int, text string, verbOnly bool) bool {
	for k := i; k < last; k++ {
		t := strings.TrimSpace(s.lines[k])
		if strings.HasSuffix(t, ".") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "?") {
			return false
		}
	}
	if startsWithHead(s.lines[i]) {
		for k := i + 1; k <= last; k++ {
			if startsWithHead(s.lines[k]) {
				return false
			}
		}
		return hasTime(text) || strings.Contains(text, "@")
	}
	return last == i+1 && (verbOnly || unclosedAngle(s.lines[i]))
}

// endsWithColon reports whether line ends with ":" or "：", ignoring
// trailing white space.
func endsWithColon(line string) bool {
	t := strings.TrimRightFunc(line, unicode.IsSpace)
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")
}

// attributionText reports whether text (trimmed, ending with a colon) is an
// attribution. It is one when it
//
//   - ends with a verb of writing: "... wrote:", "... a écrit :",
//     "... napisał(a):", "... 写道：";
//   - has such a verb inside, the sender's name or the date after it, and
//     a head word, a time or an address: "Am ... schrieb Jan:";
//   - starts with "Quoting" or a translation: "Quoting Jan <jan@x>:";
//   - or has a time and an address without any verb, as Gmail writes in
//     Japanese or Russian and mutt in its "* Jan <jan@x> [2026-01-05 10:00]:".
//
// verbOnly is true when nothing precedes the verb. strong is true for the
// first two forms when text starts with a head word and has a digit, or
// has both a time and an address: only a dated attribution may introduce
// unquoted history.
func attributionText(text string) (verbOnly, strong, ok bool) {
	body := strings.TrimSuffix(text, ":")
	body = strings.TrimSuffix(body, "：")
	body = strings.TrimRightFunc(body, unicode.IsSpace)
	lower := strings.ToLower(body)
	head, timed, address := startsWithHead(text), hasTime(text), strings.Contains(text, "@")
	dated := (head && hasDigit(text)) || (timed && address)
	for _, v := range tailVerbs {
		if strings.HasSuffix(lower, v) && wordBefore(lower, len(lower)-len(v)) {
			return len(lower) == len(v), dated, true
		}
	}
	for _, v := range cjkTailVerbs {
		if strings.HasSuffix(lower, v) {
			return len(lower) == len(v), dated, true
		}
	}
	if head || timed || address {
		for _, v := range innerVerbs {
			if strings.Contains(lower, v) {
				return false, dated, true
			}
		}
	}
	if startsWithAny(text, quotingHeads) || (timed && address) {
		return false, false, true
	}
	return false, false, false
}

// wordBefore reports whether the verb starting at i in s is a word of its
// own: at the start or after a character that is not a letter or digit.
func wordBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// startsWithHead reports whether line starts with one of heads.
func startsWithHead(line string) bool {
	return startsWithAny(line, heads)
}

// startsWithAny reports whether line starts, after white space, with one of
// words (ignoring case) followed by a space or a comma.
func startsWithAny(line string, words []string) bool {
	t := strings.TrimLeftFunc(clip(line, maxKeyPrefix), unicode.IsSpace)
	for _, w := range words {
		if len(t) > len(w) && strings.EqualFold(t[:len(w)], w) && (t[len(w)] == ' ' || t[len(w)] == ',') {
			return true
		}
	}
	return false
}

// hasTime reports whether s holds a time of day such as "10:00".
func hasTime(s string) bool {
	for i := 1; i+2 < len(s); i++ {
		if s[i] == ':' && isDigit(s[i-1]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
			return true
		}
	}
	return false
}

// hasDigit reports whether s holds an ASCII digit.
func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// unclosedAngle reports whether line opens "<" without closing it, as when
// a client wraps "Jan <jan@x>" inside the address.
func unclosedAngle(line string) bool {
	return strings.LastIndexByte(line, '<') > strings.LastIndexByte(line, '>')
}

// isSigDelimiter reports whether line is the signature delimiter "-- ",
// also without its trailing space.
func isSigDelimiter(line string) bool {
	return strings.HasPrefix(line, "--") && strings.TrimRight(line[2:], " \t\r") == ""
}

// isSignOff reports whether line is a client's sign-off such as "Sent from
// my iPhone".
func isSignOff(line string) bool {
	if len(line) > maxSignOffLen {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(line))
	for _, p := range signOffs {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}
