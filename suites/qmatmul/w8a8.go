package qmatmul

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// gemm_w8a8 (KERNELS.md 3.1). The suite draws X [M,K] ~ N(0,1) and
// W [N,K] ~ N(0, 0.02^2) from per-row streams, quantizes W (and X unless
// fused) with its own float64 quantizer, and regenerates the float data in
// Check for the error against the unquantized GEMM.
type gemmW8A8 struct {
	M, N, K                int
	fused, acc, bias, edge bool
	xseed, wseed           uint64
	l                      layout
}

func newGemmW8A8(p suite.Params) (suite.Case, error) {
	r := suite.ParamReader{P: p}
	c := &gemmW8A8{M: r.Int("M", 0), N: r.Int("N", 0), K: r.Int("K", 1),
		fused: r.Bool("fused"), acc: r.Bool("acc"), bias: r.Bool("bias")}
	c.edge = readFill(&r)
	r.Check(c.K <= kernel.MaxW8A8K, "K = %d exceeds %d, where int32 accumulation stops being exact", c.K, kernel.MaxW8A8K)
	mk := c.M * c.K
	if c.fused {
		c.l.add("x", kernel.F32, mk, false)
	} else {
		c.l.add("xq", kernel.I8, mk, false)
		c.l.add("sx", kernel.F32, c.M, false)
	}
	c.l.add("wq", kernel.I8, c.N*c.K, false)
	c.l.add("sw", kernel.F32, c.N, false)
	if c.bias {
		c.l.add("bias", kernel.F32, c.N, false)
	}
	c.l.add("y", kernel.F32, c.M*c.N, true)
	if c.acc {
		c.l.add("acc", kernel.I32, c.M*c.N, true)
	}
	return c, r.Err
}

func (c *gemmW8A8) Buffers() []suite.Buffer { return c.l.list }

// xRow and wRow draw the unquantized rows (edge patterns by row index).
func (c *gemmW8A8) xRow(m int, row []float32) {
	normalRow(c.xseed, m, row, 1)
	if c.edge {
		edgeRow(m, row)
	}
}

// The edge patterns of W are scaled to W's 0.02, so they do not dwarf the
// other outputs (Y is checked normwise).
func (c *gemmW8A8) wRow(n int, row []float32) {
	normalRow(c.wseed, n, row, 0.02)
	if c.edge && n >= 1 && n <= 4 {
		edgeRow(n, row)
		for k := range row {
			row[k] *= 0.02
		}
	}
}

func (c *gemmW8A8) Fill(rng *rand.Rand, d []*kernel.Host) {
	c.xseed, c.wseed = rng.Uint64(), rng.Uint64()
	if b := c.l.h(d, "bias"); b != nil {
		suite.Uniform(rng, b.F32, -0.5, 0.5)
	}
	K := c.K
	wq, sw := c.l.h(d, "wq").I8, c.l.h(d, "sw").F32
	parallel(c.N, func(lo, hi int) {
		row := make([]float32, K)
		for n := lo; n < hi; n++ {
			c.wRow(n, row)
			sw[n] = quantI8(row, wq[n*K:(n+1)*K])
		}
	})
	if c.fused {
		x := c.l.h(d, "x").F32
		parallel(c.M, func(lo, hi int) {
			for m := lo; m < hi; m++ {
				c.xRow(m, x[m*K:(m+1)*K])
			}
		})
		return
	}
	xq, sx := c.l.h(d, "xq").I8, c.l.h(d, "sx").F32
	row := make([]float32, K)
	for m := 0; m < c.M; m++ {
		c.xRow(m, row)
		sx[m] = quantI8(row, xq[m*K:(m+1)*K])
	}
}

func (c *gemmW8A8) Op(t []kernel.Tensor) kernel.Op {
	return kernel.GemmW8A8{M: c.M, N: c.N, K: c.K, Fused: c.fused, X: c.l.t(t, "x"), Xq: c.l.t(t, "xq"),
		Sx: c.l.t(t, "sx"), Wq: c.l.t(t, "wq"), Sw: c.l.t(t, "sw"), Bias: c.l.t(t, "bias"),
		Y: c.l.t(t, "y"), Acc: c.l.t(t, "acc")}
}

// w8a8Ref is the reference of one W8A8 GEMM.
type w8a8Ref struct {
	acc []int64   // exact accumulators
	y   []float64 // acc*sx*sw + bias
	fp  []float64 // unquantized float64 X W^T + bias
	sx  []float32 // activation scales
	// ties lists, per row of X (fused only), the codes at near-ties that a
	// float32 kernel may round the other way: position k and the step
	// (+1 or -1) to the other code.
	ties [][][2]int
}

// maxTies caps the near-tie codes of one row that Check resolves (random
// data has about K*6e-5 of them).
const maxTies = 12

