package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Micro-kernels of the fused softmax attention (AVX-512 only): a tile is
// attnRows query rows by attnKeys keys. The Go driver (attention.go) packs
// K transposed per 64-key tile and V padded to a multiple of 16 columns,
// and keeps the running max, sum and unnormalised output of each row.
const (
	attnRows = 6
	attnKeys = 64 // 4 zmm per score row
)

func attention() {
	qkTile()
	softmaxTile()
	for _, rows := range []int{attnRows, 1} {
		for nz := 1; nz <= 4; nz++ {
			pvTile(rows, nz)
		}
	}
}

// qkTile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i] * kt[t*64+j] for i < 6, j < 64,
// with the query block packed transposed (8 floats per t, 6 used).
// Register blocked 6x4 zmm: per t, 4 loads of kt, 6 broadcasts, 24 FMAs.
func qkTile() {
	TEXT("qkTileAVX512", NOSPLIT, "func(s, qt, kt []float32, d int, scale float32)")
	Pragma("noescape")
	Doc("qkTileAVX512 computes one 6x64 score tile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i]*kt[t*64+j]",
		"for i < 6, j < 64 (qt is the query block transposed, [d][8]; kt a key tile transposed, [d][64]).")
	s, q, kt := ptr("s"), ptr("qt"), ptr("kt")
	d := Load(Param("d"), GP64())
	acc := make([][]VecVirtual, attnRows)
	for i := range acc {
		acc[i] = make([]VecVirtual, 4)
		for c := range acc[i] {
			acc[i][c] = ZMM()
			zero(acc[i][c])
		}
	}
	Label("loop")
	TESTQ(d, d)
	JZ(LabelRef("done"))
	k := make([]VecVirtual, 4)
	for c := range k {
		k[c] = ZMM()
		VMOVUPS(Mem{Base: kt, Disp: 64 * c}, k[c])
	}
	for i := 0; i < attnRows; i++ {
		b := ZMM()
		VBROADCASTSS(Mem{Base: q, Disp: 4 * i}, b)
		for c := 0; c < 4; c++ {
			VFMADD231PS(k[c], b, acc[i][c])
		}
	}
	ADDQ(U8(32), q)
	ADDQ(U32(4*attnKeys), kt)
	DECQ(d)
	JMP(LabelRef("loop"))
	Label("done")
	sc := avx512.scalarArg("scale")
	for i := 0; i < attnRows; i++ {
		for c := 0; c < 4; c++ {
			VMULPS(sc, acc[i][c], acc[i][c])
			VMOVUPS(acc[i][c], Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)})
		}
	}
	VZEROUPPER()
	RET()
}

// softmaxTile: the online-softmax step of a 6x64 tile of (scaled, masked)
// scores, in place. The six rows go through each phase together so their
// dependency chains (horizontal reductions, exp) overlap; the running
// statistics are updated as one 6-lane vector.
func softmaxTile() {
	TEXT("softmaxTileAVX512", NOSPLIT, "func(s, m, l, corr []float32)")
	Pragma("noescape")
	Doc("softmaxTileAVX512 does the online-softmax step of a 6x64 tile of scores s (masked",
		"entries are -Inf), for each row i < 6:",
		"  mx := max(m[i], max_j s[i*64+j]); corr[i] = exp(m[i]-mx)",
		"  s[i*64+j] = exp(s[i*64+j]-mx); l[i] = l[i]*corr[i] + Σ_j s[i*64+j]; m[i] = mx",
		"with exp as in sumExp but exactly 0 for arguments below -110 (so -Inf gives 0).",
		"m, l and corr hold 6 elements.")
	v := avx512
	s, m, l, corr := ptr("s"), ptr("m"), ptr("l"), ptr("corr")
	ek := expConsts{lo: v.bcast(splatF("explo110", -110))}
	six := K()
	bits := GP32()
	MOVL(U32(1<<attnRows-1), bits)
	KMOVW(bits, six)
	row := func(i, c int) Mem { return Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)} }

	// Row maxima, reduced together, parked in corr[0:6].
	mx := make([]VecVirtual, attnRows)
	for i := range mx {
		mx[i] = ZMM()
		t := ZMM()
		VMOVUPS(row(i, 0), mx[i])
		VMOVUPS(row(i, 1), t)
		VMAXPS(row(i, 2), mx[i], mx[i])
		VMAXPS(row(i, 3), t, t)
		VMAXPS(t, mx[i], mx[i])
	}
	hreduceMany(mx, vmaxps)
	for i := range mx {
		VMOVSS(mx[i].AsX(), Mem{Base: corr, Disp: 4 * i})
	}
	// New maxima and corrections as one vector.
	old, mnew := ZMM(), ZMM()
	VMOVUPS_Z(Mem{Base: m}, six, old)
	VMOVUPS_Z(Mem{Base: corr}, six, mnew)
	VMAXPS(old, mnew, mnew)
	VMOVUPS(mnew, six, Mem{Base: m})
	VSUBPS(mnew, old, old)
	v.exp(old, ek)
	VMOVUPS(old, six, Mem{Base: corr})
	// Probabilities and their row sums.
	sum := make([]VecVirtual, attnRows)
	for i := range sum {
		b := ZMM()
		VBROADCASTSS(Mem{Base: m, Disp: 4 * i}, b)
		sum[i] = ZMM()
		for c := 0; c < 4; c++ {
			x := ZMM()
			VMOVUPS(row(i, c), x)
			VSUBPS(b, x, x)
			v.exp(x, ek)
			VMOVUPS(x, row(i, c))
			if c == 0 {
				VMOVAPS(x, sum[i])
			} else {
				VADDPS(x, sum[i], sum[i])
			}
		}
	}
	hreduceMany(sum, vaddps)
	// l = l*corr + sum, as one vector (the six sums gathered on the stack).
	tmp := AllocLocal(64)
	for i := range sum {
		VMOVSS(sum[i].AsX(), tmp.Offset(4*i))
	}
	sv, lv := ZMM(), ZMM()
	VMOVUPS_Z(tmp, six, sv)
	VMOVUPS_Z(Mem{Base: l}, six, lv)
	VFMADD213PS(sv, old, lv)
	VMOVUPS(lv, six, Mem{Base: l})
	VZEROUPPER()
	RET()
}

