package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// groupRows emits groupNormRows, PowerNorm inference's row loop in one
// call (per group: sumSq, rsqrt32, normAffine), in both forms (nt.go),
// and groupSqRows, powernorm_train's statistics on the same loop: with
// groups of 64 channels a row is 24 primitive calls, whose overhead
// exceeded the memory time. The group statistic is summed exactly as the
// sumSq primitive sums (four accumulators over 4-vector steps, single
// vectors into the first, the same lane tree), so results are
// bit-identical to the composition; cg must be a multiple of the lanes
// (no tails). A group's scale (reductions, a square root and a division,
// some 80 cycles) must not wait for the previous group's output: each
// output pass also sums the next group (AVX2, and AVX-512 beyond
// groupBatchMax), or AVX-512 takes 16 groups' scales at once
// (groupBatches); in L2, 64x768 one thread, 1.26x (groups of 64) and
// 1.22x (768) over one group after the other.
func groupRows(v variant) {
	for _, nt := range ntForms {
		groupRowsFn(v, nt, false)
	}
	groupRowsFn(v, false, true)
}

// groupPrefetch: the statistics pass prefetches (PREFETCHT0) each line of
// x this many bytes ahead: two passes and a scalar rsqrt per group make
// the row loop too slow a consumer for the hardware prefetchers
// (powernorm_train's scaling pass 1.3-1.5x, one thread).
const groupPrefetch = 16384

