package engine

import (
	"context"
	"os"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"searchdesk/engine/corpustest"
	"searchdesk/engine/mime"
)

// readCorpus reads the file rel of the shared corpus.
func readCorpus(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpustest.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const polishForward = "From: Anna Agent <anna.agent@desk.example.com>\r\n" +
	"To: support@desk.example.com\r\nSubject: PD: Reklamacja zamówienia\r\n" +
	"Message-ID: <pl-fwd@desk.example.com>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
	"Przekazuję zgłoszenie klientki.\r\n\r\n" +
	"---------- Wiadomość przekazana ----------\r\n" +
	"Od: Zofia Wiśniewska <zofia.wisniewska@klient.example.pl>\r\n" +
	"Data: pon., 23 lis 2026 o 09:12\r\nTemat: Reklamacja zamówienia\r\n" +
	"Do: Anna Agent <anna.agent@desk.example.com>\r\n\r\n" +
	"Dzień dobry, paczka przyszła uszkodzona.\r\n"

const czechForward = "From: Anna Agent <anna.agent@desk.example.com>\r\n" +
	"To: support@desk.example.com\r\nSubject: Fwd: Nefunguje přihlášení\r\n" +
	"Message-ID: <cz-fwd@desk.example.com>\r\nDate: Mon, 23 Nov 2026 10:05:00 +0100\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
	"Posílám dál.\r\n\r\n" +
	"---------- Přeposlaná zpráva ----------\r\n" +
	"Od: Jiří Dvořák <jiri.dvorak@firma.example.cz>\r\n" +
	"Datum: po 23. 11. 2026 v 9:30\r\nPředmět: Nefunguje přihlášení\r\n" +
	"Komu: <anna.agent@desk.example.com>\r\n\r\n" +
	"Dobrý den, nemohu se přihlásit.\r\n"

// TestForwards: a desk member's forward opens the ticket for the original
// sender (rule forward); anyone else's forward is their own ticket (MAIL-08).
func TestForwards(t *testing.T) {
	samples := map[string][]byte{
		"inline raw_email8":        readCorpus(t, "mime/ruby-mail/plain_emails__raw_email8.eml"),
		"inline mime raw_email2":   readCorpus(t, "mime/ruby-mail/mime_emails__raw_email2.eml"),
		"rfc822 attachment":        readCorpus(t, "mime/ruby-mail/attachment_emails__attachment_message_rfc822.eml"),
		"rfc822 with inline image": readCorpus(t, "mime/ruby-mail/attachment_emails__attachment_message_rfc822_inline_image.eml"),
		"rfc822 issue158a":         readCorpus(t, "mime/php-mime-mail-parser/issue158a.eml"),
		"polish inline forward":    []byte(polishForward),
		"czech inline forward":     []byte(czechForward),
		"hostile forward by agent": readCorpus(t, "hostile/MAIL-08-forward-by-agent.eml"),
	}
	ctx := context.Background()
	for name, raw := range samples {
		t.Run(name, func(t *testing.T) {
			pm, err := mime.Parse(raw, mime.DefaultLimits())
			if err != nil || pm.Forward == nil || len(pm.From) == 0 {
				t.Fatalf("parse: got forward %v, err %v; want a forward", pm != nil && pm.Forward != nil, err)
			}
			forwarder, original := normAddr(pm.From[0].Addr), normAddr(pm.Forward.From.Addr)
			for _, member := range []bool{true, false} {
				s := openTest(t)
				d := newDesk(t, s)
				if member {
					if _, err := s.AddUser(ctx, User{Email: forwarder, Role: RoleAgent, Desks: []string{d.ID}}); err != nil {
						t.Fatal(err)
					}
				}
				r := intake(t, s, raw)
				owner := contactOf(t, s, r.TicketID)
				switch {
				case member && (r.Reason.Rule != RuleForward || owner != original):
					t.Errorf("forward by a member: got rule %q, ticket owner %q; want forward, %q", r.Reason.Rule, owner, original)
				case !member && (r.Reason.Rule == RuleForward || owner != forwarder):
					t.Errorf("forward by a non-member: got rule %q, ticket owner %q; want an ordinary ticket of %q", r.Reason.Rule, owner, forwarder)
				}
			}
		})
	}
}

func contactOf(t *testing.T, s *Store, ticketID string) string {
	t.Helper()
	tk, err := s.Ticket(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	var c Contact
	err = s.db.View(func(txn *badger.Txn) error { return getJSON(txn, key(pContact, tk.ContactID), &c) })
	if err != nil || len(c.Addresses) == 0 {
		t.Fatalf("contact of %s: %v", tk.Number, err)
	}
	return c.Addresses[0]
}
