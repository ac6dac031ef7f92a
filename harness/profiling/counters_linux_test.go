package profiling

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// The "not supported" path, forced: every reason a machine refuses
// perf_event_open becomes a NotSupportedError that says why.
func TestCountersNotSupported(t *testing.T) {
	defer func(f func(*unix.PerfEventAttr, int, int, int, int) (int, error)) { perfOpen = f }(perfOpen)
	for _, tc := range []struct {
		errno unix.Errno
		want  string
	}{
		{unix.ENOENT, "exposes no hardware performance counters"},
		{unix.EOPNOTSUPP, "exposes no hardware performance counters"},
		{unix.EACCES, "perf_event_paranoid"},
		{unix.ENOSYS, "no perf events"},
	} {
		perfOpen = func(*unix.PerfEventAttr, int, int, int, int) (int, error) { return -1, tc.errno }
		c, err := Start()
		if c != nil || !IsNotSupported(err) {
			t.Errorf("%v: Start() = %v, %v; want a NotSupportedError", tc.errno, c, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "hardware counters: not supported here (") || !strings.Contains(msg, tc.want) {
			t.Errorf("%v: message %q", tc.errno, msg)
		}
	}
}

// This machine: counters either work or are reported as not supported.
func TestCountersHere(t *testing.T) {
	c, err := Start()
	if err != nil {
		if !IsNotSupported(err) {
			t.Fatalf("Start: %v (want counts or a NotSupportedError)", err)
		}
		t.Logf("as expected on machines without a PMU: %v", err)
		return
	}
	spin()
	n, err := c.Stop()
	if err != nil || n.Cycles <= 0 {
		t.Fatalf("counts %+v, %v", n, err)
	}
	t.Logf("counts: %v", n)
}

// The read-and-sum path with a software event (task clock), which VMs
// without a PMU still provide: the hardware events are swapped for it.
func TestCountersReadPath(t *testing.T) {
	defer func(f func(*unix.PerfEventAttr, int, int, int, int) (int, error)) { perfOpen = f }(perfOpen)
	perfOpen = func(a *unix.PerfEventAttr, pid, cpu, group, flags int) (int, error) {
		a.Type, a.Config = unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_TASK_CLOCK
		return unix.PerfEventOpen(a, pid, cpu, group, flags)
	}
	c, err := Start()
	if err != nil {
		t.Skipf("no software perf events either: %v", err)
	}
	spin()
	n, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	// Every "event" is the task clock in nanoseconds: all positive.
	if n.Cycles <= 0 || n.Instructions <= 0 || n.CacheMisses <= 0 || n.IPC() <= 0 {
		t.Errorf("counts %+v", n)
	}
	if !strings.Contains(n.String(), "IPC") {
		t.Errorf("String() = %q", n.String())
	}
}

func spin() {
	x := 1.0
	for i := 0; i < 5e6; i++ {
		x = x*1.0000001 + 1e-9
	}
	sink = x
}

var sink float64
