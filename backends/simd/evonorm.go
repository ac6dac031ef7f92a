package simd

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// EvoNorm-B0 and -S0 (KERNELS.md 1.11) on x [N, HW, C] and SELU (1.12), on
// the vec primitives of the level.
//
// Both EvoNorms start from per-(image, channel) statistics over HW, taken
// per image with the vector column accumulators: in one read of shifted
// sums per block (most shapes, evoStats.pick), or two-pass (column sums,
// then Σ(x-mu)² while the image is in cache). Rows are handled evoReps at
// a time (a span of evoReps*C elements against per-channel data repeated
// evoReps times), so every call covers at least about evoSpan elements even
// for few channels; partial sums are blocked (evoBlock spans, then added)
// and folded across the repeats in float64. B0 merges the images' (mean,
// M2) into the batch variance, S0 the channels of a group (Chan et al.,
// float64, O(N*C)). Images are independent units of work, so results do
// not depend on the thread count.

func init() {
	register("evonorm_b0", prepareEvoNormB0, nil)
	register("evonorm_s0", prepareEvoNormS0, nil)
	register("selu", prepareSELU, nil)
}

const (
	evoSpan  = 512 // elements per call (at least, when an image has as many)
	evoBlock = 64  // spans summed into a block partial before the image total
	// evoShiftRows bounds imageShifted's blocks (rows of colShiftSums): its
	// shift loses at most log2(1+rows/8) bits of s2, 4 at 128 as in the
	// training norms' blocks. Fewer blocks are fewer merges (while DRAM
	// idles): N=32,H=56,W=56,C=64 ran 1.02-1.07x faster with 4 blocks of
	// 98 spans than with 7 of at most 64 (training and inference,
	// alternated, one thread, Zen 5, with the merges in Go).
	evoShiftRows = 128
)

// evoReps is the number of rows of c channels per span.
func evoReps(hw, c int) int { return max(1, min(hw, evoSpan/c)) }

// repeat fills dst (reps*len(src)) with copies of src.
func repeat(dst, src []float32) {
	for i := 0; i < len(dst); i += len(src) {
		copy(dst[i:], src)
	}
}

// evoStats computes the per-channel mean and M2 of every image of x.
type evoStats struct {
	v             *vec
	n, hw, c, rep int
	x             []float32
	scratch       []float32 // per image: acc, blk, mu [rep*c] each
	mean, m2      []float64 // [n*c]
	// sumsL2 is imageShifted's sums of an image in L2 (the level's
	// colShiftSumsL2 where it has one and an image fits in L2, else its
	// colShiftSums).
	sumsL2 func(s1, s2, sh, x []float32, ld, rows int, center bool)
}

func newEvoStats(v *vec, x []float32, n, hw, c int) *evoStats {
	rep := evoReps(hw, c)
	s := &evoStats{v: v, n: n, hw: hw, c: c, rep: rep, x: x,
		scratch: make([]float32, 3*n*rep*c), mean: make([]float64, n*c), m2: make([]float64, n*c), sumsL2: v.colShiftSums}
	if v.colShiftSumsL2 != nil && 4*hw*c <= l2Bytes() {
		s.sumsL2 = v.colShiftSumsL2
	}
	return s
}

// pass sums the spans of image i (mu nil) or their squared deviations
// from mu into acc, in blocks of evoBlock spans, and folds the repeats of
// acc into out (float64).
func (s *evoStats) pass(i int, acc, blk, mu []float32, out []float64) {
	span := s.rep * s.c
	xi := s.x[i*s.hw*s.c : (i+1)*s.hw*s.c]
	clear(acc)
	for lo := 0; lo < len(xi); lo += evoBlock * span {
		hi := min(lo+evoBlock*span, len(xi))
		clear(blk)
		// whole spans as rows of one column sum, then the partial span
		// (a multiple of c) as a row of its own
		full := (hi - lo) / span
		part := xi[lo+full*span : hi]
		if mu == nil {
			s.v.colSum(blk, xi[lo:], span, full)
			s.v.colSum(blk[:len(part)], part, 0, 1)
		} else {
			s.v.colSqDev(blk, xi[lo:], mu, span, full)
			s.v.colSqDev(blk[:len(part)], part, mu, 0, 1)
		}
		s.v.colSum(acc, blk, 0, 1)
	}
	clear(out)
	for r := 0; r < s.rep; r++ {
		for j, a := range acc[r*s.c : (r+1)*s.c] {
			out[j] += float64(a)
		}
	}
}