// groupRowsFn emits groupNormRows (nt: the streaming form). sqMode emits
// groupSqRows instead, powernorm_train's statistics: the
// squares of the scaled rows summed into s2 per column (x*s as
// groupNormRows(x, 1, 0) gives it, then s2 += t² as colSqDev with a zero
// shift: the bits of that composition), with no output.
func groupRowsFn(v variant, nt, sqMode bool) {
	var y, x, a, b GPVirtual
	if sqMode {
		fn(v, "groupSqRows", "func(s2, x []float32, rows, c, cg int, inv float32)",
			"groupSqRows adds, for rows rows of c elements and each group of cg elements (cg a multiple of the",
			"lanes, c a multiple of cg), t² into s2[j] (j the element's position in the row, rows in order) with",
			"t = x*s and s = rsqrt32(sumSq(group)*inv + 1e-5).")
		y, x = ptr("s2"), ptr("x")
	} else {
		fn(v, ntName("groupNormRows", nt), "func(y, x, a, b []float32, rows, c, cg int, inv float32)", ntDoc([]string{
			"groupNormRows sets, for rows rows of c elements and each group of cg elements (cg a multiple of",
			"the lanes, c a multiple of cg), s = rsqrt32(sumSq(group)*inv + 1e-5) and y = normAffine(x, a, b, 0, s)",
			"over the group, a and b indexed by the element's position in the row."}, nt)...)
		y, x, a, b = ptr("y"), ptr("x"), ptr("a"), ptr("b")
	}
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	c := Load(Param("c"), GP64()).(GPVirtual)
	cg := Load(Param("cg"), GP64()).(GPVirtual)
	invp, err := Param("inv").Resolve()
	if err != nil {
		panic(err)
	}
	s := v.vec()
	j, i, end, lim, xn, left := GP64(), GP64(), GP64(), GP64(), GP64(), GP64()
	at := func(p GPVirtual, k int) Mem { return Mem{Base: p, Index: i, Scale: 4, Disp: k * v.bytes()} }
	// pass emits the loop over [j, end): 4-vector steps, then single vectors.
	pass := func(tag string, step func(k int)) {
		MOVQ(j, i)
		Label("u" + tag)
		MOVQ(i, lim)
		ADDQ(U32(4*v.lanes), lim)
		CMPQ(lim, end)
		JA(LabelRef("s" + tag))
		for k := range 4 {
			step(k)
		}
		MOVQ(lim, i)
		JMP(LabelRef("u" + tag))
		Label("s" + tag)
		CMPQ(i, end)
		JAE(LabelRef("e" + tag))
		step(0)
		ADDQ(U32(v.lanes), i)
		JMP(LabelRef("s" + tag))
		Label("e" + tag)
	}
	acc := make([]VecVirtual, 4)
	clearAcc := func() {
		for k := range acc {
			acc[k] = v.vec()
			zero(acc[k])
		}
	}
	// sq sums the squares of the group at p (the sumSq primitive's order).
	sq := func(p GPVirtual) func(k int) {
		return func(k int) {
			if (k*v.bytes())%64 == 0 {
				m := at(p, k)
				m.Disp += groupPrefetch
				PREFETCHT0(m)
			}
			t := v.vec()
			VMOVUPS(at(p, k), t)
			VFMADD231PS(t, t, acc[k])
		}
	}
	// scale sets s from the sums.
	scale := func() {
		r := v.reduceTo(acc, vaddps)
		VMULSS(invp.Addr, r, r)
		rstd(r, splatF("pn_eps", 1e-5), splatF("one", 1))
		VBROADCASTSS(r, s)
	}
	out := func(k int) {
		t := v.vec()
		VMOVUPS(at(x, k), t)
		if sqMode {
			VMULPS(s, t, t)
			// s2 is indexed by the position in the row (y stays put).
			sq := Mem{Base: y, Index: i, Scale: 4, Disp: k * v.bytes()}
			q := v.vec()
			VMOVUPS(sq, q)
			VFMADD231PS(t, t, q)
			VMOVUPS(q, sq)
			return
		}
		VMULPS(s, t, t) // normAffine's x-0 is x: no subtraction
		g, bv := v.vec(), v.vec()
		VMOVUPS(at(a, k), g)
		VMOVUPS(at(b, k), bv)
		VFMADD213PS(bv, g, t)
		ntStore(nt, lane{v: v}, t, at(y, k))
	}
	// left = rows*(c/cg) groups.
	MOVQ(c, RAX)
	XORQ(RDX, RDX)
	DIVQ(cg)
	IMULQ(rows, RAX)
	MOVQ(RAX, left)
	XORQ(j, j)
	// nextGroup moves j past the group [j, end), into the next row after
	// a row's last group, and jumps to the label l.
	nextGroup := func(l string) {
		MOVQ(end, j)
		CMPQ(j, c)
		JB(LabelRef(l))
		t := GP64()
		MOVQ(c, t)
		SHLQ(U8(2), t)
		ADDQ(t, x)
		if !sqMode {
			ADDQ(t, y)
		}
		XORQ(j, j)
		JMP(LabelRef(l))
	}
	if v.z {
		groupBatches(x, j, end, i, cg, left, s, acc, clearAcc, pass, out, nextGroup, invp.Addr)
	}
	TESTQ(left, left)
	JZ(LabelRef("done"))
	MOVQ(j, end)
	ADDQ(cg, end)
	clearAcc()
	pass("sq", sq(x))
	scale()
	// Each group's output pass also sums the squares of the next group
	// (cg elements on, in the next row after a row's last group), so that
	// sum does not wait for this group's scale; the last group has none.
	Label("group")
	MOVQ(j, end)
	ADDQ(cg, end)
	DECQ(left)
	JZ(LabelRef("last"))
	LEAQ(Mem{Base: x, Index: cg, Scale: 4}, xn)
	clearAcc()
	next := sq(xn)
	pass("ol", func(k int) {
		next(k)
		out(k)
	})
	scale()
	nextGroup("group")
	Label("last")
	pass("out", out)
	Label("done")
	VZEROUPPER()
	RET()
}

// groupBatchMax is the largest group (elements) whose batches of 16 fit
// L1 with their output: the batch is read twice.
const groupBatchMax = 256

