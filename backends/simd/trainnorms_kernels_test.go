package simd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestTrainNormsShapes runs the training norms through the harness at
// shapes the suite's lists miss: a tail of rows after the super-rows
// (M not a multiple of reps), several statistics blocks, widths that are
// not a multiple of the vector, special values, on every level with 1 and
// 3 threads.
func TestTrainNormsShapes(t *testing.T) {
	shapes := map[string][]string{
		"batchnorm_train": {"layout=nc,N=37,C=24", "layout=nc,N=1000,C=100", "layout=nhwc,N=2,H=9,W=11,C=40",
			"layout=nc,N=3001,C=7", "layout=nc,N=37,C=24,fill=special"},
		"prepbn_train":       {"B=1,T=37,C=24", "B=3,T=101,C=100,lam=0.3", "B=1,T=37,C=24,fill=special"},
		"powernorm_train":    {"B=1,T=37,C=24,G=3", "B=3,T=101,C=100,G=4,warmup=4,iter=5", "B=2,T=700,C=6,G=2,warmup=4,iter=2", "B=1,T=37,C=24,G=3,fill=special"},
		"unified_norm_train": {"B=1,T=37,C=24,iter=7,warmup=2", "B=3,T=101,C=100,iter=6,warmup=2,fill=outlier", "B=2,T=700,C=6,iter=9,warmup=2", "B=1,T=37,C=24,iter=7,warmup=2,fill=special"},
	}
	seed := uint64(rand.Uint32())
	t.Logf("seed %d", seed)
	for _, isa := range paths(t) {
		for _, threads := range []int{1, 3} {
			b, err := simd.New(kernel.Config{Threads: threads, ISA: isa})
			if err != nil {
				t.Fatal(err)
			}
			hb := harness.Backend{Name: "simd", Backend: b}
			for id, list := range shapes {
				k, _ := suite.Lookup(id)
				for _, shape := range list {
					p, err := k.ParseParams(shape)
					if err != nil {
						t.Fatalf("%s/%s: %v", id, shape, err)
					}
					it := harness.Item{Kernel: k, Params: p}
					r := harness.Run([]harness.Item{it}, []harness.Backend{hb}, harness.Options{Seed: seed, NoTiming: true})[0]
					if r.Check.Verdict != suite.Passed {
						t.Errorf("%s threads=%d %s: %s: %s", isa, threads, it.Name(), r.Check.Verdict, r.Check.Detail)
					}
				}
			}
		}
	}
}
