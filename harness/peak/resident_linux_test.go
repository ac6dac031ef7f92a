package peak

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// residentPages counts the pages of a slice the kernel has mapped
// (mincore): a page never touched is not.
func residentPages(t *testing.T, x []float32) (resident, pages int) {
	page := uintptr(unix.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
	first := (start + page - 1) &^ (page - 1) // whole pages only
	last := (start + uintptr(len(x))*4) &^ (page - 1)
	if last <= first {
		return 0, 0
	}
	vec := make([]byte, (last-first)/page)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, first, last-first, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Skipf("mincore: %v", errno)
	}
	for _, v := range vec {
		resident += int(v & 1)
	}
	return resident, len(vec)
}

// TestStreamDataResident: a probe's inputs are written in full, so its
// working set is real memory: a page left unwritten maps the shared zero
// page when read, and a "DRAM" read probe then runs from cache (it read
// 122 GB/s at one thread on a Xeon whose DRAM gives 16).
func TestStreamDataResident(t *testing.T) {
	for _, k := range []Kind{Read, Triad} {
		s := newStreamData(k, 512<<20)
		for name, a := range map[string][]float32{"x": s.x, "y": s.y} {
			if r, n := residentPages(t, a); r < n {
				t.Errorf("%s: %d of the %d pages of %s were never written", k, n-r, n, name)
			}
		}
	}
}
