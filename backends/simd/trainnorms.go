package simd

import (
	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/backends/internal/unorm"
	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// The training norms (KERNELS.md 1.7-1.10): per-channel statistics over the
// M rows of x [M, C], then a per-channel affine. The statistics run on
// fixed blocks of rows: each block's column sums are float32 vector sums,
// one read of the block shifted by the mean of its first rows
// (colShiftSums; levels without it sum, then sum squared deviations from
// the block mean while the block is in cache), and the blocks merge in
// float64 in block order, so the result does not depend on the thread
// count. Narrow rows are folded into super-rows of reps rows (a lane of a
// super-row is one channel), so every vector call spans at least
// colSpan elements.

func init() {
	register("batchnorm_train", prepareBatchNormTrain, nil)
	register("prepbn_train", preparePRepBNTrain, nil)
	register("powernorm_train", preparePowerNormTrain, nil)
	register("unified_norm_train", prepareUnifiedNormTrain, nil)
}

const (
	colSpan  = 512      // least super-row width, elements
	colTile  = 64 << 10 // elements per statistics block (256 KB, in L2)
	colBlkLo = 4        // super-rows per block, at least
	colBlkHi = 128      // and at most (float32 sums over few rows)
)

// colAffineSpan is the elements per affine call (at least a super-row;
// a variable for BenchmarkTrainNormsAB).
var colAffineSpan = 2048

// colPlan is the block partition of x [m, c]: sup super-rows of span =
// reps*c elements in nb blocks of blk super-rows, then tail < reps rows
// (one more block, of width c). Partial i lives at [i*span, i*span+width):
// per lane a shift sh, s1 = Σ(x-sh) and s2 = Σ(x-sh)².
type colPlan struct {
	m, c, reps, span, sup, blk, nb, tail int
	aspan                                int       // elements per affine call, a multiple of span
	s1, s2, sh                           []float32 // block partials
	mean, m2                             []float64 // merged, per channel
	zeros                                []float32 // [span]
	centeredMerge, squaresMerge          func(j0, j1 int)
	shiftMerge                           mergeFn // mergeCentered's loop: a level's mergeShifted
}

func newColPlan(m, c int) *colPlan {
	p := &colPlan{m: m, c: c, reps: max(1, min(m, colSpan/c))}
	p.span = p.reps * c
	p.aspan = max(1, colAffineSpan/p.span) * p.span
	p.sup, p.tail = m/p.reps, m%p.reps
	p.blk = max(colBlkLo, min(colBlkHi, colTile/p.span))
	p.nb = (p.sup + p.blk - 1) / p.blk
	n := p.parts() * p.span
	p.s1, p.s2, p.sh = make([]float32, n), make([]float32, n), make([]float32, n)
	p.mean, p.m2 = make([]float64, c), make([]float64, c)
	p.zeros = make([]float32, p.span)
	p.centeredMerge, p.squaresMerge, p.shiftMerge = p.mergeCentered, p.mergeSquares, mergeShiftedGo
	return p
}

// parts is the number of blocks, the tail included.
func (p *colPlan) parts() int {
	if p.tail > 0 {
		return p.nb + 1
	}
	return p.nb
}

// block returns block i's first row, its rows per lane and its width.
func (p *colPlan) block(i int) (r0, n, w int) {
	if i == p.nb {
		return p.sup * p.reps, p.tail, p.c
	}
	return i * p.blk * p.reps, min(p.blk, p.sup-i*p.blk), p.span
}

// centered fills block i's partials from xb (the block's rows, ld = w)
// in one read; without colShiftSums the shift
// is the float32 block mean (s1 = 0), then s2 the squared deviations
// around it from cache.
func (p *colPlan) centered(v *vec, i int, xb []float32) {
	_, n, w := p.block(i)
	s1, s2, sh := p.s1[i*p.span:i*p.span+w], p.s2[i*p.span:i*p.span+w], p.sh[i*p.span:i*p.span+w]
	if v.colShiftSums != nil {
		v.colShiftSums(s1, s2, sh, xb, w, n, true)
		return
	}
	clear(s1)
	clear(s2)
	clear(sh)
	v.colSum(sh, xb, w, n)
	nf := float32(n)
	for j := range sh {
		sh[j] /= nf // a division keeps a constant channel's mean exact
	}
	v.colSqDev(s2, xb, sh, w, n)
}

// squares fills block i's s2 with the column sums of xb².
func (p *colPlan) squares(v *vec, i int, xb []float32) {
	_, n, w := p.block(i)
	s2 := p.s2[i*p.span : i*p.span+w]
	if v.colShiftSums != nil {
		v.colShiftSums(p.s1[i*p.span:i*p.span+w], s2, p.sh[i*p.span:i*p.span+w], xb, w, n, false)
		return
	}
	clear(s2)
	v.colSqDev(s2, xb, p.zeros[:w], w, n)
}

// mergeCentered merges the partials of channels [j0, j1) in block order
// (Chan et al. in float64) into mean and m2 (M2, not yet divided).
func (p *colPlan) mergeCentered(j0, j1 int) {
	mean, m2 := p.mean[j0:j1], p.m2[j0:j1]
	clear(mean)
	clear(m2)
	na := 0.0
	for i := range p.parts() {
		_, n, w := p.block(i)
		nb := float64(n)
		for l := 0; l < w; l += p.c {
			off := i*p.span + l
			na = mergeShifted(p.shiftMerge, mean, m2, p.s1[off+j0:off+j1], p.s2[off+j0:off+j1], p.sh[off+j0:off+j1], na, nb)
		}
	}
}

// mergeShifted merges a partial of nb rows per channel, given as shift
// sh, s1 = Σ(x-sh) and s2 = Σ(x-sh)² (colShiftSums), into the running
// mean and M2 of na rows (Chan et al., float64) with merge (a level's
// mergeShifted), and returns na+nb.
func mergeShifted(merge mergeFn, mean, m2 []float64, s1, s2, sh []float32, na, nb float64) float64 {
	tot := na + nb
	merge(mean, m2, s1, s2, sh, nb/tot, na*nb/tot, 1/nb)
	return tot
}

// mergeFn is mergeShifted's loop over the channels (mergeShiftedGo), with
// fb = nb/(na+nb), fab = na*nb/(na+nb) and inb = 1/nb.
type mergeFn func(mean, m2 []float64, s1, s2, sh []float32, fb, fab, inb float64)

// mergeSquares sums the s2 partials of channels [j0, j1) into m2.
func (p *colPlan) mergeSquares(j0, j1 int) {
	m2 := p.m2[j0:j1]
	clear(m2)
	for i := range p.parts() {
		_, _, w := p.block(i)
		for l := 0; l < w; l += p.c {
			off := i*p.span + l
			for j, s := range p.s2[off+j0 : off+j1] {
				m2[j] += float64(s)
			}
		}
	}
}

// merge runs merge over channel chunks.
func (p *colPlan) merge(b *Backend, merge func(j0, j1 int)) {
	b.rows(p.c, 8*p.parts()*p.reps, merge)
}

// affineRows returns the loop applying f(y, x, width, nt) to runs of up
// to aspan/span whole super-rows (batchnorm_train 1.14-1.17x over one
// super-row per call, 8192 elements 0.97-0.98x), then to the tail rows.
// The super-rows stream their output (nt true: f calls v's streaming
// form) when x and y exceed the cache and every super-row of y starts
// aligned; the tail rows are plain.
func (p *colPlan) affineRows(v *vec, x, y []float32, f func(y, x []float32, w int, nt bool)) func(b *Backend) {
	k := streaming(v, 8*len(x))
	if k == nil || !k.rowsAligned(y, p.span) {
		k = nil
	}
	g := p.aspan / p.span
	body := func(lo, hi int) {
		for r := lo; r < hi; r += g {
			e0, e1 := r*p.span, min(hi, r+g)*p.span
			f(y[e0:e1], x[e0:e1], e1-e0, k != nil)
		}
		k.fence()
	}
	return func(b *Backend) {
		b.rows(p.sup, 3*p.span, body)
		for r := p.sup * p.reps; r < p.m; r++ {
			f(y[r*p.c:(r+1)*p.c], x[r*p.c:(r+1)*p.c], p.c, false)
		}
	}
}

// ---- batchnorm_train, prepbn_train ----

// bnTrain is the batch-statistics part shared by BatchNorm training and
// PRepBN: mu and a = gamma*rsqrt(var+eps) per channel (repeated over a
// super-row), and the running-state update.
type bnTrain struct {
	p                          *colPlan
	v                          *vec
	x                          []float32
	eps, mom                   float32
	gamma, rm, rv, nMean, nVar []float32
	mu, a                      []float32 // [aspan]
	blocks                     func(lo, hi int)
}

func newBNTrain(b *Backend, m, c int, eps, mom float32, x, gamma, rm, rv, nMean, nVar []float32) *bnTrain {
	p := newColPlan(m, c)
	if b.lv.f.mergeShifted != nil {
		p.shiftMerge = b.lv.f.mergeShifted
	}
	t := &bnTrain{p: p, v: b.lv.f, x: x, eps: eps, mom: mom, gamma: gamma, rm: rm, rv: rv, nMean: nMean, nVar: nVar,
		mu: make([]float32, p.aspan), a: make([]float32, p.aspan)}
	t.blocks = func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r0, n, w := p.block(i)
			t.p.centered(t.v, i, x[r0*c:r0*c+n*w])
		}
	}
	return t
}

