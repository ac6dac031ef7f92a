package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Fused row norms: one call normalises a block of rows, each row's
// statistics and output in one routine while the row sits in L1, instead
// of three Go-side calls per row. rmsnorm's numerics are the composition
// of the primitives (sumSq, then rstd = float32(1/sqrt(float64(v+eps)))*scale,
// then y as scaleMul); layernorm takes its mean and variance from one
// shifted pass (lnRowsFn; within the tolerance of the two-pass
// composition, not bit-identical to it), then y as normAffine. The next
// row is prefetched during the last pass, which reads the current one
// from L1, except in rows too wide for L1 with the next row, which
// prefetch two rows ahead into L2 instead (outPasses). Tails: AVX-512 masks, AVX2 scalar steps (no access
// past a row; scalar memory operands are loaded with VMOVSS first, since
// qemu 7.2 reads 16 bytes for a VFMADD213SS m32 and faults at a page end).

// rowPass emits one loop over the c elements of a row at index register i
// (element index): unroll vectors per iteration while they fit, then one,
// then the tail (k: the AVX-512 tail mask for c mod lanes; scalar: one
// element per step on AVX2, with xmm operands).
func rowPass(v variant, sfx string, c, i GPVirtual, unroll int, k OpmaskVirtual,
	step func(l lane, u int, m func(p GPVirtual, vec int) Mem), scalar func(m func(p GPVirtual) Mem)) {
	XORQ(i, i)
	rowPassFrom(v, sfx, c, i, unroll, k, step, scalar)
}

// rowPassFrom is rowPass from the element index already in i.
func rowPassFrom(v variant, sfx string, c, i GPVirtual, unroll int, k OpmaskVirtual,
	step func(l lane, u int, m func(p GPVirtual, vec int) Mem), scalar func(m func(p GPVirtual) Mem)) {
	lim := GP64()
	vecMem := func(p GPVirtual, vec int) Mem { return Mem{Base: p, Index: i, Scale: 4, Disp: vec * v.bytes()} }
	if unroll > 1 {
		MOVQ(c, lim)
		SUBQ(U32(unroll*v.lanes), lim)
		Label("u" + sfx)
		CMPQ(i, lim)
		JG(LabelRef("s" + sfx))
		for u := 0; u < unroll; u++ {
			step(lane{v: v}, u, func(p GPVirtual, _ int) Mem { return vecMem(p, u) })
		}
		ADDQ(U32(unroll*v.lanes), i)
		JMP(LabelRef("u" + sfx))
	}
	Label("s" + sfx)
	MOVQ(c, lim)
	SUBQ(U32(v.lanes), lim)
	Label("s1" + sfx)
	CMPQ(i, lim)
	JG(LabelRef("t" + sfx))
	step(lane{v: v}, 0, func(p GPVirtual, _ int) Mem { return vecMem(p, 0) })
	ADDQ(U32(v.lanes), i)
	JMP(LabelRef("s1" + sfx))
	Label("t" + sfx)
	CMPQ(i, c)
	JAE(LabelRef("e" + sfx))
	if v.z {
		step(lane{v: v, tail: true, k: k}, 0, func(p GPVirtual, _ int) Mem { return vecMem(p, 0) })
	} else {
		scalar(func(p GPVirtual) Mem { return Mem{Base: p, Index: i, Scale: 4} })
		INCQ(i)
		JMP(LabelRef("t" + sfx))
	}
	Label("e" + sfx)
}

// rstd sets x (lane 0) to float32(1/sqrt(float64(x+eps)))*scale.
func rstd(x Register, eps, scale Mem) {
	VADDSS(eps, x, x)
	d := XMM()
	VCVTSS2SD(x, d, d)
	VSQRTSD(d, d, d)
	one := XMM()
	VMOVSD(splat64("one64", math.Float64bits(1)), one)
	VDIVSD(d, one, d)
	VCVTSD2SS(d, x, x)
	VMULSS(scale, x, x)
}

// normRows emits the row norms in both forms (plain and streaming, nt.go;
// the streaming layernorm and rmsnorm need c a multiple of the lanes, so
// every row of y starts aligned; crmsnorm streams rows at any alignment).
func normRows(v variant) {
	for _, nt := range ntForms {
		lnRowsFn(v, nt, ntName("layerNormRows", nt), false)
		lnRowsFn(v, nt, ntName("layerNormRowsUnitG", nt), true)
		rmsRowsFn(v, nt, false)
		rmsRowsFn(v, nt, true)
		crmsRowsFn(v, nt)
	}
}

