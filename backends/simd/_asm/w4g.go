package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemm_w4g micro-kernels (KERNELS.md 3.2), AVX-512: up to four rows of X
// against n weight rows of 4-bit codes, unpacked in registers. Per 16
// bytes of codes (32 weights): VPMOVZXBD, then the low nibbles (even k)
// and the high nibbles (odd k) as floats meet the even and odd values of
// X, which the driver lays out per 16-byte chunk of each group as
// [16 even][16 odd] floats (zero padded). The zero point is subtracted from
// the codes as integers, so a code equal to its zero point adds exactly 0
// (an all-zero group gives exactly the bias). Per weight row j:
//
//	acc_m = Σ_g S[j,g] * Σ_{k in g} X[m,k]*(q[j,k]-Z[j,g])  (vector FMAs, one scale FMA per group)
//	y[m*ldy+j] = hsum(acc_m) + bias[j]
const w4MaxRows = 4

// The AVX2+FMA variant widens 8 code bytes per VPMOVZXBD (two per chunk:
// lanes 0..7 and 8..15 of the even and of the odd values) and reads a
// partial chunk from a zero-padded 16-byte stack copy, so it never reads
// past qp (the padded X values are 0, so the padding codes add 0).
func w4g() {
	for _, v := range variants {
		for rows := 1; rows <= w4MaxRows; rows++ {
			w4Rows(v, rows)
		}
	}
}

func w4Rows(v variant, rows int) {
	name := fmt.Sprintf("w4Rows%d%s", rows, v.name)
	TEXT(name, NOSPLIT, "func(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s computes %d output row(s) of a 4-bit group GEMM over n weight rows j:", name, rows),
		"y[m*ldy+j] = bias[j] + Σ_{g<ng} s[j*ng+g]*Σ_{i<2gb} X[m, g*2gb+i]*(q[j, g*2gb+i] - z[j*ng+g]),",
		"with q[j,2i] = qp[j*ng*gb+i]&15 and q[j,2i+1] = qp[j*ng*gb+i]>>4 (gb code bytes per group) and",
		"X[m] laid out in x[m*ldx:] per group and per 16-byte chunk as 16 even-k then 16 odd-k floats.")
	q, sp, zp := ptr("qp"), ptr("s"), ptr("z")
	gb := Load(Param("gb"), GP64()).(GPVirtual)
	ng := Load(Param("ng"), GP64()).(GPVirtual)
	mask := func(count GPVirtual) OpmaskVirtual {
		t, ones := GP64(), GP64()
		MOVQ(count, t)
		ANDQ(U8(15), t)
		MOVQ(I32(-1), ones)
		BZHIQ(t, ones, ones)
		k := K()
		KMOVW(ones.As32(), k)
		return k
	}
	var tmask OpmaskVirtual
	var tbuf Mem
	if v.z {
		tmask = mask(gb)
	} else {
		tbuf = AllocLocal(16)
	}
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
	x3 := GP64()
	LEAQ(Mem{Base: xb, Index: ldx, Scale: 2}, x3)
	ADDQ(ldx, x3)
	gi := GP64()
	XORQ(gi, gi)
	left := GP64()

	Label("group")
	CMPQ(gi, ng)
	JAE(LabelRef("store"))
	dot := make([]VecVirtual, rows)
	for m := range dot {
		dot[m] = v.vec()
		zero(dot[m])
	}
	MOVQ(gb, left)
	zt := GP32()
	MOVBLZX(Mem{Base: zp, Index: gi, Scale: 1}, zt)
	zb := v.vec()
	if v.z {
		VPBROADCASTD(zt, zb)
	} else {
		VMOVD(zt, zb.AsX())
		VPBROADCASTD(zb.AsX(), zb)
	}
	// half widens 8 code bytes at src into x lanes 8*h.. of the even and
	// odd values (AVX2).
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
			VFMADD231PS(rowMem(xb, x3, ldx, m, 32*h), b, dot[m])
			VFMADD231PS(rowMem(xb, x3, ldx, m, 64+32*h), hi, dot[m])
		}
	}
	chunk := func(tail bool) {
		if !v.z {
			src := Mem{Base: q}
			if tail {
				// Copy the left (< 16) code bytes to the zeroed stack buffer.
				t := XMM()
				VPXOR(t, t, t)
				VMOVDQU(t, tbuf)
				i, c := GP64(), GP32()
				XORQ(i, i)
				Label("copy")
				MOVBLZX(Mem{Base: q, Index: i, Scale: 1}, c)
				MOVB(c.As8(), tbuf.Idx(i, 1))
				INCQ(i)
				CMPQ(i, left)
				JB(LabelRef("copy"))
				src = tbuf
			}
			half(src, 0)
			half(src.Offset(8), 1)
			return
		}
		b := ZMM()
		if tail {
			VPMOVZXBD_Z(Mem{Base: q}, tmask, b)
		} else {
			VPMOVZXBD(Mem{Base: q}, b)
		}
		lo, hi := ZMM(), ZMM()
		VPANDD(low, b, lo)
		VPSRLD(U8(4), b, hi)
		VPSUBD(zb, lo, lo)
		VPSUBD(zb, hi, hi)
		VCVTDQ2PS(lo, lo)
		VCVTDQ2PS(hi, hi)
		for m := 0; m < rows; m++ {
			VFMADD231PS(rowMem(xb, x3, ldx, m, 0), lo, dot[m])
			VFMADD231PS(rowMem(xb, x3, ldx, m, 64), hi, dot[m])
		}
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
	for m := range dot {
		VFMADD231PS(dot[m], sg, acc[m])
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
	if v.z {
		hreduceMany(acc, vaddps)
	} else {
		hreduceManyY(acc, vaddps)
	}
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
