package main

import (
	"context"
	"fmt"
	"mime"
	"strings"
	"time"

	"searchdesk/engine"
)

// demoMail is one message of the demo data, written as real mail so that it
// goes through the same intake path as everything else.
type demoMail struct {
	from, to, cc, subject, id, inReplyTo, refs, body string
	at                                               time.Duration // before now
	extraHeaders                                     string
}

func (m demoMail) raw(now time.Time) []byte {
	var b strings.Builder
	h := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	h("From", m.from)
	h("To", m.to)
	h("Cc", m.cc)
	h("Subject", mime.QEncoding.Encode("utf-8", m.subject))
	h("Date", now.Add(-m.at).Format(time.RFC1123Z))
	h("Message-ID", m.id)
	h("In-Reply-To", m.inReplyTo)
	h("References", m.refs)
	h("MIME-Version", "1.0")
	b.WriteString(m.extraHeaders)
	if m.extraHeaders == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "8bit")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(m.body, "\n", "\r\n"))
	return []byte(b.String())
}

// loadDemo fills an empty store with tickets in English, Polish and Czech:
// threaded replies, an agent's reply, a forward, a bounce, an internal note
// and tasks. It returns how many messages it stored; 0 if the store already
// had tickets.
func loadDemo(ctx context.Context, st *engine.Store) (int, error) {
	c, err := st.Count(ctx)
	if err != nil || c.Tickets > 0 {
		return 0, err
	}
	desk, err := st.EnsureDesk(ctx, "")
	if err != nil {
		return 0, err
	}
	desk.Addresses = []string{"support@desk.example.com"}
	if desk, err = st.SaveDesk(ctx, desk); err != nil {
		return 0, err
	}
	if _, err := st.SaveAccount(ctx, "demo", engine.Account{Name: "Acme", Domains: []string{"acme.example"}}); err != nil {
		return 0, err
	}
	var agent engine.User
	for _, u := range []engine.User{
		{Email: "admin@desk.example.com", Name: "Ada Admin", Role: engine.RoleAdmin},
		{Email: "olga.operator@desk.example.com", Name: "Olga Operator", Role: engine.RoleOperator},
		{Email: "anna.agent@desk.example.com", Name: "Anna Agent", Role: engine.RoleAgent, Desks: []string{desk.ID}},
	} {
		u, err := st.AddUser(ctx, u)
		if err != nil {
			return 0, err
		}
		if err := st.SetPassword(ctx, u.ID, demoPassword); err != nil {
			return 0, err
		}
		if u.Role == engine.RoleAgent {
			agent = u
		}
	}
	now := time.Now().UTC()
	n := 0
	intake := func(m demoMail) (engine.IntakeResult, error) {
		n++
		return st.Intake(ctx, engine.Inbound{Raw: m.raw(now), Source: "demo", Channel: "email"})
	}
	first := demoMails()
	results := map[string]engine.IntakeResult{}
	for _, m := range first {
		r, err := intake(m)
		if err != nil {
			return n, err
		}
		results[m.id] = r
	}
	en := results["<printer-1@acme.example>"]
	reply, err := st.AddReply(ctx, agent, en.TicketID, "Hello Jane,\n\nplease switch the printer off and on again and tell us what the display shows.\n\nAnna")
	if err != nil {
		return n, err
	}
	follow := []demoMail{
		{from: "Jane Doe <jane@acme.example>", to: "support@desk.example.com", subject: "Re: Printer jammed on floor 3",
			id: "<printer-3@acme.example>", inReplyTo: reply.MessageID, refs: "<printer-1@acme.example> " + reply.MessageID,
			body: "It shows E-42 (paper jam) even with the tray empty.\n\nJane", at: 30 * time.Minute},
		{from: "Mail Delivery System <MAILER-DAEMON@mx.example.net>", to: "support@desk.example.com",
			subject: "Undelivered Mail Returned to Sender", id: "<bounce-1@mx.example.net>", at: 20 * time.Minute,
			extraHeaders: "Auto-Submitted: auto-replied\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n",
			body:         "--b1\nContent-Type: text/plain\n\nYour message to jane.old@acme.example could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; jane.old@acme.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n--b1\nContent-Type: text/rfc822-headers\n\nMessage-ID: " + reply.MessageID + "\nSubject: Re: Printer jammed on floor 3\n\n--b1--\n"},
	}
	for _, m := range follow {
		if _, err := intake(m); err != nil {
			return n, err
		}
	}
	cz := results["<prihlaseni-1@firma.example.cz>"]
	if _, err := st.AddNote(ctx, agent, cz.TicketID, "Zákazník má zablokovaný účet po třech pokusech — odblokovat až po ověření telefonem."); err != nil {
		return n, err
	}
	pl := results["<faktura-1@sklep.example.pl>"]
	for _, title := range []string{"Wystawić korektę faktury", "Sprawdzić płatność w banku"} {
		if _, err := st.AddTask(ctx, agent.Email, engine.Task{TicketID: pl.TicketID, Title: title, AssigneeID: agent.ID}); err != nil {
			return n, err
		}
	}
	return n + 3, st.Sync()
}

