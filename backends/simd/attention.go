package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// Softmax attention (KERNELS.md 2.1), fused and tiled (flash style): a
// block of attnRows query rows meets the keys one tile of attnKeys at a
// time. Per tile, a register-blocked micro-kernel computes the 6x64 scores
// (Q K^T against K packed transposed per tile), the online-softmax step
// rescales the running sums, and a second micro-kernel accumulates P V into
// the block's unnormalised outputs. Only one 6x64 score tile exists at a
// time per worker: the score matrix is never materialised.
//
// Masked keys (causal, or past S in the last tile) get a score of -Inf and
// an exact 0 probability, and are never multiplied into the output: the
// 6-row P V covers the keys every row of the block sees, and the one-row
// kernel the rest of each row, so a NaN in a masked V row stays out.
const (
	attnRows = 6
	attnKeys = 64
)

// attnK is the set of attention micro-kernels of one code path; pv6[nz] and
// pv1[nz] handle 16*nz output columns (nz = 1..4). Their meaning is the Go
// twins below.
type attnK struct {
	path    string
	qk      func(s, qt, kt []float32, d int, scale float32)
	softmax func(s, m, l, corr []float32)
	pv6     [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
	pv1     [5]func(o, p []float32, nk int, v []float32, ldv int)
}

// attnGeneric runs the driver on the Go twins (tests; the generic level
// uses the pure-Go backend's attention, which is faster in scalar code).
var attnGeneric = &attnK{path: Generic, qk: qkTileGo, softmax: softmaxTileGo,
	pv6: [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32){
		nil, pvTile6Go(1), pvTile6Go(2), pvTile6Go(3), pvTile6Go(4)},
	pv1: [5]func(o, p []float32, nk int, v []float32, ldv int){nil, pvTile1Go(1), pvTile1Go(2), pvTile1Go(3), pvTile1Go(4)}}

func init() {
	register("softmax_attention", prepareSoftmaxAttention, func(l *level) bool { return l.attn != nil })
}

// pool hands per-worker scratch (allocated in Prepare) to parallel bodies
// without allocating.
type pool[T any] chan *T

func newPool[T any](n int, mk func() *T) pool[T] {
	p := make(pool[T], n)
	for range n {
		p <- mk()
	}
	return p
}

type attnScratch struct {
	qt      []float32 // [D][8] the query block transposed (rows past L are 0)
	s       []float32 // [6][64] scores, then probabilities
	o       []float32 // [6][Dvp] unnormalised outputs
	m, l, c []float32 // [6] running max, running sum, correction of the tile
}

func prepareSoftmaxAttention(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SoftmaxAttention)
	if b.lv.attn == nil {
		return b.pure.Prepare(op)
	}
	return newAttention(b, b.lv.attn, &op), nil
}

