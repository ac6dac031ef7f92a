package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

func init() {
	register("layernorm", prepareLayerNorm)
}

func prepareLayerNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerNorm)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	body := layerNormRows(kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.Y), op.C, op.Eps)
	return bound(func() { b.rows(op.Rows, 8*op.C, body) }), nil
}

// layerNormRows returns the row loop of LayerNorm. It reads g and be at run
// time, so callers may rewrite them (layernorm_scaling folds its scale in).
func layerNormRows(x, g, be, y []float32, c int, eps float32) func(lo, hi int) {
	return func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mu, v := meanVar(xr)
			layerNormRow(yr, xr, g, be, mu, float32(1/math.Sqrt(float64(v+eps))))
		}
	}
}

// meanVar returns the mean and the biased variance of x in two passes with
// four float32 accumulators each (blocked sums keep the error within
// KERNELS.md's tolerance; a one-pass E[x^2]-mu^2 would not).
func meanVar(x []float32) (mean, variance float32) {
	mean = sum(x) / float32(len(x))
	s0, s1, s2, s3 := sqDev4(x, mean)
	return mean, (s0 + s1 + s2 + s3) / float32(len(x))
}

// sqDev4 returns the sum of (x-mean)^2 as four float32 partial sums; each
// caller adds them in its own (fixed) order.
func sqDev4(x []float32, mean float32) (s0, s1, s2, s3 float32) {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1, d2, d3 := x[i]-mean, x[i+1]-mean, x[i+2]-mean, x[i+3]-mean
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := x[i] - mean
		s0 += d * d
	}
	return
}

// sum adds x with four accumulators.
func sum(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// layerNormRow writes y = (x-mu)*rstd*g + b.
func layerNormRow(y, x, g, b []float32, mu, rstd float32) {
	y, g, b = y[:len(x)], g[:len(x)], b[:len(x)]
	for j, v := range x {
		y[j] = (v-mu)*rstd*g[j] + b[j]
	}
}
