package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// The losses of KERNELS.md section 5. Every loss is a sum: float32 inside
// blocks of lossBlock values (eight accumulators of 64 terms), float64
// across blocks, items and threads. The parallel sum is cut into blocks
// fixed by the shape, not the thread count, so the result is bit-identical
// for any number of threads.

func init() {
	register("mse", prepareMSE)
	register("huber", prepareHuber)
	register("pseudo_huber", preparePseudoHuber)
	register("cauchy", prepareCauchy)
	register("cross_entropy", prepareCrossEntropy)
	register("mse_masked", prepareMSEMasked)
}

const lossBlock = 512

// blockSum prepares a parallel sum of f over [0, n): the items are cut into
// blocks of about 64K work units (perItem units per item), each block's f
// goes to its own slot, and the slots are added in order.
func (b *Backend) blockSum(n, perItem int, f func(lo, hi int) float64) func() float64 {
	block := max(1, (1<<16)/max(perItem, 1))
	part := make([]float64, (n+block-1)/block)
	body := func(lo, hi int) {
		for k := lo; k < hi; k++ {
			part[k] = f(k*block, min((k+1)*block, n))
		}
	}
	return func() float64 {
		b.rows(len(part), block*perItem, body)
		var s float64
		for _, v := range part {
			s += v
		}
		return s
	}
}

// sampleMean binds out = (1/n) sum_i l(i) over n samples of perSample work.
// n = 0 gives 0/0 = NaN, the mean of nothing.
func (b *Backend) sampleMean(n, perSample int, l func(i int) float64, out []float32) kernel.Bound {
	total := b.blockSum(n, perSample, func(lo, hi int) float64 {
		var s float64
		for i := lo; i < hi; i++ {
			s += l(i)
		}
		return s
	})
	return bound(func() { out[0] = float32(total() / float64(n)) })
}

// elementMean binds out = (1/n) sum over n elements, f summing a range.
func (b *Backend) elementMean(n, perElem int, f func(lo, hi int) float64, out []float32) kernel.Bound {
	total := b.blockSum(n, perElem, f)
	return bound(func() { out[0] = float32(total() / float64(n)) })
}

// sqDiffSum returns sum (p-t)^2.
func sqDiffSum(p, t []float32) float64 {
	t = t[:len(p)]
	var total float64
	for len(p) > 0 {
		n := min(len(p), lossBlock)
		pb, tb := p[:n], t[:n]
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		i := 0
		for ; i+8 <= n; i += 8 {
			a, c := pb[i:i+8:i+8], tb[i:i+8:i+8]
			d0, d1, d2, d3 := a[0]-c[0], a[1]-c[1], a[2]-c[2], a[3]-c[3]
			d4, d5, d6, d7 := a[4]-c[4], a[5]-c[5], a[6]-c[6], a[7]-c[7]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
			s4 += d4 * d4
			s5 += d5 * d5
			s6 += d6 * d6
			s7 += d7 * d7
		}
		for ; i < n; i++ {
			d := pb[i] - tb[i]
			s0 += d * d
		}
		total += float64(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)))
		p, t = p[n:], t[n:]
	}
	return total
}

// huberTerm is 0.5*r^2 for |r| < delta, else delta*(|r| - 0.5*delta),
// without a branch on the data (random signs would mispredict):
// q = min(|r|, delta), q*(|r| - 0.5*q). NaN stays NaN.
func huberTerm(r, delta float32) float32 {
	a := math.Float32frombits(math.Float32bits(r) &^ (1 << 31))
	q := min(a, delta)
	return q * (a - 0.5*q)
}

// huberSum returns the sum of huberTerm(p-t).
func huberSum(p, t []float32, delta float32) float64 {
	t = t[:len(p)]
	var total float64
	for len(p) > 0 {
		n := min(len(p), lossBlock)
		pb, tb := p[:n], t[:n]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= n; i += 4 {
			a, c := pb[i:i+4:i+4], tb[i:i+4:i+4]
			s0 += huberTerm(a[0]-c[0], delta)
			s1 += huberTerm(a[1]-c[1], delta)
			s2 += huberTerm(a[2]-c[2], delta)
			s3 += huberTerm(a[3]-c[3], delta)
		}
		for ; i < n; i++ {
			s0 += huberTerm(pb[i]-tb[i], delta)
		}
		total += float64((s0 + s1) + (s2 + s3))
		p, t = p[n:], t[n:]
	}
	return total
}

func prepareMSE(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.MSE)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	p, t := kernel.F32s(op.P), kernel.F32s(op.T)
	return b.elementMean(op.N*op.D, 3, func(lo, hi int) float64 { return sqDiffSum(p[lo:hi], t[lo:hi]) },
		kernel.F32s(op.Out)), nil
}