func demoMails() []demoMail {
	return []demoMail{
		{from: "Jane Doe <jane@acme.example>", to: "support@desk.example.com", cc: "Tom Lee <tom@acme.example>",
			subject: "Printer jammed on floor 3", id: "<printer-1@acme.example>", at: 5 * time.Hour,
			body: "Hello,\n\nthe printer on floor 3 is jammed again and shows a paper error.\nWe tried to open the tray but it is stuck.\n\nThanks,\nJane Doe\nAcme"},
		{from: "Tom Lee <tom@acme.example>", to: "Jane Doe <jane@acme.example>", cc: "support@desk.example.com",
			subject: "Re: Printer jammed on floor 3", id: "<printer-2@acme.example>", at: 4 * time.Hour,
			inReplyTo: "<printer-1@acme.example>", refs: "<printer-1@acme.example>",
			body: "Same here on floor 2 since this morning.\n\nTom\n\n> the printer on floor 3 is jammed again"},
		{from: "Jan Kowalski <jan.kowalski@sklep.example.pl>", to: "support@desk.example.com",
			subject: "Błędna kwota na fakturze", id: "<faktura-1@sklep.example.pl>", at: 3 * time.Hour,
			body: "Dzień dobry,\n\nna fakturze za październik kwota jest o 200 zł za wysoka. Proszę o korektę.\n\nPozdrawiam\nJan Kowalski"},
		{from: "Jan Kowalski <jan.kowalski@sklep.example.pl>", to: "support@desk.example.com",
			subject: "Odp: Błędna kwota na fakturze", id: "<faktura-2@sklep.example.pl>", at: 2 * time.Hour,
			inReplyTo: "<faktura-1@sklep.example.pl>", refs: "<faktura-1@sklep.example.pl>",
			body: "W załączniku przesyłam potwierdzenie przelewu.\n\nJan"},
		{from: "Petr Novák <petr.novak@firma.example.cz>", to: "support@desk.example.com",
			subject: "Přihlášení nefunguje", id: "<prihlaseni-1@firma.example.cz>", at: 90 * time.Minute,
			body: "Dobrý den,\n\npo změně hesla se nemohu přihlásit do portálu, zobrazuje se chyba „neplatné heslo“.\n\nDěkuji\nPetr Novák"},
		{from: "Anna Agent <anna.agent@desk.example.com>", to: "support@desk.example.com",
			subject: "PD: Zamówienie 1182 nie dotarło", id: "<fwd-1@desk.example.com>", at: 60 * time.Minute,
			body: "Klientka dzwoniła w tej sprawie, przekazuję.\n\n---------- Wiadomość przekazana ----------\nOd: Ewa Nowak <ewa.nowak@poczta.example.pl>\nData: pon., 23 lis 2026 09:12\nTemat: Zamówienie 1182 nie dotarło\nDo: Anna Agent <anna.agent@desk.example.com>\n\nDzień dobry, zamówienie 1182 miało przyjść w piątek, a nadal go nie ma.\nEwa Nowak"},
	}
}