// run computes the statistics and the new state; it returns false for
// M = 0, where the state is copied and there is nothing else to do.
func (t *bnTrain) run(b *Backend) bool {
	p := t.p
	if p.m == 0 {
		copy(t.nMean, t.rm)
		copy(t.nVar, t.rv)
		return false
	}
	b.rows(p.parts(), 2*p.blk*p.span, t.blocks)
	p.merge(b, p.centeredMerge)
	n := float64(p.m)
	unbiased := float32(p.m) / float32(p.m-1)
	for j := range p.c {
		mu, v := float32(p.mean[j]), float32(p.m2[j]/n)
		t.mu[j] = mu
		t.a[j] = t.gamma[j] * rsqrt32(v+t.eps)
		t.nMean[j] = (1-t.mom)*t.rm[j] + t.mom*mu
		t.nVar[j] = (1-t.mom)*t.rv[j] + t.mom*v*unbiased
	}
	return true
}

func prepareBatchNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchNormTrain)
	x, y, beta := kernel.F32s(op.X), kernel.F32s(op.Y), kernel.F32s(op.Beta)
	t := newBNTrain(b, op.M, op.C, op.Eps, op.Momentum, x, kernel.F32s(op.Gamma), kernel.F32s(op.RunMean),
		kernel.F32s(op.RunVar), kernel.F32s(op.NewMean), kernel.F32s(op.NewVar))
	bs := make([]float32, t.p.aspan)
	v := b.lv.f
	nt := ntOf(v)
	apply := t.p.affineRows(v, x, y, func(y, x []float32, w int, stream bool) {
		if stream {
			nt.centerAffine(y, x, t.mu[:w], t.a[:w], bs[:w])
		} else {
			v.centerAffine(y, x, t.mu[:w], t.a[:w], bs[:w])
		}
	})
	return bound(v.path, func() {
		if !t.run(b) {
			return
		}
		copy(bs, beta)
		repeat(t.mu, t.mu[:op.C])
		repeat(t.a, t.a[:op.C])
		repeat(bs, bs[:op.C])
		apply(b)
	}), nil
}

