package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// The losses (KERNELS.md 5) as single fused passes: each vector primitive
// sums a block of at most lossBlock elements in float32 (blocked over the
// vector accumulators), blocks and rows are added in float64 in a fixed
// order, so the result does not depend on the thread count.

func init() {
	register("mse", prepareMSE, nil)
	register("huber", prepareHuber, nil)
	register("pseudo_huber", preparePseudoHuber, nil)
	register("cauchy", prepareCauchy, nil)
	register("mse_masked", prepareMSEMasked, nil)
	register("cross_entropy", prepareCrossEntropy, nil)
}

const lossBlock = 4096

// blockSum returns a function summing f over [0, n) in float64, in blocks
// of lossBlock elements: f(lo, hi) sums one block. Blocks run in parallel;
// their sums are added in order. Built once in Prepare, so a Run does not
// allocate.
func (b *Backend) blockSum(n int, f func(lo, hi int) float32) func() float64 {
	blocks := (n + lossBlock - 1) / lossBlock
	partial := make([]float64, blocks)
	body := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			partial[i] = float64(f(i*lossBlock, min((i+1)*lossBlock, n)))
		}
	}
	return func() float64 {
		par.For(blocks, b.threads, par.Grain(4*lossBlock, 1<<16), body)
		s := 0.0
		for _, p := range partial {
			s += p
		}
		return s
	}
}

// rowSum is blockSum for one row (sequential, in blocks).
func rowSum(n int, f func(lo, hi int) float32) float64 {
	s := 0.0
	for lo := 0; lo < n; lo += lossBlock {
		s += float64(f(lo, min(lo+lossBlock, n)))
	}
	return s
}

// elementLoss binds a loss that is the mean of a per-element term.
func elementLoss(b *Backend, n, d int, p, t, out kernel.Tensor, f func(p, t []float32) float32) kernel.Bound {
	pv, tv, ov := kernel.F32s(p), kernel.F32s(t), kernel.F32s(out)
	e := n * d
	sum := b.blockSum(e, func(lo, hi int) float32 { return f(pv[lo:hi], tv[lo:hi]) })
	return bound(b.lv.f.path, func() { ov[0] = float32(sum() / float64(e)) })
}

func prepareMSE(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.MSE)
	return elementLoss(b, op.N, op.D, op.P, op.T, op.Out, b.lv.f.sumSqDiff), nil
}

func prepareHuber(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.Huber)
	hs, delta := b.lv.f.huberSum, op.Delta
	return elementLoss(b, op.N, op.D, op.P, op.T, op.Out, func(p, t []float32) float32 { return hs(p, t, delta) }), nil
}

// sampleLoss binds a loss that is the mean over the N samples of g(s_i, i)
// with s_i = Σ_d (p-t)²; a sample for which skip (if not nil) is true adds
// 0 and is never read.
func sampleLoss(b *Backend, n, d int, p, t, out kernel.Tensor, skip func(i int) bool, g func(s float64, i int) float64) kernel.Bound {
	pv, tv, ov := kernel.F32s(p), kernel.F32s(t), kernel.F32s(out)
	v := b.lv.f
	per := make([]float64, n)
	body := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if skip != nil && skip(i) {
				per[i] = 0
				continue
			}
			pr, tr := pv[i*d:(i+1)*d], tv[i*d:(i+1)*d]
			per[i] = g(rowSum(d, func(lo, hi int) float32 { return v.sumSqDiff(pr[lo:hi], tr[lo:hi]) }), i)
		}
	}
	return bound(v.path, func() {
		b.rows(n, 3*d, body)
		s := 0.0
		for _, l := range per {
			s += l
		}
		ov[0] = float32(s / float64(n))
	})
}

func preparePseudoHuber(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PseudoHuber)
	c := float64(op.C)
	return sampleLoss(b, op.N, op.D, op.P, op.T, op.Out, nil, func(s float64, _ int) float64 {
		if math.IsInf(s, 1) {
			return s
		}
		return s / (math.Sqrt(s+c*c) + c) // the stable form of sqrt(s+c²)-c
	}), nil
}

