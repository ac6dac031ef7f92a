//go:build linux && amd64 && !purego

package simd

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
)

// evoNoL2 prepares an A/B's old form: the level without colShiftSumsL2,
// so the statistics of an image in L2 are summed row by row.
func evoNoL2(b *Backend) func() {
	f := b.lv.f
	saved := f.colShiftSumsL2
	f.colShiftSumsL2 = nil
	return func() { f.colShiftSumsL2 = saved }
}

// evoNoAhead prepares an A/B's old form of evonorm_b0 inference (AVX-512,
// streaming): the output prefetching nothing ahead (0: its own lines).
func evoNoAhead(*Backend) func() {
	saved := ntAVX512.evoB0
	ntAVX512.evoB0 = func(y, x, sb, vc, sw, g, b []float32, _ int) { saved(y, x, sb, vc, sw, g, b, 0) }
	return func() { ntAVX512.evoB0 = saved }
}

// TestEvoL2Bits: evonorm_s0 with the prefetched images' statistics
// summed by colShiftSumsL2 (evoStats.sumsL2) writes the bits of the
// row-by-row form, plain and streaming (llcBytes 0), at
// shapes with several blocks per image, partial spans and channel counts
// that leave vector tails (y and any other float32 output).
func TestEvoL2Bits(t *testing.T) {
	cases := []string{"evonorm_s0/N=3,H=21,W=21,C=300", "evonorm_s0/N=4,H=28,W=28,C=128", "evonorm_s0/N=3,H=31,W=29,C=160",
		"evonorm_s0/N=2,H=100,W=100,C=5,groups=5"}
	for _, stream := range []bool{false, true} {
		if stream {
			saved := llcBytes
			llcBytes = func() int { return 0 }
			defer func() { llcBytes = saved }()
		}
		for _, cs := range cases {
			runs, outs, _ := abRuns(t, cs, 1, evoNoL2)
			var got [2][][]float32
			for i, r := range runs {
				for _, o := range outs {
					clear(o)
				}
				if err := r[0].Run(); err != nil {
					t.Fatal(err)
				}
				for _, o := range outs {
					got[i] = append(got[i], slices.Clone(o))
				}
			}
			for j := range got[0] {
				for e := range got[0][j] {
					if math.Float32bits(got[0][j][e]) != math.Float32bits(got[1][j][e]) {
						t.Fatalf("%s (streaming %v): output %d [%d]: %v, row by row %v", cs, stream, j, e, got[1][j][e], got[0][j][e])
					}
				}
			}
		}
	}
}

// BenchmarkEvoAB runs evonorm_b0 inference without the output's prefetch
// of the next image (evoNoAhead) and with it, and evonorm_s0 without
// colShiftSumsL2 (evoNoL2) and with it, at their full shapes,
// alternating run by run on one locked thread over 5 buffer sets (abRuns;
// x from DRAM), and reports the median thread CPU times as GB/s of the
// suite's byte count and the speedup:
// go test -run - -bench EvoAB -benchtime 30x ./backends/simd
func BenchmarkEvoAB(b *testing.B) {
	for _, ab := range []struct {
		cs  string
		old func(*Backend) func()
	}{{"evonorm_b0/N=32,H=56,W=56,C=64,training=false", evoNoAhead},
		{"evonorm_s0/N=32,H=56,W=56,C=64", evoNoL2}, {"evonorm_s0/N=32,H=28,W=28,C=128", evoNoL2}} {
		cs := ab.cs
		runs, _, bytes := abRuns(b, cs, 4, ab.old)
		b.Run(cs, func(b *testing.B) { abTime(b, runs, bytes) })
	}
}

// abTime alternates runs[0] and runs[1] run by run on one locked thread,
// each on the set after the previous run's, and reports the median thread
// CPU times as GB/s of bytes and the speedup.
func abTime(b *testing.B, runs [2][]kernel.Bound, bytes float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var tm [2][]float64
	set := 0
	for b.Loop() {
		for i, r := range runs {
			t0 := int64(ThreadCPU())
			if err := r[set].Run(); err != nil {
				b.Fatal(err)
			}
			tm[i] = append(tm[i], float64(int64(ThreadCPU())-t0))
			set = (set + 1) % len(r)
		}
	}
	med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
	o, n := med(tm[0]), med(tm[1])
	b.ReportMetric(bytes/o, "oldGB/s")
	b.ReportMetric(bytes/n, "newGB/s")
	b.ReportMetric(o/n, "speedup")
}
