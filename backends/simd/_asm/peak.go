package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Peak probes for `nbench peak` (package harness/peak): the fastest loops
// of each kind this code path can run, so the %peak of a vector kernel is
// measured against vector ceilings. The compute probes keep independent
// accumulator chains in registers (enough to cover FMA/VPDPBUSD latency on
// both ports) and store every lane to out, which the Go side sums exactly;
// the bandwidth probes stream with full-width loads and stores.

// Chains per compute probe (peak.go in the package sizes out from these).
const (
	peakFMAChains = 12 // 12 x 4-cycle latency covers 2 FMA ports with room
	peakDotChains = 12 // also for VPMADDWD: 12 + 2 operands + 1 temporary fit in 16 ymm
	peakReadAccs  = 8
)

func peakProbes() {
	for _, v := range variants {
		fmaPeak(v, false)
		fmaPeak(v, true)
		aluPeak(v)
		expPeak(v)
		readPeak(v, 0)
		readPeak(v, xentPrefetch)
		readStreamsPeak(v, 2)
		readStreamsPeak(v, 4)
		copyPeak(v)
		copyNTPeak(v, 0)
		copyNTPeak(v, seluPrefetch)
		copyNTEachPeak(v)
		triadPeak(v)
	}
	expPeakLSE()
	for _, k := range []w8Kind{w8VNNI512, w8VNNI256, w8AVX2} {
		dotPeak(k)
	}
}

