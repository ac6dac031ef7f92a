//go:build linux && amd64 && !purego

package simd

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// trainOld is the level of the training norms before this branch: the
// two-sweep statistics (colSum, then colSqDev from cache), and, as a copy
// of vec, no fused PowerNorm rows (groupRowsOf); trainRuns also prepares
// its kernels with one super-row per affine call.
func trainOld(lv *level) *level {
	old, f := *lv, *lv.f
	f.colShiftSums = nil
	old.f = &f
	return &old
}

// trainRuns prepares case cs (kernel/shape) on the old level (trainOld,
// one super-row per affine call) and on the current one (abRuns).
func trainRuns(tb testing.TB, cs string, sets int) (runs [2][]kernel.Bound, outs [][]float32, bytes float64) {
	return abRuns(tb, cs, sets, func(b *Backend) func() {
		b.lv = trainOld(b.lv)
		saved := colAffineSpan
		colAffineSpan = 0
		return func() { colAffineSpan = saved }
	})
}

// abRuns prepares case cs (kernel/shape) on an old backend (set up by old,
// which returns what restores the package's state after the old form's
// Prepare) and on the current one, each on sets buffer sets (the same sets
// for both; runs[form][set]; an even sets > 1 is raised by one), and
// returns the runs, set 0's float32 outputs and the suite's byte count.
func abRuns(tb testing.TB, cs string, sets int, old func(b *Backend) (restore func())) (runs [2][]kernel.Bound, outs [][]float32, bytes float64) {
	sets = abSets(sets)
	name, shape, _ := cut(cs)
	k, ok := suite.Lookup(name)
	if !ok {
		tb.Fatalf("%s: no such kernel", name)
	}
	c, err := k.Build(shape)
	if err != nil {
		tb.Fatal(err)
	}
	nb, err := New(kernel.Config{Threads: 1})
	if err != nil {
		tb.Fatal(err)
	}
	ob := *nb
	bufs := c.Buffers()
	host := suite.Alloc(c)
	c.Fill(rand.New(rand.NewPCG(1, 2)), host)
	for set := range sets {
		ts := make([]kernel.Tensor, len(bufs))
		for i, bf := range bufs {
			if ts[i], err = nb.Alloc(bf.DType, bf.Len); err != nil {
				tb.Fatal(err)
			}
			if err := nb.Write(ts[i], host[i].Slice()); err != nil {
				tb.Fatal(err)
			}
			if set == 0 && bf.Out && bf.DType == kernel.F32 {
				outs = append(outs, kernel.F32s(ts[i]))
			}
		}
		for i, be := range []*Backend{&ob, nb} {
			restore := func() {}
			if i == 0 {
				restore = old(be)
			}
			r, err := be.Prepare(c.Op(ts))
			restore()
			if err != nil {
				tb.Fatal(err)
			}
			runs[i] = append(runs[i], r)
		}
	}
	return runs, outs, c.Cost().Bytes
}

// TestPowerNormTrainFusedBits: powernorm_train on the fused group rows
// (groupRowsOf) gives the bits of the primitives' composition (the old
// level's copy of vec has no fused rows), y and the new phi.
func TestPowerNormTrainFusedBits(t *testing.T) {
	for _, cs := range []string{"powernorm_train/B=2,T=197,C=768,G=12", "powernorm_train/B=3,T=50,C=256,G=2,warmup=4,iter=2",
		"powernorm_train/B=1,T=999,C=64,G=1"} {
		runs, outs, _ := trainRuns(t, cs, 1)
		if len(outs) != 2 {
			t.Fatalf("%s: %d float32 outputs, want y and phi", cs, len(outs))
		}
		var got [2][][]float32
		for i, r := range runs {
			if err := r[0].Run(); err != nil {
				t.Fatal(err)
			}
			for _, o := range outs {
				got[i] = append(got[i], slices.Clone(o))
			}
		}
		for j := range outs {
			for e := range got[0][j] {
				if math.Float32bits(got[0][j][e]) != math.Float32bits(got[1][j][e]) {
					t.Fatalf("%s: output %d element %d: fused %v, composed %v", cs, j, e, got[1][j][e], got[0][j][e])
				}
			}
		}
	}
}

// BenchmarkTrainNormsAB runs each training norm's full shapes with the
// previous statistics pass (trainOld) and the current one, alternating run
// by run on one locked thread over 5 buffer sets (each run on the set
// after the previous run's, so x is not in cache), and reports the
// median thread CPU times as GB/s of the suite's byte count and the
// speedup: go test -run - -bench TrainNormsAB -benchtime 20x.
func BenchmarkTrainNormsAB(b *testing.B) {
	for _, cs := range []string{
		"batchnorm_train/layout=nhwc,N=32,H=56,W=56,C=64", "batchnorm_train/layout=nc,N=8192,C=1024",
		"prepbn_train/B=64,T=197,C=768", "unified_norm_train/B=64,T=197,C=768",
		"unified_norm_train/B=64,T=197,C=768,filter=false",
		"powernorm_train/B=64,T=197,C=768,G=12", "powernorm_train/B=64,T=197,C=768",
		"evonorm_b0/N=32,H=56,W=56,C=64", "evonorm_b0/N=32,H=28,W=28,C=128",
	} {
		runs, _, bytes := trainRuns(b, cs, 4)
		b.Run(cs, func(b *testing.B) { abTime(b, runs, bytes) })
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
