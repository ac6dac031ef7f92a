package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// Batch-statistics norms (KERNELS.md 1.7, 1.8) and the per-channel
// statistics engine they share with PowerNorm, Unified Norm and EvoNorm.

func init() {
	register("batchnorm_infer", prepareBatchNormInfer)
	register("repbn_infer", prepareRepBNInfer)
	register("batchnorm_train", prepareBatchNormTrain)
	register("prepbn_train", preparePRepBNTrain)
}

// ---- per-channel statistics over rows ----

// colStats computes per-channel statistics of x [rows, c] over its rows,
// which are split into segs segments of segRows rows each (BatchNorm: one
// segment; EvoNorm: one per image). Each segment is cut into tiles of blk
// rows by up to statTile channels; a tile's mean (and M2, the sum of squared
// deviations) is taken in float32 while the tile is in cache, then the
// tiles of a segment merge pairwise in a fixed tree (Chan et al.). The
// partition does not depend on the thread count, so neither does the
// result, and the rounding error grows with log(rows), not rows.
type colStats struct {
	c, ct, nct, blk   int // channels, tile width, tiles per row block, rows per block
	segs, segRows, kb int // kb: row blocks per segment
	mean, m2          []float32
	tile              tileFunc
	tilesBody         func(lo, hi int)
	mergeBody         func(lo, hi int)
	segMergeBody      func(lo, hi int)
}

// tileFunc computes the statistics of channels [c0, c1) over rows [r0, r1)
// into mean[:c1-c0] (and m2[:c1-c0] when the statistics are centered).
type tileFunc func(r0, r1, c0, c1 int, mean, m2 []float32)

// statTile is the widest channel tile; with blk rows a tile is about 16K
// values (64 KB), so its second pass reads from cache.
const statTile = 256

// newColStats allocates the partials of one op (in Prepare). centered
// selects mean and M2 (tile must fill both); otherwise only means merge.
func newColStats(segs, segRows, c int, centered bool, tile tileFunc) *colStats {
	s := &colStats{c: c, ct: min(c, statTile), segs: segs, segRows: segRows, tile: tile}
	s.nct = (c + s.ct - 1) / s.ct
	s.blk = min(max(16384/s.ct, 32), 2048, max(segRows, 1))
	s.kb = (segRows + s.blk - 1) / s.blk
	s.mean = make([]float32, segs*s.kb*c)
	if centered {
		s.m2 = make([]float32, len(s.mean))
	}
	s.tilesBody = func(lo, hi int) {
		for it := lo; it < hi; it++ {
			blk, t := it/s.nct, it%s.nct
			seg, k := blk/s.kb, blk%s.kb
			r0 := seg*s.segRows + k*s.blk
			r1 := min(r0+s.blk, (seg+1)*s.segRows)
			c0, c1 := t*s.ct, min((t+1)*s.ct, s.c)
			s.tile(r0, r1, c0, c1, s.mean[blk*s.c+c0:blk*s.c+c1], s.part(s.m2, blk*s.c+c0, blk*s.c+c1))
		}
	}
	s.mergeBody = func(lo, hi int) {
		for it := lo; it < hi; it++ {
			seg, t := it/s.nct, it%s.nct
			off, w := seg*s.kb*s.c+t*s.ct, min(s.ct, s.c-t*s.ct)
			mergeTree(s.mean[off:], s.part(s.m2, off, len(s.m2)), s.kb, s.c, w, s.blk, s.segRows)
		}
	}
	s.segMergeBody = func(lo, hi int) {
		for t := lo; t < hi; t++ {
			off, w := t*s.ct, min(s.ct, s.c-t*s.ct)
			mergeTree(s.mean[off:], s.part(s.m2, off, len(s.m2)), s.segs, s.kb*s.c, w, s.segRows, s.segs*s.segRows)
		}
	}
	return s
}

// part is m2[lo:hi], or nil for uncentered statistics.
func (s *colStats) part(m2 []float32, lo, hi int) []float32 {
	if m2 == nil {
		return nil
	}
	return m2[lo:hi]
}

