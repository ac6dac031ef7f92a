package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// The row norms besides layernorm, and SELU (KERNELS.md 1.2-1.6, 1.12).

func init() {
	register("rmsnorm", prepareRMSNorm)
	register("layernorm_scaling", prepareLayerNormScaling)
	register("nonscaling_layernorm", prepareNonScalingLayerNorm)
	register("crmsnorm", prepareCRMSNorm)
	register("single_scale_rmsnorm", prepareSingleScaleRMSNorm)
	register("selu", prepareSELU)
}

// rsqrt32 is 1/sqrt(v) through float64 (once per row, so its cost is nil).
func rsqrt32(v float32) float32 { return float32(1 / math.Sqrt(float64(v))) }

// rmsRStd is rsqrt(mean(x^2) + eps) of one row.
func rmsRStd(x []float32, eps float32) float32 {
	return rsqrt32(sumSq(x)/float32(len(x)) + eps)
}

// rmsNormRows returns the row loop of y = x * rsqrt(mean(x^2)+eps) * g;
// g = nil means 1. It reads g at run time, so callers may rewrite it.
func rmsNormRows(x, g, y []float32, c int, eps float32) func(lo, hi int) {
	return func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mulRow(yr, xr, g, rmsRStd(xr, eps))
		}
	}
}

func prepareRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RMSNorm)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	body := rmsNormRows(kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Y), op.C, op.Eps)
	return bound(func() { b.rows(op.Rows, 4*op.C, body) }), nil
}

// prepareLayerNormScaling folds s = 1/sqrt(layer) into gamma and beta at
// every run (O(C) into workspace), then runs the base norm's row loop.
func prepareLayerNormScaling(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerNormScaling)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, g, be, y := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.Y)
	c, eps := op.C, op.Eps
	s := float32(1 / math.Sqrt(float64(op.Layer)))
	gs := make([]float32, c)
	if op.Base == kernel.BaseRMSNorm {
		body := rmsNormRows(x, gs, y, c, eps)
		return bound(func() {
			mulRow(gs, g, nil, s)
			b.rows(op.Rows, 5*c, body)
		}), nil
	}
	bs := make([]float32, c)
	body := layerNormRows(x, gs, bs, y, c, eps)
	return bound(func() {
		mulRow(gs, g, nil, s)
		mulRow(bs, be, nil, s)
		b.rows(op.Rows, 9*c, body)
	}), nil
}

func prepareNonScalingLayerNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.NonScalingLayerNorm)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, bias, y := kernel.F32s(op.X), kernel.F32s(op.Bias), kernel.F32s(op.Y)
	c, eps := op.C, op.Eps
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mu, v := meanVar(xr)
			rstd := rsqrt32(v + eps)
			if bias == nil {
				for j, xv := range xr {
					yr[j] = (xv - mu) * rstd
				}
				continue
			}
			bias := bias[:len(xr)]
			for j, xv := range xr {
				yr[j] = (xv-mu)*rstd + bias[j]
			}
		}
	}
	return bound(func() { b.rows(op.Rows, 7*c, body) }), nil
}

func prepareCRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.CRMSNorm)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	z, g, y := kernel.F32s(op.Z), kernel.F32s(op.Gamma), kernel.F32s(op.Y)
	n, eps := op.N, op.Eps
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			zr, yr := z[r*n:(r+1)*n], y[r*n:(r+1)*n]
			s, q := sum(zr), sumSq(zr)
			mulRow(yr, zr, g, rsqrt32((q+s*s)/float32(n+1)+eps))
		}
	}
	return bound(func() { b.rows(op.Rows, 5*n, body) }), nil
}

func prepareSingleScaleRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SingleScaleRMSNorm)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	c, eps, s := op.C, op.Eps, op.Scale
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mulRow(yr, xr, nil, rmsRStd(xr, eps)*s)
		}
	}
	return bound(func() { b.rows(op.Rows, 4*c, body) }), nil
}

// sumSq adds x^2 with eight float32 accumulators.
func sumSq(x []float32) float32 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		s0 += v[0] * v[0]
		s1 += v[1] * v[1]
		s2 += v[2] * v[2]
		s3 += v[3] * v[3]
		s4 += v[4] * v[4]
		s5 += v[5] * v[5]
		s6 += v[6] * v[6]
		s7 += v[7] * v[7]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * x[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

// mulRow writes y = x*a*g, or y = x*a when g is nil.
func mulRow(y, x, g []float32, a float32) {
	y = y[:len(x)]
	if g == nil {
		for j, v := range x {
			y[j] = v * a
		}
		return
	}
	g = g[:len(x)]
	for j, v := range x {
		y[j] = v * a * g[j]
	}
}

// ---- selu ----

// SELU constants rounded to float32 (1.0507010f, and lambda*alpha).
const (
	seluLambda32      float32 = 1.0507009873554804934193349852946
	seluLambdaAlpha32 float32 = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
)

func prepareSELU(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SELU)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	body := func(lo, hi int) { seluRow(y[lo:hi], x[lo:hi]) }
	return bound(func() { b.rows(op.N, 16, body) }), nil
}

// seluRow writes y = SELU(x) without a branch on the data (random signs
// would mispredict): both sides are computed and the sign bit of x selects.
// x = +0 and +NaN take lambda*x; x < 0, -0 and -NaN take
// lambda*alpha*expm1(x) with its sign forced to that of x, so -0 gives -0.
//
// expm1(x) for x <= 0: x = k*ln2 + r with |r| <= ln2/2 (Cody-Waite split;
// ln2Hi has 15 significant bits, so k*ln2Hi is exact) and expm1(x) =
// 2^k*expm1(r) + (2^k - 1), within a few ulp. Near 0, k = 0 and this is
// expm1's Taylor series alone, free of exp(x)-1's cancellation. Below -30
// it is -1 in float32 (-Inf included); NaN stays NaN. For x > 0 it is
// meaningless and discarded. The loop is written out so that it inlines.
func seluRow(y, x []float32) {
	const (
		log2e = 1.44269504088896340736
		ln2Hi = 0.693145751953125
		ln2Lo = 1.42860682030941723212e-6
	)
	y = y[:len(x)]
	for i, v := range x {
		xn := max(v, -30)
		k := int32(xn*log2e - 0.5) // round to nearest for xn <= 0
		kf := float32(k)
		s := math.Float32frombits(uint32(k+127) << 23)
		em1 := s*expm1Small((xn-kf*ln2Hi)-kf*ln2Lo) + (s - 1)
		m := uint32(int32(math.Float32bits(v)) >> 31) // all ones when the sign bit is set
		pos := math.Float32bits(seluLambda32 * v)
		neg := math.Float32bits(seluLambdaAlpha32*em1) | 1<<31
		y[i] = math.Float32frombits(pos&^m | neg&m)
	}
}

// expm1Small is expm1(r) for |r| <= ln2/2 by its Taylor series to r^7
// (truncation below 2e-8 relative).
func expm1Small(r float32) float32 {
	return r * (1 + r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
}
