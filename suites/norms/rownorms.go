package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// The row norms besides layernorm (KERNELS.md 1.2-1.6). They share
// layernorm's shape sets, parameters, fills and trust rule.

// rmsTol is the RMSNorm-family tolerance (atol = rtol): there is no mean to
// cancel, so the offset fill keeps it too.
const rmsTol = 2e-5

// withParam appends ",kv" to every shape.
func withParam(shapes []string, kv string) []string {
	out := make([]string, len(shapes))
	for i, s := range shapes {
		out[i] = s + "," + kv
	}
	return out
}

// gated sets k's Gate shapes and returns k.
func gated(k *suite.Kernel, shapes ...string) *suite.Kernel {
	k.Gate = shapes
	return k
}

// rowGate is the gate shape of the row norms: 4 MiB in, 4 MiB out.
const rowGate = "R=1024,C=1024"

// cat concatenates shape lists.
func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func f32Buf(name string, n int) suite.Buffer {
	return suite.Buffer{Name: name, DType: kernel.F32, Len: n}
}
func f32Out(name string, n int) suite.Buffer {
	return suite.Buffer{Name: name, DType: kernel.F32, Len: n, Out: true}
}

// constRow returns n copies of v (a unit gamma or a zero bias for the references).
func constRow(n int, v float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// refRMSNorm is RMSNorm in float64: y = x * rsqrt(mean(x^2)+eps) * g * scale,
// with g = nil meaning 1. A row with an Inf gets ms = Inf, so finite entries
// give 0 and Inf entries NaN, as KERNELS.md says.
func refRMSNorm(x, g []float32, rows, cols int, eps float32, scale float64) []float64 {
	out := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		var ms float64
		for _, v := range xr {
			ms += float64(v) * float64(v)
		}
		rstd := 1 / math.Sqrt(ms/float64(cols)+float64(eps))
		for j, v := range xr {
			gj := 1.0
			if g != nil {
				gj = float64(g[j])
			}
			out[r*cols+j] = float64(v) * rstd * gj * scale
		}
	}
	return out
}

// refCRMSNorm is CRMSNorm in float64: the rows of z stand for zero-mean rows
// of n+1 values whose last one is -sum(z).
func refCRMSNorm(z, g []float32, rows, n int, eps float32) []float64 {
	out := make([]float64, rows*n)
	for r := 0; r < rows; r++ {
		zr := z[r*n : (r+1)*n]
		var s, q float64
		for _, v := range zr {
			s += float64(v)
			q += float64(v) * float64(v)
		}
		rstd := 1 / math.Sqrt((q+s*s)/float64(n+1)+float64(eps))
		for j, v := range zr {
			gj := 1.0
			if g != nil {
				gj = float64(g[j])
			}
			out[r*n+j] = float64(v) * rstd * gj
		}
	}
	return out
}

// checkRows judges y against ref with the row norms' trust rule.
func (s rowShape) checkRows(y []float32, ref []float64, atol, rtol float64) suite.Check {
	return suite.Trust(suite.Close("y", y, ref, atol, rtol), ref, s.trustFrac())
}

// ---- rmsnorm ----

type rmsNorm struct{ rowShape }

func (c *rmsNorm) Buffers() []suite.Buffer {
	n := c.R * c.C
	return []suite.Buffer{f32Buf("x", n), f32Buf("gamma", c.C), f32Out("y", n)}
}

func (c *rmsNorm) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fillRows(rng, d[0].F32)
	suite.Gamma(rng, d[1].F32)
}

func (c *rmsNorm) Op(t []kernel.Tensor) kernel.Op {
	return kernel.RMSNorm{Rows: c.R, C: c.C, Eps: c.Eps, X: t[0], Gamma: t[1], Y: t[2]}
}

func (c *rmsNorm) Check(d []*kernel.Host) suite.Check {
	return c.checkRows(d[2].F32, refRMSNorm(d[0].F32, d[1].F32, c.R, c.C, c.Eps, 1), rmsTol, rmsTol)
}

func (c *rmsNorm) Cost() suite.Cost {
	rc, r := float64(c.R*c.C), float64(c.R)
	return suite.Cost{Flops: 4*rc + 3*r, Trans: r, Bytes: 8*rc + 4*float64(c.C)}
}

