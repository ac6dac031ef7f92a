package simd

import "github.com/nbench/nbench/harness/peak"

// Vector peak probes for `nbench peak` (package harness/peak): the FMA,
// int8 dot product and streaming loops of the code a level runs, so a
// vector kernel's %peak is measured against what vector code can reach.
// Only the level the backend would run at is registered (the best this CPU
// has, or NBENCH_ISA's), so forcing a level lowers the ceilings with it.
// Each arch file keys its probes by path: floatPeaks by the level's float
// path (FMA and bandwidth), dotPeaks by its int8 GEMM path.

func init() {
	all, idx, err := pick("")
	if err != nil {
		return // New reports the bad NBENCH_ISA; the pure-Go probes still run
	}
	for _, p := range peakProbes(all[idx]) {
		peak.RegisterProbe(p)
	}
}

// peakProbes returns the probes of the code level l runs.
func peakProbes(l *level) []peak.Probe {
	ps := append([]peak.Probe(nil), floatPeaks[l.f.path]...)
	if l.w8 != nil {
		if p, ok := dotPeaks[l.w8.path]; ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// peakChains is the number of independent accumulators of the amd64
// compute loops (_asm/peak.go).
const peakChains = 12

// sum64 sums lanes exactly (every lane and the total fit a float64).
func sum64[T float32 | float64 | int32](v []T) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s
}

// dotBytes broadcasts a byte to the 4 bytes of a dword (VPDPBUSD, SDOT);
// dotPairs an int16 to the 2 halves (VPMADDWD).
func dotBytes(b uint8) uint32 { return uint32(b) * 0x01010101 }
func dotPairs(v int16) uint32 { return uint32(uint16(v)) * 0x00010001 }