// image computes image i's statistics.
func (s *evoStats) image(i int) {
	span := s.rep * s.c
	sc := s.scratch[3*i*span : 3*(i+1)*span]
	acc, blk, mu := sc[:span], sc[span:2*span], sc[2*span:]
	mean, m2 := s.mean[i*s.c:(i+1)*s.c], s.m2[i*s.c:(i+1)*s.c]
	s.pass(i, acc, blk, nil, mean)
	for j := range mean {
		mean[j] /= float64(s.hw)
		mu[j] = float32(mean[j])
	}
	repeat(mu, mu[:s.c])
	s.pass(i, acc, blk, mu, m2)
}

// spans is the number of spans of an image (the last may be partial).
func (s *evoStats) spans() int { return (s.hw + s.rep - 1) / s.rep }

// pick returns the statistics of one image to use: in one read of each
// block (imageShifted) where the level can and the image has enough spans
// for the merges of its blocks to cost less than the two-pass form's
// second pass, or is too large for that pass to find it in L2. Against
// the two-pass form (alternated, one thread, Zen 5 with 1 MB L2): B0 at
// N=32,H=56,W=56,C=64 (800 KB images) 1.12x, at N=32,H=28,W=28,C=128
// (196 spans) 1.04-1.12x from DRAM and 1.05-1.10x in cache, at
// N=16,H=28,W=28,C=64 (98 spans) 1.04-1.11x; S0 1.00-1.07x on these;
// at 49 spans 1.00x, at 25 spans 0.81x, at 12 spans 0.74x.
//
// inL2 says the image was prefetched into L2 (by the previous image's
// output, evoImages): imageShifted then sums it with sumsL2.
func (s *evoStats) pick() func(i int, inL2 bool) {
	if s.v.colShiftSums != nil && (s.spans() >= evoShiftMinSpans || 4*s.hw*s.c > l2Bytes()/2) {
		return s.imageShifted
	}
	return func(i int, _ bool) { s.image(i) }
}

// evoShiftMinSpans is the fewest spans of an image for imageShifted (pick).
const evoShiftMinSpans = 64

// imageShifted computes image i's statistics as image does, but from one
// read of each block of spans (colShiftSums: sums shifted by the block's
// first rows, as the training norms' blocks), the lanes and blocks merged
// in float64 in a fixed order (mergeShifted), with sumsL2 where inL2 (the
// same bits). The level must have colShiftSums.
func (s *evoStats) imageShifted(i int, inL2 bool) {
	sums := s.v.colShiftSums
	if inL2 {
		sums = s.sumsL2
	}
	span := s.rep * s.c
	sc := s.scratch[3*i*span : 3*(i+1)*span]
	s1, s2, sh := sc[:span], sc[span:2*span], sc[2*span:]
	mean, m2 := s.mean[i*s.c:(i+1)*s.c], s.m2[i*s.c:(i+1)*s.c]
	clear(mean)
	clear(m2)
	xi := s.x[i*s.hw*s.c : (i+1)*s.hw*s.c]
	na := 0.0
	// Blocks of equal size, at most evoShiftRows spans.
	nb := (s.spans() + evoShiftRows - 1) / evoShiftRows
	rows := (s.spans() + nb - 1) / nb
	for lo := 0; lo < len(xi); lo += rows * span {
		hi := min(lo+rows*span, len(xi))
		// whole spans as rows of one call, then the partial span (a
		// multiple of c) as a row of its own
		full := (hi - lo) / span
		if full > 0 {
			sums(s1, s2, sh, xi[lo:], span, full, true)
			for l := 0; l < span; l += s.c {
				na = mergeShifted(s.v.mergeShifted, mean, m2, s1[l:], s2[l:], sh[l:], na, float64(full))
			}
		}
		if part := xi[lo+full*span : hi]; len(part) > 0 {
			sums(s1[:len(part)], s2[:len(part)], sh[:len(part)], part, 0, 1, true)
			for l := 0; l < len(part); l += s.c {
				na = mergeShifted(s.v.mergeShifted, mean, m2, s1[l:], s2[l:], sh[l:], na, 1)
			}
		}
	}
}

// evoApply returns the loop that runs the output step f over every span of
// every image (f gets the image and its x and y span, whole rows), to run
// with b.rows(units, perUnit, body).
func evoApply(n, hw, c int, x, y []float32, f func(i int, y, x []float32)) (units, perUnit int, body func(lo, hi int)) {
	rep := evoReps(hw, c)
	spans := (hw + rep - 1) / rep
	return n * spans, rep * c, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			i, s := u/spans, u%spans
			e0 := (i*hw + s*rep) * c
			e1 := (i*hw + min((s+1)*rep, hw)) * c
			f(i, y[e0:e1], x[e0:e1])
		}
	}
}

