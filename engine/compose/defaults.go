package compose

import "strings"

// Defaults returns the built-in templates for lang, an ISO 639-1 code such
// as "en", "pl" or "cs" (a region such as "pl-PL" is ignored). Any other
// language gets English. The Polish and Czech texts address the customer
// without a name, as a letter in those languages does when the vocative
// form of the name is not known.
func Defaults(lang string) map[Kind]Template {
	lang, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(lang)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	switch lang {
	case "pl":
		return polish()
	case "cs":
		return czech()
	}
	return english()
}

// english returns the English templates.
func english() map[Kind]Template {
	const (
		added = "If you would like to add anything, just reply to this email and keep the ticket number in the subject.\n\n" +
			"You can check the status of your request at any time: <{{ticket_url}}>\n\n"
		bye = "Kind regards,\n{{desk_name}}\n"
	)
	return map[Kind]Template{
		Ack: {
			Subject: "[{{ticket_number}}] We have received your request: {{ticket_title}}",
			Body: "Hello {{customer_name}},\n\n" +
				"Thank you for contacting {{desk_name}}. We have received your request and opened ticket {{ticket_number}}. " +
				"One of our team will get back to you as soon as possible.\n\n" + added + bye,
		},
		AckAfterHours: {
			Subject: "[{{ticket_number}}] We have received your request: {{ticket_title}}",
			Body: "Hello {{customer_name}},\n\n" +
				"Thank you for contacting {{desk_name}}. We have received your request and opened ticket {{ticket_number}}.\n\n" +
				"Your message reached us outside our working hours, so we will reply on the next working day. " +
				"There is no need to send it again.\n\n" + added + bye,
		},
		AgentReply: {
			Subject: "Re: [{{ticket_number}}] {{ticket_title}}",
			Body: "{{comment_content}}\n\n{{agent_name}}\n{{desk_name}}\n\n" +
				"Ticket {{ticket_number}}: <{{ticket_url}}>\n\n" +
				"Your last message:\n\n{{quote}}\n",
		},
		Resolved: {
			Subject: "[{{ticket_number}}] Resolved: {{ticket_title}}",
			Body: "Hello {{customer_name}},\n\n" +
				"Your request {{ticket_number}} (\u201c{{ticket_title}}\u201d) has been marked as resolved.\n\n" +
				"If anything is still unclear or the problem comes back, just reply to this email and we will reopen the ticket.\n\n" + bye,
		},
		Summary: {
			Subject: "[{{ticket_number}}] Summary: {{ticket_title}}",
			Body: "Hello {{customer_name}},\n\n" +
				"Here is a summary of the correspondence on ticket {{ticket_number}} (\u201c{{ticket_title}}\u201d):\n\n" +
				"{{summary}}\n\nCurrent status: {{status}}\n\n" +
				"The whole conversation is available here: <{{ticket_url}}>\n\n" + bye,
		},
		AgentNotify: {
			Subject: "[{{ticket_number}}] New message from {{customer_name}}: {{ticket_title}}",
			Body: "Hello {{agent_name}},\n\n" +
				"{{customer_name}} has written on ticket {{ticket_number}} (\u201c{{ticket_title}}\u201d), which is assigned to you:\n\n" +
				"{{quote}}\n\nStatus: {{status}}\n\nOpen the ticket: <{{ticket_url}}>\n",
		},
	}
}

