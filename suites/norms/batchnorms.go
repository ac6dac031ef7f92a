package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Batch-statistics norms (KERNELS.md 1.7, 1.8): BatchNorm inference and
// training, RepBN inference and progressive RepBN training. Every one works
// on x [M, C] with per-channel statistics over the M rows; BatchNorm's nc
// [N, C] and nhwc [N, H, W, C] layouts are both that with M = N*H*W.

// Tolerances of KERNELS.md 1.7 and 1.8.
const (
	tolBNInfer = 1e-5
	tolBNTrain = 5e-5
	tolRepBN   = 5e-5
)

// batchTrust: random inputs must give mostly non-zero outputs; edge-case
// fills are degenerate on purpose.
func batchTrust(fill string) float64 {
	if fill == "normal" {
		return 0.5
	}
	return 1
}

// ---- shapes ----

// bnShape is a BatchNorm shape: layout nc is x [N, C] (H = W = 1), nhwc is
// x [N, H, W, C]; both are [M, C] with M = N*H*W.
type bnShape struct {
	Layout     string
	N, H, W, C int
	Eps, Mom   float32
	Fill       string
}

func (s bnShape) M() int { return s.N * s.H * s.W }

func bnParams(train bool) []suite.Param {
	ps := []suite.Param{
		{Key: "layout", Default: "nc", Doc: "nc: x [N, C]; nhwc: x [N, H, W, C] (C innermost); statistics per channel over N*H*W"},
		{Key: "N", Default: "8192", Doc: "batch"},
		{Key: "H", Default: "1", Doc: "height (nhwc only)"},
		{Key: "W", Default: "1", Doc: "width (nhwc only)"},
		{Key: "C", Default: "1024", Doc: "channels"},
		{Key: "eps", Default: "1e-05", Doc: "epsilon added to the variance"},
	}
	if train {
		ps = append(ps, suite.Param{Key: "momentum", Default: "0.1", Doc: "running-stat momentum m: rm' = (1-m)*rm + m*mu"})
	}
	return append(ps, suite.Param{Key: "fill", Default: "normal",
		Doc: "normal N(0,1); special: inference rv = -eps (IEEE Inf/NaN), a NaN, an Inf and a NaN running mean; training a NaN channel and a constant channel"})
}

func readBNShape(p suite.Params, train bool) (bnShape, error) {
	r := suite.ParamReader{P: p}
	s := bnShape{Layout: r.Enum("layout", "nc", "nhwc"), N: r.Int("N", 0), H: r.Int("H", 1), W: r.Int("W", 1),
		C: r.Int("C", 1), Eps: float32(r.Positive("eps")), Fill: r.Enum("fill", "normal", "special")}
	r.Check(s.Layout == "nhwc" || s.H == 1 && s.W == 1, "layout nc is x [N, C]: leave H and W at 1 (got H=%d, W=%d)", s.H, s.W)
	if train {
		s.Mom = float32(r.Unit("momentum"))
		r.Check(s.M() != 1, "M = N*H*W = 1: training BatchNorm needs more than one value per channel")
	}
	return s, r.Err
}

// tokParams are the shape parameters of the token norms: x [B, T, C]
// treated as [M = B*T, C] (ViT-B: 64 x 197 x 768).
func tokParams() []suite.Param {
	return []suite.Param{
		{Key: "B", Default: "64", Doc: "batch"},
		{Key: "T", Default: "197", Doc: "tokens per sample"},
		{Key: "C", Default: "768", Doc: "channels (hidden size)"},
	}
}

// readTokShape reads B, T, C as M = B*T rows of C channels.
func readTokShape(r *suite.ParamReader) (m, c int) {
	return r.Int("B", 0) * r.Int("T", 0), r.Int("C", 1)
}

// ---- float64 references ----