// hreduceMany folds the lanes of each register into its lane 0, one
// step for all registers at a time so their latencies overlap.
func hreduceMany(r []VecVirtual, op func(a, b, dst Op)) {
	n := len(r)
	t := make([]VecVirtual, n)
	for i := range r {
		t[i] = ZMM()
		VEXTRACTF64X4(U8(1), r[i], t[i].AsY())
	}
	for i := range r {
		op(t[i].AsY(), r[i].AsY(), r[i].AsY())
	}
	for i := range r {
		VEXTRACTF128(U8(1), r[i].AsY(), t[i].AsX())
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVHLPS(r[i].AsX(), r[i].AsX(), t[i].AsX())
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVSHDUP(r[i].AsX(), t[i].AsX())
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
}

// pvTile: o[i][c] = o[i][c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c] for rows
// i < rows and columns c < 16*nz. The one-row form has no corr.
func pvTile(rows, nz int) {
	name := fmt.Sprintf("pvTile%dx%dAVX512", rows, nz)
	sig := "func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)"
	what := "o[i*ldo+c] = o[i*ldo+c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c]"
	if rows == 1 {
		sig = "func(o []float32, p []float32, nk int, v []float32, ldv int)"
		what = "o[c] += Σ_{j<nk} p[j]*v[j*ldv+c]"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s accumulates P V into %d output row(s): %s", name, rows, what),
		fmt.Sprintf("for i < %d, c < %d.", rows, 16*nz))
	o, p, v := ptr("o"), ptr("p"), ptr("v")
	nk := Load(Param("nk"), GP64())
	ldv := Load(Param("ldv"), GP64())
	SHLQ(U8(2), ldv)
	row := func(i, disp int) Mem { return Mem{Base: o, Disp: disp} }
	if rows > 1 {
		ldo := Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo)
		o3 := GP64()
		LEAQ(Mem{Base: o, Index: ldo, Scale: 2}, o3)
		ADDQ(ldo, o3)
		row = func(i, disp int) Mem { return rowMem(o, o3, ldo, i, disp) }
	}
	acc := make([][]VecVirtual, rows)
	var corr GPVirtual
	if rows > 1 {
		corr = ptr("corr")
	}
	for i := range acc {
		acc[i] = make([]VecVirtual, nz)
		var cb VecVirtual
		if rows > 1 {
			cb = ZMM()
			VBROADCASTSS(Mem{Base: corr, Disp: 4 * i}, cb)
		}
		for c := range acc[i] {
			acc[i][c] = ZMM()
			VMOVUPS(row(i, 64*c), acc[i][c])
			if rows > 1 {
				VMULPS(cb, acc[i][c], acc[i][c])
			}
		}
	}
	Label("loop")
	TESTQ(nk, nk)
	JZ(LabelRef("done"))
	vv := make([]VecVirtual, nz)
	for c := range vv {
		vv[c] = ZMM()
		VMOVUPS(Mem{Base: v, Disp: 64 * c}, vv[c])
	}
	for i := 0; i < rows; i++ {
		b := ZMM()
		VBROADCASTSS(Mem{Base: p, Disp: 4 * attnKeys * i}, b)
		for c := 0; c < nz; c++ {
			VFMADD231PS(vv[c], b, acc[i][c])
		}
	}
	ADDQ(U8(4), p)
	ADDQ(ldv, v)
	DECQ(nk)
	JMP(LabelRef("loop"))
	Label("done")
	for i := range acc {
		for c := range acc[i] {
			VMOVUPS(acc[i][c], row(i, 64*c))
		}
	}
	VZEROUPPER()
	RET()
}

// rowMem addresses row i < 6 of a matrix with byte stride ld given the
// bases of rows 0 and 3 (rows 1, 2, 4, 5 use ld as a scaled index).
func rowMem(r0, r3, ld GPVirtual, i, disp int) Mem {
	base := r0
	if i >= 3 {
		base = r3
	}
	if i%3 == 0 {
		return Mem{Base: base, Disp: disp}
	}
	return Mem{Base: base, Index: ld, Scale: uint8(i % 3), Disp: disp}
}
