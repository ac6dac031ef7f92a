package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// EvoNorm-B0 and -S0 (KERNELS.md 1.11) on x [N, HW, C]. Both start from the
// per-(image, channel) statistics over HW (colStats with one segment per
// image); B0 merges them across images for the batch variance, S0 across
// the channels of a group.

func init() {
	register("evonorm_b0", prepareEvoNormB0)
	register("evonorm_s0", prepareEvoNormS0)
}

// instanceStats returns the colStats of x [n*hw, c] with one segment per image.
func instanceStats(x []float32, n, hw, c int) *colStats {
	return newColStats(n, hw, c, true, func(r0, r1, c0, c1 int, mean, m2 []float32) {
		tileMeanM2(x, c, r0, r1, c0, c1, mean, m2)
	})
}

// sigmoid32 is 1/(1+e^-t) without a data-dependent branch: with e =
// e^-|t| (exp32's fast range, never overflowing) it is 1/(1+e) for t >= 0
// and e/(1+e) for t < 0, the numerator picked by t's sign bit. NaN gives NaN.
func sigmoid32(t float32) float32 {
	u := math.Float32bits(t)
	e := exp32(math.Float32frombits(u | 1<<31))
	neg := uint32(int32(u) >> 31) // all ones when t < 0
	num := math.Float32frombits(math.Float32bits(1)&^neg | math.Float32bits(e)&neg)
	return num / (1 + e)
}

func prepareEvoNormB0(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.EvoNormB0)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, g, be, v, rv, y, newRV := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.V),
		kernel.F32s(op.RunVar), kernel.F32s(op.Y), kernel.F32s(op.NewRunVar)
	n, hw, c, eps := op.N, op.HW, op.C, op.Eps
	if !op.Nonlinear {
		rows := scaleRows(y, x, g, be, c) // nonlinear = false: y = x*gamma + beta
		return bound(func() {
			if op.Training {
				copy(newRV, rv) // TF updates no state without the nonlinearity
			}
			b.rows(n*hw, 2*c, rows)
		}), nil
	}
	st := instanceStats(x, n, hw, c)
	sw, sb := make([]float32, n*c), make([]float32, c) // instance and batch std
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			img := r / hw
			b0Row(y[r*c:(r+1)*c], x[r*c:(r+1)*c], sb, v, sw[img*c:(img+1)*c], g, be)
		}
	}
	return bound(func() {
		if n == 0 {
			if op.Training {
				copy(newRV, rv)
			}
			return
		}
		st.run(b)
		inv := 1 / float32(hw)
		for i := 0; i < n; i++ {
			_, m2 := st.seg(i)
			for j, s := range m2 {
				sw[i*c+j] = sqrt32(s*inv + eps)
			}
		}
		if op.Training {
			st.mergeSegments(b)
			_, m2 := st.seg(0)
			inv := 1 / float32(n*hw)
			for j, s := range m2 {
				sb2 := s * inv
				newRV[j] = rv[j] - (rv[j]-sb2)*(1-op.Decay)
				sb[j] = sqrt32(sb2 + eps)
			}
		} else {
			for j, r := range rv {
				sb[j] = sqrt32(r + eps)
			}
		}
		b.rows(n*hw, 8*c, body)
	}), nil
}

func prepareEvoNormS0(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.EvoNormS0)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, g, be, v, y := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.V), kernel.F32s(op.Y)
	n, hw, c, groups, eps := op.N, op.HW, op.C, op.Groups, op.Eps
	if !op.Nonlinear {
		rows := scaleRows(y, x, g, be, c) // nonlinear = false: y = x*gamma + beta
		return bound(func() { b.rows(n*hw, 2*c, rows) }), nil
	}
	st := instanceStats(x, n, hw, c)
	cg := c / groups
	k := make([]float32, n*c) // gamma * rsqrt(group var + eps) per image and channel
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			img := r / hw
			s0Row(y[r*c:(r+1)*c], x[r*c:(r+1)*c], v, k[img*c:(img+1)*c], be)
		}
	}
	return bound(func() {
		if n == 0 {
			return
		}
		st.run(b)
		inv := 1 / float32(hw*cg)
		for i := 0; i < n; i++ {
			mean, m2 := st.seg(i)
			for gr := 0; gr < groups; gr++ {
				// The group's channels hold equal counts (hw rows each).
				mergeTree(mean[gr*cg:], m2[gr*cg:], cg, 1, 1, hw, cg*hw)
				rs := rsqrt32(m2[gr*cg]*inv + eps)
				for j := gr * cg; j < (gr+1)*cg; j++ {
					k[i*c+j] = g[j] * rs
				}
			}
		}
		b.rows(n*hw, 12*c, body)
	}), nil
}

// b0Row writes y = x / max(sb, v*x + sw) * g + b. The builtin max
// propagates NaN, as the reference's math.Max does, and has no
// data-dependent branch.
//
//go:noinline
func b0Row(y, x, sb, v, sw, g, b []float32) {
	n := len(x)
	y, sb, v, sw, g, b = y[:n], sb[:n], v[:n], sw[:n], g[:n], b[:n]
	for j, xv := range x {
		y[j] = xv/max(sb[j], v[j]*xv+sw[j])*g[j] + b[j]
	}
}

// s0Row writes y = x * sigmoid(v*x) * k + b.
//
//go:noinline
func s0Row(y, x, v, k, b []float32) {
	n := len(x)
	y, v, k, b = y[:n], v[:n], k[:n], b[:n]
	for j, xv := range x {
		y[j] = xv*sigmoid32(v[j]*xv)*k[j] + b[j]
	}
}
