package simd

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// The row norms (KERNELS.md 1.1-1.6) and the inference norms that fold into
// one per-channel affine (1.7-1.10), on the vec primitives of the level.
// Row statistics are two-pass (sum, then Σ(x-mu)² while the row is in
// cache), which passes the offset test; sums are blocked over the vector
// accumulators.

func init() {
	register("layernorm", prepareLayerNorm, nil)
	register("nonscaling_layernorm", prepareNonScalingLayerNorm, nil)
	register("layernorm_scaling", prepareLayerNormScaling, nil)
	register("rmsnorm", prepareRMSNorm, nil)
	register("single_scale_rmsnorm", prepareSingleScaleRMSNorm, nil)
	register("crmsnorm", prepareCRMSNorm, nil)
	register("batchnorm_infer", prepareBatchNormInfer, nil)
	register("repbn_infer", prepareRepBNInfer, nil)
	register("unified_norm_infer", prepareUnifiedNormInfer, nil)
	register("powernorm_infer", preparePowerNormInfer, nil)
}

// rsqrt32 is 1/sqrt(v) through float64 (once per row or channel).
func rsqrt32(v float32) float32 { return float32(1 / math.Sqrt(float64(v))) }

func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// layerNormRows returns the row loop of y = (x-mu)*rsqrt(var+eps)*scale*g + b
// (streaming stores when the rows exceed the cache and every row of y is
// aligned). g nil is gamma one: the level's rows that read no g
// (unitGRowsOf), else a g of ones.
func layerNormRows(v *vec, x, g, b, y []float32, c int, eps, scale float32) func(lo, hi int) {
	inv, f := 1/float32(c), fusedLayerNorm(v)
	unitG := unitGRowsOf(v)
	if g == nil {
		if unitG != nil {
			f = unitG.ln
		} else {
			g = filled(c, 1)
		}
	}
	// The traffic counts g and b: at 4096x1024 (x and y 16 MiB each) the
	// rows alone equal a 32 MiB LLC, where streaming measured 1.16-1.18x.
	k := streaming(v, 8*len(x)+8*c)
	if k != nil && k.rowsAligned(y, c) {
		f = k.layerNormRows
		if g == nil {
			f = unitG.lnNT
		}
	} else {
		k = nil
	}
	return func(lo, hi int) {
		f(y[lo*c:hi*c], x[lo*c:hi*c], g, b, hi-lo, c, inv, eps, scale)
		k.fence()
	}
}

// rmsNormRows returns the row loop of y = x*rsqrt(mean(x²)+eps)*scale*g (streaming
// as layerNormRows; g nil is g = 1, as there).
func rmsNormRows(v *vec, x, g, y []float32, c int, eps, scale float32) func(lo, hi int) {
	inv, f := 1/float32(c), fusedRMSNorm(v)
	unitG := unitGRowsOf(v)
	if g == nil {
		if unitG != nil {
			f = unitG.rms
		} else {
			g = filled(c, 1)
		}
	}
	k := streaming(v, 8*len(x)+4*c) // with g, as layerNormRows
	if k != nil && k.rowsAligned(y, c) {
		f = k.rmsNormRows
		if g == nil {
			f = unitG.rmsNT
		}
	} else {
		k = nil
	}
	return func(lo, hi int) {
		f(y[lo*c:hi*c], x[lo*c:hi*c], g, hi-lo, c, inv, eps, scale)
		k.fence()
	}
}

func prepareLayerNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerNorm)
	v := b.lv.f
	body := layerNormRows(v, kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.Y), op.C, op.Eps, 1)
	return bound(v.path, func() { b.rows(op.Rows, 8*op.C, body) }), nil
}

func prepareNonScalingLayerNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.NonScalingLayerNorm)
	v := b.lv.f
	bias := kernel.F32s(op.Bias)
	if bias == nil {
		bias = make([]float32, op.C)
	}
	body := layerNormRows(v, kernel.F32s(op.X), nil, bias, kernel.F32s(op.Y), op.C, op.Eps, 1)
	return bound(v.path, func() { b.rows(op.Rows, 8*op.C, body) }), nil
}

