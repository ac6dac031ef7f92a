// Package norms defines the normalization kernels of KERNELS.md section 1:
// parameters, shape sets, input fills, float64 references, pass rules and
// costs.
package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Shape sets shared by the row norms: quick ones for CI, full ones from real
// models (LLM hidden sizes with 2048 tokens, ViT-B 197 tokens x 768 at batch 64).
var (
	rowQuick = []string{"R=64,C=1024", "R=8,C=4096,fill=offset", "R=4,C=768,fill=special", "R=3,C=1"}
	rowFull  = []string{"R=2048,C=4096", "R=2048,C=8192", "R=12608,C=768", "R=4096,C=1024"}
	rowTests = []string{"R=0,C=16", "R=1,C=1", "R=5,C=3", "R=7,C=33", "R=2,C=65536", "R=17,C=100,fill=special"}
)

// rowParams are the parameters of the row norms; eps defaults differ.
func rowParams(eps string) []suite.Param {
	return []suite.Param{
		{Key: "R", Default: "64", Doc: "rows (tokens)"},
		{Key: "C", Default: "1024", Doc: "row length (hidden size), the reduced axis"},
		{Key: "eps", Default: eps, Doc: "epsilon added to the variance"},
		{Key: "fill", Default: "normal", Doc: "inputs: normal N(0,1); offset 1000+N(0,1); special (NaN, Inf, zero and constant rows)"},
	}
}

// rowShape is the common part of a row-norm case.
type rowShape struct {
	R, C int
	Eps  float32
	Fill string
}

func readRowShape(p suite.Params) (rowShape, error) {
	r := suite.ParamReader{P: p}
	s := rowShape{R: r.Int("R", 0), C: r.Int("C", 1), Eps: float32(r.NonNegative("eps")),
		Fill: r.Enum("fill", "normal", "offset", "special")}
	return s, r.Err
}

// fillRows draws x [R, C] according to the fill. "special" plants, in order,
// a NaN row, a +Inf row, a zero row and a constant row (as many as R allows),
// leaving the other rows normal so they show that a bad row stays contained.
func (s rowShape) fillRows(rng *rand.Rand, x []float32) {
	switch s.Fill {
	case "offset":
		suite.Normal(rng, x, 1000, 1)
		return
	default:
		suite.Normal(rng, x, 0, 1)
	}
	if s.Fill != "special" {
		return
	}
	row := func(i int) []float32 { return x[i*s.C : (i+1)*s.C] }
	if s.R > 0 {
		row(0)[rng.IntN(s.C)] = suite.NaN32
	}
	if s.R > 1 {
		row(1)[rng.IntN(s.C)] = suite.PosInf32
	}
	if s.R > 2 {
		clear(row(2))
	}
	if s.R > 3 {
		for j := range row(3) {
			row(3)[j] = 0.75
		}
	}
}

// tol is the layernorm-family tolerance: 2e-5, or atol 5e-3 on the offset test.
func (s rowShape) tol() (atol, rtol float64) {
	if s.Fill == "offset" {
		return 5e-3, 2e-5
	}
	return 2e-5, 2e-5
}

// trustFrac: random rows must give mostly non-zero outputs; special rows
// are degenerate on purpose.
func (s rowShape) trustFrac() float64 {
	if s.Fill == "special" || s.C == 1 {
		return 1
	}
	return 0.5
}

// refMeanVar is the float64 two-pass mean and biased variance.
func refMeanVar(x []float32) (mean, variance float64) {
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		d := float64(v) - mean
		variance += d * d
	}
	return mean, variance / float64(len(x))
}

// ---- layernorm ----

type layerNorm struct{ rowShape }

func (c *layerNorm) Buffers() []suite.Buffer {
	n := c.R * c.C
	return []suite.Buffer{{Name: "x", DType: kernel.F32, Len: n}, {Name: "gamma", DType: kernel.F32, Len: c.C},
		{Name: "beta", DType: kernel.F32, Len: c.C}, {Name: "y", DType: kernel.F32, Len: n, Out: true}}
}

func (c *layerNorm) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fillRows(rng, d[0].F32)
	suite.Gamma(rng, d[1].F32)
	suite.Beta(rng, d[2].F32)
}

func (c *layerNorm) Op(t []kernel.Tensor) kernel.Op {
	return kernel.LayerNorm{Rows: c.R, C: c.C, Eps: c.Eps, X: t[0], Gamma: t[1], Beta: t[2], Y: t[3]}
}

// refLayerNorm is LayerNorm in float64 with two-pass statistics.
func refLayerNorm(x, gamma, beta []float32, rows, cols int, eps float32) []float64 {
	out := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		mu, v := refMeanVar(xr)
		rstd := 1 / math.Sqrt(v+float64(eps))
		for j, xv := range xr {
			out[r*cols+j] = (float64(xv)-mu)*rstd*float64(gamma[j]) + float64(beta[j])
		}
	}
	return out
}

func (c *layerNorm) Check(d []*kernel.Host) suite.Check {
	ref := refLayerNorm(d[0].F32, d[1].F32, d[2].F32, c.R, c.C, c.Eps)
	atol, rtol := c.tol()
	return suite.Trust(suite.Close("y", d[3].F32, ref, atol, rtol), ref, c.trustFrac())
}

func (c *layerNorm) Cost() suite.Cost {
	rc, r := float64(c.R*c.C), float64(c.R)
	return suite.Cost{Flops: 8*rc + 3*r, Trans: r, Bytes: 8*rc + 8*float64(c.C)}
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "layernorm", Family: "norms",
		Summary: "LayerNorm over the last axis (Ba et al. 2016; torch.nn.LayerNorm)",
		CostDoc: "FLOPs: 8 per element (mean, two-pass variance, normalize, affine) + 3 per row, an rsqrt per row (T); " +
			"bytes: x read and y written once (a row fits in cache, so its second pass needs no memory traffic), gamma and beta read once",
		Params: rowParams("1e-05"),
		Quick:  rowQuick, Full: rowFull, Tests: rowTests, Gate: []string{rowGate},
		New: func(p suite.Params) (suite.Case, error) {
			s, err := readRowShape(p)
			return &layerNorm{s}, err
		},
	})
}
