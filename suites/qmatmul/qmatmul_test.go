package qmatmul

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Identities and rules of KERNELS.md section 3, checked on the references
// and, where a kernel is involved, on the go backend.

func f32h(x []float32) *kernel.Host { return &kernel.Host{F32: x} }

// runOp prepares op on the go backend and runs it once.
func runOp(t *testing.T, op kernel.Op) {
	t.Helper()
	if err := suite.RunOnce(pure.New(kernel.Config{Threads: 3}), op); err != nil {
		t.Fatal(err)
	}
}

// RNE everywhere: exact ties round to even, in every quantizer.
func TestQuantizersRoundHalfToEven(t *testing.T) {
	q := make([]int8, 8)
	if s := quantI8([]float32{127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5}, q); s != 1 {
		t.Fatalf("scale %v, want 1", s)
	}
	if want := []int8{127, 0, 2, 2, 0, -2, -2, 126}; string(i8bytes(q)) != string(i8bytes(want)) {
		t.Errorf("int8 codes %v, want %v", q, want)
	}
	// Range 15 gives s = 1 and z = rne(7.5) = 8.
	c := make([]uint8, 6)
	s, z := w4Codes([]float32{-7.5, 7.5, 0.5, 1.5, 2.5, -2.5}, c, 15, false)
	if s != 1 || z != 8 || string(c) != string([]uint8{0, 15, 8, 10, 10, 6}) {
		t.Errorf("w4 asym: s %v z %v codes %v, want 1 8 [0 15 8 10 10 6]", s, z, c)
	}
	// The all-zero group: s = f32(2/15), and -lo/s = 7.4999996 in float32,
	// one step off the exact 7.5: either zero point is accepted.
	s, z = w4Codes(make([]float32, 4), c[:4], 15, false)
	if w, a := codes(1/float64(s), 0, 0, 15, tieBand, false); s != float32(2.0/15) || w == a || int(z) != w {
		t.Errorf("zero group: s %v z %v codes (%d, %d); want s = 2/15 with both zero points accepted", s, z, w, a)
	}
}

func i8bytes(x []int8) []byte {
	b := make([]byte, len(x))
	for i, v := range x {
		b[i] = byte(v)
	}
	return b
}

func TestTieAwareCodes(t *testing.T) {
	for _, tc := range []struct {
		t         float64
		want, alt int
	}{
		{2.5, 2, 2},       // an exact tie must round to even
		{3.5, 4, 4},       // likewise
		{2.5000001, 3, 2}, // near-tie: either side
		{-2.4999999, -2, -3},
		{2.6, 3, 3},
		{126.50001, 127, 126}, // the band is relative: float32 quotients near 127
		{126.5002, 127, 127},
		{200, 127, 127}, // clamped
	} {
		w, a := codes(tc.t, 0, -127, 127, tieBand, true)
		if w != tc.want || a != tc.alt {
			t.Errorf("codes(%v) = %d, %d; want %d, %d", tc.t, w, a, tc.want, tc.alt)
		}
	}
	if w, a := codes(3.5, 0, -127, 127, tieBand, false); w != 4 || a != 3 {
		t.Errorf("exact tie, general scale: codes = %d, %d; want 4, 3", w, a)
	}
}

