// Package index keeps the Bleve index in step with the store by following
// its change feed, and answers searches: the query language, access scopes
// and facets. Badger is the only source of truth; everything here can be
// rebuilt from it.
package index
