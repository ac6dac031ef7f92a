//go:build !purego

package simd

import (
	"unsafe"

	"github.com/nbench/nbench/harness/peak"
)

// The amd64 peak probes (_asm/peak.go): 12 accumulator vectors for FMA
// (fp32 and fp64), integer shift/add and int8 dot products, 6 (AVX-512) or
// 2 (AVX2) interleaved exps, 8 for read (one stream, two or four side by
// side); copy (plain and non-temporal stores, the latter also in selu's
// order) and triad as full-width loads and stores, tails masked (AVX-512)
// or through a stack copy (AVX2).
var floatPeaks = map[string][]peak.Probe{
	"avx512": vecPeaks{name: "avx512", lanes: 16, expChains: 6, fma: fmaPeakAVX512, fma64: fma64PeakAVX512,
		alu: aluPeakAVX512, exp: expPeakAVX512, expLSE: expPeakLSEAVX512, read: readPeakAVX512, readPF: readPFPeakAVX512, read2: readStreams2PeakAVX512, read4: readStreams4PeakAVX512,
		copy: copyPeakAVX512, copyNT: copyNTPeakAVX512, copyNTPF: copyNTPFPeakAVX512, copyNTEach: copyNTEachPeakAVX512, triad: triadPeakAVX512}.probes(),
	"avx2": vecPeaks{name: "avx2", lanes: 8, expChains: 1, fma: fmaPeakAVX2, fma64: fma64PeakAVX2,
		alu: aluPeakAVX2, exp: expPeakAVX2, read: readPeakAVX2, readPF: readPFPeakAVX2, read2: readStreams2PeakAVX2, read4: readStreams4PeakAVX2,
		copy: copyPeakAVX2, copyNT: copyNTPeakAVX2, copyNTPF: copyNTPFPeakAVX2, copyNTEach: copyNTEachPeakAVX2, triad: triadPeakAVX2}.probes(),
}

// vecPeaks are one vector level's probe loops.
type vecPeaks struct {
	name             string
	lanes, expChains int // float32 lanes per vector; exps per iteration
	fma              func(n int, mul, add float32, out []float32)
	fma64            func(n int, mul, add float64, out []float64)
	alu              func(n int, add uint32, out []int32)
	exp              func(n int, arg float32, out []float32)
	expLSE           func(n int, arg float32, out []float32) // cross_entropy's cheaper exp; nil: none
	read, read2      func(x []float32) float64
	readPF           func(x []float32) float64 // read with software prefetch (cross_entropy's)
	read4            func(x []float32) float64
	copy, copyNT     func(dst, x []float32)
	copyNTPF         func(dst, x []float32) // copyNT with software prefetch (selu's)
	copyNTEach       func(dst, x []float32) // copyNTPF in selu's order, a vector at a time
	triad            func(dst, x, y []float32, s float32)
}

// maxPeakLanes bounds every probe's lanes (12 zmm of 16 float32).
const maxPeakLanes = peakChains * 16

func (v vecPeaks) probes() []peak.Probe {
	lanes := peakChains * v.lanes
	block := 8 * v.lanes // read2 and read4 take whole blocks of 8 vectors; read does the rest
	ps := []peak.Probe{
		{Name: v.name + "-fma32", Kind: peak.FMA32, Lanes: lanes, Compute: func(n int) float64 {
			var acc [maxPeakLanes]float32
			v.fma(n, peak.FMAMul, peak.FMAAdd, acc[:lanes])
			return sum64(acc[:lanes])
		}},
		{Name: v.name + "-fma64", Kind: peak.FMA64, Lanes: lanes / 2, Compute: func(n int) float64 {
			var acc [maxPeakLanes / 2]float64
			v.fma64(n, float64(peak.FMAMul), float64(peak.FMAAdd), acc[:lanes/2])
			return sum64(acc[:lanes/2])
		}},
		{Name: v.name + "-int-alu", Kind: peak.IntALU, Lanes: lanes, Compute: func(n int) float64 {
			var acc [maxPeakLanes]int32
			v.alu(n, uint32(peak.ALUAdd), acc[:lanes])
			return sum64(acc[:lanes])
		}},
		{Name: v.name + "-exp32", Kind: peak.Exp32, Lanes: v.expChains * v.lanes, Compute: func(n int) float64 {
			var acc [maxPeakLanes]float32
			v.exp(n, peak.ExpArg, acc[:v.expChains*v.lanes])
			return sum64(acc[:v.expChains*v.lanes])
		}},
		{Name: v.name + "-read", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 { return v.read(x) }},
		{Name: v.name + "-read-pf", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 { return v.readPF(x) }},
		{Name: v.name + "-read2", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 {
			m := len(x) / block * block
			return v.read2(x[:m]) + v.read(x[m:])
		}},
		{Name: v.name + "-read4", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 {
			m := len(x) / block * block
			return v.read4(x[:m]) + v.read(x[m:])
		}},
		{Name: v.name + "-copy", Kind: peak.Copy, Stream: func(dst, x, _ []float32) float64 {
			v.copy(dst, x[:len(dst)])
			return 0
		}},
		{Name: v.name + "-copynt", Kind: peak.Copy, Stream: ntCopy(v.copyNT)},
		{Name: v.name + "-copynt-pf", Kind: peak.Copy, Stream: ntCopy(v.copyNTPF)},
		{Name: v.name + "-copynt-each", Kind: peak.Copy, Stream: ntCopy(v.copyNTEach)},
		{Name: v.name + "-triad", Kind: peak.Triad, Stream: func(dst, x, y []float32) float64 {
			v.triad(dst, x[:len(dst)], y[:len(dst)], peak.TriadScalar)
			return 0
		}},
	}
	if v.expLSE != nil {
		const lseLanes = 5 * 16 // expLSEChains zmm (_asm/peak.go)
		ps = append(ps, peak.Probe{Name: v.name + "-exp32-lse", Kind: peak.Exp32, Lanes: lseLanes, Compute: func(n int) float64 {
			var acc [lseLanes]float32
			v.expLSE(n, peak.ExpArg, acc[:])
			return sum64(acc[:])
		}})
	}
	return ps
}

// ntCopy is a copy probe's stream through a non-temporal copy loop, which
// needs an aligned destination and whole blocks of 4 vectors: plain copies
// for the head up to the alignment and the tail past the blocks.
func ntCopy(copyNT func(dst, x []float32)) func(dst, x, _ []float32) float64 {
	return func(dst, x, _ []float32) float64 {
		lanes := 16 // bytes/4 of the widest vector: aligned for both levels
		head := min(int(-uintptr(unsafe.Pointer(unsafe.SliceData(dst)))%uintptr(4*lanes)/4), len(dst))
		body := (len(dst) - head) / (4 * lanes) * (4 * lanes)
		copy(dst[:head], x)
		copyNT(dst[head:head+body], x[head:head+body])
		copy(dst[head+body:], x[head+body:len(dst)])
		return 0
	}
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
