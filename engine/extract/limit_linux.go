package extract

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// limitAddressSpace sets the soft RLIMIT_AS to the address space the
// process holds now plus extra bytes. The Go runtime reserves address
// space at start far beyond what it uses (about a gigabyte), so a fixed
// limit would be either useless or fatal at once; past this one, an
// allocation fails and the runtime dies with "out of memory".
func limitAddressSpace(extra uint64) error {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return fmt.Errorf("/proc/self/statm: %q", b)
	}
	pages, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return fmt.Errorf("/proc/self/statm: %w", err)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		return err
	}
	lim.Cur = min(lim.Cur, lim.Max, pages*uint64(os.Getpagesize())+extra)
	return syscall.Setrlimit(syscall.RLIMIT_AS, &lim)
}
