package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// PowerNorm (KERNELS.md 1.9, MaskPowerNorm without padding): GroupScaling1D,
// then a quadratic-mean batch norm whose running phi takes over after warmup.

const (
	tolPowerNorm = 5e-5
	// groupScaleEps is GroupScaling1D's fixed epsilon.
	groupScaleEps = float32(1e-5)
)

// powerShape is x [B, T, C] as [M, C] with G groups of C/G channels.
type powerShape struct {
	M, C, G int
	Eps     float32
	Fill    string
}

func powerParams(train bool) []suite.Param {
	ps := append(tokParams(),
		suite.Param{Key: "G", Default: "1", Doc: "GroupScaling1D groups (attention heads; the class default is 1); must divide C"},
		suite.Param{Key: "eps", Default: "1e-05", Doc: "epsilon added to phi or the batch quadratic mean"})
	if train {
		ps = append(ps,
			suite.Param{Key: "afwd", Default: "0.9", Doc: "running-phi momentum alpha_fwd"},
			suite.Param{Key: "warmup", Default: "1000", Doc: "warmup iterations (NormSelect default)"},
			suite.Param{Key: "iter", Default: "2000", Doc: "1-based iteration of this call: <= warmup normalizes by the batch, > warmup by the old phi, < warmup averages phi"})
	}
	return append(ps, suite.Param{Key: "fill", Default: "normal", Doc: "normal: N(0, s_c^2) with per-channel scales; special: a NaN in channel 0"})
}

func readPowerShape(r *suite.ParamReader) powerShape {
	m, c := readTokShape(r)
	s := powerShape{M: m, C: c, G: r.Int("G", 1), Eps: float32(r.Positive("eps")), Fill: r.Enum("fill", "normal", "special")}
	r.Check(s.G > 0 && s.C%s.G == 0, "G = %d must divide C = %d", s.G, s.C)
	return s
}

// fillX draws x with per-channel scales U(0.5, 2) so group scaling and phi
// matter; special plants a NaN in channel 0 (its group's rows and channels
// come out NaN).
func (s powerShape) fillX(rng *rand.Rand, x []float32) {
	scale := make([]float64, s.C)
	for j := range scale {
		scale[j] = 0.5 + 1.5*rng.Float64()
	}
	for i := range x {
		x[i] = float32(scale[i%s.C] * rng.NormFloat64())
	}
	if s.Fill == "special" && s.M > 0 {
		x[rng.IntN(s.M)*s.C] = suite.NaN32
	}
}

// refGroupScale is GroupScaling1D: xs = x * rsqrt(mean_group(x^2) + 1e-5).
func refGroupScale(x []float32, m, c, g int) []float64 {
	xs, cg := make([]float64, m*c), c/g
	for i := 0; i < m*g; i++ {
		grp := x[i*cg : (i+1)*cg]
		m2 := 0.0
		for _, v := range grp {
			m2 += float64(v) * float64(v)
		}
		s := 1 / math.Sqrt(m2/float64(cg)+float64(groupScaleEps))
		for j, v := range grp {
			xs[i*cg+j] = float64(v) * s
		}
	}
	return xs
}

// refPowerAffine is y = w * xs * rsqrt(phi + eps) + b per channel.
func refPowerAffine(xs []float64, w, b []float32, phi []float64, c int, eps float32) []float64 {
	y := make([]float64, len(xs))
	for i, v := range xs {
		j := i % c
		y[i] = float64(w[j])*v/math.Sqrt(phi[j]+float64(eps)) + float64(b[j])
	}
	return y
}

// fillInputs draws the inputs both kernels share: x, weight, bias and phi.
func (s powerShape) fillInputs(rng *rand.Rand, d []*kernel.Host) {
	s.fillX(rng, d[0].F32)
	suite.Gamma(rng, d[1].F32)
	suite.Beta(rng, d[2].F32)
	suite.Uniform(rng, d[3].F32, 0.5, 1.5)
}

// ---- powernorm_train ----

type powerTrain struct {
	powerShape
	Afwd         float32
	Warmup, Iter int
}

func (c *powerTrain) Buffers() []suite.Buffer {
	e := c.M * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("weight", c.C), f32Buf("bias", c.C), f32Buf("phi", c.C),
		f32Out("y", e), f32Out("new_phi", c.C)}
}

func (c *powerTrain) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillInputs(rng, d) }

func (c *powerTrain) Op(t []kernel.Tensor) kernel.Op {
	return kernel.PowerNormTrain{M: c.M, C: c.C, Groups: c.G, Eps: c.Eps, Momentum: c.Afwd, Warmup: c.Warmup, Iter: c.Iter,
		X: t[0], Weight: t[1], Bias: t[2], Phi: t[3], Y: t[4], NewPhi: t[5]}
}

// ref is PowerFunction.forward: the batch quadratic mean v of xs, y from v
// (it <= warmup) or the old phi, then phi averaged (it < warmup) and moved
// toward v. M = 0 leaves phi as it was.
func (c *powerTrain) ref(d []*kernel.Host) (y, newPhi []float64) {
	phi := suite.F64(d[3].F32)
	if c.M == 0 {
		return nil, phi
	}
	xs := refGroupScale(d[0].F32, c.M, c.C, c.G)
	v := make([]float64, c.C)
	for i, s := range xs {
		v[i%c.C] += s * s
	}
	for j := range v {
		v[j] /= float64(c.M)
	}
	norm := phi
	if c.Iter <= c.Warmup {
		norm = v
	}
	y = refPowerAffine(xs, d[1].F32, d[2].F32, norm, c.C, c.Eps)
	newPhi, it, a := make([]float64, c.C), float64(c.Iter), float64(c.Afwd)
	for j, p := range phi {
		if c.Iter < c.Warmup {
			p = p*(it-1)/it + v[j]/it
		}
		newPhi[j] = a*p + (1-a)*v[j]
	}
	return y, newPhi
}

