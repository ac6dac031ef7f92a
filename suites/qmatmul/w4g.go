package qmatmul

import (
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// gemm_w4g (KERNELS.md 3.2). X [M,K] ~ N(0,1) is a buffer; W [N,K] ~
// N(0, 0.02^2) is drawn from per-row streams and quantized in Fill (4-bit,
// group G, asymmetric or symmetric); Check regenerates W for the error
// against the unquantized GEMM.
type gemmW4G struct {
	M, N, K, G      int
	sym, bias, edge bool
	wseed           uint64
	l               layout
}

func newGemmW4G(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &gemmW4G{M: r.Int("M", 0), N: r.Int("N", 0), K: r.Int("K", 2), G: r.Int("G", 2),
		sym: r.Bool("sym"), bias: r.Bool("bias")}
	c.edge = readFill(&r)
	if r.Err == nil {
		r.Check(kernel.W4Group(c.K, c.G) == nil, "%v", kernel.W4Group(c.K, c.G))
	}
	ng := c.N * (c.K / max(c.G, 1))
	c.l.add("x", kernel.F32, c.M*c.K, false)
	c.l.add("qp", kernel.U8, c.N*c.K/2, false)
	c.l.add("s", kernel.F32, ng, false)
	c.l.add("z", kernel.U8, ng, false)
	if c.bias {
		c.l.add("bias", kernel.F32, c.N, false)
	}
	c.l.add("y", kernel.F32, c.M*c.N, true)
	return c, r.Err
}

func (c *gemmW4G) Buffers() []suite.Buffer { return c.l.list }

func (c *gemmW4G) wRow(n int, row []float32) {
	normalRow(c.wseed, n, row, 0.02)
	if c.edge {
		w4EdgeRow(n, row, c.G, c.sym)
	}
}

// quantizeRow packs one weight row: codes two per byte (even k low), S, Z.
func quantizeW4Row(w []float32, g int, sym bool, qp []uint8, s []float32, z []uint8) {
	q := make([]uint8, g)
	for gi := range s {
		s[gi], z[gi] = w4Codes(w[gi*g:(gi+1)*g], q, 15, sym)
		for k := 0; k < g; k += 2 {
			qp[(gi*g+k)/2] = q[k] | q[k+1]<<4
		}
	}
}

func (c *gemmW4G) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.wseed = rng.Uint64()
	x := c.l.h(d, "x").F32
	suite.Normal(rng, x, 0, 1)
	if c.edge {
		// Row 1 of X is zero (Y = bias), row 2 holds a NaN (row 2 of Y is NaN).
		for m := 1; m < min(c.M, 3); m++ {
			row := x[m*c.K : (m+1)*c.K]
			if m == 1 {
				clear(row)
			} else {
				row[c.K/2] = suite.NaN32
			}
		}
	}
	if b := c.l.h(d, "bias"); b != nil {
		suite.Uniform(rng, b.F32, -0.5, 0.5)
	}
	qp, s, z := c.l.h(d, "qp").U8, c.l.h(d, "s").F32, c.l.h(d, "z").U8
	K, G := c.K, c.G
	parallel(c.N, func(lo, hi int) {
		w := make([]float32, K)
		for n := lo; n < hi; n++ {
			c.wRow(n, w)
			quantizeW4Row(w, G, c.sym, qp[n*K/2:(n+1)*K/2], s[n*K/G:(n+1)*K/G], z[n*K/G:(n+1)*K/G])
		}
	})
}

func (c *gemmW4G) Op(t []kernel.Tensor) kernel.Op {
	return kernel.GemmW4G{M: c.M, N: c.N, K: c.K, Group: c.G, X: c.l.t(t, "x"), Qp: c.l.t(t, "qp"),
		S: c.l.t(t, "s"), Z: c.l.t(t, "z"), Bias: c.l.t(t, "bias"), Y: c.l.t(t, "y")}
}

// dequantW4Row rebuilds w^ = s*(q - z) of row n in float64.
func dequantW4Row(qp []uint8, s []float32, z []uint8, g int, out []float64) {
	for k := range out {
		q := qp[k/2] & 0xF
		if k%2 == 1 {
			q = qp[k/2] >> 4
		}
		out[k] = float64(s[k/g]) * float64(int(q)-int(z[k/g]))
	}
}

