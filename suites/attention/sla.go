package attention

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// SLA tolerance (KERNELS.md 2.2).
const (
	slaAtol = 1e-5
	slaRtol = 1e-4
	slaEps  = 1e-6 // added to Qr_i . ks
)

type slaCase struct {
	heads
	Conv   kernel.SLAConv
	GH, GW int // sla2d token grid
	Causal bool
	Pk     bool
	Input  string // uniform; qzero (Qr = 0 on even rows); kzero (Kr = 0)
}

func newSLA(conv kernel.SLAConv) func(p suite.Params) (suite.Case, error) {
	return func(p suite.Params) (suite.Case, error) {
		r := suite.ParamReader{P: p}
		c := &slaCase{heads: readHeads(&r), Conv: conv, Pk: r.Bool("pk"), Input: r.Enum("fill", "uniform", "qzero", "kzero")}
		if conv == kernel.SLAConv1D {
			c.Causal = r.Bool("causal")
			return c, r.Err
		}
		c.GH, c.GW = r.Int("gh", 0), r.Int("gw", 0)
		switch {
		case c.GH == 0 && c.GW == 0:
			c.GH = int(math.Sqrt(float64(c.L)) + 0.5)
			c.GW = c.GH
		case c.GH == 0:
			c.GH = c.L / c.GW
		case c.GW == 0:
			c.GW = c.L / c.GH
		}
		r.Check(c.GH*c.GW == c.L, "L = %d is not gh*gw = %d*%d (give gh and gw for a grid that is not square)", c.L, c.GH, c.GW)
		return c, r.Err
	}
}

func (c *slaCase) taps() int {
	if c.Conv == kernel.SLAConv2D {
		return 25
	}
	return 5
}

// Buffers: q, k, v, wd, bd, [pk], o.
func (c *slaCase) Buffers() []suite.Buffer {
	bh := c.B * c.H
	bs := []suite.Buffer{{Name: "q", DType: kernel.F32, Len: bh * c.L * c.D}, {Name: "k", DType: kernel.F32, Len: bh * c.L * c.D},
		{Name: "v", DType: kernel.F32, Len: bh * c.L * c.Dv}, {Name: "wd", DType: kernel.F32, Len: c.Dv * c.taps()},
		{Name: "bd", DType: kernel.F32, Len: c.Dv}}
	if c.Pk {
		bs = append(bs, suite.Buffer{Name: "pk", DType: kernel.F32, Len: c.L * c.H * c.D})
	}
	return append(bs, suite.Buffer{Name: "o", DType: kernel.F32, Len: bh * c.L * c.Dv, Out: true})
}

// pk returns the key bias of the buffers, nil when the case has none.
func (c *slaCase) pk(d []*kernel.Host) []float32 {
	if !c.Pk {
		return nil
	}
	return d[5].F32
}

// Fill draws q, k, v from U(-1, 1), wd and pk from U(-0.5, 0.5) and bd as
// a beta. "qzero" makes the even rows of q non-positive (Qr = 0 there, so
// O = DWC(V)); "kzero" makes k and pk non-positive (Kr = 0 everywhere).
func (c *slaCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	q, k := d[0].F32, d[1].F32
	suite.Uniform(rng, q, -1, 1)
	suite.Uniform(rng, k, -1, 1)
	suite.Uniform(rng, d[2].F32, -1, 1)
	suite.Uniform(rng, d[3].F32, -0.5, 0.5)
	suite.Beta(rng, d[4].F32)
	pk := c.pk(d)
	suite.Uniform(rng, pk, -0.5, 0.5)
	negate := func(x []float32) {
		for i, v := range x {
			x[i] = -float32(math.Abs(float64(v)))
		}
	}
	switch c.Input {
	case "qzero":
		for row := 0; row < c.B*c.H*c.L; row += 2 {
			negate(q[row*c.D : (row+1)*c.D])
		}
	case "kzero":
		negate(k)
		negate(pk)
	}
}

func (c *slaCase) Op(t []kernel.Tensor) kernel.Op {
	op := kernel.SimplifiedLinearAttention{B: c.B, H: c.H, L: c.L, D: c.D, Dv: c.Dv, Conv: c.Conv, GridH: c.GH, GridW: c.GW,
		Causal: c.Causal, Q: t[0], K: t[1], V: t[2], Wd: t[3], Bd: t[4], O: t[len(t)-1]}
	if c.Pk {
		op.Pk = t[5]
	}
	return op
}

func relu64(x float64) float64 {
	if x < 0 {
		return 0
	}
	return x
}

