package norms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Unified Normalization UN1d (KERNELS.md 1.10): no centering; training
// normalizes by the batch quadratic mean or, after warmup, by the geometric
// mean of a window of past ones, with outlier filtration.

const tolUnified = 5e-5

// unifiedHistory is how many earlier steps Fill simulates to build the state.
const unifiedHistory = 8

// unCfg is the configuration of UN1d training.
type unCfg struct {
	C, W, Warmup int
	Filter       bool
	Eps, Mom     float32
}

// unStep is the float64 state part of one UN1d training step at iteration
// it, given the batch quadratic mean x2.
type unStep struct {
	Var, NewBuf, NewRV []float64
	Trig               bool // outlier filtration fired
	// Ambiguous: some channel's filtration margin is within rounding of the
	// threshold, so a float32 kernel may take either branch.
	Ambiguous bool
}

// unRefStep runs one step; force, when set, imposes the filtration outcome
// (to judge the other branch of an ambiguous decision).
func (p unCfg) unRefStep(buf, rv, x2 []float64, it int, force *bool) unStep {
	c, w := p.C, p.W
	s := unStep{NewBuf: append([]float64(nil), buf...)}
	// rec = unbiased variance of sqrt(buf) over all W*C values, before the write.
	sq := make([]float64, len(buf))
	for i, v := range buf {
		sq[i] = math.Sqrt(v)
	}
	rec := refVarUnbiased(sq)
	slot := s.NewBuf[(it%w)*c : (it%w+1)*c]
	copy(slot, x2)
	gm := make([]float64, c)
	geo := func() {
		for j := range gm {
			l := 0.0
			for k := 0; k < w; k++ {
				l += math.Log(s.NewBuf[k*c+j])
			}
			gm[j] = math.Exp(l / float64(w))
		}
	}
	if p.Filter && it >= p.Warmup {
		geo()
		thr := rec * float64(w)
		for j := range gm {
			am := 0.0
			for k := 0; k < w; k++ {
				am += s.NewBuf[k*c+j]
			}
			am /= float64(w)
			// Generous bounds on a float32 kernel's error: a few ulp in am,
			// (W + |log gm|) ulp in gm = exp(mean log), and more in rec, a
			// sum over W*C values.
			tol := 1e-6*am + 1e-4*math.Abs(thr)
			if gm[j] > 0 {
				tol += 2e-7 * (float64(w) + math.Abs(math.Log(gm[j])) + 4) * gm[j]
			}
			margin := am - gm[j] - thr
			if margin > tol {
				s.Trig = true
			} else if math.Abs(margin) <= tol {
				s.Ambiguous = true
			}
		}
		if s.Trig {
			s.Ambiguous = false
		}
		if force != nil {
			s.Trig = *force
		}
		if s.Trig {
			copy(slot, rv)
		}
	}
	skip := s.Trig || w <= 1
	s.Var = x2
	if !(it <= w || it < p.Warmup || skip) {
		geo()
		s.Var = gm
	}
	s.NewRV = make([]float64, c)
	for j := range rv {
		s.NewRV[j] = float64(p.Mom)*rv[j] + (1-float64(p.Mom))*s.Var[j]
	}
	return s
}

// refVarUnbiased is the two-pass unbiased variance (torch.var); one value
// gives 0/0 = NaN, as in torch.
func refVarUnbiased(x []float64) float64 {
	mean, ss := 0.0, 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return ss / float64(len(x)-1)
}

// refQuadMean is the per-channel mean of x^2 over the rows of x [m, c].
func refQuadMean(x []float32, m, c int) []float64 {
	x2 := make([]float64, c)
	for i, v := range x[:m*c] {
		x2[i%c] += float64(v) * float64(v)
	}
	for j := range x2 {
		x2[j] /= float64(m)
	}
	return x2
}

// refScaleByVar is y = w * x * rsqrt(v + eps) + b per channel.
func refScaleByVar(x, w, b []float32, v []float64, c int, eps float32) []float64 {
	y := make([]float64, len(x))
	for i, xv := range x {
		j := i % c
		y[i] = float64(w[j])*float64(xv)/math.Sqrt(v[j]+float64(eps)) + float64(b[j])
	}
	return y
}

