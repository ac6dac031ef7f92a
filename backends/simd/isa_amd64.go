//go:build !purego

package simd

import "golang.org/x/sys/cpu"

var (
	vecAVX512 = &vec{path: "avx512", sum: sumAVX512, sumSq: sumSqAVX512, sumSqDev: sumSqDevAVX512,
		sumSqDiff: sumSqDiffAVX512, huberSum: huberSumAVX512, maxv: maxvAVX512, sumExp: sumExpAVX512, lse: lseAVX512,
		normAffine: normAffineAVX512, scaleMul: scaleMulAVX512, bnFold: bnFoldAVX512, nmsSuppress: nmsSuppressAVX512, prefetch: prefetchT1,
		selu: seluAVX512, evoB0: noAheadB0(evoB0AVX512), evoB0Ahead: evoB0AVX512,
		evoS0: noAhead(evoS0AVX512), evoS0Ahead: evoS0AVX512,
		colSum: colSumAVX512, colSqDev: colSqDevAVX512, colShiftSums: colShiftSumsAVX512, colShiftSumsL2: colShiftSumsL2AVX512,
		mergeShifted: mergeShiftedAVX512,
		centerAffine: centerAffineAVX512, blendAffine: blendAffineAVX512,
		layerNormRows: layerNormRowsAVX512, rmsNormRows: rmsNormRowsAVX512}
	vecAVX2 = &vec{path: "avx2", sum: sumAVX2, sumSq: sumSqAVX2, sumSqDev: sumSqDevAVX2,
		sumSqDiff: sumSqDiffAVX2, huberSum: huberSumAVX2, maxv: maxvAVX2, sumExp: noAheadSumExp(sumExpAheadAVX2), sumExpAhead: sumExpAheadAVX2,
		normAffine: normAffineAVX2, scaleMul: scaleMulAVX2, bnFold: bnFoldAVX2, nmsSuppress: nmsSuppressAVX2, prefetch: prefetchT1,
		selu: seluAVX2, evoB0: noAheadB0(evoB0AVX2), evoB0Ahead: evoB0AVX2,
		evoS0: noAhead(evoS0AVX2), evoS0Ahead: evoS0AVX2,
		colSum: colSumAVX2, colSqDev: colSqDevAVX2, colShiftSums: colShiftSumsAVX2, colShiftSumsL2: colShiftSumsL2AVX2,
		mergeShifted: mergeShiftedAVX2,
		centerAffine: centerAffineAVX2, blendAffine: blendAffineAVX2,
		layerNormRows: layerNormRowsAVX2, rmsNormRows: rmsNormRowsAVX2}
	attnAVX512 = &attnK{path: "avx512", qk: qkTileAVX512, softmax: softmaxTileAVX512,
		pv6: [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32){
			nil, pvTile6x1AVX512, pvTile6x2AVX512, pvTile6x3AVX512, pvTile6x4AVX512},
		pv1: [5]func(o, p []float32, nk int, v []float32, ldv int){
			nil, pvTile1x1AVX512, pvTile1x2AVX512, pvTile1x3AVX512, pvTile1x4AVX512}}
	attnAVX2 = &attnK{path: "avx2", qk: qkTileAVX2, softmax: softmaxTileAVX2,
		pv6: [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32){
			nil, pvTile6x1AVX2, pvTile6x2AVX2, pvTile6x3AVX2, pvTile6x4AVX2},
		pv1: [5]func(o, p []float32, nk int, v []float32, ldv int){
			nil, pvTile1x1AVX2, pvTile1x2AVX2, pvTile1x3AVX2, pvTile1x4AVX2}}

	slaAVX512 = &slaK{path: "avx512", reluT: reluTAVX512, reluDot: reluDotAVX512, conv5: conv5AVX512, axpyTo: axpyToAVX512}
	slaAVX2   = &slaK{path: "avx2", reluT: reluTAVX2, reluDot: reluDotAVX2, conv5: conv5AVX2, axpyTo: axpyToAVX2}

	w8VNNI512 = &w8K{path: "avx512vnni", nb: 64, mr: 6, layout: w8U8S8, tile: [w8Rows + 1]w8Tile{nil,
		w8Tile1VNNI512, w8Tile2VNNI512, w8Tile3VNNI512, w8Tile4VNNI512, w8Tile5VNNI512, w8Tile6VNNI512},
		absMaxBits: absMaxBitsAVX512, quant: quantI8AVX512, flip: flipSignAVX512}
	w8VNNI256 = &w8K{path: "avxvnni", nb: 16, mr: 6, layout: w8U8S8, tile: [w8Rows + 1]w8Tile{nil,
		w8Tile1VNNI256, w8Tile2VNNI256, w8Tile3VNNI256, w8Tile4VNNI256, w8Tile5VNNI256, w8Tile6VNNI256},
		absMaxBits: absMaxBitsAVX2, quant: quantI8AVX2, flip: flipSignAVX2}
	w8AVX2 = &w8K{path: "avx2", nb: 16, mr: 6, layout: w8S16, tile: [w8Rows + 1]w8Tile{nil,
		w8Tile1AVX2, w8Tile2AVX2, w8Tile3AVX2, w8Tile4AVX2, w8Tile5AVX2, w8Tile6AVX2},
		absMaxBits: absMaxBitsAVX2, quant: quantI8AVX2}
	quantAVX512 = &quantK{path: "avx512", absMaxBits: absMaxBitsAVX512, quantI8: quantI8AVX512,
		w4Range: w4RangeAVX512, w4Pack: w4PackAVX512, pvBuckets: pvBucketsAVX512, shiftAdd: shiftAddAVX512,
		pvShift: pvShiftAVX512, pvOut: pvOutAVX512, pvLanes: 64, rqCodes: rqCodesAVX512,
		wqDots:  [9]wqDotsFn{2: wqDots2AVX512, 3: wqDots3AVX512, 4: wqDots4AVX512, 8: wqDots8AVX512},
		wqGemv4: [9]wqGemvFn{2: wqGemv2R4AVX512, 4: wqGemv4R4AVX512}, wqGemv1: [9]wqGemvFn{2: wqGemv2R1AVX512, 4: wqGemv4R1AVX512},
		wqGemvWide4: wqGemv4WideR4AVX512, wqGemvWide1: wqGemv4WideR1AVX512,
		wqByte4: [9]w4Gemv{3: wqGemv3R4AVX512, 8: wqGemv8R4AVX512}, wqByte1: [9]w4Gemv{3: wqGemv3R1AVX512, 8: wqGemv8R1AVX512}}
	quantAVX2 = &quantK{path: "avx2", absMaxBits: absMaxBitsAVX2, quantI8: quantI8AVX2,
		w4Range: w4RangeAVX2, w4Pack: w4PackAVX2, pvShift: pvShiftAVX2, pvOut: pvOutAVX2, pvLanes: 32, pvStep: 8,
		rqCodes: rqCodesAVX2,
		wqDots:  [9]wqDotsFn{2: wqDots2AVX2, 3: wqDots3AVX2, 4: wqDots4AVX2, 8: wqDots8AVX2}}
	w4AVX512 = &w4K{path: "avx512", mr: 8, tables: w4TablesAVX512,
		tabRows: [w4Rows + 1]w4TabKern{nil, w4Tab1AVX512, w4Tab2AVX512, w4Tab3AVX512, w4Tab4AVX512,
			w4Tab5AVX512, w4Tab6AVX512, w4Tab7AVX512, w4Tab8AVX512},
		wideTabRows: [w4Rows + 1]w4TabKern{nil, w4TabWide1AVX512, w4TabWide2AVX512, w4TabWide3AVX512,
			w4TabWide4AVX512, w4TabWide5AVX512, w4TabWide6AVX512, w4TabWide7AVX512, w4TabWide8AVX512},
		gemv4: w4Gemv4AVX512, gemv1: w4Gemv1AVX512, gemvWide4: w4GemvWide4AVX512, gemvWide1: w4GemvWide1AVX512}
	w4AVX2 = &w4K{path: "avx2", mr: 4, rows: [w4Rows + 1]w4Kern{nil, w4Rows1AVX2, w4Rows2AVX2, w4Rows3AVX2, w4Rows4AVX2},
		splitRows: [w4Rows + 1]w4Kern{nil, w4RowsSplit1AVX2, w4RowsSplit2AVX2}}
)

