package simd

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/nbench/nbench/backends/internal/softpv"
	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// quantize_i8 and quantize_w4g (KERNELS.md 3.1, 3.2): per-row int8 and
// 4-bit group quantizers. quantize_i8 runs the fused quantizer of gemm_w8a8
// (w8K.quantRow) with the level's vector parts; quantize_w4g finds each
// group's range as integer order keys in vector code, derives the scale and
// zero point in Go with the same float32 arithmetic as the pure-Go backend
// (so S is bit-exact), and codes and packs whole rows in vector code.

// quantK is the quantizer code of one path; a nil function is Go.
type quantK struct {
	path string
	// absMaxBits and quantI8 have the meaning of absMaxBitsGo and quantI8Go.
	absMaxBits func(x []float32) uint32
	quantI8    func(q []int8, x []float32, inv float32)
	// w4Range and w4Pack have the meaning of w4RangeGo and w4PackGo.
	w4Range func(r []int32, w []float32, g int)
	w4Pack  func(qp []byte, w []float32, inv []float32, z []int32, g int)
	// pvBuckets and shiftAdd (repquant_softmax_pv's integer path) have the
	// meaning of softpv.Buckets and softpv.ShiftAdd.
	pvBuckets func(bk []int32, codes []byte, v []int8, dv, drop int) uint32
	shiftAdd  func(a []int64, b []int32, sh uint64)
	// pvShift has the meaning of pvShiftGo for len(all) <= pvLanes, a
	// multiple of pvStep (0: any).
	pvShift pvShiftFn
	// pvOut (optional) has the meaning of pvOutGo.
	pvOut           func(o []float32, all, odd []int32, scale, c float64)
	pvLanes, pvStep int
	// rqCodes is repquant_ln_linear's quantizer of one LN row, rqCodesGo's
	// meaning (nil: rqCodesGo itself).
	rqCodes func(q []byte, xh, t []float32, inv, lo, hi, dt float32, zt, qmax int32)
	// wqDots[bits] (bits 2, 3, 4, 8) are layerwise_wq's group dot products.
	wqDots [9]wqDotsFn
	// wqGemv4[bits] and wqGemv1[bits] (bits 2, 4; 4 and 1 weight rows per
	// pass), where the path has them, are layerwise_wq's GEMV over output
	// channels with the group shifts folded into the weights (wqGemvGo).
	wqGemv4, wqGemv1 [9]wqGemvFn
	// wqGemvWide4 and wqGemvWide1 (optional) are the 4-bit ones for gb a
	// multiple of 64 on X laid out with 8 codes per 4-byte unit
	// (wqLayout(x', x, gb/4, 8)).
	wqGemvWide4, wqGemvWide1 wqGemvFn
	// wqByte4[bits] and wqByte1[bits] (bits 8, 3; 4 and 1 weight rows per
	// pass), where the path has them, are layerwise_wq's GEMV over one-byte
	// codes (wqByteGo).
	wqByte4, wqByte1 [9]w4Gemv
}

// quantGo is the Go twins as a quantK (tests).
var quantGo = &quantK{path: Generic, absMaxBits: absMaxBitsGo, quantI8: quantI8Go, w4Range: w4RangeGo, w4Pack: w4PackGo,
	pvBuckets: softpv.Buckets, shiftAdd: softpv.ShiftAdd, pvShift: pvShiftGo, pvLanes: 64,
	rqCodes: rqCodesGo,
	wqDots:  [9]wqDotsFn{2: wqDotsGo(4, false), 3: wqDotsGo(1, false), 4: wqDotsGo(2, false), 8: wqDotsGo(1, true)},
	wqGemv4: [9]wqGemvFn{2: wqGemvGo(4), 4: wqGemvGo(2)}, wqGemv1: [9]wqGemvFn{2: wqGemvGo(4), 4: wqGemvGo(2)},
	wqByte4: [9]w4Gemv{3: wqByteGo(false), 8: wqByteGo(true)}, wqByte1: [9]w4Gemv{3: wqByteGo(false), 8: wqByteGo(true)}}

func init() {
	register("quantize_i8", prepareQuantizeI8, func(l *level) bool { return l.q != nil && l.q.quantI8 != nil })
	register("quantize_w4g", prepareQuantizeW4G, func(l *level) bool { return l.q != nil && l.q.w4Pack != nil })
}