// crmsRowsFn emits crmsNormRows: CRMSNorm's row loop in one call. Per row
// one pass sums z and z² (four accumulators each), then
// rs = rsqrt32((q+s*s)*inv+eps) (float32 steps, as the Go composition),
// then y = z*rs*g (scaleMul's numerics) while the row is in L1; the next
// row is prefetched into L1 during the output pass (ahead 0), or row
// r+ahead into L2 (outPasses). Rows of n need not
// be aligned: the streaming form writes each row's head up to the first
// vector-aligned element with plain (masked or scalar) stores and
// streams the rest.
func crmsRowsFn(v variant, nt bool) {
	fn(v, ntName("crmsNormRows", nt), "func(y, z, g []float32, rows, n, ahead int, inv, eps float32)", ntDoc([]string{
		"crmsNormRows sets, per row of n >= 1 elements (z and y rows at r*n), s = sum(row), q = sum(row²),",
		"rs = rsqrt32((q+s*s)*inv+eps) and y = z*rs*g; g holds n elements. With ahead 0 (rows that fit",
		"L1 with g and the next row) the output pass prefetches the next row into L1, else row r+ahead",
		"into L2."}, false)...)
	if nt {
		Doc("NT: the full vectors of y from each row's first vector-aligned element on are stored",
			"non-temporally (rows need not be aligned); the caller runs sfence.")
	}
	y, x, g := ptr("y"), ptr("z"), ptr("g")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	c := Load(Param("n"), GP64()).(GPVirtual)
	ahead := Load(Param("ahead"), GP64()).(GPVirtual)
	inv, eps := paramMem("inv"), paramMem("eps")
	var k OpmaskVirtual
	ones := GP64()
	MOVQ(I32(-1), ones)
	if v.z {
		t := GP64()
		MOVQ(c, t)
		ANDQ(U8(v.lanes-1), t)
		k = kFirst(v.lanes, t, kOpt{ones: ones, t: t})
	}
	stride := GP64()
	MOVQ(c, stride)
	SHLQ(U8(2), stride)
	i, nx := GP64(), GP64()
	ts, tq := XMM(), XMM() // AVX2 scalar tail sums
	rs := v.vec()
	Label("row")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	LEAQ(Mem{Base: x, Index: stride, Scale: 1}, nx)
	const unroll = 4
	sa, qa := zeroedSums(v, unroll, ts, tq)
	// Row r+ahead (wide rows: ahead > 0).
	n2 := GP64()
	MOVQ(ahead, n2)
	IMULQ(stride, n2)
	ADDQ(x, n2)
	rowPass(v, "st", c, i, unroll, k, func(l lane, u int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		VADDPS(t, sa[u], sa[u])
		VFMADD231PS(t, t, qa[u])
	}, func(m func(GPVirtual) Mem) {
		t := XMM()
		VMOVSS(m(x), t)
		VADDSS(t, ts, ts)
		VFMADD231SS(t, t, tq)
	})
	sr := v.reduceTo(sa, vaddps)
	qr := v.reduceTo(qa, vaddps)
	if !v.z {
		VADDSS(ts, sr, sr)
		VADDSS(tq, qr, qr)
	}
	VMULSS(sr, sr, sr)
	VADDSS(sr, qr, qr)
	VMULSS(inv, qr, qr)
	rstd(qr, eps, splatF("one", 1))
	VBROADCASTSS(qr, rs)
	wide := func(to string) {
		TESTQ(ahead, ahead)
		JNZ(LabelRef(to))
	}
	outPasses("out", wide, nx, n2, func(sfx string, pf func(m func(GPVirtual, int) Mem)) {
		step, outScalar := scaleMulSteps(nt, y, x, g, rs)
		out := perLine(v, pf, step)
		if !nt {
			rowPass(v, sfx, c, i, 4, k, out, outScalar)
			return
		}
		// h = min(elements before y's first aligned address, n).
		h := GP64()
		MOVQ(y, h)
		NEGQ(h)
		ANDQ(U8(v.bytes()-1), h)
		SHRQ(U8(2), h)
		CMPQ(h, c)
		CMOVQGT(c, h)
		XORQ(i, i)
		var kt OpmaskVirtual
		if v.z {
			// The head as one masked vector, then the tail mask of n-h.
			t := GP64()
			kh := kFirst(v.lanes, h, kOpt{ones: ones, t: t})
			out(lane{v: v, tail: true, k: kh}, 1, func(p GPVirtual, _ int) Mem { return Mem{Base: p} })
			MOVQ(c, t)
			SUBQ(h, t)
			ANDQ(U8(v.lanes-1), t)
			kt = kFirst(v.lanes, t, kOpt{ones: ones, t: t})
		} else {
			Label("hd" + sfx)
			CMPQ(i, h)
			JAE(LabelRef("hde" + sfx))
			outScalar(func(p GPVirtual) Mem { return Mem{Base: p, Index: i, Scale: 4} })
			INCQ(i)
			JMP(LabelRef("hd" + sfx))
			Label("hde" + sfx)
		}
		MOVQ(h, i)
		rowPassFrom(v, sfx, c, i, 4, kt, out, outScalar)
	})
	ADDQ(stride, x)
	ADDQ(stride, y)
	DECQ(rows)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// zeroedSums returns n zeroed pairs of vector accumulators for a row's sum
// and sum of squares, and zeroes the AVX2 scalar tail sums ts and tq.
func zeroedSums(v variant, n int, ts, tq VecVirtual) (sa, qa []VecVirtual) {
	sa, qa = make([]VecVirtual, n), make([]VecVirtual, n)
	for j := range sa {
		sa[j], qa[j] = v.vec(), v.vec()
		zero(sa[j])
		zero(qa[j])
	}
	if !v.z {
		VXORPS(ts, ts, ts)
		VXORPS(tq, tq, tq)
	}
	return sa, qa
}

// rowTailMask is, on AVX-512, the opmask of the c%lanes elements after a
// row's whole vectors; nil on AVX2.
func rowTailMask(v variant, c GPVirtual) OpmaskVirtual {
	if !v.z {
		return nil
	}
	t := GP64()
	MOVQ(c, t)
	ANDQ(U8(v.lanes-1), t)
	return kFirst(v.lanes, t, kOpt{})
}

// rmsRowsFn emits rmsNormRows: per row a sum-of-squares pass, then the
// output pass (prefetching the next row into L1); rows beyond rmsAheadC
// elements prefetch row r+2 into L2 instead (outPasses).
//
// unitG emits the form for g = 1 (single_scale_rmsnorm), which reads no
// g: y = x*s, scaleMul's bits with g = 1.
func rmsRowsFn(v variant, nt, unitG bool) {
	const acc8 = 8
	name, what := "rmsNormRows", "y = x*s*g as in scaleMul; g holds c elements."
	if unitG {
		name, what = "rmsNormRowsUnitG", "y = x*s, scaleMul's bits with g = 1; g is not read."
	}
	fn(v, ntName(name, nt), "func(y, x, g []float32, rows, c int, inv, eps, scale float32)", ntDoc([]string{
		"rmsNormRows sets, per row of c >= 1 elements, s = rsqrt(sumSq(row)*inv+eps)*scale (through",
		"float64, as rsqrt32) and " + what}, nt)...)
	y, x := ptr("y"), ptr("x")
	var g GPVirtual
	if !unitG {
		g = ptr("g")
	}
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	c := Load(Param("c"), GP64()).(GPVirtual)
	inv, eps, scale := paramMem("inv"), paramMem("eps"), paramMem("scale")
	k := rowTailMask(v, c)
	stride := GP64()
	MOVQ(c, stride)
	SHLQ(U8(2), stride)
	i := GP64()
	// nx is the next row of x, prefetched into L1 during the last passes
	// over the current one (which run from L1): its first pass then reads
	// L1, not L2 (narrow rows: outPasses). A prefetch past the end does
	// not fault.
	nx := GP64()

	var acc []VecVirtual
	ts := XMM() // AVX2 scalar tail sum
	clear := func(n int) {
		acc = make([]VecVirtual, n)
		for j := range acc {
			acc[j] = v.vec()
			zero(acc[j])
		}
		if !v.z {
			VXORPS(ts, ts, ts)
		}
	}
	// reduce folds acc (and the scalar tail sum) into lane 0 of the result.
	reduce := func() Register {
		r := v.reduceTo(acc, vaddps)
		if !v.z {
			VADDSS(ts, r, r)
		}
		return r
	}
	// n2: the row after next, prefetched into L2 in wide rows (outPasses).
	two, n2 := GP64(), GP64()
	LEAQ(Mem{Base: stride, Index: stride, Scale: 1}, two)
	s := v.vec()
	Label("row")
	LEAQ(Mem{Base: x, Index: stride, Scale: 1}, nx)
	LEAQ(Mem{Base: x, Index: two, Scale: 1}, n2)
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	clear(acc8)
	rowPass(v, "sq", c, i, acc8, k, func(l lane, u int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		l.fma(t, t, acc[0])
		acc = append(acc[1:], acc[0])
	}, func(m func(GPVirtual) Mem) {
		t := XMM()
		VMOVSS(m(x), t)
		VFMADD231SS(t, t, ts)
	})
	r := reduce()
	VMULSS(inv, r, r)
	rstd(r, eps, scale)
	VBROADCASTSS(r, s)
	step, scalar := scaleMulSteps(nt, y, x, g, s)
	outRowPasses(v, c, i, k, widerThan(c, rmsAheadC), nx, n2, step, scalar)
	ADDQ(stride, x)
	ADDQ(stride, y)
	DECQ(rows)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// lnRowsFn emits layerNormRows in two passes per row, as rmsNormRows:
// the statistics pass sums d = x-K and d² for a shift K near the mean
// (the mean of the row's first vector; x[0] for rows shorter than one
// vector), so mu = K + Σd*inv and var = Σd²*inv - (Σd*inv)²; where the
// shift was far from the mean ((Σd*inv)² above half of Σd²*inv: the
// subtraction would lose more than a bit) a second pass sums (x-mu)² as
// the two-pass form. Then y = (x-mu)*s*g + b while the row is in L1,
// prefetching the next row into L1; rows beyond lnAheadC elements (which
// do not fit L1 with g, b and the next row) prefetch row r+2 into L2
// instead, so DRAM reads go on (outPasses).
//
// unitG emits the form for gamma = 1 (nonscaling_layernorm), which reads
// no g: y = (x-mu)*s + b, normAffine's bits with g = 1 (fma(t, 1, b) is
// t + b rounded once). g's memory is a third of the output pass's reads,
// all from L2 in wide rows, and unitG rows are wide only past rmsAheadC,
// as rmsnorm's.
func lnRowsFn(v variant, nt bool, name string, unitG bool) {
	what := "y = (x-mu)*s*g + b as in normAffine; g and b hold c elements."
	if unitG {
		what = "y = (x-mu)*s + b, normAffine's bits with g = 1; b holds c elements and g is not read."
	}
	fn(v, name, "func(y, x, g, b []float32, rows, c int, inv, eps, scale float32)", ntDoc([]string{
		"layerNormRows normalises rows rows of c >= 1 elements (x and y rows at r*c):",
		"mu = sum(row)*inv, s = rsqrt(var*inv+eps)*scale (through float64, as rsqrt32) with the",
		"variance from a shifted single pass (or two passes where the shift was far from the mean),",
		what}, nt)...)
	y, x, b := ptr("y"), ptr("x"), ptr("b")
	var g GPVirtual
	if !unitG {
		g = ptr("g")
	}
	aheadC := lnAheadC
	if unitG {
		aheadC = rmsAheadC
	}
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	c := Load(Param("c"), GP64()).(GPVirtual)
	inv, eps, scale := paramMem("inv"), paramMem("eps"), paramMem("scale")
	k := rowTailMask(v, c)
	stride := GP64()
	MOVQ(c, stride)
	SHLQ(U8(2), stride)
	// n2: the row after next, prefetched into L2 in wide rows (outPasses).
	two := GP64()
	LEAQ(Mem{Base: stride, Index: stride, Scale: 1}, two)
	i, nx, n2 := GP64(), GP64(), GP64()
	ts, tq := XMM(), XMM()
	Label("row")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	LEAQ(Mem{Base: x, Index: stride, Scale: 1}, nx)
	LEAQ(Mem{Base: x, Index: two, Scale: 1}, n2)
	// The shift K.
	kv := v.vec()
	CMPQ(c, U8(v.lanes))
	JB(LabelRef("k1"))
	VMOVUPS(Mem{Base: x}, kv)
	v.hreduce(kv, vaddps)
	VMULSS(splatF(fmt.Sprintf("inv%d", v.lanes), 1/float32(v.lanes)), kv.AsX(), kv.AsX())
	JMP(LabelRef("k2"))
	Label("k1")
	VMOVSS(Mem{Base: x}, kv.AsX())
	Label("k2")
	kb := v.vec()
	VBROADCASTSS(kv.AsX(), kb)
	const unroll = 4
	sa, qa := zeroedSums(v, unroll, ts, tq)
	rowPass(v, "st", c, i, unroll, k, func(l lane, u int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		VSUBPS(kb, t, t)
		l.add(t, sa[u])
		l.fma(t, t, qa[u])
	}, func(m func(GPVirtual) Mem) {
		t := XMM()
		VMOVSS(m(x), t)
		VSUBSS(kb.AsX(), t, t)
		VADDSS(t, ts, ts)
		VFMADD231SS(t, t, tq)
	})
	sr := v.reduceTo(sa, vaddps)
	qr := v.reduceTo(qa, vaddps)
	if !v.z {
		VADDSS(ts, sr, sr)
		VADDSS(tq, qr, qr)
	}
	VMULSS(inv, sr, sr) // mean of d
	VMULSS(inv, qr, qr) // mean of d²
	mu := v.vec()
	VADDSS(sr, kv.AsX(), mu.AsX())
	VBROADCASTSS(mu.AsX(), mu)
	mm, half := XMM(), XMM()
	VMULSS(sr, sr, mm)
	VMULSS(splatF("half", 0.5), qr, half)
	VUCOMISS(half, mm)
	JA(LabelRef("dev"))
	VSUBSS(mm, qr, qr) // the variance
	Label("stat")
	rstd(qr, eps, scale)
	s := v.vec()
	VBROADCASTSS(qr, s)
	outRowPasses(v, c, i, k, widerThan(c, aheadC), nx, n2, func(l lane, u int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		VSUBPS(mu, t, t)
		VMULPS(s, t, t)
		bv := l.load(m(b, 0))
		if unitG {
			VADDPS(bv, t, t)
		} else {
			gv := l.load(m(g, 0))
			VFMADD213PS(bv, gv, t)
		}
		ntStore(nt, l, t, m(y, 0))
	}, func(m func(GPVirtual) Mem) {
		t, bv := XMM(), XMM()
		VMOVSS(m(x), t)
		VSUBSS(mu.AsX(), t, t)
		VMULSS(s.AsX(), t, t)
		VMOVSS(m(b), bv)
		if unitG {
			VADDSS(bv, t, t)
		} else {
			gv := XMM()
			VMOVSS(m(g), gv)
			VFMADD213SS(bv, gv, t)
		}
		VMOVSS(t, m(y))
	})
	ADDQ(stride, x)
	ADDQ(stride, y)
	DECQ(rows)
	JMP(LabelRef("row"))

	// The shift was far from the mean: the two-pass variance.
	Label("dev")
	const acc8 = 8
	acc := make([]VecVirtual, acc8)
	for j := range acc {
		acc[j] = v.vec()
		zero(acc[j])
	}
	if !v.z {
		VXORPS(ts, ts, ts)
	}
	rowPass(v, "dev", c, i, acc8, k, func(l lane, u int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		VSUBPS(mu, t, t)
		l.fma(t, t, acc[0])
		acc = append(acc[1:], acc[0])
	}, func(m func(GPVirtual) Mem) {
		t := XMM()
		VMOVSS(m(x), t)
		VSUBSS(mu.AsX(), t, t)
		VFMADD231SS(t, t, ts)
	})
	r := v.reduceTo(acc, vaddps)
	if !v.z {
		VADDSS(ts, r, r)
	}
	VMULSS(inv, r, r)
	VMOVSS(r, qr, qr)
	JMP(LabelRef("stat"))

	Label("done")
	VZEROUPPER()
	RET()
}

// outPasses emits a row's output pass in two forms behind wide, which
// emits a jump to its label argument for rows too wide for L1 with g (and
// b) and the next row. The narrow form prefetches the next row (nx) into
// L1, a line per line of output, so its first pass reads L1. The wide form
// prefetches the row at n2 into L2 instead: the next row into L1 evicted
// the current row and g before this pass read them, and into L2 during
// the first pass, a short one, its prefetches came in a burst (against
// that, one thread, three alternated runs, % of DRAM: rmsnorm 2048x8192
// 80-82 -> 89-94, crmsnorm 2048x8191 69-82 -> 75-86, layernorm 2048x8192
// 70-72 -> 73-74, nonscaling_layernorm 2048x4096 and 2048x8192 65-78 ->
// 78-84; one form with both prefetches slowed the narrow rows, an extra
// prefetch per line). pass emits the output pass with its labels suffixed
// by sfx, calling pf once per cache line.
func outPasses(sfx string, wide func(to string), nx, n2 GPVirtual, pass func(sfx string, pf func(m func(GPVirtual, int) Mem))) {
	wide(sfx + "W")
	pass(sfx, func(m func(GPVirtual, int) Mem) { PREFETCHT0(m(nx, 0)) })
	JMP(LabelRef(sfx + "J"))
	Label(sfx + "W")
	pass(sfx+"w", func(m func(GPVirtual, int) Mem) { PREFETCHT1(m(n2, 0)) })
	Label(sfx + "J")
}

// outRowPasses is outPasses over one rowPass of step (4 vectors a step)
// and scalar, the prefetch once per line of output.
func outRowPasses(v variant, c, i GPVirtual, k OpmaskVirtual, wide func(to string), nx, n2 GPVirtual,
	step func(l lane, u int, m func(GPVirtual, int) Mem), scalar func(m func(GPVirtual) Mem)) {
	outPasses("out", wide, nx, n2, func(sfx string, pf func(m func(GPVirtual, int) Mem)) {
		rowPass(v, sfx, c, i, 4, k, perLine(v, pf, step), scalar)
	})
}

// perLine is step with pf first at each step that starts a cache line.
func perLine(v variant, pf func(m func(GPVirtual, int) Mem), step func(l lane, u int, m func(GPVirtual, int) Mem)) func(l lane, u int, m func(GPVirtual, int) Mem) {
	return func(l lane, u int, m func(GPVirtual, int) Mem) {
		if u*v.bytes()%64 == 0 {
			pf(m)
		}
		step(l, u, m)
	}
}

// scaleMulSteps are the vector step and the scalar step of y = x*s*g
// (scaleMul's numerics), y stored non-temporally when nt; g nil is g = 1
// (y = x*s: the same bits, as t*1 is t).
func scaleMulSteps(nt bool, y, x, g GPVirtual, s VecVirtual) (func(l lane, u int, m func(GPVirtual, int) Mem), func(m func(GPVirtual) Mem)) {
	step := func(l lane, _ int, m func(GPVirtual, int) Mem) {
		t := l.load(m(x, 0))
		VMULPS(s, t, t)
		if g != nil {
			gv := l.load(m(g, 0))
			VMULPS(gv, t, t)
		}
		ntStore(nt, l, t, m(y, 0))
	}
	scalar := func(m func(GPVirtual) Mem) {
		t := XMM()
		VMOVSS(m(x), t)
		VMULSS(s.AsX(), t, t)
		if g != nil {
			gv := XMM()
			VMOVSS(m(g), gv)
			VMULSS(gv, t, t)
		}
		VMOVSS(t, m(y))
	}
	return step, scalar
}

// widerThan is outPasses' wide for rows of more than limit elements.
func widerThan(c GPVirtual, limit int) func(to string) {
	return func(to string) {
		CMPQ(c, U32(limit))
		JG(LabelRef(to))
	}
}

// Rows longer than these prefetch two rows ahead into L2 (outPasses):
// those that do not fit L1 (48 KiB) with the next row and g (and b):
// 16c bytes for layernorm (2048x4096: 1.04-1.05x, measured), 12c for
// rmsnorm.
const (
	lnAheadC  = 3072
	rmsAheadC = 4096
)
