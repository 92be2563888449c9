package mime

import (
	"strings"
	"testing"
)

// TestCorpusCharsets picks, for each charset declared in the corpus that
// carries visible text, a message and a word that must come out decoded.
func TestCorpusCharsets(t *testing.T) {
	tests := []struct {
		charset string
		path    string
		where   string // subject, text, from
		want    string
	}{
		{"iso-2022-jp", "mime/ruby-mail/multi_charset__japanese_iso_2022.eml", "text", "すみません"},
		{"iso-2022-jp subject", "mime/ruby-mail/multi_charset__japanese_iso_2022.eml", "subject", "まみむめも"},
		{"shift_jis", "mime/ruby-mail/multi_charset__japanese_shift_jis.eml", "text", "このメールはテスト用のメールです"},
		{"euc-kr", "mime/ruby-mail/plain_emails__raw_email.eml", "text", "대부분의"},
		{"euc-kr subject", "mime/ruby-mail/plain_emails__raw_email.eml", "subject", "한국말로"},
		{"ks_c_5601-1987", "mime/ruby-mail/multi_charset__ks_c_5601-1987.eml", "text", "스티해"},
		{"gb2312", "mime/lore-ksummit/gb2312-2__5dcfcd791b2e.eml", "text", "找不到您输入的电子邮件地址"},
		{"gb2312 subject", "mime/lore-ksummit/gb2312-2__5dcfcd791b2e.eml", "subject", "未送达"},
		{"gbk", "mime/lore-ksummit/gbk-1__bef2a361a930.eml", "text", "新网专业邮件系统"},
		{"iso-8859-1", "mime/php-mime-mail-parser/m0013.eml", "text", "préserver notre environnement"},
		{"iso-8859-7", "mime/lore-ksummit/iso-8859-7-1__7ecc9f4f9363.eml", "text", "don’t know"},
		{"iso-8859-2 word", "mime/php-mime-mail-parser/m0023.eml", "subject", "you understand the example."},
		{"iso-8859-8-i word", "mime/php-mime-mail-parser/issue149.eml", "subject", "מענה 'אני לא נמצא'"},
		{"windows-1250 word", "mime/php-mime-mail-parser/issue212.eml", "subject", "Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle"},
		{"windows-1251 word", "mime/ruby-mail/plain_emails__raw_email_bad_time.eml", "from", "Атиковa"},
		{"utf-8 subject", "mime/php-mime-mail-parser/m0022.eml", "subject", "árvíztűrő tükörfúrógép"},
		{"x-unknown", "mime/ruby-mail/plain_emails__raw_email10.eml", "text", "Envoyé par le service de messagerie texte de Bell Mobilité"},
		{"fakescii", "mime/enmime/low-quality__unk-charset-part.eml", "text", "A text section"},
		{"unicode-1-1-utf-7", "mime/sisimai-bounces/lhost-outlook-01.eml", "text", "Delivery to the following recipients failed."},
		{"undeclared latin-1", "mime/enmime/parts__chardet-success-iso-8859-1.eml", "text", "Drachenköpfe"},
		{"8-bit filename header", "mime/enmime/mail__mime-bad-8bit-filename.eml", "attachment", "管理.doc"},
	}
	for _, tc := range tests {
		t.Run(tc.charset, func(t *testing.T) {
			m := corpusMessage(t, tc.path)
			got := m.Text
			switch tc.where {
			case "subject":
				got = m.Subject
			case "from":
				if len(m.From) > 0 {
					got = m.From[0].Name
				}
			case "attachment":
				got = ""
				for _, a := range m.Attachments {
					got += a.Name + " "
				}
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

// TestBodyCharsets decodes bodies in charsets the corpus declares without
// visible text, and the bogus labels, from bytes written out by hand.
func TestBodyCharsets(t *testing.T) {
	tests := []struct {
		name, label, cte, body, want string
	}{
		{"big5", "big5", "", "\xa4\xa4\xa4\xe5", "中文"},
		{"x-mac-cyrillic", "x-mac-cyrillic", "", "\x8f\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"windows-1251", "windows-1251", "", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"koi8-r", "koi8-r", "", "\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"},
		{"iso-8859-15 euro", "iso-8859-15", "", "5 \xa4", "5 €"},
		{"windows-1252 euro", "windows-1252", "", "5 \x80", "5 €"},
		{"iso-8859-2", "iso-8859-2", "", "\xbf\xf3\xb3w", "żółw"},
		{"windows-1250", "windows-1250", "", "\xbf\xf3\xb3w \x9c", "żółw ś"},
		{"iso-2022-jp", "iso-2022-jp", "", "\x1b$B$9$_$^$;$s\x1b(B", "すみません"},
		{"utf-7", "utf-7", "", "Hi +AKM-1 +ZeVnLIqe-", "Hi £1 日本語"},
		{"unicode-1-1-utf-7", "unicode-1-1-utf-7", "", "1 +- 1", "1 + 1"},
		{"utf-16 with bom", "utf-16", "base64", "//48AHAAPgBoAGkAPAAvAHAAPgA=", "<p>hi</p>"},
		{"utf-16 big endian default", "utf-16", "", "\x00h\x00i", "hi"},
		{"qp damaged label", "3Dutf-8", "", "zażółć", "zażółć"},
		{"typo label utf-8 text", "uft-8", "", "zażółć", "zażółć"},
		{"none label latin-1 text", "none", "", "caf\xe9", "café"},
		{"fakescii", "fakescii", "", "caf\xe9", "café"},
		{"x-unknown utf-8 text", "x-unknown", "", "café", "café"},
		{"charset= repeated", "charset=us-ascii", "", "plain", "plain"},
		{"declared latin-1 but utf-8", "iso-8859-1", "", "zażółć gęślą jaźń", "zażółć gęślą jaźń"},
		{"utf-8 with one bad byte", "utf-8", "", "Привет \xff мир, как дела", "Привет \uFFFD мир"},
		{"utf-8 declared, latin-1 text", "utf-8", "", "na\xefve caf\xe9", "naïve café"},
		{"iso-2022-jp label, utf-8 text", "iso-2022-jp", "", "猫ちゃん", "猫ちゃん"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: a@example.org\r\nSubject: t\r\nContent-Type: text/plain; charset=\"" + tc.label + "\"\r\n"
			if tc.cte != "" {
				raw += "Content-Transfer-Encoding: " + tc.cte + "\r\n"
			}
			raw += "\r\n" + tc.body
			m, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, tc.want) {
				t.Errorf("got %q, want it to contain %q", m.Text, tc.want)
			}
		})
	}
}

func TestEncodedWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"q utf-8", "=?utf-8?q?caf=C3=A9?=", "café"},
		{"b iso-8859-2", "=?ISO-8859-2?B?v/Ozdw==?=", "żółw"},
		{"adjacent words joined", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
		{"text between words kept", "=?utf-8?q?a?= x =?utf-8?q?b?=", "a x b"},
		{"character split across words", "=?utf-8?B?5pel?= =?utf-8?B?5pys?=", "日本"},
		{"shift_jis split", "=?shift_jis?B?g2U=?= =?shift_jis?B?g1g=?=", "テス"},
		{"missing padding", "=?utf-8?B?eHB0bw?=", "xpto"},
		{"blank inside prefix", "=?UTF-8? Q?caf=C3=A9?=", "café"},
		{"unknown charset", "=?x-bogus?q?caf=E9?=", "café"},
		{"none charset", "=?NONE?B?VEVTVA=?=", "TEST"},
		{"underscore is space", "=?utf-8?q?a_b?=", "a b"},
		{"not a word", "=?broken", "=?broken"},
		{"encoded twice", "=?utf-8?q?=3D=3Futf-8=3Fq=3Fok=3F=3D?=", "ok"},
		{"language suffix", "=?utf-8*pl?q?tak?=", "tak"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodeWords(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFileNames covers RFC 2047 and RFC 2231 file names from the corpus and
// the cleaning of hostile ones (XSS-02).
func TestFileNames(t *testing.T) {
	tests := []struct {
		name, path string
		want       []string
	}{
		{"rfc2231 continuation", "mime/ruby-mail/multi_charset__japanese_attachment_long_name.eml",
			[]string{"かきくけこかきくけこかきくけこかきくけこかきくけこ.txt"}},
		{"rfc2047 japanese", "mime/ruby-mail/multi_charset__japanese_attachment.eml", []string{"てすと.txt"}},
		{"rfc2231 latin-1", "mime/ruby-mail/attachment_emails__attachment_with_quoted_filename.eml", []string{"Eelanalüüsi päring.jpg"}},
		{"rfc2047 inside quotes", "mime/php-mime-mail-parser/m0013.eml", []string{"50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf"}},
		{"rfc2047 base64", "mime/ruby-mail/attachment_emails__attachment_with_base64_encoded_name.eml", []string{"This is a test.pdf"}},
		{"rfc2231 utf-8", "mime/php-mime-mail-parser/issue274.eml", []string{
			"Hello from SwiftMailer.docx", "Hello from SwiftMailer.pdf", "Hello from SwiftMailer.odt",
			"Cours-Tutoriels-Serge-Tahé-1568x268.png", "test-localhost.eml", // the forwarded message, then its own files
			"Hello from SwiftMailer.docx", "Hello from SwiftMailer.pdf", "Hello from SwiftMailer.odt",
			"Cours-Tutoriels-Serge-Tahé-1568x268.png"}},
		{"ks_c_5601 word", "mime/php-mime-mail-parser/m0018.eml", []string{"사진.JPG", "ATT00001.txt"}},
		{"hostile", "hostile/XSS-02-filenames.eml", []string{"_img src=x onerror=alert(1)_.txt", "_svg onload=alert(1)_.pdf", "x.exegpj.txt"}},
		{"unnamed parts", "mime/enmime/dsn__simple_dsn.eml", []string{"attachment-1.txt", "attachment-2.eml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := corpusMessage(t, tc.path)
			var got []string
			for _, a := range m.Attachments {
				got = append(got, a.Name)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCleanFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{`C:\Users\ann\Desktop\invoice.pdf`, "invoice.pdf"},
		{"../../etc/passwd", "passwd"},
		{"..", ""},
		{".htaccess", "htaccess"},
		{"a\x00b\r\nc.txt", "abc.txt"},
		{"evil\u202Efdp.exe", "evilfdp.exe"},
		{"trailing. . ", "trailing"},
		{strings.Repeat("x", 300) + ".pdf", strings.Repeat("x", 251) + ".pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := cleanFileName(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMediaType(t *testing.T) {
	tests := []struct {
		in, typ string
		params  map[string]string
	}{
		{`text/plain; charset="utf-8"`, "text/plain", map[string]string{"charset": "utf-8"}},
		{`TEXT/HTML;CHARSET=ISO-8859-1`, "text/html", map[string]string{"charset": "ISO-8859-1"}},
		{`text/plain charset=us-ascii`, "text/plain", map[string]string{"charset": "us-ascii"}},
		{`multipart/mixed; boundary="a;b"; boundary=c`, "multipart/mixed", map[string]string{"boundary": "a;b"}},
		{`application/pdf; name=Invoice_(1).pdf`, "application/pdf", map[string]string{"name": "Invoice_(1).pdf"}},
		{`application/pdf; name="unterminated.pdf`, "application/pdf", map[string]string{"name": "unterminated.pdf"}},
		{`attachment; filename*=UTF-8''%C5%BC%C3%B3%C5%82w.txt`, "attachment", map[string]string{"filename": "żółw.txt"}},
		{`attachment; filename*0*=utf-8''a%C3; filename*1*=%A9.txt; filename="plain.txt"`, "attachment", map[string]string{"filename": "aé.txt"}},
		{`text/`, "text/plain", map[string]string{}},
		{`text/plain>`, "text/plain", map[string]string{}},
		{`"text/plain"`, "text/plain", map[string]string{}},
		{``, "", map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			typ, params := parseMediaType(tc.in)
			if typ != tc.typ {
				t.Errorf("type: got %q, want %q", typ, tc.typ)
			}
			for k, v := range tc.params {
				if params[k] != v {
					t.Errorf("%s: got %q, want %q", k, params[k], v)
				}
			}
		})
	}
}

// TestEightBitHeaders covers raw 8-bit header bytes: UTF-8 when valid, else
// the part's charset, else windows-1252.
func TestEightBitHeaders(t *testing.T) {
	tests := []struct{ name, subject, ctype, want string }{
		{"raw utf-8", "Zażółć gęślą", "text/plain; charset=iso-8859-2", "Zażółć gęślą"},
		{"part charset", "\xa3\xf3d\xbc", "text/plain; charset=iso-8859-2", "Łódź"},
		{"no charset", "caf\xe9 \x80", "text/plain", "café €"},
		{"multipart, charset of a part", "\xcf\xf0\xe8\xe2\xe5\xf2", "multipart/mixed; boundary=b", "Привет"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := "From: a@example.org\r\nSubject: " + tc.subject + "\r\nContent-Type: " + tc.ctype + "\r\n\r\n"
			if strings.HasPrefix(tc.ctype, "multipart") {
				raw += "--b\r\nContent-Type: text/plain; charset=windows-1251\r\n\r\nx\r\n--b--\r\n"
			}
			m, err := Parse([]byte(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.want || m.Header.Get("Subject") != tc.want {
				t.Errorf("got %q, want %q", m.Subject, tc.want)
			}
		})
	}
	m := parseFile(t, "testdata/forward-cs-outlook.eml")
	if m.Subject != "PŘEPOSLAT: Dotaz na fakturu" {
		t.Errorf("windows-1250 subject: got %q", m.Subject)
	}
}