// polish returns the Polish templates. They address the customer as
// "Państwo", which needs no gender.
func polish() map[Kind]Template {
	const (
		hello = "Dzień dobry,\n\n"
		got   = "dziękujemy za kontakt. Otrzymaliśmy Państwa wiadomość i założyliśmy zgłoszenie o numerze {{ticket_number}}."
		added = "Jeśli chcą Państwo coś dodać, wystarczy odpowiedzieć na tę wiadomość, zachowując numer zgłoszenia w temacie.\n\n" +
			"Stan zgłoszenia można sprawdzić w każdej chwili: <{{ticket_url}}>\n\n"
		bye = "Z poważaniem\n{{desk_name}}\n"
	)
	return map[Kind]Template{
		Ack: {
			Subject: "[{{ticket_number}}] Potwierdzenie przyjęcia zgłoszenia: {{ticket_title}}",
			Body:    hello + got + " Odpowiemy najszybciej, jak to będzie możliwe.\n\n" + added + bye,
		},
		AckAfterHours: {
			Subject: "[{{ticket_number}}] Potwierdzenie przyjęcia zgłoszenia: {{ticket_title}}",
			Body: hello + got + "\n\n" +
				"Wiadomość dotarła do nas poza godzinami pracy, dlatego odpowiemy w najbliższym dniu roboczym. " +
				"Nie trzeba jej wysyłać ponownie.\n\n" + added + bye,
		},
		AgentReply: {
			Subject: "Re: [{{ticket_number}}] {{ticket_title}}",
			Body: "{{comment_content}}\n\n{{agent_name}}\n{{desk_name}}\n\n" +
				"Zgłoszenie {{ticket_number}}: <{{ticket_url}}>\n\n" +
				"Państwa ostatnia wiadomość:\n\n{{quote}}\n",
		},
		Resolved: {
			Subject: "[{{ticket_number}}] Zgłoszenie rozwiązane: {{ticket_title}}",
			Body: hello +
				"zgłoszenie {{ticket_number}} (\u201e{{ticket_title}}\u201d) zostało oznaczone jako rozwiązane.\n\n" +
				"Jeśli coś jest jeszcze niejasne albo problem powróci, wystarczy odpowiedzieć na tę wiadomość, " +
				"a zgłoszenie zostanie ponownie otwarte.\n\n" + bye,
		},
		Summary: {
			Subject: "[{{ticket_number}}] Podsumowanie: {{ticket_title}}",
			Body: hello +
				"poniżej przesyłamy podsumowanie korespondencji w zgłoszeniu {{ticket_number}} (\u201e{{ticket_title}}\u201d):\n\n" +
				"{{summary}}\n\nObecny status: {{status}}\n\n" +
				"Całą korespondencję można zobaczyć tutaj: <{{ticket_url}}>\n\n" + bye,
		},
		AgentNotify: {
			Subject: "[{{ticket_number}}] Nowa wiadomość od klienta: {{ticket_title}}",
			Body: "W zgłoszeniu {{ticket_number}} (\u201e{{ticket_title}}\u201d), przypisanym do Ciebie, pojawiła się nowa wiadomość.\n\n" +
				"Od: {{customer_name}}\nStatus: {{status}}\n\n{{quote}}\n\n" +
				"Otwórz zgłoszenie: <{{ticket_url}}>\n",
		},
	}
}

// czech returns the Czech templates, in the formal "Vy".
func czech() map[Kind]Template {
	const (
		hello = "Dobrý den,\n\n"
		got   = "děkujeme za Vaši zprávu. Váš požadavek jsme přijali a zaevidovali pod číslem {{ticket_number}}."
		added = "Pokud chcete cokoli doplnit, stačí odpovědět na tento e-mail a ponechat číslo požadavku v předmětu.\n\n" +
			"Stav požadavku můžete kdykoli sledovat zde: <{{ticket_url}}>\n\n"
		bye = "S pozdravem\n{{desk_name}}\n"
	)
	return map[Kind]Template{
		Ack: {
			Subject: "[{{ticket_number}}] Potvrzení přijetí požadavku: {{ticket_title}}",
			Body:    hello + got + " Ozveme se Vám co nejdříve.\n\n" + added + bye,
		},
		AckAfterHours: {
			Subject: "[{{ticket_number}}] Potvrzení přijetí požadavku: {{ticket_title}}",
			Body: hello + got + "\n\n" +
				"Vaše zpráva k nám dorazila mimo pracovní dobu, proto se Vám ozveme hned následující pracovní den. " +
				"Není třeba ji posílat znovu.\n\n" + added + bye,
		},
		AgentReply: {
			Subject: "Re: [{{ticket_number}}] {{ticket_title}}",
			Body: "{{comment_content}}\n\n{{agent_name}}\n{{desk_name}}\n\n" +
				"Požadavek {{ticket_number}}: <{{ticket_url}}>\n\n" +
				"Vaše poslední zpráva:\n\n{{quote}}\n",
		},
		Resolved: {
			Subject: "[{{ticket_number}}] Požadavek vyřešen: {{ticket_title}}",
			Body: hello +
				"Váš požadavek {{ticket_number}} (\u201e{{ticket_title}}\u201c) byl označen jako vyřešený.\n\n" +
				"Pokud je ještě něco nejasné nebo se problém objeví znovu, stačí odpovědět na tento e-mail " +
				"a požadavek znovu otevřeme.\n\n" + bye,
		},
		Summary: {
			Subject: "[{{ticket_number}}] Shrnutí: {{ticket_title}}",
			Body: hello +
				"zasíláme shrnutí dosavadní komunikace k požadavku {{ticket_number}} (\u201e{{ticket_title}}\u201c):\n\n" +
				"{{summary}}\n\nAktuální stav: {{status}}\n\n" +
				"Celou komunikaci najdete zde: <{{ticket_url}}>\n\n" + bye,
		},
		AgentNotify: {
			Subject: "[{{ticket_number}}] Nová zpráva od zákazníka: {{ticket_title}}",
			Body: "V požadavku {{ticket_number}} (\u201e{{ticket_title}}\u201c), který máte přiřazený, je nová zpráva.\n\n" +
				"Od: {{customer_name}}\nStav: {{status}}\n\n{{quote}}\n\n" +
				"Otevřít požadavek: <{{ticket_url}}>\n",
		},
	}
}