// evoAffine binds nonlinear = false: y = x*gamma + beta, the inference
// norms' affine body (also run is then done when N = 0).
func evoAffine(b *Backend, n, hw, c int, x, y, gamma, beta kernel.Tensor, also func()) kernel.Bound {
	g, be := kernel.F32s(gamma), kernel.F32s(beta)
	aff := newAffine(b, n*hw, c, x, y, func(a, sh []float32) {
		copy(a, g)
		copy(sh, be)
	})
	return bound(b.lv.f.path, func() {
		also()
		if n > 0 {
			aff.Run()
		}
	})
}

func prepareEvoNormB0(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.EvoNormB0)
	v := b.lv.f
	x, g, be, vc, rv, y, newRV := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.V),
		kernel.F32s(op.RunVar), kernel.F32s(op.Y), kernel.F32s(op.NewRunVar)
	n, hw, c, eps := op.N, op.HW, op.C, float64(op.Eps)
	keep := func() { // TF updates no state without the nonlinearity (nor for an empty batch)
		if op.Training {
			copy(newRV, rv)
		}
	}
	if !op.Nonlinear {
		return evoAffine(b, n, hw, c, op.X, op.Y, op.Gamma, op.Beta, keep), nil
	}
	st := newEvoStats(v, x, n, hw, c)
	span := st.rep * c
	// Repeated per span: sb, v, gamma, beta; sw per image.
	sb, vr, gr, br, sw := make([]float32, span), make([]float32, span), make([]float32, span), make([]float32, span),
		make([]float32, n*span)
	out, nt := v.evoB0Ahead, evoStreaming(v, x, y, c)
	if nt != nil {
		out = nt.evoB0
	}
	if out == nil {
		out = func(y, x, sb, vc, sw, g, b []float32, _ int) { v.evoB0(y, x, sb, vc, sw, g, b) }
	}
	next := make([]int, n) // the output's prefetch of the next image (evoImages; 0 in training)
	units, per, apply := evoApply(n, hw, c, x, y, func(i int, yy, xx []float32) {
		out(yy, xx, sb, vr, sw[i*span:(i+1)*span], gr, br, next[i])
	})
	setSW := func(i int) {
		swi := sw[i*span : (i+1)*span]
		for j := range c {
			swi[j] = float32(math.Sqrt(st.m2[i*c+j]/float64(hw) + eps))
		}
		repeat(swi, swi[:c])
	}
	stats := st.pick()
	// Inference needs no batch statistics: each image's statistics and
	// output run while the image is in L2 (one DRAM read of x), the output
	// prefetching the next image. B0's output is too quick for all of it
	// to arrive: its statistics keep colShiftSums (sumsL2 ran 0.95-1.05x,
	// median 0.97x).
	images := evoImages(n, units, nt, func(i int, _ bool) { stats(i, false) }, setSW, apply, next, 4*hw*c)
	spans := func(lo, hi int) {
		apply(lo, hi)
		nt.fence()
	}
	// Training reads x twice from DRAM (the batch variance comes first).
	shifted := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			stats(i, false)
		}
	}
	return bound(v.path, func() {
		if n == 0 {
			keep()
			return
		}
		repeat(vr, vc)
		repeat(gr, g)
		repeat(br, be)
		if !op.Training {
			for j, r := range rv {
				sb[j] = float32(math.Sqrt(float64(r) + eps))
			}
			repeat(sb, sb[:c])
			b.rows(n, 4*hw*c, images)
			return
		}
		b.rows(n, 2*hw*c, shifted)
		for i := 0; i < n; i++ {
			setSW(i)
		}
		// Batch variance: the images' (mean, M2) merged (equal counts).
		for j := range c {
			mu := 0.0
			for i := 0; i < n; i++ {
				mu += st.mean[i*c+j]
			}
			mu /= float64(n)
			m2 := 0.0
			for i := 0; i < n; i++ {
				d := st.mean[i*c+j] - mu
				m2 += st.m2[i*c+j] + float64(hw)*d*d
			}
			sb2 := float32(m2 / float64(n*hw))
			newRV[j] = rv[j] - (rv[j]-sb2)*(1-op.Decay)
			sb[j] = float32(math.Sqrt(float64(sb2) + eps))
		}
		repeat(sb, sb[:c])
		b.rows(units, 4*per, spans)
	}), nil
}