// run computes the statistics of every segment.
func (s *colStats) run(b *Backend) {
	b.rows(s.segs*s.kb*s.nct, s.blk*s.ct*4, s.tilesBody)
	if s.kb > 1 {
		b.rows(s.segs*s.nct, s.kb*s.ct*8, s.mergeBody)
	}
}

// mergeSegments merges the segment statistics into segment 0.
func (s *colStats) mergeSegments(b *Backend) {
	if s.segs > 1 {
		b.rows(s.nct, s.segs*s.ct*8, s.segMergeBody)
	}
}

// seg returns segment i's per-channel mean and M2 (nil when uncentered);
// M2/count is the biased variance.
func (s *colStats) seg(i int) (mean, m2 []float32) {
	off := i * s.kb * s.c
	return s.mean[off : off+s.c], s.part(s.m2, off, off+s.c)
}

// mergeTree merges k partial statistics pairwise into node 0: node i holds
// w channels at mean[i*stride:] (and m2) and covers unit rows of the total
// (the last node fewer). Merging (na, ma, Ma) with (nb, mb, Mb):
// d = mb-ma; m = ma + d*nb/n; M = Ma + Mb + d*d*na*nb/n. A nil m2 merges
// means only.
func mergeTree(mean, m2 []float32, k, stride, w, unit, total int) {
	for step := 1; step < k; step *= 2 {
		for i := 0; i+step < k; i += 2 * step {
			j := i + step
			na := float32(j*unit - i*unit)
			nb := float32(min((j+step)*unit, total) - j*unit)
			fb := nb / (na + nb)
			fab := na * fb
			a, bm := mean[i*stride:i*stride+w], mean[j*stride:j*stride+w]
			if m2 == nil {
				for c := range a {
					a[c] += (bm[c] - a[c]) * fb
				}
				continue
			}
			a2, b2 := m2[i*stride:i*stride+w], m2[j*stride:j*stride+w]
			for c := range a {
				d := bm[c] - a[c]
				a[c] += d * fb
				a2[c] += b2[c] + d*d*fab
			}
		}
	}
}

// rowPart returns row r of x [*, c] restricted to channels [c0, c0+w).
func rowPart(x []float32, c, r, c0, w int) []float32 { return x[r*c+c0 : r*c+c0+w] }

// tileMeanM2 is the centered tile of x [*, c]: the mean, then M2 around it,
// four rows at a time.
func tileMeanM2(x []float32, c, r0, r1, c0, c1 int, mean, m2 []float32) {
	w := c1 - c0
	mean, m2 = mean[:w], m2[:w]
	if c == 1 { // one contiguous column
		mean[0], m2[0] = meanM2(x[r0:r1])
		return
	}
	clear(mean)
	r := r0
	for ; r+4 <= r1; r += 4 {
		x0, x1, x2, x3 := rowPart(x, c, r, c0, w), rowPart(x, c, r+1, c0, w), rowPart(x, c, r+2, c0, w), rowPart(x, c, r+3, c0, w)
		for j := range mean {
			mean[j] += (x0[j] + x1[j]) + (x2[j] + x3[j])
		}
	}
	for ; r < r1; r++ {
		for j, v := range rowPart(x, c, r, c0, w) {
			mean[j] += v
		}
	}
	n := float32(r1 - r0)
	for j := range mean {
		mean[j] /= n // a division keeps a constant channel's mean exact
	}
	clear(m2)
	r = r0
	for ; r+4 <= r1; r += 4 {
		x0, x1, x2, x3 := rowPart(x, c, r, c0, w), rowPart(x, c, r+1, c0, w), rowPart(x, c, r+2, c0, w), rowPart(x, c, r+3, c0, w)
		for j, mu := range mean {
			d0, d1, d2, d3 := x0[j]-mu, x1[j]-mu, x2[j]-mu, x3[j]-mu
			m2[j] += (d0*d0 + d1*d1) + (d2*d2 + d3*d3)
		}
	}
	for ; r < r1; r++ {
		for j, v := range rowPart(x, c, r, c0, w) {
			d := v - mean[j]
			m2[j] += d * d
		}
	}
}

// meanM2 is the mean and M2 of a contiguous run, with four accumulators.
func meanM2(x []float32) (mean, m2 float32) {
	mean = sum(x) / float32(len(x))
	s0, s1, s2, s3 := sqDev4(x, mean)
	return mean, (s0 + s1) + (s2 + s3)
}

