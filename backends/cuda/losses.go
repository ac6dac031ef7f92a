//go:build cuda

package cuda

import (
	"github.com/nbench/nbench/kernel"
)

// Loss kernels (kernels/losses.cu): per-block or per-sample partials in
// float64, then loss_final sums them in a fixed order.

// Loss kinds, as in losses.cu.
const (
	lossMSE = iota
	lossHuber
	lossPseudoHuber
	lossCauchy
	lossMSEMasked
)

func init() {
	register("mse", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.MSE)
		return b.flatLoss(lossMSE, op.N, op.D, 0, op.P, op.T, op.Out)
	})
	register("huber", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.Huber)
		return b.flatLoss(lossHuber, op.N, op.D, op.Delta, op.P, op.T, op.Out)
	})
	register("pseudo_huber", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.PseudoHuber)
		return b.sampleLoss(lossPseudoHuber, op.N, op.D, op.C, op.P, op.T, nil, nil, op.Out)
	})
	register("cauchy", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.Cauchy)
		return b.sampleLoss(lossCauchy, op.N, op.D, op.C, op.P, op.T, nil, nil, op.Out)
	})
	register("mse_masked", func(b *Backend, o kernel.Op) (*bound, error) {
		op := o.(kernel.MSEMasked)
		return b.sampleLoss(lossMSEMasked, op.N, op.D, 0, op.P, op.T, op.Mask, op.Weights, op.Out)
	})
	register("cross_entropy", prepareCrossEntropy)
}

// final adds loss_final: out = sum(part[0:n]) / (sum(cnt[0:n]) or denom).
func (b *Backend) final(k *bound, part int64, n int, cnt int64, denom float64, out kernel.Tensor) error {
	a := (&args{}).ws(part).i32(n)
	if cnt >= 0 {
		a.ws(cnt)
	} else {
		a.null()
	}
	a.f64(denom).ptr(b, out)
	return k.add("losses", "loss_final", grid1(1), threads(256), 0, a)
}

// flatLoss: the mean over all N*D elements of an elementwise term.
func (b *Backend) flatLoss(kind, n, d int, delta float32, p, t, out kernel.Tensor) (*bound, error) {
	total := int64(n) * int64(d)
	blocks := 0
	if total > 0 {
		blocks = int(min((total+2047)/2048, 1024))
	}
	var l wsLayout
	part := l.take(8 * int64(max(blocks, 1)))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k := b.newBound("loss_flat loss_final")
	if blocks > 0 {
		a := (&args{}).ptr(b, p).ptr(b, t).i64(total).i32(kind).f32(delta).ws(part)
		if err := k.add("losses", "loss_flat", grid1(blocks), threads(256), 0, a); err != nil {
			return nil, err
		}
	}
	return k, b.final(k, part, blocks, -1, float64(total), out)
}

// rowsPlan: a warp per sample (8 per block) for short samples, else a block.
func rowsPlan(d int) (suffix string, perBlock int) {
	if d <= 2048 {
		return "w", 8
	}
	return "b", 1
}

// sampleLoss: the mean over samples of a function of each sample's sum of
// squares (pseudo_huber, cauchy, mse_masked).
func (b *Backend) sampleLoss(kind, n, d int, c float32, p, t, mask, w, out kernel.Tensor) (*bound, error) {
	var l wsLayout
	part := l.take(8 * int64(max(n, 1)))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	suffix, per := rowsPlan(d)
	k := b.newBound("loss_rows_" + suffix + " loss_final")
	if n > 0 {
		a := (&args{}).ptr(b, p).ptr(b, t).i32(n).i32(d).i32(kind).f32(c).ptr(b, mask).ptr(b, w).ws(part)
		if err := k.add("losses", "loss_rows_"+suffix, grid1(ceilDiv(n, per)), threads(256), 0, a); err != nil {
			return nil, err
		}
	}
	return k, b.final(k, part, n, -1, float64(n), out)
}

func prepareCrossEntropy(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.CrossEntropy)
	var l wsLayout
	part, cnt := l.take(8*int64(max(op.N, 1))), l.take(8*int64(max(op.N, 1)))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	suffix, per := rowsPlan(op.V)
	k := b.newBound("ce_rows_" + suffix + " loss_final")
	if op.N > 0 {
		a := (&args{}).ptr(b, op.Logits).ptr(b, op.Targets).i32(op.N).i32(op.V).i32(int(op.IgnoreIndex)).ws(part).ws(cnt)
		if err := k.add("losses", "ce_rows_"+suffix, grid1(ceilDiv(op.N, per)), threads(256), 0, a); err != nil {
			return nil, err
		}
	}
	return k, b.final(k, part, op.N, cnt, 0, op.Out)
}
