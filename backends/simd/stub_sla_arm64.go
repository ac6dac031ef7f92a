//go:build !purego

package simd

// The NEON SLA primitives of sla_arm64.s; each has the meaning of its Go
// twin in sla.go.

//go:noescape
func conv5NEON(o, v, w, b []float32, n, ld int)

//go:noescape
func axpyToNEON(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)

//go:noescape
func reluDotNEON(dst []float32, ldd int, src []float32, lds int, w, den []float32, rows, n int)

//go:noescape
func reluTNEON(dst []float32, ldd int, src []float32, lds, rows, cols int)
