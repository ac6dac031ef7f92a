package claims

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// The float32 matmul baseline of the int8 and 4-bit claims. No backend
// has an fp32 GEMM kernel, so this package carries one: Y = X W^T + bias
// with X [M,K], W [N,K] (K contiguous, the layout of gemm_w8a8 and
// gemm_w4g), written as carefully as the go backend's kernels (register
// tiles of 2x4 outputs, goroutines over N) and run under the same harness
// with the same threads. It is pure Go: the comparison is like-for-like
// for the go backend; for a SIMD backend the ratio also contains the SIMD
// speed-up (the claims table says so).

// RefBackend is the name the baseline runs under.
const RefBackend = "go-f32ref"

// gemmF32 is the baseline's op.
type gemmF32 struct {
	M, N, K       int
	X, W, Bias, Y kernel.Tensor
}

func (gemmF32) Kernel() string { return "gemm_f32" }

func (g gemmF32) Validate() error {
	if g.M < 0 || g.N < 0 || g.K < 1 {
		return kernel.Shapef("gemm_f32: M=%d N=%d K=%d", g.M, g.N, g.K)
	}
	return kernel.CheckArgs(kernel.F32Arg("X", g.X, g.M*g.K), kernel.F32Arg("W", g.W, g.N*g.K),
		kernel.F32Arg("bias", g.Bias, g.N), kernel.F32Arg("Y", g.Y, g.M*g.N))
}

// gemmKernel is the suite side of the baseline: shapes M, N, K like gemm_w8a8.
var gemmKernel = &suite.Kernel{
	Name: "gemm_f32", Family: "qmatmul",
	Summary: "float32 GEMM/GEMV baseline Y = X W^T + bias (claims package, pure Go)",
	Params: []suite.Param{
		{Key: "M", Default: "1", Doc: "rows of X"},
		{Key: "N", Default: "4096", Doc: "output channels"},
		{Key: "K", Default: "4096", Doc: "reduced axis"},
	},
	New: func(p suite.Params) (suite.Case, error) {
		r := suite.ParamReader{P: p}
		c := gemmCase{M: r.Int("M", 0), N: r.Int("N", 0), K: r.Int("K", 1)}
		return c, r.Err
	},
}

type gemmCase struct{ M, N, K int }

func (c gemmCase) Buffers() []suite.Buffer {
	return []suite.Buffer{
		{Name: "X", DType: kernel.F32, Len: c.M * c.K},
		{Name: "W", DType: kernel.F32, Len: c.N * c.K},
		{Name: "bias", DType: kernel.F32, Len: c.N},
		{Name: "Y", DType: kernel.F32, Len: c.M * c.N, Out: true},
	}
}

func (c gemmCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	for _, h := range d[:3] {
		suite.Normal(rng, kernel.F32s(h), 0, 1)
	}
}

func (c gemmCase) Op(t []kernel.Tensor) kernel.Op {
	return gemmF32{M: c.M, N: c.N, K: c.K, X: t[0], W: t[1], Bias: t[2], Y: t[3]}
}

// Check compares with a float64 reference, normwise 1e-5 (float32 sums
// over K <= 16384).
func (c gemmCase) Check(d []*kernel.Host) suite.Check {
	x, w, b, y := kernel.F32s(d[0]), kernel.F32s(d[1]), kernel.F32s(d[2]), kernel.F32s(d[3])
	r := make([]float64, c.M*c.N)
	for m := 0; m < c.M; m++ {
		for n := 0; n < c.N; n++ {
			s := float64(b[n])
			for k := 0; k < c.K; k++ {
				s += float64(x[m*c.K+k]) * float64(w[n*c.K+k])
			}
			r[m*c.N+n] = s
		}
	}
	return suite.Trust(suite.Normwise("Y", y, r, 1e-5), r, 0.5)
}

func (c gemmCase) Cost() suite.Cost {
	m, n, k := float64(c.M), float64(c.N), float64(c.K)
	return suite.Cost{Flops: 2*m*n*k + m*n, Bytes: 4 * (m*k + n*k + n + m*n)}
}

// refBackend runs only gemm_f32, on host memory.
type refBackend struct{ threads int }

// OpenRef opens the baseline's backend with the run's thread count.
func OpenRef(threads int) harness.Backend {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return harness.Backend{Name: RefBackend, Backend: refBackend{threads}}
}

