//go:build !linux

package extract

// limitAddressSpace does nothing outside Linux: there the child is held by
// the garbage collector's memory limit and the parent's deadline only.
func limitAddressSpace(extra uint64) error { return nil }
