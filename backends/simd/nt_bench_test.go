//go:build !purego

package simd

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkStreaming compares each plain output routine with its
// streaming form, in cache (64 KiB per array) and from DRAM (64 MiB per
// array), at one thread: go test -run - -bench Streaming -count 5.
// Bytes are the minimum traffic (inputs read and y written once).
func BenchmarkStreaming(b *testing.B) {
	seen := map[*vec]bool{}
	for _, l := range levels() {
		k := ntOf(l.f)
		if !l.ok || k == nil || seen[l.f] {
			continue
		}
		seen[l.f] = true
		v := l.f
		for _, n := range []int{1 << 14, 1 << 24} {
			x, g, bb := alignedF32(n, 64), alignedF32(n, 64), alignedF32(n, 64)
			y := alignedF32(n, 64)
			for i := range x {
				x[i], g[i], bb[i] = float32(i%97)*0.01-0.4, 1, 0
			}
			c := 4096
			cases := []struct {
				name  string
				bytes int
				plain func()
				nt    func()
			}{
				{"normAffine", 16 * n, func() { v.normAffine(y, x, g, bb, 0, 1) }, func() { k.normAffine(y, x, g, bb, 0, 1) }},
				{"layerNormRows", 8 * n, func() { fusedLayerNorm(v)(y, x, g[:c], bb[:c], n/c, c, 1/float32(c), 1e-5, 1) },
					func() { k.layerNormRows(y, x, g[:c], bb[:c], n/c, c, 1/float32(c), 1e-5, 1) }},
				{"rmsNormRows", 8 * n, func() { fusedRMSNorm(v)(y, x, g[:c], n/c, c, 1/float32(c), 1e-5, 1) },
					func() { k.rmsNormRows(y, x, g[:c], n/c, c, 1/float32(c), 1e-5, 1) }},
			}
			for _, cs := range cases {
				for _, form := range []string{"plain", "nt"} {
					f := cs.plain
					if form == "nt" {
						f = cs.nt
					}
					b.Run(fmt.Sprintf("%s/%s/%s/n=%d", l.f.path, cs.name, form, n), func(b *testing.B) {
						b.SetBytes(int64(cs.bytes))
						for b.Loop() {
							f()
						}
					})
				}
			}
		}
	}
}

// BenchmarkStreamingAB times each plain routine against its streaming
// form on DRAM-resident data (buffer sets rotated beyond 256 MiB), the two
// forms alternated call by call so load from other processes hits both
// alike; it reports the best GB/s of each (minimum traffic: x read and y
// written once) and their ratio: go test -run - -bench StreamingAB.
func BenchmarkStreamingAB(b *testing.B) {
	v := supported()[0].f
	k := ntOf(v)
	if k == nil {
		b.Skip("no streaming forms")
	}
	for _, sh := range []struct{ rows, c int }{{2048, 4096}, {2048, 8192}, {12608, 768}, {8192, 1024}} {
		n := sh.rows * sh.c
		sets := max(2, (256<<20)/(8*n))
		xs, ys := make([][]float32, sets), make([][]float32, sets)
		for i := range xs {
			xs[i], ys[i] = alignedF32(n, 64), alignedF32(n, 64)
			for j := range xs[i] {
				xs[i][j] = float32(j%97)*0.03 - 1.4
			}
		}
		g, bb := alignedF32(n, 64), alignedF32(n, 64)
		for i := range g {
			g[i], bb[i] = 1, 0.5
		}
		c, rows, inv := sh.c, sh.rows, 1/float32(sh.c)
		for _, r := range []struct {
			name      string
			plain, nt func(y, x []float32)
		}{
			{"layerNormRows", func(y, x []float32) { fusedLayerNorm(v)(y, x, g, bb, rows, c, inv, 1e-5, 1) },
				func(y, x []float32) { k.layerNormRows(y, x, g, bb, rows, c, inv, 1e-5, 1); sfence() }},
			{"rmsNormRows", func(y, x []float32) { fusedRMSNorm(v)(y, x, g, rows, c, inv, 1e-5, 1) },
				func(y, x []float32) { k.rmsNormRows(y, x, g, rows, c, inv, 1e-5, 1); sfence() }},
			{"normAffine", func(y, x []float32) {
				for i := 0; i < n; i += c {
					v.normAffine(y[i:i+c], x[i:i+c], g, bb, 0, 1)
				}
			}, func(y, x []float32) {
				for i := 0; i < n; i += c {
					k.normAffine(y[i:i+c], x[i:i+c], g, bb, 0, 1)
				}
				sfence()
			}},
		} {
			b.Run(fmt.Sprintf("%s/%dx%d", r.name, rows, c), func(b *testing.B) {
				var best [2]time.Duration
				set := 0
				for b.Loop() {
					for form, f := range []func(y, x []float32){r.plain, r.nt} {
						t0 := time.Now()
						f(ys[set], xs[set])
						if d := time.Since(t0); best[form] == 0 || d < best[form] {
							best[form] = d
						}
						set = (set + 1) % sets
					}
				}
				gbs := func(d time.Duration) float64 { return float64(8*n) / d.Seconds() / 1e9 }
				b.ReportMetric(gbs(best[0]), "plainGB/s")
				b.ReportMetric(gbs(best[1]), "ntGB/s")
				b.ReportMetric(float64(best[0])/float64(best[1]), "nt-speedup")
			})
		}
	}
}
