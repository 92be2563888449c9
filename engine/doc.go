// Package engine holds searchdesk's records and the Badger store.
package engine
