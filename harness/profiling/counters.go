package profiling

import (
	"errors"
	"fmt"
)

// Counts are hardware counter totals over every thread of the process.
// A count the CPU does not provide is -1.
type Counts struct {
	Cycles, Instructions, CacheRefs, CacheMisses, BranchMisses int64
	// Scaled reports that the kernel multiplexed the counters and the
	// totals are estimates (enabled/running time scaling).
	Scaled bool
}

// IPC is instructions per cycle, or 0 when unknown.
func (c Counts) IPC() float64 {
	if c.Cycles <= 0 || c.Instructions < 0 {
		return 0
	}
	return float64(c.Instructions) / float64(c.Cycles)
}

// String renders the counts on one line.
func (c Counts) String() string {
	num := func(v int64) string {
		if v < 0 {
			return "n/a"
		}
		return fmt.Sprintf("%d", v)
	}
	s := fmt.Sprintf("cycles %s, instructions %s", num(c.Cycles), num(c.Instructions))
	if ipc := c.IPC(); ipc > 0 {
		s += fmt.Sprintf(", IPC %.2f", ipc)
	}
	s += fmt.Sprintf(", cache misses %s of %s references", num(c.CacheMisses), num(c.CacheRefs))
	if c.CacheRefs > 0 && c.CacheMisses >= 0 {
		s += fmt.Sprintf(" (%.1f%%)", 100*float64(c.CacheMisses)/float64(c.CacheRefs))
	}
	s += ", branch misses " + num(c.BranchMisses)
	if c.Scaled {
		s += " (multiplexed: scaled estimates)"
	}
	return s
}

// NotSupportedError says why hardware counters cannot be read here.
type NotSupportedError struct{ Reason string }

func (e *NotSupportedError) Error() string {
	return "hardware counters: not supported here (" + e.Reason + ")"
}

// IsNotSupported reports whether err means "no hardware counters on this machine".
func IsNotSupported(err error) bool {
	var ns *NotSupportedError
	return errors.As(err, &ns)
}