// ---- layernorm_scaling ----

type layerNormScaling struct {
	rowShape
	base  kernel.NormBase
	layer int
}

// scale is s = 1/sqrt(layer), computed in float64 and rounded to float32 once.
func (c *layerNormScaling) scale() float32 { return float32(1 / math.Sqrt(float64(c.layer))) }

func (c *layerNormScaling) hasBeta() bool { return c.base == kernel.BaseLayerNorm }

func (c *layerNormScaling) Buffers() []suite.Buffer {
	n := c.R * c.C
	b := []suite.Buffer{f32Buf("x", n), f32Buf("gamma", c.C)}
	if c.hasBeta() {
		b = append(b, f32Buf("beta", c.C))
	}
	return append(b, f32Out("y", n))
}

func (c *layerNormScaling) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fillRows(rng, d[0].F32)
	suite.Gamma(rng, d[1].F32)
	if c.hasBeta() {
		suite.Beta(rng, d[2].F32)
	}
}

func (c *layerNormScaling) Op(t []kernel.Tensor) kernel.Op {
	op := kernel.LayerNormScaling{Base: c.base, Layer: c.layer, Rows: c.R, C: c.C, Eps: c.Eps,
		X: t[0], Gamma: t[1], Y: t[len(t)-1]}
	if c.hasBeta() {
		op.Beta = t[2]
	}
	return op
}

// ref is y = Norm(x) * s in float64; beta is ignored with base rmsnorm.
func (c *layerNormScaling) ref(x, gamma, beta []float32) []float64 {
	s := float64(c.scale())
	if !c.hasBeta() {
		return refRMSNorm(x, gamma, c.R, c.C, c.Eps, s)
	}
	ref := refLayerNorm(x, gamma, beta, c.R, c.C, c.Eps)
	for i := range ref {
		ref[i] *= s
	}
	return ref
}

// Check uses the base norm's tolerance.
func (c *layerNormScaling) Check(d []*kernel.Host) suite.Check {
	var beta []float32
	atol, rtol := rmsTol, rmsTol
	if c.hasBeta() {
		beta = d[2].F32
		atol, rtol = c.tol()
	}
	return c.checkRows(d[len(d)-1].F32, c.ref(d[0].F32, d[1].F32, beta), atol, rtol)
}

// Cost: the base norm's, plus RC FLOPs for the scaling.
func (c *layerNormScaling) Cost() suite.Cost {
	var cost suite.Cost
	if c.hasBeta() {
		cost = (&layerNorm{c.rowShape}).Cost()
	} else {
		cost = (&rmsNorm{c.rowShape}).Cost()
	}
	cost.Flops += float64(c.R * c.C)
	return cost
}

// ---- row norms with an optional vector: nonscaling_layernorm, crmsnorm ----

// optVecRows is a row norm over in [R,C] -> y [R,C] with an optional
// per-column vector [C] between them (a bias or a gamma).
type optVecRows struct {
	rowShape
	in, vec string // buffer names
	has     bool   // whether the vector is there
	fillVec func(*rand.Rand, []float32)
}

func (c *optVecRows) Buffers() []suite.Buffer {
	n := c.R * c.C
	b := []suite.Buffer{f32Buf(c.in, n)}
	if c.has {
		b = append(b, f32Buf(c.vec, c.C))
	}
	return append(b, f32Out("y", n))
}

func (c *optVecRows) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fillRows(rng, d[0].F32)
	if c.has {
		c.fillVec(rng, d[1].F32)
	}
}

// vector returns the optional vector's tensor, nil when there is none.
func (c *optVecRows) vector(t []kernel.Tensor) kernel.Tensor {
	if c.has {
		return t[1]
	}
	return nil
}

// vecData returns the optional vector's data, or nil.
func (c *optVecRows) vecData(d []*kernel.Host) []float32 {
	if c.has {
		return d[1].F32
	}
	return nil
}

// cost adds the vector's bytes to the cost of the rows.
func (c *optVecRows) cost(cost suite.Cost) suite.Cost {
	if c.has {
		cost.Bytes += 4 * float64(c.C)
	}
	return cost
}

// ---- nonscaling_layernorm ----

type nonScalingLayerNorm struct{ optVecRows }

