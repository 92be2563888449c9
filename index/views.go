package index

import (
	"context"
	"fmt"
	"slices"
	"strings"

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
		list := strings.Join(sortKeys(), ", ")
		return &engine.Error{Code: CodeBadQuery, Key: "err_view_sort", Args: []any{v.Sort, list},
			Text: fmt.Sprintf("index: view sort %q: want one of %s", v.Sort, list), Err: ErrQuery}
	}
	_, err := Parse(viewQuery(v))
	return err
}

// ViewCount is a saved view with its live count in the viewer's scope.
// Err says why a view has no count: its own query is refused (a field
// that no longer exists, say).
type ViewCount struct {
	View  engine.SavedView
	Count uint64
	Err   error
}

// ViewCounts counts each view's tickets as the viewer sees them, each
// with the search r (its scope and deadline) and the view's query: a view
// shared by a colleague never shows the viewer more than their own scope.
// A view whose query is refused has its Err; a count cut off by the
// deadline, or a failure of the index, stops the counting and is the
// error.
func (x *Index) ViewCounts(ctx context.Context, views []engine.SavedView, r Request) ([]ViewCount, error) {
	out := make([]ViewCount, 0, len(views))
	r.NoHits, r.Facets, r.Highlight, r.Cursor = true, false, false, ""
	for _, v := range views {
		r.Query = viewQuery(v)
		res, err := x.Search(ctx, r)
		vc := ViewCount{View: v, Err: err}
		switch {
		case err == nil:
			vc.Count = res.Total
		case engine.ErrorCode(err) != CodeBadQuery:
			return nil, err
		}
		out = append(out, vc)
	}
	return out, nil
}

// SearchView runs a saved view through the same path as any search.
func (x *Index) SearchView(ctx context.Context, v engine.SavedView, r Request) (*Result, error) {
	r.Query = viewQuery(v)
	return x.Search(ctx, r)
}
