package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/ir"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// int8 GEMM micro-kernels (gemm_w8a8, KERNELS.md 3.1). A tile is `rows`
// rows of X (1..6) by one panel of nb output columns, over the whole K; the
// accumulators stay in registers and the epilogue dequantizes:
//
//	a = dot - 128*cs[c] (VNNI forms only); acc[i*lda+c] = a (if acc is not nil)
//	y[i*ldy+c] = f32(a) * f32(sx[i]*sw[c]) + bias[c]  (one FMA)
//
// VNNI (VPDPBUSD, u8 x s8, 4-way, non-saturating): x holds Xq+128 as u8
// rows of 4*ksteps bytes (the padding is 128), w the panel as [ksteps][nb][4]
// s8, cs[c] = Σ_k Wq[c,k], which the -128*cs term cancels. The AVX2 form
// multiplies int16: x holds Xq sign-extended to int16 (2*ksteps values per
// row), w the panel as [ksteps][nb][2] int16, and VPMADDWD adds each pair
// into int32 (exact: 2*127*127 fits), so no compensation is needed.

const w8MaxRows = 6

func gemmI8() {
	for rows := 1; rows <= w8MaxRows; rows++ {
		w8Tile(w8VNNI512, rows)
		w8Tile(w8VNNI256, rows)
		w8Tile(w8AVX2, rows)
	}
	for _, v := range variants {
		flipSign(v)
	}
}

// flipSign turns int8 codes into the VNNI tiles' u8 (Xq+128: the sign bit
// of each byte flipped), four bytes a lane; the Go caller does the last
// len%4 bytes. In Go it took 2% of the fused M=128 GEMM.
func flipSign(v variant) {
	fn(v, "flipSign", "func(dst, src []uint32)",
		fmt.Sprintf("flipSign%s sets dst[i] = src[i] ^ 0x80808080 for i < len(src).", v.name))
	d, s := ptr("dst"), ptr("src")
	n := Load(Param("src").Len(), GP64()).(GPVirtual)
	m := v.bcast(splat("signbytes", 0x80808080))
	loop(v, n, []GPVirtual{s, d}, []GPVirtual{d}, 4, func(l lane, i int) {
		t := l.load(Mem{Base: s, Disp: i * v.bytes()})
		VXORPS(m, t, t)
		l.store(t, Mem{Base: d, Disp: i * v.bytes()})
	})
	VZEROUPPER()
	RET()
}

type w8Kind int

const (
	w8VNNI512 w8Kind = iota // AVX-512 VNNI, 4 zmm = 64 columns
	w8VNNI256               // AVX-VNNI (VEX, emitted as bytes), 2 ymm = 16 columns
	w8AVX2                  // VPMADDWD on int16, 2 ymm = 16 columns
)

func (k w8Kind) name() string { return [...]string{"VNNI512", "VNNI256", "AVX2"}[k] }
func (k w8Kind) z() bool      { return k == w8VNNI512 }
func (k w8Kind) nz() int {
	if k.z() {
		return 4
	}
	return 2
}
func (k w8Kind) lanes() int {
	if k.z() {
		return 16
	}
	return 8
}

// stepBytes is the panel bytes per k-step (one zmm/ymm per register column).
func (k w8Kind) stepBytes() int { return k.nz() * k.lanes() * 4 }

