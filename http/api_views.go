package http

import (
	nethttp "net/http"
	"searchdesk/engine"
	"searchdesk/index"

	"github.com/gin-gonic/gin"
)

func (s *Server) listViews(c *gin.Context) {
	u := who(c).User
	views, err := s.eng.Views(c.Request.Context(), u)
	if err != nil {
		s.fail(c, err)
		return
	}
	counts, err := s.viewCounts(c, views)
	if err != nil {
		s.fail(c, err)
		return
	}
	type viewCountJSON struct {
		View  engine.SavedView `json:"view"`
		Count uint64           `json:"count"`
		Error *errorJSON       `json:"error,omitempty"` // the view's own query is refused
	}
	out := []viewCountJSON{}
	for _, vc := range counts {
		v := viewCountJSON{View: vc.View, Count: vc.Count}
		if vc.Err != nil {
			p := s.describe(c, vc.Err)
			v.Error = &errorJSON{p.Code, p.Message}
		}
		out = append(out, v)
	}
	c.JSON(nethttp.StatusOK, gin.H{"views": out})
}

type viewJSON struct {
	ID         string   `json:"id,omitempty"`
	Name       string   `json:"name"`
	Query      string   `json:"query"`
	Sort       string   `json:"sort,omitempty"`
	Columns    []string `json:"columns,omitempty"`
	SharedDesk string   `json:"shared_desk_id,omitempty"`
}

func (s *Server) saveView(c *gin.Context) {
	var in viewJSON
	if !s.bindJSON(c, &in) {
		return
	}
	v := engine.SavedView{ID: in.ID, Name: in.Name, Query: in.Query, Sort: in.Sort, Columns: in.Columns, SharedDesk: in.SharedDesk}
	if err := index.CheckView(v); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.eng.SaveView(c.Request.Context(), who(c).User, v)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(nethttp.StatusCreated, gin.H{"view": v})
}

func (s *Server) deleteView(c *gin.Context) {
	if err := s.eng.DeleteView(c.Request.Context(), who(c).User, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(nethttp.StatusNoContent)
}
