//go:build !linux

package profiling

import "runtime"

// Counters are unavailable outside Linux.
type Counters struct{}

// Start always fails: perf_event_open is Linux-only.
func Start() (*Counters, error) {
	return nil, &NotSupportedError{"perf_event_open is Linux-only; this is " + runtime.GOOS}
}

// Stop returns nothing.
func (c *Counters) Stop() (Counts, error) { return Counts{}, nil }
