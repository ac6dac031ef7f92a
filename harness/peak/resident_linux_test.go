package peak

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// residentBytes is this process's resident set, from /proc/self/statm.
func residentBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip(err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}

// TestStreamDataResident: a probe's arrays are written in full, so its
// working set is real memory: a page left unwritten maps the shared zero
// page and a "DRAM" read probe then runs from cache (it read 122 GB/s at
// one thread on a Xeon whose DRAM gives 16).
func TestStreamDataResident(t *testing.T) {
	// Past 2^24 ones (about 128 MiB of x) the rest of x is all zeros.
	const size = 512 << 20
	for _, k := range []Kind{Read, Triad} {
		debug.FreeOSMemory()
		before := residentBytes(t)
		s := newStreamData(k, size)
		written := 4 * int64(len(s.x)+len(s.y)) // dst is the probe's to write
		if grew := residentBytes(t) - before; grew < written*9/10 {
			t.Errorf("%s: %d MiB of inputs made %d MiB resident: some were never written", k, written>>20, grew>>20)
		}
		runtime.KeepAlive(s)
	}
}
