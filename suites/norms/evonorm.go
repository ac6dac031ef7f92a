package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// EvoNorm-B0 and -S0 (KERNELS.md 1.11) on NHWC x [N, H, W, C], following the
// authors' TensorFlow code (eps 1e-5, biased variances, decay 0.9).

const tolEvoNorm = 3e-5

type evoShape struct {
	N, HW, C  int
	Eps       float32
	Nonlinear bool
	Fill      string
}

func (s evoShape) E() int { return s.N * s.HW * s.C }

func evoParams(extra ...suite.Param) []suite.Param {
	ps := []suite.Param{
		{Key: "N", Default: "32", Doc: "batch"},
		{Key: "H", Default: "56", Doc: "height"},
		{Key: "W", Default: "56", Doc: "width"},
		{Key: "C", Default: "64", Doc: "channels (innermost)"},
		{Key: "eps", Default: "1e-05", Doc: "epsilon added to every variance"},
	}
	ps = append(ps, extra...)
	return append(ps,
		suite.Param{Key: "nonlinear", Default: "true", Doc: "false gives y = x*gamma + beta"},
		suite.Param{Key: "fill", Default: "normal", Doc: "normal N(0,1); special: a NaN in channel 0 of image 0 and a constant channel 1"})
}

func readEvoShape(r *suite.ParamReader) evoShape {
	return evoShape{N: r.Int("N", 0), HW: r.Int("H", 1) * r.Int("W", 1), C: r.Int("C", 1), Eps: float32(r.Positive("eps")),
		Nonlinear: r.Bool("nonlinear"), Fill: r.Enum("fill", "normal", "special")}
}

// fill draws x, gamma, beta and v (v from U(-1, 1), so v*x + sw falls on
// both sides of the B0 max).
func (s evoShape) fill(rng *rand.Rand, x, gamma, beta, v []float32) {
	suite.Normal(rng, x, 0, 1)
	suite.Gamma(rng, gamma)
	suite.Beta(rng, beta)
	suite.Uniform(rng, v, -1, 1)
	if s.Fill != "special" || s.N == 0 {
		return
	}
	x[rng.IntN(s.HW)*s.C] = suite.NaN32
	if s.C > 1 {
		for r := 0; r < s.N*s.HW; r++ {
			x[r*s.C+1] = 0.75
		}
	}
}

// refInstanceVar is the biased variance of each (image, channel) over HW.
func refInstanceVar(x []float32, n, hw, c int) []float64 {
	out := make([]float64, n*c)
	for i := 0; i < n; i++ {
		_, v := refChannelMeanVar(x[i*hw*c:(i+1)*hw*c], hw, c)
		copy(out[i*c:], v)
	}
	return out
}

// refAffine is y = x*gamma + beta, the nonlinear = false form of both.
func refAffine(x, gamma, beta []float32, c int) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)*float64(gamma[i%c]) + float64(beta[i%c])
	}
	return y
}

// ---- evonorm_b0 ----

type evoB0 struct {
	evoShape
	Decay    float32
	Training bool
}

func (c *evoB0) Buffers() []suite.Buffer {
	b := []suite.Buffer{f32Buf("x", c.E()), f32Buf("gamma", c.C), f32Buf("beta", c.C), f32Buf("v", c.C),
		f32Buf("running_var", c.C), f32Out("y", c.E())}
	if c.Training {
		b = append(b, f32Out("new_running_var", c.C))
	}
	return b
}

func (c *evoB0) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fill(rng, d[0].F32, d[1].F32, d[2].F32, d[3].F32)
	suite.Uniform(rng, d[4].F32, 0.5, 1.5)
}

func (c *evoB0) Op(t []kernel.Tensor) kernel.Op {
	op := kernel.EvoNormB0{N: c.N, HW: c.HW, C: c.C, Eps: c.Eps, Decay: c.Decay, Training: c.Training, Nonlinear: c.Nonlinear,
		X: t[0], Gamma: t[1], Beta: t[2], V: t[3], RunVar: t[4], Y: t[5]}
	if c.Training {
		op.NewRunVar = t[6]
	}
	return op
}