// refChannelMeanVar returns the per-channel mean and biased variance of
// x [m, c] over its rows, two-pass in float64.
func refChannelMeanVar(x []float32, m, c int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	for r := 0; r < m; r++ {
		for j, v := range x[r*c : (r+1)*c] {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(m)
	}
	for r := 0; r < m; r++ {
		for j, v := range x[r*c : (r+1)*c] {
			d := float64(v) - mean[j]
			variance[j] += d * d
		}
	}
	for j := range variance {
		variance[j] /= float64(m)
	}
	return mean, variance
}

// refBatchNormInfer is y = x*a + b with a = gamma/sqrt(rv+eps) and
// b = beta - rm*a; with rep (RepBN) it adds alpha*x, unfolded.
func refBatchNormInfer(x, gamma, beta, rm, rv []float32, m, c int, eps float32, rep bool, alpha float32) []float64 {
	y := make([]float64, m*c)
	for j := 0; j < c; j++ {
		a := float64(gamma[j]) / math.Sqrt(float64(rv[j])+float64(eps))
		b := float64(beta[j]) - float64(rm[j])*a
		for r := 0; r < m; r++ {
			xv := float64(x[r*c+j])
			y[r*c+j] = xv*a + b
			if rep {
				y[r*c+j] += float64(alpha) * xv
			}
		}
	}
	return y
}

// refBatchNormTrain is BatchNorm training: y from the batch statistics and
// the new running mean and (unbiased) running variance. M = 0 leaves the
// state as it was.
func refBatchNormTrain(x, gamma, beta, rm, rv []float32, m, c int, eps, mom float32) (y, newMean, newVar []float64) {
	y, newMean, newVar = make([]float64, m*c), suite.F64(rm), suite.F64(rv)
	if m == 0 {
		return y, newMean, newVar
	}
	mu, v := refChannelMeanVar(x, m, c)
	mf := float64(mom)
	for j := 0; j < c; j++ {
		a := float64(gamma[j]) / math.Sqrt(v[j]+float64(eps))
		for r := 0; r < m; r++ {
			y[r*c+j] = (float64(x[r*c+j])-mu[j])*a + float64(beta[j])
		}
		newMean[j] = (1-mf)*newMean[j] + mf*mu[j]
		newVar[j] = (1-mf)*newVar[j] + mf*v[j]*float64(m)/float64(m-1)
	}
	return y, newMean, newVar
}

// ---- fills ----

// fillBNParams draws gamma, beta and a plausible running mean and variance.
func fillBNParams(rng *rand.Rand, gamma, beta, rm, rv []float32) {
	suite.Gamma(rng, gamma)
	suite.Beta(rng, beta)
	suite.Uniform(rng, rm, -0.5, 0.5)
	suite.Uniform(rng, rv, 0.5, 1.5)
}

// plantInferSpecial plants, as C allows: rv = -eps in channel 0 (rv+eps is
// exactly 0, so a = +Inf and y is +/-Inf or NaN per IEEE), a NaN and (with
// inf) a +Inf in one element each of channels 1 and 2, and a NaN running
// mean in channel 3 (the whole channel NaN). RepBN leaves the Inf out: its
// folded form x*(a+alpha) and BN(x) + alpha*x disagree on x = Inf when
// alpha < 0 (Inf vs Inf-Inf = NaN), and both are legitimate.
func plantInferSpecial(rng *rand.Rand, x, rm, rv []float32, m, c int, eps float32, inf bool) {
	rv[0] = -eps
	if m == 0 {
		return
	}
	if c > 1 {
		x[rng.IntN(m)*c+1] = suite.NaN32
	}
	if c > 2 && inf {
		x[rng.IntN(m)*c+2] = suite.PosInf32
	}
	if c > 3 {
		rm[3] = suite.NaN32
	}
}

// plantTrainSpecial plants a NaN in one element of channel 0 (channel 0 and
// its state come out NaN) and makes channel 1 constant (variance 0).
func plantTrainSpecial(rng *rand.Rand, x []float32, m, c int) {
	if m == 0 {
		return
	}
	x[rng.IntN(m)*c] = suite.NaN32
	if c > 1 {
		for r := 0; r < m; r++ {
			x[r*c+1] = 0.75
		}
	}
}

// ---- batchnorm_infer and repbn_infer ----

// bnInfer is BatchNorm inference, or RepBN inference when rep is set.
type bnInfer struct {
	M, C     int
	Eps      float32
	Rep      bool
	Alpha    float32
	FillMode string
}

func (c *bnInfer) Buffers() []suite.Buffer {
	e := c.M * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("gamma", c.C), f32Buf("beta", c.C),
		f32Buf("running_mean", c.C), f32Buf("running_var", c.C), f32Out("y", e)}
}