// groupBatches emits groupNormRows' AVX-512 batches of 16 groups (cg at
// most groupBatchMax; fewer than 16 groups left fall through to the
// group-by-group loop): the 16 sums of squares (each summed as sumSq
// sums, folded to one vector as reduceTo folds, into a stack buffer),
// then their lanes in one tree (the lane pairs hreduce adds, in its order:
// the same bits) and the 16 scales in float64 vector arithmetic
// (rsqrt32's roundings, lane by lane), then the outputs. A scale is a
// chain of reductions, a square root and a division (some 80 cycles):
// one at a time, with 4-vector groups, the chain bound the loop.
func groupBatches(x, j, end, i, cg, left GPVirtual, s VecVirtual, acc []VecVirtual, clearAcc func(),
	pass func(string, func(int)), out func(int), nextGroup func(string), inv Mem) {
	scales := AllocLocal(16 * 4)
	perm := ZMM()
	VMOVDQU32(w4Perm(), perm)
	Label("batch")
	CMPQ(cg, U32(groupBatchMax))
	JA(LabelRef("single"))
	CMPQ(left, U8(16))
	JB(LabelRef("single"))
	// The sums: q walks the 16 groups (contiguous across rows).
	q, lim := GP64(), GP64()
	LEAQ(Mem{Base: x, Index: j, Scale: 4}, q)
	at := func(k int) Mem { return Mem{Base: q, Index: i, Scale: 4, Disp: 64 * k} }
	step := func(k int, a VecVirtual) {
		t := ZMM()
		VMOVUPS(at(k), t)
		VFMADD231PS(t, t, a)
	}
	// sum emits group g's sum, folded to one vector.
	sum := func(g int) VecVirtual {
		tag := fmt.Sprint(g)
		clearAcc()
		XORQ(i, i)
		Label("bs4" + tag)
		MOVQ(i, lim)
		ADDQ(U8(64), lim)
		CMPQ(lim, cg)
		JA(LabelRef("bs1" + tag))
		for k := range 4 {
			step(k, acc[k])
		}
		MOVQ(lim, i)
		JMP(LabelRef("bs4" + tag))
		Label("bs1" + tag)
		CMPQ(i, cg)
		JAE(LabelRef("bsf" + tag))
		step(0, acc[0])
		ADDQ(U8(16), i)
		JMP(LabelRef("bs1" + tag))
		Label("bsf" + tag)
		VADDPS(acc[2], acc[0], acc[0])
		VADDPS(acc[3], acc[1], acc[1])
		VADDPS(acc[1], acc[0], acc[0])
		LEAQ(Mem{Base: q, Index: cg, Scale: 4}, q)
		return acc[0]
	}
	// The tree: halvings of 128-bit blocks, then within them, as
	// hreduce's strides 8, 4, 2, 1; group g's sum ends in lane
	// 4(g%4) + g/4, which w4Perm puts back at g.
	half := func(a, b VecVirtual, lo, hi uint8, blocks bool) VecVirtual {
		u, w := ZMM(), ZMM()
		if blocks {
			VSHUFF32X4(U8(lo), b, a, u)
			VSHUFF32X4(U8(hi), b, a, w)
		} else {
			VSHUFPS(U8(lo), b, a, u)
			VSHUFPS(U8(hi), b, a, w)
		}
		VADDPS(w, u, u)
		return u
	}
	var quads [4]VecVirtual
	for p := range quads {
		var pair [2]VecVirtual
		for h := range pair {
			a := sum(4*p + 2*h)
			b := sum(4*p + 2*h + 1)
			pair[h] = half(a, b, 0x44, 0xEE, true)
		}
		quads[p] = half(pair[0], pair[1], 0x88, 0xDD, true)
	}
	ra := half(quads[0], quads[1], 0x44, 0xEE, false)
	rb := half(quads[2], quads[3], 0x44, 0xEE, false)
	r := half(ra, rb, 0x88, 0xDD, false)
	VPERMD(r, perm, r)
	// rsqrt32(r*inv + 1e-5), float64 in two halves.
	iv := ZMM()
	VBROADCASTSS(inv, iv)
	VMULPS(iv, r, r)
	VADDPS(splatF("pn_eps", 1e-5), r, r)
	one := ZMM()
	VBROADCASTSD(splat64("one64", math.Float64bits(1)), one)
	for h := range 2 {
		hv := YMM()
		if h == 0 {
			VMOVAPS(r.AsY(), hv)
		} else {
			VEXTRACTF32X8(U8(1), r, hv)
		}
		d := ZMM()
		VCVTPS2PD(hv, d)
		VSQRTPD(d, d)
		VDIVPD(d, one, d)
		VCVTPD2PS(d, hv)
		VMOVUPS(hv, scales.Offset(32*h))
	}
	// The outputs.
	gi := GP64()
	XORQ(gi, gi)
	Label("bout")
	VBROADCASTSS(scales.Idx(gi, 4), s)
	MOVQ(j, end)
	ADDQ(cg, end)
	pass("bo", func(k int) {
		// The prefetches run here, spread over the longer pass (in the
		// sums they came in bursts: 0.75x from DRAM).
		PREFETCHT0(Mem{Base: x, Index: i, Scale: 4, Disp: 64*k + groupPrefetch})
		out(k)
	})
	nextGroup("bnext")
	Label("bnext")
	INCQ(gi)
	CMPQ(gi, U8(16))
	JB(LabelRef("bout"))
	SUBQ(U8(16), left)
	JMP(LabelRef("batch"))
	Label("single")
}