// ref: den = max(sqrt(sb2+eps), v*x + sqrt(sw2+eps)) with a NaN-propagating
// max (math.Max, torch.maximum); training updates rv toward the batch
// variance. With nonlinear = false or N = 0 the state is left alone.
func (c *evoB0) ref(d []*kernel.Host) (y, newRV []float64) {
	x, g, b, v, rv := d[0].F32, d[1].F32, d[2].F32, d[3].F32, d[4].F32
	newRV = suite.F64(rv)
	if !c.Nonlinear {
		return refAffine(x, g, b, c.C), newRV
	}
	if c.N == 0 {
		return nil, newRV
	}
	sb2 := suite.F64(rv)
	if c.Training {
		_, sb2 = refChannelMeanVar(x, c.N*c.HW, c.C)
		for j := range newRV {
			newRV[j] -= (newRV[j] - sb2[j]) * (1 - float64(c.Decay))
		}
	}
	sw2, eps := refInstanceVar(x, c.N, c.HW, c.C), float64(c.Eps)
	y = make([]float64, len(x))
	for i, xv := range x {
		j, img := i%c.C, i/(c.HW*c.C)
		left := math.Sqrt(sb2[j] + eps)
		right := float64(v[j])*float64(xv) + math.Sqrt(sw2[img*c.C+j]+eps)
		y[i] = float64(xv)/math.Max(left, right)*float64(g[j]) + float64(b[j])
	}
	return y, newRV
}

func (c *evoB0) Check(d []*kernel.Host) suite.Check {
	y, rv := c.ref(d)
	if !c.Training {
		return suite.Trust(suite.Close("y", d[5].F32, y, tolEvoNorm, tolEvoNorm), y, batchTrust(c.evoShape.Fill))
	}
	return checkState(c.evoShape.Fill, tolEvoNorm, d[5].F32, y, stateOut{"new_running_var", d[6].F32, rv})
}

func (c *evoB0) Cost() suite.Cost {
	e, ch := float64(c.E()), float64(c.C)
	state := 4 * ch // rv read
	if c.Training {
		state += 4 * ch
	}
	if !c.Nonlinear {
		return suite.Cost{Flops: 2 * e, Bytes: 8*e + 8*ch + state}
	}
	// Instance statistics 4E, output 6E, batch statistics 4E in training.
	flops, trans := 10*e, float64(c.N*c.C)+ch
	if c.Training {
		flops += 4 * e
	}
	cost := suite.Cost{Flops: flops, Trans: trans, Bytes: 8*e + 12*ch + state}
	if c.Training {
		cost.Reread = 4 * e // the batch std covers every image
	}
	return cost
}

// ---- evonorm_s0 ----

type evoS0 struct {
	evoShape
	G int // groups after lowering
}

// evoGroups lowers g until it divides c, as TF's _group_std does.
func evoGroups(g, c int) int {
	for g > 1 && c%g != 0 {
		g--
	}
	return g
}

func (c *evoS0) Buffers() []suite.Buffer {
	return []suite.Buffer{f32Buf("x", c.E()), f32Buf("gamma", c.C), f32Buf("beta", c.C), f32Buf("v", c.C), f32Out("y", c.E())}
}

func (c *evoS0) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.fill(rng, d[0].F32, d[1].F32, d[2].F32, d[3].F32)
}

func (c *evoS0) Op(t []kernel.Tensor) kernel.Op {
	return kernel.EvoNormS0{N: c.N, HW: c.HW, C: c.C, Groups: c.G, Eps: c.Eps, Nonlinear: c.Nonlinear,
		X: t[0], Gamma: t[1], Beta: t[2], V: t[3], Y: t[4]}
}

// ref: y = x * sigmoid(v*x) * rsqrt(sg2 + eps) * gamma + beta, sg2 the
// biased variance of each (image, group) over HW and the group's channels.
func (c *evoS0) ref(d []*kernel.Host) []float64 {
	x, g, b, v := d[0].F32, d[1].F32, d[2].F32, d[3].F32
	if !c.Nonlinear {
		return refAffine(x, g, b, c.C)
	}
	cg := c.C / c.G
	rstd := make([]float64, c.N*c.G)
	grp := make([]float32, 0, c.HW*cg)
	for img := 0; img < c.N; img++ {
		for k := 0; k < c.G; k++ {
			grp = grp[:0]
			for r := 0; r < c.HW; r++ {
				off := (img*c.HW+r)*c.C + k*cg
				grp = append(grp, x[off:off+cg]...)
			}
			_, vr := refMeanVar(grp)
			rstd[img*c.G+k] = 1 / math.Sqrt(vr+float64(c.Eps))
		}
	}
	y := make([]float64, len(x))
	for i, xv := range x {
		j, img := i%c.C, i/(c.HW*c.C)
		t := float64(v[j]) * float64(xv)
		sig := 1 / (1 + math.Exp(-t))
		y[i] = float64(xv)*sig*rstd[img*c.G+j/cg]*float64(g[j]) + float64(b[j])
	}
	return y
}