// refHead is SLA of head bh in float64, in KERNELS.md's linear form:
// KV = Kr^T V and ks (running prefix sums when causal), then
// O_i = (Qr_i KV)/(Qr_i . ks + 1e-6) + DWC(V)_i.
func (c *slaCase) refHead(out []float64, q, k, v, pk, wd, bd []float32, bh int) {
	L, D, Dv, h := c.L, c.D, c.Dv, bh%c.H
	qh, kh, vh := q[bh*L*D:(bh+1)*L*D], k[bh*L*D:(bh+1)*L*D], v[bh*L*Dv:(bh+1)*L*Dv]
	kr := make([]float64, L*D)
	for n := range L {
		for d := range D {
			x := float64(kh[n*D+d])
			if pk != nil {
				x += float64(pk[(n*c.H+h)*D+d])
			}
			kr[n*D+d] = relu64(x)
		}
	}
	ks, kv := make([]float64, D), make([]float64, D*Dv)
	add := func(n int) {
		for d := range D {
			ks[d] += kr[n*D+d]
			for e := range Dv {
				kv[d*Dv+e] += kr[n*D+d] * float64(vh[n*Dv+e])
			}
		}
	}
	if !c.Causal {
		for n := range L {
			add(n)
		}
	}
	for i := range L {
		if c.Causal {
			add(i)
		}
		oi := out[i*Dv : (i+1)*Dv]
		c.refDWC(oi, vh, wd, bd, i)
		den := 0.0
		num := make([]float64, Dv)
		for d := range D {
			qr := relu64(float64(qh[i*D+d]))
			den += qr * ks[d]
			for e := range Dv {
				num[e] += qr * kv[d*Dv+e]
			}
		}
		for e := range Dv {
			oi[e] += num[e] / (den + slaEps)
		}
	}
}

// refDWC writes DWC(V)_n of one head (vh [L, Dv]) into out: bias plus a
// cross-correlation with zero padding, 5x5 over the GH x GW grid (sla2d),
// 5 taps n-2..n+2 (sla1d) or the left-padded causal taps n-4..n.
func (c *slaCase) refDWC(out []float64, vh, wd, bd []float32, n int) {
	Dv, taps := c.Dv, c.taps()
	for e := range Dv {
		acc := float64(bd[e])
		tap := func(t, m int) { acc += float64(wd[e*taps+t]) * float64(vh[m*Dv+e]) }
		switch {
		case c.Conv == kernel.SLAConv2D:
			r, col := n/c.GW, n%c.GW
			for u := -2; u <= 2; u++ {
				for w := -2; w <= 2; w++ {
					if rr, cc := r+u, col+w; rr >= 0 && rr < c.GH && cc >= 0 && cc < c.GW {
						tap((u+2)*5+w+2, rr*c.GW+cc)
					}
				}
			}
		case c.Causal:
			for t := range 5 {
				if m := n - 4 + t; m >= 0 {
					tap(t, m)
				}
			}
		default:
			for t := range 5 {
				if m := n - 2 + t; m >= 0 && m < c.L {
					tap(t, m)
				}
			}
		}
		out[e] = acc
	}
}

func (c *slaCase) Check(d []*kernel.Host) suite.Check {
	o := d[len(d)-1].F32
	ref := make([]float64, len(o))
	for bh := range c.B * c.H {
		c.refHead(ref[bh*c.L*c.Dv:(bh+1)*c.L*c.Dv], d[0].F32, d[1].F32, d[2].F32, c.pk(d), d[3].F32, d[4].F32, bh)
	}
	ck := suite.Close("o", o, ref, slaAtol, slaRtol)
	return suite.Trust(withErr(ck, maxAbsErr(o, ref)), ref, 0.5)
}

// Cost follows KERNELS.md 2.2: per (b, h) 4*L*D*Dv + 3*L*D + 2*L*D (relu)
// + L*Dv + 2*taps*L*Dv + L*Dv; bytes 4*B*H*L*(2D+2Dv) + 4*(taps+1)*Dv
// (+ 4*L*H*D with Pk).
const slaCostDoc = "FLOPs per head: 4LDDv for the two products through the D x Dv state (also the causal form's " +
	"minimum, by prefix sums), 5LD for the ReLU kernels and normalizer, 2 per tap and L Dv for the conv, 2 L Dv to combine; " +
	"bytes: Q, K, V (and Pk) read once, O written once, the conv weights read once"