func newNonScalingLayerNorm(s rowShape, bias bool) *nonScalingLayerNorm {
	return &nonScalingLayerNorm{optVecRows{rowShape: s, in: "x", vec: "bias", has: bias, fillVec: suite.Beta}}
}

func (c *nonScalingLayerNorm) Op(t []kernel.Tensor) kernel.Op {
	return kernel.NonScalingLayerNorm{Rows: c.R, C: c.C, Eps: c.Eps, X: t[0], Bias: c.vector(t), Y: t[len(t)-1]}
}

// Check: layernorm's reference with a unit gamma (exact in float64).
func (c *nonScalingLayerNorm) Check(d []*kernel.Host) suite.Check {
	bias := c.vecData(d)
	if bias == nil {
		bias = constRow(c.C, 0)
	}
	ref := refLayerNorm(d[0].F32, constRow(c.C, 1), bias, c.R, c.C, c.Eps)
	atol, rtol := c.tol()
	return c.checkRows(d[len(d)-1].F32, ref, atol, rtol)
}

func (c *nonScalingLayerNorm) Cost() suite.Cost {
	rc, r := float64(c.R*c.C), float64(c.R)
	return c.cost(suite.Cost{Flops: 7*rc + 3*r, Trans: r, Bytes: 8 * rc})
}

// ---- crmsnorm ----

// crmsNorm's row length C is n, the compressed size (x has n+1 values).
type crmsNorm struct{ optVecRows }

func newCRMSNorm(s rowShape, affine bool) *crmsNorm {
	return &crmsNorm{optVecRows{rowShape: s, in: "z", vec: "gamma", has: affine, fillVec: suite.Gamma}}
}

func (c *crmsNorm) Op(t []kernel.Tensor) kernel.Op {
	return kernel.CRMSNorm{Rows: c.R, N: c.C, Eps: c.Eps, Z: t[0], Gamma: c.vector(t), Y: t[len(t)-1]}
}

func (c *crmsNorm) Check(d []*kernel.Host) suite.Check {
	return c.checkRows(d[len(d)-1].F32, refCRMSNorm(d[0].F32, c.vecData(d), c.R, c.C, c.Eps), rmsTol, rmsTol)
}

func (c *crmsNorm) Cost() suite.Cost {
	rn, r := float64(c.R*c.C), float64(c.R)
	return c.cost(suite.Cost{Flops: 5*rn + 5*r, Trans: r, Bytes: 8 * rn})
}

// ---- single_scale_rmsnorm ----

type singleScaleRMSNorm struct {
	rowShape
	scale float32
}

func (c *singleScaleRMSNorm) Buffers() []suite.Buffer {
	n := c.R * c.C
	return []suite.Buffer{f32Buf("x", n), f32Out("y", n)}
}

func (c *singleScaleRMSNorm) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillRows(rng, d[0].F32) }

func (c *singleScaleRMSNorm) Op(t []kernel.Tensor) kernel.Op {
	return kernel.SingleScaleRMSNorm{Rows: c.R, C: c.C, Eps: c.Eps, Scale: c.scale, X: t[0], Y: t[1]}
}

func (c *singleScaleRMSNorm) Check(d []*kernel.Host) suite.Check {
	return c.checkRows(d[1].F32, refRMSNorm(d[0].F32, nil, c.R, c.C, c.Eps, float64(c.scale)), rmsTol, rmsTol)
}

// Cost: rmsnorm's, with a 4-byte parameter instead of gamma [C].
func (c *singleScaleRMSNorm) Cost() suite.Cost {
	rc, r := float64(c.R*c.C), float64(c.R)
	return suite.Cost{Flops: 4*rc + 3*r, Trans: r, Bytes: 8*rc + 4}
}

// ---- registration ----

