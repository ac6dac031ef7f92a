package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemm_f32 micro-kernels: rows (1..mr) rows of Y by nv vectors of columns,
// over kc steps of k, on operands the driver packs: X as [k][ldx] (ldx = mr
// for a packed row block, 1 for the GEMV's one row as it is) and a W panel
// as [k][nv*lanes]. Per k: nv loads of W, one broadcast of X per row, and
// rows*nv FMAs into register accumulators, which start from c (c = Y for
// the next block of k, ldc = 0 and c = the bias panel for the first) and
// go to Y once; two PREFETCHT1 per k fetch 128 bytes from pf (the
// driver's next panel) into L2. AVX-512: 8 rows by 3 zmm (24 accumulators,
// 11 loads per 24 FMAs); AVX2+FMA: 4 rows by 3 ymm (12 of the 16 registers).
//
// gemmF32Blocks runs the mr-row tile over consecutive packed row blocks of
// one panel in one call (a call per block cost 3-4% of M = 128 in the Go
// loop around it); only its first pfBlocks blocks prefetch, since on this
// CPU a prefetch also fills L1 and costs where nothing is left to fetch.
var gemmF32Shapes = []struct {
	v      variant
	mr, nv int
}{{avx512, 8, 3}, {avx2, 4, 3}}

func gemmF32() {
	for _, s := range gemmF32Shapes {
		for rows := 1; rows <= s.mr; rows++ {
			gemmF32Tile(s.v, rows, s.nv, s.nv, false)
		}
		if s.v.z {
			gemmF32Gemv(s.v, s.nv)
		}
		// The last, partial panel's full row blocks compute only the
		// vectors its columns need (at N = 4096 and 11008, 16 of 48).
		for nv := 1; nv <= s.nv; nv++ {
			gemmF32Tile(s.v, s.mr, nv, s.nv, true)
		}
	}
	transposeT(avx512, false) // X's pack at AVX-512 (8-row blocks)
}

// gemmF32Tile emits a tile of nv vectors of columns on a panel of stride
// vectors per step of k (nv < stride: the first columns of a wider panel).
func gemmF32Tile(v variant, rows, nv, stride int, blocks bool) {
	gemmF32Kernel(v, rows, nv, stride, blocks, false)
}

// gemmF32Gemv emits the GEMV's one-row tile: gemmF32Tile1xnr whose pf
// moves on with wp, prefetching (PREFETCHT1) every line of the step's W
// row at pf: the driver points pf a fixed distance ahead in the panels, so
// one stream of W runs at a fixed depth across panel ends. AVX-512 only:
// AVX2's tile, whose 128 bytes of prefetch a step run ahead of its 96 of
// W, measured 0.9-1.09x with it.
func gemmF32Gemv(v variant, nv int) { gemmF32Kernel(v, 1, nv, nv, false, true) }