// channelScales draws the per-channel standard deviations of the inputs, so
// that rec (which spans channels) is realistic.
func channelScales(rng *rand.Rand, c int) []float64 {
	s := make([]float64, c)
	for j := range s {
		s[j] = 0.5 + 1.5*rng.Float64()
	}
	return s
}

// ---- unified_norm_train ----

type unifiedTrain struct {
	unCfg
	M, Iter  int
	FillMode string
}

func (c *unifiedTrain) Buffers() []suite.Buffer {
	e, wc := c.M*c.C, c.W*c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("weight", c.C), f32Buf("bias", c.C), f32Buf("buf", wc),
		f32Buf("running_var", c.C), f32Out("y", e), f32Out("new_buf", wc), f32Out("new_running_var", c.C)}
}

// Fill draws x [M, C] with per-channel scales s_c and builds the state by
// running the reference over the earlier steps on simulated batch
// statistics x2 = s_c^2 (1 + sqrt(2/M) N(0,1)): from the initial state
// (buf = 0, rv = 1) when iter-1 <= unifiedHistory, else from a synthetic
// steady state. The state is rounded to float32 after every step, as a
// float32 kernel holds it. outlier scales channel 0 of this batch by 30 so
// the filtration fires; special zeroes channel 0 (x2 = 0, log 0 = -Inf)
// and plants a NaN in channel 1.
func (c *unifiedTrain) Fill(rng *rand.Rand, d []*kernel.Host) {
	sc := channelScales(rng, c.C)
	x := d[0].F32
	for i := range x {
		x[i] = float32(sc[i%c.C] * rng.NormFloat64())
	}
	suite.Gamma(rng, d[1].F32)
	suite.Beta(rng, d[2].F32)
	buf, rv := make([]float64, c.W*c.C), make([]float64, c.C)
	start := c.Iter - unifiedHistory
	if start <= 1 {
		start = 1
		for j := range rv {
			rv[j] = 1
		}
	} else {
		for i := range buf {
			buf[i] = sc[i%c.C] * sc[i%c.C] * (0.9 + 0.2*rng.Float64())
		}
		for j := range rv {
			rv[j] = sc[j] * sc[j] * (0.9 + 0.2*rng.Float64())
		}
	}
	x2, noise := make([]float64, c.C), math.Sqrt(2/float64(max(c.M, 2)))
	for it := start; it < c.Iter; it++ {
		for j := range x2 {
			x2[j] = sc[j] * sc[j] * max(0.01, 1+noise*rng.NormFloat64())
		}
		s := c.unRefStep(buf, rv, x2, it, nil)
		buf, rv = round32(s.NewBuf), round32(s.NewRV)
	}
	for i := range buf {
		d[3].F32[i] = float32(buf[i])
	}
	for j := range rv {
		d[4].F32[j] = float32(rv[j])
	}
	if c.M == 0 {
		return
	}
	switch c.FillMode {
	case "outlier":
		for r := 0; r < c.M; r++ {
			x[r*c.C] *= 30
		}
	case "special":
		for r := 0; r < c.M; r++ {
			x[r*c.C] = 0
		}
		if c.C > 1 {
			x[rng.IntN(c.M)*c.C+1] = suite.NaN32
		}
	}
}

// round32 rounds values to float32 precision.
func round32(v []float64) []float64 {
	for i := range v {
		v[i] = float64(float32(v[i]))
	}
	return v
}

func (c *unifiedTrain) Op(t []kernel.Tensor) kernel.Op {
	return kernel.UnifiedNormTrain{M: c.M, C: c.C, Window: c.W, Warmup: c.Warmup, Iter: c.Iter, Filter: c.Filter,
		Eps: c.Eps, Momentum: c.Mom, X: t[0], Weight: t[1], Bias: t[2], Buf: t[3], RunVar: t[4],
		Y: t[5], NewBuf: t[6], NewRunVar: t[7]}
}