// tileMeanSq is the uncentered tile: the mean of x^2.
func tileMeanSq(x []float32, c, r0, r1, c0, c1 int, mean []float32) {
	w := c1 - c0
	mean = mean[:w]
	clear(mean)
	r := r0
	for ; r+4 <= r1; r += 4 {
		x0, x1, x2, x3 := rowPart(x, c, r, c0, w), rowPart(x, c, r+1, c0, w), rowPart(x, c, r+2, c0, w), rowPart(x, c, r+3, c0, w)
		for j := range mean {
			mean[j] += (x0[j]*x0[j] + x1[j]*x1[j]) + (x2[j]*x2[j] + x3[j]*x3[j])
		}
	}
	for ; r < r1; r++ {
		for j, v := range rowPart(x, c, r, c0, w) {
			mean[j] += v * v
		}
	}
	n := float32(r1 - r0)
	for j := range mean {
		mean[j] /= n
	}
}

// sqrt32 is the correctly rounded float32 square root.
func sqrt32(v float32) float32 { return float32(math.Sqrt(float64(v))) }

// ---- batchnorm_infer, repbn_infer ----

func prepareBatchNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchNormInfer)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	return bnInferBound(b, op, 0), nil
}

func prepareRepBNInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepBNInfer)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	return bnInferBound(b, kernel.BatchNormInfer{M: op.M, C: op.C, Eps: op.Eps, X: op.X, Gamma: op.Gamma, Beta: op.Beta,
		RunMean: op.RunMean, RunVar: op.RunVar, Y: op.Y}, op.Alpha), nil
}

// bnInferBound folds BatchNorm (+ alpha*x for RepBN) into y = x*a + b per
// channel. The fold is O(C) and runs in Run, so new parameters written
// after Prepare are honoured.
func bnInferBound(b *Backend, op kernel.BatchNormInfer, alpha float32) kernel.Bound {
	x, g, be, rm, rv, y := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta),
		kernel.F32s(op.RunMean), kernel.F32s(op.RunVar), kernel.F32s(op.Y)
	c, eps := op.C, op.Eps
	a, sh := make([]float32, c), make([]float32, c)
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			scaleShiftRow(y[r*c:(r+1)*c], x[r*c:(r+1)*c], a, sh)
		}
	}
	return bound(func() {
		for j := range a {
			s := g[j] * rsqrt32(rv[j]+eps)
			sh[j] = be[j] - rm[j]*s
			a[j] = s + alpha
		}
		b.rows(op.M, 2*c, body)
	})
}

// scaleShiftRow writes y = x*a + b.
//
//go:noinline
func scaleShiftRow(y, x, a, b []float32) {
	y, a, b = y[:len(x)], a[:len(x)], b[:len(x)]
	for j, v := range x {
		y[j] = v*a[j] + b[j]
	}
}

// centerScaleShiftRow writes y = (x-mu)*a + b. Hot loops live in small
// functions kept out of line (go:noinline): inlined into a closure the
// register allocator spills the loop index to the stack on every element.
//
//go:noinline
func centerScaleShiftRow(y, x, mu, a, b []float32) {
	y, mu, a, b = y[:len(x)], mu[:len(x)], a[:len(x)], b[:len(x)]
	for j, v := range x {
		y[j] = (v-mu[j])*a[j] + b[j]
	}
}

// ---- batchnorm_train ----

// bnBatch is the batch-statistics part of BatchNorm training shared with
// PRepBN: per-channel mean mu and scale a = gamma*rsqrt(var+eps), and the
// running-state update.
type bnBatch struct {
	m, c            int
	eps, mom        float32
	st              *colStats
	mu, a           []float32
	rm, rv          []float32 // old state
	newMean, newVar []float32 // new state
	gamma           []float32
}

