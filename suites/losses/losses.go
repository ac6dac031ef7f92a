// Package losses defines the loss kernels of KERNELS.md section 5:
// parameters, shape sets, input fills, float64 references, pass rules and
// costs. Every loss reduces pred P and target T [N, D] (logits [N, V] for
// cross_entropy) to one float32 scalar.
package losses

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Shape sets of the regression losses: quick ones for CI; full ones from
// consistency models (latents 4x32x32 = 4096 at batch 256, ImageNet-64
// pixels 3x64x64 = 12288 at batch 2048) and a 16M-element MSE; the gate
// one (every loss) reads 2 x 8 MiB.
var (
	ndQuick = []string{"N=64,D=1024", "N=256,D=256", "N=8,D=256,fill=special", "N=4,D=64,fill=equal"}
	ndFull  = []string{"N=256,D=4096", "N=4096,D=4096", "N=2048,D=12288"}
	ndTests = []string{"N=0,D=16", "N=1,D=1", "N=7,D=33", "N=3,D=100003", "N=100000,D=1", "N=5,D=3,fill=special"}
	ndGate  = []string{"N=512,D=4096"}
)

// Scalar tolerance of KERNELS.md section 5 (N*D <= 2^26).
const (
	lossAtol = 1e-7
	lossRtol = 1e-5
)

// Fills of the [N, D] losses; the per-sample losses add closeFill.
var (
	ndFills   = []string{"normal", "equal", "special"}
	ndFillDoc = "inputs: normal (p, t ~ N(0,1)); equal (p = t); special (+Inf in sample 0)"
	closeFill = "close"
	closeDoc  = "; close (p = t + N(0, 0.01c/sqrt(D)), so s_i ~ 1e-4 c^2, where sqrt(s+c^2)-c cancels)"
)

// ndParams are the parameters of the [N, D] losses.
func ndParams(fillDoc string, extra ...suite.Param) []suite.Param {
	return append([]suite.Param{
		{Key: "N", Default: "64", Doc: "samples (batch)"},
		{Key: "D", Default: "1024", Doc: "values per sample"},
		{Key: "fill", Default: "normal", Doc: fillDoc},
	}, extra...)
}

// ndShape is the common part of an [N, D] loss case.
type ndShape struct {
	N, D  int
	fill  string
	sigma float64 // std of p - t with fill=close
}

func readND(r *suite.ParamReader, fills []string) ndShape {
	return ndShape{N: r.Int("N", 0), D: r.Int("D", 1), fill: r.Enum("fill", fills...)}
}

// fillPT draws pred p and target t according to the fill.
func (s ndShape) fillPT(rng *rand.Rand, p, t []float32) {
	suite.Normal(rng, t, 0, 1)
	switch s.fill {
	case closeFill:
		for i := range p {
			p[i] = t[i] + float32(s.sigma*rng.NormFloat64())
		}
	case "equal":
		copy(p, t)
	default:
		suite.Normal(rng, p, 0, 1)
		if s.fill == "special" && len(p) > 0 {
			p[0] = suite.PosInf32
		}
	}
}

// degenerate reports whether the fill makes the loss 0 or non-finite on
// purpose, so that a zero or Inf reference is no reason to mistrust.
func (s ndShape) degenerate() bool { return s.fill == "equal" || s.fill == "special" || s.N == 0 }

// checkScalar applies the section 5 tolerance and the trust rule.
func checkScalar(y float32, ref float64, degenerate bool) suite.Check {
	frac := 0.0
	if degenerate {
		frac = 1
	}
	return suite.Trust(suite.Scalar("loss", y, ref, lossAtol, lossRtol), []float64{ref}, frac)
}

func (s ndShape) ptBuffers() []suite.Buffer {
	n := s.N * s.D
	return []suite.Buffer{{Name: "pred", DType: kernel.F32, Len: n}, {Name: "target", DType: kernel.F32, Len: n},
		{Name: "out", DType: kernel.F32, Len: 1, Out: true}}
}

// sqCost is the cost of a loss over s_i = sum (p-t)^2: 3ND FLOPs plus
// extra per sample.
const sqCostDoc = "FLOPs: 3 per element (difference, multiply-add into the sum); bytes: P and T read once, the scalar written"

