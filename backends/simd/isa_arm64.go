//go:build !purego

package simd

import "golang.org/x/sys/cpu"

// vecNEON has NEON code for the norm and loss primitives and the NMS
// sweep (the O(C) fold of the inference norms stays in Go).
var vecNEON = &vec{path: "neon", sum: sumNEON, sumSq: sumSqNEON, sumSqDev: sumSqDevNEON,
	sumSqDiff: sumSqDiffNEON, huberSum: huberSumNEON, maxv: maxvNEON, sumExp: sumExpNEON,
	normAffine: normAffineNEON, scaleMul: scaleMulNEON, bnFold: bnFoldGo,
	selu: seluNEON, evoB0: evoB0NEON, evoS0: evoS0NEON,
	colSum: colSumNEON, colSqDev: colSqDevNEON, centerAffine: centerAffineNEON, blendAffine: blendAffineNEON,
	nmsSuppress: nmsSuppressNEON}

// slaNEON: the SLA primitives (sla_arm64.s).
var slaNEON = &slaK{path: "neon", reluT: reluTNEON, reluDot: reluDotNEON, conv5: conv5NEON, axpyTo: axpyToNEON}

// w8SDOT is gemm_w8a8 with SDOT: 4 rows by 16 columns per tile, k-steps
// of 4 bytes in groups of four (one 16-byte load of X per row).
var w8SDOT = &w8K{path: "neon+dotprod", nb: 16, mr: 4, layout: w8S8, align: 4, tile: [w8Rows + 1]w8Tile{nil,
	w8TileSDOT(1, sdotTile1NEON), w8TileSDOT(2, sdotTile2NEON), w8TileSDOT(3, sdotTile3NEON), w8TileSDOT(4, sdotTile4NEON)},
	absMaxBits: absMaxBitsNEON, quant: quantI8NEON}

// w8TileSDOT wraps an SDOT tile with the dequantizing epilogue in Go (a
// few percent of a tile's time at the K of real models).
func w8TileSDOT(rows int, tile func(x []byte, ldx int, w []byte, ksteps int, acc []int32)) w8Tile {
	return func(x []byte, ldx int, w []byte, ksteps int, cs []int32, sw, sx, bias, y []float32, ldy int, acc []int32, lda int, _ []byte) {
		var t [4 * 16]int32
		tile(x, ldx, w, ksteps, t[:])
		for i := range rows {
			yr, tr := y[i*ldy:i*ldy+16], t[i*16:i*16+16]
			if acc != nil {
				copy(acc[i*lda:i*lda+16], tr)
			}
			for c, a := range tr {
				yr[c] = float32(a)*(sx[i]*sw[c]) + bias[c]
			}
		}
	}
}

// Every arm64 CPU has ASIMD (NEON); dotprod (SDOT) is optional: a
// Cortex-A53 lacks it, and an SDOT there is SIGILL.
var levelList = func() []*level {
	neon := cpu.ARM64.HasASIMD
	return []*level{
		{name: "neon+dotprod", ok: neon && cpu.ARM64.HasASIMDDP, f: vecNEON, w8: w8SDOT, attn: attnNEON, w4: w4NEON, sla: slaNEON, softPass: softPassNEON, q: quantNEON},
		{name: "neon", ok: neon, f: vecNEON, attn: attnNEON, w4: w4NEON, sla: slaNEON, softPass: softPassNEON, q: quantNEON},
		{name: Generic, ok: true, f: vecGeneric},
	}
}()

// levels lists every level of this architecture, best first, with ok set
// for those this CPU supports.
func levels() []*level { return levelList }
