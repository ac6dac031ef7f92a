package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/gotypes"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The primitives of simplified linear attention (sla.go), AVX-512 and
// AVX2+FMA from one template: the ReLU packs (row copy with a dot product,
// and a transposing pack by gathers), the output combine and the 5-tap
// depthwise conv. The GEMMs run on the attention P V kernels.
func sla(v variant) {
	slaReluDot(v)
	slaAxpyTo(v, false)
	if v.z {
		slaAxpyTo(v, true) // the AVX2 attention measured no gain from it
	}
	slaConv5(v)
	slaReluT(v)
	if v.z {
		slaConv25()
		slaReluSum()
		slaReluDotW()
		slaReluKQ()
		for nd := 1; nd <= 4; nd++ {
			for nz := 1; nz <= 4; nz++ {
				slaScan(nd, nz)
			}
		}
		for rows := 1; rows <= 6; rows++ {
			for nz := 1; nz <= 4; nz++ {
				slaKV(rows, nz)
				slaQS(rows, nz, 2)
				slaQS(rows, nz, 1)
			}
		}
	}
}

// relu sets r = max(r, 0) with r as VMAXPS's second source, so NaN stays NaN.
func relu(r, z VecVirtual) { VMAXPS(r, z, r) }

// rowLoop emits a loop over rows: per row, body runs with copies of the
// row bases (advanced by the byte strides lds after it) and a copy of n.
func rowLoop(rows GPVirtual, bases []GPVirtual, strides []GPVirtual, n Op, body func(ptrs []GPVirtual, n GPVirtual)) {
	Label("row")
	TESTQ(rows, rows)
	JZ(LabelRef("rowsdone"))
	ptrs := make([]GPVirtual, len(bases))
	for i, b := range bases {
		ptrs[i] = GP64()
		MOVQ(b, ptrs[i])
	}
	cnt := GP64()
	MOVQ(n, cnt)
	body(ptrs, cnt)
	for i, b := range bases {
		ADDQ(strides[i], b)
	}
	DECQ(rows)
	JMP(LabelRef("row"))
	Label("rowsdone")
}

// byteStride loads an int parameter (elements) as a byte stride.
func byteStride(name string) GPVirtual {
	r := Load(Param(name), GP64()).(GPVirtual)
	SHLQ(U8(2), r)
	return r
}

func slaReluDot(v variant) {
	fn(v, "reluDot", "func(dst []float32, ldd int, src []float32, lds int, w, den []float32, rows, n int)",
		"reluDot sets dst[r*ldd+i] = max(src[r*lds+i], 0) (NaN stays NaN) and adds Σ_i dst[r*ldd+i]*w[i]",
		"to den[r], for r < rows, i < n.")
	dst, src, w, den := ptr("dst"), ptr("src"), ptr("w"), ptr("den")
	ldd, lds := byteStride("ldd"), byteStride("lds")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	four := GP64()
	MOVQ(U32(4), four)
	z := v.vec()
	zero(z)
	rowLoop(rows, []GPVirtual{dst, src, den}, []GPVirtual{ldd, lds, four}, paramMem("n"), func(p []GPVirtual, n GPVirtual) {
		wp := GP64()
		MOVQ(w, wp)
		const unroll = 4
		acc := make([]VecVirtual, unroll)
		for i := range acc {
			acc[i] = v.vec()
			zero(acc[i])
		}
		loop(v, n, []GPVirtual{p[0], p[1], wp}, []GPVirtual{p[0]}, unroll, func(l lane, i int) {
			off := i * v.bytes()
			x := l.load(Mem{Base: p[1], Disp: off})
			relu(x, z)
			l.store(x, Mem{Base: p[0], Disp: off})
			wv := l.load(Mem{Base: wp, Disp: off})
			l.fma(x, wv, acc[i])
		})
		x := v.reduceTo(acc, vaddps)
		VADDSS(Mem{Base: p[2]}, x, x)
		VMOVSS(x, Mem{Base: p[2]})
	})
	VZEROUPPER()
	RET()
}

// slaAxpyTo emits axpyTo, or its streaming form (the attention output
// rows: plain stores of them missed, up to 8% of the time at L = 197).
func slaAxpyTo(v variant, nt bool) {
	fn(v, ntName("axpyTo", nt), "func(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)",
		ntDoc([]string{ntName("axpyTo", nt) + " sets y[r*ldy+i] = c[r*ldc+i] + a[r]*x[r*ldx+i] (one FMA) for r < rows, i < n."}, nt)...)
	y, x, c, a := ptr("y"), ptr("x"), ptr("c"), ptr("a")
	ldy, ldx, ldc := byteStride("ldy"), byteStride("ldx"), byteStride("ldc")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	four := GP64()
	MOVQ(U32(4), four)
	rowLoop(rows, []GPVirtual{y, x, c, a}, []GPVirtual{ldy, ldx, ldc, four}, paramMem("n"), func(p []GPVirtual, n GPVirtual) {
		av := v.vec()
		VBROADCASTSS(Mem{Base: p[3]}, av)
		loop(v, n, []GPVirtual{p[0], p[1], p[2]}, []GPVirtual{p[0]}, 4, func(l lane, i int) {
			off := i * v.bytes()
			t := l.load(Mem{Base: p[1], Disp: off})
			cv := l.load(Mem{Base: p[2], Disp: off})
			VFMADD213PS(cv, av, t)
			ntStore(nt, l, t, Mem{Base: p[0], Disp: off})
		})
	})
	VZEROUPPER()
	RET()
}