func (s ndShape) sqCost(flopsPerSample, transPerSample float64) suite.Cost {
	nd, n := float64(s.N*s.D), float64(s.N)
	return suite.Cost{Flops: 3*nd + flopsPerSample*n, Trans: transPerSample * n, Bytes: 8*nd + 4}
}

// refSqDiff is sum (p-t)^2 in float64.
func refSqDiff(p, t []float32) float64 {
	var s float64
	for i, v := range p {
		d := float64(v) - float64(t[i])
		s += d * d
	}
	return s
}

// refSampleMean is (1/N) sum_i f(i, s_i) with s_i = sum_d (p-t)^2 of sample i.
func (s ndShape) refSampleMean(p, t []float32, f func(i int, si float64) float64) float64 {
	var total float64
	for i := 0; i < s.N; i++ {
		total += f(i, refSqDiff(p[i*s.D:(i+1)*s.D], t[i*s.D:(i+1)*s.D]))
	}
	return total / float64(s.N)
}

// ---- mse ----

type mse struct{ ndShape }

func (c *mse) Buffers() []suite.Buffer               { return c.ptBuffers() }
func (c *mse) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillPT(rng, d[0].F32, d[1].F32) }
func (c *mse) Op(t []kernel.Tensor) kernel.Op {
	return kernel.MSE{N: c.N, D: c.D, P: t[0], T: t[1], Out: t[2]}
}
func (c *mse) Cost() suite.Cost { return c.sqCost(0, 0) }
func (c *mse) Check(d []*kernel.Host) suite.Check {
	ref := refSqDiff(d[0].F32, d[1].F32) / float64(c.N*c.D)
	return checkScalar(d[2].F32[0], ref, c.degenerate())
}

// ---- huber ----

type huber struct {
	ndShape
	delta float32
}

func (c *huber) Buffers() []suite.Buffer               { return c.ptBuffers() }
func (c *huber) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillPT(rng, d[0].F32, d[1].F32) }
func (c *huber) Op(t []kernel.Tensor) kernel.Op {
	return kernel.Huber{N: c.N, D: c.D, Delta: c.delta, P: t[0], T: t[1], Out: t[2]}
}

func (c *huber) Check(d []*kernel.Host) suite.Check {
	p, t, delta := d[0].F32, d[1].F32, float64(c.delta)
	var s float64
	for i, v := range p {
		r := math.Abs(float64(v) - float64(t[i]))
		if r < delta {
			s += 0.5 * r * r
		} else {
			s += delta * (r - 0.5*delta)
		}
	}
	return checkScalar(d[2].F32[0], s/float64(c.N*c.D), c.degenerate())
}

func (c *huber) Cost() suite.Cost {
	nd := float64(c.N * c.D)
	return suite.Cost{Flops: 5 * nd, Bytes: 8*nd + 4}
}

// ---- pseudo_huber and cauchy ----

// scaleParam is the c of pseudo_huber and cauchy; "auto" is iCT's
// c = 0.00054*sqrt(D), computed in float64 and rounded to float32 once.
func scaleParam() suite.Param {
	return suite.Param{Key: "c", Default: "auto", Doc: "scale c > 0; auto = 0.00054*sqrt(D) (iCT)"}
}

func readScale(r *suite.ParamReader, d int) float32 {
	if r.P.Get("c") == "auto" {
		return float32(0.00054 * math.Sqrt(float64(d)))
	}
	return float32(r.Positive("c"))
}

// refPseudoHuber is sqrt(s + c^2) - c in the stable form; s = +Inf gives +Inf.
func refPseudoHuber(s, c float64) float64 {
	if math.IsInf(s, 1) {
		return s
	}
	return s / (math.Sqrt(s+c*c) + c)
}

// refCauchy is log1p(s / (2c^2)).
func refCauchy(s, c float64) float64 { return math.Log1p(s / (2 * c * c)) }

// perSample is a loss mean_i f(s_i, c): pseudo_huber or cauchy.
type perSample struct {
	ndShape
	c      float32
	cauchy bool
}

func (c *perSample) Buffers() []suite.Buffer               { return c.ptBuffers() }
func (c *perSample) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillPT(rng, d[0].F32, d[1].F32) }
func (c *perSample) Cost() suite.Cost                      { return c.sqCost(4, 1) }