func w8Tile(kind w8Kind, rows int) {
	name := fmt.Sprintf("w8Tile%d%s", rows, kind.name())
	TEXT(name, NOSPLIT, "func(x []byte, ldx int, w []byte, ksteps int, cs []int32, sw, sx, bias, y []float32, ldy int, acc []int32, lda int, pf []byte)")
	Pragma("noescape")
	cols := kind.nz() * kind.lanes()
	switch kind {
	case w8VNNI512:
		Doc(fmt.Sprintf("%s: a %dx%d int8 GEMM tile with VPDPBUSD (AVX-512 VNNI); see gemm_w8a8.go for the layout.", name, rows, cols),
			"In Go: a := Σ_{k<4*ksteps} int32(x[i*ldx+k])*int32(int8(w[(k/4)*4*nb+4*c+k%4])) - 128*cs[c], then the epilogue.")
	case w8VNNI256:
		Doc(fmt.Sprintf("%s: a %dx%d int8 GEMM tile with the VEX form of VPDPBUSD (AVX-VNNI, written as bytes).", name, rows, cols),
			"Same meaning as w8Tile1VNNI512 with nb = 16.")
	default:
		Doc(fmt.Sprintf("%s: a %dx%d int8 GEMM tile with VPMADDWD on sign-extended int16 (AVX2).", name, rows, cols),
			"In Go: a := Σ_{k<2*ksteps} int32(x16[i][k])*int32(w16[(k/2)*2*nb+2*c+k%2]) (x, w as little-endian int16), then the epilogue.")
	}
	x, w := ptr("x"), ptr("w")
	ldx := Load(Param("ldx"), GP64()).(GPVirtual)
	ks := Load(Param("ksteps"), GP64())
	x3 := row3(x, ldx)

	nz := kind.nz()
	// Registers: physical for the VEX VNNI form, whose bytes name them.
	var acc [][]Register
	var wr []Register
	var bc Register
	var tmp Register
	if kind == w8VNNI256 {
		n := 0
		acc = make([][]Register, rows)
		for i := range acc {
			acc[i] = make([]Register, nz)
			for c := range acc[i] {
				acc[i][c] = physY(n)
				n++
			}
		}
		wr = []Register{physY(12), physY(13)}
		bc = physY(14)
		tmp = physY(15)
	} else {
		acc = make([][]Register, rows)
		for i := range acc {
			acc[i] = make([]Register, nz)
			for c := range acc[i] {
				if kind.z() {
					acc[i][c] = ZMM()
				} else {
					acc[i][c] = YMM()
				}
			}
		}
		for c := 0; c < nz; c++ {
			if kind.z() {
				wr = append(wr, ZMM())
			} else {
				wr = append(wr, YMM())
			}
		}
		if kind.z() {
			bc = ZMM()
		} else {
			bc, tmp = YMM(), YMM()
		}
	}
	for i := range acc {
		for c := range acc[i] {
			if kind.z() {
				VPXORD(acc[i][c], acc[i][c], acc[i][c])
			} else {
				VPXOR(acc[i][c], acc[i][c], acc[i][c])
			}
		}
	}
	// With pf not nil, one line of it into L2 per k-step: the driver points
	// it at a share of the next panel, which would otherwise come from
	// memory at the speed of the first row block's demand loads. The other
	// tiles run a loop without: the prefetch fills L1 too and costs 3% there.
	pf := ptr("pf")
	TESTQ(ks, ks)
	JZ(LabelRef("epilogue"))
	TESTQ(pf, pf)
	JZ(LabelRef("loop"))
	vecBytes := kind.lanes() * 4
	for _, withPF := range []bool{true, false} {
		if withPF {
			Label("looppf")
			PREFETCHT1(Mem{Base: pf})
			ADDQ(U8(64), pf)
		} else {
			Label("loop")
		}
		for c := 0; c < nz; c++ {
			if kind.z() {
				VMOVDQU32(Mem{Base: w, Disp: vecBytes * c}, wr[c])
			} else {
				VMOVDQU(Mem{Base: w, Disp: vecBytes * c}, wr[c])
			}
		}
		for i := 0; i < rows; i++ {
			VPBROADCASTD(rowMem(x, x3, ldx, i, 0), bc)
			for c := 0; c < nz; c++ {
				switch kind {
				case w8VNNI512:
					VPDPBUSD(wr[c], bc, acc[i][c])
				case w8VNNI256:
					vpdpbusdVEX(acc[i][c], bc, wr[c])
				default:
					VPMADDWD(wr[c], bc, tmp)
					VPADDD(tmp, acc[i][c], acc[i][c])
				}
			}
		}
		ADDQ(U8(4), x)
		ADDQ(U8(4), x3)
		ADDQ(U32(kind.stepBytes()), w)
		DECQ(ks)
		if withPF {
			JNZ(LabelRef("looppf"))
			JMP(LabelRef("epilogue"))
		} else {
			JNZ(LabelRef("loop"))
		}
	}

	Label("epilogue")
	w8Epilogue(kind, rows, acc)
	VZEROUPPER()
	RET()
}

