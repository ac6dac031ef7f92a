package simd

import (
	"testing"
	"unsafe"
)

// pageEndBytes is pageEnd for bytes: n bytes ending where an inaccessible
// page begins (on Linux), so a read past the slice faults.
func pageEndBytes(t testing.TB, n int) []byte {
	f := pageEnd(t, (n+3)/4+1)
	all := unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
	return all[len(all)-n:]
}