// evoStreaming returns v's streaming forms for an EvoNorm output y (every
// row of c channels aligned), or nil. y streams from half the last-level
// cache on: plain stores of y also evict the image the output reads (or
// S0's prefetched next one) from L2, and in B0 training the images the
// statistics left in L3. At N=32,H=28,W=28,C=128 (25.7 MB moved, L3 32
// MB) streaming ran S0 1.09x faster on cold buffers and 1.12x on warm
// ones (at 12.8 MB, 0.97x and 1.08x), B0 training 1.08x (cold, with its
// prefetch; Zen 5, one thread).
func evoStreaming(v *vec, x, y []float32, c int) *ntK {
	if k := streaming(v, 2*8*len(x)); k != nil && k.rowsAligned(y, c) {
		return k
	}
	return nil
}

// evoImages returns the loop over images that computes image i's
// statistics, then set(i) (its per-image output factors), then its output
// spans, so the output reads the image from L2. An image's statistics
// wait on DRAM reads, its output on its arithmetic and y's writes: the
// output prefetches the next image of the worker's range (next[i] = img
// bytes on, for out's ahead; 0: none, the last) into L2, for its
// statistics to read there, with stats' inL2 set (TestEvoImagesSpeed,
// one thread, Zen 5: the prefetch S0 1.12-1.29x, B0 1.01-1.12x; the L2
// sums over the prefetch alone S0 1.01-1.07x).
func evoImages(n, units int, nt *ntK, stats func(i int, inL2 bool), set func(i int), apply func(lo, hi int), next []int, img int) func(lo, hi int) {
	spans := units / max(n, 1)
	return func(lo, hi int) {
		for i := lo; i < hi; i++ {
			stats(i, i > lo)
			set(i)
			next[i] = 0
			if i+1 < hi {
				next[i] = img
			}
			apply(i*spans, (i+1)*spans)
		}
		nt.fence()
	}
}

func prepareEvoNormS0(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.EvoNormS0)
	v := b.lv.f
	x, g, be, vc, y := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.F32s(op.V), kernel.F32s(op.Y)
	n, hw, c, eps := op.N, op.HW, op.C, float64(op.Eps)
	if !op.Nonlinear {
		return evoAffine(b, n, hw, c, op.X, op.Y, op.Gamma, op.Beta, func() {}), nil
	}
	st := newEvoStats(v, x, n, hw, c)
	span, cg := st.rep*c, c/op.Groups
	// Repeated per span: v, beta; k = gamma*rsqrt(group var + eps) per image.
	vr, br, k := make([]float32, span), make([]float32, span), make([]float32, n*span)
	out, nt := v.evoS0Ahead, evoStreaming(v, x, y, c)
	if nt != nil {
		out = nt.evoS0
	}
	if out == nil {
		out = func(y, x, vc, k, b []float32, _ int) { v.evoS0(y, x, vc, k, b) }
	}
	next := make([]int, n) // the output's prefetch of the next image (evoImages)
	units, _, apply := evoApply(n, hw, c, x, y, func(i int, yy, xx []float32) {
		out(yy, xx, vr, k[i*span:(i+1)*span], br, next[i])
	})
	// k depends on image i only: statistics and output per image, while
	// the image is in L2.
	setK := func(i int) {
		ki := k[i*span : (i+1)*span]
		for j0 := 0; j0 < c; j0 += cg {
			mean, m2 := st.mean[i*c+j0:i*c+j0+cg], st.m2[i*c+j0:i*c+j0+cg]
			mu := 0.0
			for _, m := range mean {
				mu += m
			}
			mu /= float64(cg)
			s := 0.0
			for j, m := range mean {
				d := m - mu
				s += m2[j] + float64(hw)*d*d
			}
			rs := 1 / math.Sqrt(s/float64(hw*cg)+eps)
			for j := j0; j < j0+cg; j++ {
				ki[j] = float32(float64(g[j]) * rs)
			}
		}
		repeat(ki, ki[:c])
	}
	images := evoImages(n, units, nt, st.pick(), setK, apply, next, 4*hw*c)
	return bound(v.path, func() {
		if n == 0 {
			return
		}
		repeat(vr, vc)
		repeat(br, be)
		b.rows(n, 12*hw*c, images)
	}), nil
}

func prepareSELU(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SELU)
	v := b.lv.f
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	body := func(lo, hi int) { v.selu(y[lo:hi], x[lo:hi]) }
	if nt := streaming(v, 8*len(x)); nt != nil {
		// The streaming form from the first aligned element of each span on.
		body = func(lo, hi int) {
			h := lo + ntHead(y[lo:hi], nt.align)
			v.selu(y[lo:h], x[lo:h])
			nt.selu(y[h:hi], x[h:hi])
			nt.fence()
		}
	}
	return bound(v.path, func() { b.rows(op.N, 8, body) }), nil
}
