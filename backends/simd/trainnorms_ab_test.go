//go:build linux && amd64 && !purego

package simd

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// trainOld is the level of the training norms before the shifted single
// pass: the two-sweep statistics (colSum, then colSqDev from cache); the
// old kernels are also prepared with one super-row per affine call.
func trainOld(lv *level) *level {
	old, f := *lv, *lv.f
	f.colShiftSums = nil
	old.f = &f
	return &old
}

// BenchmarkTrainNormsAB runs each training norm's full shapes with the
// previous statistics pass (trainOld) and the current one on the same
// buffers, alternating run by run on one locked thread, and reports the
// median thread CPU times as GB/s of the suite's byte count and the
// speedup: go test -run - -bench TrainNormsAB -benchtime 20x.
// NBENCH_AB_THREADS is not read: Backend threads are 1.
func BenchmarkTrainNormsAB(b *testing.B) {
	for _, cs := range []string{
		"batchnorm_train/layout=nhwc,N=32,H=56,W=56,C=64", "batchnorm_train/layout=nc,N=8192,C=1024",
		"prepbn_train/B=64,T=197,C=768", "unified_norm_train/B=64,T=197,C=768",
		"unified_norm_train/B=64,T=197,C=768,filter=false",
		"powernorm_train/B=64,T=197,C=768,G=12", "powernorm_train/B=64,T=197,C=768",
	} {
		name, shape, _ := cut(cs)
		k, ok := suite.Lookup(name)
		if !ok {
			b.Fatalf("%s: no such kernel", name)
		}
		c, err := k.Build(shape)
		if err != nil {
			b.Fatal(err)
		}
		nb, err := New(kernel.Config{Threads: 1})
		if err != nil {
			b.Fatal(err)
		}
		ob := *nb
		ob.lv = trainOld(nb.lv)
		bufs := c.Buffers()
		host := suite.Alloc(c)
		c.Fill(rand.New(rand.NewPCG(1, 2)), host)
		ts := make([]kernel.Tensor, len(bufs))
		for i, bf := range bufs {
			if ts[i], err = nb.Alloc(bf.DType, bf.Len); err != nil {
				b.Fatal(err)
			}
			if err := nb.Write(ts[i], host[i].Slice()); err != nil {
				b.Fatal(err)
			}
		}
		var runs [2]kernel.Bound
		for i, be := range []*Backend{&ob, nb} {
			saved := colAffineSpan
			if i == 0 {
				colAffineSpan = 0
			}
			runs[i], err = be.Prepare(c.Op(ts))
			colAffineSpan = saved
			if err != nil {
				b.Fatal(err)
			}
		}
		bytes := c.Cost().Bytes
		b.Run(cs, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var tm [2][]float64
			for b.Loop() {
				for i, r := range runs {
					t0 := threadCPU()
					if err := r.Run(); err != nil {
						b.Fatal(err)
					}
					tm[i] = append(tm[i], float64(threadCPU()-t0))
				}
			}
			med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
			o, n := med(tm[0]), med(tm[1])
			b.ReportMetric(bytes/o, "oldGB/s")
			b.ReportMetric(bytes/n, "newGB/s")
			b.ReportMetric(o/n, "speedup")
		})
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
