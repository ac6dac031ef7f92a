package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Streaming forms of the output routines: the same code with the full
// vector stores of the output non-temporal (VMOVNTPS), for outputs that
// will not be read back from the cache. A plain store of a line that is
// not cached first reads it (read for ownership): for a DRAM-resident
// output that is one more DRAM pass than needed, which the streaming
// store avoids. Tails keep plain (masked or stack-copied) stores. The
// full vector stores need their address aligned to the vector size, so
// the caller passes an output whose start is aligned (ntHead in package
// simd) and, for the row routines, rows of a multiple of the lane count.
// The routines do not fence: the caller runs sfence once after its last
// streaming call (an SFENCE per call, per row for the affines, costs up
// to a quarter of the time).

// ntFence emits sfence.
func ntFence() {
	TEXT("sfence", NOSPLIT, "func()")
	Doc("sfence orders the streaming stores before it before every later store (SFENCE).")
	SFENCE()
	RET()
}

// ntForms are the two forms each streaming-capable routine is emitted in.
var ntForms = []bool{false, true}

// ntName is the routine name of a form ("NT" after the base name).
func ntName(name string, nt bool) string {
	if nt {
		return name + "NT"
	}
	return name
}

// ntDoc is the doc line added to a streaming form.
func ntDoc(doc []string, nt bool) []string {
	if !nt {
		return doc
	}
	return append(append([]string(nil), doc...),
		"NT: full vectors of y are stored non-temporally (y aligned to the vector size); the caller runs sfence.")
}

// ntStore writes one output vector: non-temporal for a full vector of a
// streaming form, else as l.store.
func ntStore(nt bool, l lane, r VecVirtual, m Mem) {
	if nt && !l.tail {
		VMOVNTPS(r, m)
		return
	}
	l.store(r, m)
}
