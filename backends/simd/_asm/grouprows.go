package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// groupRows emits groupNormRows, PowerNorm inference's row loop in one
// call (per group: sumSq, rsqrt32, normAffine), in both forms (nt.go):
// with groups of 64 channels a row is 24 primitive calls, whose overhead
// exceeded the memory time. The group statistic is summed exactly as the
// sumSq primitive sums (four accumulators over 4-vector steps, single
// vectors into the first, the same lane tree), so results are
// bit-identical to the composition; cg must be a multiple of the lanes
// (no tails).
func groupRows(v variant) {
	for _, nt := range ntForms {
		groupRowsFn(v, nt)
	}
}

// groupPrefetch: the statistics pass prefetches (PREFETCHT0) each line of
// x this many bytes ahead: two passes and a scalar rsqrt per group make
// the row loop too slow a consumer for the hardware prefetchers
// (powernorm_train's scaling pass 1.3-1.5x, one thread).
const groupPrefetch = 16384

func groupRowsFn(v variant, nt bool) {
	fn(v, ntName("groupNormRows", nt), "func(y, x, a, b []float32, rows, c, cg int, inv float32)", ntDoc([]string{
		"groupNormRows sets, for rows rows of c elements and each group of cg elements (cg a multiple of",
		"the lanes, c a multiple of cg), s = rsqrt32(sumSq(group)*inv + 1e-5) and y = normAffine(x, a, b, 0, s)",
		"over the group, a and b indexed by the element's position in the row."}, nt)...)
	y, x, a, b := ptr("y"), ptr("x"), ptr("a"), ptr("b")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	c := Load(Param("c"), GP64()).(GPVirtual)
	cg := Load(Param("cg"), GP64()).(GPVirtual)
	invp, err := Param("inv").Resolve()
	if err != nil {
		panic(err)
	}
	mu := v.vec()
	zero(mu)
	s := v.vec()
	j, i, end, lim := GP64(), GP64(), GP64(), GP64()
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
	Label("row")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	XORQ(j, j)
	Label("group")
	CMPQ(j, c)
	JAE(LabelRef("rowend"))
	MOVQ(j, end)
	ADDQ(cg, end)
	acc := make([]VecVirtual, 4)
	for k := range acc {
		acc[k] = v.vec()
		zero(acc[k])
	}
	pass("sq", func(k int) {
		if (k*v.bytes())%64 == 0 {
			m := at(x, k)
			m.Disp += groupPrefetch
			PREFETCHT0(m)
		}
		t := v.vec()
		VMOVUPS(at(x, k), t)
		VFMADD231PS(t, t, acc[k])
	})
	r := v.reduceTo(acc, vaddps)
	VMULSS(invp.Addr, r, r)
	rstd(r, splatF("pn_eps", 1e-5), splatF("one", 1))
	VBROADCASTSS(r, s)
	pass("out", func(k int) {
		t := v.vec()
		VMOVUPS(at(x, k), t)
		VSUBPS(mu, t, t)
		VMULPS(s, t, t)
		g, bv := v.vec(), v.vec()
		VMOVUPS(at(a, k), g)
		VMOVUPS(at(b, k), bv)
		VFMADD213PS(bv, g, t)
		ntStore(nt, lane{v: v}, t, at(y, k))
	})
	MOVQ(end, j)
	JMP(LabelRef("group"))
	Label("rowend")
	t := GP64()
	MOVQ(c, t)
	SHLQ(U8(2), t)
	ADDQ(t, x)
	ADDQ(t, y)
	DECQ(rows)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}
