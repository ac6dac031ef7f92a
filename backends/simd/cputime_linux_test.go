package simd

import (
	"time"

	"golang.org/x/sys/unix"
)

// ThreadCPU is the calling thread's CPU time: time that other processes
// take from this core does not count, memory stalls do. The timing tests
// lock their goroutine to a thread around it. Exported for simd_test.
func ThreadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}
