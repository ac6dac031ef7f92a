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
var quantNEON = &quantK{path: "neon", absMaxBits: absMaxBitsNEON, quantI8: quantI8NEON,
	w4Range: w4RangeNEON, w4Pack: w4PackNEON, pvShift: pvShiftKeepAll(pvShiftNEON), pvLanes: 16, pvStep: 16,
	wqDots: [9]wqDotsFn{2: wqDots2NEON, 3: wqDots3NEON, 4: wqDots4NEON, 8: wqDots8NEON}}

// w4RangeNEON sets r[2i] = min(0, min key), r[2i+1] = max(0, max key) over
// the order keys (orderKey) of each group i of gs elements of w.
//
//go:noescape
func w4RangeNEON(r []int32, w []float32, gs int)

// w4PackNEON codes each group i of gs (even) elements of w as
// clamp(rne(w*inv[i]) + z[i], 0, 15), two per byte, even element low.
//
//go:noescape
func w4PackNEON(qp []byte, w []float32, inv []float32, z []int32, gs int)

// pvShiftNEON is pvShiftGo for len(all) == 16 (SSHL by a count of 32 or
// more gives 0), visiting every code (keep is not its argument: the
// codes past it add 0 there).
//
//go:noescape
func pvShiftNEON(all, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool)

// The wqDots routines of layerwise_wq (wqDotsGo's meaning, on the 16-byte
// chunk layout of wqLayout; a last partial chunk is copied to a zeroed
// stack buffer).
//
//go:noescape
func wqDots8NEON(d []float32, x []float32, q []byte, z []int32, gb int)

//go:noescape
func wqDots3NEON(d []float32, x []float32, q []byte, z []int32, gb int)

//go:noescape
func wqDots4NEON(d []float32, x []float32, q []byte, z []int32, gb int)

//go:noescape
func wqDots2NEON(d []float32, x []float32, q []byte, z []int32, gb int)