func (c *evoS0) Check(d []*kernel.Host) suite.Check {
	y := c.ref(d)
	return suite.Trust(suite.Close("y", d[4].F32, y, tolEvoNorm, tolEvoNorm), y, batchTrust(c.evoShape.Fill))
}

func (c *evoS0) Cost() suite.Cost {
	e, ch := float64(c.E()), float64(c.C)
	if !c.Nonlinear {
		return suite.Cost{Flops: 2 * e, Bytes: 8*e + 8*ch}
	}
	return suite.Cost{Flops: 11 * e, Trans: e + float64(c.N*c.G), Bytes: 8*e + 12*ch}
}

func init() {
	full := []string{"N=32,H=56,W=56,C=64", "N=32,H=28,W=28,C=128"}
	suite.Register(
		&suite.Kernel{
			Name: "evonorm_b0", Family: "norms",
			Summary: "EvoNorm-B0: x / max(batch std, v*x + instance std) * gamma + beta (arXiv 2004.02967, TF reference)",
			CostDoc: "FLOPs: 10 per element (instance statistics 4, output 6) + 4 for the batch statistics in training, a sqrt per " +
				"(image, channel) and per channel (T); 2 per element without the nonlinearity; bytes: x read and y written once, " +
				"the per-channel parameters and state read (and written in training); in training " + rereadDoc,
			Params: evoParams(
				suite.Param{Key: "decay", Default: "0.9", Doc: "running-var decay: rv' = rv - (rv - sb2)*(1 - decay)"},
				suite.Param{Key: "training", Default: "true", Doc: "batch variance and state update (true) or running_var (false)"}),
			Quick: []string{"N=4,H=14,W=14,C=64", "N=4,H=14,W=14,C=64,training=false", "N=2,H=7,W=7,C=128",
				"N=2,H=8,W=8,C=32,nonlinear=false", "N=2,H=8,W=8,C=32,training=false,nonlinear=false",
				"N=2,H=5,W=5,C=16,fill=special", "N=2,H=5,W=5,C=16,training=false,fill=special"},
			Full: append(full, "N=32,H=56,W=56,C=64,training=false"),
			Tests: []string{"N=0,H=4,W=4,C=8", "N=1,H=1,W=1,C=1", "N=3,H=1,W=1,C=5", "N=3,H=1,W=1,C=5,training=false",
				"N=2,H=3,W=5,C=7", "N=1,H=17,W=19,C=3,training=false", "N=2,H=33,W=33,C=300", "N=2,H=33,W=33,C=300,training=false", "N=2,H=31,W=29,C=160", "N=0,H=2,W=2,C=3,nonlinear=false"},
			Gate: []string{"N=16,H=28,W=28,C=64"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				c := &evoB0{evoShape: readEvoShape(&r), Decay: float32(r.Unit("decay")), Training: r.Bool("training")}
				return c, r.Err
			},
		},
		&suite.Kernel{
			Name: "evonorm_s0", Family: "norms",
			Summary: "EvoNorm-S0: x * sigmoid(v*x) / group std * gamma + beta (arXiv 2004.02967, TF reference)",
			CostDoc: "FLOPs: 11 per element (group statistics, sigmoid, output), a sigmoid per element and an rsqrt per group (T); " +
				"2 per element without the nonlinearity; bytes: x read and y written once (an image's groups fit in cache), " +
				"the per-channel parameters read",
			Params: evoParams(suite.Param{Key: "groups", Default: "32", Doc: "groups G, lowered until G divides C (as TF does)"}),
			Quick: []string{"N=4,H=14,W=14,C=64", "N=2,H=7,W=7,C=128", "N=2,H=8,W=8,C=48", "N=2,H=8,W=8,C=32,nonlinear=false",
				"N=2,H=5,W=5,C=16,fill=special"},
			Full: full,
			Tests: []string{"N=0,H=4,W=4,C=8", "N=1,H=1,W=1,C=1", "N=3,H=1,W=1,C=64", "N=2,H=3,W=5,C=7", "N=1,H=6,W=6,C=30",
				"N=2,H=4,W=4,C=12,groups=1", "N=2,H=33,W=33,C=300", "N=2,H=31,W=29,C=160", "N=1,H=3,W=3,C=5,fill=special"},
			Gate: []string{"N=16,H=28,W=28,C=64"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				c := &evoS0{evoShape: readEvoShape(&r)}
				c.G = evoGroups(r.Int("groups", 1), c.C)
				return c, r.Err
			},
		},
	)
}