func physY(i int) Register {
	return []Register{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}[i]
}

// vpdpbusdVEX emits VPDPBUSD acc, u8, s8 (acc += u8·s8, Intel operand
// order) in its VEX encoding as bytes: the Go assembler only knows the
// EVEX form, which CPUs with AVX-VNNI but no AVX-512 cannot run.
// C4 [R̄ X̄ B̄ 00010] [W=0 v̄v̄v̄v̄ L=1 pp=01] 50 [11 reg rm].
func vpdpbusdVEX(acc, u8, s8 Register) {
	a := int(acc.(Physical).PhysicalIndex())
	u := int(u8.(Physical).PhysicalIndex())
	s := int(s8.(Physical).PhysicalIndex())
	b1 := 0x02 | (1-a>>3)<<7 | 1<<6 | (1-s>>3)<<5
	b2 := (^u&15)<<3 | 1<<2 | 1
	modrm := 0xC0 | (a&7)<<3 | (s & 7)
	Instruction(&ir.Instruction{
		Opcode:  fmt.Sprintf("BYTE $0xc4; BYTE $0x%02x; BYTE $0x%02x; BYTE $0x50; BYTE $0x%02x // VPDPBUSD Y%d, Y%d, Y%d", b1, b2, modrm, s, u, a),
		Inputs:  []Op{acc, u8, s8},
		Outputs: []Op{acc},
		ISA:     []string{"AVXVNNI"},
	})
}

// w8Epilogue dequantizes the accumulators and stores them.
func w8Epilogue(kind w8Kind, rows int, acc [][]Register) {
	nz, vecBytes := kind.nz(), kind.lanes()*4
	y, sx := ptr("y"), ptr("sx")
	sw, bias := ptr("sw"), ptr("bias")
	ap := ptr("acc")
	ldy := Load(Param("ldy"), GP64()).(GPVirtual)
	lda := Load(Param("lda"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldy)
	SHLQ(U8(2), lda)
	vec := func() Register {
		if kind.z() {
			return ZMM()
		}
		if kind == w8VNNI256 {
			return nil
		}
		return YMM()
	}
	// The VEX form keeps its physical registers: rows*2 accumulators are in
	// Y0..Y11, the rest is free.
	var free []Register
	if kind == w8VNNI256 {
		free = []Register{Y12, Y13, Y14, Y15}
	}
	get := func(i int) Register {
		if free != nil {
			return free[i]
		}
		return vec()
	}
	if kind != w8AVX2 {
		cs := ptr("cs")
		for c := 0; c < nz; c++ {
			t := get(0)
			if kind.z() {
				VMOVDQU32(Mem{Base: cs, Disp: vecBytes * c}, t)
			} else {
				VMOVDQU(Mem{Base: cs, Disp: vecBytes * c}, t)
			}
			VPSLLD(U8(7), t, t)
			for i := 0; i < rows; i++ {
				VPSUBD(t, acc[i][c], acc[i][c])
			}
		}
	}
	TESTQ(ap, ap)
	JZ(LabelRef("noacc"))
	for i := 0; i < rows; i++ {
		for c := 0; c < nz; c++ {
			m := Mem{Base: ap, Disp: vecBytes * c}
			if kind.z() {
				VMOVDQU32(acc[i][c], m)
			} else {
				VMOVDQU(acc[i][c], m)
			}
		}
		ADDQ(lda, ap)
	}
	Label("noacc")
	for i := 0; i < rows; i++ {
		s := get(0)
		VBROADCASTSS(Mem{Base: sx, Disp: 4 * i}, s)
		for c := 0; c < nz; c++ {
			t := get(1)
			VMULPS(Mem{Base: sw, Disp: vecBytes * c}, s, t)
			VCVTDQ2PS(acc[i][c], acc[i][c])
			VFMADD213PS(Mem{Base: bias, Disp: vecBytes * c}, t, acc[i][c])
			VMOVUPS(acc[i][c], Mem{Base: y, Disp: vecBytes * c})
		}
		ADDQ(ldy, y)
	}
}
