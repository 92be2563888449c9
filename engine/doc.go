// Package engine holds searchdesk's records, the Badger store that is their
// only source of truth, the intake path (parse, deduplicate, thread, number)
// and the change feed the search index follows.
//
// Every write is one Badger transaction that also appends an audit entry for
// each ticket change and one feed entry with the next sequence number, so the
// index can never see a change the store does not have. The key layout is
// documented in keys.go.
package engine
