package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The EvoNorm and SELU primitives (KERNELS.md 1.11, 1.12): two column
// accumulators for the per-channel instance statistics (over rows of
// several images' channels laid side by side), the B0 and S0 output
// steps and SELU. The meaning of each is its Go twin in twins_evo.go.

// SELU constants rounded to float32 (lambda, and lambda*alpha rounded once).
const (
	seluLambda      = 1.0507009873554804934193349852946
	seluLambdaAlpha = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
)

// signSelect sets dst = ifSet in the lanes where mask's sign bit is set
// (dst keeps its value elsewhere): VBLENDVPS on AVX2, VPMOVD2M and a
// merge-masked move on AVX-512.
func (v variant) signSelect(mask, ifSet, dst VecVirtual) {
	v.selectSigns(v.signs(mask), ifSet, dst)
}

// signs is signSelect's first half: mask's sign bits (an opmask on
// AVX-512, mask itself on AVX2), for selectSigns.
func (v variant) signs(mask VecVirtual) Register {
	if v.z {
		k := K()
		VPMOVD2M(mask, k)
		return k
	}
	return mask
}

// selectSigns is signSelect's second half.
func (v variant) selectSigns(signs Register, ifSet, dst VecVirtual) {
	if v.z {
		VMOVAPS(ifSet, signs, dst)
		return
	}
	VBLENDVPS(signs, ifSet, dst, dst)
}

func evo(v variant) {
	selu(v)
	for _, nt := range ntForms {
		evoOut(v, nt)
	}
}

// seluPrefetch: selu prefetches (PREFETCHT0) the line of x this many bytes
// ahead of each vector. Its exp makes it too slow a consumer for the
// hardware prefetchers: from DRAM, E = 2^24, one thread (Zen 5, median
// ratios of 25 alternations, thread CPU time) the prefetch alone gave
// 1.07-1.24x, streaming stores alone 0.98-1.41x and both together 1.53x
// (8 and 16 KB ahead alike, 4 KB a little less), on par with a Go copy.
const seluPrefetch = 8192

// selu emits selu in its plain and streaming forms (nt.go).
func selu(v variant) {
	for _, nt := range ntForms {
		seluForm(v, nt)
	}
}