// prepareLayerNormScaling folds s = 1/sqrt(layer) (float64, rounded once)
// into rstd and, at every run, into a scaled copy of beta.
func prepareLayerNormScaling(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.LayerNormScaling)
	v := b.lv.f
	x, g, y := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Y)
	s := float32(1 / math.Sqrt(float64(op.Layer)))
	if op.Base == kernel.BaseRMSNorm {
		body := rmsNormRows(v, x, g, y, op.C, op.Eps, s)
		return bound(v.path, func() { b.rows(op.Rows, 4*op.C, body) }), nil
	}
	beta, bs := kernel.F32s(op.Beta), make([]float32, op.C)
	body := layerNormRows(v, x, g, bs, y, op.C, op.Eps, s)
	return bound(v.path, func() {
		for i, bv := range beta {
			bs[i] = bv * s
		}
		b.rows(op.Rows, 8*op.C, body)
	}), nil
}

func prepareRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RMSNorm)
	v := b.lv.f
	body := rmsNormRows(v, kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Y), op.C, op.Eps, 1)
	return bound(v.path, func() { b.rows(op.Rows, 4*op.C, body) }), nil
}

func prepareSingleScaleRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SingleScaleRMSNorm)
	v := b.lv.f
	body := rmsNormRows(v, kernel.F32s(op.X), nil, kernel.F32s(op.Y), op.C, op.Eps, op.Scale)
	return bound(v.path, func() { b.rows(op.Rows, 4*op.C, body) }), nil
}

func prepareCRMSNorm(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.CRMSNorm)
	v := b.lv.f
	z, g, y := kernel.F32s(op.Z), kernel.F32s(op.Gamma), kernel.F32s(op.Y)
	if g == nil {
		g = filled(op.N, 1)
	}
	n, eps := op.N, op.Eps
	inv := 1 / float32(n+1)
	f, fnt := crmsRowsOf(v)
	if f == nil {
		f = composeCRMS(v.sum, v.sumSq, v.scaleMul)
	}
	// The fused forms stream rows at any alignment (plain head, then
	// streaming stores), once the traffic exceeds the cache.
	stream := fnt != nil && streaming(v, 8*len(z)+4*n) != nil
	if stream {
		f = fnt
	}
	// Rows that do not fit L1 with g and the next row (beyond 4096) are
	// fetched two rows ahead into L2, not the next row into L1 (in the
	// first pass: 2048x8191 1.08-1.11x, 2048x4095 0.95-0.97x, 12608x767
	// 0.94x, measured; then in the output pass, _asm outPasses).
	ahead := 0
	if n > 4096 {
		ahead = 2
	}
	body := func(lo, hi int) {
		f(y[lo*n:hi*n], z[lo*n:hi*n], g, hi-lo, n, ahead, inv, eps)
		if stream {
			sfence()
		}
	}
	return bound(v.path, func() { b.rows(op.Rows, 5*n, body) }), nil
}

// affine is the shared body of the inference norms: y[m,c] = x[m,c]*a[c] +
// b[c] (one FMA), with a and b folded from the op's parameters at every run
// by the vector fold (O(C), so the bound kernel never holds stale
// parameters). Narrow rows are processed several at a time against a and b
// repeated, so a call covers at least affineSpan elements.
type affine struct {
	v    *vec
	m, c int
	x, y []float32
	a, b []float32 // [reps*c]: the fold, repeated
	reps int
	fold func(a, b []float32)
}

const affineSpan = 512

