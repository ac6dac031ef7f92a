package qmatmul

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// ---- repquant_ln_linear (KERNELS.md 3.4 a) ----

// repquantModel is the unreparameterized model: LN affine (gamma, beta),
// per-channel dual-clipping quantizer (d_c, z_c) of the post-LN
// activations, and the next Linear (W [N,C], bias [N]). Channels differ a
// lot, as post-LN activations do: 1 in 20 is an outlier channel with a
// gamma 8 times larger and a shifted beta.
type repquantModel struct {
	gamma, beta, d, z []float64 // [C]
	w                 []float64 // [N*C]
	bias              []float64 // [N]
}

// repquantDraw draws the model from seed (Check redraws it). The clipping
// bounds stand in for RepQ-ViT's percentile search: u = beta + gamma*U(2,3.5),
// l = beta - gamma*U(2,3.5), so each channel has its own asymmetric range.
func repquantDraw(seed uint64, c, n, bits int) repquantModel {
	g := rand.New(rand.NewPCG(seed, 0x7265707175616e74))
	md := repquantModel{gamma: make([]float64, c), beta: make([]float64, c), d: make([]float64, c),
		z: make([]float64, c), w: make([]float64, n*c), bias: make([]float64, n)}
	qmax := float64(int(1)<<bits - 1)
	for j := 0; j < c; j++ {
		f, off := 1.0, 0.0
		if g.IntN(20) == 0 {
			f, off = 8, 6*g.Float64()-3
		}
		md.gamma[j] = float64(float32(f * (0.5 + g.Float64())))
		md.beta[j] = float64(float32(g.Float64() - 0.5 + off))
		u := md.beta[j] + md.gamma[j]*(2+1.5*g.Float64())
		l := md.beta[j] - md.gamma[j]*(2+1.5*g.Float64())
		md.d[j] = (u - l) / qmax
		md.z[j] = math.RoundToEven(-l / md.d[j])
	}
	std := 1 / math.Sqrt(float64(c))
	for i := range md.w {
		md.w[i] = float64(float32(std * g.NormFloat64()))
	}
	for i := range md.bias {
		md.bias[i] = float64(float32(0.2*g.Float64() - 0.1))
	}
	return md
}

// repParams are the reparameterized parameters, in float64.
type repParams struct {
	gamma, beta, w, bias []float64
	dt, zt               float64
}

// reparam is RepQuant's reparameterization: d_t = mean d_c, z_t =
// rne(mean z_c), r_c = d_c/d_t, b_c = (z_t - z_c) d_t; gamma' = gamma/r,
// beta' = beta/r - b, W'[:,c] = W[:,c] r_c, bias' = bias + W' b.
func (md repquantModel) reparam() repParams {
	c := len(md.gamma)
	p := repParams{gamma: make([]float64, c), beta: make([]float64, c), w: make([]float64, len(md.w)),
		bias: make([]float64, len(md.bias))}
	for j := 0; j < c; j++ {
		p.dt += md.d[j]
		p.zt += md.z[j]
	}
	p.dt /= float64(c)
	p.zt = math.RoundToEven(p.zt / float64(c))
	r, b := make([]float64, c), make([]float64, c)
	for j := 0; j < c; j++ {
		r[j] = md.d[j] / p.dt
		b[j] = (p.zt - md.z[j]) * p.dt
		p.gamma[j] = md.gamma[j] / r[j]
		p.beta[j] = md.beta[j]/r[j] - b[j]
	}
	for n := range md.bias {
		s := md.bias[n]
		for j := 0; j < c; j++ {
			p.w[n*c+j] = md.w[n*c+j] * r[j]
			s += p.w[n*c+j] * b[j]
		}
		p.bias[n] = s
	}
	return p
}

// round32 stores float64 parameters as the float32 buffers of the kernel.
func round32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

type repquantLN struct {
	M, C, N, bits int
	eps           float32
	seed          uint64
	dt            float32 // drawn in Fill (the harness always fills before Op)
	zt            int32
	l             layout
}

