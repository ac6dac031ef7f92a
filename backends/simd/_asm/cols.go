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
	colShiftSums(v, 1)
	colShiftSums(v, colSweepRows)
	mergeShifted(v)
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
		block(1, kFirst(v.lanes, n, kOpt{}))
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

// colShiftSums emits the single-pass statistics of a block of rows: per
// column a shift sh (the mean of the first 8 rows, summed as a tree so a
// constant column's shift is exact; the first row where rows < 8), then
// s1 = Σ(x-sh) and s2 = Σ(x-sh)² in one read of the block. The shift is
// the mean of rows of the block, so Σ_{r<8}(x_r-mean)² >= 8(sh-mean)² and
// s2/M2 = 1 + rows(sh-mean)²/M2 <= 1 + rows/8: recovering M2 = s2 - s1²/rows
// (in float64) loses at most log2(1+rows/8) bits of s2, 4 at the 128 rows
// of a statistics block. The sums go row by row over the whole width
// (the accumulators in s1 and s2, in L1), so the block is one sequential
// stream: sweeping it a column group at a time with the accumulators in
// registers ran at 0.7-0.8x the read probe's rate from DRAM; four rows
// side by side per sweep at 0.9x this (one thread, Zen 5).
// Uncentered (sh = 0) it gives the sums of squares of the uncentered
// norms.
//
// With sweep > 1 (colShiftSumsL2) it sums sweep rows per pass over the
// width, the sums held in registers across them (added in the same order,
// so the same bits), the rows left over one at a time: a quarter of the
// accumulators' L1 loads and stores, for blocks already in L2 (from DRAM
// the four streams run slower, see above): an 800 KB image in L2 1.28-1.32x
// (AVX-512), 2.0x (AVX2) faster (one thread, Zen 5).
func colShiftSums(v variant, sweep int) {
	name := "colShiftSums"
	if sweep > 1 {
		name = "colShiftSumsL2"
	}
	doc := []string{
		name + " sets, for j < len(s1) and rows >= 1 rows of x (ld elements apart), sh[j] to the",
		"mean of rows 0-7 (((x0+x1)+(x2+x3))+((x4+x5)+(x6+x7)))*0.125 (x0 where rows < 8; 0 where",
		"center is false), s1[j] to Σ(x[r*ld+j]-sh[j]) and s2[j] to Σ(x[r*ld+j]-sh[j])², summed row",
		"by row. s2 and sh hold len(s1) elements."}
	if sweep > 1 {
		doc = append(doc, fmt.Sprintf("As colShiftSums (the same bits), %d rows per pass over the width.", sweep))
	}
	fn(v, name, "func(s1, s2, sh, x []float32, ld, rows int, center bool)", doc...)
	s1p, s2p, shp, x := ptr("s1"), ptr("s2"), ptr("sh"), ptr("x")
	n := Load(Param("s1").Len(), GP64()).(GPVirtual)
	var k OpmaskVirtual
	if v.z {
		k = rowTailMask(v, n)
	}
	nb := GP64()
	MOVQ(n, nb)
	SHLQ(U8(2), nb)
	ld := Load(Param("ld"), GP64()).(GPVirtual)
	SHLQ(U8(2), ld)
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	j := GP64()
	at := func(p GPVirtual, i int, c colCtx) Mem { return Mem{Base: p, Index: j, Scale: 1, Disp: i * c.bytes()} }

	// The shifts (and zeroed sums).
	shift := func(c colCtx, i int, s VecVirtual) {
		c.store(s, at(shp, i, c))
		VXORPS(s, s, s)
		c.store(s, at(s1p, i, c))
		c.store(s, at(s2p, i, c))
	}
	CMPB(paramMem("center"), U8(0))
	JE(LabelRef("zero"))
	CMPQ(rows, U8(8))
	JB(LabelRef("first"))
	ld3, x4 := GP64(), GP64()
	LEAQ(Mem{Base: ld, Index: ld, Scale: 2}, ld3)
	LEAQ(Mem{Base: x, Index: ld, Scale: 4}, x4)
	colLoop(v, "tree", nb, j, colShiftU, k, func(c colCtx) {
		for i := 0; i < c.u; i++ {
			// Rows 0-3 from x, 4-7 from x4: (a+b)+(c+d) each.
			var half [2]VecVirtual
			for h, base := range []GPVirtual{x, x4} {
				r := [4]VecVirtual{}
				for q := range r {
					rp := GP64()
					switch q {
					case 0:
						MOVQ(base, rp)
					case 1:
						LEAQ(Mem{Base: base, Index: ld, Scale: 1}, rp)
					case 2:
						LEAQ(Mem{Base: base, Index: ld, Scale: 2}, rp)
					case 3:
						LEAQ(Mem{Base: base, Index: ld3, Scale: 1}, rp)
					}
					r[q] = c.load(at(rp, i, c))
				}
				c.add(r[1], r[0], r[0])
				c.add(r[3], r[2], r[2])
				c.add(r[2], r[0], r[0])
				half[h] = r[0]
			}
			c.add(half[1], half[0], half[0])
			e := c.load(splatF("eighth", 0.125))
			c.mul(e, half[0], half[0])
			shift(c, i, half[0])
		}
	})
	JMP(LabelRef("sums"))
	Label("first")
	colLoop(v, "first", nb, j, colShiftU, k, func(c colCtx) {
		for i := 0; i < c.u; i++ {
			shift(c, i, c.load(at(x, i, c)))
		}
	})
	JMP(LabelRef("sums"))
	Label("zero")
	colLoop(v, "zero", nb, j, colShiftU, k, func(c colCtx) {
		for i := 0; i < c.u; i++ {
			s := c.reg()
			VXORPS(s, s, s)
			shift(c, i, s)
		}
	})

	// The sums: sweep rows at a time over the whole width, then row by
	// row.
	Label("sums")
	if sweep > 1 {
		colSweeps(v, sweep, nb, j, k, s1p, s2p, shp, x, ld, rows)
		TESTQ(rows, rows)
		JZ(LabelRef("sumsdone"))
	}
	Label("row")
	colLoop(v, "row", nb, j, colShiftU, k, func(c colCtx) {
		for i := 0; i < c.u; i++ {
			if !c.scalar && c.k == nil && (i*c.bytes())%64 == 0 {
				m := at(x, i, c)
				m.Disp += colPrefetch
				PREFETCHT0(m)
			}
			t := c.load(at(x, i, c))
			var sh Op = at(shp, i, c)
			if c.scalar || c.k != nil {
				sh = c.load(at(shp, i, c)) // the tail: no read past sh's end
			}
			c.sub(sh, t, t)
			a1, a2 := c.load(at(s1p, i, c)), c.load(at(s2p, i, c))
			c.add(t, a1, a1)
			c.fma(t, t, a2)
			c.store(a1, at(s1p, i, c))
			c.store(a2, at(s2p, i, c))
		}
	})
	ADDQ(ld, x)
	DECQ(rows)
	JNZ(LabelRef("row"))
	Label("sumsdone")
	VZEROUPPER()
	RET()
}