func (c *bnInfer) Fill(rng *rand.Rand, d []*kernel.Host) {
	suite.Normal(rng, d[0].F32, 0, 1)
	fillBNParams(rng, d[1].F32, d[2].F32, d[3].F32, d[4].F32)
	if c.FillMode == "special" {
		plantInferSpecial(rng, d[0].F32, d[3].F32, d[4].F32, c.M, c.C, c.Eps, !c.Rep)
	}
}

func (c *bnInfer) Op(t []kernel.Tensor) kernel.Op {
	if c.Rep {
		return kernel.RepBNInfer{M: c.M, C: c.C, Eps: c.Eps, Alpha: c.Alpha,
			X: t[0], Gamma: t[1], Beta: t[2], RunMean: t[3], RunVar: t[4], Y: t[5]}
	}
	return kernel.BatchNormInfer{M: c.M, C: c.C, Eps: c.Eps, X: t[0], Gamma: t[1], Beta: t[2], RunMean: t[3], RunVar: t[4], Y: t[5]}
}

func (c *bnInfer) ref(d []*kernel.Host) []float64 {
	return refBatchNormInfer(d[0].F32, d[1].F32, d[2].F32, d[3].F32, d[4].F32, c.M, c.C, c.Eps, c.Rep, c.Alpha)
}

func (c *bnInfer) Check(d []*kernel.Host) suite.Check {
	y, tol := c.ref(d), tolBNInfer
	if c.Rep {
		tol = tolRepBN
	}
	return suite.Trust(suite.Close("y", d[5].F32, y, tol, tol), y, batchTrust(c.FillMode))
}

// affineCostDoc says what the counts of a per-channel affine norm include.
const affineCostDoc = "FLOPs: 2 per element (multiply-add) + the fold of the per-channel parameters into one affine, " +
	"an rsqrt per channel (T); bytes: x read and y written once, the per-channel parameters read once"

// rereadDoc is the second pass of a training norm whose statistics cover
// the whole batch: y needs them, so x is read again, from memory when the
// cache does not keep it from the first pass (KERNELS.md 1.7).
const rereadDoc = "x is counted twice when the data exceeds what the cache keeps of one pass " +
	"(statistics first, then the output): the last-level cache, or the pass reach nbench peak measured"

func (c *bnInfer) Cost() suite.Cost {
	e, ch := float64(c.M*c.C), float64(c.C)
	fold := 4 * ch // a = gamma*rsqrt(rv+eps), b = beta - rm*a
	if c.Rep {
		fold += ch // + alpha
	}
	return suite.Cost{Flops: 2*e + fold, Trans: ch, Bytes: 8*e + 16*ch}
}

// ---- batchnorm_train ----

type bnTrain struct{ bnShape }

func (c *bnTrain) Buffers() []suite.Buffer {
	e := c.M() * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("gamma", c.C), f32Buf("beta", c.C), f32Buf("running_mean", c.C),
		f32Buf("running_var", c.C), f32Out("y", e), f32Out("new_mean", c.C), f32Out("new_var", c.C)}
}