func (c *powerTrain) Check(d []*kernel.Host) suite.Check {
	y, phi := c.ref(d)
	return checkState(c.powerShape.Fill, tolPowerNorm, d[4].F32, y, stateOut{"new_phi", d[5].F32, phi})
}

func (c *powerTrain) Cost() suite.Cost {
	e, ch := float64(c.M*c.C), float64(c.C)
	return suite.Cost{Flops: 10 * e, Trans: float64(c.M*c.G) + ch, Bytes: 8*e + 16*ch, Reread: 4 * e}
}

// ---- powernorm_infer ----

type powerInfer struct{ powerShape }

func (c *powerInfer) Buffers() []suite.Buffer {
	e := c.M * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("weight", c.C), f32Buf("bias", c.C), f32Buf("phi", c.C), f32Out("y", e)}
}

func (c *powerInfer) Fill(rng *rand.Rand, d []*kernel.Host) { c.fillInputs(rng, d) }

func (c *powerInfer) Op(t []kernel.Tensor) kernel.Op {
	return kernel.PowerNormInfer{M: c.M, C: c.C, Groups: c.G, Eps: c.Eps, X: t[0], Weight: t[1], Bias: t[2], Phi: t[3], Y: t[4]}
}

func (c *powerInfer) ref(d []*kernel.Host) []float64 {
	xs := refGroupScale(d[0].F32, c.M, c.C, c.G)
	return refPowerAffine(xs, d[1].F32, d[2].F32, suite.F64(d[3].F32), c.C, c.Eps)
}

func (c *powerInfer) Check(d []*kernel.Host) suite.Check {
	y := c.ref(d)
	return suite.Trust(suite.Close("y", d[4].F32, y, tolPowerNorm, tolPowerNorm), y, batchTrust(c.powerShape.Fill))
}

func (c *powerInfer) Cost() suite.Cost {
	e, ch := float64(c.M*c.C), float64(c.C)
	return suite.Cost{Flops: 7 * e, Trans: float64(c.M*c.G) + ch, Bytes: 8*e + 12*ch}
}

func init() {
	full := []string{"B=64,T=197,C=768,G=12", "B=64,T=197,C=768"}
	suite.Register(
		&suite.Kernel{
			Name: "powernorm_train", Family: "norms",
			Summary: "PowerNorm training: GroupScaling1D + quadratic-mean batch norm with running phi (MaskPowerNorm, arXiv 2003.07845)",
			CostDoc: "FLOPs: 10 per element (group scaling, quadratic mean, output), an rsqrt per (token, group) and per channel (T); " +
				"bytes: x read and y written once, the per-channel parameters and phi read, the new phi written; " + rereadDoc,
			Params: powerParams(true),
			// Iterations around warmup = 4: averaging (1, 3), batch-normalized
			// without averaging (4), normalized by the old phi (5, 2000).
			Quick: []string{"B=4,T=49,C=192,G=4,warmup=4,iter=1", "B=4,T=49,C=192,G=4,warmup=4,iter=3",
				"B=4,T=49,C=192,G=4,warmup=4,iter=4", "B=4,T=49,C=192,G=4,warmup=4,iter=5", "B=2,T=50,C=768,G=12",
				"B=2,T=8,C=64,G=8,warmup=4,iter=2,fill=special", "B=2,T=8,C=64,G=8,fill=special"},
			Full: full,
			Tests: []string{"B=0,T=4,C=8,G=2", "B=1,T=1,C=1,warmup=0,iter=1", "B=1,T=1,C=3,warmup=5,iter=1", "B=3,T=7,C=15,G=5,warmup=2,iter=2",
				"B=2,T=5,C=6,G=3,warmup=0,iter=7", "B=1,T=3,C=4,G=4,warmup=10,iter=9"},
			Gate: []string{"B=8,T=197,C=768,G=12"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				c := &powerTrain{powerShape: readPowerShape(&r), Afwd: float32(r.Unit("afwd")),
					Warmup: r.Int("warmup", 0), Iter: r.Int("iter", 1)}
				return c, r.Err
			},
		},
		&suite.Kernel{
			Name: "powernorm_infer", Family: "norms",
			Summary: "PowerNorm inference: y = w * GroupScale(x) * rsqrt(phi + eps) + b",
			CostDoc: "FLOPs: 7 per element (group scaling, affine), an rsqrt per (token, group) and per channel (T); bytes: x read " +
				"and y written once, the per-channel parameters read",
			Params: powerParams(false),
			Quick:  []string{"B=4,T=49,C=192,G=4", "B=2,T=50,C=768,G=12", "B=2,T=8,C=64,G=8,fill=special"},
			Full:   full,
			Tests:  []string{"B=0,T=4,C=8,G=2", "B=1,T=1,C=1", "B=3,T=7,C=15,G=5", "B=1,T=3,C=4,G=4,fill=special"},
			Gate:   []string{"B=8,T=197,C=768,G=12"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				c := &powerInfer{readPowerShape(&r)}
				return c, r.Err
			},
		},
	)
}
