package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// fma accumulates acc += a*b (only tail lanes at the tail).
func (l lane) fma(a, b, acc VecVirtual) {
	switch {
	case !l.tail:
		VFMADD231PS(a, b, acc)
	case l.v.z:
		VFMADD231PS(a, b, l.k, acc)
	default:
		t := l.v.vec()
		VMULPS(a, b, t)
		l.add(t, acc)
	}
}

// reduction emits a float32 reduction over len(first slice) elements.
// term consumes the loaded inputs of one vector (at its address in the
// first slice) and folds it into acc.
func reduction(v variant, name, sig string, doc []string, slices []string, init func(acc VecVirtual),
	setup func(), term func(l lane, at Mem, in []VecVirtual, acc VecVirtual), fold func(a, b, dst Op)) {
	fn(v, name, sig, doc...)
	ps := make([]GPVirtual, len(slices))
	for i, s := range slices {
		ps[i] = ptr(s)
	}
	n := Load(Param(slices[0]).Len(), GP64()).(GPVirtual)
	setup()
	const unroll = 4
	acc := make([]VecVirtual, unroll)
	for i := range acc {
		acc[i] = v.vec()
		init(acc[i])
	}
	loop(v, n, ps, nil, unroll, func(l lane, i int) {
		in := make([]VecVirtual, len(ps))
		for j, p := range ps {
			in[j] = l.load(Mem{Base: p, Disp: i * v.bytes()})
		}
		term(l, Mem{Base: ps[0], Disp: i * v.bytes()}, in, acc[i])
	})
	x := v.reduceTo(acc, fold)
	VZEROUPPER() // before the legacy-SSE store: with dirty upper halves Intel charges SSE a transition
	Store(x, ReturnIndex(0))
	RET()
}

func reductions(v variant) {
	var mu, delta, lo, m VecVirtual
	none := func() {}
	reduction(v, "sum", "func(x []float32) float32",
		[]string{"sum returns Σ x[i] (four vector accumulators, then a lane tree)."},
		[]string{"x"}, zero, none,
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) { l.add(in[0], acc) }, vaddps)

	reduction(v, "sumSq", "func(x []float32) float32",
		[]string{"sumSq returns Σ x[i]²."},
		[]string{"x"}, zero, none,
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) { l.fma(in[0], in[0], acc) }, vaddps)

	reduction(v, "sumSqDev", "func(x []float32, mu float32) float32",
		[]string{"sumSqDev returns Σ (x[i]-mu)²."},
		[]string{"x"}, zero, func() { mu = v.scalarArg("mu") },
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) {
			VSUBPS(mu, in[0], in[0])
			l.fma(in[0], in[0], acc)
		}, vaddps)

	reduction(v, "sumSqDiff", "func(a, b []float32) float32",
		[]string{"sumSqDiff returns Σ (a[i]-b[i])² over len(a); len(b) >= len(a)."},
		[]string{"a", "b"}, zero, none,
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) {
			VSUBPS(in[1], in[0], in[0])
			l.fma(in[0], in[0], acc)
		}, vaddps)

	reduction(v, "huberSum", "func(p, t []float32, delta float32) float32",
		[]string{"huberSum returns Σ h(p[i]-t[i]) over len(p), where h(r) = 0.5r² for |r| < delta",
			"and delta(|r|-0.5delta) otherwise, computed branch-free as q(|r|-0.5q) with q = min(|r|, delta)",
			"(exact: |r|-0.5|r| = 0.5|r|). NaN stays NaN. len(t) >= len(p)."},
		[]string{"p", "t"}, zero, func() { delta = v.scalarArg("delta") },
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) {
			a := in[0]
			VSUBPS(in[1], a, a)
			VANDPS(splat("absmask", 0x7fffffff), a, a)
			q := v.vec()
			VMINPS(a, delta, q) // NaN in a (the second source) passes through
			h := v.vec()
			VMULPS(splatF("half", 0.5), q, h)
			VSUBPS(h, a, a)
			l.fma(q, a, acc)
		}, vaddps)

	reduction(v, "maxv", "func(x []float32) float32",
		[]string{"maxv returns max x[i] (-Inf for an empty x; a NaN may or may not win)."},
		[]string{"x"}, func(acc VecVirtual) { VMOVUPS(splat("neginf", 0xff800000), acc) }, none,
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) { l.max(in[0], acc) }, vmaxps)

	var ek expConsts
	if v.z {
		reduction(v, "sumExp", "func(x []float32, m float32) float32",
			[]string{"sumExp returns Σ exp(x[i]-m) for x[i] <= m, with exp from expPoly",
				"(arguments below -87 count as exp(-87); NaN propagates)."},
			[]string{"x"}, zero, func() { m = v.scalarArg("m"); ek = v.expSetupRegs() },
			func(l lane, at Mem, in []VecVirtual, acc VecVirtual) {
				t := in[0]
				VSUBPS(m, t, t)
				v.exp(t, ek)
				l.add(t, acc)
			}, vaddps)
		return
	}
	// AVX2 has no one-pass lse (xent.go): cross_entropy runs maxv over a
	// row from DRAM, then sumExp over it from L2, while the memory idles;
	// sumExpAhead brings the next row into L2 then.
	var short shortExp
	var ahead GPVirtual
	reduction(v, "sumExpAhead", "func(x []float32, m float32, ahead int) float32",
		[]string{"sumExpAhead returns Σ exp(x[i]-m) for x[i] <= m with the short exp (shortexp.go; Cephes's",
			"ln2 split in two; arguments below -87 count as exp(-87); NaN propagates). For each 64 bytes of",
			"x it prefetches (PREFETCHT1) the line ahead bytes further on (a hint: any ahead is safe)."},
		[]string{"x"}, zero, func() {
			m = v.scalarArg("m")
			ahead = Load(Param("ahead"), GP64()).(GPVirtual)
			// 5 of its constants in registers: the 4 accumulators, m,
			// -87 and the exp's temporaries take the rest.
			short = newShortExp(true, 5)
		},
		func(l lane, at Mem, in []VecVirtual, acc VecVirtual) {
			prefetchAhead(l, at.Disp, at.Base.(GPVirtual), ahead)
			t := in[0]
			VSUBPS(m, t, t)
			l.add(short.exp(t), acc)
		}, vaddps)
	_ = lo
}