func (c *slaCase) Cost() suite.Cost {
	bh, l, d, dv, taps := float64(c.B*c.H), float64(c.L), float64(c.D), float64(c.Dv), float64(c.taps())
	bytes := 4*bh*l*(2*d+2*dv) + 4*(taps+1)*dv
	if c.Pk {
		bytes += 4 * l * float64(c.H) * d
	}
	return suite.Cost{Flops: bh * (4*l*d*dv + 3*l*d + 2*l*d + l*dv + 2*taps*l*dv + l*dv), Bytes: bytes}
}

func init() {
	tail := []suite.Param{
		{Key: "pk", Default: "false", Doc: "learned key bias Pk [L, H*D] added before the ReLU"},
		{Key: "fill", Default: "uniform", Doc: "inputs: uniform U(-1,1); qzero (Qr = 0 on even rows); kzero (Kr = 0)"},
	}
	suite.Register(&suite.Kernel{
		Name: "sla2d", Family: "attention",
		Summary: "SLAB simplified linear attention, ReLU kernel + 5x5 depthwise conv on the token grid (arXiv 2405.11582)",
		CostDoc: slaCostDoc,
		Params: append(headParams("196",
			suite.Param{Key: "gh", Default: "0", Doc: "grid rows (0 = sqrt(L), or L/gw)"},
			suite.Param{Key: "gw", Default: "0", Doc: "grid columns (0 = sqrt(L), or L/gh)"}), tail...),
		Quick: []string{"B=2,H=4,L=196,D=64", "B=1,H=2,L=48,gh=6,gw=8,D=32,Dv=24,pk=true", "B=1,H=2,L=64,D=16,fill=qzero",
			"B=1,H=2,L=64,D=16,fill=kzero,pk=true", "B=2,H=1,L=1,D=8"},
		// DeiT-B tokens (14x14, 12 heads), 32x32 at B*H = 32, PVT stage-1 56x56.
		Full: []string{"B=8,H=12,L=196,D=64", "B=4,H=8,L=1024,D=64", "B=8,H=1,L=3136,D=64"},
		Tests: []string{"B=0,H=2,L=4,D=4", "B=1,H=1,L=0,D=4", "B=1,H=1,L=1,D=1", "B=1,H=1,L=5,gh=1,gw=5,D=3",
			"B=1,H=2,L=7,gh=7,gw=1,D=5,Dv=2,pk=true", "B=2,H=3,L=35,gh=5,gw=7,D=9,Dv=11", "B=1,H=1,L=9,D=4,fill=kzero"},
		Gate: []string{"B=1,H=4,L=784,D=64"}, // a 28x28 grid
		New:  newSLA(kernel.SLAConv2D),
	})
	suite.Register(&suite.Kernel{
		Name: "sla1d", Family: "attention",
		Summary: "SLAB simplified linear attention with a 5-tap depthwise Conv1d, optionally causal (nbench extension of arXiv 2405.11582)",
		CostDoc: slaCostDoc,
		Params: append(headParams("512"), append([]suite.Param{
			{Key: "causal", Default: "false", Doc: "prefix-sum (causal) state and a left-padded conv over taps n-4..n"}}, tail...)...),
		Quick: []string{"B=1,H=4,L=512,D=64", "B=1,H=4,L=512,D=64,causal=true", "B=1,H=2,L=37,D=16,Dv=24,causal=true,pk=true",
			"B=1,H=2,L=40,D=16,causal=true,fill=qzero", "B=1,H=2,L=40,D=16,fill=kzero", "B=2,H=1,L=1,D=8,causal=true"},
		// The causal shapes are softmax_attention's LLaMA (8 of 32 heads) and long-context cases,
		// where linear attention should win; B*H = 32 at 1024 tokens non-causal.
		Full: []string{"B=1,H=8,L=2048,D=128,causal=true", "B=4,H=8,L=1024,D=64", "B=1,H=2,L=8192,D=64,causal=true"},
		Tests: []string{"B=0,H=2,L=4,D=4", "B=1,H=1,L=0,D=4", "B=1,H=1,L=1,D=1", "B=1,H=1,L=2,D=3,causal=true",
			"B=1,H=1,L=3,D=2", "B=1,H=2,L=70,D=5,Dv=3,causal=true,pk=true", "B=2,H=1,L=33,D=7,causal=true,fill=kzero"},
		Gate: []string{"B=1,H=4,L=1024,D=64", "B=1,H=4,L=1024,D=64,causal=true"},
		New:  newSLA(kernel.SLAConv1D),
	})
}