// slaConv5: channel blocks of one vector outside, tokens inside; the five
// tap weights of the block stay in registers, the five V rows of a token
// are memory operands of the FMAs. ld is a multiple of 16, so there are no
// channel tails.
func slaConv5(v variant) {
	fn(v, "conv5", "func(o, v, w, b []float32, n, ld int)",
		"conv5 sets o[t*ld+c] = (b[c] if len(b) > 0, else o[t*ld+c]) + Σ_{k<5} w[k*ld+c]*v[(t+k)*ld+c]",
		"for t < n, c < ld (the 5-tap depthwise conv over zero-padded rows); ld is a multiple of 16.")
	o, vv, w, b := ptr("o"), ptr("v"), ptr("w"), ptr("b")
	blen := Load(Param("b").Len(), GP64())
	n := Load(Param("n"), GP64())
	ld := Load(Param("ld"), GP64())
	ldb := GP64()
	MOVQ(ld, ldb)
	SHLQ(U8(2), ldb)
	c := GP64()
	XORQ(c, c)
	Label("chunk")
	CMPQ(c, ld)
	JAE(LabelRef("done"))
	ws := make([]VecVirtual, 5)
	wp := GP64()
	MOVQ(w, wp)
	for k := range ws {
		ws[k] = v.vec()
		VMOVUPS(Mem{Base: wp}, ws[k])
		if k < 4 {
			ADDQ(ldb, wp)
		}
	}
	// Row pointers of the token loop: op the output, v0 and v3 rows t and t+3.
	op, v0, v3, t := GP64(), GP64(), GP64(), GP64()
	MOVQ(o, op)
	MOVQ(vv, v0)
	LEAQ(Mem{Base: vv, Index: ldb, Scale: 2}, v3)
	ADDQ(ldb, v3)
	MOVQ(n, t)
	for _, bias := range []bool{true, false} {
		name := "acc"
		if bias {
			name = "bias"
		}
		bv := v.vec()
		if bias {
			TESTQ(blen, blen)
			JZ(LabelRef("acc4"))
			VMOVUPS(Mem{Base: b}, bv)
		}
		// Four tokens a step: each V row loaded once feeds the taps of
		// every token that reads it (8 loads for 20 FMAs instead of 20;
		// the one-token loop below was load bound), in the same FMA
		// order per token as that loop, so results are the same bits.
		Label(name + "4")
		CMPQ(t, U8(4))
		JB(LabelRef(name))
		{
			v6, o3 := GP64(), GP64()
			LEAQ(Mem{Base: v3, Index: ldb, Scale: 2}, v6)
			ADDQ(ldb, v6)
			LEAQ(Mem{Base: op, Index: ldb, Scale: 2}, o3)
			ADDQ(ldb, o3)
			acc := []VecVirtual{v.vec(), v.vec(), v.vec(), v.vec()}
			for q, a := range acc {
				if bias {
					VMOVAPS(bv, a)
				} else {
					VMOVUPS(rowMem3(op, o3, o3, ldb, q), a)
				}
			}
			for j := 0; j < 8; j++ {
				x := v.vec()
				VMOVUPS(rowMem3(v0, v3, v6, ldb, j), x)
				for q, a := range acc {
					if k := j - q; k >= 0 && k < 5 {
						VFMADD231PS(x, ws[k], a)
					}
				}
			}
			for q, a := range acc {
				VMOVUPS(a, rowMem3(op, o3, o3, ldb, q))
			}
			for _, r := range []GPVirtual{op, v0, v3} {
				LEAQ(Mem{Base: r, Index: ldb, Scale: 4}, r)
			}
			SUBQ(U8(4), t)
			JMP(LabelRef(name + "4"))
		}
		Label(name)
		TESTQ(t, t)
		JZ(LabelRef("next"))
		acc := v.vec()
		if bias {
			VMOVAPS(bv, acc)
		} else {
			VMOVUPS(Mem{Base: op}, acc)
		}
		VFMADD231PS(Mem{Base: v0}, ws[0], acc)
		VFMADD231PS(Mem{Base: v0, Index: ldb, Scale: 1}, ws[1], acc)
		VFMADD231PS(Mem{Base: v0, Index: ldb, Scale: 2}, ws[2], acc)
		VFMADD231PS(Mem{Base: v3}, ws[3], acc)
		VFMADD231PS(Mem{Base: v3, Index: ldb, Scale: 1}, ws[4], acc)
		VMOVUPS(acc, Mem{Base: op})
		ADDQ(ldb, op)
		ADDQ(ldb, v0)
		ADDQ(ldb, v3)
		DECQ(t)
		JMP(LabelRef(name))
	}
	Label("next")
	ADDQ(U32(v.bytes()), o)
	ADDQ(U32(v.bytes()), vv)
	ADDQ(U32(v.bytes()), w)
	ADDQ(U32(v.bytes()), b)
	ADDQ(U32(v.lanes), c)
	JMP(LabelRef("chunk"))
	Label("done")
	VZEROUPPER()
	RET()
}

// slaReluT: blocks of 8 rows by 8 columns, loaded as 8 ymm rows, ReLU'd,
// transposed in registers (unpack, shuffle, 128-bit permute) and stored as
// 8 ymm columns; the columns past the last full block, and the rows past
// the last full block, go one element at a time. Both variants use this
// ymm code (a gather was no faster than scalar Go here). Without relu it
// is packT, gemm_f32's pack of X (a ReLU-free transpose).
func slaReluT(v variant) { transposeT(v, true) }

