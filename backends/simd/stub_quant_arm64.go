//go:build !purego

package simd

// The NEON quantizer routines of quant_arm64.s, with the meaning of their
// Go twins (absMaxBitsGo, quantI8Go, w4RangeGo, w4PackGo).

// absMaxBitsNEON returns max over x of math.Float32bits(x[i]) & 0x7FFFFFFF.
//
//go:noescape
func absMaxBitsNEON(x []float32) uint32

// quantI8NEON sets q[i] = int8(clamp(rne(x[i]*inv), -127, 127)) over
// len(x) (x finite; FCVTNS rounds to nearest, ties to even).
//
//go:noescape
func quantI8NEON(q []int8, x []float32, inv float32)

// quantNEON is the NEON quantizer code.
var quantNEON = &quantK{path: "neon", absMaxBits: absMaxBitsNEON, quantI8: quantI8NEON}