func newRepquantLN(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &repquantLN{M: r.Int("M", 0), C: r.Int("C", 1), N: r.Int("N", 0), bits: r.Int("bits", 1),
		eps: float32(r.Positive("eps"))}
	r.Check(c.bits <= 8, "bits = %d (must be <= 8)", c.bits)
	c.l.add("x", kernel.F32, c.M*c.C, false)
	c.l.add("gamma", kernel.F32, c.C, false)
	c.l.add("beta", kernel.F32, c.C, false)
	c.l.add("w", kernel.F32, c.N*c.C, false)
	c.l.add("bias", kernel.F32, c.N, false) // bias' = bias + W'b is never zero
	c.l.add("y", kernel.F32, c.M*c.N, true)
	c.l.add("q", kernel.U8, c.M*c.C, true)
	return c, r.Err
}

func (c *repquantLN) Buffers() []suite.Buffer { return c.l.list }

// Fill draws X ~ N(0,1) with X[0,0] = 40 (an outlier whose code clamps,
// so element 0 of Q is never a near-tie) and the reparameterized model.
func (c *repquantLN) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.seed = rng.Uint64()
	x := c.l.h(d, "x").F32
	suite.Normal(rng, x, 0, 1)
	if len(x) > 0 {
		x[0] = 40
	}
	p := repquantDraw(c.seed, c.C, c.N, c.bits).reparam()
	round32(c.l.h(d, "gamma").F32, p.gamma)
	round32(c.l.h(d, "beta").F32, p.beta)
	round32(c.l.h(d, "w").F32, p.w)
	round32(c.l.h(d, "bias").F32, p.bias)
	c.dt, c.zt = float32(p.dt), int32(p.zt)
}

func (c *repquantLN) Op(t []kernel.Tensor) kernel.Op {
	return kernel.RepQuantLNLinear{M: c.M, C: c.C, N: c.N, Bits: c.bits, Eps: c.eps, Dt: c.dt, Zt: c.zt,
		X: c.l.t(t, "x"), Gamma: c.l.t(t, "gamma"), Beta: c.l.t(t, "beta"), W: c.l.t(t, "w"),
		Bias: c.l.t(t, "bias"), Y: c.l.t(t, "y"), Q: c.l.t(t, "q")}
}

// lnStats is the float64 two-pass mean and 1/sqrt(var + eps) of a row.
func lnStats(row []float32, eps float32) (mu, rstd float64) {
	v := 0.0
	for _, xv := range row {
		mu += float64(xv)
	}
	mu /= float64(len(row))
	for _, xv := range row {
		v += (float64(xv) - mu) * (float64(xv) - mu)
	}
	return mu, 1 / math.Sqrt(v/float64(len(row))+float64(eps))
}

// repquantBand is the near-tie band of the per-channel codes: the
// reparameterized float32 path (gamma', beta', d_t rounded to float32, a
// float32 LN) moves x/d by a few 1e-6 at most.
const repquantBand = 1e-5