// judge checks the outputs against one outcome of the step. M = 0 leaves
// the state as it was.
func (c *unifiedTrain) judge(d []*kernel.Host, force *bool) (suite.Check, unStep) {
	buf, rv := suite.F64(d[3].F32), suite.F64(d[4].F32)
	s := unStep{NewBuf: buf, NewRV: rv}
	var y []float64
	if c.M > 0 {
		s = c.unRefStep(buf, rv, refQuadMean(d[0].F32, c.M, c.C), c.Iter, force)
		y = refScaleByVar(d[0].F32, d[1].F32, d[2].F32, s.Var, c.C, c.Eps)
	}
	trust := c.FillMode
	if trust == "outlier" {
		trust = "normal"
	}
	return checkState(trust, tolUnified, d[5].F32, y, stateOut{"new_buf", d[6].F32, s.NewBuf},
		stateOut{"new_running_var", d[7].F32, s.NewRV}), s
}

// Check accepts either filtration outcome when the decision is within
// rounding of its threshold.
func (c *unifiedTrain) Check(d []*kernel.Host) suite.Check {
	chk, s := c.judge(d, nil)
	if !s.Ambiguous || chk.Verdict == suite.Passed {
		return chk
	}
	other := !s.Trig
	alt, _ := c.judge(d, &other)
	if alt.Verdict == suite.Passed {
		alt.Detail = "outlier filtration within rounding of its threshold; the kernel took the other branch"
		return alt
	}
	return chk
}

func (c *unifiedTrain) Cost() suite.Cost {
	e, ch, wc := float64(c.M*c.C), float64(c.C), float64(c.W*c.C)
	return suite.Cost{Flops: 6*e + 6*wc, Trans: wc + ch, Bytes: 8*e + 16*ch + 8*wc, Reread: 4 * e}
}

// ---- unified_norm_infer ----

type unifiedInfer struct {
	M, C     int
	Eps      float32
	FillMode string
}

func (c *unifiedInfer) Buffers() []suite.Buffer {
	e := c.M * c.C
	return []suite.Buffer{f32Buf("x", e), f32Buf("weight", c.C), f32Buf("bias", c.C), f32Buf("running_var", c.C), f32Out("y", e)}
}

// Fill: special zeroes rv in channel 0 (y = w*x/sqrt(eps) + b) and plants
// a NaN in channel 1.
func (c *unifiedInfer) Fill(rng *rand.Rand, d []*kernel.Host) {
	sc := channelScales(rng, c.C)
	for i := range d[0].F32 {
		d[0].F32[i] = float32(sc[i%c.C] * rng.NormFloat64())
	}
	suite.Gamma(rng, d[1].F32)
	suite.Beta(rng, d[2].F32)
	for j := range d[3].F32 {
		d[3].F32[j] = float32(sc[j] * sc[j] * (0.9 + 0.2*rng.Float64()))
	}
	if c.FillMode == "special" {
		d[3].F32[0] = 0
		if c.C > 1 && c.M > 0 {
			d[0].F32[rng.IntN(c.M)*c.C+1] = suite.NaN32
		}
	}
}

func (c *unifiedInfer) Op(t []kernel.Tensor) kernel.Op {
	return kernel.UnifiedNormInfer{M: c.M, C: c.C, Eps: c.Eps, X: t[0], Weight: t[1], Bias: t[2], RunVar: t[3], Y: t[4]}
}

func (c *unifiedInfer) ref(d []*kernel.Host) []float64 {
	return refScaleByVar(d[0].F32, d[1].F32, d[2].F32, suite.F64(d[3].F32), c.C, c.Eps)
}

func (c *unifiedInfer) Check(d []*kernel.Host) suite.Check {
	y := c.ref(d)
	return suite.Trust(suite.Close("y", d[4].F32, y, tolUnified, tolUnified), y, batchTrust(c.FillMode))
}

func (c *unifiedInfer) Cost() suite.Cost {
	e, ch := float64(c.M*c.C), float64(c.C)
	return suite.Cost{Flops: 3 * e, Trans: ch, Bytes: 8*e + 12*ch}
}