func gemmF32Kernel(v variant, rows, nv, stride int, blocks, gemv bool) {
	nr, panel := nv*v.lanes, stride*v.lanes
	name := fmt.Sprintf("gemmF32Tile%dx%d", rows, nr)
	if gemv {
		fn(v, fmt.Sprintf("gemmF32Gemv%d", nr), "func(y []float32, ldy int, c []float32, ldc int, xp []float32, ldx int, wp []float32, kc int, pf []float32)",
			fmt.Sprintf("gemmF32Gemv%d%s is gemmF32Tile1x%d%s, prefetching into L2 the %d bytes at pf each step of k", nr, v.name, nr, v.name, panel*4),
			"(pf moves on with wp; the GEMV points it a fixed distance ahead).")
	} else if blocks {
		name = fmt.Sprintf("gemmF32Blocks%dx%d", rows, nr)
		what := fmt.Sprintf("gemmF32Tile%dx%d%s (ldx = %d)", rows, nr, v.name, rows)
		if nv < stride {
			name += fmt.Sprintf("of%d", panel)
			what = fmt.Sprintf("the first %d columns of gemmF32Tile%dx%d%s (ldx = %d)", nr, rows, panel, v.name, rows)
		}
		fn(v, name, "func(y []float32, ldy int, c []float32, ldc int, xp []float32, wp []float32, kc int, pf []float32, blocks, pfBlocks int)",
			fmt.Sprintf("%s%s runs %s on blocks row blocks:", name, v.name, what),
			fmt.Sprintf("block b reads xp[b*kc*%d:], c[b*%d*ldc:] and writes y[b*%d*ldy:]; blocks 0..pfBlocks-1", rows, rows, rows),
			"prefetch pf, the others nothing.")
	} else {
		fn(v, name, "func(y []float32, ldy int, c []float32, ldc int, xp []float32, ldx int, wp []float32, kc int, pf []float32)",
			fmt.Sprintf("%s%s sets y[i*ldy+j] = c[i*ldc+j] + Σ_{t<kc} xp[t*ldx+i]*wp[t*%d+j] for i < %d, j < %d.",
				name, v.name, nr, rows, nr))
	}
	ldOf := func(name string) GPVirtual {
		r := Load(Param(name), GP64()).(GPVirtual)
		SHLQ(U8(2), r)
		return r
	}
	cp, ldc := ptr("c"), ldOf("ldc")
	yp, ldy := ptr("y"), ldOf("ldy")
	xp, w0, pf := ptr("xp"), ptr("wp"), ptr("pf")
	var ldx, nblk, npf GPVirtual
	if blocks {
		ldx = GP64()
		MOVQ(U32(rows*4), ldx)
		nblk = Load(Param("blocks"), GP64()).(GPVirtual)
		npf = Load(Param("pfBlocks"), GP64()).(GPVirtual)
		TESTQ(nblk, nblk)
		JZ(LabelRef("done"))
	} else {
		ldx = ldOf("ldx")
	}
	acc := make([][]VecVirtual, rows)
	for i := range acc {
		acc[i] = make([]VecVirtual, nv)
		for j := range acc[i] {
			acc[i][j] = v.vec()
		}
	}
	if blocks {
		Label("block")
	}
	for i := range acc {
		for j := range acc[i] {
			VMOVUPS(Mem{Base: cp, Disp: j * v.bytes()}, acc[i][j])
		}
		ADDQ(ldc, cp)
	}
	wp := GP64()
	MOVQ(w0, wp)
	kc := Load(Param("kc"), GP64()).(GPVirtual)
	TESTQ(kc, kc)
	JZ(LabelRef("store"))
	if blocks {
		TESTQ(npf, npf)
		JZ(LabelRef("loop"))
		DECQ(npf)
	}
	step := func() {
		w := make([]VecVirtual, nv)
		for j := range w {
			w[j] = v.vec()
			VMOVUPS(Mem{Base: wp, Disp: j * v.bytes()}, w[j])
		}
		for i := range acc {
			b := v.vec()
			VBROADCASTSS(Mem{Base: xp, Disp: 4 * i}, b)
			for j := range w {
				VFMADD231PS(w[j], b, acc[i][j])
			}
		}
		ADDQ(ldx, xp)
		ADDQ(U32(panel*4), wp)
	}
	if blocks {
		Label("looppf")
		PREFETCHT1(Mem{Base: pf})
		ADDQ(U8(64), pf)
		step()
		DECQ(kc)
		JNZ(LabelRef("looppf"))
		JMP(LabelRef("store"))
		Label("loop")
		step()
		DECQ(kc)
		JNZ(LabelRef("loop"))
	} else if gemv {
		Label("loop")
		for off := 0; off < panel*4; off += 64 {
			PREFETCHT1(Mem{Base: pf, Disp: off})
		}
		ADDQ(U32(panel*4), pf)
		step()
		DECQ(kc)
		JNZ(LabelRef("loop"))
	} else {
		Label("loop")
		PREFETCHT1(Mem{Base: pf})
		PREFETCHT1(Mem{Base: pf, Disp: 64})
		ADDQ(U8(128), pf)
		step()
		DECQ(kc)
		JNZ(LabelRef("loop"))
	}
	Label("store")
	for i := range acc {
		for j := range acc[i] {
			VMOVUPS(acc[i][j], Mem{Base: yp, Disp: j * v.bytes()})
		}
		ADDQ(ldy, yp)
	}
	if blocks {
		DECQ(nblk)
		JNZ(LabelRef("block"))
		Label("done")
	}
	VZEROUPPER()
	RET()
}