// newAttention binds the driver to the kernels ak.
func newAttention(b *Backend, ak *attnK, op *kernel.SoftmaxAttention) kernel.Bound {
	q, k, v, out := kernel.F32s(op.Q), kernel.F32s(op.K), kernel.F32s(op.V), kernel.F32s(op.O)
	bh, L, S, D, Dv := op.B*op.H, op.L, op.S, op.D, op.Dv
	if bh == 0 || L == 0 {
		return bound(ak.path, func() {})
	}
	tiles := (S + attnKeys - 1) / attnKeys
	sp, dvp := tiles*attnKeys, (Dv+15)/16*16
	// Packed K (per head and tile, [D][64]) and V ([Sp][Dvp]); the padding
	// is zero from allocation and never written.
	kt := make([]float32, bh*tiles*D*attnKeys)
	vp := make([]float32, bh*sp*dvp)
	threads := b.threads
	scratch := newPool(threads, func() *attnScratch {
		return &attnScratch{qt: make([]float32, 8*D), s: make([]float32, attnRows*attnKeys),
			o: make([]float32, attnRows*dvp), m: make([]float32, attnRows), l: make([]float32, attnRows),
			c: make([]float32, attnRows)}
	})
	pack := func(lo, hi int) {
		for h := lo; h < hi; h++ {
			kh, vh := k[h*S*D:(h+1)*S*D], v[h*S*Dv:(h+1)*S*Dv]
			kth, vph := kt[h*tiles*D*attnKeys:], vp[h*sp*dvp:]
			for j := 0; j < S; j++ {
				t, jj := j/attnKeys, j%attnKeys
				dst := kth[t*D*attnKeys+jj:]
				for d, x := range kh[j*D : (j+1)*D] {
					dst[d*attnKeys] = x
				}
				copy(vph[j*dvp:j*dvp+Dv], vh[j*Dv:(j+1)*Dv])
			}
		}
	}
	blocks := (L + attnRows - 1) / attnRows
	items := bh * blocks
	negInf := float32(math.Inf(-1))
	block := func(sc *attnScratch, item int) {
		h, i0 := item/blocks, item%blocks*attnRows
		rows := min(attnRows, L-i0)
		qb := q[(h*L+i0)*D : (h*L+i0+rows)*D]
		if rows < attnRows {
			clear(sc.qt)
		}
		for i := range rows {
			for t, x := range qb[i*D : (i+1)*D] {
				sc.qt[t*8+i] = x
			}
		}
		clear(sc.o)
		for i := range attnRows {
			sc.m[i], sc.l[i] = negInf, 0
		}
		kEnd := S
		if op.Causal {
			kEnd = i0 + rows
		}
		// limit is the end of the keys row i sees.
		limit := func(i int) int {
			if op.Causal {
				return min(S, i0+i+1)
			}
			return S
		}
		for t := 0; t*attnKeys < kEnd; t++ {
			j0 := t * attnKeys
			ak.qk(sc.s, sc.qt, kt[(h*tiles+t)*D*attnKeys:], D, op.Scale)
			all := attnKeys
			for i := range attnRows {
				lim := min(attnKeys, limit(i)-j0)
				if i < rows {
					all = min(all, max(lim, 0))
				}
				for j := max(lim, 0); j < attnKeys; j++ {
					sc.s[i*attnKeys+j] = negInf
				}
			}
			ak.softmax(sc.s, sc.m, sc.l, sc.c)
			vt := vp[(h*sp+j0)*dvp:]
			for c0 := 0; c0 < dvp; c0 += 64 {
				nz := min(4, (dvp-c0)/16)
				ak.pv6[nz](sc.o[c0:], dvp, sc.s, all, vt[c0:], dvp, sc.c)
				for i := range rows {
					if extra := min(attnKeys, limit(i)-j0) - all; extra > 0 {
						ak.pv1[nz](sc.o[i*dvp+c0:], sc.s[i*attnKeys+all:], extra, vt[all*dvp+c0:], dvp)
					}
				}
			}
		}
		oh := out[(h*L+i0)*Dv:]
		for i := range rows {
			inv := 1 / sc.l[i]
			for c, x := range sc.o[i*dvp : i*dvp+Dv] {
				oh[i*Dv+c] = x * inv
			}
		}
	}
	work := func(lo, hi int) {
		sc := <-scratch
		defer func() { scratch <- sc }()
		for w := lo; w < hi; w++ {
			for item := w; item < items; item += threads { // round robin: causal blocks differ in cost
				block(sc, item)
			}
		}
	}
	return bound(ak.path, func() {
		par.For(bh, threads, par.Grain(S*(D+Dv), 1<<16), pack)
		par.For(min(threads, items), threads, 1, work)
	})
}

// ---- Go twins of the micro-kernels (the meaning of the assembly) ----

func qkTileGo(s, qt, kt []float32, d int, scale float32) {
	for i := range attnRows {
		for j := range attnKeys {
			var acc float32
			for t := range d {
				acc += qt[t*8+i] * kt[t*attnKeys+j]
			}
			s[i*attnKeys+j] = scale * acc
		}
	}
}

// expZero is expPoly with an exact 0 below -110 (the attention exp, where
// a masked key's -Inf score must weigh exactly 0).
func expZero(t float32) float32 {
	if t < -110 {
		return 0
	}
	if t < -87 {
		return float32(math.Exp(float64(t))) // denormal results: the assembly scales by 2^n exactly
	}
	return expPoly(t)
}

func softmaxTileGo(s, m, l, corr []float32) {
	for i := range attnRows {
		row := s[i*attnKeys : (i+1)*attnKeys]
		mx := m[i]
		for _, x := range row {
			mx = max(mx, x)
		}
		corr[i] = expZero(m[i] - mx)
		var sum float32
		for j, x := range row {
			row[j] = expZero(x - mx)
			sum += row[j]
		}
		l[i] = l[i]*corr[i] + sum
		m[i] = mx
	}
}

func pvTile6Go(nz int) func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32) {
	return func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32) {
		for i := range attnRows {
			orow := o[i*ldo : i*ldo+16*nz]
			for c := range orow {
				orow[c] *= corr[i]
			}
			pvTile1Go(nz)(orow, p[i*attnKeys:], nk, v, ldv)
		}
	}
}

func pvTile1Go(nz int) func(o, p []float32, nk int, v []float32, ldv int) {
	return func(o, p []float32, nk int, v []float32, ldv int) {
		for j := range nk {
			for c, x := range v[j*ldv : j*ldv+16*nz] {
				o[c] += p[j] * x
			}
		}
	}
}