// inputError names the first row whose scale (NaN for a non-finite row) is
// not finite; per is the number of scales per row.
func inputError(what string, s []float32, per int) error {
	for i, v := range s {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("input error: NaN or Inf in %s row %d", what, i/per) // the pure-Go wording
		}
	}
	return nil
}

func prepareQuantizeI8(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.QuantizeI8)
	qk := b.lv.q
	if qk == nil || qk.quantI8 == nil {
		return b.pure.Prepare(op)
	}
	w8 := &w8K{absMaxBits: qk.absMaxBits, quant: qk.quantI8}
	x, q, s, k := kernel.F32s(op.X), kernel.I8s(op.Q), kernel.F32s(op.Scale), op.K
	nt := false
	if f := quantI8Streams(qk, x, q, k); f != nil {
		w8.quant, nt = f, true
	}
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s[r] = w8.quantRow(x[r*k:(r+1)*k], q[r*k:(r+1)*k])
		}
		if nt {
			sfence()
		}
	}
	return errBound{path: qk.path, f: func() error {
		b.rows(op.Rows, 3*k, body)
		return inputError("x", s, 1)
	}}, nil
}

// quantI8Streams is qk's streaming int8 quantizer where quantize_i8 takes
// it, else nil: rows of q 64-byte aligned, and the traffic (5 bytes an
// element) beyond the core's L2. Against plain stores (one thread, rows of
// 4096, A/B in one process) streaming measured 1.13-1.15x from DRAM at
// 256-2048 rows and 1.01-1.07x with x in L3 at 64-512 rows (the plain
// stores' lines leave the L2 anyway), 0.99x at 16 rows (in L2); the cache
// threshold kept 512x4096 (10 MiB) on plain stores. The price is outside
// this kernel's time: a consumer reading the codes next (a GEMM) finds them
// in DRAM, not in L3.
func quantI8Streams(qk *quantK, x []float32, q []int8, k int) func(q []int8, x []float32, inv float32) {
	f := quantI8NTOf(qk)
	if f == nil || 5*len(x) <= l2Bytes() || k%64 != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(q)))%64 != 0 {
		return nil
	}
	return f
}

// w4Params is a group's scale, reciprocal and zero point from the order
// keys of min(0, min w) and max(0, max w) (KERNELS.md 3.2), computed by the
// pure-Go backend's code; a NaN scale for a non-finite group.
func w4Params(lk, hk int32, sym bool) (s, inv float32, z int32) {
	if hk >= 0x7F800000 || lk <= orderKey(float32(math.Inf(-1))) {
		return float32(math.NaN()), 0, 0
	}
	return pure.W4Scale(fromKey(lk), fromKey(hk), sym)
}

// orderKey maps a float32 to an int32 of the same order (NaN and Inf
// beyond every finite value); fromKey inverts it.
func orderKey(v float32) int32 {
	b := int32(math.Float32bits(v))
	return b ^ (b >> 31 & 0x7FFFFFFF)
}

func fromKey(k int32) float32 { return math.Float32frombits(uint32(k ^ (k >> 31 & 0x7FFFFFFF))) }

// w4RangeGo is the twin of w4RangeAVX512: per group i of g elements,
// r[2i] = min(0, min key), r[2i+1] = max(0, max key).
func w4RangeGo(r []int32, w []float32, g int) {
	for i := range len(w) / g {
		var lo, hi int32
		for _, v := range w[i*g : (i+1)*g] {
			k := orderKey(v)
			lo, hi = min(lo, k), max(hi, k)
		}
		r[2*i], r[2*i+1] = lo, hi
	}
}

// w4PackGo is the twin of w4PackAVX512: codes clamp(rne(w*inv[i]) + z[i],
// 0, 15) of group i, two per byte, even element in the low nibble.
func w4PackGo(qp []byte, w []float32, inv []float32, z []int32, g int) {
	for j := range len(w) / 2 {
		i := 2 * j / g
		c0 := min(max(int32(math.RoundToEven(float64(w[2*j]*inv[i])))+z[i], 0), 15)
		c1 := min(max(int32(math.RoundToEven(float64(w[2*j+1]*inv[i])))+z[i], 0), 15)
		qp[j] = byte(c0) | byte(c1)<<4
	}
}

