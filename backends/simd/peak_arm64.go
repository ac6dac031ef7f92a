//go:build !purego

package simd

import "github.com/nbench/nbench/harness/peak"

// The arm64 peak probes (simd_arm64.s). FMLA and SDOT accumulate into their
// destination, so NEON cannot do harness/peak's acc = acc*FMAMul + FMAAdd
// in place: the FMA loop runs acc += FMAMul*FMAAdd and SDOT multiplies the
// u8 operand as s8. Both are the same values while FMAMul is 1 and DotU8
// is below 128 (as harness/peak sets them; its check fails otherwise), and
// the same instruction count and chains. The bandwidth loops leave the last
// elements of a pass (under one unrolled iteration) to Go.
const neonChains = 24

var floatPeaks = map[string][]peak.Probe{
	"neon": {
		{Name: "neon-fma32", Kind: peak.FMA32, Lanes: neonChains * 4, Compute: func(n int) float64 {
			var acc [neonChains * 4]float32
			fmaPeakNEON(n, peak.FMAMul, peak.FMAAdd, acc[:])
			return sum64(acc[:])
		}},
		{Name: "neon-read", Kind: peak.Read, Stream: func(_, x, _ []float32) float64 {
			n := len(x) &^ 31
			return readPeakNEON(x[:n]) + sum64(x[n:])
		}},
		{Name: "neon-copy", Kind: peak.Copy, Stream: func(dst, x, _ []float32) float64 {
			n := len(dst) &^ 31
			copyPeakNEON(dst[:n], x[:n])
			copy(dst[n:], x[n:len(dst)])
			return 0
		}},
		{Name: "neon-triad", Kind: peak.Triad, Stream: func(dst, x, y []float32) float64 {
			n, s := len(dst)&^15, peak.TriadScalar
			triadPeakNEON(dst[:n], x[:n], y[:n], s)
			x, y = x[:len(dst)], y[:len(dst)]
			for i := n; i < len(dst); i++ {
				dst[i] = x[i] + s*y[i]
			}
			return 0
		}},
	},
}

var dotPeaks = map[string]peak.Probe{
	"neon+dotprod": {Name: "neon+dotprod-dot-i8", Kind: peak.DotI8, Lanes: neonChains * 4, Compute: func(n int) float64 {
		var acc [neonChains * 4]int32
		dotPeakSDOT(n, dotBytes(peak.DotU8), dotBytes(uint8(peak.DotS8)), acc[:])
		return sum64(acc[:])
	}},
}