func prepareHuber(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.Huber)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	p, t, delta := kernel.F32s(op.P), kernel.F32s(op.T), op.Delta
	return b.elementMean(op.N*op.D, 5, func(lo, hi int) float64 { return huberSum(p[lo:hi], t[lo:hi], delta) },
		kernel.F32s(op.Out)), nil
}

// perSampleSq binds the mean over samples of l(s_i), s_i = sum_d (p-t)^2.
func (b *Backend) perSampleSq(n, d int, p, t, out []float32, l func(s float64) float64) kernel.Bound {
	return b.sampleMean(n, 3*d, func(i int) float64 {
		return l(sqDiffSum(p[i*d:(i+1)*d], t[i*d:(i+1)*d]))
	}, out)
}

func preparePseudoHuber(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.PseudoHuber)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	c := float64(op.C)
	c2 := c * c
	return b.perSampleSq(op.N, op.D, kernel.F32s(op.P), kernel.F32s(op.T), kernel.F32s(op.Out), func(s float64) float64 {
		if math.IsInf(s, 1) {
			return s // the stable form would give Inf/Inf
		}
		return s / (math.Sqrt(s+c2) + c) // = sqrt(s+c^2) - c without the cancellation
	}), nil
}

func prepareCauchy(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.Cauchy)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	inv := 1 / (2 * float64(op.C) * float64(op.C))
	return b.perSampleSq(op.N, op.D, kernel.F32s(op.P), kernel.F32s(op.T), kernel.F32s(op.Out), func(s float64) float64 {
		return math.Log1p(s * inv)
	}), nil
}

func prepareMSEMasked(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.MSEMasked)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	p, t, m, w := kernel.F32s(op.P), kernel.F32s(op.T), kernel.U8s(op.Mask), kernel.F32s(op.Weights)
	d := op.D
	invD := 1 / float64(d)
	return b.sampleMean(op.N, 3*d, func(i int) float64 {
		if m[i] == 0 {
			return 0 // skipped, not multiplied: its NaN or Inf stays out
		}
		l := sqDiffSum(p[i*d:(i+1)*d], t[i*d:(i+1)*d]) * invD
		if w != nil {
			l *= float64(w[i])
		}
		return l
	}, kernel.F32s(op.Out)), nil
}

// prepareCrossEntropy: per valid row, lse - z[t] with a max-shifted,
// blocked sum of exp. Ignored rows are not read; a target out of range
// adds NaN instead of being read.
func prepareCrossEntropy(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.CrossEntropy)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	z, tg, out := kernel.F32s(op.Logits), kernel.I32s(op.Targets), kernel.F32s(op.Out)
	v, ignore := op.V, op.IgnoreIndex
	nan := math.NaN()
	total := b.blockSum(op.N, 4*v, func(lo, hi int) float64 {
		var s float64
		for i := lo; i < hi; i++ {
			ti := tg[i]
			switch {
			case ti == ignore:
				continue
			case ti < 0 || int(ti) >= v:
				s += nan
				continue
			}
			row := z[i*v : (i+1)*v]
			m := rowMax(row)
			s += float64(m) + math.Log(sumExpShifted(row, m)) - float64(row[ti])
		}
		return s
	})
	return bound(func() {
		valid := 0
		for _, ti := range tg {
			if ti != ignore {
				valid++
			}
		}
		out[0] = float32(total() / float64(valid)) // no valid row: 0/0 = NaN
	}), nil
}

// rowMax returns max(x) with four accumulators (NaN entries are skipped
// here, and turn the exp sum into NaN instead).
func rowMax(x []float32) float32 {
	m0, m1, m2, m3 := float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		if v[0] > m0 {
			m0 = v[0]
		}
		if v[1] > m1 {
			m1 = v[1]
		}
		if v[2] > m2 {
			m2 = v[2]
		}
		if v[3] > m3 {
			m3 = v[3]
		}
	}
	for ; i < len(x); i++ {
		if x[i] > m0 {
			m0 = x[i]
		}
	}
	return max(m0, m1, m2, m3)
}

// sumExpShifted returns sum exp(x - m) for m = max(x), blocked.
func sumExpShifted(x []float32, m float32) float64 {
	var total float64
	for len(x) > 0 {
		n := min(len(x), lossBlock)
		xb := x[:n]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= n; i += 4 {
			v := xb[i : i+4 : i+4]
			s0 += exp32(v[0] - m)
			s1 += exp32(v[1] - m)
			s2 += exp32(v[2] - m)
			s3 += exp32(v[3] - m)
		}
		for ; i < n; i++ {
			s0 += exp32(xb[i] - m)
		}
		total += float64((s0 + s1) + (s2 + s3))
		x = x[n:]
	}
	return total
}
