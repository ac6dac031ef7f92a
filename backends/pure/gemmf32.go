package pure

import "github.com/nbench/nbench/kernel"

// gemm_f32: Y = X W^T + bias in float32. GEMM (M > 1) runs the float GEMM
// the quantized layers share (sgemm: X packed 4 rows per k in Run, W packed
// into 2-column panels in Prepare, 4x2 register tiles); the GEMV (M = 1)
// streams the rows of W as they are, one dot product per output.

func init() { register("gemm_f32", prepareGemmF32) }

func prepareGemmF32(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmF32)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	M, N, K := op.M, op.N, op.K
	x, w, bias, y := kernel.F32s(op.X), kernel.F32s(op.W), kernel.F32s(op.Bias), kernel.F32s(op.Y)
	if M == 0 || N == 0 {
		return bound(func() {}), nil
	}
	if M == 1 {
		gemv := func(lo, hi int) {
			for n := lo; n < hi; n++ {
				v := dot(x, w[n*K:(n+1)*K])
				if bias != nil {
					v += bias[n]
				}
				y[n] = v
			}
		}
		return bound(func() { b.rows(N, 2*K, gemv) }), nil
	}
	wp := packPanels2(w, N, K)
	sg := newSgemm(b, M, N, K, false, bias, y, func(p int, _ []float32) []float32 { return wp[p*2*K : (p+1)*2*K] })
	pack := func(lo, hi int) { packRows4(sg.xp, x, K, lo, hi) }
	return bound(func() {
		b.rows(M, K, pack)
		sg.run()
	}), nil
}

// packPanels2 packs W [N,K] into sgemm's 2-column panels [K][2] (an odd N
// gets a zero column).
func packPanels2(w []float32, n, k int) []float32 {
	wp := make([]float32, ((n+1)/2)*2*k)
	for r := 0; r < n; r++ {
		p, c := r/2, r%2
		for j, v := range w[r*k : (r+1)*k] {
			wp[p*2*k+2*j+c] = v
		}
	}
	return wp
}

// dot is sum a*b with four accumulators (the GEMV's inner loop).
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