// colSweepRows is colShiftSumsL2's rows per pass.
const colSweepRows = 4

// colSweeps emits colShiftSums' passes of sweep rows (x and rows advance;
// fewer than sweep rows are left): per group of columns the sums are
// loaded, the rows added in order, and stored.
func colSweeps(v variant, sweep int, nb, j GPVirtual, k OpmaskVirtual, s1p, s2p, shp, x, ld, rows GPVirtual) {
	at := func(p GPVirtual, i int, c colCtx) Mem { return Mem{Base: p, Index: j, Scale: 1, Disp: i * c.bytes()} }
	u := colShiftU // 2u sums and the shifts in registers: AVX2 has 16
	if !v.z {
		u = 4
	}
	Label("sweep")
	CMPQ(rows, U8(sweep))
	JB(LabelRef("sweepdone"))
	xr := make([]GPVirtual, sweep)
	xr[0] = x
	for r := 1; r < sweep; r++ {
		xr[r] = GP64()
		LEAQ(Mem{Base: xr[r-1], Index: ld, Scale: 1}, xr[r])
	}
	colLoop(v, "sweep", nb, j, u, k, func(c colCtx) {
		a1, a2, sh := make([]VecVirtual, c.u), make([]VecVirtual, c.u), make([]VecVirtual, c.u)
		for i := range c.u {
			a1[i], a2[i], sh[i] = c.load(at(s1p, i, c)), c.load(at(s2p, i, c)), c.load(at(shp, i, c))
		}
		for r := range sweep {
			for i := range c.u {
				if !c.scalar && c.k == nil && (i*c.bytes())%64 == 0 {
					m := at(xr[r], i, c)
					m.Disp += colPrefetch
					PREFETCHT0(m)
				}
				t := c.load(at(xr[r], i, c))
				c.sub(sh[i], t, t)
				c.add(t, a1[i], a1[i])
				c.fma(t, t, a2[i])
			}
		}
		for i := range c.u {
			c.store(a1[i], at(s1p, i, c))
			c.store(a2[i], at(s2p, i, c))
		}
	})
	LEAQ(Mem{Base: xr[sweep-1], Index: ld, Scale: 1}, x)
	SUBQ(U8(sweep), rows)
	JMP(LabelRef("sweep"))
	Label("sweepdone")
}