func init() {
	eps := suite.Param{Key: "eps", Default: "1e-05", Doc: "epsilon added to the variance"}
	// A sequence of W+3 = 7 steps with warmup 2 and W = 4: it <= W (1-4,
	// zero slots in the window), the geometric mean (5-7), the filtration
	// firing on an outlier, a zero channel, and it < warmup.
	q := "B=2,T=49,C=96,window=4,warmup=2,"
	suite.Register(
		&suite.Kernel{
			Name: "unified_norm_train", Family: "norms",
			Summary: "Unified Normalization (UN1d) training: windowed geometric-mean statistics with outlier filtration (arXiv 2208.01313)",
			CostDoc: "FLOPs: 6 per element (statistics, output) + 6 per window value and channel, a log/exp per window value and an " +
				"rsqrt per channel (T); bytes: x read and y written once, the parameters read, the window state read and written; " + rereadDoc,
			Params: append(tokParams(),
				suite.Param{Key: "window", Default: "4", Doc: "window W of past batch statistics"},
				suite.Param{Key: "warmup", Default: "4000", Doc: "warmup iterations"},
				suite.Param{Key: "iter", Default: "8000", Doc: "1-based iteration of this call"},
				suite.Param{Key: "filter", Default: "true", Doc: "outlier filtration (true for ViT, false for NMT)"},
				eps,
				suite.Param{Key: "momentum", Default: "0.9", Doc: "running-var momentum: rv' = mom*rv + (1-mom)*var"},
				suite.Param{Key: "fill", Default: "normal", Doc: "normal: N(0, s_c^2); outlier: channel 0 x30 (filtration fires); special: a zero channel and a NaN"}),
			Quick: []string{q + "iter=1,filter=false", q + "iter=2", q + "iter=3,filter=false", q + "iter=4", q + "iter=5",
				q + "iter=6,fill=outlier", q + "iter=7,filter=false", q + "iter=7,fill=special", q + "iter=6,filter=false,fill=outlier",
				"B=2,T=49,C=96,window=4,warmup=10,iter=7", "B=4,T=197,C=384,warmup=2,iter=100"},
			Full: []string{"B=64,T=197,C=768", "B=64,T=197,C=768,filter=false"},
			Tests: []string{"B=0,T=3,C=4,iter=9", "B=1,T=1,C=1,window=1,warmup=0,iter=3", "B=1,T=3,C=5,window=1,warmup=0,iter=5,fill=outlier",
				"B=3,T=7,C=13,window=3,warmup=1,iter=11", "B=1,T=2,C=3,window=2,warmup=0,iter=1", "B=2,T=5,C=6,window=5,warmup=3,iter=13,fill=special"},
			Gate: []string{"B=8,T=197,C=768"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				m, ch := readTokShape(&r)
				c := &unifiedTrain{unCfg: unCfg{C: ch, W: r.Int("window", 1), Warmup: r.Int("warmup", 0), Filter: r.Bool("filter"),
					Eps: float32(r.Positive("eps")), Mom: float32(r.Unit("momentum"))},
					M: m, Iter: r.Int("iter", 1), FillMode: r.Enum("fill", "normal", "outlier", "special")}
				return c, r.Err
			},
		},
		&suite.Kernel{
			Name: "unified_norm_infer", Family: "norms",
			Summary: "Unified Normalization inference: y = w * x * rsqrt(rv + eps) + b, a per-channel scale",
			CostDoc: affineCostDoc,
			Params:  append(tokParams(), eps, suite.Param{Key: "fill", Default: "normal", Doc: "normal; special: rv = 0 in a channel and a NaN"}),
			Quick:   []string{"B=4,T=197,C=192", "B=2,T=50,C=768", "B=2,T=8,C=16,fill=special"},
			Full:    []string{"B=64,T=197,C=768"},
			Tests:   []string{"B=0,T=3,C=4", "B=1,T=1,C=1", "B=3,T=7,C=13", "B=1,T=5,C=3,fill=special"},
			Gate:    []string{"B=8,T=197,C=768"},
			New: func(p suite.Params) (suite.Case, error) {
				r := suite.ParamReader{P: p}
				m, ch := readTokShape(&r)
				c := &unifiedInfer{M: m, C: ch, Eps: float32(r.Positive("eps")), FillMode: r.Enum("fill", "normal", "special")}
				return c, r.Err
			},
		},
	)
}