func (refBackend) Name() string       { return RefBackend }
func (refBackend) Paths() []string    { return []string{"generic"} }
func (refBackend) Close() error       { return nil }
func (refBackend) Free(kernel.Tensor) {}

func (refBackend) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	if n < 0 || dt.Size() == 0 {
		return nil, fmt.Errorf("alloc %v[%d]", dt, n)
	}
	return kernel.NewHost(dt, n), nil
}

func (refBackend) Write(dst kernel.Tensor, src any) error { return dst.(*kernel.Host).CopyFrom(src) }
func (refBackend) Read(dst any, src kernel.Tensor) error  { return src.(*kernel.Host).CopyTo(dst) }

type refBound func()

func (f refBound) Run() error { f(); return nil }
func (refBound) Path() string { return "generic" }

func (b refBackend) Prepare(op kernel.Op) (kernel.Bound, error) {
	g, ok := op.(gemmF32)
	if !ok {
		return nil, kernel.Unimplemented(RefBackend, op)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	x, w, bias, y := kernel.F32s(g.X), kernel.F32s(g.W), kernel.F32s(g.Bias), kernel.F32s(g.Y)
	// Chunks of N (multiples of 4) per goroutine, at least ~64K MACs each.
	chunk := max(4, (g.N+b.threads-1)/b.threads)
	chunk = max(chunk, (1<<16)/max(g.M*g.K, 1))
	chunk = (chunk + 3) &^ 3
	return refBound(func() {
		if g.N <= chunk {
			gemmRange(x, w, bias, y, g.M, g.N, g.K, 0, g.N)
			return
		}
		var wg sync.WaitGroup
		for lo := chunk; lo < g.N; lo += chunk {
			wg.Add(1)
			go func(lo, hi int) {
				defer wg.Done()
				gemmRange(x, w, bias, y, g.M, g.N, g.K, lo, hi)
			}(lo, min(lo+chunk, g.N))
		}
		gemmRange(x, w, bias, y, g.M, g.N, g.K, 0, chunk)
		wg.Wait()
	}), nil
}

// gemmRange computes output columns [n0, n1) for all rows: 2x4 tiles
// (8 accumulators), then the odd row and the last columns one by one.
func gemmRange(x, w, bias, y []float32, M, N, K, n0, n1 int) {
	m := 0
	for ; m+2 <= M; m += 2 {
		x0, x1 := x[m*K:(m+1)*K], x[(m+1)*K:(m+2)*K]
		n := n0
		for ; n+4 <= n1; n += 4 {
			w0, w1, w2, w3 := w[n*K:(n+1)*K], w[(n+1)*K:(n+2)*K], w[(n+2)*K:(n+3)*K], w[(n+3)*K:(n+4)*K]
			var a00, a01, a02, a03, a10, a11, a12, a13 float32
			for k := range x0 {
				u, v := x0[k], x1[k]
				p, q, r, s := w0[k], w1[k], w2[k], w3[k]
				a00 += u * p
				a01 += u * q
				a02 += u * r
				a03 += u * s
				a10 += v * p
				a11 += v * q
				a12 += v * r
				a13 += v * s
			}
			y0, y1 := y[m*N+n:m*N+n+4], y[(m+1)*N+n:(m+1)*N+n+4]
			y0[0], y0[1], y0[2], y0[3] = a00+bias[n], a01+bias[n+1], a02+bias[n+2], a03+bias[n+3]
			y1[0], y1[1], y1[2], y1[3] = a10+bias[n], a11+bias[n+1], a12+bias[n+2], a13+bias[n+3]
		}
		for ; n < n1; n++ {
			y[m*N+n] = dot(x0, w[n*K:(n+1)*K]) + bias[n]
			y[(m+1)*N+n] = dot(x1, w[n*K:(n+1)*K]) + bias[n]
		}
	}
	for ; m < M; m++ {
		for n := n0; n < n1; n++ {
			y[m*N+n] = dot(x[m*K:(m+1)*K], w[n*K:(n+1)*K]) + bias[n]
		}
	}
}

// dot has 4 accumulators: the GEMV path spends its time here.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	k := 0
	for ; k+4 <= len(a); k += 4 {
		s0 += a[k] * b[k]
		s1 += a[k+1] * b[k+1]
		s2 += a[k+2] * b[k+2]
		s3 += a[k+3] * b[k+3]
	}
	for ; k < len(a); k++ {
		s0 += a[k] * b[k]
	}
	return (s0 + s1) + (s2 + s3)
}
