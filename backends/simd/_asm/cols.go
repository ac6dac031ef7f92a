package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// cols emits the column primitives of the training norms (per-channel sums
// over rows, accumulators kept in registers down a block of columns) and
// their per-channel affines.
func cols(v variant) {
	colSums(v, "colSum", "func(acc, x []float32, ld, rows int)", false,
		"colSum adds x[r*ld+j] into acc[j] for r < rows, j < len(acc) (ld in elements): blocks of",
		"columns held in registers while the rows stream by.")
	colSums(v, "colSqDev", "func(acc, x, sh []float32, ld, rows int)", true,
		"colSqDev adds (x[r*ld+j]-sh[j])² into acc[j] for r < rows, j < len(acc) (ld in elements);",
		"len(sh) >= len(acc).")
	for _, nt := range ntForms {
		colAffines(v, nt)
	}
}

// colSums emits colSum (dev false) or colSqDev: blocks of 16 zmm or 8 ymm
// (as many accumulator chains; sh is a memory operand there), then single
// vectors, then the tail: an opmask with
// AVX-512, one column at a time with scalar instructions with AVX2 (reads
// stay inside the slices).
func colSums(v variant, name, sig string, dev bool, doc ...string) {
	fn(v, name, sig, doc...)
	acc, x := ptr("acc"), ptr("x")
	var sh GPVirtual
	ptrs := []GPVirtual{acc, x}
	if dev {
		sh = ptr("sh")
		ptrs = append(ptrs, sh)
	}
	n := Load(Param("acc").Len(), GP64()).(GPVirtual)
	ld := Load(Param("ld"), GP64()).(GPVirtual)
	SHLQ(U8(2), ld)
	rows := Load(Param("rows"), GP64()).(GPVirtual)

	// block emits the loop over groups of u vectors (masked with k).
	block := func(u int, k OpmaskVirtual) {
		tag := fmt.Sprintf("%d", u)
		if k != nil {
			tag = "tail"
		}
		load := func(m Mem) VecVirtual {
			r := v.vec()
			if k != nil {
				VMOVUPS_Z(m, k, r)
			} else {
				VMOVUPS(m, r)
			}
			return r
		}
		if k == nil {
			Label("cols" + tag)
			CMPQ(n, U32(u*v.lanes))
			JB(LabelRef("next" + tag))
		}
		// The wide blocks leave the shift in memory (an L1 operand): AVX2
		// has 16 registers.
		shMem := k == nil
		a, s := make([]VecVirtual, u), make([]VecVirtual, u)
		for i := range a {
			a[i] = load(Mem{Base: acc, Disp: i * v.bytes()})
			if dev && !shMem {
				s[i] = load(Mem{Base: sh, Disp: i * v.bytes()})
			}
		}
		px, r := GP64(), GP64()
		MOVQ(x, px)
		MOVQ(rows, r)
		Label("rows" + tag)
		TESTQ(r, r)
		JZ(LabelRef("store" + tag))
		for i := range a {
			t := load(Mem{Base: px, Disp: i * v.bytes()})
			if dev {
				if shMem {
					VSUBPS(Mem{Base: sh, Disp: i * v.bytes()}, t, t)
				} else {
					VSUBPS(s[i], t, t)
				}
				VFMADD231PS(t, t, a[i])
			} else {
				VADDPS(t, a[i], a[i])
			}
		}
		ADDQ(ld, px)
		DECQ(r)
		JMP(LabelRef("rows" + tag))
		Label("store" + tag)
		for i := range a {
			if k != nil {
				VMOVUPS(a[i], k, Mem{Base: acc, Disp: i * v.bytes()})
			} else {
				VMOVUPS(a[i], Mem{Base: acc, Disp: i * v.bytes()})
			}
		}
		if k == nil {
			for _, p := range ptrs {
				ADDQ(U32(u*v.bytes()), p)
			}
			SUBQ(U32(u*v.lanes), n)
			JMP(LabelRef("cols" + tag))
			Label("next" + tag)
		}
	}
	wide := 8
	if v.z {
		wide = 16
	}
	block(wide, nil)
	block(1, nil)
	TESTQ(n, n)
	JZ(LabelRef("done"))
	if v.z {
		ones := GP64()
		MOVQ(I32(-1), ones)
		BZHIQ(n, ones, ones)
		k := K()
		KMOVW(ones.As32(), k)
		block(1, k)
	} else {
		Label("col")
		a, s := XMM(), XMM()
		VMOVSS(Mem{Base: acc}, a)
		if dev {
			VMOVSS(Mem{Base: sh}, s)
		}
		px, r := GP64(), GP64()
		MOVQ(x, px)
		MOVQ(rows, r)
		Label("crow")
		TESTQ(r, r)
		JZ(LabelRef("cstore"))
		t := XMM()
		VMOVSS(Mem{Base: px}, t)
		if dev {
			VSUBSS(s, t, t)
			VFMADD231SS(t, t, a)
		} else {
			VADDSS(t, a, a)
		}
		ADDQ(ld, px)
		DECQ(r)
		JMP(LabelRef("crow"))
		Label("cstore")
		VMOVSS(a, Mem{Base: acc})
		for _, p := range ptrs {
			ADDQ(U8(4), p)
		}
		DECQ(n)
		JNZ(LabelRef("col"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// colAffines emits the per-channel affines applied after the statistics
// (plain or streaming, nt.go). The streaming forms run over data beyond the
// cache and prefetch x as selu does (batchnorm_train 0.97x the time, three
// alternations, one thread).
func colAffines(v variant, nt bool) {
	fn(v, ntName("centerAffine", nt), "func(y, x, mu, a, b []float32)", ntDoc([]string{
		"centerAffine sets y[i] = (x[i]-mu[i])*a[i] + b[i] over len(x) (one FMA);",
		"y, mu, a and b hold at least len(x) elements."}, nt)...)
	{
		y, x, mu, a, b := ptr("y"), ptr("x"), ptr("mu"), ptr("a"), ptr("b")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		loop(v, n, []GPVirtual{y, x, mu, a, b}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			if nt {
				prefetchLine(v, l, i, seluPrefetch, x)
			}
			t := l.load(Mem{Base: x, Disp: off})
			m := l.load(Mem{Base: mu, Disp: off})
			VSUBPS(m, t, t)
			av := l.load(Mem{Base: a, Disp: off})
			bv := l.load(Mem{Base: b, Disp: off})
			VFMADD213PS(bv, av, t)
			ntStore(nt, l, t, Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}

	fn(v, ntName("blendAffine", nt), "func(y, x, g, mu, a, b []float32, rmu, s float32)", ntDoc([]string{
		"blendAffine sets y[i] = (x[i]-rmu)*s*g[i] + ((x[i]-mu[i])*a[i] + b[i]) over len(x)",
		"(two FMAs); y, g, mu, a and b hold at least len(x) elements."}, nt)...)
	{
		y, x, g, mu, a, b := ptr("y"), ptr("x"), ptr("g"), ptr("mu"), ptr("a"), ptr("b")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		rmu, s := v.scalarArg("rmu"), v.scalarArg("s")
		loop(v, n, []GPVirtual{y, x, g, mu, a, b}, []GPVirtual{y}, 4, func(l lane, i int) {
			off := i * v.bytes()
			if nt {
				prefetchLine(v, l, i, seluPrefetch, x)
			}
			xv := l.load(Mem{Base: x, Disp: off})
			t := l.load(Mem{Base: mu, Disp: off})
			VSUBPS(t, xv, t)
			av := l.load(Mem{Base: a, Disp: off})
			bv := l.load(Mem{Base: b, Disp: off})
			VFMADD213PS(bv, av, t)
			VSUBPS(rmu, xv, xv)
			VMULPS(s, xv, xv)
			gv := l.load(Mem{Base: g, Disp: off})
			VFMADD231PS(xv, gv, t)
			ntStore(nt, l, t, Mem{Base: y, Disp: off})
		})
		VZEROUPPER()
		RET()
	}
}