// gemm_w8a8: quantizing X inside the GEMM (fused) equals quantize_i8
// followed by the unfused GEMM, bit for bit, on the go backend; and
// quantize_i8's codes are the reference quantizer's.
func TestW8A8FusedEqualsQuantizeThenGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, sh := range [][3]int{{37, 29, 301}, {1, 50, 4099}, {4, 6, 3}} {
		M, N, K := sh[0], sh[1], sh[2]
		x, w, bias := make([]float32, M*K), make([]float32, N*K), make([]float32, N)
		suite.Normal(rng, x, 0, 1)
		suite.Normal(rng, w, 0, 0.02)
		suite.Uniform(rng, bias, -0.5, 0.5)
		wq, sw := make([]int8, N*K), make([]float32, N)
		for n := 0; n < N; n++ {
			sw[n] = quantI8(w[n*K:(n+1)*K], wq[n*K:(n+1)*K])
		}
		y1, acc1 := make([]float32, M*N), make([]int32, M*N)
		runOp(t, kernel.GemmW8A8{M: M, N: N, K: K, Fused: true, X: f32h(x), Wq: &kernel.Host{I8: wq},
			Sw: f32h(sw), Bias: f32h(bias), Y: f32h(y1), Acc: &kernel.Host{I32: acc1}})
		xq, sx := make([]int8, M*K), make([]float32, M)
		runOp(t, kernel.QuantizeI8{Rows: M, K: K, X: f32h(x), Q: &kernel.Host{I8: xq}, Scale: f32h(sx)})
		y2, acc2 := make([]float32, M*N), make([]int32, M*N)
		runOp(t, kernel.GemmW8A8{M: M, N: N, K: K, Xq: &kernel.Host{I8: xq}, Sx: f32h(sx), Wq: &kernel.Host{I8: wq},
			Sw: f32h(sw), Bias: f32h(bias), Y: f32h(y2), Acc: &kernel.Host{I32: acc2}})
		for i := range y1 {
			if y1[i] != y2[i] || acc1[i] != acc2[i] {
				t.Fatalf("M=%d N=%d K=%d: [%d] fused y %v acc %d, separate y %v acc %d", M, N, K, i, y1[i], acc1[i], y2[i], acc2[i])
			}
		}
		cc := codeCheck{name: "xq", band: tieBand, maxTies: -1}
		for m := 0; m < M; m++ {
			s := scaleSym(absMax(x[m*K:(m+1)*K]), 127)
			if s != sx[m] {
				t.Fatalf("row %d: scale %v, reference %v", m, sx[m], s)
			}
			for k := 0; k < K; k++ {
				cc.add(m*K+k, int(xq[m*K+k]), float64(x[m*K+k])/float64(s), 0, -127, 127, pow2(s))
			}
		}
		if r := cc.result(); r.Verdict != suite.Passed {
			t.Errorf("M=%d N=%d K=%d: %s", M, N, K, r.Detail)
		}
	}
}

// vpdpbusd is one int32 lane of VPDPBUSD: acc plus four u8 x s8 products,
// wrapping (the non-saturating form).
func vpdpbusd(acc int32, u [4]uint8, s [4]int8) int32 {
	for i := range u {
		acc += int32(u[i]) * int32(s[i])
	}
	return acc
}

// vpmaddubsw is one int16 lane of VPMADDUBSW: two u8 x s8 products, summed
// with signed saturation.
func vpmaddubsw(u [2]uint8, s [2]int8) int16 {
	v := int32(u[0])*int32(s[0]) + int32(u[1])*int32(s[1])
	return int16(max(-32768, min(32767, v)))
}

// vnniDot computes sum_k xq*w the way a VPDPBUSD kernel does (KERNELS.md
// 3.1): Xu = Xq + 128 as the unsigned operand, K padded to a multiple of 4
// with Xu = 128 and W = 0, then acc = accu - 128 * sum_k W.
func vnniDot(xq, w []int8) int32 {
	var accu, cs int32
	for k := 0; k < len(xq); k += 4 {
		u, s := [4]uint8{128, 128, 128, 128}, [4]int8{}
		for i := 0; i < 4 && k+i < len(xq); i++ {
			u[i], s[i] = uint8(int16(xq[k+i])+128), w[k+i]
			cs += int32(w[k+i])
		}
		accu = vpdpbusd(accu, u, s)
	}
	return accu - 128*cs
}

// The u8 x s8 compensation identity the SIMD backend relies on:
// sum (xq+128)*w - 128*sum w == sum xq*w, exactly, for any K up to
// MaxW8A8K (accu itself may wrap int32; the wrap cancels).
func TestVNNICompensationIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 3, 4, 7, 301, 4096, 4099, kernel.MaxW8A8K} {
		for trial := 0; trial < 3; trial++ {
			xq, w := make([]int8, k), make([]int8, k)
			for i := range xq {
				switch trial {
				case 0:
					xq[i], w[i] = int8(rng.IntN(255)-127), int8(rng.IntN(255)-127)
				case 1: // the extremes: accu overflows int32 for large K
					xq[i], w[i] = 127, 127
				default:
					xq[i], w[i] = -127, 127
				}
			}
			var ref int64
			for i := range xq {
				ref += int64(xq[i]) * int64(w[i])
			}
			if got := vnniDot(xq, w); int64(got) != ref {
				t.Errorf("K=%d trial %d: VNNI-style dot %d, exact %d", k, trial, got, ref)
			}
		}
	}
	// Why not VPMADDUBSW: 255*127*2 saturates int16.
	if v := vpmaddubsw([2]uint8{255, 255}, [2]int8{127, 127}); int32(v) == 255*127*2 {
		t.Errorf("VPMADDUBSW emulation did not saturate: %d", v)
	}
}

