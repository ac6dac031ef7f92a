package qmatmul

import (
	"math"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// gemmF32Sum computes one output of gemm_f32 in float32 the way a kernel
// might: sum(k, term) returns the product of step k (the caller's inputs)
// and the order is sequential (one accumulator, the worst for rounding),
// or blocked over 16 lanes then added pairwise; fma fuses each step.
func gemmF32Sum(x, w []float32, b float32, blocked, fma bool) float32 {
	step := func(acc, u, v float32) float32 {
		if fma {
			return float32(math.FMA(float64(u), float64(v), float64(acc)))
		}
		return acc + u*v
	}
	if !blocked {
		acc := b
		for k := range x {
			acc = step(acc, x[k], w[k])
		}
		return acc
	}
	var lanes [16]float32
	for k := range x {
		lanes[k%16] = step(lanes[k%16], x[k], w[k])
	}
	for n := 8; n >= 1; n /= 2 {
		for i := range n {
			lanes[i] += lanes[i+n]
		}
	}
	return lanes[0] + b
}

// gemmF32Case fills a case of shape and computes Y with f (rows of X and W
// in, one output out); it returns the check.
func gemmF32Case(t *testing.T, shape string, prep func(x, w []float32), f func(x, w []float32, b float32) float32) suite.Check {
	t.Helper()
	k, ok := suite.Lookup("gemm_f32")
	if !ok {
		t.Fatal("gemm_f32 is not registered")
	}
	c, host, err := k.Instance(shape, 21)
	if err != nil {
		t.Fatal(err)
	}
	g := c.(*gemmF32)
	x, w, y := g.l.h(host, "x").F32, g.l.h(host, "w").F32, g.l.h(host, "y").F32
	if prep != nil {
		prep(x, w)
	}
	var bias []float32
	if b := g.l.h(host, "bias"); b != nil {
		bias = b.F32
	}
	K := g.K
	for m := range g.M {
		for n := range g.N {
			var b float32
			if bias != nil {
				b = bias[n]
			}
			y[m*g.N+n] = f(x[m*K:(m+1)*K], w[n*K:(n+1)*K], b)
		}
	}
	return c.Check(host)
}

// The bound admits float32 sums in any order, with or without FMA, also
// sequential sums of same-signed terms (the largest rounding error), up to
// K = 16384; and the edge fills (NaN, Inf, zero rows).
func TestGemmF32TolAdmitsFloat32(t *testing.T) {
	abs := func(x, w []float32) {
		for i := range x {
			x[i] = float32(math.Abs(float64(x[i])))
		}
		for i := range w {
			w[i] = float32(math.Abs(float64(w[i])))
		}
	}
	for _, shape := range []string{"M=3,N=5,K=1", "M=4,N=9,K=7", "M=4,N=16,K=4099", "M=2,N=8,K=16384", "M=6,N=7,K=700,fill=edge"} {
		for _, prep := range []func(x, w []float32){nil, abs} {
			for _, blocked := range []bool{false, true} {
				for _, fma := range []bool{false, true} {
					ch := gemmF32Case(t, shape, prep, func(x, w []float32, b float32) float32 {
						return gemmF32Sum(x, w, b, blocked, fma)
					})
					t.Logf("%s same-signed=%v blocked=%v fma=%v: err/tol %.3g", shape, prep != nil, blocked, fma, ch.ErrRatio)
					if ch.Verdict != suite.Passed {
						t.Errorf("%s same-signed=%v blocked=%v fma=%v: %s %s (err/tol %.3g)", shape, prep != nil, blocked, fma,
							ch.Verdict, ch.Detail, ch.ErrRatio)
					}
				}
			}
		}
	}
}

// bf16 rounds v to bfloat16 (8 significant bits, RNE).
func bf16(v float32) float32 {
	b := math.Float32bits(v)
	b += 0x7FFF + (b>>16)&1
	return math.Float32frombits(b &^ 0xFFFF)
}

// The bound fails real mistakes: a product dropped, an off-by-one in W,
// and bf16 inputs at the K of the shape sets.
func TestGemmF32TolRejectsMistakes(t *testing.T) {
	for _, tc := range []struct {
		name, shape string
		f           func(x, w []float32, b float32) float32
	}{
		{"last product dropped", "M=4,N=16,K=4096", func(x, w []float32, b float32) float32 {
			return gemmF32Sum(x[:len(x)-1], w, b, true, true)
		}},
		{"W shifted by one", "M=4,N=16,K=301", func(x, w []float32, b float32) float32 {
			return gemmF32Sum(x[1:], w, b, true, true)
		}},
		{"bias missing", "M=4,N=16,K=1024", func(x, w []float32, b float32) float32 {
			return gemmF32Sum(x, w, 0, true, true)
		}},
		{"bf16 inputs", "M=4,N=64,K=4096", func(x, w []float32, b float32) float32 {
			xb, wb := make([]float32, len(x)), make([]float32, len(w))
			for i := range x {
				xb[i], wb[i] = bf16(x[i]), bf16(w[i])
			}
			return gemmF32Sum(xb, wb, b, true, true)
		}},
	} {
		if ch := gemmF32Case(t, tc.shape, nil, tc.f); ch.Verdict != suite.Failed {
			t.Errorf("%s (%s): %s, want FAILED (err/tol %.3g)", tc.name, tc.shape, ch.Verdict, ch.ErrRatio)
		}
	}
}

// Cost: 2MNK FLOPs plus MN for the bias; bytes 4(MK+NK+MN) plus 4N.
func TestGemmF32Cost(t *testing.T) {
	k, _ := suite.Lookup("gemm_f32")
	for _, tc := range []struct {
		shape        string
		flops, bytes float64
	}{
		{"M=2,N=3,K=5", 2*2*3*5 + 2*3, 4 * (2*5 + 3*5 + 2*3 + 3)},
		{"M=2,N=3,K=5,bias=false", 2 * 2 * 3 * 5, 4 * (2*5 + 3*5 + 2*3)},
	} {
		c, err := k.Build(tc.shape)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Cost(); got.Flops != tc.flops || got.Bytes != tc.bytes || got.IntOps != 0 {
			t.Errorf("%s: cost %+v, want %v FLOPs, %v bytes", tc.shape, got, tc.flops, tc.bytes)
		}
	}
	if op := (kernel.GemmF32{M: 1, N: 1, K: 0}); op.Validate() == nil {
		t.Error("K = 0 validated")
	}
}
