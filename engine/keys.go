package engine

import (
	"encoding/binary"
	"strings"
)

// Key layout. Every record kind has its own prefix; ids are ULIDs, so keys
// of one kind sort by creation time. Secondary keys map a lookup value to an
// id. Values are JSON unless noted.
//
//	desk/<deskID>                          Desk
//	deskcode/<code>                        deskID (raw)
//	ticket/<ticketID>                      Ticket
//	tnum/<deskID>/<NUMBER upper>           ticketID (raw)
//	tmsg/<ticketID>/<messageID>            empty: the messages of a ticket, in order
//	msg/<messageID>                        Message
//	raw/<messageID>/<nnnn>                 raw RFC 5322 bytes, verbatim, in chunks of 1 MiB
//	blob/<sha256 hex>                      attachment bytes, stored once per content
//	atext/<sha256 hex>                     an attachment's extracted text: kind, "\n", UTF-8 text
//	mid/<deskID>/<Message-ID hash>         ticketID (raw): every Message-ID the desk has
//	                                       received, sent, or seen named in References or
//	                                       In-Reply-To of a stored message
//	mstored/<deskID>/<Message-ID hash>/<msgID> body hash (raw): stored messages with that Message-ID
//	chash/<deskID>/<content hash>          messageID (raw): messages without Message-ID
//	subj/<deskID>/<subject hash>/<ticketID> empty: tickets by normalized subject
//	contact/<contactID>                    Contact
//	caddr/<address>                        contactID (raw)
//	account/<accountID>                    Account
//	adom/<domain>                          accountID (raw)
//	aname/<lower-case name>                accountID (raw)
//	user/<userID>                          User
//	uemail/<address>                       userID (raw)
//	task/<taskID>                          Task
//	ttask/<ticketID>/<taskID>              empty
//	tref/<kind>/<recordID>/<ticketID>      empty: the tickets whose index documents copy values
//	                                       from a record (kind desk, contact, account, user:
//	                                       the assignee), so a change to it re-indexes them
//	audit/<ticketID>/<auditID>             AuditEntry
//	raudit/<kind>/<recordID>/<auditID>     AuditEntry of a contact, account or user change
//	feed/<seq: 8 bytes big endian>         FeedEntry
//	outbox/<outboxID>                      OutboxMail
//	outq/<outboxID>                        empty: mail still to send
//	tout/<ticketID>/<outboxID>             empty: a ticket's outgoing mail
//	omid/<deskID>/<Message-ID hash>        outboxID (raw): finds the mail a bounce reports
//	orcpt/<deskID>/<address>               outboxID (raw): the last mail sent to address, for reports naming no Message-ID
//	arate/<address>                        JSON times of recent automatic mail to address
//	imapuid/<mailboxID>/<UIDVALIDITY>/<UID> messageID (raw): IMAP messages stored
//	mbox/<mailboxID>                       MailboxState
//	view/<viewID>                          SavedView
//	category/<slug>                        Category
//	ttype/<slug>                           TicketType
//	session/<sha256 of cookie token>       Session (with a Badger TTL past its expiry)
//	apitok/<sha256 of bearer token>        APIToken
//	utok/<userID>/<tokenID>                APIToken: a user's tokens
//	counter/<deskID>/<period key>          uint64 big endian: ticket-number counters
//	meta/<name>                            store metadata (feed sequence; trefs once tref/ keys are built)
const (
	pDesk     = "desk/"
	pDeskCode = "deskcode/"
	pTicket   = "ticket/"
	pTNum     = "tnum/"
	pTMsg     = "tmsg/"
	pMsg      = "msg/"
	pRaw      = "raw/"
	pBlob     = "blob/"
	pAText    = "atext/"
	pMID      = "mid/"
	pMStored  = "mstored/"
	pCHash    = "chash/"
	pSubj     = "subj/"
	pContact  = "contact/"
	pCAddr    = "caddr/"
	pAccount  = "account/"
	pADom     = "adom/"
	pAName    = "aname/"
	pUser     = "user/"
	pUEmail   = "uemail/"
	pTask     = "task/"
	pTTask    = "ttask/"
	pTRef     = "tref/"
	pAudit    = "audit/"
	pRAudit   = "raudit/"
	pFeed     = "feed/"
	pOutbox   = "outbox/"
	pOutboxQ  = "outq/"
	pTOut     = "tout/"
	pOMID     = "omid/"
	pORcpt    = "orcpt/"
	pARate    = "arate/"
	pIMAP     = "imapuid/"
	pMbox     = "mbox/"
	pView     = "view/"
	pCategory = "category/"
	pTType    = "ttype/"
	pSession  = "session/"
	pAPIToken = "apitok/"
	pUToken   = "utok/"
	pCounter  = "counter/"
	pMeta     = "meta/"

	metaFeedSeq = pMeta + "feedseq"
	metaTRefs   = pMeta + "trefs" // set once every ticket has its tref/ keys
)

// key joins parts into one key; parts must not contain "/" unless they are
// the last part.
func key(prefix string, parts ...string) []byte {
	var b strings.Builder
	b.WriteString(prefix)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return []byte(b.String())
}

func feedKey(seq uint64) []byte {
	k := make([]byte, len(pFeed)+8)
	copy(k, pFeed)
	binary.BigEndian.PutUint64(k[len(pFeed):], seq)
	return k
}

func u64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func u64b(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