// reference quantizes X when fused (recording near-tie codes), then
// computes the int64 accumulators, Y, and the unquantized GEMM from
// regenerated rows.
func (c *gemmW8A8) reference(d []*kernel.Host) w8a8Ref {
	M, N, K := c.M, c.N, c.K
	xq, sx := make([]int8, M*K), make([]float32, M)
	xf := make([]float32, M*K)
	ties := make([][][2]int, M)
	if c.fused {
		copy(xf, c.l.h(d, "x").F32)
		for m := 0; m < M; m++ {
			row := xf[m*K : (m+1)*K]
			sx[m] = quantI8(row, xq[m*K:(m+1)*K])
			for k, v := range row {
				want, alt := codes(float64(v)/float64(sx[m]), 0, -127, 127, tieBand, pow2(sx[m]))
				if want != alt && len(ties[m]) < maxTies {
					ties[m] = append(ties[m], [2]int{k, alt - want})
				}
			}
		}
	} else {
		copy(xq, c.l.h(d, "xq").I8)
		copy(sx, c.l.h(d, "sx").F32)
		for m := 0; m < M; m++ {
			c.xRow(m, xf[m*K:(m+1)*K])
		}
	}
	wq, sw, bias := c.l.h(d, "wq").I8, c.l.h(d, "sw").F32, c.biasF64(d)
	ref := w8a8Ref{acc: make([]int64, M*N), y: make([]float64, M*N), fp: make([]float64, M*N), sx: sx, ties: ties}
	parallel(N, func(lo, hi int) {
		w := make([]float32, K)
		for n := lo; n < hi; n++ {
			c.wRow(n, w)
			wn := wq[n*K : (n+1)*K]
			for m := 0; m < M; m++ {
				acc := dot[int64](xq[m*K:(m+1)*K], wn)
				fp := dot[float64](xf[m*K:(m+1)*K], w)
				ref.acc[m*N+n] = acc
				ref.y[m*N+n] = dequant(acc, sx[m], sw[n], bias[n])
				ref.fp[m*N+n] = fp + bias[n]
			}
		}
	})
	return ref
}

// biasF64 is the bias in float64 (zeros without one).
func (c *gemmW8A8) biasF64(d []*kernel.Host) []float64 {
	if b := c.l.h(d, "bias"); b != nil {
		return f64(b.F32)
	}
	return make([]float64, c.N)
}

// dequant is Y = acc*sx*sw + bias in float64.
func dequant(acc int64, sx, sw float32, bias float64) float64 {
	return float64(acc)*float64(sx)*float64(sw) + bias
}

// resolveTies picks, for row m of a fused case, the roundings of its
// near-tie codes that the kernel used: the one subset of them whose flips
// explain every Acc of the row exactly (or, without Acc, keep every Y
// within tol), and makes it the reference. The choice is per code, shared
// by all N columns, so a wrong accumulator cannot hide behind it. No
// subset fitting leaves the plain reference, which then fails.
func (c *gemmW8A8) resolveTies(m int, ref *w8a8Ref, d []*kernel.Host, tol []float64) {
	N, K, ties := c.N, c.K, ref.ties[m]
	wq, sw, y, bias := c.l.h(d, "wq").I8, c.l.h(d, "sw").F32, c.l.h(d, "y").F32, c.biasF64(d)
	var acc []int32
	if a := c.l.h(d, "acc"); a != nil {
		acc = a.I32
	}
	cand := make([]int64, N)
	for mask := 1; mask < 1<<len(ties); mask++ {
		ok := true
		for n := 0; n < N && ok; n++ {
			a := ref.acc[m*N+n]
			for i, t := range ties {
				if mask>>i&1 == 1 {
					a += int64(t[1]) * int64(wq[n*K+t[0]])
				}
			}
			cand[n] = a
			if acc != nil {
				ok = int64(acc[m*N+n]) == a
			} else {
				ok = math.Abs(float64(y[m*N+n])-dequant(a, ref.sx[m], sw[n], bias[n])) <= tol[m*N+n]
			}
		}
		if ok {
			for n := 0; n < N; n++ {
				ref.acc[m*N+n] = cand[n]
				ref.y[m*N+n] = dequant(cand[n], ref.sx[m], sw[n], bias[n])
			}
			return
		}
	}
}