// RepQuant: the reparameterized path (LN with gamma', beta', per-tensor
// d_t, z_t, W', bias') gives the per-channel quantizer path exactly, in
// float64: the same codes (up to float64 rounding at exact-tie distances)
// and the same Y. With an unrounded z_t (as RepQ-ViT leaves it) the codes
// differ, which is why nbench rounds z_t.
func TestRepQuantReparameterizationIdentity(t *testing.T) {
	const M, C, N, bits = 64, 96, 24, 4
	md := repquantDraw(11, C, N, bits)
	p := md.reparam()
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, M*C)
	suite.Normal(rng, x, 0, 1)
	qmax := 1<<bits - 1
	zUnrounded := 0.0
	for _, z := range md.z {
		zUnrounded += z / C
	}
	unroundedDiffers := 0
	var y, yr []float64
	for m := 0; m < M; m++ {
		mu, rstd := lnStats(x[m*C:(m+1)*C], 1e-6)
		xh, xhr := make([]float64, C), make([]float64, C)
		for j := 0; j < C; j++ {
			nx := (float64(x[m*C+j]) - mu) * rstd
			t1 := (nx*md.gamma[j] + md.beta[j]) / md.d[j]
			q := clampInt(int(math.RoundToEven(t1))+int(md.z[j]), 0, qmax)
			t2 := (nx*p.gamma[j] + p.beta[j]) / p.dt
			qr := clampInt(int(math.RoundToEven(t2))+int(p.zt), 0, qmax)
			if w, a := codes(t1, 0, -1<<20, 1<<20, 1e-9, false); q != qr && w == a {
				t.Fatalf("[%d,%d]: per-channel code %d, reparameterized %d (t %v, %v)", m, j, q, qr, t1, t2)
			}
			if qu := clampInt(int(math.RoundToEven(t2+p.zt-zUnrounded))+int(math.Round(zUnrounded)), 0, qmax); qu != q {
				unroundedDiffers++
			}
			xh[j] = float64(q-int(md.z[j])) * md.d[j]
			xhr[j] = float64(qr-int(p.zt)) * p.dt
		}
		for n := 0; n < N; n++ {
			y = append(y, md.bias[n]+dot[float64](xh, md.w[n*C:(n+1)*C]))
			yr = append(yr, p.bias[n]+dot[float64](xhr, p.w[n*C:(n+1)*C]))
		}
	}
	yr32 := make([]float32, len(yr))
	round32(yr32, yr)
	if c := suite.Normwise("y", yr32, y, 1e-7); c.Verdict != suite.Passed {
		t.Errorf("reparameterized Y differs: %s", c.Detail)
	}
	if math.Abs(zUnrounded-math.Round(zUnrounded)) > 0.05 && unroundedDiffers == 0 {
		t.Errorf("an unrounded z_t (%v) should move some codes", zUnrounded)
	}
	t.Logf("z_t = rne(%.3f) = %v; an unrounded z_t changes %d of %d codes", zUnrounded, p.zt, unroundedDiffers, M*C)

	// End to end on the go backend, float32 parameters: the suite's check
	// (codes within 1e-4 near-tie mismatches, Y normwise 1e-5).
	k, _ := suite.Lookup("repquant_ln_linear")
	if c := checkOnGo(t, k, "M=197,C=768,N=64"); c.Verdict != suite.Passed {
		t.Errorf("repquant_ln_linear on go: %s: %s", c.Verdict, c.Detail)
	} else if c.Detail != "" {
		t.Log(c.Detail)
	}
}

// checkOnGo fills, runs and checks one case on the go backend.
func checkOnGo(t *testing.T, k *suite.Kernel, shape string) suite.Check {
	t.Helper()
	c, host, err := k.Instance(shape, 9)
	if err != nil {
		t.Fatal(err)
	}
	runOp(t, c.Op(suite.Tensors(host)))
	return c.Check(host)
}

func TestQuantoGroup(t *testing.T) {
	for k, g := range map[int]int{4096: 128, 11008: 128, 160: 32, 192: 96, 130: 130, 96: 96, 128: 128, 4: 4} {
		if got := quantoGroup(k); got != g {
			t.Errorf("quantoGroup(%d) = %d, want %d", k, got, g)
		}
	}
}