// expConsts are the constants of exp (AVX-512; AVX2 runs the short exp,
// shortexp.go) kept in registers.
type expConsts struct {
	lo VecVirtual
	// regs holds the other constants in registers (expSetupRegs); nil:
	// they are memory operands. Held in registers they spare a loop 13
	// loads per vector: selu ran from DRAM at 15 GB/s with memory and 51
	// GB/s with register constants (no store, one thread).
	regs map[string]VecVirtual
}

func (v variant) expSetup() expConsts {
	return expConsts{lo: v.bcast(splatF("explo", -87))}
}

// expSetupRegs is expSetup with every constant in a register (AVX-512
// has 32).
func (v variant) expSetupRegs() expConsts {
	k := v.expSetup()
	k.regs = map[string]VecVirtual{}
	for _, c := range expConstList {
		k.regs[c.name] = v.bcast(splatF(c.name, c.val))
	}
	return k
}

// expConstList is exp's constants by name: the reduction, Cephes's
// polynomial (p0 first) and one.
var expConstList = []struct {
	name string
	val  float32
}{{"log2e", float32(math.Log2E)}, {"ln2hi", 0.693359375}, {"ln2lo", -2.12194440e-4},
	{"exp_p0", 1.9875691500e-4}, {"exp_p1", 1.3981999507e-3}, {"exp_p2", 8.3334519073e-3},
	{"exp_p3", 4.1665795894e-2}, {"exp_p4", 1.6666665459e-1}, {"exp_p5", 5.0000001201e-1}, {"one", 1}}

// fresh returns a new register holding the constant called name.
func (k expConsts) fresh(v variant, name string) VecVirtual {
	if r, ok := k.regs[name]; ok {
		t := v.vec()
		VMOVAPS(r, t)
		return t
	}
	return v.bcast(k.c(name).(Mem))
}

// c is the constant called name, in its register or as a memory operand.
func (k expConsts) c(name string) Op {
	if r, ok := k.regs[name]; ok {
		return r
	}
	for _, c := range expConstList {
		if c.name == name {
			return splatF(c.name, c.val)
		}
	}
	panic("no exp constant " + name)
}

// exp replaces t with exp(t) for t <= 0 (AVX-512), Cephes expf: t = n*ln2 + r with
// |r| <= ln2/2 (ln2 split in two), e^r = 1 + r + r²P(r) with a degree-5 P,
// times 2^n. Relative error below 2^-23 on [-87, 0] (measured in the tests).
// t is clamped at -87 first with t as VMAXPS's second source, so NaN stays NaN.
func (v variant) exp(t VecVirtual, k expConsts) { v.expMany([]VecVirtual{t}, k) }

// each applies f to every register of ts in turn: the multi-register exp
// interleaves independent chains step by step.
func each(ts []VecVirtual, f func(i int, t VecVirtual)) {
	for i, t := range ts {
		f(i, t)
	}
}

// expMany is exp on several registers, interleaved step by step.
func (v variant) expMany(ts []VecVirtual, k expConsts) {
	ns, ps := v.expReduceMany(ts, k)
	each(ts, func(i int, t VecVirtual) { VADDPS(k.c("one"), ps[i], ps[i]) })
	each(ts, func(i int, t VecVirtual) { VSCALEFPS(ns[i], ps[i], t) })
}

// expReduce is exp's range reduction and polynomial: it clamps t at -87
// (NaN stays NaN), returns n = rne(t*log2(e)) and p = r + r²P(r) = e^r - 1
// for r = t - n*ln2 (left in t), so e^t = (1 + p)*2^n and, without
// cancellation near 0, e^t - 1 = p*2^n + (2^n - 1).
func (v variant) expReduce(t VecVirtual, k expConsts) (n, p VecVirtual) {
	ns, ps := v.expReduceMany([]VecVirtual{t}, k)
	return ns[0], ps[0]
}

