package qmatmul

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// gemm_f32: Y = X W^T + bias in float32, the fp32 baseline of the int8 and
// 4-bit GEMMs (nbench's own kernel, no paper), in their layout: X [M,K],
// W [N,K] with K contiguous, optional bias [N], Y [M,N]. X ~ N(0,1),
// W ~ N(0, 0.02^2) and bias ~ U(-0.5, 0.5), as gemm_w8a8 and gemm_w4g draw
// them before quantizing.
//
// Tolerance: |Y - R| <= 2^-22 * sqrt(K) * (sum_k |X[m,k] W[n,k]| + |bias[n]|)
// with R the float64 GEMM. A float32 sum of K products in any order (FMA
// or not, with or without blocking) errs by about u*sqrt(K) times that
// magnitude at worst on these random inputs (u = 2^-24; a same-signed sum
// reaches u*sqrt(K/3)), so the bound has a margin of four; its worst case
// K*u is not reached by random rounding. It still fails a dropped or
// repeated product (about 1/K of the magnitude, above 4u*sqrt(K) while
// K < 26000) and bf16 inputs (relative error 2^-9 per product).
type gemmF32 struct {
	M, N, K    int
	bias, edge bool
	l          layout
}

func newGemmF32(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &gemmF32{M: r.Int("M", 0), N: r.Int("N", 0), K: r.Int("K", 1), bias: r.Bool("bias")}
	c.edge = readFill(&r)
	c.l.add("x", kernel.F32, c.M*c.K, false)
	c.l.add("w", kernel.F32, c.N*c.K, false)
	if c.bias {
		c.l.add("bias", kernel.F32, c.N, false)
	}
	c.l.add("y", kernel.F32, c.M*c.N, true)
	return c, r.Err
}

func (c *gemmF32) Buffers() []suite.Buffer { return c.l.list }

// Fill draws the inputs; the edge fill makes row 1 of X zero (Y = bias),
// puts a NaN in row 2 of X (row 2 of Y is NaN) and an Inf in row 3 of W
// (column 3 of Y is +/-Inf, NaN where X is 0 or NaN there).
func (c *gemmF32) Fill(rng *rand.Rand, d []*kernel.Host) {
	x, w := c.l.h(d, "x").F32, c.l.h(d, "w").F32
	suite.Normal(rng, x, 0, 1)
	suite.Normal(rng, w, 0, 0.02)
	if b := c.l.h(d, "bias"); b != nil {
		suite.Uniform(rng, b.F32, -0.5, 0.5)
	}
	if !c.edge {
		return
	}
	K := c.K
	if c.M > 1 {
		clear(x[K : 2*K])
	}
	if c.M > 2 {
		x[2*K+K/2] = suite.NaN32
	}
	if c.N > 3 {
		w[3*K+K/3] = float32(math.Inf(1))
	}
}

func (c *gemmF32) Op(t []kernel.Tensor) kernel.Op {
	return kernel.GemmF32{M: c.M, N: c.N, K: c.K, X: c.l.t(t, "x"), W: c.l.t(t, "w"),
		Bias: c.l.t(t, "bias"), Y: c.l.t(t, "y")}
}

// gemmF32Tol is the bound of the file comment for magnitude mag.
func gemmF32Tol(k int, mag float64) float64 { return 0x1p-22 * math.Sqrt(float64(k)) * mag }

// Check compares with the float64 GEMM under the bound of the file comment.
func (c *gemmF32) Check(d []*kernel.Host) suite.Check {
	M, N, K := c.M, c.N, c.K
	xd, wd := f64(c.l.h(d, "x").F32), f64(c.l.h(d, "w").F32)
	var bias []float64
	if b := c.l.h(d, "bias"); b != nil {
		bias = f64(b.F32)
	}
	ref, tol := make([]float64, M*N), make([]float64, M*N)
	parallel(N, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			b := 0.0
			if bias != nil {
				b = bias[n]
			}
			for m := 0; m < M; m++ {
				r, a := dotAbsF64(xd[m*K:(m+1)*K], wd[n*K:(n+1)*K])
				ref[m*N+n], tol[m*N+n] = r+b, gemmF32Tol(K, a+math.Abs(b))
			}
		}
	})
	y := c.l.h(d, "y").F32
	return suite.Trust(suite.CloseTol("y", y, ref, tol), ref, trustFrac(c.edge || !c.bias, len(ref)))
}

func (c *gemmF32) Cost() suite.Cost {
	m, n, k := float64(c.M), float64(c.N), float64(c.K)
	cost := suite.Cost{Flops: 2 * m * n * k, Bytes: 4 * (m*k + n*k + m*n)}
	if c.bias {
		cost.Flops += m * n
		cost.Bytes += 4 * n
	}
	return cost
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "gemm_f32", Family: "qmatmul",
		Summary: "float32 GEMM/GEMV Y = X W^T + bias in the quantized GEMMs' layout (W [N,K], K contiguous): " +
			"their fp32 baseline, at their shapes. Full: LLaMA-7B decode (M=1) and prefill (M=128, 512)",
		Params: []suite.Param{
			{Key: "M", Default: "1", Doc: "rows of X (tokens); 1 is the decode GEMV"},
			{Key: "N", Default: "4096", Doc: "output channels (rows of W)"},
			{Key: "K", Default: "4096", Doc: "reduced axis (input channels)"},
			{Key: "bias", Default: "true", Doc: "add a bias [N]"},
			{Key: "fill", Default: "normal", Doc: "inputs: normal random data; edge (a zero row and a NaN in X, an Inf in W)"},
		},
		// The quick, full and gate shapes are gemm_w8a8's and gemm_w4g's.
		Quick: []string{"M=1,N=256,K=512", "M=1,N=256,K=1024", "M=16,N=64,K=301", "M=7,N=33,K=257",
			"M=8,N=96,K=256", "M=32,N=128,K=1024", "M=5,N=9,K=35,fill=edge", "M=5,N=17,K=192,fill=edge,bias=false"},
		Full: []string{"M=1,N=4096,K=4096", "M=1,N=11008,K=4096", "M=128,N=4096,K=4096", "M=128,N=11008,K=4096",
			"M=512,N=4096,K=4096"},
		Tests: []string{"M=0,N=8,K=16", "M=3,N=0,K=16", "M=1,N=1,K=1", "M=2,N=3,K=1", "M=9,N=13,K=4099,bias=false",
			"M=4,N=5,K=7,fill=edge", "M=1,N=7,K=130", "M=13,N=50,K=70", "M=17,N=49,K=33", "M=6,N=7,K=700,fill=edge",
			"M=25,N=97,K=1100", "M=1,N=100,K=3", "M=3,N=2,K=2"},
		// The decode GEMV (a 32 MiB W, the size of the L3: the gate's 64 MiB cap
		// rules out gemm_w8a8's 4096x4096) and gemm_w8a8's GEMM.
		Gate: []string{"M=1,N=2048,K=4096", "M=64,N=1024,K=1024"},
		CostDoc: "FLOPs: 2MNK (a multiply and an add per product), plus MN with a bias; " +
			"bytes: X, W, the bias and Y once, 4(MK + NK + MN) plus 4N with a bias",
		New: newGemmF32,
	})
}