// Check: |Y - R| <= 1e-5 * sum_k |X w^| + 1e-7 with R the float64 GEMM on
// the dequantized weights; the error against unquantized W is reported.
func (c *gemmW4G) Check(d []*kernel.Host) suite.Check {
	M, N, K, G := c.M, c.N, c.K, c.G
	x := c.l.h(d, "x").F32
	qp, s, z := c.l.h(d, "qp").U8, c.l.h(d, "s").F32, c.l.h(d, "z").U8
	var bias []float32
	if b := c.l.h(d, "bias"); b != nil {
		bias = b.F32
	}
	ref, tol, fp := make([]float64, M*N), make([]float64, M*N), make([]float64, M*N)
	xd := f64(x)
	parallel(N, func(lo, hi int) {
		w, wh := make([]float32, K), make([]float64, K)
		for n := lo; n < hi; n++ {
			c.wRow(n, w)
			dequantW4Row(qp[n*K/2:(n+1)*K/2], s[n*K/G:(n+1)*K/G], z[n*K/G:(n+1)*K/G], G, wh)
			b := 0.0
			if bias != nil {
				b = float64(bias[n])
			}
			for m := 0; m < M; m++ {
				r, a := dotAbsF64(xd[m*K:(m+1)*K], wh)
				f := dot[float64](xd[m*K:(m+1)*K], w)
				ref[m*N+n], tol[m*N+n], fp[m*N+n] = r+b, 1e-5*a+1e-7, f+b
			}
		}
	})
	y := c.l.h(d, "y").F32
	ch := suite.Trust(suite.CloseTol("y", y, ref, tol), ref, trustFrac(c.edge || !c.bias, len(ref)))
	return withMetric(ch, "rel_err_vs_fp32", relErr(y, fp))
}

func (c *gemmW4G) Cost() suite.Cost {
	m, n, k, ng := float64(c.M), float64(c.N), float64(c.K), float64(c.K/c.G)
	cost := suite.Cost{Flops: 2*m*n*k + 2*m*n*ng, Bytes: n*k/2 + 5*n*ng + 4*m*k + 4*m*n}
	if c.bias {
		cost.Bytes += 4 * n
	}
	return cost
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "gemm_w4g", Family: "qmatmul",
		CostDoc: "FLOPs: 2MNK (the float multiply-adds after dequantization) + 2 per output and group (scale, zero point); " +
			"bytes: the packed weights (half a byte each), group scales and zero points, X and the bias read once, Y written once",
		Summary: "4-bit group-wise weight-only GEMM/GEMV with zero points (GPTQ/QuaRot RTN format). " +
			"Full: LLaMA-7B decode (M=1); prefill at M=128, as M=512 is too slow for the go backend's scalar float GEMM",
		Params: []suite.Param{
			{Key: "M", Default: "1", Doc: "rows of X (tokens); 1 is the decode GEMV"},
			{Key: "N", Default: "4096", Doc: "output channels"},
			{Key: "K", Default: "4096", Doc: "input channels, even"},
			{Key: "G", Default: "128", Doc: "group size: 32, 64, 128 or K"},
			{Key: "sym", Default: "false", Doc: "weights quantized symmetrically (z = 8)"},
			{Key: "bias", Default: "true", Doc: "add a bias [N]"},
			fillParam,
		},
		Quick: []string{"M=1,N=256,K=1024,G=128", "M=1,N=64,K=512,G=32", "M=8,N=96,K=256,G=64", "M=5,N=17,K=192,G=64,fill=edge",
			"M=1,N=9,K=2048,G=32,fill=edge",
			"M=5,N=40,K=100,G=100", "M=4,N=32,K=512,G=128,sym=true"},
		Full: []string{"M=1,N=4096,K=4096,G=128", "M=1,N=11008,K=4096,G=128", "M=1,N=4096,K=4096,G=32",
			"M=128,N=4096,K=4096,G=128"},
		Tests: []string{"M=0,N=4,K=64,G=32", "M=2,N=0,K=64,G=32", "M=1,N=1,K=2,G=2", "M=3,N=5,K=6,G=6",
			"M=2,N=3,K=64,G=32,bias=false", "M=1,N=7,K=128,G=128,fill=edge", "M=6,N=9,K=96,G=32,fill=edge,sym=true",
			"M=7,N=11,K=64,G=64"},
		// The decode GEMV (4-bit weights, 8 MiB) and a small GEMM.
		Gate: []string{"M=1,N=4096,K=4096,G=128", "M=32,N=1024,K=1024,G=128"},
		New:  newGemmW4G,
	})
}