// Shape rules of KERNELS.md 3 are Validate errors (ErrShape).
func TestQMatmulValidate(t *testing.T) {
	f := func(n int) *kernel.Host { return kernel.NewHost(kernel.F32, n) }
	u := func(n int) *kernel.Host { return kernel.NewHost(kernel.U8, n) }
	i8 := func(n int) *kernel.Host { return kernel.NewHost(kernel.I8, n) }
	i32 := func(n int) *kernel.Host { return kernel.NewHost(kernel.I32, n) }
	w4 := func(n, k, g int) kernel.GemmW4G {
		ng := n * k / max(g, 1)
		return kernel.GemmW4G{M: 1, N: n, K: k, Group: g, X: f(k), Qp: u(n * k / 2), S: f(ng), Z: u(ng), Y: f(n)}
	}
	w8 := kernel.GemmW8A8{M: 2, N: 3, K: 5, Xq: i8(10), Sx: f(2), Wq: i8(15), Sw: f(3), Y: f(6)}
	layer := func(bits, n, k, g int) kernel.WQLayer {
		l := kernel.WQLayer{N: n, K: k, Bits: bits, Group: g, Scale: f(n * k / g), Zero: f(n * k / g), Q: u(n * k * bits / 8)}
		return l
	}
	valid := []kernel.Op{w4(3, 64, 32), w4(3, 6, 6), w8, kernel.QuantizeI8{Rows: 0, K: 1, X: f(0), Q: i8(0), Scale: f(0)},
		kernel.LayerwiseWQ{M: 1, Layers: []kernel.WQLayer{layer(4, 8, 64, 32), layer(2, 4, 8, 8)}, X: f(64), Y: f(4)}}
	for _, op := range valid {
		if err := op.Validate(); err != nil {
			t.Errorf("%s %+v: unexpected %v", op.Kernel(), op, err)
		}
	}
	fused := w8
	fused.Fused = true // with Xq still set
	k0 := w8
	k0.K, k0.Xq, k0.Wq = 0, i8(0), i8(0)
	big := w8
	big.K = kernel.MaxW8A8K + 1
	badAcc := w8
	badAcc.Acc = i32(5)
	pv := kernel.RepQuantSoftmaxPV{BH: 1, L: 2, S: 4, Dv: 3, Bits: 4, Mode: kernel.QuantLog2, Pq: u(8), Vi: i8(12), O: f(6)}
	pvOdd := pv
	pvOdd.Aodd = i32(6) // A_odd needs logsqrt2
	pvBits := pv
	pvBits.Bits, pvBits.Aall = 5, i32(6) // integer outputs need b <= 4
	pvLong := pv
	pvLong.S, pvLong.Pq, pvLong.Vi, pvLong.Aall = 512, u(1024), i8(512*3), i32(6) // S*2^(7+15) >= 2^31
	rq := kernel.RepQuantLNLinear{M: 2, C: 4, N: 3, Bits: 4, Dt: 0, X: f(8), Gamma: f(4), Beta: f(4), W: f(12), Y: f(6)}
	invalid := map[string]kernel.Op{
		"w4g K % G != 0":            w4(3, 96, 64),
		"w4g odd K":                 w4(3, 7, 7),
		"w4g group 16":              w4(3, 64, 16),
		"w4g quantizer odd K":       kernel.QuantizeW4G{N: 1, K: 5, Group: 5, W: f(5), Qp: u(2), S: f(1), Z: u(1)},
		"w8a8 K = 0":                k0,
		"w8a8 K too large":          big,
		"w8a8 fused with Xq":        fused,
		"w8a8 acc length":           badAcc,
		"quantize_i8 K = 0":         kernel.QuantizeI8{Rows: 1, K: 0, X: f(0), Q: i8(0), Scale: f(1)},
		"softmax_pv aodd log2":      pvOdd,
		"softmax_pv aall b = 5":     pvBits,
		"softmax_pv int32 overflow": pvLong,
		"softmax_pv S = 0":          kernel.RepQuantSoftmaxPV{BH: 1, L: 1, S: 0, Dv: 1, Bits: 4, Pq: u(0), Vi: i8(0), O: f(1)},
		"repquant dt = 0":           rq,
		"layerwise K mismatch": kernel.LayerwiseWQ{M: 1, Layers: []kernel.WQLayer{layer(4, 8, 64, 32), layer(4, 4, 16, 16)},
			X: f(64), Y: f(4)},
		"layerwise 2-bit K % 4": kernel.LayerwiseWQ{M: 1, Layers: []kernel.WQLayer{{N: 2, K: 6, Bits: 2, Group: 6,
			Q: u(3), Scale: f(2), Zero: f(2)}}, X: f(6), Y: f(2)},
		"layerwise 5-bit": kernel.LayerwiseWQ{M: 1, Layers: []kernel.WQLayer{layer(5, 8, 8, 8)}, X: f(8), Y: f(8)},
	}
	for name, op := range invalid {
		if err := op.Validate(); !errors.Is(err, kernel.ErrShape) {
			t.Errorf("%s: Validate = %v, want a shape error", name, err)
		}
	}
}
