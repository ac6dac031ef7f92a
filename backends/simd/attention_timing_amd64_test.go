//go:build !purego

package simd

import (
	"os"
	"testing"
	"time"
)

// TestAttnRunTiming compares attnRunAVX512 (f0) with attnRunPipeAVX512
// (f1) in cache, 8 tiles, as the best of 2000 alternating timings (robust
// to the other processes on a shared machine):
// NBENCH_ATTN_TIMING=1 go test -run AttnRunTiming -v ./backends/simd
func TestAttnRunTiming(t *testing.T) {
	if os.Getenv("NBENCH_ATTN_TIMING") == "" {
		t.Skip("set NBENCH_ATTN_TIMING=1")
	}
	for _, d := range []int{64, 128} {
		const n = 8
		s, q, kt := make([]float32, 864), make([]float32, 6*d), make([]float32, n*d*64)
		st, corr, o, v := make([]float32, 32), make([]float32, 32), make([]float32, 6*d), make([]float32, n*64*d)
		for i := range q {
			q[i] = float32(i%7) * 0.01
		}
		for i := range kt {
			kt[i] = float32(i%13) * 0.01
		}
		for i := range v {
			v[i] = float32(i%5) * 0.01
		}
		for i := range 16 {
			st[i] = -1e30
		}
		fs := []func(){
			func() { attnRunAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64) },
			func() { attnRunPipeAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64) },
		}
		best := make([]time.Duration, len(fs))
		for rep := 0; rep < 2000; rep++ {
			for k, f := range fs {
				t0 := time.Now()
				for range 20 {
					f()
				}
				el := time.Since(t0) / 20
				if best[k] == 0 || el < best[k] {
					best[k] = el
				}
			}
		}
		flop := float64(n * 6 * 64 * (4*d + 5))
		for k := range fs {
			t.Logf("D=%d f%d: %v/call, %.1f%% of 268 GFLOP/s", d, k, best[k], flop/best[k].Seconds()/268e9*100)
		}
	}
}