func (c *perSample) Op(t []kernel.Tensor) kernel.Op {
	if c.cauchy {
		return kernel.Cauchy{N: c.N, D: c.D, C: c.c, P: t[0], T: t[1], Out: t[2]}
	}
	return kernel.PseudoHuber{N: c.N, D: c.D, C: c.c, P: t[0], T: t[1], Out: t[2]}
}

func (c *perSample) Check(d []*kernel.Host) suite.Check {
	f, cc := refPseudoHuber, float64(c.c)
	if c.cauchy {
		f = refCauchy
	}
	ref := c.refSampleMean(d[0].F32, d[1].F32, func(_ int, s float64) float64 { return f(s, cc) })
	return checkScalar(d[2].F32[0], ref, c.degenerate())
}

// ---- mse_masked ----

type mseMasked struct {
	ndShape
	keep     float64 // probability that m_i = 1
	weighted bool
}

func (c *mseMasked) Buffers() []suite.Buffer {
	b := append(c.ptBuffers()[:2], suite.Buffer{Name: "mask", DType: kernel.U8, Len: c.N})
	if c.weighted {
		b = append(b, suite.Buffer{Name: "weights", DType: kernel.F32, Len: c.N})
	}
	return append(b, suite.Buffer{Name: "out", DType: kernel.F32, Len: 1, Out: true})
}

// Fill: fill=special masks out sample 0 (which holds +Inf) and puts a NaN
// in masked-out sample 1, so both must be skipped.
func (c *mseMasked) Fill(rng *rand.Rand, d []*kernel.Host) {
	p, m := d[0].F32, d[2].U8
	c.fillPT(rng, p, d[1].F32)
	for i := range m {
		if rng.Float64() < c.keep {
			m[i] = 1
		}
	}
	if c.keep > 0 && c.N > 0 {
		m[c.N-1] = 1 // a small batch must not come out all masked by chance
	}
	if c.weighted {
		suite.Uniform(rng, d[3].F32, 0, 2)
	}
	if c.fill == "special" && c.N > 1 {
		m[0], m[1] = 0, 0
		p[c.D] = suite.NaN32
	}
}

func (c *mseMasked) Op(t []kernel.Tensor) kernel.Op {
	op := kernel.MSEMasked{N: c.N, D: c.D, P: t[0], T: t[1], Mask: t[2], Out: t[len(t)-1]}
	if c.weighted {
		op.Weights = t[3]
	}
	return op
}

// Check: samples with m_i = 0 are skipped, as kernel.MSEMasked says.
func (c *mseMasked) Check(d []*kernel.Host) suite.Check {
	m := d[2].U8
	ref := c.refSampleMean(d[0].F32, d[1].F32, func(i int, s float64) float64 {
		if m[i] == 0 {
			return 0
		}
		w := 1.0
		if c.weighted {
			w = float64(d[3].F32[i])
		}
		return w * s / float64(c.D)
	})
	return checkScalar(d[len(d)-1].F32[0], ref, c.degenerate() || c.keep == 0)
}

// Cost is the part known before the mask is drawn: the mask is read
// (DataCost counts the samples it keeps).
func (c *mseMasked) Cost() suite.Cost { return suite.Cost{Bytes: float64(c.N) + 4} }

// DataCost: mse's counts and 2 FLOPs (weight, mask) over the kept samples
// only, whose rows and weights are all a kernel must read; the mask is
// read whole.
func (c *mseMasked) DataCost(d []*kernel.Host) suite.Cost {
	kept := 0
	for _, m := range d[2].U8 {
		if m != 0 {
			kept++
		}
	}
	k := ndShape{N: kept, D: c.D}
	cost := k.sqCost(2, 0)
	cost.Bytes += float64(c.N)
	if c.weighted {
		cost.Bytes += 4 * float64(kept)
	}
	return cost
}

// ---- registration ----