// w4ParamsFn sets, per group i < len(s), s[i], inv[i], z[i] and zb[i] =
// byte(z[i]) from the keys 2i and 2i+1 as w4Params (w4ParamsGo).
type w4ParamsFn func(keys []int32, s, inv []float32, z []int32, zb []byte, sym bool)

// w4ParamsGo is the twin of w4ParamsAVX512.
func w4ParamsGo(keys []int32, s, inv []float32, z []int32, zb []byte, sym bool) {
	for i := range s {
		sg, iv, zg := w4Params(keys[2*i], keys[2*i+1], sym)
		s[i], inv[i], z[i], zb[i] = sg, iv, zg, uint8(zg) // a non-finite group: inv 0 (its codes are not read)
	}
}

// w4Part is the most elements quantize_w4g's range and pack passes take
// at once (whole groups): a row part of 16 KB stays in L1 from the range
// pass to the pack pass, and each part prefetches the next, as with rows
// of 4096. N=4096, K=11008, one thread, in-process A/B from DRAM: parts
// of 4096 1.09x over whole rows (1.19x with streaming stores, which
// whole rows lost), parts of 2048 or 5504 0.92x and 0.95x against 4096.
const w4Part = 4096

func prepareQuantizeW4G(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.QuantizeW4G)
	qk := b.lv.q
	if qk == nil || qk.w4Pack == nil {
		return b.pure.Prepare(op)
	}
	w, qp, s, z := kernel.F32s(op.W), kernel.U8s(op.Qp), kernel.F32s(op.S), kernel.U8s(op.Z)
	k, g, sym := op.K, op.Group, op.Symmetric
	ng := k / g
	type scratch struct {
		keys []int32
		inv  []float32
		z    []int32
	}
	// The group parameters in vector code (16 groups per step) where the
	// level has it: the scalar loop cost as much as the memory.
	params := w4ParamsOf(qk)
	if params == nil {
		params = w4ParamsGo
	}
	// Streaming stores of the codes once the traffic exceeds the cache
	// (a plain store reads the line first; K=4096: 1.10x, measured),
	// aligned code rows, groups of whole 64-element steps (so every row
	// part starts aligned).
	pack, nt := qk.w4Pack, false
	if f := w4PackNTOf(qk); f != nil && streaming(b.lv.f, 5*len(w)) != nil &&
		k%64 == 0 && g%64 == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(qp)))%32 == 0 {
		pack, nt = f, true
	}
	// Rows in near-equal parts of at most w4Part elements (whole groups;
	// near-equal, so each part's prefetch of the next covers it).
	per := max(1, w4Part/g)
	parts := (ng + per - 1) / per
	pool := newPool(b.threads, func() *scratch {
		return &scratch{keys: make([]int32, 2*ng), inv: make([]float32, ng), z: make([]int32, ng)}
	})
	body := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for n := lo; n < hi; n++ {
			for i := range parts {
				g0, g1 := n*ng+i*ng/parts, n*ng+(i+1)*ng/parts // groups of the matrix
				part := w[g0*g : g1*g]
				qk.w4Range(sc.keys, part, g)
				params(sc.keys, s[g0:g1], sc.inv, sc.z, z[g0:g1], sym)
				pack(qp[g0*g/2:g1*g/2], part, sc.inv, sc.z, g)
			}
		}
		if nt {
			sfence()
		}
	}
	return errBound{path: qk.path, f: func() error {
		b.rows(op.N, 5*k, body)
		return inputError("w", s, ng)
	}}, nil
}

// pvShiftFn is quantK.pvShift, pvShiftGo's meaning: codes of keep or more
// add nothing and may be skipped.
type pvShiftFn func(all, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool, keep int)

// pvShiftKeepAll adapts a pvShift that visits every code (their counts
// make the dropped ones add 0) to pvShiftFn.
func pvShiftKeepAll(f func(all, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool)) pvShiftFn {
	return func(all, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool, _ int) {
		f(all, odd, codes, v, ldv, cnt, withOdd)
	}
}