func prepareCauchy(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.Cauchy)
	k := 1 / (2 * float64(op.C) * float64(op.C))
	return sampleLoss(b, op.N, op.D, op.P, op.T, op.Out, nil, func(s float64, _ int) float64 { return math.Log1p(s * k) }), nil
}

// prepareMSEMasked skips masked-out samples (never reading them), so a NaN
// there does not reach the loss; Weights nil means 1.
func prepareMSEMasked(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.MSEMasked)
	mask, w := kernel.U8s(op.Mask), kernel.F32s(op.Weights)
	invD := 1 / float64(op.D)
	return sampleLoss(b, op.N, op.D, op.P, op.T, op.Out, func(i int) bool { return mask[i] == 0 },
		func(s float64, i int) float64 {
			if w == nil {
				return s * invD
			}
			return float64(w[i]) * s * invD
		}), nil
}

// prepareCrossEntropy: per valid row, lse = log Σ exp(z) and loss lse - z[t].
// Where the level has lse (one pass from memory, lseRow), it is that;
// otherwise, and for a row of -Inf, m = max z (vector max), Σ exp(z-m) with
// the vector exp (relative error below 2^-23 per term, see expPoly) and
// lse = m + log(Σ) in float64. A NaN or +Inf logit, or a row of -Inf,
// makes the loss NaN; a target out of range makes the row NaN without
// reading outside it.
func prepareCrossEntropy(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.CrossEntropy)
	z, tg, ov := kernel.F32s(op.Logits), kernel.I32s(op.Targets), kernel.F32s(op.Out)
	n, vsz, ignore := op.N, op.V, op.IgnoreIndex
	v := b.lv.f
	per := make([]float64, n)
	body := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			t := tg[i]
			switch {
			case t == ignore:
				per[i] = 0
				continue
			case t < 0 || int(t) >= vsz:
				per[i] = math.NaN()
				continue
			}
			zr := z[i*vsz : (i+1)*vsz]
			if v.lse != nil {
				if l, ok := lseRow(v.lse, zr); ok {
					per[i] = l - float64(zr[t])
					continue
				}
			}
			m := v.maxv(zr)
			sumExp := v.sumExp
			if v.sumExpAhead != nil && i+1 < hi {
				// maxv read this row from DRAM; sumExp, bound by its
				// exps, reads it from L2 while the next row comes in.
				sumExp = func(x []float32, m float32) float32 { return v.sumExpAhead(x, m, 4*vsz) }
			}
			s := rowSum(vsz, func(lo, hi int) float32 { return sumExp(zr[lo:hi], m) })
			per[i] = float64(m) + math.Log(s) - float64(zr[t])
		}
	}
	return bound(v.path, func() {
		b.rows(n, 4*vsz, body)
		s, count := 0.0, 0
		for i, l := range per {
			if tg[i] != ignore {
				s += l
				count++
			}
		}
		ov[0] = float32(s / float64(count))
	}), nil
}

// lseChunk is the length of one lse call: its float32 sums stay short (256
// terms a lane per accumulator); the chunks are combined in float64.
const lseChunk = 16384

// lseRow returns log Σ exp(x) from lse over chunks of lseChunk elements,
// their (m, s) combined in float64 (m the largest reference). ok is false
// when every reference is -MaxFloat32 (x all -Inf or -MaxFloat32): the
// two-pass path gives those rows their NaN or value. NaN propagates.
func lseRow(lse func(x []float32) (m, s float32), x []float32) (l float64, ok bool) {
	mx, sum := math.Inf(-1), 0.0
	for lo := 0; lo < len(x); lo += lseChunk {
		m, s := lse(x[lo:min(lo+lseChunk, len(x))])
		mf := float64(m)
		if mf > mx {
			sum = sum*math.Exp(mx-mf) + float64(s)
			mx = mf
		} else {
			sum += float64(s) * math.Exp(mf-mx)
		}
	}
	if mx <= -math.MaxFloat32 {
		return 0, false
	}
	return mx + math.Log(sum), true
}
