package http

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"searchdesk/engine"
)

// ticketTrace is what a refused action must leave as it was.
type ticketTrace struct {
	version          uint64
	priority, status string
	audit            int
}

func (d *desk) trace(id string) ticketTrace {
	d.t.Helper()
	tk, err := d.eng.Ticket(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	audit, err := d.eng.Audit(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return ticketTrace{tk.Version, tk.Priority, tk.Status, len(audit)}
}

func (d *desk) openTask(id string) {
	d.t.Helper()
	if _, err := d.eng.AddTask(context.Background(), "test", engine.Task{TicketID: id, Title: "call back"}); err != nil {
		d.t.Fatal(err)
	}
}

// TestRefusedChangeChangesNothing: a change of fields and status through
// the API, the ticket page or the bulk action commits whole or not at all.
func TestRefusedChangeChangesNothing(t *testing.T) {
	d := newDesk(t)
	id := d.ticketS.TicketID
	d.openTask(id)
	api := d.token(d.agentS)
	before := d.trace(id)
	api.wantError("PATCH", "/api/v1/tickets/"+id, map[string]any{"priority": "urgent", "status": "closed"}, 409)
	api.wantError("PATCH", "/api/v1/tickets/"+id, map[string]any{"priority": "urgent", "status": "resolved", "assignee_id": "01NOSUCH"}, 404)
	api.wantError("PATCH", "/api/v1/tickets/"+id, map[string]any{"status": "resolved", "priority": "huge"}, 400)
	if after := d.trace(id); after != before {
		t.Errorf("API: refused change left a trace: before %+v, after %+v", before, after)
	}

	page := d.signIn(d.agentS)
	st, _, body := page.form("/t/"+id+"/update", url.Values{"priority": {"urgent"}, "status": {"closed"}})
	if st/100 != 4 || !strings.Contains(body, "cannot be closed while its task") {
		t.Errorf("ticket form: status %d, want 4xx with the reason; body %.300s", st, body)
	}
	if after := d.trace(id); after != before {
		t.Errorf("ticket form: refused change left a trace: before %+v, after %+v", before, after)
	}

	other := d.intake("support", "dan@customer.example.org", "Scanner", "<s2@cust>", "It does not scan.", false)
	d.searchable()
	otherBefore := d.trace(other.TicketID)
	st, _, body = page.form("/bulk", url.Values{"id": {id, other.TicketID}, "priority": {"urgent"}, "status": {"closed"}})
	if st != 200 || !strings.Contains(body, d.ticketS.TicketNumber) {
		t.Errorf("bulk: status %d, want 200 naming the refused ticket %s; body %.300s", st, d.ticketS.TicketNumber, body)
	}
	if after := d.trace(id); after != before {
		t.Errorf("bulk: the refused ticket changed: before %+v, after %+v", before, after)
	}
	if after := d.trace(other.TicketID); after.status != "closed" || after.priority != "urgent" || after.version != otherBefore.version+1 {
		t.Errorf("bulk: the other ticket is %+v, want closed and urgent in one change from %+v", after, otherBefore)
	}
}

// TestCreateTicketRefusedStoresNothing: POST /api/v1/tickets with a bad
// first field answers 4xx and stores no ticket, so a retry makes one.
func TestCreateTicketRefusedStoresNothing(t *testing.T) {
	d := newDesk(t)
	before, err := d.eng.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	api := d.token(d.agentS)
	body := map[string]any{"desk": "support", "customer": "dan@customer.example.org", "subject": "Scanner broken",
		"text": "It does not scan.", "priority": "high", "assignee_id": "01NOSUCH"}
	api.wantError("POST", "/api/v1/tickets", body, 404)
	body["assignee_id"], body["tags"] = "", []string{"two words"}
	api.wantError("POST", "/api/v1/tickets", body, 400)
	after, err := d.eng.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("a refused create stored something: before %+v, after %+v", before, after)
	}
	delete(body, "tags")
	body["assignee_id"] = d.agentS.ID
	if st := api.do("POST", "/api/v1/tickets", body, nil); st != 201 {
		t.Errorf("the corrected request: status %d, want 201", st)
	}
}