// Check runs the unreparameterized per-channel path in float64: LN with
// (gamma, beta), q_c = clamp(rne(x/d_c) + z_c), x^ = (q - z_c) d_c, Y =
// x^ W^T + bias. Q must equal q_c except one off at near-ties, at most 1e-4
// of the elements rounded up (so a small case may have one: rounding down
// allowed none below 10,000 elements and made quick runs fail at random); Y must match normwise 1e-5, with the reference taking
// the kernel's side of each accepted near-tie. The norm is that of the
// terms (|bias| + sum |x^ w|), not of Y: with one channel the product and
// the bias can cancel (M=C=N=1 failed at random: y -0.00040872 against a
// cancelled -0.00040872336, err/tol 1.68, on the go and simd backends).
func (c *repquantLN) Check(d []*kernel.Host) suite.Check {
	M, C, N := c.M, c.C, c.N
	md := repquantDraw(c.seed, C, N, c.bits)
	x, q := c.l.h(d, "x").F32, c.l.h(d, "q").U8
	qmax := 1<<c.bits - 1
	xh := make([]float64, M*C)
	cc := codeCheck{name: "q", band: repquantBand, maxTies: int(math.Ceil(1e-4 * float64(M*C)))}
	for m := 0; m < M; m++ {
		row := x[m*C : (m+1)*C]
		mu, rstd := lnStats(row, c.eps)
		for j, xv := range row {
			i := m*C + j
			t := ((float64(xv)-mu)*rstd*md.gamma[j] + md.beta[j]) / md.d[j]
			z := int(md.z[j])
			code, alt := codes(t, z, 0, qmax, repquantBand, false)
			if int(q[i]) == alt {
				code = alt // a near-tie the kernel rounded the other way (counted by cc)
			}
			cc.add(i, int(q[i]), t, z, 0, qmax, false)
			xh[i] = float64(code-z) * md.d[j]
		}
	}
	ref, mag := make([]float64, M*N), make([]float64, M*N)
	parallel(N, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			wn := md.w[n*C : (n+1)*C]
			for m := 0; m < M; m++ {
				i := m*N + n
				ref[i] = md.bias[n] + dot[float64](xh[m*C:(m+1)*C], wn)
				mag[i] = math.Abs(md.bias[n])
				for j, w := range wn {
					mag[i] += math.Abs(xh[m*C+j] * w)
				}
			}
		}
	})
	scale := 0.0
	for _, v := range mag {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			scale = math.Max(scale, v)
		}
	}
	y := c.l.h(d, "y").F32
	return suite.Trust(suite.Merge(cc.result(), suite.NormwiseOf("y", y, ref, 1e-5, scale, "max of |bias| + sum |x^ w|")), ref, 0.5)
}

// Cost: LN (8MC + 3M, M square roots) plus quantization (4MC) plus the
// GEMM (2MCN). Bytes: X, gamma', beta', W', bias' in; Y and Q out.
func (c *repquantLN) Cost() suite.Cost {
	m, cc, n := float64(c.M), float64(c.C), float64(c.N)
	cost := suite.Cost{Flops: 8*m*cc + 3*m + 4*m*cc + 2*m*cc*n, Trans: m,
		Bytes: 4*m*cc + 8*cc + 4*n*cc + 4*n + 4*m*n + m*cc}
	return cost
}

// ---- repquant_softmax_pv (KERNELS.md 3.4 b) ----

// softmaxPV: attention probabilities P = softmax(N(0, 2.5^2) logits) per
// row, quantized in Fill by the log2 / log-sqrt2 quantizer with s = 1
// (P <= 1, so every code is >= 0); V codes Vi = Vq - 2^(b-1) with Vq
// uniform in [0, 2^b - 1].
type softmaxPV struct {
	BH, L, S, Dv, bits int
	mode               kernel.SoftmaxQuantMode
	ints, edge         bool
	l                  layout
}

// Fixed scales of P and V (op scalars, not drawn).
const (
	pvScale  = 1
	pvScaleV = 1.0 / 32
)

func newSoftmaxPV(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &softmaxPV{BH: r.Int("BH", 0), L: r.Int("L", 0), S: r.Int("S", 1), Dv: r.Int("Dv", 0),
		bits: r.Int("bits", 1), ints: r.Bool("acc")}
	if r.Enum("mode", "logsqrt2", "log2") == "log2" {
		c.mode = kernel.QuantLog2
	} else {
		c.mode = kernel.QuantLogSqrt2
	}
	c.edge = readFill(&r)
	r.Check(c.bits <= 8, "bits = %d (must be <= 8)", c.bits)
	r.Check(!c.ints || kernel.SoftmaxPVIntOK(c.bits, c.mode, c.S),
		"acc=true needs the int32 path (bits <= 4, S*2^(7+F) < 2^31); use acc=false")
	lo := c.BH * c.L * c.Dv
	c.l.add("pq", kernel.U8, c.BH*c.L*c.S, false)
	c.l.add("vi", kernel.I8, c.BH*c.S*c.Dv, false)
	c.l.add("o", kernel.F32, lo, true)
	if c.ints {
		c.l.add("aall", kernel.I32, lo, true)
		if c.mode == kernel.QuantLogSqrt2 {
			c.l.add("aodd", kernel.I32, lo, true)
		}
	}
	return c, r.Err
}