// expReduceMany is expReduce on several registers, interleaved step by step.
func (v variant) expReduceMany(ts []VecVirtual, k expConsts) (ns, ps []VecVirtual) {
	ns, ps = make([]VecVirtual, len(ts)), make([]VecVirtual, len(ts))
	each(ts, func(i int, t VecVirtual) { VMAXPS(t, k.lo, t) })
	each(ts, func(i int, t VecVirtual) {
		ns[i] = v.vec()
		VMULPS(k.c("log2e"), t, ns[i])
	})
	each(ts, func(i int, t VecVirtual) { VRNDSCALEPS(U8(0), ns[i], ns[i]) })
	each(ts, func(i int, t VecVirtual) { VFNMADD231PS(k.c("ln2hi"), ns[i], t) })
	each(ts, func(i int, t VecVirtual) { VFNMADD231PS(k.c("ln2lo"), ns[i], t) })
	each(ts, func(i int, t VecVirtual) { ps[i] = k.fresh(v, "exp_p0") })
	for j := 1; j <= 5; j++ {
		each(ts, func(i int, t VecVirtual) { VFMADD213PS(k.c("exp_p"+string(rune('0'+j))), t, ps[i]) })
	}
	each(ts, func(i int, t VecVirtual) {
		r2 := v.vec() // one at a time: AVX2 has 16 registers
		VMULPS(t, t, r2)
		VFMADD213PS(t, r2, ps[i])
	})
	return ns, ps
}

// elementwise emits the per-element output routines of the norms, each
// in both forms (plain and streaming, nt.go).
func elementwise(v variant) {
	for _, nt := range ntForms {
		elementwiseForm(v, nt)
	}
}

func elementwiseForm(v variant, nt bool) {
	fn(v, ntName("normAffine", nt), "func(y, x, g, b []float32, mu, s float32)", ntDoc([]string{
		"normAffine sets y[i] = (x[i]-mu)*s*g[i] + b[i] over len(x) (the last step is one FMA);",
		"y, g and b hold at least len(x) elements."}, nt)...)
	{
		y, x, g, b := ptr("y"), ptr("x"), ptr("g"), ptr("b")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		mu, s := v.scalarArg("mu"), v.scalarArg("s")
		loop(v, n, []GPVirtual{y, x, g, b}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			t := l.load(Mem{Base: x, Disp: off})
			VSUBPS(mu, t, t)
			VMULPS(s, t, t)
			gv := l.load(Mem{Base: g, Disp: off})
			bv := l.load(Mem{Base: b, Disp: off})
			VFMADD213PS(bv, gv, t)
			ntStore(nt, l, t, Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}

	fn(v, ntName("scaleMul", nt), "func(y, x, g []float32, s float32)", ntDoc([]string{
		"scaleMul sets y[i] = x[i]*s*g[i] over len(x); y and g hold at least len(x) elements."}, nt)...)
	{
		y, x, g := ptr("y"), ptr("x"), ptr("g")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		s := v.scalarArg("s")
		loop(v, n, []GPVirtual{y, x, g}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			t := l.load(Mem{Base: x, Disp: off})
			VMULPS(s, t, t)
			gv := l.load(Mem{Base: g, Disp: off})
			VMULPS(gv, t, t)
			ntStore(nt, l, t, Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}
}

// bnFold emits the per-channel fold of the inference norms.
func bnFold(v variant) {
	fn(v, "bnFold", "func(a, sh, g, beta, rm, rv []float32, eps, alpha float32)",
		"bnFold sets, over len(g), s = g[i]/sqrt(rv[i]+eps) (IEEE float32 sqrt and division),",
		"sh[i] = beta[i] - rm[i]*s (one FMA) and a[i] = s + alpha; all slices hold len(g) elements.")
	a, sh, g, beta, rm, rv := ptr("a"), ptr("sh"), ptr("g"), ptr("beta"), ptr("rm"), ptr("rv")
	n := Load(Param("g").Len(), GP64()).(GPVirtual)
	eps, alpha := v.scalarArg("eps"), v.scalarArg("alpha")
	loop(v, n, []GPVirtual{a, sh, g, beta, rm, rv}, []GPVirtual{a, sh}, 2, func(l lane, i int) {
		off := i * v.bytes()
		s := l.load(Mem{Base: rv, Disp: off})
		VADDPS(eps, s, s)
		VSQRTPS(s, s)
		gv := l.load(Mem{Base: g, Disp: off})
		VDIVPS(s, gv, s)
		b := l.load(Mem{Base: beta, Disp: off})
		m := l.load(Mem{Base: rm, Disp: off})
		VFNMADD231PS(m, s, b)
		l.store(b, Mem{Base: sh, Disp: off})
		VADDPS(alpha, s, s)
		l.store(s, Mem{Base: a, Disp: off})
	})
	VZEROUPPER()
	RET()
}
