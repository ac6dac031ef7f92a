//go:build !purego

package simd

import "github.com/nbench/nbench/harness/peak"

// The amd64 peak probes (_asm/peak.go): 12 accumulator vectors for FMA
// (fp32 and fp64), integer shift/add and int8 dot products, 6 (AVX-512) or
// 2 (AVX2) interleaved exps, 8 for read (one stream, and four side by side); copy and triad as full-width loads and
// stores, tails masked (AVX-512) or through a stack copy (AVX2).
var floatPeaks = map[string][]peak.Probe{
	"avx512": {
		{Name: "avx512-fma32", Kind: peak.FMA32, Lanes: peakChains * 16, Compute: func(n int) float64 {
			var acc [peakChains * 16]float32
			fmaPeakAVX512(n, peak.FMAMul, peak.FMAAdd, acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx512-fma64", Kind: peak.FMA64, Lanes: peakChains * 8, Compute: func(n int) float64 {
			var acc [peakChains * 8]float64
			fma64PeakAVX512(n, float64(peak.FMAMul), float64(peak.FMAAdd), acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx512-int-alu", Kind: peak.IntALU, Lanes: peakChains * 16, Compute: func(n int) float64 {
			var acc [peakChains * 16]int32
			aluPeakAVX512(n, uint32(peak.ALUAdd), acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx512-exp32", Kind: peak.Exp32, Lanes: 6 * 16, Compute: func(n int) float64 {
			var acc [6 * 16]float32
			expPeakAVX512(n, peak.ExpArg, acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx512-read", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 { return readPeakAVX512(x) }},
		{Name: "avx512-read4", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 {
			m := len(x) / (8 * 16) * (8 * 16)
			return readStreamsPeakAVX512(x[:m]) + readPeakAVX512(x[m:])
		}},
		{Name: "avx512-copy", Kind: peak.Copy, Stream: func(dst, x, _ []float32) float64 {
			copyPeakAVX512(dst, x[:len(dst)])
			return 0
		}},
		{Name: "avx512-triad", Kind: peak.Triad, Stream: func(dst, x, y []float32) float64 {
			triadPeakAVX512(dst, x[:len(dst)], y[:len(dst)], peak.TriadScalar)
			return 0
		}},
	},
	"avx2": {
		{Name: "avx2-fma32", Kind: peak.FMA32, Lanes: peakChains * 8, Compute: func(n int) float64 {
			var acc [peakChains * 8]float32
			fmaPeakAVX2(n, peak.FMAMul, peak.FMAAdd, acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx2-fma64", Kind: peak.FMA64, Lanes: peakChains * 4, Compute: func(n int) float64 {
			var acc [peakChains * 4]float64
			fma64PeakAVX2(n, float64(peak.FMAMul), float64(peak.FMAAdd), acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx2-int-alu", Kind: peak.IntALU, Lanes: peakChains * 8, Compute: func(n int) float64 {
			var acc [peakChains * 8]int32
			aluPeakAVX2(n, uint32(peak.ALUAdd), acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx2-exp32", Kind: peak.Exp32, Lanes: 2 * 8, Compute: func(n int) float64 {
			var acc [2 * 8]float32
			expPeakAVX2(n, peak.ExpArg, acc[:])
			return sum64(acc[:])
		}},
		{Name: "avx2-read", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 { return readPeakAVX2(x) }},
		{Name: "avx2-read4", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 {
			m := len(x) / (8 * 8) * (8 * 8)
			return readStreamsPeakAVX2(x[:m]) + readPeakAVX2(x[m:])
		}},
		{Name: "avx2-copy", Kind: peak.Copy, Stream: func(dst, x, _ []float32) float64 {
			copyPeakAVX2(dst, x[:len(dst)])
			return 0
		}},
		{Name: "avx2-triad", Kind: peak.Triad, Stream: func(dst, x, y []float32) float64 {
			triadPeakAVX2(dst, x[:len(dst)], y[:len(dst)], peak.TriadScalar)
			return 0
		}},
	},
}

// dotPeaks has the dot product of each gemm_w8a8 path: VPDPBUSD zmm, its
// VEX ymm form, and VPMADDWD on int16 pairs (u8 zero- and s8 sign-extended)
// done twice per iteration, for the 4 multiply-accumulates per lane.
var dotPeaks = map[string]peak.Probe{
	"avx512vnni": {Name: "avx512vnni-dot-i8", Kind: peak.DotI8, Lanes: peakChains * 16, Compute: func(n int) float64 {
		var acc [peakChains * 16]int32
		dotPeakVNNI512(n, dotBytes(peak.DotU8), dotBytes(uint8(peak.DotS8)), acc[:])
		return sum64(acc[:])
	}},
	"avxvnni": {Name: "avxvnni-dot-i8", Kind: peak.DotI8, Lanes: peakChains * 8, Compute: func(n int) float64 {
		var acc [peakChains * 8]int32
		dotPeakVNNI256(n, dotBytes(peak.DotU8), dotBytes(uint8(peak.DotS8)), acc[:])
		return sum64(acc[:])
	}},
	"avx2": {Name: "avx2-dot-i8", Kind: peak.DotI8, Lanes: peakChains * 8, Compute: func(n int) float64 {
		var acc [peakChains * 8]int32
		dotPeakAVX2(n, dotPairs(int16(peak.DotU8)), dotPairs(int16(peak.DotS8)), acc[:])
		return sum64(acc[:])
	}},
}