// ndKernel builds an [N, D] loss kernel; close adds fill=close (the
// per-sample losses, whose spread depends on c).
func ndKernel(name, summary, costDoc string, close bool, extra []suite.Param, quick, full, tests []string,
	build func(s ndShape, r *suite.ParamReader) suite.Case) *suite.Kernel {
	fills, doc := ndFills, ndFillDoc
	if close {
		fills, doc = append(fills[:len(fills):len(fills)], closeFill), doc+closeDoc
	}
	return &suite.Kernel{
		Name: name, Family: "losses", Summary: summary, CostDoc: costDoc,
		Params: ndParams(doc, extra...),
		Quick:  quick, Full: full, Tests: tests, Gate: ndGate,
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := build(readND(&r, fills), &r)
			return c, r.Err
		},
	}
}

// newPerSample reads c and sets the close fill's spread from it.
func newPerSample(s ndShape, r *suite.ParamReader, cauchy bool) suite.Case {
	c := &perSample{ndShape: s, c: readScale(r, s.D), cauchy: cauchy}
	c.sigma = 0.01 * float64(c.c) / math.Sqrt(float64(s.D))
	return c
}

func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func init() {
	suite.Register(
		ndKernel("mse", "mean squared error (torch.nn.MSELoss)", sqCostDoc, false, nil, ndQuick, ndFull, ndTests,
			func(s ndShape, _ *suite.ParamReader) suite.Case { return &mse{s} }),

		ndKernel("huber", "Huber loss (torch.nn.HuberLoss)",
			"FLOPs: 5 per element (difference, abs, compare, the quadratic or linear branch, sum); bytes: P and T read once, the scalar written", false,
			[]suite.Param{{Key: "delta", Default: "1", Doc: "threshold delta > 0 between the quadratic and linear parts"}},
			cat(ndQuick, []string{"N=64,D=1024,delta=0.25"}), ndFull,
			cat(ndTests, []string{"N=5,D=9,delta=3"}),
			func(s ndShape, r *suite.ParamReader) suite.Case {
				return &huber{ndShape: s, delta: float32(r.Positive("delta"))}
			}),

		ndKernel("pseudo_huber", "pseudo-Huber loss per sample, stable form (iCT, arXiv 2310.14189)",
			sqCostDoc+"; per sample 4 FLOPs and one sqrt (T)", true,
			[]suite.Param{scaleParam()},
			// c=256 with fill=close: the loss is large enough for rtol to
			// govern, and the naive float32 form errs by 1e-3 there.
			cat(ndQuick, []string{"N=16,D=4096,fill=close", "N=16,D=4096,fill=close,c=256"}), ndFull,
			cat(ndTests, []string{"N=3,D=17,fill=close", "N=4,D=8,c=0.5"}),
			func(s ndShape, r *suite.ParamReader) suite.Case { return newPerSample(s, r, false) }),

		ndKernel("cauchy", "Cauchy loss per sample, log1p(s/(2c^2)) (sLCT, arXiv 2502.01441)",
			sqCostDoc+"; per sample 4 FLOPs and one log1p (T)", true,
			[]suite.Param{scaleParam()},
			cat(ndQuick, []string{"N=16,D=4096,fill=close"}), ndFull,
			cat(ndTests, []string{"N=3,D=17,fill=close", "N=4,D=8,c=0.5"}),
			func(s ndShape, r *suite.ParamReader) suite.Case { return newPerSample(s, r, true) }),

		ndKernel("mse_masked", "masked, weighted per-sample MSE (sLCT early-timestep diffusion loss)",
			"over the samples the drawn mask keeps only (counted from the mask): mse's 3 FLOPs per element and 2 per sample, "+
				"their P and T rows and weights read; the whole mask read, the scalar written", false,
			[]suite.Param{
				{Key: "keep", Default: "0.5", Doc: "probability that a sample's mask is 1"},
				{Key: "weights", Default: "true", Doc: "per-sample weights U(0,2) (false: none, i.e. 1)"},
			},
			cat(ndQuick, []string{"N=64,D=1024,weights=false", "N=16,D=64,keep=0"}), ndFull,
			cat(ndTests, []string{"N=9,D=5,keep=1", "N=6,D=7,weights=false,fill=special"}),
			func(s ndShape, r *suite.ParamReader) suite.Case {
				c := &mseMasked{ndShape: s, keep: r.Unit("keep"), weighted: r.Bool("weights")}
				return c
			}),
	)
}