func newBNBatch(m, c int, eps, mom float32, x, gamma, rm, rv, newMean, newVar []float32) *bnBatch {
	bb := &bnBatch{m: m, c: c, eps: eps, mom: mom, mu: make([]float32, c), a: make([]float32, c),
		rm: rm, rv: rv, newMean: newMean, newVar: newVar, gamma: gamma}
	bb.st = newColStats(1, m, c, true, func(r0, r1, c0, c1 int, mean, m2 []float32) {
		tileMeanM2(x, c, r0, r1, c0, c1, mean, m2)
	})
	return bb
}

// run computes the statistics and the new state; it returns false for
// M = 0, where the state is copied and there is nothing else to do.
func (bb *bnBatch) run(b *Backend) bool {
	if bb.m == 0 {
		copy(bb.newMean, bb.rm)
		copy(bb.newVar, bb.rv)
		return false
	}
	bb.st.run(b)
	mean, m2 := bb.st.seg(0)
	n := float32(bb.m)
	unbiased := n / float32(bb.m-1)
	for j, mu := range mean {
		v := m2[j] / n
		bb.mu[j] = mu
		bb.a[j] = bb.gamma[j] * rsqrt32(v+bb.eps)
		bb.newMean[j] = (1-bb.mom)*bb.rm[j] + bb.mom*mu
		bb.newVar[j] = (1-bb.mom)*bb.rv[j] + bb.mom*v*unbiased
	}
	return true
}

func prepareBatchNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchNormTrain)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, be, y := kernel.F32s(op.X), kernel.F32s(op.Beta), kernel.F32s(op.Y)
	c := op.C
	bb := newBNBatch(op.M, c, op.Eps, op.Momentum, x, kernel.F32s(op.Gamma), kernel.F32s(op.RunMean),
		kernel.F32s(op.RunVar), kernel.F32s(op.NewMean), kernel.F32s(op.NewVar))
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			centerScaleShiftRow(y[r*c:(r+1)*c], x[r*c:(r+1)*c], bb.mu, bb.a, be)
		}
	}
	return bound(func() {
		if bb.run(b) {
			b.rows(op.M, 3*c, body)
		}
	}), nil
}

// ---- prepbn_train ----

func preparePRepBNTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PRepBNTrain)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	lg, lb, bnb := kernel.F32s(op.LNGamma), kernel.F32s(op.LNBeta), kernel.F32s(op.BNBeta)
	c, lam, lnEps := op.C, op.Lambda, op.LNEps
	bb := newBNBatch(op.M, c, op.BNEps, op.Momentum, x, kernel.F32s(op.BNGamma), kernel.F32s(op.RunMean),
		kernel.F32s(op.RunVar), kernel.F32s(op.NewMean), kernel.F32s(op.NewVar))
	// y = (x-mu_r)*rstd_r*lamG + (x-mu_c)*bnS + x*alphaS + shift, per channel:
	// lamG = lam*ln_gamma, bnS = (1-lam)*a, alphaS = (1-lam)*alpha,
	// shift = lam*ln_beta + (1-lam)*bn_beta.
	lamG, bnS, shift := make([]float32, c), make([]float32, c), make([]float32, c)
	alphaS := (1 - lam) * op.Alpha
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr := x[r*c : (r+1)*c]
			rmu, v := meanVar(xr)
			prepbnRow(y[r*c:(r+1)*c], xr, rmu, rsqrt32(v+lnEps), lamG, bb.mu, bnS, alphaS, shift)
		}
	}
	return bound(func() {
		if !bb.run(b) {
			return
		}
		for j := range lamG {
			lamG[j] = lam * lg[j]
			bnS[j] = (1 - lam) * bb.a[j]
			shift[j] = lam*lb[j] + (1-lam)*bnb[j]
		}
		b.rows(op.M, 12*c, body)
	}), nil
}

// prepbnRow writes one row of PRepBN: y = (x-rmu)*rstd*lamG +
// (x-mu)*bnS + x*alphaS + shift.
//
//go:noinline
func prepbnRow(y, x []float32, rmu, rstd float32, lamG, mu, bnS []float32, alphaS float32, shift []float32) {
	n := len(x)
	y, lamG, mu, bnS, shift = y[:n], lamG[:n], mu[:n], bnS[:n], shift[:n]
	for j, v := range x {
		y[j] = (v-rmu)*rstd*lamG[j] + (v-mu[j])*bnS[j] + v*alphaS + shift[j]
	}
}
