//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// BenchmarkRepQuantAB compares repquant_ln_linear with its old tile form
// (prepareRepQuantLNLinearTile) on the suite's full shapes at the best
// level, one thread, thread CPU time, alternated call by call:
// go test -run - -bench RepQuantAB -benchtime 3s.
func BenchmarkRepQuantAB(b *testing.B) {
	lv := supported()[0]
	if lv.q == nil || lv.q.sgTile == nil || lv.q.rqCodes == nil || gf32Of(lv) == nil {
		b.Skip("no repquant_ln_linear at " + lv.name)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sh := range []struct{ M, C, N int }{{197, 768, 2304}, {197, 768, 3072}, {197, 1024, 4096}} {
		M, C, N := sh.M, sh.C, sh.N
		op := kernel.RepQuantLNLinear{M: M, C: C, N: N, Bits: 4, Eps: 1e-6, Dt: 0.37, Zt: 8,
			X: &kernel.Host{F32: randSlice(rng, M*C)}, Gamma: &kernel.Host{F32: randSlice(rng, C)},
			Beta: &kernel.Host{F32: randSlice(rng, C)}, W: &kernel.Host{F32: randSlice(rng, N*C)},
			Bias: &kernel.Host{F32: randSlice(rng, N)}, Y: &kernel.Host{F32: make([]float32, M*N)},
			Q: &kernel.Host{U8: make([]uint8, M*C)}}
		var fs [2]kernel.Bound
		for i, prep := range []func(*Backend, kernel.Op) (kernel.Bound, error){prepareRepQuantLNLinearTile, prepareRepQuantLNLinear} {
			bd, err := prep(&Backend{threads: 1, lv: lv, pure: pure.New(kernel.Config{})}, op)
			if err != nil {
				b.Fatal(err)
			}
			fs[i] = bd
		}
		b.Run(fmt.Sprintf("M=%d,C=%d,N=%d", M, C, N), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var ts [2][]float64
			for b.Loop() {
				for form, f := range fs {
					t0 := int64(ThreadCPU())
					if err := f.Run(); err != nil {
						b.Fatal(err)
					}
					ts[form] = append(ts[form], float64(int64(ThreadCPU())-t0))
				}
			}
			med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
			o, nw := med(ts[0]), med(ts[1])
			flops := float64(2 * M * C * N)
			b.ReportMetric(flops/o, "oldGFLOP/s")
			b.ReportMetric(flops/nw, "newGFLOP/s")
			b.ReportMetric(o/nw, "speedup")
		})
	}
}
