package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// shortExp is the AVX2 exp: exp's Cephes form (rows.go), run at AVX2 with
// its constants as memory operands (16 registers), left selu bound by
// loading them and by the chains of its steps: 2.2 G elements a second in
// L1 on a Zen 3, 53% of the DRAM copy rate. This one takes fewer and
// shorter steps to the same accuracy, its constants in registers where the
// caller's loop leaves room: n = rne(t*log2e) by adding shortExpMagic (one
// FMA and a subtraction for VROUNDPS, VCVTPS2DQ and an add), 2^n by a shift
// of that sum, and e^r - 1 = r + r²P(r) with P of degree 4 in Estrin's
// order (shortExpPoly). selu's twin is seluAVX2Go (the same steps);
// sumExpAhead's is sumExpGo, within the exp bound (TestExpError).
type shortExp struct {
	lo                         VecVirtual // -87 or -109 (VMAXPS needs it in a register to keep NaN)
	magic, log2e, ln2hi, ln2lo Op         // ln2lo nil: ln2 in one constant
	c                          [5]Op
	wide                       bool // arguments to -109: 2^(n+32), the result times 2^-32
}

// shortExpPoly is P, e^r - 1 = r + r²P(r) on [-ln2/2, ln2/2] (c0 first):
// fitted for relative error (Lawson's iteration) and rounded to float32,
// 1.3e-8 (2^-26) before rounding.
var shortExpPoly = [5]float32{0.49999997, 0.16666542, 0.041667204, 0.008366706, 0.0013882486}

// shortExpMagic is 1.5*2^23 + 127: t*log2(e) + it rounds t*log2(e) to an
// integer n (RNE, for |n| < 2^22) and leaves n + 127, 2^n's exponent
// field, in the low mantissa bits; minus it, n exactly.
const shortExpMagic = 0x1.8p23 + 127

// newShortExp sets up the constants: ln2 split in two (Cephes's) or one
// (its error n*1.9e-9 is 2.4e-7 of e^r at n = -126: for expm1, where e^t
// is negligible there against -1); the first inRegs of magic, log2e, ln2
// and the coefficients in registers, the others memory operands.
func newShortExp(split bool, inRegs int) shortExp { return newShortExpFrom(-87, split, inRegs) }

// newShortExpWide is newShortExp for arguments down to -109 (the attention
// exp: exp(-109) rounds to 0): 2^n with n down to -157 has no float32
// exponent, so the sum's exponent field holds n + 159, and exp multiplies
// p*2^(n+32) + 2^(n+32) (exact) by 2^-32, rounding once, to a denormal or 0
// where e^t is one.
func newShortExpWide(inRegs int) shortExp { return newShortExpFrom(-109, true, inRegs) }

func newShortExpFrom(lo float32, split bool, inRegs int) shortExp {
	v := avx2
	e := shortExp{wide: lo < -87}
	loC, magic := splatF("explo", lo), splatF("short_magic", shortExpMagic)
	if e.wide {
		loC, magic = splatF("explo109", lo), splatF("short_magic159", shortExpMagic+32)
	}
	e.lo = v.bcast(loC)
	slots := []*Op{&e.magic, &e.log2e, &e.ln2hi}
	vals := []Mem{magic, splatF("log2e", float32(math.Log2E))}
	if split {
		slots = append(slots, &e.ln2lo)
		vals = append(vals, splatF("ln2hi", 0.693359375), splatF("ln2lo", -2.12194440e-4))
	} else {
		vals = append(vals, splatF("xent_ln2", float32(math.Ln2)))
	}
	for i, c := range shortExpPoly {
		slots = append(slots, &e.c[i])
		vals = append(vals, splatF("short_c"+string(rune('0'+i)), c))
	}
	for i, s := range slots {
		*s = vals[i]
		if i < inRegs {
			*s = v.bcast(vals[i])
		}
	}
	return e
}

// set copies a constant (register or memory) into dst.
func set(c Op, dst VecVirtual) {
	if _, ok := c.(Mem); ok {
		VMOVUPS(c, dst)
		return
	}
	VMOVAPS(c, dst)
}

// reduce returns, for t = max(x, lo) (NaN stays NaN), k = shortExpMagic + n
// (its shift by 23 is 2^n, pow2; + 32 when wide) and p = r + r²P(r) = e^r - 1 for r = t -
// n*ln2, so e^t = p*2^n + 2^n and expm1(t) = p*2^n + (2^n - 1).
func (e shortExp) reduce(x VecVirtual) (k, p VecVirtual) {
	v := avx2
	r := v.vec()
	VMAXPS(x, e.lo, r) // x as the second source: its NaN stays
	k = v.vec()
	set(e.magic, k)
	VFMADD231PS(e.log2e, r, k) // magic + n
	nf := v.vec()
	VSUBPS(e.magic, k, nf)
	VFNMADD231PS(e.ln2hi, nf, r)
	if e.ln2lo != nil {
		VFNMADD231PS(e.ln2lo, nf, r)
	}
	r2 := v.vec()
	VMULPS(r, r, r2)
	p, q := v.vec(), v.vec()
	set(e.c[0], p)
	VFMADD231PS(e.c[1], r, p) // c0 + c1 r
	set(e.c[2], q)
	VFMADD231PS(e.c[3], r, q)  // c2 + c3 r
	VFMADD231PS(e.c[4], r2, q) // + c4 r²
	VFMADD231PS(q, r2, p)      // P(r)
	VFMADD213PS(r, r2, p)      // r + r²P(r)
	return k, p
}

// pow2 is 2^n from reduce's k (2^(n+32) when wide).
func (shortExp) pow2(k VecVirtual) VecVirtual {
	s := avx2.vec()
	VPSLLD(U8(23), k, s)
	return s
}

// exp returns e^max(t, lo) = p*2^n + 2^n (one FMA) in a new register.
func (e shortExp) exp(t VecVirtual) VecVirtual {
	k, p := e.reduce(t)
	s := e.pow2(k)
	VFMADD213PS(s, s, p)
	if e.wide {
		VMULPS(splatF("twom32", 0x1p-32), p, p)
	}
	return p
}
