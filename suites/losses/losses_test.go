package losses

import (
	"errors"
	"math"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// runCase fills kernel k at shape on host tensors, runs it on the go
// backend with the given threads and returns the data, outputs included.
func runCase(t *testing.T, k *suite.Kernel, shape string, threads int) (suite.Case, []*kernel.Host) {
	t.Helper()
	c, d, err := k.Instance(shape, 7)
	if err != nil {
		t.Fatal(err)
	}
	suite.Poison(c, d)
	if err := suite.RunOnce(pure.New(kernel.Config{Threads: threads}), c.Op(suite.Tensors(d))); err != nil {
		t.Fatalf("%s: %v", shape, err)
	}
	return c, d
}

func lookup(t *testing.T, name string) *suite.Kernel {
	k, ok := suite.Lookup(name)
	if !ok {
		t.Fatalf("kernel %s not registered", name)
	}
	return k
}

// Where s_i >> c^2 nothing cancels, and the stable form must equal the
// naive sqrt(s + c^2) - c.
func TestPseudoHuberStableIsNaive(t *testing.T) {
	const shape = "N=16,D=4096,c=0.5"
	c, d := runCase(t, lookup(t, "pseudo_huber"), shape, 3)
	ps := c.(*perSample)
	cc := float64(ps.c)
	var naive, stable float64
	for i := 0; i < ps.N; i++ {
		s := refSqDiff(d[0].F32[i*ps.D:(i+1)*ps.D], d[1].F32[i*ps.D:(i+1)*ps.D])
		if s < 1e3*cc*cc {
			t.Fatalf("sample %d: s = %g is not >> c^2 = %g", i, s, cc*cc)
		}
		naive += math.Sqrt(s+cc*cc) - cc
		stable += refPseudoHuber(s, cc)
	}
	naive /= float64(ps.N)
	stable /= float64(ps.N)
	if math.Abs(stable-naive) > 1e-12*naive {
		t.Errorf("reference stable form %g, naive form %g", stable, naive)
	}
	if ck := suite.Scalar("loss", d[2].F32[0], naive, lossAtol, lossRtol); ck.Verdict != suite.Passed {
		t.Errorf("go backend vs naive form: %s", ck.Detail)
	}
}

// The losses cut their sums by the shape, not the thread count: the result
// is bit-identical for any number of threads.
func TestLossesDeterministic(t *testing.T) {
	for _, tc := range []struct{ kernel, shape string }{
		{"mse", "N=300,D=1000"}, {"huber", "N=300,D=1000"}, {"pseudo_huber", "N=300,D=1000"},
		{"cauchy", "N=300,D=1000"}, {"mse_masked", "N=300,D=1000"}, {"cross_entropy", "N=100,V=3000,fill=ignore"},
		{"mse", "N=70000,D=1"},
	} {
		k := lookup(t, tc.kernel)
		_, d := runCase(t, k, tc.shape, 1)
		want := d[len(d)-1].F32[0]
		for _, threads := range []int{2, 3, 7} {
			_, d := runCase(t, k, tc.shape, threads)
			if got := d[len(d)-1].F32[0]; math.Float32bits(got) != math.Float32bits(want) {
				t.Errorf("%s %s: %d threads give %g, 1 thread %g", tc.kernel, tc.shape, threads, got, want)
			}
		}
	}
}

// A target out of range makes the loss NaN and is never read: the logits
// are exactly N*V long, so a read past a row's end would go out of bounds
// (or into the next row).
func TestCrossEntropyTargetOutOfRange(t *testing.T) {
	for _, bad := range []int32{-1, -101, 4, 1 << 30} {
		z := []float32{1, 2, 3, 4, 5, 6, 7, 8}
		out := []float32{0}
		op := kernel.CrossEntropy{N: 2, V: 4, IgnoreIndex: ignoreIndex, Logits: &kernel.Host{F32: z},
			Targets: &kernel.Host{I32: []int32{0, bad}}, Out: &kernel.Host{F32: out}}
		b, err := pure.New(kernel.Config{}).Prepare(op)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Run(); err != nil {
			t.Fatal(err)
		}
		if ref := refCrossEntropy(z, []int32{0, bad}, 4); !math.IsNaN(ref) || !math.IsNaN(float64(out[0])) {
			t.Errorf("target %d: go %g, reference %g, want NaN", bad, out[0], ref)
		}
	}
}

// The parameter errors of KERNELS.md section 5 are shape errors.
func TestLossParameterErrors(t *testing.T) {
	f := func(n int) *kernel.Host { return &kernel.Host{F32: make([]float32, n)} }
	p, tt, out := f(8), f(8), f(1)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, op := range []kernel.Op{
		kernel.Huber{N: 2, D: 4, Delta: 0, P: p, T: tt, Out: out},
		kernel.Huber{N: 2, D: 4, Delta: -1, P: p, T: tt, Out: out},
		kernel.Huber{N: 2, D: 4, Delta: nan, P: p, T: tt, Out: out},
		kernel.PseudoHuber{N: 2, D: 4, C: 0, P: p, T: tt, Out: out},
		kernel.PseudoHuber{N: 2, D: 4, C: inf, P: p, T: tt, Out: out},
		kernel.Cauchy{N: 2, D: 4, C: -0.5, P: p, T: tt, Out: out},
		kernel.Cauchy{N: 2, D: 4, C: nan, P: p, T: tt, Out: out},
		kernel.MSE{N: 2, D: 0, P: f(0), T: f(0), Out: out},
		kernel.MSE{N: 2, D: 4, P: p, T: f(7), Out: out},
		kernel.MSE{N: 2, D: 4, P: p, T: tt, Out: f(2)},
		kernel.CrossEntropy{N: 2, V: 4, Logits: p, Targets: f(2), Out: out},
		kernel.CrossEntropy{N: 2, V: 0, Logits: f(0), Targets: &kernel.Host{I32: []int32{0, 0}}, Out: out},
		kernel.MSEMasked{N: 2, D: 4, P: p, T: tt, Mask: &kernel.Host{U8: []uint8{1}}, Out: out},
		kernel.MSEMasked{N: 2, D: 4, P: p, T: tt, Mask: &kernel.Host{U8: []uint8{1, 1}}, Weights: f(3), Out: out},
		kernel.MSEMasked{N: 2, D: 4, P: p, T: tt, Out: out},
	} {
		_, err := pure.New(kernel.Config{}).Prepare(op)
		if !errors.Is(err, kernel.ErrShape) {
			t.Errorf("%s %+v: got %v, want a shape error", op.Kernel(), op, err)
		}
	}
}
