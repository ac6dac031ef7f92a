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
// enough, 16 (AVX-512), 8 (AVX2) or 4 (NEON) IoU tests at a time without a division
// (inter > t*union). Suppressed boxes move to +Inf, where they match
// nothing, and the arrays are compacted once more than half of what is
// left is dead, so the work shrinks as boxes die. The score order is a
// radix sort (nmsbox.ByScoreRadix).

func init() { register("nms", prepareNMS, func(l *level) bool { return l.f.nmsSuppress != nil }) }

// nmsBoxes are the candidates in score order (see nmsbox.Greedy), with x2
// and y2 as given: the vector sweep adds one itself.
type nmsBoxes struct{ nmsbox.Greedy }

func (g nmsBoxes) load(p int, b []float32, i int, rank int32, one float32) {
	x1, y1, x2, y2 := b[4*i], b[4*i+1], b[4*i+2], b[4*i+3]
	if x1 != x1 || y1 != y1 || x2 != x2 || y2 != y2 {
		inf := float32(math.Inf(1))
		g.X1[p], g.Y1[p], g.X2[p], g.Y2[p], g.Area[p] = inf, inf, inf, inf, -1
	} else {
		g.X1[p], g.Y1[p], g.X2[p], g.Y2[p] = x1, y1, x2, y2
		g.Area[p] = max(0, x2-x1+one) * max(0, y2-y1+one)
	}
	g.Rank[p] = rank
}

// sweep runs greedy NMS over positions [lo, hi) and marks kept[rank].
// box is the caller's scratch for the kept box (5 floats: a local array
// would escape through the indirect call and allocate every sweep).
func (g nmsBoxes) sweep(v *vec, lo, hi int, t, one float32, geq bool, kept []bool, box []float32) {
	if geq && t == 0 {
		g.KeepFirst(lo, hi, kept)
		return
	}
	box = box[:5]
	n, dead := hi, 0
	for h := lo; h < n; h++ {
		if g.Rank[h] < 0 {
			dead--
			continue
		}
		kept[g.Rank[h]] = true
		if g.Area[h] < 0 {
			continue
		}
		box[0], box[1], box[2], box[3], box[4] = g.X1[h], g.Y1[h], g.X2[h], g.Y2[h], g.Area[h]
		dead += v.nmsSuppress(g.X1[h+1:n], g.Y1[h+1:n], g.X2[h+1:n], g.Y2[h+1:n], g.Area[h+1:n], g.Rank[h+1:n], box, t, one, geq)
		if 2*dead > n-h {
			n, dead = g.Compact(h+1, n), 0
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
	keys, tmp, kept, box := make([]uint64, n), make([]uint64, n), make([]bool, n), make([]float32, 5)
	g := nmsBoxes{nmsbox.NewGreedy(n)}
	return bound(v.path, func() {
		if v.prefetch != nil { // the boxes come into L2 while the scores sort
			v.prefetch(boxes)
		}
		ks := nmsbox.ByScoreRadix(keys, tmp, scores, thr)
		m := len(ks)
		for p, k := range ks {
			g.load(p, boxes, nmsbox.KeyIndex(k), int32(p), one)
		}
		clear(kept[:m])
		g.sweep(v, 0, m, t, one, geq, kept, box)
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
				// float32(inter): rounded, so arm64 does not fuse it into
				// the subtraction (FMSUB); the vector code rounds it too.
				inter := iw * ih
				tu := t * (aa + area[j] - float32(inter))
				if inter > tu || geq && inter == tu {
					x1[j], rank[j] = float32(math.Inf(1)), -1
					n++
				}
			}
		}
	}
	return n
}