// preparePRepBNTrain: y = (x-rmu)*rstd*lamG + (x-mu)*bnS + x*alphaS +
// shift per row (LN statistics rmu, rstd) and channel, with lamG =
// lam*ln_gamma, bnS = (1-lam)*a, alphaS = (1-lam)*alpha and shift =
// lam*ln_beta + (1-lam)*bn_beta, written (x-mu)*(bnS+alphaS) +
// (shift+mu*alphaS) for blendAffine.
func preparePRepBNTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PRepBNTrain)
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	lg, lb, bnb := kernel.F32s(op.LNGamma), kernel.F32s(op.LNBeta), kernel.F32s(op.BNBeta)
	c, lam, lnEps := op.C, op.Lambda, op.LNEps
	t := newBNTrain(b, op.M, c, op.BNEps, op.Momentum, x, kernel.F32s(op.BNGamma), kernel.F32s(op.RunMean),
		kernel.F32s(op.RunVar), kernel.F32s(op.NewMean), kernel.F32s(op.NewVar))
	v := b.lv.f
	lamG, bnA, shift := make([]float32, c), make([]float32, c), make([]float32, c)
	alphaS := (1 - lam) * op.Alpha
	inv := 1 / float32(c)
	mu := t.mu[:c]
	blend, k := v.blendAffine, streaming(v, 8*len(x))
	if k != nil && k.rowsAligned(y, c) {
		blend = k.blendAffine
	} else {
		k = nil
	}
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr := x[r*c : (r+1)*c]
			rmu := v.sum(xr) * inv
			variance := v.sumSqDev(xr, rmu) * inv
			blend(y[r*c:(r+1)*c], xr, lamG, mu, bnA, shift, rmu, rsqrt32(variance+lnEps))
		}
		k.fence()
	}
	return bound(v.path, func() {
		if !t.run(b) {
			return
		}
		for j := range lamG {
			lamG[j] = lam * lg[j]
			bnA[j] = (1-lam)*t.a[j] + alphaS
			shift[j] = lam*lb[j] + (1-lam)*bnb[j] + mu[j]*alphaS
		}
		b.rows(op.M, 12*c, body)
	}), nil
}

