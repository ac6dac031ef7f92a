package profiling

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// perfOpen is perf_event_open; tests replace it to take the
// "not supported" path on machines that have counters.
var perfOpen = unix.PerfEventOpen

// events in Counts order; cycles must open for counters to be supported.
var events = []uint64{
	unix.PERF_COUNT_HW_CPU_CYCLES,
	unix.PERF_COUNT_HW_INSTRUCTIONS,
	unix.PERF_COUNT_HW_CACHE_REFERENCES,
	unix.PERF_COUNT_HW_CACHE_MISSES,
	unix.PERF_COUNT_HW_BRANCH_MISSES,
}

// Counters are open hardware counters, one per event and thread.
type Counters struct {
	fds [][]int // [event][thread]
}

// Start opens and enables the counters on every thread of the process
// (Go runs goroutines on several OS threads; threads created later are not
// counted, which is why the harness starts counting after the warm-up).
// User-space events only, so a perf_event_paranoid of 2 allows it.
func Start() (*Counters, error) {
	tids, err := threads()
	if err != nil {
		return nil, &NotSupportedError{"cannot list this process's threads: " + err.Error()}
	}
	c := &Counters{fds: make([][]int, len(events))}
	for e, ev := range events {
		for _, tid := range tids {
			attr := unix.PerfEventAttr{
				Type:        unix.PERF_TYPE_HARDWARE,
				Config:      ev,
				Read_format: unix.PERF_FORMAT_TOTAL_TIME_ENABLED | unix.PERF_FORMAT_TOTAL_TIME_RUNNING,
				Bits:        unix.PerfBitDisabled | unix.PerfBitExcludeKernel | unix.PerfBitExcludeHv,
			}
			attr.Size = uint32(unsafe.Sizeof(attr))
			fd, err := perfOpen(&attr, tid, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
			if err != nil {
				if errors.Is(err, unix.ESRCH) { // the thread exited meanwhile
					continue
				}
				if e == 0 {
					c.close()
					return nil, &NotSupportedError{reason(err)}
				}
				fd = -1 // this event is missing; the others are counted
			}
			c.fds[e] = append(c.fds[e], fd)
		}
	}
	for _, fds := range c.fds {
		for _, fd := range fds {
			if fd >= 0 {
				unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_RESET, 0)
				unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_ENABLE, 0)
			}
		}
	}
	return c, nil
}

// reason explains a perf_event_open error to a user.
func reason(err error) string {
	switch {
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENODEV):
		return fmt.Sprintf("perf_event_open: %v: the CPU or the hypervisor exposes no hardware performance counters", err)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return fmt.Sprintf("perf_event_open: %v: perf_event_paranoid is %s; lower /proc/sys/kernel/perf_event_paranoid or run with CAP_PERFMON", err, paranoid())
	case errors.Is(err, unix.ENOSYS):
		return "perf_event_open: the kernel has no perf events"
	}
	return "perf_event_open: " + err.Error()
}

func paranoid() string {
	b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// threads lists the thread ids of this process.
func threads() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var tids []int
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// Stop disables and reads the counters, sums them over threads and
// closes them.
func (c *Counters) Stop() (Counts, error) {
	defer c.close()
	vals := make([]int64, len(events))
	scaled := false
	for e, fds := range c.fds {
		vals[e] = -1
		for _, fd := range fds {
			if fd < 0 {
				continue
			}
			unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0)
			var buf [24]byte // value, time enabled, time running
			if n, err := unix.Read(fd, buf[:]); err != nil || n != len(buf) {
				return Counts{}, fmt.Errorf("reading a counter: %v (%d bytes)", err, n)
			}
			v := binary.NativeEndian.Uint64(buf[0:])
			enabled, running := binary.NativeEndian.Uint64(buf[8:]), binary.NativeEndian.Uint64(buf[16:])
			if running > 0 && running < enabled {
				v = uint64(float64(v) * float64(enabled) / float64(running))
				scaled = true
			}
			vals[e] = max(vals[e], 0) + int64(v)
		}
	}
	return Counts{Cycles: vals[0], Instructions: vals[1], CacheRefs: vals[2], CacheMisses: vals[3], BranchMisses: vals[4], Scaled: scaled}, nil
}

func (c *Counters) close() {
	for _, fds := range c.fds {
		for _, fd := range fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}
	c.fds = nil
}