func (c *softmaxPV) Buffers() []suite.Buffer { return c.l.list }

// softmaxCode is the quantizer of KERNELS.md 3.4(b): q = rne(-log2(p/s))
// (log2) or rne(-2 log2(p/s)) (logsqrt2), clamped to >= 0 and stored as a
// byte (255 for p = 0 or q >= 255; any q >= 2^b means p^ = 0).
func softmaxCode(p float64, mode kernel.SoftmaxQuantMode) uint8 {
	if p <= 0 {
		return 255
	}
	f := -math.Log2(p / pvScale)
	if mode == kernel.QuantLogSqrt2 {
		f *= 2
	}
	return uint8(clampInt(int(math.RoundToEven(math.Min(f, 1e6))), 0, 255))
}

// Fill: row (0, 1) of the edge fill is all dropped codes (O = 0) and row
// (0, 2) all zero codes (p^ = s everywhere); row 0 stays random.
func (c *softmaxPV) Fill(rng *rand.Rand, d []*kernel.Host) {
	pq, vi := c.l.h(d, "pq").U8, c.l.h(d, "vi").I8
	logits := make([]float64, c.S)
	for row := 0; row < c.BH*c.L; row++ {
		mx := math.Inf(-1)
		for j := range logits {
			logits[j] = 2.5 * rng.NormFloat64()
			mx = math.Max(mx, logits[j])
		}
		sum := 0.0
		for j, v := range logits {
			logits[j] = math.Exp(v - mx)
			sum += logits[j]
		}
		for j, e := range logits {
			pq[row*c.S+j] = softmaxCode(e/sum, c.mode)
		}
	}
	half := 1 << (c.bits - 1)
	for i := range vi {
		vi[i] = int8(rng.IntN(2*half) - half)
	}
	if c.edge && c.L > 2 {
		for j := 0; j < c.S; j++ {
			pq[c.S+j], pq[2*c.S+j] = 255, 0
		}
	}
}

func (c *softmaxPV) Op(t []kernel.Tensor) kernel.Op {
	return kernel.RepQuantSoftmaxPV{BH: c.BH, L: c.L, S: c.S, Dv: c.Dv, Bits: c.bits, Mode: c.mode,
		Scale: pvScale, SV: pvScaleV, Pq: c.l.t(t, "pq"), Vi: c.l.t(t, "vi"), O: c.l.t(t, "o"),
		Aall: c.l.t(t, "aall"), Aodd: c.l.t(t, "aodd")}
}