func seluForm(v variant, nt bool) {
	if !v.z {
		seluAVX2Form(nt)
		return
	}
	fn(v, ntName("selu", nt), "func(y, x []float32)", ntDoc([]string{
		"selu sets y[i] = SELU(x[i]) over len(x) as seluGo: lambda*x where x's sign bit is clear,",
		"else lambda*alpha*expm1(x) with the sign bit set, expm1(x) = p*2^n + (2^n - 1) (one FMA) from",
		"exp's reduction of max(x, -87); y holds at least len(x) elements. x is prefetched 8 KB ahead."}, nt)...)
	{
		y, x := ptr("y"), ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		ek := v.expSetupRegs()
		la, sign, l := v.bcast(splatF("selu_la", seluLambdaAlpha)), v.bcast(splat("signbit", 0x80000000)), v.bcast(splatF("selu_l", seluLambda))
		step := func(xv VecVirtual) VecVirtual {
			t := v.vec()
			VMOVAPS(xv, t)
			e, p := v.expReduce(t, ek)
			s := v.pow2(e, ek)
			VSUBPS(ek.c("one"), s, t) // 2^n - 1, exact
			VFMADD213PS(t, s, p)
			VMULPS(la, p, p)
			VORPS(sign, p, p)
			pos := v.vec()
			VMULPS(l, xv, pos)
			v.signSelect(xv, p, pos)
			return pos
		}
		loop(v, n, []GPVirtual{y, x}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			xv := l.load(Mem{Base: x, Disp: off})
			prefetchLine(v, l, i, seluPrefetch, x)
			ntStore(nt, l, step(xv), Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}
}

// seluAVX2Form emits the AVX2 selu, with the short exp (shortexp.go) and
// lambda*alpha folded into its scale: lambda*alpha*expm1(t) = p*(la*2^n) +
// (la*2^n - la). 1.44x the Cephes form in L1 (nbench, E = 8192, one thread,
// Zen 3).
func seluAVX2Form(nt bool) {
	v := avx2
	fn(v, ntName("selu", nt), "func(y, x []float32)", ntDoc([]string{
		"selu sets y[i] = SELU(x[i]) over len(x) as seluAVX2Go: lambda*x where x's sign bit is clear,",
		"else lambda*alpha*expm1(x) with the sign bit set, through the short exp (shortexp.go, ln2 in",
		"one constant); y holds at least len(x) elements. x is prefetched 8 KB ahead."}, nt)...)
	y, x := ptr("y"), ptr("x")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	e := newShortExp(false, 8)
	// Used once a vector, these stay memory operands: 16 registers hold
	// the exp's 9 and the loop's temporaries.
	la, sign, l := splatF("selu_la", seluLambdaAlpha), splat("signbit", 0x80000000), splatF("selu_l", seluLambda)
	loop(v, n, []GPVirtual{y, x}, []GPVirtual{y}, 4, func(ln lane, i int) {
		off := i * v.bytes()
		xv := ln.load(Mem{Base: x, Disp: off})
		prefetchLine(v, ln, i, seluPrefetch, x)
		k, p := e.reduce(xv)
		s := e.pow2(k)
		VMULPS(la, s, s) // la*2^n, exact
		r := v.vec()
		VSUBPS(la, s, r) // la*2^n - la
		VFMADD213PS(r, s, p)
		VORPS(sign, p, p)
		pos := v.vec()
		VMULPS(l, xv, pos)
		v.signSelect(xv, p, pos)
		ntStore(nt, ln, pos, Mem{Base: y, Disp: off})
	})
	VZEROUPPER()
	RET()
}

// evoOut emits the EvoNorm output steps (plain or streaming, nt.go).
func evoOut(v variant, nt bool) {
	fn(v, ntName("evoB0", nt), "func(y, x, sb, vc, sw, g, b []float32, ahead int)", ntDoc([]string{
		"evoB0 sets y[i] = x[i] / max(sb[i], vc[i]*x[i] + sw[i]) * g[i] + b[i] over len(x) (the",
		"inner and last steps are FMAs, the division IEEE; the max propagates NaN from both sides);",
		"the other slices hold at least len(x) elements. For each 64 bytes of x it prefetches",
		"(PREFETCHT1) the line ahead bytes further on (a hint: any ahead is safe), as evoS0; the",
		"streaming form also prefetches x 8 KB ahead."}, nt)...)
	{
		y, x, sb, vc, sw, g, b := ptr("y"), ptr("x"), ptr("sb"), ptr("vc"), ptr("sw"), ptr("g"), ptr("b")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		ahead := Load(Param("ahead"), GP64()).(GPVirtual)
		loop(v, n, []GPVirtual{y, x, sb, vc, sw, g, b}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			if nt {
				// As selu: training's output pass reads x from DRAM
				// (1.05-1.08x at N=32,H=56,W=56,C=64, one thread, Zen 5),
				// inference's from L2 (1.03-1.05x).
				prefetchLine(v, l, i, seluPrefetch, x)
			}
			prefetchAhead(l, off, x, ahead)
			xv := l.load(Mem{Base: x, Disp: off})
			d := l.load(Mem{Base: vc, Disp: off})
			w := l.load(Mem{Base: sw, Disp: off})
			VFMADD213PS(w, xv, d)
			s := l.load(Mem{Base: sb, Disp: off})
			VMAXPS(d, s, d) // d as the second source: its NaN stays NaN
			v.nanSelect(s, d)
			VDIVPS(d, xv, xv)
			gv := l.load(Mem{Base: g, Disp: off})
			bv := l.load(Mem{Base: b, Disp: off})
			VFMADD213PS(bv, gv, xv)
			ntStore(nt, l, xv, Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}

	evoS0Out(v, nt)
}

// evoS0Group is how many vectors evoS0 computes side by side, their exps
// interleaved step by step (expMany; the same operations per vector, so
// the same bits): one vector's chain of dependent steps is too long for
// the out-of-order window to overlap enough of them. Four (AVX-512) ran
// the output 1.22x faster than one in L1 (Zen 5, one thread). AVX2 has
// the registers for two, beside evoS0ShortRegs of the short exp's
// constants (the most that fit: more leave avo's allocator no VEX
// register); its exps run one after the other.
func evoS0Group(v variant) int {
	if v.z {
		return 4
	}
	return 2
}

const evoS0ShortRegs = 5

// evoS0Out emits evoS0 (plain or streaming). The caller passes the
// distance to the next image as ahead, so that image streams into L2 from
// DRAM while this one's output (bound by its arithmetic) runs, and its
// statistics then read it from L2.
func evoS0Out(v variant, nt bool) {
	fn(v, ntName("evoS0", nt), "func(y, x, vc, k, b []float32, ahead int)", ntDoc([]string{
		"evoS0 sets y[i] = x[i]*sigmoid(vc[i]*x[i])*k[i] + b[i] over len(x) as evoS0Go: with t = vc*x",
		"and e = exp(-|t|) (exp's polynomial; the short exp at AVX2, shortexp.go), sigmoid =",
		"num/(1+e), num = e where t's sign bit is",
		"set and 1 elsewhere (IEEE division, the last step one FMA); the other slices hold at",
		"least len(x) elements. For each 64 bytes of x it prefetches (PREFETCHT1) the line ahead",
		"bytes further on (a hint: any ahead is safe)."}, nt)...)
	y, x, vc, k, b := ptr("y"), ptr("x"), ptr("vc"), ptr("k"), ptr("b")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	ahead := Load(Param("ahead"), GP64()).(GPVirtual)
	var ek expConsts
	var short shortExp
	if v.z {
		ek = v.expSetupRegs()
	} else {
		short = newShortExp(true, evoS0ShortRegs)
	}
	var sign Op = splat("signbit", 0x80000000)
	if v.z {
		sign = v.bcast(sign.(Mem))
	}
	// The vectors of a group wait in pending until the last is loaded.
	type pending struct {
		l     lane
		off   int
		xv, e VecVirtual // x, and -|t| for t = vc*x (then its exp)
		neg   Register   // t's sign bits (signs)
	}
	var group []pending
	finish := func() {
		es := make([]VecVirtual, len(group))
		for j, p := range group {
			es[j] = p.e
		}
		if v.z {
			v.expMany(es, ek)
		} else {
			for j := range group {
				group[j].e = short.exp(es[j])
			}
		}
		for _, p := range group {
			if v.z {
				// x*num as one merge-masked product: x*e where t's sign
				// bit is set, x (= x*1) elsewhere; 4% faster in L1.
				VMULPS(p.e, p.xv, p.neg, p.xv)
			} else {
				num := ek.fresh(v, "one")
				v.selectSigns(p.neg, p.e, num)
				VMULPS(num, p.xv, p.xv)
			}
			VADDPS(ek.c("one"), p.e, p.e)
			VDIVPS(p.e, p.xv, p.xv)
			kv := p.l.load(Mem{Base: k, Disp: p.off})
			bv := p.l.load(Mem{Base: b, Disp: p.off})
			VFMADD213PS(bv, kv, p.xv)
			ntStore(nt, p.l, p.xv, Mem{Base: y, Disp: p.off})
		}
		group = group[:0]
	}
	const unroll = 4
	steps := 0 // loop emits the unroll steps of its unrolled body first
	loop(v, n, []GPVirtual{y, x, vc, k, b}, []GPVirtual{y}, unroll, func(l lane, i int) {
		steps++
		off := i * v.bytes()
		p := pending{l: l, off: off, xv: l.load(Mem{Base: x, Disp: off})}
		prefetchAhead(l, off, x, ahead)
		t := l.load(Mem{Base: vc, Disp: off})
		VMULPS(p.xv, t, t)
		p.e = v.vec()
		VORPS(sign, t, p.e) // -|t|
		p.neg = v.signs(t)
		group = append(group, p)
		if steps > unroll || len(group) == evoS0Group(v) {
			finish()
		}
	})
	VZEROUPPER()
	RET()
}

// prefetchAhead prefetches (PREFETCHT1) the line ahead bytes past x+off
// for each 64 bytes of x: the next image of a worker's range, into L2 while
// this image's output runs (evoS0, evoB0).
func prefetchAhead(l lane, off int, x, ahead GPVirtual) {
	if !l.tail && off%64 == 0 {
		PREFETCHT1(Mem{Base: x, Index: ahead, Scale: 1, Disp: off})
	}
}

// nanSelect sets dst = a in the lanes where a is NaN (a max that
// propagates NaN from both sources, as Go's builtin max does).
func (v variant) nanSelect(a, dst VecVirtual) {
	const unord = 3
	if v.z {
		k := K()
		VCMPPS(U8(unord), a, a, k)
		VMOVAPS(a, k, dst)
		return
	}
	m := v.vec()
	VCMPPS(U8(unord), a, a, m)
	VBLENDVPS(m, a, dst, dst)
}

// pow2 returns 2^n for the integral n in [-126, 0] of expReduce.
func (v variant) pow2(n VecVirtual, k expConsts) VecVirtual {
	s := k.fresh(v, "one")
	VSCALEFPS(n, s, s)
	return s
}