// Check: Acc exact, Y to rtol 2e-6 plus normwise 1e-6 (fused: after
// resolving near-tie codes of X, see resolveTies); the error against the
// unquantized GEMM is reported.
func (c *gemmW8A8) Check(d []*kernel.Host) suite.Check {
	ref := c.reference(d)
	y := c.l.h(d, "y").F32
	maxR := maxAbs(ref.y)
	tol := make([]float64, len(ref.y))
	for i, r := range ref.y {
		tol[i] = 2e-6*math.Abs(r) + 1e-6*maxR + 1e-30
	}
	for m, t := range ref.ties {
		if len(t) > 0 && !c.rowMatches(m, ref, d, tol) {
			c.resolveTies(m, &ref, d, tol)
		}
	}
	checks := []suite.Check{suite.CloseTol("y", y, ref.y, tol)}
	if a := c.l.h(d, "acc"); a != nil {
		checks = append(checks, suite.Exact("acc", i64s(a.I32), ref.acc))
	}
	ch := suite.Trust(suite.Merge(checks...), ref.y, trustFrac(c.edge || !c.bias, len(ref.y)))
	return withMetric(ch, "rel_err_vs_fp32", relErr(y, ref.fp))
}

// rowMatches reports whether row m passes with the plain reference.
func (c *gemmW8A8) rowMatches(m int, ref w8a8Ref, d []*kernel.Host, tol []float64) bool {
	N := c.N
	y := c.l.h(d, "y").F32[m*N : (m+1)*N]
	if a := c.l.h(d, "acc"); a != nil {
		for n, v := range a.I32[m*N : (m+1)*N] {
			if int64(v) != ref.acc[m*N+n] {
				return false
			}
		}
	}
	for n, v := range y {
		if math.Abs(float64(v)-ref.y[m*N+n]) > tol[m*N+n] {
			return false
		}
	}
	return true
}

func (c *gemmW8A8) Cost() suite.Cost {
	m, n, k := float64(c.M), float64(c.N), float64(c.K)
	cost := suite.Cost{IntOps: 2 * m * n * k, Flops: 3 * m * n, Bytes: m*k + n*k + 4*(m+2*n+m*n)}
	if c.fused {
		cost.Flops += 3 * m * k
		cost.Bytes += 3 * m * k
	}
	if !c.bias {
		cost.Bytes -= 4 * n
	}
	if c.acc {
		cost.Bytes += 4 * m * n
	}
	return cost
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "gemm_w8a8", Family: "qmatmul",
		CostDoc: "int8 ops: 2MNK (multiply-accumulates of the dot products); FLOPs: 3 per output (scales, bias), + 3 per " +
			"element of X when fused (quantize X); bytes: the int8 X and W, the scales and bias read once, Y (and the int32 " +
			"accumulator when acc) written once; fused reads float X instead of int8",
		Summary: "int8 W8A8 GEMM/GEMV, per-token x per-channel scales, exact int32 accumulation (SmoothQuant/ZeroQuant). " +
			"Full: LLaMA-7B decode (M=1) and prefill M=512 at N=4096; M=128 at N=11008 keeps the go run short",
		Params: []suite.Param{
			{Key: "M", Default: "1", Doc: "rows of X (tokens); 1 is the decode GEMV"},
			{Key: "N", Default: "4096", Doc: "output channels (rows of W)"},
			{Key: "K", Default: "4096", Doc: "reduced axis (input channels)"},
			{Key: "fused", Default: "false", Doc: "the kernel quantizes float X itself (else it reads Xq, sx)"},
			{Key: "acc", Default: "true", Doc: "also write the raw int32 accumulators (checked exactly)"},
			{Key: "bias", Default: "true", Doc: "add a bias [N]"},
			fillParam,
		},
		Quick: []string{"M=1,N=256,K=512", "M=16,N=64,K=301", "M=7,N=33,K=257,fused=true", "M=5,N=9,K=35,fill=edge",
			"M=6,N=10,K=40,fill=edge,fused=true", "M=32,N=128,K=1024,fused=true"},
		Full: []string{"M=1,N=4096,K=4096,acc=false", "M=1,N=11008,K=4096,acc=false",
			"M=512,N=4096,K=4096,acc=false", "M=128,N=11008,K=4096,acc=false", "M=512,N=4096,K=4096,fused=true,acc=false"},
		Tests: []string{"M=0,N=8,K=16", "M=3,N=0,K=16", "M=1,N=1,K=1", "M=2,N=3,K=3,fused=true", "M=9,N=13,K=4099,bias=false",
			"M=4,N=5,K=7,fill=edge,acc=false", "M=1,N=7,K=130,fused=true,acc=false", "M=13,N=20,K=70,fused=true,bias=false",
			"M=6,N=6,K=700,fill=edge", "M=6,N=6,K=700,fill=edge,fused=true"},
		// The decode GEMV (int8 weights, 16 MiB) on prequantized X, and a
		// GEMM that quantizes X itself and writes the accumulators.
		Gate: []string{"M=1,N=4096,K=4096,acc=false", "M=64,N=1024,K=1024,fused=true"},
		New:  newGemmW8A8,
	})
}