// ---- powernorm_train ----

// preparePowerNormTrain: the group scales s[r,g] = rsqrt(mean_g x² + 1e-5)
// scale a few rows of a block at a time into a per-worker scratch that
// stays in L1 (a block-sized one in L2 ran 1.4x slower), whose column sums
// of squares, accumulated over the block, give v = mean_t xs²; then
// y = x*s*k + b per group with k = w*rsqrt(norm+eps). Where the level has
// PowerNorm inference's fused row loop (groupRowsOf), one call per block
// of rows does each pass: the statistics as groupSqRows (the scaled rows'
// squares summed into the block's partial with no scratch: the bits of
// scaleMul then colSqDev), the output as groupNormRows, recomputing s
// from the row in cache (the same bits as the stored scale); 24 primitive
// calls per row of 12 groups of 64 cost more than the memory (1.6-1.8x,
// in-process A/B).
func preparePowerNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PowerNormTrain)
	v := b.lv.f
	x, bias, phi, y, newPhi := kernel.F32s(op.X), kernel.F32s(op.Bias), kernel.F32s(op.Phi), kernel.F32s(op.Y), kernel.F32s(op.NewPhi)
	m, c, groups := op.M, op.C, op.Groups
	cg := c / groups
	p := newColPlan(m, c)
	x2 := make([]float32, c)
	ones, k := filled(c, 1), make([]float32, c)
	inv := 1 / float32(cg)
	sub := p.aspan / p.span // super-rows scaled per squares call
	rowsFn, lanes := groupRowsOf(v)
	sqRows := groupSqRowsOf(v)
	fused := rowsFn != nil && sqRows != nil && cg%lanes == 0
	var scale []float32
	scratch := make([][]float32, b.threads)
	if !fused {
		scale = make([]float32, m*groups)
		for i := range scratch {
			scratch[i] = make([]float32, p.aspan)
		}
	}
	blocks := func(chunk, lo, hi int) {
		sc := scratch[chunk]
		for i := lo; i < hi; i++ {
			r0, n, wd := p.block(i)
			s2 := p.s2[i*p.span : i*p.span+wd]
			clear(s2)
			if fused {
				// A super-row's groups are its rows' groups.
				sqRows(s2, x[r0*c:r0*c+n*wd], n, wd, cg, inv)
				continue
			}
			per := wd / c // rows per super-row
			for q := 0; q < n; q += sub {
				q1 := min(n, q+sub)
				ra, rb := r0+q*per, r0+q1*per
				for r := ra; r < rb; r++ {
					for g := 0; g < c; g += cg {
						xs := x[r*c+g : r*c+g+cg]
						s := rsqrt32(v.sumSq(xs)*inv + 1e-5)
						scale[r*groups+g/cg] = s
						v.scaleMul(sc[(r-ra)*c+g:(r-ra)*c+g+cg], xs, ones, s)
					}
				}
				v.colSqDev(s2, sc, p.zeros[:wd], wd, q1-q)
			}
		}
	}
	affine, outFn, nt := v.normAffine, rowsFn, streaming(v, 8*len(x))
	if nt != nil && nt.rowsAligned(y, cg) {
		affine = nt.normAffine // every group of y starts aligned
		if fused {
			outFn = nt.groupNormRows
		}
	} else {
		nt = nil
	}
	out := func(lo, hi int) {
		if fused {
			outFn(y[lo*c:hi*c], x[lo*c:hi*c], k, bias, hi-lo, c, cg, inv)
		} else {
			for r := lo; r < hi; r++ {
				for g := 0; g < c; g += cg {
					e := r*c + g
					affine(y[e:e+cg], x[e:e+cg], k[g:g+cg], bias[g:g+cg], 0, scale[r*groups+g/cg])
				}
			}
		}
		nt.fence()
	}
	return bound(v.path, func() {
		if m == 0 {
			copy(newPhi, phi)
			return
		}
		par.ForChunks(p.parts(), b.threads, par.Grain(4*p.blk*p.span, 1<<16), blocks)
		p.merge(b, p.squaresMerge)
		for j := range x2 {
			x2[j] = float32(p.m2[j] / float64(m))
		}
		pure.PowerNormState(&op, x2, k)
		b.rows(m, 3*c, out)
	}), nil
}

