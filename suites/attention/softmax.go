package attention

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Softmax attention tolerance (KERNELS.md 2.1: fp32 math, |inputs| <= 1).
const (
	softmaxAtol = 2e-5
	softmaxRtol = 1e-4
)

// checkAllWork bounds the reference work (B*H*L*S*(D+Dv) multiply-adds) of
// cases whose every row is checked; bigger cases check sampledRows rows.
const (
	checkAllWork = 1 << 26
	sampledRows  = 64
)

type softmaxCase struct {
	heads
	S      int
	Scale  float32
	Causal bool
	Input  string // uniform, equal (all keys of a head equal), special (NaN and Inf in q and k)
}

func newSoftmax(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &softmaxCase{heads: readHeads(&r), S: r.Int("S", 0), Causal: r.Bool("causal"),
		Input: r.Enum("fill", "uniform", "equal", "special")}
	c.Scale = readScale(&r, c.D)
	if c.S == 0 {
		c.S = c.L
	}
	r.Check(c.S >= 1, "S = %d: softmax needs at least one key (L = 0 needs an explicit S)", c.S)
	r.Check(!c.Causal || c.S == c.L, "causal attention needs S == L, got S = %d, L = %d", c.S, c.L)
	return c, r.Err
}

func (c *softmaxCase) Buffers() []suite.Buffer {
	bh := c.B * c.H
	return []suite.Buffer{{Name: "q", DType: kernel.F32, Len: bh * c.L * c.D},
		{Name: "k", DType: kernel.F32, Len: bh * c.S * c.D}, {Name: "v", DType: kernel.F32, Len: bh * c.S * c.Dv},
		{Name: "o", DType: kernel.F32, Len: bh * c.L * c.Dv, Out: true}}
}

// Fill draws q, k, v from U(-1, 1). "equal" copies one key over all keys of
// each head (equal scores: O is the mean of V). "special" puts a NaN in
// q of row L/2 and a +Inf in q of row L-1 of the first head (NaN rows) and a
// NaN in key S/2 of the last head (NaN in every row that attends to it).
func (c *softmaxCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	q, k, v := d[0].F32, d[1].F32, d[2].F32
	suite.Uniform(rng, q, -1, 1)
	suite.Uniform(rng, k, -1, 1)
	suite.Uniform(rng, v, -1, 1)
	bh := c.B * c.H
	switch c.Input {
	case "equal":
		for h := range bh {
			hk := k[h*c.S*c.D : (h+1)*c.S*c.D]
			for j := 1; j < c.S; j++ {
				copy(hk[j*c.D:(j+1)*c.D], hk[:c.D])
			}
		}
	case "special":
		if bh == 0 || c.L == 0 {
			return
		}
		q[(c.L-1)*c.D+rng.IntN(c.D)] = suite.PosInf32
		q[(c.L/2)*c.D+rng.IntN(c.D)] = suite.NaN32
		k[((bh-1)*c.S+c.S/2)*c.D+rng.IntN(c.D)] = suite.NaN32
	}
}

func (c *softmaxCase) Op(t []kernel.Tensor) kernel.Op {
	return kernel.SoftmaxAttention{B: c.B, H: c.H, L: c.L, S: c.S, D: c.D, Dv: c.Dv, Scale: c.Scale, Causal: c.Causal,
		Q: t[0], K: t[1], V: t[2], O: t[3]}
}

// refSoftmaxRow is row i of one head in float64: scores, max subtraction,
// exp, weighted sum of V. Causal rows see keys j <= i. s is scratch [S].
func (c *softmaxCase) refSoftmaxRow(out, s []float64, q, k, v []float32, i int) {
	nk := c.S
	if c.Causal {
		nk = i + 1
	}
	qi, m := q[i*c.D:(i+1)*c.D], math.Inf(-1)
	for j := range nk {
		dot := 0.0
		for d, x := range qi {
			dot += float64(x) * float64(k[j*c.D+d])
		}
		s[j] = float64(c.Scale) * dot
		m = math.Max(m, s[j])
	}
	sum := 0.0
	for j := range nk {
		s[j] = math.Exp(s[j] - m)
		sum += s[j]
	}
	clear(out)
	for j := range nk {
		for e, x := range v[j*c.Dv : (j+1)*c.Dv] {
			out[e] += s[j] * float64(x)
		}
	}
	for e := range out {
		out[e] /= sum
	}
}

// Check compares every row of small cases. Big cases compare sampled rows
// and bound every other output by max|V| of its head (O is a convex
// combination of the rows of V), which catches unwritten or wild rows.
func (c *softmaxCase) Check(d []*kernel.Host) suite.Check {
	q, k, v, o := d[0].F32, d[1].F32, d[2].F32, d[3].F32
	bh, L, D, S, Dv := c.B*c.H, c.L, c.D, c.S, c.Dv
	head := func(h int) (qh, kh, vh, oh []float32) {
		return q[h*L*D : (h+1)*L*D], k[h*S*D : (h+1)*S*D], v[h*S*Dv : (h+1)*S*Dv], o[h*L*Dv : (h+1)*L*Dv]
	}
	trust := 0.5
	if c.Input == "special" {
		trust = 1
	}
	s := make([]float64, S)
	if bh*L*S*(D+Dv) <= checkAllWork {
		ref := make([]float64, len(o))
		for h := range bh {
			qh, kh, vh, _ := head(h)
			for i := range L {
				c.refSoftmaxRow(ref[(h*L+i)*Dv:(h*L+i+1)*Dv], s, qh, kh, vh, i)
			}
		}
		ck := suite.Close("o", o, ref, softmaxAtol, softmaxRtol)
		return suite.Trust(withErr(ck, maxAbsErr(o, ref)), ref, trust)
	}
	var checks []suite.Check
	var refs []float64
	worst := 0.0
	for _, hr := range sampleRows(bh, L, sampledRows) {
		qh, kh, vh, oh := head(hr[0])
		i := hr[1]
		ref, y := make([]float64, Dv), oh[i*Dv:(i+1)*Dv]
		c.refSoftmaxRow(ref, s, qh, kh, vh, i)
		checks = append(checks, suite.Close(rowName(c.heads, hr[0], i), y, ref, softmaxAtol, softmaxRtol))
		worst = math.Max(worst, maxAbsErr(y, ref))
		refs = append(refs, ref...)
	}
	if c.Input != "special" {
		checks = append(checks, convexBound(c.heads, v, o, S))
	}
	return suite.Trust(withErr(suite.Merge(checks...), worst), refs, trust)
}