func (c *bnTrain) Fill(rng *rand.Rand, d []*kernel.Host) {
	suite.Normal(rng, d[0].F32, 0, 1)
	fillBNParams(rng, d[1].F32, d[2].F32, d[3].F32, d[4].F32)
	if c.bnShape.Fill == "special" {
		plantTrainSpecial(rng, d[0].F32, c.M(), c.C)
	}
}

func (c *bnTrain) Op(t []kernel.Tensor) kernel.Op {
	return kernel.BatchNormTrain{M: c.M(), C: c.C, Eps: c.Eps, Momentum: c.Mom, X: t[0], Gamma: t[1], Beta: t[2],
		RunMean: t[3], RunVar: t[4], Y: t[5], NewMean: t[6], NewVar: t[7]}
}

func (c *bnTrain) ref(d []*kernel.Host) (y, newMean, newVar []float64) {
	return refBatchNormTrain(d[0].F32, d[1].F32, d[2].F32, d[3].F32, d[4].F32, c.M(), c.C, c.Eps, c.Mom)
}

// stateOut is one new-state output with its reference.
type stateOut struct {
	name string
	got  []float32
	ref  []float64
}

// checkState judges y and every new-state output with one tolerance.
func checkState(fill string, tol float64, y []float32, ry []float64, state ...stateOut) suite.Check {
	cs := []suite.Check{suite.Trust(suite.Close("y", y, ry, tol, tol), ry, batchTrust(fill))}
	for _, s := range state {
		cs = append(cs, suite.Close(s.name, s.got, s.ref, tol, tol))
	}
	return suite.Merge(cs...)
}

func (c *bnTrain) Check(d []*kernel.Host) suite.Check {
	y, nm, nv := c.ref(d)
	return checkState(c.bnShape.Fill, tolBNTrain, d[5].F32, y, stateOut{"new_mean", d[6].F32, nm}, stateOut{"new_var", d[7].F32, nv})
}

func (c *bnTrain) Cost() suite.Cost {
	e, ch := float64(c.M()*c.C), float64(c.C)
	return suite.Cost{Flops: 8*e + 12*ch, Trans: ch, Bytes: 8*e + 32*ch, Reread: 4 * e}
}

// ---- prepbn_train ----

// prepBN is PRepBN training at a given lam: y = lam*LN(x) + (1-lam)*RepBN(x)
// with RepBN(x) = BN_train(x) + alpha*x.
type prepBN struct {
	M, C                   int
	Lam, Alpha             float32
	LNEps, BNEps, Momentum float32
	FillMode               string
}

func (c *prepBN) Buffers() []suite.Buffer {
	e := c.M * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("ln_gamma", c.C), f32Buf("ln_beta", c.C), f32Buf("bn_gamma", c.C),
		f32Buf("bn_beta", c.C), f32Buf("running_mean", c.C), f32Buf("running_var", c.C),
		f32Out("y", e), f32Out("new_mean", c.C), f32Out("new_var", c.C)}
}

func (c *prepBN) Fill(rng *rand.Rand, d []*kernel.Host) {
	suite.Normal(rng, d[0].F32, 0, 1)
	suite.Gamma(rng, d[1].F32)
	suite.Beta(rng, d[2].F32)
	fillBNParams(rng, d[3].F32, d[4].F32, d[5].F32, d[6].F32)
	if c.FillMode == "special" {
		plantTrainSpecial(rng, d[0].F32, c.M, c.C)
	}
}

func (c *prepBN) Op(t []kernel.Tensor) kernel.Op {
	return kernel.PRepBNTrain{M: c.M, C: c.C, Lambda: c.Lam, Alpha: c.Alpha, LNEps: c.LNEps, BNEps: c.BNEps, Momentum: c.Momentum,
		X: t[0], LNGamma: t[1], LNBeta: t[2], BNGamma: t[3], BNBeta: t[4], RunMean: t[5], RunVar: t[6],
		Y: t[7], NewMean: t[8], NewVar: t[9]}
}

