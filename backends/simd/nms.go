package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/kernel"
)

// Greedy hard NMS (KERNELS.md 4.1): candidates (score >= threshold, NaN
// dropped) sorted by score descending, ties to the lower index, laid out
// as coordinate arrays in that order; each box still alive is kept and the
// vector sweep (vec.nmsSuppress) suppresses the later ones it overlaps
// enough, 16 (AVX-512) or 8 (AVX2) IoU tests at a time without a division
// (inter > t*union). Suppressed boxes move to +Inf, where they match
// nothing, and the arrays are compacted once more than half of what is
// left is dead, so the work shrinks as boxes die.

func init() { register("nms", prepareNMS, func(l *level) bool { return l.f.nmsSuppress != nil }) }

// nmsBoxes are the candidates in score order; rank is the position in that
// order (-1 once suppressed), area -1 marks a box with a NaN coordinate,
// which sits at +Inf and neither suppresses nor is suppressed.
type nmsBoxes struct {
	x1, y1, x2, y2, area []float32
	rank                 []int32
}

func (g nmsBoxes) load(p int, b []float32, i int, one float32) {
	x1, y1, x2, y2 := b[4*i], b[4*i+1], b[4*i+2], b[4*i+3]
	if x1 != x1 || y1 != y1 || x2 != x2 || y2 != y2 {
		inf := float32(math.Inf(1))
		g.x1[p], g.y1[p], g.x2[p], g.y2[p], g.area[p] = inf, inf, inf, inf, -1
	} else {
		g.x1[p], g.y1[p], g.x2[p], g.y2[p] = x1, y1, x2, y2
		g.area[p] = max(0, x2-x1+one) * max(0, y2-y1+one)
	}
	g.rank[p] = int32(p)
}

// compact moves the live boxes of [lo, hi) to its front and returns the new end.
func (g nmsBoxes) compact(lo, hi int) int {
	w := lo
	for j := lo; j < hi; j++ {
		if g.rank[j] >= 0 {
			g.x1[w], g.y1[w], g.x2[w], g.y2[w], g.area[w], g.rank[w] = g.x1[j], g.y1[j], g.x2[j], g.y2[j], g.area[j], g.rank[j]
			w++
		}
	}
	return w
}

// sweep runs greedy NMS over the first n boxes and marks kept[rank].
func (g nmsBoxes) sweep(v *vec, n int, t, one float32, geq bool, kept []bool) {
	if geq && t == 0 {
		// IoU >= 0 holds for every pair: the first box suppresses all but
		// the NaN ones.
		first := true
		for p := range n {
			if g.area[p] < 0 || first {
				kept[g.rank[p]] = true
				first = first && g.area[p] < 0
			}
		}
		return
	}
	var box [5]float32
	dead := 0
	for h := 0; h < n; h++ {
		if g.rank[h] < 0 {
			dead--
			continue
		}
		kept[g.rank[h]] = true
		if g.area[h] < 0 {
			continue
		}
		box = [5]float32{g.x1[h], g.y1[h], g.x2[h], g.y2[h], g.area[h]}
		dead += v.nmsSuppress(g.x1[h+1:n], g.y1[h+1:n], g.x2[h+1:n], g.y2[h+1:n], g.area[h+1:n], g.rank[h+1:n], box[:], t, one, geq)
		if 2*dead > n-h {
			n, dead = g.compact(h+1, n), 0
		}
	}
}

func prepareNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.NMS)
	v := b.lv.f
	if v.nmsSuppress == nil {
		return b.pure.Prepare(op)
	}
	boxes, scores, keep, count := kernel.F32s(op.Boxes), kernel.F32s(op.Scores), kernel.I32s(op.Keep), kernel.I32s(op.Count)
	n, t, thr, geq := op.N, op.IoU, op.ScoreThreshold, op.Legacy
	var one float32
	if op.Legacy {
		one = 1
	}
	keys, kept := make([]uint64, n), make([]bool, n)
	g := nmsBoxes{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n),
		make([]float32, n), make([]int32, n)}
	return bound(v.path, func() {
		ks := nmsbox.ByScore(keys, scores, thr)
		m := len(ks)
		for p, k := range ks {
			g.load(p, boxes, nmsbox.KeyIndex(k), one)
		}
		clear(kept[:m])
		g.sweep(v, m, t, one, geq, kept)
		count[0] = nmsbox.Kept(keep, ks, kept)
	}), nil
}

// nmsSuppressGo is the twin of the vector sweep: see nmsSuppressAVX512.
func nmsSuppressGo(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int {
	ax1, ay1, ax2, ay2, aa := box[0], box[1], box[2], box[3], box[4]
	y1, x2, y2, area, rank = y1[:len(x1)], x2[:len(x1)], y2[:len(x1)], area[:len(x1)], rank[:len(x1)]
	n := 0
	for j := range x1 {
		if iw := min(ax2, x2[j]) - max(ax1, x1[j]) + one; iw > 0 {
			if ih := min(ay2, y2[j]) - max(ay1, y1[j]) + one; ih > 0 {
				inter := iw * ih
				tu := t * (aa + area[j] - inter)
				if inter > tu || geq && inter == tu {
					x1[j], rank[j] = float32(math.Inf(1)), -1
					n++
				}
			}
		}
	}
	return n
}