func transposeT(v variant, relu bool) {
	if relu {
		fn(v, "reluT", "func(dst []float32, ldd int, src []float32, lds, rows, cols int)",
			"reluT sets dst[c*ldd+r] = max(src[r*lds+c], 0) for r < rows, c < cols (a transposing",
			"ReLU pack; NaN stays NaN).")
	} else {
		fn(v, "packT", "func(dst []float32, ldd int, src []float32, lds, rows, cols int)",
			"packT sets dst[c*ldd+r] = src[r*lds+c] for r < rows, c < cols (a transposing pack).")
	}
	dst, src := ptr("dst"), ptr("src")
	ldd := Load(Param("ldd"), GP64()).(GPVirtual)
	lds := Load(Param("lds"), GP64()).(GPVirtual)
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	cols := Load(Param("cols"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldd)
	SHLQ(U8(2), lds)
	cols8 := GP64()
	MOVQ(cols, cols8)
	ANDQ(I32(-8), cols8)
	var z VecVirtual // nil: no ReLU
	if relu {
		z = YMM()
		zero(z)
	}
	sp, dp, c := GP64(), GP64(), GP64()
	s3, s6, d3, d6 := GP64(), GP64(), GP64(), GP64()
	Label("block")
	CMPQ(rows, U32(8))
	JB(LabelRef("rest"))
	MOVQ(src, sp)
	MOVQ(dst, dp)
	XORQ(c, c)
	Label("col")
	CMPQ(c, cols8)
	JAE(LabelRef("coltail"))
	LEAQ(Mem{Base: sp, Index: lds, Scale: 2}, s3)
	ADDQ(lds, s3)
	LEAQ(Mem{Base: s3, Index: lds, Scale: 2}, s6)
	ADDQ(lds, s6)
	r := make([]VecVirtual, 8)
	for i := range r {
		r[i] = YMM()
		if relu {
			VMAXPS(rowMem3(sp, s3, s6, lds, i), z, r[i])
		} else {
			VMOVUPS(rowMem3(sp, s3, s6, lds, i), r[i])
		}
	}
	t := make([]VecVirtual, 8)
	for i := 0; i < 8; i += 2 {
		t[i], t[i+1] = YMM(), YMM()
		VUNPCKLPS(r[i+1], r[i], t[i])
		VUNPCKHPS(r[i+1], r[i], t[i+1])
	}
	u := make([]VecVirtual, 8)
	for h := 0; h < 8; h += 4 { // rows 0-3, then 4-7
		u[h], u[h+1], u[h+2], u[h+3] = YMM(), YMM(), YMM(), YMM()
		VSHUFPS(U8(0x44), t[h+2], t[h], u[h])
		VSHUFPS(U8(0xEE), t[h+2], t[h], u[h+1])
		VSHUFPS(U8(0x44), t[h+3], t[h+1], u[h+2])
		VSHUFPS(U8(0xEE), t[h+3], t[h+1], u[h+3])
	}
	LEAQ(Mem{Base: dp, Index: ldd, Scale: 2}, d3)
	ADDQ(ldd, d3)
	LEAQ(Mem{Base: d3, Index: ldd, Scale: 2}, d6)
	ADDQ(ldd, d6)
	for k := 0; k < 4; k++ {
		o := YMM()
		VPERM2F128(U8(0x20), u[k+4], u[k], o)
		VMOVUPS(o, rowMem3(dp, d3, d6, ldd, k))
		VPERM2F128(U8(0x31), u[k+4], u[k], o)
		VMOVUPS(o, rowMem3(dp, d3, d6, ldd, k+4))
	}
	ADDQ(U8(32), sp)
	LEAQ(Mem{Base: d6, Index: ldd, Scale: 2}, dp)
	ADDQ(U32(8), c)
	JMP(LabelRef("col"))
	// Columns [cols8, cols) of the 8 rows.
	Label("coltail")
	n8 := GP64()
	MOVQ(U32(8), n8)
	MOVQ(src, sp)
	MOVQ(dst, dp)
	scalarPack("ct", sp, dp, n8, c, cols, lds, ldd, z)
	MOVQ(lds, sp)
	SHLQ(U8(3), sp)
	ADDQ(sp, src)
	ADDQ(U32(32), dst)
	SUBQ(U32(8), rows)
	JMP(LabelRef("block"))
	// The remaining rows, all columns.
	Label("rest")
	MOVQ(src, sp)
	MOVQ(dst, dp)
	XORQ(c, c)
	scalarPack("rr", sp, dp, rows, c, cols, lds, ldd, z)
	VZEROUPPER()
	RET()
}

// loadTile loads rows x 16*nz floats of the matrix at r0 (rows < 6;
// rowMem's bases and stride) into new registers.
func loadTile(r0, r3, ld GPVirtual, rows, nz int) [][]VecVirtual {
	t := make([][]VecVirtual, rows)
	for i := range t {
		t[i] = make([]VecVirtual, nz)
		for c := range t[i] {
			t[i][c] = ZMM()
			VMOVUPS(rowMem(r0, r3, ld, i, 64*c), t[i][c])
		}
	}
	return t
}

// storeTile stores loadTile's registers back.
func storeTile(t [][]VecVirtual, r0, r3, ld GPVirtual) {
	for i := range t {
		for c := range t[i] {
			VMOVUPS(t[i][c], rowMem(r0, r3, ld, i, 64*c))
		}
	}
}

// rowMem3 addresses row i < 8 of a matrix with byte stride ld given the
// bases of rows 0, 3 and 6.
func rowMem3(r0, r3, r6, ld GPVirtual, i int) Mem {
	base := []GPVirtual{r0, r3, r6}[i/3]
	if i%3 == 0 {
		return Mem{Base: base}
	}
	return Mem{Base: base, Index: ld, Scale: uint8(i % 3)}
}

// scalarPack emits dst[c*ldd+r] = max(src[r*lds+c], 0) (z nil: the
// plain copy) for r < nr and c in [c0, cols), one element at a time, with
// s and d the bases of row 0 and column 0 (byte strides lds, ldd). s, d
// and nr are consumed.
func scalarPack(name string, s, d, nr, c0, cols, lds, ldd GPVirtual, z VecVirtual) {
	ps, pd, c := GP64(), GP64(), GP64()
	x := XMM()
	Label(name + "row")
	TESTQ(nr, nr)
	JZ(LabelRef(name + "done"))
	MOVQ(c0, c)
	LEAQ(Mem{Base: s, Index: c, Scale: 4}, ps)
	MOVQ(c, pd)
	IMULQ(ldd, pd)
	ADDQ(d, pd)
	Label(name + "col")
	CMPQ(c, cols)
	JAE(LabelRef(name + "next"))
	VMOVSS(Mem{Base: ps}, x)
	if z != nil {
		VMAXSS(x, z.AsX(), x)
	}
	VMOVSS(x, Mem{Base: pd})
	ADDQ(U8(4), ps)
	ADDQ(ldd, pd)
	INCQ(c)
	JMP(LabelRef(name + "col"))
	Label(name + "next")
	ADDQ(lds, s)
	ADDQ(U8(4), d)
	DECQ(nr)
	JMP(LabelRef(name + "row"))
	Label(name + "done")
}

// slaConv25 is sla2d's whole 5x5 conv of one grid row in one pass (five
// conv5 passes read and write the output five times). Six tokens a step,
// each with three accumulators (rows 0 and 3, 1 and 4, 2: one chain of 25
// dependent FMAs per token was latency bound), 18 in all; per row of taps
// the ten V vectors the six tokens read are loaded once and each tap
// weight once for the six tokens (75 loads for 150 FMAs). The channel
// blocks run inside the step, so the step's V lines (all channels) stay
// in L1 for the next step, which shares four of its ten tokens. The
// former two-token step over whole grid rows per channel block, with the
// 25 weights in registers, re-read every V line from L2 or beyond for
// each 16 channels (the conv ran at about 65% of the FMA peak at L =
// 3136 in the kernel against 90% in L1). Per token the FMA order is the
// one-token order, so results are the same bits whatever the step.
func slaConv25() {
	TEXT("conv25AVX512", NOSPLIT, "func(o, v, w, b []float32, n, ld, ldr int)")
	Pragma("noescape")
	Doc("conv25AVX512 sets o[t*ld+c] = b[c] + Σ_{u<5} Σ_{k<5} w[(5u+k)*ld+c]*v[u*ldr+(t+k)*ld+c]",
		"for t < n, c < ld (the 5x5 depthwise conv of one row of a zero-padded grid); ld is a multiple of 16.")
	op, v0 := ptr("o"), ptr("v")
	ldb, ldr := byteStride("ld"), byteStride("ldr")
	t := Load(Param("n"), GP64()).(GPVirtual)
	oc, vc, wc, bc, cc := GP64(), GP64(), GP64(), GP64(), GP64()
	bias := ZMM()
	// step emits the conv of tokens [0, T) of every channel block from
	// op and v0.
	step := func(T int, name string) {
		MOVQ(op, oc)
		MOVQ(v0, vc)
		Load(Param("w").Base(), wc)
		Load(Param("b").Base(), bc)
		Load(Param("ld"), cc)
		SHRQ(U8(4), cc)
		Label(name)
		VMOVUPS(Mem{Base: bc}, bias)
		acc := make([][3]VecVirtual, T)
		for q := range acc {
			acc[q] = [3]VecVirtual{ZMM(), ZMM(), ZMM()}
		}
		pj, wk := GP64(), GP64()
		MOVQ(wc, wk)
		for u := 0; u < 5; u++ {
			switch u { // pj: V row u, token 0
			case 0:
				MOVQ(vc, pj)
			case 1, 2:
				LEAQ(Mem{Base: vc, Index: ldr, Scale: uint8(u)}, pj)
			case 3:
				LEAQ(Mem{Base: vc, Index: ldr, Scale: 2}, pj)
				ADDQ(ldr, pj)
			case 4:
				LEAQ(Mem{Base: vc, Index: ldr, Scale: 4}, pj)
			}
			xs := make([]VecVirtual, T+4) // V of token j: tap k of token j-k
			for j := 0; j < T; j++ {
				if j > 0 {
					ADDQ(ldb, pj)
				}
				xs[j] = ZMM()
				VMOVUPS(Mem{Base: pj}, xs[j])
			}
			for k := 0; k < 5; k++ {
				if k > 0 {
					ADDQ(ldb, pj)
					xs[T-1+k] = ZMM()
					VMOVUPS(Mem{Base: pj}, xs[T-1+k])
				}
				w := ZMM()
				VMOVUPS(Mem{Base: wk}, w)
				if u < 4 || k < 4 {
					ADDQ(ldb, wk)
				}
				for q := 0; q < T; q++ {
					a, x := acc[q][u%3], xs[q+k]
					switch {
					case u == 0 && k == 0:
						VMOVAPS(bias, a)
						VFMADD231PS(x, w, a)
					case (u == 1 || u == 2) && k == 0:
						VMULPS(x, w, a)
					default:
						VFMADD231PS(x, w, a)
					}
				}
			}
		}
		MOVQ(oc, pj)
		for q := range acc {
			VADDPS(acc[q][2], acc[q][1], acc[q][1])
			VADDPS(acc[q][1], acc[q][0], acc[q][0])
			if q > 0 {
				ADDQ(ldb, pj)
			}
			VMOVUPS(acc[q][0], Mem{Base: pj})
		}
		for _, r := range []GPVirtual{oc, vc, wc, bc} {
			ADDQ(U8(64), r)
		}
		DECQ(cc)
		JNZ(LabelRef(name))
	}
	TESTQ(ldb, ldb)
	JZ(LabelRef("done"))
	Label("six")
	CMPQ(t, U8(6))
	JB(LabelRef("rest"))
	step(6, "six_c")
	for range 6 {
		ADDQ(ldb, op)
		ADDQ(ldb, v0)
	}
	SUBQ(U8(6), t)
	JMP(LabelRef("six"))
	// The last n%6 tokens in one step of their count.
	Label("rest")
	for T := 5; T >= 1; T-- {
		CMPQ(t, U8(T))
		JE(LabelRef(fmt.Sprintf("rest%d", T)))
	}
	JMP(LabelRef("done"))
	for T := 5; T >= 1; T-- {
		Label(fmt.Sprintf("rest%d", T))
		step(T, fmt.Sprintf("rest%d_c", T))
		JMP(LabelRef("done"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// slaReluSum: column blocks of 16 outside (the last one masked), rows
// inside; the block's column sums stay in a register.
func slaReluSum() {
	TEXT("reluSumAVX512", NOSPLIT, "func(dst []float32, ldd int, src []float32, lds int, acc []float32, rows, n int)")
	Pragma("noescape")
	Doc("reluSumAVX512 sets dst[r*ldd+i] = max(src[r*lds+i], 0) (NaN stays NaN) and adds Σ_r dst[r*ldd+i]",
		"to acc[i], for r < rows, i < n.")
	dst, src, acc := ptr("dst"), ptr("src"), ptr("acc")
	ldd, lds := byteStride("ldd"), byteStride("lds")
	n := Load(Param("n"), GP64()).(GPVirtual)
	z := ZMM()
	zero(z)
	k := K()
	ones := GP64()
	Label("col")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	kFirst(16, n, kOpt{t: ones, full: "full"}, k)
	a := ZMM()
	VMOVUPS_Z(Mem{Base: acc}, k, a)
	dp, sp, r := GP64(), GP64(), GP64()
	MOVQ(dst, dp)
	MOVQ(src, sp)
	Load(Param("rows"), r)
	Label("row")
	TESTQ(r, r)
	JZ(LabelRef("rowsdone"))
	x := ZMM()
	VMOVUPS_Z(Mem{Base: sp}, k, x)
	relu(x, z)
	VMOVUPS(x, k, Mem{Base: dp})
	VADDPS(x, a, a)
	ADDQ(ldd, dp)
	ADDQ(lds, sp)
	DECQ(r)
	JMP(LabelRef("row"))
	Label("rowsdone")
	VMOVUPS(a, k, Mem{Base: acc})
	ADDQ(U8(64), dst)
	ADDQ(U8(64), src)
	ADDQ(U8(64), acc)
	SUBQ(U8(16), n)
	JA(LabelRef("col"))
	Label("done")
	VZEROUPPER()
	RET()
}

// slaReluKQ is the causal tile's ReLU packs in one pass over its rows,
// two rows a step: relu(K) joins ks (in memory, so any D: loaded and
// stored once per pair, which halves the chain through memory), and row
// r's denominator is relu(Q_r) . ks right after K_r joined, in reluDotW's
// order. It replaced a pass writing the prefix sums after each row and
// reluDotW reading them (same bits, 0-4% faster on the full causal
// shapes).
func slaReluKQ() {
	TEXT("reluKQAVX512", NOSPLIT, "func(kr, qp, k, q []float32, ld int, ks, den []float32, rows, n int)")
	Pragma("noescape")
	Doc("reluKQAVX512, for r < rows in turn, sets kr[r*ld+i] = max(k[r*ld+i], 0), adds it to ks[i], sets",
		"qp[r*ld+i] = max(q[r*ld+i], 0) and den[r] = Σ_i qp[r*ld+i]*ks[i], for i < n (NaN stays NaN).")
	v := avx512
	kr, qp, k, q, ks, den := ptr("kr"), ptr("qp"), ptr("k"), ptr("q"), ptr("ks"), ptr("den")
	ld := byteStride("ld")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	z := v.vec()
	zero(z)
	// The columns go by byte index, i for row r and i1 = i + ld for row
	// r+1 (pointer copies per row would need more registers than there
	// are).
	i, i1, cnt := GP64(), GP64(), GP64()
	const unroll = 4
	// body emits the loop over the columns of nr rows (1 or 2) and their
	// denominators; lbl prefixes its labels.
	body := func(nr int, lbl string) {
		acc := make([][]VecVirtual, nr)
		for r := range acc {
			acc[r] = make([]VecVirtual, unroll)
			for j := range acc[r] {
				acc[r][j] = v.vec()
				zero(acc[r][j])
			}
		}
		idx := []GPVirtual{i, i1}
		step := func(l lane, j int) {
			m := func(b GPVirtual, r int) Mem { return Mem{Base: b, Index: idx[r], Scale: 1, Disp: j * v.bytes()} }
			sv := l.load(m(ks, 0))
			for r := range nr {
				x := l.load(m(k, r))
				relu(x, z)
				l.store(x, m(kr, r))
				VADDPS(x, sv, sv)
				y := l.load(m(q, r))
				relu(y, z)
				l.store(y, m(qp, r))
				l.fma(y, sv, acc[r][j])
			}
			l.store(sv, m(ks, 0))
		}
		XORQ(i, i)
		MOVQ(ld, i1)
		Load(Param("n"), cnt)
		Label(lbl + "unrolled")
		CMPQ(cnt, U32(unroll*v.lanes))
		JB(LabelRef(lbl + "single"))
		for j := range unroll {
			step(lane{v: v}, j)
		}
		ADDQ(U32(unroll*v.bytes()), i)
		ADDQ(U32(unroll*v.bytes()), i1)
		SUBQ(U32(unroll*v.lanes), cnt)
		JMP(LabelRef(lbl + "unrolled"))
		Label(lbl + "single")
		CMPQ(cnt, U32(v.lanes))
		JB(LabelRef(lbl + "tail"))
		step(lane{v: v}, 0)
		ADDQ(U32(v.bytes()), i)
		ADDQ(U32(v.bytes()), i1)
		SUBQ(U32(v.lanes), cnt)
		JMP(LabelRef(lbl + "single"))
		Label(lbl + "tail")
		TESTQ(cnt, cnt)
		JZ(LabelRef(lbl + "end"))
		t := lane{v: v, tail: true, k: kFirst(v.lanes, cnt, kOpt{})}
		step(t, 0)
		Label(lbl + "end")
		for r := range nr {
			x := v.reduceTo(acc[r], vaddps)
			VMOVSS(x, Mem{Base: den, Disp: 4 * r})
		}
		for _, p := range []GPVirtual{kr, qp, k, q} {
			for range nr {
				ADDQ(ld, p)
			}
		}
		ADDQ(U8(4*nr), den)
		SUBQ(U8(nr), rows)
	}
	Label("pair")
	CMPQ(rows, U8(2))
	JB(LabelRef("one"))
	body(2, "p")
	JMP(LabelRef("pair"))
	Label("one")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	body(1, "o")
	Label("done")
	VZEROUPPER()
	RET()
}

// slaReluDotW is reluDot with a weight row per row (ldw apart): the
// causal denominators Qr_i . (ks + Σ_{j<=i} Kr_j) of a chunk in one call.
func slaReluDotW() {
	TEXT("reluDotWAVX512", NOSPLIT, "func(dst []float32, ldd int, src []float32, lds int, w []float32, ldw int, den []float32, rows, n int)")
	Pragma("noescape")
	Doc("reluDotWAVX512 sets dst[r*ldd+i] = max(src[r*lds+i], 0) (NaN stays NaN) and adds Σ_i dst[r*ldd+i]*w[r*ldw+i]",
		"to den[r], for r < rows, i < n.")
	v := avx512
	dst, src, w, den := ptr("dst"), ptr("src"), ptr("w"), ptr("den")
	ldd, lds, ldw := byteStride("ldd"), byteStride("lds"), byteStride("ldw")
	rows := Load(Param("rows"), GP64()).(GPVirtual)
	four := GP64()
	MOVQ(U32(4), four)
	z := v.vec()
	zero(z)
	rowLoop(rows, []GPVirtual{dst, src, den, w}, []GPVirtual{ldd, lds, four, ldw}, paramMem("n"), func(p []GPVirtual, n GPVirtual) {
		const unroll = 4
		acc := make([]VecVirtual, unroll)
		for i := range acc {
			acc[i] = v.vec()
			zero(acc[i])
		}
		loop(v, n, []GPVirtual{p[0], p[1], p[3]}, []GPVirtual{p[0]}, unroll, func(l lane, i int) {
			off := i * v.bytes()
			x := l.load(Mem{Base: p[1], Disp: off})
			relu(x, z)
			l.store(x, Mem{Base: p[0], Disp: off})
			wv := l.load(Mem{Base: p[3], Disp: off})
			l.fma(x, wv, acc[i])
		})
		x := v.reduceTo(acc, vaddps)
		VADDSS(Mem{Base: p[2]}, x, x)
		VMOVSS(x, Mem{Base: p[2]})
	})
	VZEROUPPER()
	RET()
}

// gemmAcc accumulates acc[i][c] += Σ_{t<n} P(i, t) * m[t*ldm + 64c] for
// i < len(acc), c < nz (zmm columns), with P(i, t) at p + i*prow + t*pstep
// bytes: prow is a register (pr) or, when pr is nil, 4 bytes; pstep is a
// register (ps) or, when ps is nil, 4 bytes. It advances p and m and counts
// n down to 0. The t loop is unrolled twice. Each t step also prefetches
// pfLines 64-byte lines of [pf, pfend) into L2, from pf up, staying on the
// last line once all are asked for.
func gemmAcc(acc [][]VecVirtual, p, pr, ps, m, ldm, n, pf, pfend GPVirtual, pfLines int) {
	rows, nz := len(acc), len(acc[0])
	var p3 GPVirtual
	if pr != nil && rows > 3 {
		p3 = GP64()
		LEAQ(Mem{Base: p, Index: pr, Scale: 2}, p3)
		ADDQ(pr, p3)
	}
	pmem := func(i, disp int) Mem {
		if pr == nil {
			return Mem{Base: p, Disp: 4*i + disp}
		}
		if i >= 3 {
			return rowMem(p, p3, pr, i, disp)
		}
		if i == 0 {
			return Mem{Base: p, Disp: disp}
		}
		return Mem{Base: p, Index: pr, Scale: uint8(i), Disp: disp}
	}
	pfTmp := GP64()
	step := func(disp int, mm Mem) {
		pfStep(pf, pfend, pfTmp, pfLines)
		mv := make([]VecVirtual, nz)
		for c := range mv {
			mv[c] = ZMM()
			mm.Disp = 64 * c
			VMOVUPS(mm, mv[c])
		}
		for i := 0; i < rows; i++ {
			b := ZMM()
			VBROADCASTSS(pmem(i, disp), b)
			for c := 0; c < nz; c++ {
				VFMADD231PS(mv[c], b, acc[i][c])
			}
		}
	}
	advance := func(k int) {
		if ps == nil {
			ADDQ(U8(4*k), p)
			if p3 != nil {
				ADDQ(U8(4*k), p3)
			}
		} else {
			for range k {
				ADDQ(ps, p)
				if p3 != nil {
					ADDQ(ps, p3)
				}
			}
		}
		for range k {
			ADDQ(ldm, m)
		}
	}
	Label("two")
	CMPQ(n, U8(2))
	JB(LabelRef("one"))
	step(0, Mem{Base: m})
	if ps == nil {
		step(4, Mem{Base: m, Index: ldm, Scale: 1})
		advance(2)
	} else {
		advance(1)
		step(0, Mem{Base: m})
		advance(1)
	}
	SUBQ(U8(2), n)
	JMP(LabelRef("two"))
	Label("one")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	step(0, Mem{Base: m})
	Label("done")
}

// pfStep prefetches lines 64-byte lines of [pf, pfend) into L2 from pf
// up, staying on the last line once all are asked for (tmp is scratch).
func pfStep(pf, pfend, tmp GPVirtual, lines int) {
	for range lines {
		PREFETCHT1(Mem{Base: pf})
		LEAQ(Mem{Base: pf, Disp: 64}, tmp)
		CMPQ(tmp, pfend)
		CMOVQLT(tmp, pf)
	}
}

// pfRange loads the prefetch range of a slice parameter pf: its base and
// its end (the base when empty).
func pfRange() (pf, pfend GPVirtual) {
	pf = ptr("pf")
	pfend = Load(Param("pf").Len(), GP64()).(GPVirtual)
	LEAQ(Mem{Base: pf, Index: pfend, Scale: 4}, pfend)
	return pf, pfend
}

// slaKV is the state update S += Kr^T V of one block of rows of S.
func slaKV(rows, nz int) {
	name := fmt.Sprintf("kv%dx%dAVX512", rows, nz)
	TEXT(name, NOSPLIT, "func(s []float32, lds int, k []float32, ldk int, v []float32, ldv int, n int, pf []float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets s[i*lds+c] += Σ_{j<n} k[j*ldk+i]*v[j*ldv+c] for i < %d, c < %d,", name, rows, 16*nz),
		"and prefetches up to 2n lines of pf into L2 (pf's base must be a valid address).")
	s, k, vv := ptr("s"), ptr("k"), ptr("v")
	lds, ldk, ldv := byteStride("lds"), byteStride("ldk"), byteStride("ldv")
	n := Load(Param("n"), GP64()).(GPVirtual)
	s3 := row3(s, lds)
	acc := loadTile(s, s3, lds, rows, nz)
	pf, pfend := pfRange()
	gemmAcc(acc, k, nil, ldk, vv, ldv, n, pf, pfend, 2)
	storeTile(acc, s, s3, lds)
	VZEROUPPER()
	RET()
}

// slaQS is the output of one block of rows: y += z Qr S, with pfLines
// prefetches a step (qs: 2, qsl: 1).
func slaQS(rows, nz, pfLines int) {
	name := fmt.Sprintf("qs%dx%dAVX512", rows, nz)
	if pfLines == 1 {
		name = fmt.Sprintf("qsl%dx%dAVX512", rows, nz)
	}
	TEXT(name, NOSPLIT, "func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets y[i*ldy+c] += z[i]*Σ_{t<n} p[i*ldp+t]*s[t*lds+c]", name),
		fmt.Sprintf("for i < %d, c < %d, and prefetches up to %dn lines of pf into L2", rows, 16*nz, pfLines),
		"(pf's base must be a valid address).")
	y, p, s, z := ptr("y"), ptr("p"), ptr("s"), ptr("z")
	ldp, lds := byteStride("ldp"), byteStride("lds")
	n := Load(Param("n"), GP64()).(GPVirtual)
	acc := make([][]VecVirtual, rows)
	for i := range acc {
		acc[i] = make([]VecVirtual, nz)
		for c := range acc[i] {
			acc[i][c] = ZMM()
			zero(acc[i][c])
		}
	}
	pf, pfend := pfRange()
	gemmAcc(acc, p, ldp, nil, s, lds, n, pf, pfend, pfLines)
	ldy := byteStride("ldy")
	y3 := row3(y, ldy)
	for i := range acc {
		zb := ZMM()
		VBROADCASTSS(Mem{Base: z, Disp: 4 * i}, zb)
		for c := range acc[i] {
			t := ZMM()
			VMOVUPS(rowMem(y, y3, ldy, i, 64*c), t)
			VFMADD231PS(acc[i][c], zb, t)
			VMOVUPS(t, rowMem(y, y3, ldy, i, 64*c))
		}
	}
	VZEROUPPER()
	RET()
}

// slaScan is causal SLA token by token on blocks of the state, nd rows of
// S by 16*nz columns held in registers: per token it adds Kr_t^T V_t to
// the block, then Qr_t (the block's nd entries) times the updated block to
// the token's numerator. Every query sees exactly the keys j <= t, so there
// are no masked chunk scores (no work past the counted FLOPs), and a block
// of S is read and written once per call, not once per chunk and 6-row
// block. It runs nb blocks of rows in turn (one call per tile and 64
// columns: a Go call per block cost about 7% at D = 64). mode bit 0: block
// 0's numerators start at 0 (else from a); bit 1: block nb-1 ends D, so
// y += z*numerator (else the numerators go to a).
func slaScan(nd, nz int) {
	name := fmt.Sprintf("scan%dx%dAVX512", nd, nz)
	TEXT(name, NOSPLIT, "func(s []float32, lds int, k, q []float32, ldk int, v []float32, ldv int, a, y []float32, ld int, z []float32, n, nb, mode int, pf [][]float32)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s runs blocks b < nb of rows r = %d*b+i, i < %d: for t < n in turn, it adds", name, nd, nd),
		fmt.Sprintf("k[t*ldk+r]*v[t*ldv+c] to s[r*lds+c], c < %d, then sets u[c] = a[t*ld+c] (0 for b = 0", 16*nz),
		"if mode&1) + Σ_i q[t*ldk+r]*s[r*lds+c]; u goes to a[t*ld+c], or for b = nb-1 if mode&2,",
		"y[t*ld+c] += z[t]*u[c]. Block b prefetches up to n lines of pf[b] (if any) into L2.")
	// Between blocks: the block's first row of s, its first entry of k
	// and q, the blocks left and the prefetch parts left (the token loops
	// need 14 registers).
	frame := AllocLocal(48)
	fs, fk, fq, fb, fp, fpn := frame.Offset(0), frame.Offset(8), frame.Offset(16), frame.Offset(24), frame.Offset(32), frame.Offset(40)
	{
		s, k, q, p := ptr("s"), ptr("k"), ptr("q"), ptr("pf")
		MOVQ(s, fs)
		MOVQ(k, fk)
		MOVQ(q, fq)
		MOVQ(p, fp)
		for _, x := range []struct {
			p gotypes.Component
			m Mem
		}{{Param("nb"), fb}, {Param("pf").Len(), fpn}} {
			r := Load(x.p, GP64())
			MOVQ(r, x.m)
		}
	}
	pf, pfend, pfTmp := GP64(), GP64(), GP64()
	// The block's mode: bit 0 on the first block, bit 1 on the last.
	mode := Load(Param("mode"), GP64()).(GPVirtual)
	Label("block")
	CMPQ(fb, U8(0))
	JE(LabelRef("done"))
	s, lds := GP64(), byteStride("lds")
	MOVQ(fs, s)
	// The block's part of pf: [pf, pfend), or none (the empty range at
	// s: pfStep prefetches only valid addresses).
	MOVQ(s, pf)
	MOVQ(s, pfend)
	CMPQ(fpn, U8(0))
	JE(LabelRef("nopf"))
	MOVQ(fp, pfTmp)
	MOVQ(Mem{Base: pfTmp}, pf)
	MOVQ(Mem{Base: pfTmp, Disp: 8}, pfend)
	LEAQ(Mem{Base: pf, Index: pfend, Scale: 4}, pfend)
	ADDQ(U8(24), fp)
	DECQ(fpn)
	Label("nopf")
	s3 := row3(s, lds)
	st := loadTile(s, s3, lds, nd, nz)
	m := GP64()
	MOVQ(mode, m)
	CMPQ(fb, U8(1))
	JE(LabelRef("lastblk"))
	ANDQ(U8(1), m)
	Label("lastblk")
	k, q, vv, a, y, z := GP64(), GP64(), ptr("v"), ptr("a"), ptr("y"), ptr("z")
	MOVQ(fk, k)
	MOVQ(fq, q)
	ldk, ldv, ld := byteStride("ldk"), byteStride("ldv"), byteStride("ld")
	n := Load(Param("n"), GP64()).(GPVirtual)
	for md := range 4 {
		CMPQ(m, U8(md))
		JE(LabelRef(fmt.Sprintf("mode%d", md)))
	}
	for md := range 4 {
		first, last := md&1 != 0, md&2 != 0
		lbl := fmt.Sprintf("mode%d", md)
		Label(lbl)
		TESTQ(n, n)
		JZ(LabelRef("store"))
		pfStep(pf, pfend, pfTmp, 1)
		vr := make([]VecVirtual, nz)
		for c := range vr {
			vr[c] = ZMM()
			VMOVUPS(Mem{Base: vv, Disp: 64 * c}, vr[c])
		}
		for i := range nd {
			b := ZMM()
			VBROADCASTSS(Mem{Base: k, Disp: 4 * i}, b)
			for c := range nz {
				VFMADD231PS(vr[c], b, st[i][c])
			}
		}
		u := make([]VecVirtual, nz)
		for c := range u {
			u[c] = ZMM()
			if !first {
				VMOVUPS(Mem{Base: a, Disp: 64 * c}, u[c])
			}
		}
		for i := range nd {
			b := ZMM()
			VBROADCASTSS(Mem{Base: q, Disp: 4 * i}, b)
			for c := range nz {
				if first && i == 0 {
					VMULPS(st[i][c], b, u[c])
				} else {
					VFMADD231PS(st[i][c], b, u[c])
				}
			}
		}
		if last {
			zb := ZMM()
			VBROADCASTSS(Mem{Base: z}, zb)
			for c := range nz {
				t := ZMM()
				VMOVUPS(Mem{Base: y, Disp: 64 * c}, t)
				VFMADD231PS(u[c], zb, t)
				VMOVUPS(t, Mem{Base: y, Disp: 64 * c})
			}
			ADDQ(ld, y)
			ADDQ(U8(4), z)
		} else {
			for c := range nz {
				VMOVUPS(u[c], Mem{Base: a, Disp: 64 * c})
			}
		}
		if !first || !last {
			ADDQ(ld, a)
		}
		ADDQ(ldk, k)
		ADDQ(ldk, q)
		ADDQ(ldv, vv)
		DECQ(n)
		JMP(LabelRef(lbl))
	}
	// Store the block (its pointers again: fewer registers live in the
	// token loops) and move to the next.
	Label("store")
	s, lds = GP64(), byteStride("lds")
	MOVQ(fs, s)
	s3 = row3(s, lds)
	storeTile(st, s, s3, lds)
	if nd == 4 {
		LEAQ(Mem{Base: s3, Index: lds, Scale: 1}, s)
	} else {
		for range nd {
			ADDQ(lds, s)
		}
	}
	MOVQ(s, fs)
	ADDQ(U8(4*nd), fk)
	ADDQ(U8(4*nd), fq)
	DECQ(fb)
	ANDQ(U8(2), mode) // only the first block starts the numerators
	JMP(LabelRef("block"))
	Label("done")
	VZEROUPPER()
	RET()
}