// mergeShifted emits the float64 merge of colShiftSums' partials into
// the running (mean, M2) of each channel, its Go twin's operations lane by
// lane (no FMA: Go on amd64 rounds each product): in Go it was 12% of
// evonorm's statistics from DRAM (N=32, one thread, Zen 5), time in which
// no read of x is in flight.
func mergeShifted(v variant) {
	fn(v, "mergeShifted", "func(mean, m2 []float64, s1, s2, sh []float32, fb, fab, inb float64)",
		"mergeShifted sets, for j < len(mean), t = s1[j]*inb, d = sh[j]+t-mean[j], mean[j] += d*fb and",
		"m2[j] += max(s2[j]-t*s1[j], 0) + d*d*fab in float64 as mergeShiftedGo; m2, s1, s2 and sh hold",
		"len(mean) elements.")
	mean, m2, s1, s2, sh := ptr("mean"), ptr("m2"), ptr("s1"), ptr("s2"), ptr("sh")
	n := Load(Param("mean").Len(), GP64()).(GPVirtual)
	// A step of w channels: 8 (zmm), 4 (ymm) or 1 (scalar xmm), masked
	// with k (the AVX-512 tail).
	type step struct {
		w int
		k OpmaskVirtual
	}
	reg := func(s step) VecVirtual {
		switch s.w {
		case 8:
			return ZMM()
		case 4:
			return YMM()
		}
		return XMM()
	}
	coef := func(s step, name string) VecVirtual {
		r := reg(s)
		packedOr(s.w == 1, VBROADCASTSD, VMOVSD, paramMem(name), r)
		return r
	}
	body := func(s step, j GPVirtual) {
		f32 := func(p GPVirtual) VecVirtual { // widened to float64
			m, r := Mem{Base: p, Index: j, Scale: 4}, reg(s)
			switch {
			case s.w == 1:
				VCVTSS2SD(m, r, r)
			case s.k != nil:
				VCVTPS2PD_Z(m, s.k, r)
			default:
				VCVTPS2PD(m, r)
			}
			return r
		}
		f64 := func(p GPVirtual) (Mem, VecVirtual) {
			m, r := Mem{Base: p, Index: j, Scale: 8}, reg(s)
			switch {
			case s.w == 1:
				VMOVSD(m, r)
			case s.k != nil:
				VMOVUPD_Z(m, s.k, r)
			default:
				VMOVUPD(m, r)
			}
			return m, r
		}
		put := func(r VecVirtual, m Mem) {
			switch {
			case s.w == 1:
				VMOVSD(r, m)
			case s.k != nil:
				VMOVUPD(r, s.k, m)
			default:
				VMOVUPD(r, m)
			}
		}
		op := func(pd, sd func(...Op), ops ...Op) { packedOr(s.w == 1, pd, sd, ops...) }
		mul := func(a, b, dst Op) { op(VMULPD, VMULSD, a, b, dst) }
		add := func(a, b, dst Op) { op(VADDPD, VADDSD, a, b, dst) }
		sub := func(a, b, dst Op) { op(VSUBPD, VSUBSD, a, b, dst) }
		fb, fab, inb := coef(s, "fb"), coef(s, "fab"), coef(s, "inb")
		a, b2, h := f32(s1), f32(s2), f32(sh)
		t := reg(s)
		mul(inb, a, t) // t = s1*inb
		add(t, h, h)   // bm = sh + t
		mul(a, t, a)   // t*s1
		sub(a, b2, b2) // s2 - t*s1
		z := reg(s)
		VXORPD(z, z, z)
		// b2 as the second source: its NaN stays NaN (Go's max).
		op(VMAXPD, VMAXSD, b2, z, b2)
		mm, mv := f64(mean)
		sub(mv, h, h) // d = bm - mean
		d := reg(s)
		mul(fb, h, d)
		add(d, mv, mv)
		put(mv, mm)
		mul(h, h, h)
		mul(fab, h, h)
		add(h, b2, b2)
		m2m, m2v := f64(m2)
		add(b2, m2v, m2v)
		put(m2v, m2m)
	}
	j := GP64()
	XORQ(j, j)
	w := 4
	if v.z {
		w = 8
	}
	lim := GP64()
	MOVQ(n, lim)
	SUBQ(U8(w), lim)
	Label("vec")
	CMPQ(j, lim)
	JG(LabelRef("tail"))
	body(step{w: w}, j)
	ADDQ(U8(w), j)
	JMP(LabelRef("vec"))
	Label("tail")
	CMPQ(j, n)
	JAE(LabelRef("done"))
	if v.z {
		r := GP64()
		MOVQ(n, r)
		SUBQ(j, r)
		body(step{w: 8, k: kFirst(16, r, kOpt{})}, j)
	} else {
		body(step{w: 1}, j)
		INCQ(j)
		JMP(LabelRef("tail"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// colShiftU is colShiftSums' unroll in vectors; colPrefetch how far ahead
// of each line read it prefetches (PREFETCHT0; 8-64 KB all gave 1.09-1.12x
// over none, one thread, Zen 5).
const (
	colShiftU   = 8
	colPrefetch = 16384
)

// colCtx is one step of colLoop: u vectors, a masked vector (k, AVX-512
// tail) or one scalar column (AVX2 tail, xmm and VMOVSS loads).
type colCtx struct {
	v      variant
	u      int
	k      OpmaskVirtual
	scalar bool
}

func (c colCtx) bytes() int {
	if c.scalar {
		return 4
	}
	return c.v.bytes()
}

func (c colCtx) reg() VecVirtual {
	if c.scalar {
		return XMM()
	}
	return c.v.vec()
}

// lane is c's vectors as loop's: whole, or masked with k.
func (c colCtx) lane() lane { return lane{v: c.v, tail: c.k != nil, k: c.k} }

func (c colCtx) load(m Mem) VecVirtual {
	if !c.scalar {
		return c.lane().load(m)
	}
	r := XMM()
	VMOVSS(m, r)
	return r
}

func (c colCtx) store(r VecVirtual, m Mem) {
	if c.scalar {
		VMOVSS(r, m)
	} else {
		c.lane().store(r, m)
	}
}

// packedOr emits the packed form of an instruction, or its scalar form
// for one column (the AVX2 column tails).
func packedOr(scalar bool, packed, single func(...Op), ops ...Op) {
	if scalar {
		single(ops...)
	} else {
		packed(ops...)
	}
}

func (c colCtx) add(a, b, dst VecVirtual)    { packedOr(c.scalar, VADDPS, VADDSS, a, b, dst) }
func (c colCtx) sub(a Op, b, dst VecVirtual) { packedOr(c.scalar, VSUBPS, VSUBSS, a, b, dst) }
func (c colCtx) mul(a, b, dst VecVirtual)    { packedOr(c.scalar, VMULPS, VMULSS, a, b, dst) }
func (c colCtx) fma(a, b, dst VecVirtual)    { packedOr(c.scalar, VFMADD231PS, VFMADD231SS, a, b, dst) }

// colLoop emits body over the columns of byte offsets [0, nb) at the byte
// index j: groups of u vectors, then single vectors, then the tail (AVX-512:
// one vector masked with k; AVX2: one scalar column per step).
func colLoop(v variant, tag string, nb, j GPVirtual, u int, k OpmaskVirtual, body func(c colCtx)) {
	lim := GP64()
	XORQ(j, j)
	for _, g := range []int{u, 1} {
		l := fmt.Sprintf("%s_%d", tag, g)
		MOVQ(nb, lim)
		SUBQ(U32(g*v.bytes()), lim)
		Label(l)
		CMPQ(j, lim)
		JG(LabelRef(l + "e"))
		body(colCtx{v: v, u: g})
		ADDQ(U32(g*v.bytes()), j)
		JMP(LabelRef(l))
		Label(l + "e")
	}
	Label(tag + "_t")
	CMPQ(j, nb)
	JAE(LabelRef(tag + "_e"))
	if v.z {
		body(colCtx{v: v, u: 1, k: k})
	} else {
		body(colCtx{v: v, u: 1, scalar: true})
		ADDQ(U8(4), j)
		JMP(LabelRef(tag + "_t"))
	}
	Label(tag + "_e")
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