// ---- unified_norm_train ----

// prepareUnifiedNormTrain: x2 = mean_t x² by the column primitives, the
// window bookkeeping (O(W*C), scalar), then y = x*k + b on super-rows.
func prepareUnifiedNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.UnifiedNormTrain)
	v := b.lv.f
	x, y, bias := kernel.F32s(op.X), kernel.F32s(op.Y), kernel.F32s(op.Bias)
	m, c := op.M, op.C
	p := newColPlan(m, c)
	x2 := make([]float32, c)
	k, bs := make([]float32, p.aspan), make([]float32, p.aspan)
	step := unorm.New(&op)
	blocks := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r0, n, wd := p.block(i)
			p.squares(v, i, x[r0*c:r0*c+n*wd])
		}
	}
	nt := ntOf(v)
	apply := p.affineRows(v, x, y, func(y, x []float32, wd int, stream bool) {
		if stream {
			nt.normAffine(y, x, k[:wd], bs[:wd], 0, 1)
		} else {
			v.normAffine(y, x, k[:wd], bs[:wd], 0, 1)
		}
	})
	return bound(v.path, func() {
		if m == 0 {
			step.Empty()
			return
		}
		b.rows(p.parts(), 2*p.blk*p.span, blocks)
		p.merge(b, p.squaresMerge)
		for j := range x2 {
			x2[j] = float32(p.m2[j] / float64(m))
		}
		step.Update(x2, k)
		copy(bs, bias)
		repeat(k, k[:c])
		repeat(bs, bs[:c])
		apply(b)
	}), nil
}