// Check: for b <= 4 the exact integer sums A_all = sum_j Vi 2^(F-k) and
// A_odd (q odd, logsqrt2) are compared exactly and O = s sV 2^-F (A_all +
// (sqrt2-1) A_odd) to rtol 1e-6 of s sV 2^-F (|A_all| + (sqrt2-1)|A_odd|):
// relative to the two terms rather than to their difference, which a
// float32 combination cannot resolve better. For b > 4 (the float path)
// O = s sV sum_j Vi 2^-k (sqrt2 if q odd, logsqrt2) to rtol 1e-6 of the sum
// of |terms|.
func (c *softmaxPV) Check(d []*kernel.Host) suite.Check {
	pq, vi := c.l.h(d, "pq").U8, c.l.h(d, "vi").I8
	n := c.BH * c.L * c.Dv
	F := kernel.SoftmaxPVShift(c.bits, c.mode)
	sqrt := c.mode == kernel.QuantLogSqrt2
	intPath := c.bits <= 4
	aAll, aOdd := make([]int64, n), make([]int64, n)
	ref, tol := make([]float64, n), make([]float64, n)
	sum, abs := make([]float64, c.Dv), make([]float64, c.Dv)
	for bh := 0; bh < c.BH; bh++ {
		for i := 0; i < c.L; i++ {
			o := (bh*c.L + i) * c.Dv
			clear(sum)
			clear(abs)
			for j := 0; j < c.S; j++ {
				q := int(pq[(bh*c.L+i)*c.S+j])
				if q >= 1<<c.bits {
					continue
				}
				k := q
				if sqrt {
					k = (q + 1) / 2
				}
				odd := sqrt && q%2 == 1
				w := math.Ldexp(1, -k)
				if odd {
					w *= math.Sqrt2
				}
				v := vi[(bh*c.S+j)*c.Dv : (bh*c.S+j+1)*c.Dv]
				for e, x := range v {
					sum[e] += float64(x) * w
					abs[e] += math.Abs(float64(x)) * w
					if intPath {
						t := int64(x) << (F - k)
						aAll[o+e] += t
						if odd {
							aOdd[o+e] += t
						}
					}
				}
			}
			for e := 0; e < c.Dv; e++ {
				if intPath {
					f := math.Ldexp(pvScale*pvScaleV, -F)
					ref[o+e] = f * (float64(aAll[o+e]) + (math.Sqrt2-1)*float64(aOdd[o+e]))
					tol[o+e] = 1e-6 * f * (math.Abs(float64(aAll[o+e])) + (math.Sqrt2-1)*math.Abs(float64(aOdd[o+e])))
				} else {
					ref[o+e] = pvScale * pvScaleV * sum[e]
					tol[o+e] = 1e-6 * pvScale * pvScaleV * abs[e]
				}
			}
		}
	}
	checks := []suite.Check{suite.CloseTol("o", c.l.h(d, "o").F32, ref, tol)}
	if h := c.l.h(d, "aall"); h != nil {
		checks = append(checks, suite.Exact("aall", i64s(h.I32), aAll))
	}
	if h := c.l.h(d, "aodd"); h != nil {
		checks = append(checks, suite.Exact("aodd", i64s(h.I32), aOdd))
	}
	// Low bit widths drop most probabilities: zeros are expected there.
	return suite.Trust(suite.Merge(checks...), ref, trustFrac(c.edge || c.bits <= 2, len(ref)))
}

// i64s widens int32 outputs for the int64 comparison.
func i64s(x []int32) []int64 {
	out := make([]int64, len(x))
	for i, v := range x {
		out[i] = int64(v)
	}
	return out
}

// Cost is the part known before the codes are drawn: the bytes (codes, V,
// O and the optional integer sums) and 3 FLOPs per output to combine the
// sums; DataCost adds the terms the codes keep.
func (c *softmaxPV) Cost() suite.Cost {
	bh, l, s, dv := float64(c.BH), float64(c.L), float64(c.S), float64(c.Dv)
	cost := suite.Cost{Flops: 3 * bh * l * dv, Bytes: bh * (l*s + s*dv + 4*l*dv)}
	cost.Bytes += 4 * bh * l * dv * float64(len(c.l.list)-3)
	return cost
}

