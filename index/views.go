package index

import (
	"context"
	"fmt"
	"slices"

	"searchdesk/engine"
)

// viewQuery is the query text a saved view runs: its query, and its sort
// when it has one of its own.
func viewQuery(v engine.SavedView) string {
	if v.Sort == "" {
		return v.Query
	}
	return v.Query + " sort:" + v.Sort
}

// CheckView reports what is wrong with a view's query or sort, naming the
// position, before the view is saved.
func CheckView(v engine.SavedView) error {
	if v.Sort != "" && !slices.Contains(sortKeys(), v.Sort) {
		return fmt.Errorf("sort %q: want one of %v", v.Sort, sortKeys())
	}
	_, err := Parse(viewQuery(v))
	return err
}

// ViewCount is a saved view with its live count in the viewer's scope.
type ViewCount struct {
	View  engine.SavedView `json:"view"`
	Count uint64           `json:"count"`
	Error string           `json:"error,omitempty"`
}

// ViewCounts counts each view's tickets as the viewer sees them: a view
// shared by a colleague never shows the viewer more than their own scope.
func (x *Index) ViewCounts(ctx context.Context, views []engine.SavedView, s Scope) []ViewCount {
	out := make([]ViewCount, 0, len(views))
	for _, v := range views {
		n, err := x.Count(ctx, viewQuery(v), s)
		vc := ViewCount{View: v, Count: n}
		if err != nil {
			vc.Error = err.Error()
		}
		out = append(out, vc)
	}
	return out
}

// SearchView runs a saved view through the same path as any search.
func (x *Index) SearchView(ctx context.Context, v engine.SavedView, r Request) (*Result, error) {
	r.Query = viewQuery(v)
	return x.Search(ctx, r)
}