// convexBound requires every output of head h to be finite and within
// max|V_h| (plus atol): true of any softmax attention of finite inputs.
func convexBound(h heads, v, o []float32, s int) suite.Check {
	for bh := range h.B * h.H {
		vmax := 0.0
		for _, x := range v[bh*s*h.Dv : (bh+1)*s*h.Dv] {
			vmax = math.Max(vmax, math.Abs(float64(x)))
		}
		lim := vmax*(1+softmaxRtol) + softmaxAtol
		oh := o[bh*h.L*h.Dv : (bh+1)*h.L*h.Dv]
		for n, x := range oh {
			if !(math.Abs(float64(x)) <= lim) {
				return suite.Check{Verdict: suite.Failed, ErrRatio: math.Inf(1),
					Detail: fmt.Sprintf("%s[%d] = %g is outside max|V| = %g of its head", rowName(h, bh, n/h.Dv), n%h.Dv, x, vmax)}
			}
		}
	}
	return suite.Check{Verdict: suite.Passed}
}

// Cost follows KERNELS.md 2.1 with L*S score pairs (L(L+1)/2 if causal):
// 2*pairs*(D+Dv) for Q K^T and P V (4*pairs*D when Dv = D), 5*pairs for the
// softmax, one exp per pair.
func (c *softmaxCase) Cost() suite.Cost {
	bh, l, s := float64(c.B*c.H), float64(c.L), float64(c.S)
	pairs := l * s
	if c.Causal {
		pairs = l * (l + 1) / 2
	}
	d, dv := float64(c.D), float64(c.Dv)
	return suite.Cost{Flops: bh * pairs * (2*(d+dv) + 5), Trans: bh * pairs,
		Bytes: 4 * bh * (l*d + s*d + s*dv + l*dv)}
}

func init() {
	params := append(headParams("128", suite.Param{Key: "S", Default: "0", Doc: "keys (0 = L)"}),
		suite.Param{Key: "causal", Default: "false", Doc: "mask keys j > i (needs S == L)"},
		suite.Param{Key: "scale", Default: "auto", Doc: "score scale (auto = 1/sqrt(D))"},
		suite.Param{Key: "fill", Default: "uniform", Doc: "inputs: uniform U(-1,1); equal (all keys of a head equal); special (NaN/Inf in q and k)"})
	suite.Register(&suite.Kernel{
		Name: "softmax_attention", Family: "attention",
		Summary: "scaled dot-product attention softmax(scale Q K^T) V, optionally causal (Vaswani et al. 2017; torch SDPA); full LLaMA and long-context shapes run 8 and 2 heads",
		CostDoc: "FLOPs: per (query, key) pair computed (L*S, or L(L+1)/2 causal) 2(D+Dv) for Q K^T and P V and 5 for the " +
			"softmax, one exp each (T); bytes: Q, K, V read once and O written once (a flash-style kernel never stores the scores)",
		Params: params,
		Quick: []string{"B=2,H=4,L=128,D=64", "B=1,H=4,L=256,D=64,causal=true", "B=1,H=2,L=77,S=130,D=32,Dv=48",
			"B=1,H=2,L=64,D=32,fill=equal", "B=1,H=2,L=50,D=16,fill=special", "B=1,H=2,L=50,D=16,causal=true,fill=special",
			"B=1,H=2,L=9,S=1,D=8"},
		// LLaMA-7B layer (2048 tokens, D = 128, causal), ViT-B/DeiT-B (197 tokens, 12 heads, batch 8),
		// B*H = 32 at 1024 tokens (the PyTorch SDPA comparison point), long context (8192 tokens,
		// causal). The LLaMA case runs 8 of its 32 heads and the long one 2 heads, so that the
		// go backend's full suite stays near 2 minutes on 2 cores: time per head is unchanged.
		Full: []string{"B=1,H=8,L=2048,D=128,causal=true", "B=8,H=12,L=197,D=64", "B=4,H=8,L=1024,D=64",
			"B=1,H=2,L=8192,D=64,causal=true"},
		Tests: []string{"B=0,H=3,L=5,D=4", "B=1,H=1,L=0,S=3,D=4", "B=1,H=1,L=1,D=1", "B=1,H=1,L=1,D=3,causal=true",
			"B=2,H=3,L=67,S=129,D=5,Dv=7", "B=1,H=1,L=300,D=7,causal=true", "B=1,H=1,L=130,D=8,causal=true,fill=special",
			"B=1,H=2,L=3,S=200,D=256", "B=3,H=1,L=33,D=9,fill=equal,causal=true", "B=1,H=1,L=5,D=4,scale=0"},
		Gate: []string{"B=1,H=4,L=256,D=64", "B=1,H=2,L=512,D=64,causal=true"},
		New:  newSoftmax,
	})
}
