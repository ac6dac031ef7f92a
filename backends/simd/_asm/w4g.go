package main

import (
	"fmt"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemm_w4g micro-kernels (KERNELS.md 3.2), AVX2+FMA (AVX-512 runs the
// w4Tab tiles): up to four rows of X against n weight rows of 4-bit codes,
// unpacked in registers. Per 16 bytes of codes (32 weights): VPMOVZXBD,
// then the low nibbles (even k)
// and the high nibbles (odd k) as floats meet the even and odd values of
// X, which the driver lays out per 16-byte chunk of each group as
// [16 even][16 odd] floats (zero padded). The zero point is subtracted from
// the codes as integers, so a code equal to its zero point adds exactly 0
// (an all-zero group gives exactly the bias). Per weight row j:
//
//	acc_m = Σ_g S[j,g] * Σ_{k in g} X[m,k]*(q[j,k]-Z[j,g])  (vector FMAs, one scale FMA per group)
//	y[m*ldy+j] = hsum(acc_m) + bias[j]
const w4MaxRows = 4

// Each VPMOVZXBD widens 8 code bytes (two per chunk: lanes 0..7 and 8..15
// of the even and of the odd values); a partial chunk is read from a
// zero-padded 16-byte stack copy, so no kernel reads past qp (the padded X
// values are 0, so the padding codes add 0).
func w4g() {
	for rows := 1; rows <= w4MaxRows; rows++ {
		w4Rows(rows, 1)
	}
	for rows := 1; rows <= w4SplitRows; rows++ {
		w4Rows(rows, 4/rows)
	}
	w4Tables()
	for _, wide := range []bool{false, true} {
		for rows := 1; rows <= w4TabRows; rows++ {
			w4Tab(rows, w4TabW, wide)
		}
	}
	for _, rows := range []int{1, w4GemvRows} {
		for _, wide := range []bool{false, true} {
			w4Gemv(gemvForm{rows: rows, vpb: 2, wide: wide})
			w4Gemv(gemvForm{rows: rows, vpb: 2, shift: true, wide: wide})
		}
		w4Gemv(gemvForm{rows: rows, vpb: 4, shift: true})
		w4Gemv(gemvForm{rows: rows, vpb: 1})
		wqGemvByte(rows)
	}
}

// w4SplitRows: the row counts with a split form (w4Rows).
const w4SplitRows = 2

// w4Rows emits the kernel of rows rows of X; splits > 1 sums each output
// row's group in that many independent chains (w4RowsSplit*), else one.
// At one or two rows of X a chunk's four FMAs of a row wait on one
// another: latency, not throughput, bounds the pass where a group has
// several chunks (Zen 3, one thread, nbench ab, gemm_w4g M = 1 G = 128
// -22%, M = 2 -15%); with one chunk a group (G = 32) the chains of
// successive groups overlap anyway, and the split's zeroing and sums cost
// 9% there, so the driver takes it for groups of 32 code bytes or more.
func w4Rows(rows, splits int) {
	v := avx2
	name := fmt.Sprintf("w4Rows%d%s", rows, v.name)
	if splits > 1 {
		name = fmt.Sprintf("w4RowsSplit%d%s", rows, v.name)
	}
	TEXT(name, NOSPLIT, "func(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes %d output row(s) of a 4-bit group GEMM over n weight rows j:", name, rows),
		"y[m*ldy+j] = bias[j] + Σ_{g<ng} s[j*ng+g]*Σ_{i<2gb} X[m, g*2gb+i]*(q[j, g*2gb+i] - z[j*ng+g]),",
		"with q[j,2i] = qp[j*ng*gb+i]&15 and q[j,2i+1] = qp[j*ng*gb+i]>>4 (gb code bytes per group) and",
		"X[m] laid out in x[m*ldx:] per group and per 16-byte chunk as 16 even-k then 16 odd-k floats.")
	if splits > 1 {
		Doc(fmt.Sprintf("Split: each group's sum in %d chains, added at the group's end (another order).", splits))
	}
	q, sp, zp := ptr("qp"), ptr("s"), ptr("z")
	gb := Load(Param("gb"), GP64()).(GPVirtual)
	ng := Load(Param("ng"), GP64()).(GPVirtual)
	tbuf := AllocLocal(16)
	low := v.bcast(splat("nib", 15))
	j := GP64()
	XORQ(j, j)
	nParam, err := Param("n").Resolve()
	if err != nil {
		panic(err)
	}

	Label("row")
	CMPQ(j, nParam.Addr)
	JAE(LabelRef("done"))
	acc := make([]VecVirtual, rows)
	for m := range acc {
		acc[m] = v.vec()
		zero(acc[m])
	}
	xb := ptr("x")
	ldx := Load(Param("ldx"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldx)
	x3 := row3(xb, ldx)
	gi := GP64()
	XORQ(gi, gi)
	left := GP64()

	Label("group")
	CMPQ(gi, ng)
	JAE(LabelRef("store"))
	dot := make([]VecVirtual, rows*splits)
	for m := range dot {
		dot[m] = v.vec()
		zero(dot[m])
	}
	MOVQ(gb, left)
	zt := GP32()
	MOVBLZX(Mem{Base: zp, Index: gi, Scale: 1}, zt)
	zb := v.vec()
	VMOVD(zt, zb.AsX())
	VPBROADCASTD(zb.AsX(), zb)
	// half widens 8 code bytes at src into x lanes 8*h.. of the even and
	// odd values.
	half := func(src Mem, h int) {
		b, hi := YMM(), YMM()
		VPMOVZXBD(src, b)
		VPSRLD(U8(4), b, hi)
		VPAND(low, b, b)
		VPSUBD(zb, b, b)
		VPSUBD(zb, hi, hi)
		VCVTDQ2PS(b, b)
		VCVTDQ2PS(hi, hi)
		for m := 0; m < rows; m++ {
			d := dot[m*splits : (m+1)*splits]
			VFMADD231PS(rowMem(xb, x3, ldx, m, 32*h), b, d[(2*h)%splits])
			VFMADD231PS(rowMem(xb, x3, ldx, m, 64+32*h), hi, d[(2*h+1)%splits])
		}
	}
	chunk := func(tail bool) {
		src := Mem{Base: q}
		if tail {
			// Copy the left (< 16) code bytes to the zeroed stack buffer.
			t := XMM()
			VPXOR(t, t, t)
			VMOVDQU(t, tbuf)
			copyBytes(tbuf, q, left)
			src = tbuf
		}
		half(src, 0)
		half(src.Offset(8), 1)
	}
	Label("chunk")
	CMPQ(left, U8(16))
	JB(LabelRef("chunktail"))
	chunk(false)
	ADDQ(U8(16), q)
	ADDQ(U32(128), xb)
	ADDQ(U32(128), x3)
	SUBQ(U8(16), left)
	JMP(LabelRef("chunk"))
	Label("chunktail")
	TESTQ(left, left)
	JZ(LabelRef("scale"))
	chunk(true)
	ADDQ(left, q)
	ADDQ(U32(128), xb)
	ADDQ(U32(128), x3)
	Label("scale")
	sg := v.vec()
	VBROADCASTSS(Mem{Base: sp, Index: gi, Scale: 4}, sg)
	for m := range acc {
		d := dot[m*splits : (m+1)*splits]
		for w := len(d); w > 1; w /= 2 {
			for i := range w / 2 {
				VADDPS(d[i+w/2], d[i], d[i])
			}
		}
		VFMADD231PS(d[0], sg, acc[m])
	}
	INCQ(gi)
	JMP(LabelRef("group"))

	Label("store")
	y, bias := ptr("y"), ptr("bias")
	ldy := Load(Param("ldy"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldy)
	LEAQ(Mem{Base: y, Index: j, Scale: 4}, y)
	bv := XMM()
	VMOVSS(Mem{Base: bias, Index: j, Scale: 4}, bv)
	hreduceManyY(acc, vaddps)
	for m := range acc {
		VADDSS(bv, acc[m].AsX(), acc[m].AsX())
		VMOVSS(acc[m].AsX(), Mem{Base: y})
		if m+1 < len(acc) {
			ADDQ(ldy, y)
		}
	}
	LEAQ(Mem{Base: sp, Index: ng, Scale: 4}, sp)
	ADDQ(ng, zp)
	INCQ(j)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// The AVX-512 GEMM tile (w4Tab): w4TabRows rows of X per pass against
// w4TabW weight rows, so each load of X feeds w4TabW FMAs and each weight,
// dequantized once, feeds w4TabRows FMAs (24 accumulators). The weights
// come from 16-entry tables of (c - z)*s per weight row and group (exactly
// 0 at the zero point), which the driver builds once per block of weight
// rows (w4Tables) for all the passes over X: per 16 code bytes the
// unpacking is VPMOVZXBD, VPSRLD and two VPERMPS reading the table from
// L1, and the products add straight into one accumulator per output (no
// per-group dot products to scale). The four-row dot-product kernel ran at
// 0.58x (Zen 5). On the Xeon (one thread, M = 128-row blocks of 48 weight
// rows, K = 4096, G = 128, codes in L2, GFLOP/s of the tile alone): 6x3
// building its tables in registers per group 117 (67% of the FMA peak;
// the table waited on its chain of 4 dependent operations), 6x3 reading
// them from memory 128, 8x3 135; FMAs and X loads alone 139. Tiles of 8x2
// and 10x2 measured as 6x3, so the tables, not the shape, were the cost.
const (
	w4TabRows = 8
	w4TabW    = 3
)

// w4Tables emits w4TablesAVX512: the 16-entry dequantization tables of the
// tiles, tab[16i+c] = float32(c - z[i]) * s[i] (the same operations, so the
// same bits, as the GEMV's tables and w4TablesGo).
func w4Tables() {
	TEXT("w4TablesAVX512", NOSPLIT, "func(tab []float32, s []float32, z []byte)")
	Pragma("noescape")
	Doc("w4TablesAVX512 sets tab[16i+c] = float32(c - z[i]) * s[i] for i < len(s), c < 16; tab holds 16*len(s) elements.")
	tab, sp, zp := ptr("tab"), ptr("s"), ptr("z")
	n := Load(Param("s").Len(), GP64()).(GPVirtual)
	iota := ZMM()
	VMOVUPS(w4Iota(4), iota)
	Label("table")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	zt := GP32()
	MOVBLZX(Mem{Base: zp}, zt)
	zf := ZMM()
	VPBROADCASTD(zt, zf)
	VCVTDQ2PS(zf, zf)
	VSUBPS(zf, iota, zf)
	VMULPS_BCST(Mem{Base: sp}, zf, zf)
	VMOVUPS(zf, Mem{Base: tab})
	ADDQ(U8(64), tab)
	ADDQ(U8(4), sp)
	INCQ(zp)
	DECQ(n)
	JMP(LabelRef("table"))
	Label("done")
	VZEROUPPER()
	RET()
}

// w4Tab emits the tile of rows rows of X and wr (<= 3) weight rows per
// pass; the n%wr weight rows left run one a pass. The wide form (gb a
// multiple of 64) reads 64 code bytes per step as the wide GEMV does: a
// plain load and, per 16 weights, one VPERMPS (and a shift) instead of
// 1.5 shuffles (1.03-1.04x at G = 128).
func w4Tab(rows, wr int, wide bool) {
	w := ""
	if wide {
		w = "Wide"
	}
	name := fmt.Sprintf("w4Tab%s%dAVX512", w, rows)
	TEXT(name, NOSPLIT, "func(y []float32, ldy int, x []float32, ldx int, qp []byte, tab []float32, bias []float32, n, gb, ng int)")
	Pragma("noescape")
	if wide {
		Doc(fmt.Sprintf("%s is w4Tab%dAVX512 for gb a multiple of 64, X laid out as for w4GemvWide4AVX512.", name, rows))
	} else {
		Doc(fmt.Sprintf("%s computes %d output row(s) of a 4-bit group GEMM over n weight rows j:", name, rows),
			"y[m*ldy+j] = bias[j] + Σ_{g<ng} Σ_{i<2gb} X[m, g*2gb+i]*tab[16(j*ng+g) + q[j, g*2gb+i]],",
			"with the codes and the layout of X as in w4Rows1AVX2 and the tables of w4TablesAVX512.")
	}
	q, tp := ptr("qp"), ptr("tab")
	ng := Load(Param("ng"), GP64()).(GPVirtual)
	var tk OpmaskVirtual
	if !wide {
		tk = rowTailMask(avx512, Load(Param("gb"), GP64()).(GPVirtual))
	}
	tstr := GP64() // table bytes per weight row
	MOVQ(ng, tstr)
	SHLQ(U8(6), tstr)
	qs := GP64() // code bytes per weight row
	MOVQ(ng, qs)
	IMULQ(paramMem("gb"), qs)
	ldx := Load(Param("ldx"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldx)
	j := GP64()
	XORQ(j, j)
	ws := []int{wr}
	if wr > 1 {
		ws = append(ws, 1)
	}
	for _, w := range ws {
		p := fmt.Sprintf("w%d", w)
		Label(p + "row")
		t := GP64()
		MOVQ(paramMem("n"), t)
		SUBQ(j, t)
		CMPQ(t, U8(w))
		if w == 1 {
			JB(LabelRef("done"))
		} else {
			JB(LabelRef(fmt.Sprintf("w%drow", 1)))
		}
		acc := make([][]VecVirtual, rows)
		for m := range acc {
			acc[m] = make([]VecVirtual, w)
			for r := range acc[m] {
				acc[m][r] = ZMM()
				zero(acc[m][r])
			}
		}
		x0 := ptr("x")
		var x3, x6 GPVirtual
		xs := []GPVirtual{x0}
		if rows > 3 {
			x3 = row3(x0, ldx)
			xs = append(xs, x3)
		}
		if rows > 6 {
			x6 = row3(x3, ldx)
			xs = append(xs, x6)
		}
		gl := GP64() // groups left
		MOVQ(ng, gl)

		Label(p + "group")
		tab := make([]Mem, w) // this group's table of each weight row
		for r := range tab {
			tab[r] = rowMem(tp, nil, tstr, r, 0)
		}
		left := GP64()
		MOVQ(paramMem("gb"), left)
		// wideStep adds 64 code bytes per weight row: phase p (X at byte
		// 64p) meets code p of each dword.
		wideStep := func() {
			b := make([]VecVirtual, w)
			for r := range b {
				b[r] = ZMM()
				VMOVDQU32(rowMem(q, nil, qs, r, 0), b[r])
			}
			for ph := range 8 {
				wv := make([]VecVirtual, w)
				for r := range wv {
					wv[r] = ZMM()
					if ph == 0 {
						VPERMPS(tab[r], b[r], wv[r])
						continue
					}
					VPSRLD(U8(4*ph), b[r], wv[r])
					VPERMPS(tab[r], wv[r], wv[r])
				}
				for m := range rows {
					xm := rowMem3(x0, x3, x6, ldx, m).Offset(64 * ph)
					if w == 1 {
						VFMADD231PS(xm, wv[0], acc[m][0])
						continue
					}
					xv := ZMM()
					VMOVUPS(xm, xv)
					for r := range w {
						VFMADD231PS(xv, wv[r], acc[m][r])
					}
				}
			}
		}
		chunk := func(tail bool) {
			wv := make([][2]VecVirtual, w) // per weight row: the even-k and odd-k weights
			for r := range wv {
				b, h := ZMM(), ZMM()
				src := rowMem(q, nil, qs, r, 0)
				if tail {
					VPMOVZXBD_Z(src, tk, b)
				} else {
					VPMOVZXBD(src, b)
				}
				VPSRLD(U8(4), b, h)
				// Past the codes (tail): weight -z*s on X's zero padding.
				VPERMPS(tab[r], b, b)
				VPERMPS(tab[r], h, h)
				wv[r] = [2]VecVirtual{b, h}
			}
			for m := range rows {
				for half := range 2 {
					xm := rowMem3(x0, x3, x6, ldx, m).Offset(64 * half)
					if w == 1 {
						VFMADD231PS(xm, wv[0][half], acc[m][0])
						continue
					}
					xv := ZMM()
					VMOVUPS(xm, xv)
					for r := range w {
						VFMADD231PS(xv, wv[r][half], acc[m][r])
					}
				}
			}
		}
		advanceX := func(by int) {
			for _, xp := range xs {
				ADDQ(U32(by), xp)
			}
		}
		if wide {
			Label(p + "step")
			wideStep()
			ADDQ(U8(64), q)
			advanceX(512)
			SUBQ(U8(64), left)
			JNZ(LabelRef(p + "step"))
		} else {
			Label(p + "chunk")
			CMPQ(left, U8(16))
			JB(LabelRef(p + "chunktail"))
			chunk(false)
			ADDQ(U8(16), q)
			advanceX(128)
			SUBQ(U8(16), left)
			JMP(LabelRef(p + "chunk"))
			Label(p + "chunktail")
			TESTQ(left, left)
			JZ(LabelRef(p + "groupend"))
			chunk(true)
			ADDQ(left, q)
			advanceX(128)
		}
		Label(p + "groupend")
		ADDQ(U8(64), tp)
		DECQ(gl)
		JNZ(LabelRef(p + "group"))

		// q and tab are one weight row on; w-1 to go.
		for r := 1; r < w; r++ {
			ADDQ(qs, q)
			ADDQ(tstr, tp)
		}
		y, bias := ptr("y"), ptr("bias")
		ldy := Load(Param("ldy"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldy)
		LEAQ(Mem{Base: y, Index: j, Scale: 4}, y)
		LEAQ(Mem{Base: bias, Index: j, Scale: 4}, bias)
		for r := range w {
			col := make([]VecVirtual, rows)
			for m := range col {
				col[m] = acc[m][r]
			}
			hreduceMany(col, vaddps)
			bv := XMM()
			VMOVSS(Mem{Base: bias, Disp: 4 * r}, bv)
			ym := GP64()
			MOVQ(y, ym)
			for m := range col {
				VADDSS(bv, col[m].AsX(), col[m].AsX())
				VMOVSS(col[m].AsX(), Mem{Base: ym, Disp: 4 * r})
				if m+1 < rows {
					ADDQ(ldy, ym)
				}
			}
		}
		ADDQ(U8(w), j)
		JMP(LabelRef(p + "row"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// w4GemvRows is the number of weight rows w4Gemv4AVX512 reads per pass.
const w4GemvRows = 4

// gemvForm is one GEMV kernel: rows weight rows per pass, vpb codes per
// byte (1: bytes, 2: nibbles, 4: 2-bit fields, lowest first), and the dequantization:
// (c - z)*s with uint8 zero points z (gemm_w4g), or c*s - shift with float
// shifts (layerwise_wq's Quanto formats).
//
// The wide form (4-bit codes, gb a multiple of 64) reads 64 code bytes per
// step as 16 dwords of 8 codes each, with plain loads instead of VPMOVZXBD
// (1.18x in cache at G = 128): X laid out per 64-byte chunk as 8 phases of
// 16 floats, phase p holding code p of each dword (wqLayout with 8 codes
// per 4-byte unit).
type gemvForm struct {
	rows, vpb   int
	shift, wide bool
}

func (f gemvForm) name() string {
	w := ""
	if f.wide {
		w = "Wide"
	}
	if f.vpb == 1 {
		return fmt.Sprintf("wqGemv3%sR%dAVX512", w, f.rows)
	}
	if !f.shift {
		return fmt.Sprintf("w4Gemv%s%dAVX512", w, f.rows)
	}
	return fmt.Sprintf("wqGemv%d%sR%dAVX512", 8/f.vpb, w, f.rows)
}

// chunk is the code bytes per step; phases the codes per lane.
func (f gemvForm) chunk() int {
	if f.wide {
		return 64
	}
	return 16
}

func (f gemvForm) phases() int {
	if f.wide {
		return 4 * f.vpb
	}
	return f.vpb
}

// w4Iota is the floats i mod 2^bits for i = 0..15 (bits 4 or 2).
func w4Iota(bits int) Mem {
	var iota [16]uint32
	for i := range iota {
		iota[i] = math.Float32bits(float32(i % (1 << bits)))
	}
	return table(fmt.Sprintf("w4iota%d", bits), iota[:]...)
}

// w2IotaHi is the floats i>>2 for i = 0..15: the index of a second 2-bit
// table that reads the field above the lowest.
func w2IotaHi() Mem {
	var iota [16]uint32
	for i := range iota {
		iota[i] = math.Float32bits(float32(i >> 2))
	}
	return table("w2iotahi", iota[:]...)
}

// passPointers returns, for passes of rows weight rows of qs code bytes
// each from q, q3 (row 3, for rowMem) and pn (row 0 two passes on, for the
// prefetch); both are left unset below four rows.
func passPointers(q, qs GPVirtual, rows int) (q3, pn GPVirtual) {
	q3, pn = GP64(), GP64()
	if rows > 3 {
		LEAQ(Mem{Base: q, Index: qs, Scale: 2}, q3)
		ADDQ(qs, q3)
		LEAQ(Mem{Base: q3, Index: qs, Scale: 1}, pn)
		LEAQ(Mem{Base: pn, Index: qs, Scale: 4}, pn)
	}
	return q3, pn
}

// w4Gemv emits a GEMV (one row of X) kernel of 4- or 2-bit codes, or of
// one code a byte (layerwise_wq's 3 bits; VPERMPS reads the low 4 bits, as
// the go backend reads such codes): rows
// weight rows per pass share the loads of X and give independent FMA
// chains. Per weight row and group, a 16-entry table holds the dequantized
// weights of the codes (for 2 bits repeated, as VPERMPS reads only the low
// 4 bits of each index lane: the fields above the wanted one do not
// matter), so per 16 code bytes the unpacking is VPMOVZXBD, a shift per
// code after the first and one VPERMPS per code (no mask, no conversion,
// no per-group dot products to scale). With zero points the table is
// (c - z)*s, exactly 0 at the zero point.
func w4Gemv(f gemvForm) {
	rows, name := f.rows, f.name()
	zname, ztype := "z", "[]byte"
	if f.shift {
		zname, ztype = "sh", "[]float32"
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(y []float32, x []float32, qp []byte, s []float32, %s %s, bias []float32, n, gb, ng int)", zname, ztype))
	Pragma("noescape")
	if f.wide {
		Doc(fmt.Sprintf("%s is %s for gb a multiple of 64, X laid out per 64-byte chunk of codes as %d phases of", name,
			gemvForm{rows: f.rows, vpb: f.vpb, shift: f.shift}.name(), f.phases()),
			fmt.Sprintf("16 floats: x'[p*16+i] = X[%di+p] (code p of each dword).", f.phases()))
	} else if f.vpb == 1 {
		Doc(fmt.Sprintf("%s computes y[j] = bias[j] + Σ_{g<ng} Σ_{i<gb} X[g*gb+i]*float32((q[j, g*gb+i] - z[j*ng+g])*s[j*ng+g])", name),
			fmt.Sprintf("for j < n (a multiple of %d), with one code below 16 per byte (layerwise_wq's 3 bits) and X laid out", rows),
			"as wqDots3AVX512 reads it.")
	} else if f.shift {
		Doc(fmt.Sprintf("%s computes y[j] = bias[j] + Σ_{g<ng} Σ_i X[g*%dgb+i]*float32(q[j, g*%dgb+i]*s[j*ng+g] - sh[j*ng+g])", name, f.vpb, f.vpb),
			fmt.Sprintf("for j < n (a multiple of %d), with %d-bit codes (gb bytes per group, lowest field first) and X laid", rows, 8/f.vpb),
			fmt.Sprintf("out as wqDots%dAVX512 reads it.", 8/f.vpb))
	} else {
		Doc(fmt.Sprintf("%s computes y[j] = bias[j] + Σ_{g<ng} Σ_{i<2gb} X[g*2gb+i]*float32((q[j, g*2gb+i] - z[j*ng+g])*s[j*ng+g])", name),
			fmt.Sprintf("for j < n (a multiple of %d), with the codes and the layout of X as in w4Rows1AVX2 (ldx = ng*ceil(gb/16)*32).", rows))
	}
	q, sp, zp := ptr("qp"), ptr("s"), ptr(zname)
	zsz := uint8(1) // bytes per zero point or shift
	if f.shift {
		zsz = 4
	}
	bits := 8 / f.vpb
	ng := Load(Param("ng"), GP64()).(GPVirtual)
	gbm := paramMem("gb")
	var tk OpmaskVirtual
	if !f.wide {
		tk = rowTailMask(avx512, Load(Param("gb"), GP64()).(GPVirtual))
	}
	iota := ZMM()
	VMOVUPS(w4Iota(min(bits, 4)), iota) // one code a byte (3 bits): 0..15 as for 4 bits
	// 2-bit codes from bytes: a second table per row reads field 1 from
	// index bits 2-3, so fields 0 and 1 of a byte need no shift and fields
	// 2 and 3 one shift together (10 vector operations per 16 code bytes
	// instead of 12: the 2-bit GEMV is bound by their count, not by DRAM).
	pair := f.vpb == 4 && !f.wide
	var iotaHi VecVirtual
	if pair {
		iotaHi = ZMM()
		VMOVUPS(w2IotaHi(), iotaHi)
	}
	// Per row: the zero points (as floats) or shifts and the scales of 16 groups.
	buf := AllocLocal(128 * rows)
	qs := GP64() // code bytes per weight row
	MOVQ(ng, qs)
	IMULQ(gbm, qs)
	j := GP64()
	XORQ(j, j)

	Label("row")
	CMPQ(j, paramMem("n"))
	JAE(LabelRef("done"))
	acc := make([]VecVirtual, 2*rows)
	for i := range acc {
		acc[i] = ZMM()
		zero(acc[i])
	}
	xp := ptr("x")
	q3, pn := passPointers(q, qs, rows)
	gl := GP64() // groups left in this pass
	MOVQ(ng, gl)

	Label("block")
	cnt := GP64()
	MOVQ(gl, cnt)
	CMPQ(cnt, U8(16))
	JBE(LabelRef("blockmask"))
	MOVQ(U32(16), cnt)
	Label("blockmask")
	km := kFirst(16, cnt, kOpt{})
	// Prefetch the next pass's zero points and scales of this block: the
	// tables of a block wait for them, and a block's work is too long for
	// out-of-order execution to reach them early (3.5x slower from DRAM at
	// G = 32 without).
	{
		pz, ps := GP64(), GP64()
		if f.shift {
			LEAQ(Mem{Base: zp, Index: ng, Scale: uint8(4 * rows / 2)}, pz)
			LEAQ(Mem{Base: pz, Index: ng, Scale: uint8(4 * rows / 2)}, pz)
		} else {
			LEAQ(Mem{Base: zp, Index: ng, Scale: uint8(rows)}, pz)
		}
		LEAQ(Mem{Base: sp, Index: ng, Scale: uint8(4 * rows / 2)}, ps)
		LEAQ(Mem{Base: ps, Index: ng, Scale: uint8(4 * rows / 2)}, ps)
		for r := 0; r < rows; r++ {
			PREFETCHT0(Mem{Base: pz})
			PREFETCHT0(Mem{Base: ps})
			if r+1 < rows {
				LEAQ(Mem{Base: pz, Index: ng, Scale: zsz}, pz)
				LEAQ(Mem{Base: ps, Index: ng, Scale: 4}, ps)
			}
		}
	}
	for r := 0; r < rows; r++ {
		zr, sr := Mem{Base: zp}, Mem{Base: sp}
		switch r {
		case 1, 2:
			zr, sr = Mem{Base: zp, Index: ng, Scale: uint8(r) * zsz}, Mem{Base: sp, Index: ng, Scale: uint8(4 * r)}
		case 3:
			t := GP64()
			LEAQ(Mem{Base: zp, Index: ng, Scale: 2 * zsz}, t)
			zr = Mem{Base: t, Index: ng, Scale: zsz}
			u := GP64()
			LEAQ(Mem{Base: sp, Index: ng, Scale: 8}, u)
			sr = Mem{Base: u, Index: ng, Scale: 4}
		}
		zf, sf := ZMM(), ZMM()
		if f.shift {
			VMOVUPS_Z(zr, km, zf)
		} else {
			VPMOVZXBD_Z(zr, km, zf)
			VCVTDQ2PS(zf, zf)
		}
		VMOVUPS(zf, buf.Offset(128*r))
		VMOVUPS_Z(sr, km, sf)
		VMOVUPS(sf, buf.Offset(128*r+64))
	}
	e := GP64()
	XORQ(e, e)

	Label("group")
	mkTab := func(r int, iota VecVirtual) VecVirtual {
		t := ZMM()
		if f.shift {
			VBROADCASTSS(buf.Offset(128*r).Idx(e, 4), t)
			VFMSUB231PS_BCST(buf.Offset(128*r+64).Idx(e, 4), iota, t)
		} else {
			VSUBPS_BCST(buf.Offset(128*r).Idx(e, 4), iota, t)
			VMULPS_BCST(buf.Offset(128*r+64).Idx(e, 4), t, t)
		}
		return t
	}
	tab, tabHi := make([]VecVirtual, rows), make([]VecVirtual, rows)
	for r := range tab {
		tab[r] = mkTab(r, iota)
		if pair {
			tabHi[r] = mkTab(r, iotaHi) // the same arithmetic: the same weights
		}
	}
	left := GP64()
	MOVQ(gbm, left)
	chunk := func(tail bool) {
		xv := make([]VecVirtual, f.phases()) // the phases of X: code p of each byte (dword)
		for p := range xv {
			xv[p] = ZMM()
			VMOVUPS(Mem{Base: xp, Disp: 64 * p}, xv[p])
		}
		for r := 0; r < rows; r++ {
			b := ZMM()
			src := rowMem(q, q3, qs, r, 0)
			if rows > 3 {
				if r < 3 {
					PREFETCHT0(rowMem(pn, pn, qs, r, 0))
				} else {
					t := GP64()
					LEAQ(Mem{Base: pn, Index: qs, Scale: 2}, t)
					PREFETCHT0(Mem{Base: t, Index: qs, Scale: 1})
				}
			}
			switch {
			case f.wide:
				VMOVDQU32(src, b)
			case tail:
				VPMOVZXBD_Z(src, tk, b)
			default:
				VPMOVZXBD(src, b)
			}
			var hi VecVirtual // pair: the byte's fields 2 and 3 as fields 0 and 1
			for p := range xv {
				w := ZMM()
				switch {
				case pair && p >= 2:
					if p == 2 {
						hi = ZMM()
						VPSRLD(U8(4), b, hi)
					}
					VPERMPS([]VecVirtual{tab[r], tabHi[r]}[p-2], hi, w)
				case pair:
					VPERMPS([]VecVirtual{tab[r], tabHi[r]}[p], b, w)
				case p == 0:
					VPERMPS(tab[r], b, w)
				default:
					VPSRLD(U8(bits*p), b, w)
					VPERMPS(tab[r], w, w)
				}
				VFMADD231PS(xv[p], w, acc[2*r+p%2])
			}
		}
		ADDQ(U32(64*f.phases()), xp)
	}
	// The 4-row pass prefetches row r+8 at the offset it reads in row r
	// (two passes ahead): the hardware prefetchers alone follow the pass's
	// 4 streams poorly (without, 0.8x the one-row kernel from DRAM at
	// K = 4096, G = 128; one pass ahead 1.4-1.6x, the next pass as one
	// sequential stream less; with the wide form two passes ahead gave 1.1x
	// over one, three the same as two).
	advance := func(by Op) {
		ADDQ(by, q)
		if rows > 3 {
			ADDQ(by, q3)
			ADDQ(by, pn)
		}
	}
	cb := f.chunk()
	Label("chunk")
	CMPQ(left, U8(cb))
	JB(LabelRef("chunktail"))
	chunk(false)
	advance(U8(cb))
	SUBQ(U8(cb), left)
	JMP(LabelRef("chunk"))
	Label("chunktail")
	if !f.wide {
		TESTQ(left, left)
		JZ(LabelRef("groupend"))
		chunk(true)
		advance(left)
	}
	Label("groupend")
	INCQ(e)
	CMPQ(e, cnt)
	JB(LabelRef("group"))
	LEAQ(Mem{Base: zp, Index: cnt, Scale: zsz}, zp)
	LEAQ(Mem{Base: sp, Index: cnt, Scale: 4}, sp)
	SUBQ(cnt, gl)
	JNZ(LabelRef("block"))

	y, bias := ptr("y"), ptr("bias")
	sum := make([]VecVirtual, rows)
	for r := range sum {
		sum[r] = acc[2*r]
		VADDPS(acc[2*r+1], sum[r], sum[r])
	}
	hreduceMany(sum, vaddps)
	for r := range sum {
		VADDSS(Mem{Base: bias, Index: j, Scale: 4, Disp: 4 * r}, sum[r].AsX(), sum[r].AsX())
		VMOVSS(sum[r].AsX(), Mem{Base: y, Index: j, Scale: 4, Disp: 4 * r})
	}
	// Next pass: q is one row on (rows-1 to go); z and s likewise.
	if rows > 1 {
		if rows > 3 {
			MOVQ(q3, q)
		} else {
			for r := 1; r < rows; r++ {
				ADDQ(qs, q)
			}
		}
		for r := 1; r < rows; r++ {
			LEAQ(Mem{Base: zp, Index: ng, Scale: zsz}, zp)
			LEAQ(Mem{Base: sp, Index: ng, Scale: 4}, sp)
		}
	}
	ADDQ(U8(rows), j)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}

// wqGemvByte emits layerwise_wq's GEMV over 8-bit codes (signed bytes, one
// scale per row: G = K), whose 256 values a VPERMPS table cannot hold (the
// 3-bit layers run w4Gemv's one-code-a-byte form): rows weight rows per pass
// share the loads of X, the codes widened with VPMOVSXBD and converted, summed
// into two per-group dot products per row (alternate 16-byte chunks:
// independent FMA chains), then tot = fma(dot, s_g, tot): one horizontal sum
// per row, not per group as wqDots. The 4-row pass prefetches two passes
// ahead as w4Gemv (1.6x from DRAM at K = 4096; one or three passes ahead,
// into L2 only, or the codes repacked as one stream per pass measured the
// same).
func wqGemvByte(rows int) {
	name := fmt.Sprintf("wqGemv8R%dAVX512", rows)
	TEXT(name, NOSPLIT, "func(y []float32, x []float32, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes y[j] = bias[j] + Σ_{g<ng} s[j*ng+g]*Σ_{i<gb} X[g*gb+i]*q[j, g*gb+i]", name),
		fmt.Sprintf("for j < n (a multiple of %d), ng >= 1, with signed byte codes (gb per group; z is unused) and X", rows),
		"laid out as wqDots8AVX512 reads it.")
	q, sp := ptr("qp"), ptr("s")
	ng := Load(Param("ng"), GP64()).(GPVirtual)
	gbm := paramMem("gb")
	tk := rowTailMask(avx512, Load(Param("gb"), GP64()).(GPVirtual))
	qs := GP64() // code bytes per weight row
	MOVQ(ng, qs)
	IMULQ(gbm, qs)
	j := GP64()
	XORQ(j, j)

	Label("row")
	CMPQ(j, paramMem("n"))
	JAE(LabelRef("done"))
	acc := make([]VecVirtual, rows)
	for r := range acc {
		acc[r] = ZMM()
		zero(acc[r])
	}
	xp := ptr("x")
	q3, pn := passPointers(q, qs, rows)
	gl := GP64() // groups left in this pass
	MOVQ(ng, gl)

	Label("group")
	dot := make([][2]VecVirtual, rows)
	for r := range dot {
		for c := range dot[r] {
			dot[r][c] = ZMM()
			zero(dot[r][c])
		}
	}
	left := GP64()
	MOVQ(gbm, left)
	// chunk adds 16 codes per row at byte offset off to dot[r][c].
	chunk := func(off, c int, tail bool) {
		xv := ZMM()
		VMOVUPS(Mem{Base: xp, Disp: 4 * off}, xv)
		for r := 0; r < rows; r++ {
			b := ZMM()
			src := rowMem(q, q3, qs, r, off)
			if tail {
				VPMOVSXBD_Z(src, tk, b)
			} else {
				VPMOVSXBD(src, b)
			}
			VCVTDQ2PS(b, b)
			VFMADD231PS(xv, b, dot[r][c])
		}
	}
	// prefetch fetches row r+8 at the offset row r reads (4-row pass).
	prefetch := func() {
		if rows <= 3 {
			return
		}
		for r := 0; r < rows; r++ {
			if r < 3 {
				PREFETCHT0(rowMem(pn, pn, qs, r, 0))
			} else {
				t := GP64()
				LEAQ(Mem{Base: pn, Index: qs, Scale: 2}, t)
				PREFETCHT0(Mem{Base: t, Index: qs, Scale: 1})
			}
		}
	}
	advance := func(by, xby Op) {
		ADDQ(by, q)
		if rows > 3 {
			ADDQ(by, q3)
			ADDQ(by, pn)
		}
		ADDQ(xby, xp)
	}
	Label("line")
	CMPQ(left, U8(64))
	JB(LabelRef("chunk"))
	prefetch()
	for c := 0; c < 4; c++ {
		chunk(16*c, c%2, false)
	}
	advance(U8(64), U32(256))
	SUBQ(U8(64), left)
	JMP(LabelRef("line"))
	Label("chunk")
	CMPQ(left, U8(16))
	JB(LabelRef("chunktail"))
	chunk(0, 0, false)
	advance(U8(16), U8(64))
	SUBQ(U8(16), left)
	JMP(LabelRef("chunk"))
	Label("chunktail")
	TESTQ(left, left)
	JZ(LabelRef("groupend"))
	chunk(0, 0, true)
	advance(left, U8(64)) // X is zero padded to whole chunks
	Label("groupend")
	for r := 0; r < rows; r++ {
		sr := Mem{Base: sp}
		switch r {
		case 1, 2:
			sr = Mem{Base: sp, Index: ng, Scale: uint8(4 * r)}
		case 3:
			t := GP64()
			LEAQ(Mem{Base: sp, Index: ng, Scale: 8}, t)
			sr = Mem{Base: t, Index: ng, Scale: 4}
		}
		VADDPS(dot[r][1], dot[r][0], dot[r][0])
		VFMADD231PS_BCST(sr, dot[r][0], acc[r])
	}
	ADDQ(U8(4), sp)
	DECQ(gl)
	JNZ(LabelRef("group"))

	y, bias := ptr("y"), ptr("bias")
	hreduceMany(acc, vaddps)
	for r := range acc {
		VADDSS(Mem{Base: bias, Index: j, Scale: 4, Disp: 4 * r}, acc[r].AsX(), acc[r].AsX())
		VMOVSS(acc[r].AsX(), Mem{Base: y, Index: j, Scale: 4, Disp: 4 * r})
	}
	// Next pass: q and s are one row on (rows-1 to go).
	for r := 1; r < rows; r++ {
		if rows <= 3 {
			ADDQ(qs, q)
		}
		LEAQ(Mem{Base: sp, Index: ng, Scale: 4}, sp)
	}
	if rows > 3 {
		MOVQ(q3, q)
	}
	ADDQ(U8(rows), j)
	JMP(LabelRef("row"))
	Label("done")
	VZEROUPPER()
	RET()
}
