package peak

import (
	"testing"

	"github.com/nbench/nbench/harness/machine"
)

// sweepOf builds a sweep from MB sizes and GB/s medians.
func sweepOf(mb []int64, gbs []float64) []SweepPoint {
	var out []SweepPoint
	for i := range mb {
		out = append(out, SweepPoint{Bytes: mb[i] << 20, Median: gbs[i] * 1e9})
	}
	return out
}

func TestReachOf(t *testing.T) {
	mb := []int64{4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256}
	for _, c := range []struct {
		name     string
		gbs      []float64
		reported int64
		want     int64
	}{
		// The Xeon VM's sweep of the stop before: 28 GB/s to 64 MB, 25 at
		// 128 MB, DRAM's 16-17 from 192 MB.
		{"xeon VM", []float64{28, 28, 28, 28, 28, 28, 28, 28, 28, 26, 25, 16.5, 16.8}, 260 << 20, 128 << 20},
		// One slow point between fast ones is noise, not the reach.
		{"one dip", []float64{28, 28, 20, 28, 28, 28, 28, 28, 28, 26, 25, 16.5, 16.8}, 260 << 20, 128 << 20},
		// The drop must last to the end of the sweep (two points at least).
		{"drop at the last point only", []float64{28, 28, 28, 28, 28, 28, 28, 28, 28, 26, 25, 25, 16.8}, 260 << 20, 0},
		// No drop: the reported size stands.
		{"no drop", []float64{28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28}, 260 << 20, 0},
		// Never more than reported.
		{"past the report", []float64{28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 10, 10}, 100 << 20, 100 << 20},
		// Out of the L3 from the third point: the second is the reach.
		{"tiny reach", []float64{28, 28, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 260 << 20, 6 << 20},
	} {
		if got := reachOf(sweepOf(mb, c.gbs), c.reported); got != c.want {
			t.Errorf("%s: reach %s, want %s", c.name, machine.Bytes(got), machine.Bytes(c.want))
		}
	}
	// The sweep stops at its second point in a row below the drop, so a
	// stopped sweep ends with exactly that run.
	if got := reachOf(sweepOf(mb[:8], []float64{28, 28, 28, 28, 28, 28, 12, 12}), 260<<20); got != 24<<20 {
		t.Errorf("stopped sweep: reach %s, want 24 MiB", machine.Bytes(got))
	}
	if got := reachOf(sweepOf(mb[:3], []float64{28, 10, 10}), 260<<20); got != 0 {
		t.Errorf("three points: reach %s, want none", machine.Bytes(got))
	}
}

func TestReachSizes(t *testing.T) {
	d := testMachine() // L2 1 MiB, L3 32 MiB, 8 GiB
	s := reachSizes(d)
	if s[0] != 2<<20 || s[len(s)-1] > 64<<20 || s[len(s)-1] < 48<<20 {
		t.Fatalf("sizes %v: want 2 MiB up to 2x the 32 MiB L3", s)
	}
	for i := 1; i < len(s); i++ {
		if r := float64(s[i]) / float64(s[i-1]); r < 1.3 || r > 1.5 {
			t.Errorf("step %d: x%.2f, want 4/3 or 3/2", i, r)
		}
	}
	d.MemoryBytes = 256 << 20 // an eighth of the memory bounds the sweep
	if s := reachSizes(d); s[len(s)-1] > 32<<20 {
		t.Errorf("sizes on 256 MiB of memory reach %s", machine.Bytes(s[len(s)-1]))
	}
}

// A measured reach sizes the L3 level and its probes; DRAM sets get past
// the reported size.
func TestLevelsHeldL3(t *testing.T) {
	vm := testMachine()
	vm.Caches.L3, vm.MemoryBytes = 260<<20, 64<<30
	vm.Caches.L3Reach = 128 << 20
	ls := Levels(vm)
	if ls[2].Name != L3 || ls[2].Capacity != 128<<20 {
		t.Fatalf("L3 with a 128 MiB reach: %+v", ls[2])
	}
	if per := perThread(ls, 3, 1, 0); per != 8*260<<20 {
		t.Errorf("DRAM per thread: %s, want 8x the L3 reported", machine.Bytes(per))
	}
	if per := perThread(ls, 2, 1, 0); per != 64<<20 {
		t.Errorf("L3 per thread: %s, want half the reach", machine.Bytes(per))
	}
	vm.Caches.L3Reach = 1 << 30 // never more than reported
	if ls := Levels(vm); ls[2].Capacity != 260<<20 {
		t.Errorf("a reach past the report: L3 %s", machine.Bytes(ls[2].Capacity))
	}
}

func TestPassReachOf(t *testing.T) {
	mb := []int64{4, 6, 8, 12, 16}
	const ref, l2 = 30e9, 2 << 20
	for _, c := range []struct {
		name string
		gbs  []float64
		want int64
	}{
		// The Xeon VM: a second read of 3-4 MB from the L3, 6 MB partly,
		// 12 MB on at DRAM speed.
		{"xeon VM", []float64{27, 20, 17, 15, 15}, 4 << 20},
		{"kept to the end", []float64{29, 29, 28, 28, 27}, 16 << 20},
		{"nothing past the L2", []float64{16, 15, 15, 15, 15}, l2},
		// One slow point between fast ones is noise.
		{"one dip", []float64{29, 29, 18, 28, 28}, 16 << 20},
		// A last point alone below: the size before it.
		{"last point below", []float64{29, 29, 28, 28, 15}, 12 << 20},
		{"stopped at two below", []float64{29, 29, 15, 15}, 6 << 20},
	} {
		n := len(c.gbs)
		if got := passReachOf(sweepOf(mb[:n], c.gbs), ref, l2); got != c.want {
			t.Errorf("%s: pass reach %s, want %s", c.name, machine.Bytes(got), machine.Bytes(c.want))
		}
	}
}
