package simd_test

import (
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestQuantizeW4GParts checks quantize_w4g on rows longer than the parts
// its passes take at once (4096 elements): several parts per row, equal
// and not, streaming (the 64-row case exceeds the cache) and plain, with
// NaN and Inf groups (fill=edge), at every level.
func TestQuantizeW4GParts(t *testing.T) {
	k, ok := suite.Lookup("quantize_w4g")
	if !ok {
		t.Fatal("no quantize_w4g")
	}
	seed := conformance.Seed(t)
	for _, isa := range paths(t) {
		b, err := simd.New(kernel.Config{Threads: 1, ISA: isa})
		if err != nil {
			t.Fatal(err)
		}
		hb := harness.Backend{Name: "simd", Backend: b}
		for _, shape := range []string{"N=64,K=8320,G=128", "N=2,K=12288,G=32,sym=true,fill=edge",
			"N=3,K=4160,G=64,fill=edge", "N=2,K=4608,G=4608"} {
			p, err := k.ParseParams(shape)
			if err != nil {
				t.Fatal(err)
			}
			it := harness.Item{Kernel: k, Params: p}
			r := harness.Run([]harness.Item{it}, []harness.Backend{hb}, harness.Options{Seed: seed, NoTiming: true})[0]
			if r.Check.Verdict != suite.Passed {
				t.Errorf("%s %s: %s: %s (err/tol %.3g)", isa, shape, r.Check.Verdict, r.Check.Detail, r.Check.ErrRatio)
			}
		}
	}
}