// rowKernel builds a row-norm kernel whose extra parameters are read by extra.
func rowKernel(name, summary, eps string, extra []suite.Param, quick, full, tests []string,
	build func(s rowShape, r *suite.ParamReader) suite.Case) *suite.Kernel {
	return &suite.Kernel{
		Name: name, Family: "norms", Summary: summary,
		CostDoc: "FLOPs: KERNELS.md's per element for the norm (statistics, normalize, optional scale) + a few per row, an " +
			"rsqrt per row (T); bytes: x read and y written once (a row fits in cache, so its second pass needs no memory " +
			"traffic), the optional vector read once",
		Params: append(rowParams(eps), extra...),
		Quick:  quick, Full: full, Tests: tests,
		New: func(p suite.Params) (suite.Case, error) {
			s, err := readRowShape(p)
			if err != nil {
				return nil, err
			}
			r := suite.ParamReader{P: p}
			c := build(s, &r)
			return c, r.Err
		},
	}
}

func init() {
	suite.Register(
		gated(rowKernel("rmsnorm", "RMSNorm (Zhang & Sennrich 2019; LLaMA)", "1e-06", nil,
			rowQuick, rowFull, rowTests,
			func(s rowShape, _ *suite.ParamReader) suite.Case { return &rmsNorm{s} }), rowGate),

		gated(rowKernel("layernorm_scaling", "LayerNorm Scaling: Norm(x)/sqrt(layer) (Curse of Depth, arXiv 2502.05795)", "1e-05",
			[]suite.Param{
				{Key: "base", Default: "layernorm", Doc: "norm that is scaled: layernorm (paper text) or rmsnorm (the code; use eps=1e-06)"},
				{Key: "layer", Default: "12", Doc: "1-based layer index l >= 1; s = 1/sqrt(l)"},
			},
			cat(rowQuick, []string{"R=16,C=2048,base=rmsnorm,eps=1e-06", "R=4,C=768,base=rmsnorm,fill=special,layer=1"}),
			cat(rowFull[:2], withParam(rowFull[:2], "base=rmsnorm,eps=1e-06")),
			cat(rowTests, withParam(rowTests, "base=rmsnorm,layer=3")),
			func(s rowShape, r *suite.ParamReader) suite.Case {
				c := &layerNormScaling{rowShape: s, layer: r.Int("layer", 1)}
				if r.Enum("base", "layernorm", "rmsnorm") == "rmsnorm" {
					c.base = kernel.BaseRMSNorm
				}
				return c
			}), rowGate),

		gated(rowKernel("nonscaling_layernorm", "Non-scaling LayerNorm: LayerNorm without gamma, plus a bias (sLCT)", "1e-06",
			[]suite.Param{{Key: "bias", Default: "true", Doc: "add a bias [C] (false: DiT's affine-free LayerNorm)"}},
			cat(rowQuick, []string{"R=16,C=1152,bias=false"}), rowFull,
			cat(rowTests, []string{"R=3,C=7,bias=false", "R=1,C=1,bias=false"}),
			func(s rowShape, r *suite.ParamReader) suite.Case {
				return newNonScalingLayerNorm(s, r.Bool("bias"))
			}), rowGate),

		gated(rowKernel("crmsnorm", "Compressed RMSNorm over z [R, n=C] standing for zero-mean rows of n+1 values (arXiv 2305.14858)", "1e-05",
			[]suite.Param{{Key: "affine", Default: "true", Doc: "multiply by gamma [C] (false: the paper's code, no affine)"}},
			cat(rowQuick, []string{"R=16,C=4095,affine=false"}),
			[]string{"R=2048,C=4095", "R=2048,C=8191", "R=12608,C=767"},
			cat(rowTests, []string{"R=3,C=7,affine=false", "R=2,C=1,affine=false"}),
			func(s rowShape, r *suite.ParamReader) suite.Case {
				return newCRMSNorm(s, r.Bool("affine"))
			}), "R=1024,C=1023"), // C = n stands for rows of n+1 = 1024

		gated(rowKernel("single_scale_rmsnorm", "Single-scale RMSNorm: one scalar scale (OSP, arXiv 2506.19697)", "1e-06",
			[]suite.Param{{Key: "scale", Default: "1", Doc: "the scalar scale s"}},
			cat(rowQuick, []string{"R=16,C=2048,scale=0.8"}), withParam(rowFull, "scale=0.8"),
			cat(rowTests, []string{"R=7,C=33,scale=-1.5"}),
			func(s rowShape, r *suite.ParamReader) suite.Case {
				return &singleScaleRMSNorm{rowShape: s, scale: float32(r.Float("scale"))}
			}), rowGate+",scale=0.8"),
	)
}