// paramMem is the stack address of a scalar parameter.
func paramMem(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// zeroed returns n vector registers set to zero (the probes' accumulators).
func (v variant) zeroed(n int) []Register {
	rs := make([]Register, n)
	for i := range rs {
		r := v.vec()
		zero(r)
		rs[i] = r
	}
	return rs
}

// storeAll writes the registers to consecutive vectors at out.
func storeAll(out GPVirtual, bytes int, rs []Register, store func(r Register, m Mem)) {
	for i, r := range rs {
		store(r, Mem{Base: out, Disp: i * bytes})
	}
}

// counted emits `for ; n > 0; n-- { body() }`.
func counted(n Register, body func()) {
	TESTQ(n, n)
	JZ(LabelRef("done"))
	Label("loop")
	body()
	DECQ(n)
	JNZ(LabelRef("loop"))
	Label("done")
}

// fmaPeak is acc = acc*mul + add on every lane of 12 vectors: float32, or
// float64 (Soft-NMS's arithmetic) as fma64Peak.
func fmaPeak(v variant, f64 bool) {
	name, typ, kind, lanes := "fmaPeak", "float32", "", "lanes"
	if f64 {
		name, typ, kind, lanes = "fma64Peak", "float64", " in float64", "lanes/2"
	}
	fn(v, name, fmt.Sprintf("func(n int, mul, add %s, out []%s)", typ, typ),
		fmt.Sprintf("%s runs n iterations of acc = acc*mul + add%s on %d independent vectors", name, kind, peakFMAChains),
		fmt.Sprintf("(every lane starts at 0) and stores them to out[:chains*%s].", lanes))
	n := Load(Param("n"), GP64())
	m, a := v.vec(), v.vec()
	fma, store := VFMADD213PS, VMOVUPS
	if f64 {
		fma, store = VFMADD213PD, VMOVUPD
		VBROADCASTSD(paramMem("mul"), m)
		VBROADCASTSD(paramMem("add"), a)
	} else {
		VBROADCASTSS(paramMem("mul"), m)
		VBROADCASTSS(paramMem("add"), a)
	}
	acc := v.zeroed(peakFMAChains)
	counted(n, func() {
		for _, r := range acc {
			fma(a, m, r) // r = m*r + a
		}
	})
	storeAll(ptr("out"), v.bytes(), acc, func(r Register, m Mem) { store(r, m) })
	VZEROUPPER()
	RET()
}

// aluPeak is integer shift-and-add work (RepQuant's P@V): acc = (acc >> 1)
// + add on every int32 lane; 12 chains of two 1-cycle operations keep
// every vector integer port busy.
func aluPeak(v variant) {
	fn(v, "aluPeak", "func(n int, add uint32, out []int32)",
		fmt.Sprintf("aluPeak runs n iterations of acc = (acc >> 1) + add (arithmetic shift) on %d vectors of int32", peakFMAChains),
		"(every lane starts at 0) and stores them to out[:chains*lanes].")
	n := Load(Param("n"), GP64())
	a := v.vec()
	VBROADCASTSS(paramMem("add"), a)
	acc := v.zeroed(peakFMAChains)
	counted(n, func() {
		for _, r := range acc {
			VPSRAD(U8(1), r, r)
		}
		for _, r := range acc {
			VPADDD(a, r, r)
		}
	})
	storeAll(ptr("out"), v.bytes(), acc, func(r Register, m Mem) { VMOVUPS(r, m) })
	VZEROUPPER()
	RET()
}

// expChains is the number of exponentials per iteration: as many as the
// vector exp's temporaries leave registers for (more fail to allocate);
// successive iterations overlap out of order.
func (v variant) expChains() int {
	if v.z {
		return 6
	}
	return 1
}

// expPeak is the throughput of the kernels' own vector exp: on every lane,
// acc += exp(arg), arg broadcast; at AVX-512 Cephes's (rows.go), several
// interleaved as the kernels interleave them; at AVX2 the short exp
// (shortexp.go) in its cheapest form (ln2 in one constant, as selu's),
// every constant in a register.
func expPeak(v variant) {
	fn(v, "expPeak", "func(n int, arg float32, out []float32)",
		"expPeak runs n iterations of acc += exp(arg) with the kernels' vector exp on every lane of",
		fmt.Sprintf("%d (AVX-512) or %d (AVX2) vectors, interleaved, and stores them to out[:chains*lanes].", avx512.expChains(), avx2.expChains()))
	n := Load(Param("n"), GP64())
	x := v.scalarArg("arg")
	var k expConsts
	var short shortExp
	if v.z {
		k = v.expSetup()
	} else {
		short = newShortExp(false, 8)
	}
	acc := make([]VecVirtual, v.expChains())
	for i := range acc {
		acc[i] = v.vec()
		zero(acc[i])
	}
	counted(n, func() {
		ts := make([]VecVirtual, len(acc))
		for i := range ts {
			ts[i] = v.vec()
			VMOVAPS(x, ts[i])
		}
		if !v.z {
			ts[0] = short.exp(ts[0])
		} else {
			v.expMany(ts, k)
		}
		for i, t := range ts {
			VADDPS(t, acc[i], acc[i])
		}
	})
	regs := make([]Register, len(acc))
	for i, r := range acc {
		regs[i] = r
	}
	storeAll(ptr("out"), v.bytes(), regs, func(r Register, m Mem) { VMOVUPS(r, m) })
	VZEROUPPER()
	RET()
}

// expLSEChains is expPeakLSE's exps per iteration: its 9 constants, 3
// temporaries and an accumulator per chain fit in 32 zmm.
const expLSEChains = 5

// expPeakLSE is expPeak with cross_entropy's exp (xent.go: degree 5,
// constants in registers), the cheapest exp a kernel uses, so no kernel
// can run above the exp32 ceiling.
func expPeakLSE() {
	v := avx512
	fn(v, "expPeakLSE", "func(n int, arg float32, out []float32)",
		"expPeakLSE runs n iterations of acc += exp(arg) with lse's exp (xent.go) on every lane of",
		fmt.Sprintf("%d vectors, interleaved, and stores them to out[:chains*16].", expLSEChains))
	n := Load(Param("n"), GP64())
	x := v.scalarArg("arg")
	k := xentExpSetup()
	acc := v.zeroed(expLSEChains)
	counted(n, func() {
		for _, a := range acc {
			t := ZMM()
			VMOVAPS(x, t)
			k.exp(t)
			VADDPS(t, a, a)
		}
	})
	storeAll(ptr("out"), v.bytes(), acc, func(r Register, m Mem) { VMOVUPS(r, m) })
	VZEROUPPER()
	RET()
}

// dotPeak is the int8 dot product of each gemm_w8a8 path: VPDPBUSD zmm,
// its VEX ymm form, or two VPMADDWD+VPADDD on int16 (the AVX2 path).
func dotPeak(kind w8Kind) {
	name := "dotPeak" + kind.name()
	TEXT(name, NOSPLIT, "func(n int, a, b uint32, out []int32)")
	Pragma("noescape")
	switch kind {
	case w8AVX2:
		Doc(fmt.Sprintf("%s runs n iterations of two VPMADDWD (AVX2) on every int32 lane of %d vectors:", name, peakDotChains),
			"acc += 2*(a.lo*b.lo + a.hi*b.hi), with a and b broadcast as pairs of int16 (a 4-way dot product",
			"per lane and iteration); stores them to out[:chains*8].")
	default:
		isa := "AVX-512 VNNI"
		if kind == w8VNNI256 {
			isa = "AVX-VNNI, VEX bytes"
		}
		Doc(fmt.Sprintf("%s runs n iterations of VPDPBUSD (%s) on every int32 lane of %d vectors:", name, isa, peakDotChains),
			"acc += Σ_j u8(a>>8j)*s8(b>>8j), with a and b broadcast as dwords; stores them to out[:chains*lanes].")
	}
	n := Load(Param("n"), GP64())
	acc := make([]Register, peakDotChains)
	var a, b Register
	switch kind {
	case w8VNNI256:
		// The VEX bytes name physical registers.
		for i := range acc {
			acc[i] = physY(i)
		}
		a, b = physY(12), physY(13)
	case w8VNNI512:
		for i := range acc {
			acc[i] = ZMM()
		}
		a, b = ZMM(), ZMM()
	default:
		for i := range acc {
			acc[i] = YMM()
		}
		a, b = YMM(), YMM()
	}
	// VBROADCASTSS copies the dword bits; go vet's asmdecl rejects a
	// VPBROADCASTD of a 4-byte argument.
	VBROADCASTSS(paramMem("a"), a)
	VBROADCASTSS(paramMem("b"), b)
	for _, r := range acc {
		if kind.z() {
			VPXORD(r, r, r)
		} else {
			VPXOR(r, r, r)
		}
	}
	counted(n, func() {
		for _, r := range acc {
			switch kind {
			case w8VNNI512:
				VPDPBUSD(b, a, r)
			case w8VNNI256:
				vpdpbusdVEX(r, a, b)
			default:
				for j := 0; j < 2; j++ {
					t := YMM()
					VPMADDWD(b, a, t)
					VPADDD(t, r, r)
				}
			}
		}
	})
	storeAll(ptr("out"), kind.lanes()*4, acc, func(r Register, m Mem) {
		if kind.z() {
			VMOVDQU32(r, m)
		} else {
			VMOVDQU(r, m)
		}
	})
	VZEROUPPER()
	RET()
}

func readPeak(v variant, pf int) {
	name, doc := "readPeak", ""
	if pf > 0 {
		name, doc = "readPFPeak", fmt.Sprintf(" It prefetches (PREFETCHT0) %d bytes ahead, as cross_entropy's pass does.", pf)
	}
	fn(v, name, "func(x []float32) float64",
		fmt.Sprintf("%s returns Σ x[i], summed in %d vector accumulators (one per vector of an unrolled", name, peakReadAccs),
		"iteration), then their lanes in float64: exact while every lane's partial sum is (integers below 2^24)."+doc)
	x := ptr("x")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	acc := make([]VecVirtual, peakReadAccs)
	for i := range acc {
		acc[i] = v.vec()
		zero(acc[i])
	}
	loop(v, n, []GPVirtual{x}, nil, peakReadAccs, func(l lane, i int) {
		prefetchLine(v, l, i, pf, x)
		l.add(l.load(Mem{Base: x, Disp: i * v.bytes()}), acc[i])
	})
	v.returnSumF64(acc)
}

// prefetchLine emits, for vector i of an unrolled step over p, a
// PREFETCHT0 pf bytes ahead once per 64-byte line (nothing for pf = 0 or a
// masked tail).
func prefetchLine(v variant, l lane, i, pf int, p GPVirtual) {
	if pf > 0 && !l.tail && (i*v.bytes())%64 == 0 {
		PREFETCHT0(Mem{Base: p, Disp: i*v.bytes() + pf})
	}
}

// readStreamsPeak is readPeak over `streams` equal parts of x read side by
// side: from DRAM one sequential stream leaves bandwidth unused that
// several (each with its own prefetch stream) reach, as GEMVs, losses
// reading P and T, and row kernels reading several rows at once do. Which
// count is best depends on the machine and the threads, so 2 and 4 are
// both probes.
func readStreamsPeak(v variant, streams int) {
	name := fmt.Sprintf("readStreams%dPeak", streams)
	fn(v, name, "func(x []float32) float64",
		fmt.Sprintf("%s returns Σ x[i] with len(x) a multiple of %d vectors, read as %d interleaved", name, 8, streams),
		"streams (equal parts of x), 8 vectors per iteration into 8 accumulators, then summed in float64.")
	x := ptr("x")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	shift := map[int]uint8{2: 1, 4: 2}[streams]
	SHRQ(U8(shift), n) // floats per stream
	stride := GP64()
	MOVQ(n, stride)
	SHLQ(U8(2), stride) // bytes per stream
	p := []GPVirtual{x}
	for i := 1; i < streams; i++ {
		q := GP64()
		LEAQ(Mem{Base: p[i-1], Index: stride, Scale: 1}, q)
		p = append(p, q.(GPVirtual))
	}
	per := 8 / streams // vectors of each stream per iteration
	acc := make([]VecVirtual, 8)
	for i := range acc {
		acc[i] = v.vec()
		zero(acc[i])
	}
	TESTQ(n, n)
	JZ(LabelRef("sum"))
	Label("loop")
	for i := range acc {
		VADDPS(Mem{Base: p[i/per], Disp: (i % per) * v.bytes()}, acc[i], acc[i])
	}
	for _, q := range p {
		ADDQ(U32(per*v.bytes()), q)
	}
	SUBQ(U32(per*v.lanes), n)
	JNZ(LabelRef("loop"))
	Label("sum")
	v.returnSumF64(acc)
}

// returnSumF64 adds the accumulators pairwise and returns (RET) the sum of
// their lanes in float64 (hsumF64) as the function's result.
func (v variant) returnSumF64(acc []VecVirtual) {
	for len(acc) > 1 {
		h := len(acc) / 2
		for i := 0; i < h; i++ {
			VADDPS(acc[i+h], acc[i], acc[i])
		}
		acc = acc[:h]
	}
	sum := v.hsumF64(acc[0])
	VZEROUPPER() // before the legacy-SSE store (see rows.go)
	Store(sum, ReturnIndex(0))
	RET()
}

// hsumF64 returns an xmm whose low double is the sum of r's float32 lanes,
// widened to float64 before they are added. A per-call reduction in Go
// would cost as much as an L1 pass of the read probe.
func (v variant) hsumF64(r VecVirtual) Register {
	var d VecVirtual // 4 doubles
	if v.z {
		hi, d8, t := YMM(), ZMM(), ZMM()
		VEXTRACTF64X4(U8(1), r, hi)
		VCVTPS2PD(r.AsY(), d8)
		VCVTPS2PD(hi, t)
		VADDPD(t, d8, d8)
		d = YMM()
		VEXTRACTF64X4(U8(1), d8, d)
		VADDPD(d8.AsY(), d, d)
	} else {
		hi, t := XMM(), YMM()
		d = YMM()
		VEXTRACTF128(U8(1), r, hi)
		VCVTPS2PD(r.AsX(), d)
		VCVTPS2PD(hi, t)
		VADDPD(t, d, d)
	}
	x, t := XMM(), XMM()
	VEXTRACTF128(U8(1), d, x)
	VADDPD(d.AsX(), x, x)
	VUNPCKHPD(x, x, t)
	VADDSD(t, x, x)
	return x
}

func copyPeak(v variant) {
	fn(v, "copyPeak", "func(dst, x []float32)",
		"copyPeak copies x to dst over len(dst) with vector loads and stores; len(x) >= len(dst).")
	d, x := ptr("dst"), ptr("x")
	n := Load(Param("dst").Len(), GP64()).(GPVirtual)
	loop(v, n, []GPVirtual{d, x}, []GPVirtual{d}, 8, func(l lane, i int) {
		l.store(l.load(Mem{Base: x, Disp: i * v.bytes()}), Mem{Base: d, Disp: i * v.bytes()})
	})
	VZEROUPPER()
	RET()
}

// copyNTPeak is copyPeak with non-temporal stores, as the kernels stream
// outputs beyond the last-level cache: a plain store first reads the line
// it writes, so plain copies leave DRAM bandwidth unused that these reach.
func copyNTPeak(v variant, pf int) {
	name, doc := "copyNTPeak", ""
	if pf > 0 {
		name, doc = "copyNTPFPeak", fmt.Sprintf(" It prefetches (PREFETCHT0) x %d bytes ahead, as selu does.", pf)
	}
	fn(v, name, "func(dst, x []float32)",
		name+" copies x to dst with vector loads and non-temporal stores (then SFENCE); dst must be",
		"aligned to the vector size and len(dst) a multiple of 4 vectors; len(x) >= len(dst)."+doc)
	d, x := ptr("dst"), ptr("x")
	n := Load(Param("dst").Len(), GP64()).(GPVirtual)
	TESTQ(n, n)
	JZ(LabelRef("done"))
	Label("loop")
	rs := make([]VecVirtual, 4)
	for i := range rs {
		prefetchLine(v, lane{v: v}, i, pf, x)
		rs[i] = v.vec()
		VMOVUPS(Mem{Base: x, Disp: i * v.bytes()}, rs[i])
	}
	for i, r := range rs {
		VMOVNTPS(r, Mem{Base: d, Disp: i * v.bytes()})
	}
	ADDQ(U32(4*v.bytes()), x)
	ADDQ(U32(4*v.bytes()), d)
	SUBQ(U32(4*v.lanes), n)
	JNZ(LabelRef("loop"))
	Label("done")
	SFENCE()
	VZEROUPPER()
	RET()
}

// copyNTEachPeak is copyNTPFPeak with selu's order: each vector loaded,
// its line prefetched and stored in turn, 4 a loop. From DRAM it ran 0-6%
// faster than copyNTPFPeak's 4 loads then 4 stores, and selu itself up to
// 8% faster, so that order alone left the copy ceiling under a kernel
// that streams this way.
func copyNTEachPeak(v variant) {
	fn(v, "copyNTEachPeak", "func(dst, x []float32)",
		"copyNTEachPeak copies x to dst over len(dst) with non-temporal stores, each vector loaded and stored",
		fmt.Sprintf("in turn, x prefetched (PREFETCHT0) %d bytes ahead as selu does; dst must be aligned to the vector", seluPrefetch),
		"size; the tail is stored plainly, masked (AVX-512) or through the stack (AVX2); len(x) >= len(dst).")
	d, x := ptr("dst"), ptr("x")
	n := Load(Param("dst").Len(), GP64()).(GPVirtual)
	loop(v, n, []GPVirtual{d, x}, []GPVirtual{d}, 4, func(l lane, i int) {
		off := i * v.bytes()
		xv := l.load(Mem{Base: x, Disp: off})
		prefetchLine(v, l, i, seluPrefetch, x)
		ntStore(true, l, xv, Mem{Base: d, Disp: off})
	})
	SFENCE()
	VZEROUPPER()
	RET()
}

func triadPeak(v variant) {
	fn(v, "triadPeak", "func(dst, x, y []float32, s float32)",
		"triadPeak computes dst = x + s*y (fused) over len(dst); len(x), len(y) >= len(dst).")
	d, x, y := ptr("dst"), ptr("x"), ptr("y")
	n := Load(Param("dst").Len(), GP64()).(GPVirtual)
	s := v.scalarArg("s")
	loop(v, n, []GPVirtual{d, x, y}, []GPVirtual{d}, 4, func(l lane, i int) {
		r := l.load(Mem{Base: x, Disp: i * v.bytes()})
		VFMADD231PS(l.load(Mem{Base: y, Disp: i * v.bytes()}), s, r)
		l.store(r, Mem{Base: d, Disp: i * v.bytes()})
	})
	VZEROUPPER()
	RET()
}