// DataCost counts the terms of P@V the codes keep (q < 2^b; a dropped code
// is no work). On the integer path (b <= 4) each kept term is a shift and
// an add per column of V, and one more add into A_odd when q is odd
// (logsqrt2): integer ALU work, not multiply-accumulates. On the float
// path each kept term is a multiply-add per column. KERNELS.md's 2 L S Dv
// ops is the count with no code dropped; its L S quantizer exponentials
// are not this kernel's work (the codes are its inputs).
func (c *softmaxPV) DataCost(d []*kernel.Host) suite.Cost {
	cost := c.Cost()
	var kept, odd float64
	for _, q := range c.l.h(d, "pq").U8 {
		if int(q) < 1<<c.bits {
			kept++
			if q&1 == 1 && c.mode == kernel.QuantLogSqrt2 {
				odd++
			}
		}
	}
	dv := float64(c.Dv)
	if c.bits <= 4 {
		cost.ALUOps = (2*kept + odd) * dv
	} else {
		cost.Flops += 2 * kept * dv
	}
	return cost
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "repquant_ln_linear", Family: "qmatmul",
		Summary: "RepQuant: LN with reparameterized affine, per-tensor quantization, Linear with reparameterized W (arXiv 2402.05628)",
		CostDoc: "FLOPs: LayerNorm's 8 per element and 3 per row, quantization 4 per element, the GEMM 2MCN; an rsqrt per row (T); " +
			"bytes: x, gamma', beta', W' and bias' read once, Y and the codes written once",
		Params: []suite.Param{
			{Key: "M", Default: "197", Doc: "tokens"},
			{Key: "C", Default: "768", Doc: "channels (LN axis, Linear input)"},
			{Key: "N", Default: "3072", Doc: "Linear outputs"},
			{Key: "bits", Default: "4", Doc: "activation bits"},
			{Key: "eps", Default: "1e-06", Doc: "LN epsilon (ViT/DeiT)"},
		},
		Quick: []string{"M=64,C=768,N=96", "M=16,C=256,N=64,bits=3", "M=8,C=100,N=33", "M=64,C=384,N=32,bits=8"},
		Full:  []string{"M=197,C=768,N=2304", "M=197,C=768,N=3072", "M=197,C=1024,N=4096"},
		Tests: []string{"M=0,C=16,N=4", "M=1,C=1,N=1", "M=3,C=7,N=5,bits=2", "M=5,C=33,N=0", "M=2,C=64,N=3,bits=6"},
		Gate:  []string{"M=197,C=384,N=384"},
		New:   newRepquantLN,
	}, &suite.Kernel{
		Name: "repquant_softmax_pv", Family: "qmatmul",
		Summary: "RepQuant shift-based P@V with log2 / log-sqrt2 softmax codes, exact integer sums (arXiv 2402.05628, RepQ-ViT)",
		CostDoc: "integer ALU ops (b <= 4): per code the drawn P keeps (q < 2^b, counted from the codes), a shift and an add per " +
			"column of V, one more add for odd codes (logsqrt2); b > 4: 2 FLOPs per kept code and column instead; plus 3 FLOPs per " +
			"output to combine the sums. Bytes: codes, V read once, O and the optional integer sums written once",
		Params: []suite.Param{
			{Key: "BH", Default: "12", Doc: "batch x heads"},
			{Key: "L", Default: "197", Doc: "queries"},
			{Key: "S", Default: "197", Doc: "keys"},
			{Key: "Dv", Default: "64", Doc: "value head size"},
			{Key: "bits", Default: "4", Doc: "bits of the softmax and V codes (integer path for <= 4)"},
			{Key: "mode", Default: "logsqrt2", Doc: "softmax quantizer: logsqrt2 or log2"},
			{Key: "acc", Default: "true", Doc: "also write the exact sums A_all (and A_odd for logsqrt2)"},
			fillParam,
		},
		Quick: []string{"BH=2,L=64,S=64,Dv=32", "BH=2,L=33,S=65,Dv=16,mode=log2", "BH=1,L=8,S=40,Dv=8,bits=3",
			"BH=2,L=16,S=48,Dv=24,bits=6,acc=false", "BH=1,L=5,S=7,Dv=3,bits=2,mode=log2", "BH=2,L=6,S=20,Dv=8,fill=edge"},
		Full: []string{"BH=12,L=197,S=197,Dv=64", "BH=96,L=197,S=197,Dv=64", "BH=96,L=197,S=197,Dv=64,mode=log2"},
		Tests: []string{"BH=0,L=4,S=4,Dv=4", "BH=1,L=0,S=4,Dv=4", "BH=1,L=1,S=1,Dv=1", "BH=3,L=7,S=9,Dv=5,bits=1",
			"BH=2,L=3,S=600,Dv=4,mode=log2,acc=false", "BH=1,L=4,S=30,Dv=6,bits=8,mode=log2,acc=false",
			"BH=1,L=5,S=11,Dv=0"},
		Gate: []string{"BH=12,L=197,S=197,Dv=64"},
		New:  newSoftmaxPV,
	})
}
