package pure

import "github.com/nbench/nbench/kernel"

// PowerNorm (KERNELS.md 1.9): GroupScaling1D, then the quadratic-mean batch
// norm with a running phi.

func init() {
	register("powernorm_train", preparePowerNormTrain)
	register("powernorm_infer", preparePowerNormInfer)
}

// groupScaleEps is GroupScaling1D's fixed epsilon.
const groupScaleEps = 1e-5

// groupScale is GroupScaling1D's scale of one group: rsqrt(mean(x^2) + 1e-5).
func groupScale(x []float32) float32 {
	return rsqrt32(sumSq(x)/float32(len(x)) + groupScaleEps)
}

// groupAffine writes y = x*s*k + b for one group.
//
//go:noinline
func groupAffine(y, x []float32, s float32, k, b []float32) {
	y, k, b = y[:len(x)], k[:len(x)], b[:len(x)]
	for j, v := range x {
		y[j] = v*s*k[j] + b[j]
	}
}

func preparePowerNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PowerNormTrain)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, bias, phi, y, newPhi := kernel.F32s(op.X), kernel.F32s(op.Bias), kernel.F32s(op.Phi), kernel.F32s(op.Y), kernel.F32s(op.NewPhi)
	m, c, groups := op.M, op.C, op.Groups
	cg := c / groups
	scale := make([]float32, m*groups) // per row and group, kept for the output pass
	k := make([]float32, c)
	scaleBody := func(lo, hi int) {
		for i := lo * groups; i < hi*groups; i++ {
			scale[i] = groupScale(x[i*cg : (i+1)*cg])
		}
	}
	// The tile accumulates xs^2 = (x*s_g)^2 group run by group run.
	st := newColStats(1, m, c, false, func(r0, r1, c0, c1 int, mean, _ []float32) {
		mean = mean[:c1-c0]
		clear(mean)
		for r := r0; r < r1; r++ {
			sr := scale[r*groups : (r+1)*groups]
			for j := c0; j < c1; {
				end := min((j/cg+1)*cg, c1)
				s, xr, acc := sr[j/cg], x[r*c+j:r*c+end], mean[j-c0:end-c0]
				for i, v := range xr {
					t := v * s
					acc[i] += t * t
				}
				j = end
			}
		}
		n := float32(r1 - r0)
		for j := range mean {
			mean[j] /= n
		}
	})
	outBody := func(lo, hi int) {
		for i := lo * groups; i < hi*groups; i++ {
			j := (i % groups) * cg
			groupAffine(y[i*cg:(i+1)*cg], x[i*cg:(i+1)*cg], scale[i], k[j:], bias[j:])
		}
	}
	return bound(func() {
		if m == 0 {
			copy(newPhi, phi)
			return
		}
		b.rows(m, 2*c, scaleBody)
		st.run(b)
		v, _ := st.seg(0)
		PowerNormState(&op, v, k)
		b.rows(m, 3*c, outBody)
	}), nil
}

// PowerNormState is PowerNorm training's per-channel step (KERNELS.md
// 1): from v, the batch's quadratic mean per channel, it sets the output
// scale k = weight * rsqrt(phi' + eps) (phi' = v until warmup ends, then the
// old running phi) and the new running phi. Shared with the simd backend.
func PowerNormState(op *kernel.PowerNormTrain, v, k []float32) {
	w, phi, newPhi := kernel.F32s(op.Weight), kernel.F32s(op.Phi), kernel.F32s(op.NewPhi)
	it, warm, afwd, eps := float32(op.Iter), op.Warmup, op.Momentum, op.Eps
	for j, vj := range v {
		norm := phi[j] // after warmup: the old running phi
		if op.Iter <= warm {
			norm = vj
		}
		k[j] = w[j] * rsqrt32(norm+eps)
		p := phi[j]
		if op.Iter < warm {
			p = p*(it-1)/it + vj/it
		}
		newPhi[j] = afwd*p + (1-afwd)*vj
	}
}

func preparePowerNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PowerNormInfer)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, w, bias, phi, y := kernel.F32s(op.X), kernel.F32s(op.Weight), kernel.F32s(op.Bias), kernel.F32s(op.Phi), kernel.F32s(op.Y)
	c, groups, eps := op.C, op.Groups, op.Eps
	k := make([]float32, c)
	cg := c / groups
	body := func(lo, hi int) {
		for i := lo * groups; i < hi*groups; i++ {
			xg, j := x[i*cg:(i+1)*cg], (i%groups)*cg
			groupAffine(y[i*cg:(i+1)*cg], xg, groupScale(xg), k[j:], bias[j:])
		}
	}
	return bound(func() {
		for j := range k {
			k[j] = w[j] * rsqrt32(phi[j]+eps)
		}
		b.rows(op.M, 5*c, body)
	}), nil
}