// ref computes both branches in full, as SLAB's LinearNorm does, so lam = 1
// still propagates a NaN of the BN branch.
func (c *prepBN) ref(d []*kernel.Host) (y, newMean, newVar []float64) {
	x := d[0].F32
	ln := refLayerNorm(x, d[1].F32, d[2].F32, c.M, c.C, c.LNEps)
	bn, nm, nv := refBatchNormTrain(x, d[3].F32, d[4].F32, d[5].F32, d[6].F32, c.M, c.C, c.BNEps, c.Momentum)
	lam, alpha := float64(c.Lam), float64(c.Alpha)
	for i := range bn {
		bn[i] = lam*ln[i] + (1-lam)*(bn[i]+alpha*float64(x[i]))
	}
	return bn, nm, nv
}

func (c *prepBN) Check(d []*kernel.Host) suite.Check {
	y, nm, nv := c.ref(d)
	return checkState(c.FillMode, tolRepBN, d[7].F32, y, stateOut{"new_mean", d[8].F32, nm}, stateOut{"new_var", d[9].F32, nv})
}

func (c *prepBN) Cost() suite.Cost {
	e, m, ch := float64(c.M*c.C), float64(c.M), float64(c.C)
	// LayerNorm + BatchNorm training + 3E to blend.
	return suite.Cost{Flops: (8*e + 3*m) + (8*e + 12*ch) + 3*e, Trans: m + ch, Bytes: 8*e + 40*ch, Reread: 4 * e}
}

