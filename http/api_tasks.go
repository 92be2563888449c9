package http

import (
	nethttp "net/http"
	"searchdesk/engine"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) ticketTasks(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	tasks := append([]engine.Task{}, b.Tasks...)
	c.JSON(nethttp.StatusOK, gin.H{"tasks": tasks})
}

type taskJSON struct {
	Title      string     `json:"title"`
	AssigneeID string     `json:"assignee_id,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
}

func (s *Server) addTask(c *gin.Context) {
	b, ok := s.visibleBundle(c, c.Param("id"))
	if !ok {
		return
	}
	var in taskJSON
	if !s.bindJSON(c, &in) {
		return
	}
	t, err := s.eng.AddTask(c.Request.Context(), who(c).User.Email,
		engine.Task{TicketID: b.Ticket.ID, Title: in.Title, AssigneeID: in.AssigneeID, Deadline: in.Deadline})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusCreated, gin.H{"task": t})
}

func (s *Server) updateTask(c *gin.Context) {
	t, err := s.taskFor(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	var in struct {
		Done *bool `json:"done"`
	}
	if !s.bindJSON(c, &in) {
		return
	}
	if in.Done == nil {
		s.fail(c, engine.Errorf(engine.CodeInvalid, "err_task_done", "http: done: required (true or false)"))
		return
	}
	done, err := s.eng.SetTaskDone(c.Request.Context(), who(c).User.Email, t.ID, *in.Done)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.waitSearchable(c)
	c.JSON(nethttp.StatusOK, gin.H{"task": done})
}