// Feature sets, from the "Requires:" lines of the generated assembly:
// the AVX-512 routines use F, BW, DQ, VL and BMI2 (BZHI for tail masks);
// the AVX2 ones AVX, AVX2 and FMA3; both use POPCNT (the NMS sweep). x/sys/cpu clears a feature the OS does
// not save state for, and honours GODEBUG=cpu.<feature>=off.
func features() (avx2, avx512, avxvnni, avx512vnni bool) {
	x := cpu.X86
	avx2 = x.HasAVX && x.HasAVX2 && x.HasFMA && x.HasPOPCNT
	avx512 = avx2 && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512DQ && x.HasAVX512VL && x.HasBMI2
	return avx2, avx512, avx2 && x.HasAVXVNNI, avx512 && x.HasAVX512VNNI
}

// softRoundZ is the chunked Soft-NMS round of AVX-512.
var softRoundZ = &softRoundK{round: softRoundAVX512, bounds: softBoundsAVX512, compact: softCompactAVX512, keys: softKeysAVX512, place: softPlaceAVX512}

var levelList = func() []*level {
	avx2, avx512, avxvnni, avx512vnni := features()
	return []*level{
		{name: "avx512vnni", ok: avx512vnni, f: vecAVX512, attn: attnAVX512, w8: w8VNNI512, w4: w4AVX512,
			softPass: softPassAVX512, softRound: softRoundZ, sla: slaAVX512, q: quantAVX512},
		{name: "avx512", ok: avx512, f: vecAVX512, attn: attnAVX512, w8: w8AVX2, w4: w4AVX512,
			softPass: softPassAVX512, softRound: softRoundZ, sla: slaAVX512, q: quantAVX512},
		{name: "avxvnni", ok: avxvnni, f: vecAVX2, w8: w8VNNI256, attn: attnAVX2, sla: slaAVX2,
			w4: w4AVX2, softPass: softPassAVX2, q: quantAVX2},
		{name: "avx2", ok: avx2, f: vecAVX2, w8: w8AVX2, attn: attnAVX2, sla: slaAVX2,
			w4: w4AVX2, softPass: softPassAVX2, q: quantAVX2},
		{name: Generic, ok: true, f: vecGeneric},
	}
}()

// levels lists every level of this architecture, best first, with ok set
// for those this CPU supports.
func levels() []*level { return levelList }

// noAhead is an evoS0 form that prefetches nothing beyond x.
func noAhead(f func(y, x, vc, k, b []float32, ahead int)) func(y, x, vc, k, b []float32) {
	return func(y, x, vc, k, b []float32) { f(y, x, vc, k, b, 0) }
}

// noAheadSumExp is noAhead for sumExp.
func noAheadSumExp(f func(x []float32, m float32, ahead int) float32) func(x []float32, m float32) float32 {
	return func(x []float32, m float32) float32 { return f(x, m, 0) }
}

// noAheadB0 is noAhead for evoB0.
func noAheadB0(f func(y, x, sb, vc, sw, g, b []float32, ahead int)) func(y, x, sb, vc, sw, g, b []float32) {
	return func(y, x, sb, vc, sw, g, b []float32) { f(y, x, sb, vc, sw, g, b, 0) }
}
