package http

import (
	nethttp "net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// apiOp documents one operation of the JSON API. The table is written by
// hand, apart from the router, and a test holds the two together: every
// /api/v1 route has an entry here and every entry a route.
type apiOp struct {
	Summary string
	Tag     string
	Body    string // component schema of the request body, if any
	Answer  string // component schema of the 2xx answer
	Status  int    // the 2xx status (default 200)
	Query   []apiParam
	Public  bool // needs no sign-in
	// Searches: the operation runs a search, so it may answer 422
	// search_timeout.
	Searches bool
}

type apiParam struct {
	Name, Type, Doc string
}

func apiOps() map[string]apiOp {
	return map[string]apiOp{
		"GET /api/v1/openapi.json": {Summary: "This document", Tag: "meta", Answer: "Object", Public: true},
		"POST /api/v1/session":     {Summary: "Sign in with email and password; sets the session cookie", Tag: "session", Body: "SignIn", Answer: "SessionStarted", Public: true},
		"DELETE /api/v1/session":   {Summary: "Sign out", Tag: "session", Status: 204},
		"GET /api/v1/me":           {Summary: "The signed-in user (and the session's CSRF token)", Tag: "session", Answer: "Me"},
		"GET /api/v1/tickets": {Summary: "Search tickets with the query language", Tag: "tickets", Answer: "TicketPage", Searches: true, Query: []apiParam{
			{"q", "string", "a query in the query language; empty: every ticket you may see"},
			{"limit", "integer", "tickets a page, 1 to 1000 (default 25)"},
			{"cursor", "string", "the next field of the previous page"},
			{"facets", "string", "1: count tickets per facet value over all matches"}}},
		"GET /api/v1/tickets/{id}":                    {Summary: "A ticket with its messages, tasks and outgoing mail", Tag: "tickets", Answer: "TicketFull"},
		"POST /api/v1/tickets":                        {Summary: "Open a ticket with a customer's message (taken in like mail: threaded, acknowledged)", Tag: "tickets", Body: "NewTicket", Answer: "TicketOne", Status: 201},
		"PATCH /api/v1/tickets/{id}":                  {Summary: "Change status, priority, category, type, assignee, tags, watchers, contact or account", Tag: "tickets", Body: "TicketChange", Answer: "TicketOne"},
		"POST /api/v1/tickets/{id}/replies":           {Summary: "Reply to the customer (sent by mail)", Tag: "tickets", Body: "Text", Answer: "MessageOne", Status: 201},
		"POST /api/v1/tickets/{id}/notes":             {Summary: "Add an internal note", Tag: "tickets", Body: "Text", Answer: "MessageOne", Status: 201},
		"GET /api/v1/tickets/{id}/messages":           {Summary: "A ticket's messages in order", Tag: "tickets", Answer: "MessageList"},
		"GET /api/v1/tickets/{id}/audit":              {Summary: "A ticket's audit history", Tag: "tickets", Answer: "AuditList"},
		"GET /api/v1/tickets/{id}/tasks":              {Summary: "A ticket's tasks", Tag: "tasks", Answer: "TaskList"},
		"POST /api/v1/tickets/{id}/tasks":             {Summary: "Add a task to a ticket", Tag: "tasks", Body: "NewTask", Answer: "TaskOne", Status: 201},
		"POST /api/v1/tickets/{id}/merge":             {Summary: "Merge this ticket into another", Tag: "tickets", Body: "Merge", Answer: "TicketOne"},
		"PATCH /api/v1/tasks/{id}":                    {Summary: "Finish a task or open it again", Tag: "tasks", Body: "TaskDone", Answer: "TaskOne"},
		"GET /api/v1/messages/{id}":                   {Summary: "One message", Tag: "messages", Answer: "MessageOne"},
		"POST /api/v1/messages/{id}/split":            {Summary: "Split a message off into a new linked ticket", Tag: "messages", Answer: "TicketOne", Status: 201},
		"GET /api/v1/messages/{id}/attachments/{att}": {Summary: "Download an attachment", Tag: "messages", Answer: "Binary"},
		"GET /api/v1/views":                           {Summary: "Your saved views and those shared with your desks, with live counts", Tag: "views", Answer: "ViewList", Searches: true},
		"POST /api/v1/views":                          {Summary: "Save a view (with id: change it)", Tag: "views", Body: "View", Answer: "ViewOne", Status: 201},
		"DELETE /api/v1/views/{id}":                   {Summary: "Delete a saved view", Tag: "views", Status: 204},
		"GET /api/v1/contacts/{id}":                   {Summary: "A contact with the tickets you may see", Tag: "crm", Answer: "ContactCard", Searches: true},
		"POST /api/v1/contacts":                       {Summary: "Create a contact", Tag: "crm", Body: "ContactEdit", Answer: "ContactOne", Status: 201},
		"PATCH /api/v1/contacts/{id}":                 {Summary: "Change a contact's name, addresses or account", Tag: "crm", Body: "ContactEdit", Answer: "ContactOne"},
		"POST /api/v1/contacts/{id}/merge":            {Summary: "Merge this contact into another, with its addresses and tickets (operators, admins)", Tag: "crm", Body: "Merge", Answer: "ContactOne"},
		"GET /api/v1/accounts/{id}":                   {Summary: "An account with the tickets you may see", Tag: "crm", Answer: "AccountCard", Searches: true},
		"GET /api/v1/desks":                           {Summary: "The desks you belong to (all, for admins and operators)", Tag: "admin", Answer: "DeskList"},
		"GET /api/v1/users":                           {Summary: "Members of staff", Tag: "admin", Answer: "UserList"},
		"POST /api/v1/users":                          {Summary: "Add a member of staff (admins)", Tag: "admin", Body: "NewUser", Answer: "UserOne", Status: 201},
		"GET /api/v1/tokens":                          {Summary: "Your API tokens (never the tokens themselves)", Tag: "session", Answer: "TokenList"},
		"POST /api/v1/tokens":                         {Summary: "Make an API token; it is shown once", Tag: "session", Body: "NewToken", Answer: "TokenMade", Status: 201},
		"DELETE /api/v1/tokens/{id}":                  {Summary: "Revoke an API token", Tag: "session", Status: 204},
		"GET /api/v1/admin/mailboxes":                 {Summary: "Mailbox health: last success, last error, lag (admins)", Tag: "admin", Answer: "MailboxList"},
	}
}

// openAPIPath turns a Gin path (/tickets/:id) into an OpenAPI one
// (/tickets/{id}).
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
func arr(items any) map[string]any   { return map[string]any{"type": "array", "items": items} }

// apiSchemas are the component schemas the operations name.
func apiSchemas() map[string]any {
	str := map[string]any{"type": "string"}
	integer := map[string]any{"type": "integer"}
	boolean := map[string]any{"type": "boolean"}
	when := map[string]any{"type": "string", "format": "date-time"}
	strs := arr(str)
	return map[string]any{
		"Object":         map[string]any{"type": "object"},
		"Binary":         map[string]any{"type": "string", "format": "binary"},
		"Error":          obj(map[string]any{"error": obj(map[string]any{"code": str, "message": str}, "code", "message")}, "error"),
		"SignIn":         obj(map[string]any{"email": str, "password": str}, "email", "password"),
		"SessionStarted": obj(map[string]any{"csrf_token": str, "expires": when}),
		"User": obj(map[string]any{"id": str, "name": str, "email": str, "role": map[string]any{"type": "string",
			"enum": []string{"admin", "operator", "agent"}}, "desks": strs, "disabled": boolean}),
		"Me":       obj(map[string]any{"user": ref("User"), "csrf_token": str}),
		"UserOne":  obj(map[string]any{"user": ref("User")}),
		"UserList": obj(map[string]any{"users": arr(ref("User"))}),
		"NewUser": obj(map[string]any{"name": str, "email": str, "role": str, "desks": strs,
			"password": map[string]any{"type": "string", "minLength": 10}}, "email", "role"),
		"Highlight": obj(map[string]any{"message_id": str, "field": str, "attachment": str, "fragment": str}),
		"Ticket": obj(map[string]any{"id": str, "number": str, "desk": str, "desk_id": str, "subject": str,
			"status":   map[string]any{"type": "string", "enum": []string{"open", "in_progress", "waiting", "resolved", "closed"}},
			"priority": map[string]any{"type": "string", "enum": []string{"low", "normal", "high", "urgent"}},
			"category": str, "type": str, "assignee_id": str, "assignee": str, "contact_id": str, "customer": str,
			"account_id": str, "tags": strs, "watchers": strs, "source": str, "sla": str, "messages": integer,
			"links":   obj(map[string]any{"merged_into": str, "follow_up_of": str, "related": strs}),
			"created": when, "updated": when, "version": integer, "highlight": ref("Highlight")}),
		"FacetValue": obj(map[string]any{"value": str, "count": integer, "term": str}),
		"TicketPage": obj(map[string]any{"tickets": arr(ref("Ticket")), "total": integer, "next": str,
			"facets": map[string]any{"type": "object", "additionalProperties": arr(ref("FacetValue"))}}, "tickets", "total"),
		"TicketOne": obj(map[string]any{"ticket": ref("Ticket")}),
		"TicketFull": obj(map[string]any{"ticket": ref("Ticket"), "messages": arr(ref("Message")), "tasks": arr(ref("Task")),
			"outgoing": arr(ref("Outgoing"))}),
		"NewTicket": obj(map[string]any{"desk": str, "customer": str, "customer_name": str, "subject": str, "text": str,
			"priority": str, "category": str, "type": str, "assignee_id": str, "tags": strs}, "customer", "subject", "text"),
		"TicketChange": obj(map[string]any{"status": str, "priority": str, "category": str, "type": str, "assignee_id": str,
			"tags": strs, "watchers": strs, "contact_id": str, "account_id": str,
			"version": map[string]any{"type": "integer", "description": "when given, the change is refused (409) if the ticket changed since"}}),
		"Attachment": obj(map[string]any{"id": str, "name": str, "content_type": str, "size": integer, "text_kind": str, "text_error": str}),
		"Message": obj(map[string]any{"id": str, "ticket_id": str, "kind": str, "internal": boolean, "from": str, "from_name": str,
			"subject": str, "text": str, "html": str, "date": when, "received": when,
			"thread_reason": obj(map[string]any{"rule": str, "matched": str}), "flags": strs, "attachments": arr(ref("Attachment"))}),
		"MessageOne":  obj(map[string]any{"message": ref("Message")}),
		"MessageList": obj(map[string]any{"messages": arr(ref("Message"))}),
		"Text":        obj(map[string]any{"text": str}, "text"),
		"Outgoing": obj(map[string]any{"id": str, "kind": str, "to": strs, "subject": str, "status": str, "attempts": integer,
			"last_error": str, "created": when}),
		"Audit":     obj(map[string]any{"id": str, "ticket_id": str, "time": when, "actor": str, "field": str, "old": str, "new": str}),
		"AuditList": obj(map[string]any{"audit": arr(ref("Audit"))}),
		"Task": obj(map[string]any{"id": str, "ticket_id": str, "title": str, "assignee_id": str, "deadline": when,
			"done": boolean, "created": when}),
		"TaskOne":  obj(map[string]any{"task": ref("Task")}),
		"TaskList": obj(map[string]any{"tasks": arr(ref("Task"))}),
		"NewTask":  obj(map[string]any{"title": str, "assignee_id": str, "deadline": when}, "title"),
		"TaskDone": obj(map[string]any{"done": boolean}, "done"),
		"Merge":    obj(map[string]any{"into": str}, "into"),
		"View": obj(map[string]any{"id": str, "name": str, "query": str, "sort": str, "columns": strs,
			"shared_desk_id": str}, "name", "query"),
		"ViewOne": obj(map[string]any{"view": ref("View")}),
		"ViewList": obj(map[string]any{"views": arr(obj(map[string]any{"view": ref("View"), "count": integer,
			"error": obj(map[string]any{"code": str, "message": str}, "code", "message")}))}),
		"Contact":     obj(map[string]any{"id": str, "name": str, "addresses": strs, "account_id": str, "created": when}),
		"Account":     obj(map[string]any{"id": str, "name": str, "domains": strs, "created": when}),
		"ContactEdit": obj(map[string]any{"name": str, "addresses": strs, "account_id": str}),
		"ContactOne":  obj(map[string]any{"contact": ref("Contact")}),
		"ContactCard": obj(map[string]any{"contact": ref("Contact"), "tickets": strs, "total": integer}),
		"AccountCard": obj(map[string]any{"account": ref("Account"), "tickets": strs, "total": integer}),
		"DeskList": obj(map[string]any{"desks": arr(obj(map[string]any{"id": str, "code": str, "name": str,
			"addresses": strs, "pattern": str, "language": str}))}),
		"TokenList": obj(map[string]any{"tokens": arr(obj(map[string]any{"id": str, "name": str, "created": when}))}),
		"NewToken":  obj(map[string]any{"name": str}, "name"),
		"TokenMade": obj(map[string]any{"id": str, "name": str, "token": str, "note": str}),
		"MailboxList": obj(map[string]any{"mailboxes": arr(obj(map[string]any{"mailbox": str, "desk_id": str,
			"last_success": when, "last_error": str, "last_error_at": when, "lag": integer, "stored": integer, "skipped": integer}))}),
	}
}

// opResponses are an operation's answers: its 2xx and the errors it may
// give (docs/errors.md).
func opResponses(op apiOp) map[string]any {
	errAnswer := func(why string) map[string]any {
		return map[string]any{"description": why,
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	status := op.Status
	if status == 0 {
		status = 200
	}
	ok := map[string]any{"description": nethttp.StatusText(status)}
	if op.Answer == "Binary" {
		ok["content"] = map[string]any{"application/octet-stream": map[string]any{"schema": ref("Binary")}}
	} else if op.Answer != "" {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": ref(op.Answer)}}
	}
	responses := map[string]any{strconv.Itoa(status): ok, "400": errAnswer("the request names what is wrong"),
		"default": errAnswer("an error")}
	if !op.Public {
		responses["401"] = errAnswer("not signed in, or an unknown token")
		responses["403"] = errAnswer("not allowed, or a cross-site request")
	}
	if op.Searches {
		responses["422"] = errAnswer("search_timeout: the search took longer than the search deadline; narrow it down")
	}
	return responses
}

// OpenAPI returns the OpenAPI 3 document of the JSON API.
func OpenAPI() map[string]any {
	str := map[string]any{"type": "string"}
	ops := apiOps()
	paths := map[string]any{}
	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		op := ops[k]
		method, path, _ := strings.Cut(k, " ")
		o := map[string]any{"summary": op.Summary, "tags": []string{op.Tag}, "operationId": operationID(method, path),
			"responses": opResponses(op)}
		var params []any
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": str})
			}
		}
		for _, q := range op.Query {
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Doc,
				"schema": map[string]any{"type": q.Type}})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != "" {
			o["requestBody"] = map[string]any{"required": true,
				"content": map[string]any{"application/json": map[string]any{"schema": ref(op.Body)}}}
		}
		if op.Public {
			o["security"] = []any{}
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = o
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "searchdesk API", "version": "1",
			"description": "Tickets, messages, tasks, saved views and people. Sign in with POST /api/v1/session " +
				"(a browser session: state-changing requests then need the X-CSRF-Token header) or send an API " +
				"token as Authorization: Bearer TOKEN. Errors are {\"error\":{\"code\":…,\"message\":…}}."},
		"paths": paths,
		"components": map[string]any{
			"schemas": apiSchemas(),
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.Trim(seg, "{}")
		seg = strings.NewReplacer(".", "_", "-", "_").Replace(seg)
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

func (s *Server) openAPI(c *gin.Context) {
	c.JSON(nethttp.StatusOK, OpenAPI())
}