func newAffine(be *Backend, m, c int, x, y kernel.Tensor, fold func(a, b []float32)) kernel.Bound {
	reps := max(1, min(m, affineSpan/c))
	f := &affine{v: be.lv.f, m: m, c: c, x: kernel.F32s(x), y: kernel.F32s(y),
		a: make([]float32, reps*c), b: make([]float32, reps*c), reps: reps, fold: fold}
	span := reps * c
	out, k := f.v.normAffine, streaming(f.v, 8*m*c)
	if k != nil && k.rowsAligned(f.y, span) {
		out = k.normAffine // every group starts aligned
	} else {
		k = nil
	}
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ { // r counts groups of reps rows
			e0, e1 := r*span, min((r+1)*span, m*c)
			out(f.y[e0:e1], f.x[e0:e1], f.a, f.b, 0, 1)
		}
		k.fence()
	}
	groups := (m + reps - 1) / reps
	return bound(f.v.path, func() {
		f.fold(f.a[:c], f.b[:c])
		for i := 1; i < reps; i++ {
			copy(f.a[i*c:(i+1)*c], f.a[:c])
			copy(f.b[i*c:(i+1)*c], f.b[:c])
		}
		be.rows(groups, 2*span, body)
	})
}

func prepareBatchNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchNormInfer)
	g, be, rm, rv := kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.RunMean), kernel.F32s(op.RunVar)
	fold := b.lv.f.bnFold
	return newAffine(b, op.M, op.C, op.X, op.Y, func(a, sh []float32) { fold(a, sh, g, be, rm, rv, op.Eps, 0) }), nil
}

func prepareRepBNInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepBNInfer)
	g, be, rm, rv := kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.RunMean), kernel.F32s(op.RunVar)
	fold := b.lv.f.bnFold
	return newAffine(b, op.M, op.C, op.X, op.Y, func(a, sh []float32) { fold(a, sh, g, be, rm, rv, op.Eps, op.Alpha) }), nil
}

func prepareUnifiedNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.UnifiedNormInfer)
	w, bias, rv := kernel.F32s(op.Weight), kernel.F32s(op.Bias), kernel.F32s(op.RunVar)
	zeros, fold := make([]float32, op.C), b.lv.f.bnFold
	return newAffine(b, op.M, op.C, op.X, op.Y, func(a, sh []float32) { fold(a, sh, w, bias, zeros, rv, op.Eps, 0) }), nil
}

// preparePowerNormInfer: y = x*r[t,g]*a[c] + b[c] with the group scale
// r = rsqrt(mean_{c in g} x² + 1e-5) per token and group, and a =
// w*rsqrt(phi+eps).
func preparePowerNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PowerNormInfer)
	v := b.lv.f
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	w, bias, phi := kernel.F32s(op.Weight), kernel.F32s(op.Bias), kernel.F32s(op.Phi)
	c, cg := op.C, op.C/op.Groups
	a, scratch, zeros := make([]float32, c), make([]float32, c), make([]float32, c)
	inv := 1 / float32(cg)
	affine, nt := v.normAffine, streaming(v, 8*len(x))
	if nt != nil && nt.rowsAligned(y, cg) {
		affine = nt.normAffine // every group of y starts aligned
	} else {
		nt = nil
	}
	// One call per block of rows where the level has the fused loop (24
	// primitive calls per row of 12 groups of 64 cost more than the memory).
	if f, lanes := groupRowsOf(v); f != nil && cg%lanes == 0 {
		if nt != nil {
			f = nt.groupNormRows
		}
		fused := func(lo, hi int) {
			f(y[lo*c:hi*c], x[lo*c:hi*c], a, bias, hi-lo, c, cg, inv)
			nt.fence()
		}
		return bound(v.path, func() {
			v.bnFold(a, scratch, w, zeros, zeros, phi, op.Eps, 0)
			b.rows(op.M, 5*c, fused)
		}), nil
	}
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			for j := 0; j < c; j += cg {
				xs := x[r*c+j : r*c+j+cg]
				s := rsqrt32(v.sumSq(xs)*inv + 1e-5)
				affine(y[r*c+j:r*c+j+cg], xs, a[j:j+cg], bias[j:j+cg], 0, s)
			}
		}
		nt.fence()
	}
	return bound(v.path, func() {
		v.bnFold(a, scratch, w, zeros, zeros, phi, op.Eps, 0)
		b.rows(op.M, 5*c, body)
	}), nil
}