func init() {
	bnQuick := []string{"layout=nhwc,N=8,H=14,W=14,C=64", "layout=nc,N=512,C=256", "layout=nc,N=64,C=100,fill=special"}
	// nc with wide rows, and nhwc with C = 64, where a super-row repeats the
	// channels (inference is one affine either way, so only nhwc): 4 and 6 MiB in.
	bnGate := []string{"layout=nc,N=1024,C=1024", "layout=nhwc,N=8,H=56,W=56,C=64"}
	bnTests := []string{"layout=nc,N=0,C=16", "layout=nc,N=2,C=1", "layout=nhwc,N=3,H=5,W=7,C=13", "layout=nhwc,N=1,H=1,W=3,C=5,fill=special",
		"layout=nc,N=4194304,C=1"}
	suite.Register(
		&suite.Kernel{
			Name: "batchnorm_infer", Family: "norms",
			Summary: "BatchNorm inference: a per-channel affine from the running stats (torch.nn.BatchNorm eval)",
			CostDoc: affineCostDoc,
			Params:  bnParams(false),
			Quick:   append([]string{"layout=nc,N=64,C=4,fill=special"}, bnQuick...),
			Full:    []string{"layout=nhwc,N=32,H=56,W=56,C=64", "layout=nc,N=8192,C=1024"},
			Tests:   append([]string{"layout=nc,N=1,C=1", "layout=nc,N=7,C=3,fill=special"}, bnTests...),
			Gate:    bnGate[1:],
			New: func(p suite.Params) (suite.Case, error) {
				s, err := readBNShape(p, false)
				return &bnInfer{M: s.M(), C: s.C, Eps: s.Eps, FillMode: s.Fill}, err
			},
		},
		&suite.Kernel{
			Name: "batchnorm_train", Family: "norms",
			Summary: "BatchNorm training forward: batch statistics, y and the new running mean/var (torch.nn.BatchNorm train)",
			CostDoc: "FLOPs: 8 per element (mean, variance, normalize, affine) + 12 per channel, an rsqrt per channel (T); " +
				"bytes: x read and y written once, gamma, beta and the state read and the new state written; " + rereadDoc,
			Params: bnParams(true),
			Quick:  append([]string{"layout=nc,N=65536,C=3"}, bnQuick...),
			Full:   []string{"layout=nhwc,N=32,H=56,W=56,C=64", "layout=nc,N=8192,C=1024"},
			Tests:  bnTests,
			Gate:   bnGate,
			New: func(p suite.Params) (suite.Case, error) {
				s, err := readBNShape(p, true)
				return &bnTrain{s}, err
			},
		},
	)

	tok := func(extra ...suite.Param) []suite.Param { return append(tokParams(), extra...) }
	fill := suite.Param{Key: "fill", Default: "normal", Doc: "normal N(0,1); special: see batchnorm_infer / batchnorm_train"}
	repFull := []string{"B=64,T=197,C=768"}
	repGate := []string{"B=8,T=197,C=768"}
	suite.Register(
		&suite.Kernel{
			Name: "repbn_infer", Family: "norms",
			Summary: "RepBN inference y = BN(x) + alpha*x, one foldable per-channel affine (SLAB)",
			CostDoc: affineCostDoc,
			Params: tok(suite.Param{Key: "eps", Default: "1e-05", Doc: "BN epsilon"},
				suite.Param{Key: "alpha", Default: "1", Doc: "RepBN's learnable scalar"}, fill),
			Quick: []string{"B=4,T=197,C=192", "B=2,T=50,C=768", "B=2,T=8,C=16,fill=special"},
			Full:  repFull,
			Tests: []string{"B=0,T=5,C=8", "B=1,T=1,C=1", "B=3,T=7,C=13,alpha=0", "B=1,T=5,C=6,alpha=-0.5,fill=special"},
			Gate:  repGate,
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				m, ch := readTokShape(&r)
				c := &bnInfer{M: m, C: ch, Eps: float32(r.Positive("eps")), Rep: true, Alpha: float32(r.Float("alpha")),
					FillMode: r.Enum("fill", "normal", "special")}
				return c, r.Err
			},
		},
		&suite.Kernel{
			Name: "prepbn_train", Family: "norms",
			Summary: "Progressive RepBN training y = lam*LN(x) + (1-lam)*(BN_train(x) + alpha*x), with the BN state update (SLAB)",
			CostDoc: "FLOPs: LayerNorm's (8 per element, 3 per row) + BatchNorm training's (8 per element, 12 per channel) + 3 per " +
				"element to blend; an rsqrt per row and per channel (T); bytes: x read and y written once, the per-channel " +
				"parameters and state read and written; " + rereadDoc,
			Params: tok(suite.Param{Key: "lam", Default: "0.5", Doc: "blend lam = r0*iter/total_step, falls from 1 to 0"},
				suite.Param{Key: "alpha", Default: "1", Doc: "RepBN's learnable scalar"},
				suite.Param{Key: "ln_eps", Default: "1e-06", Doc: "LayerNorm epsilon (SLAB classification)"},
				suite.Param{Key: "bn_eps", Default: "1e-05", Doc: "BatchNorm epsilon"},
				suite.Param{Key: "momentum", Default: "0.1", Doc: "BatchNorm running-stat momentum"}, fill),
			Quick: []string{"B=4,T=197,C=192", "B=2,T=50,C=768,lam=1", "B=2,T=50,C=768,lam=0", "B=2,T=8,C=16,fill=special"},
			Full:  repFull,
			Tests: []string{"B=0,T=5,C=8", "B=1,T=2,C=1", "B=3,T=7,C=13,lam=0.25,alpha=-0.5", "B=1,T=5,C=6,lam=1,fill=special"},
			Gate:  repGate,
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				m, ch := readTokShape(&r)
				c := &prepBN{M: m, C: ch, Lam: float32(r.Unit("lam")), Alpha: float32(r.Float("alpha")),
					LNEps: float32(r.Positive("ln_eps")), BNEps: float32(r.Positive("bn_eps")), Momentum: float32(r.Unit("momentum")),
					FillMode: r.Enum("fill", "normal", "special")}
				r.Check(m != 1, "M = B*T = 1: training BatchNorm needs more than one value per channel")
				return c, r.Err
			},
		},
	)
}
