package pure

import (
	"math"
	"sync/atomic"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/kernel"
)

func init() {
	register("nms", prepareNMS)
	register("soft_nms", prepareSoftNMS)
	register("batched_nms", prepareBatchedNMS)
}

// inert is the coordinate of a box with a NaN coordinate: an empty box at
// +Inf overlaps nothing (its IoU is NaN, which never suppresses).
var inert = float32(math.Inf(1))

// greedyBoxes are the candidates of a sweep; x2 and y2 hold x2+one and
// y2+one, folding the plus_one convention in.
type greedyBoxes struct{ nmsbox.Greedy }

func newGreedyBoxes(n int) greedyBoxes { return greedyBoxes{nmsbox.NewGreedy(n)} }

// load puts box i of b ([N,4]) at position p. An inert box gets area -1,
// which tells the sweep it suppresses nothing.
func (g greedyBoxes) load(p int, b []float32, i int, rank int32, one float32) {
	x1, y1, x2, y2 := b[4*i], b[4*i+1], b[4*i+2], b[4*i+3]
	if x1 != x1 || y1 != y1 || x2 != x2 || y2 != y2 {
		g.X1[p], g.Y1[p], g.X2[p], g.Y2[p], g.Area[p] = inert, inert, inert, inert, -1
	} else {
		x2, y2 = x2+one, y2+one
		g.X1[p], g.Y1[p], g.X2[p], g.Y2[p] = x1, y1, x2, y2
		g.Area[p] = max(0, x2-x1) * max(0, y2-y1)
	}
	g.Rank[p] = rank
}

// sweep is greedy hard NMS over positions [lo, hi) in score order: each
// box not yet suppressed is kept and suppresses the later boxes it
// overlaps enough. A suppressed box gets rank -1 and x1 = +Inf, so later
// sweeps pass over it without a store; the list is compacted once an
// eighth of what remains is dead. It sets
// kept[rank] of every kept box. IoU > t is tested as inter > t*union, which
// needs no division; geq tests >= (the legacy convention).
func (g greedyBoxes) sweep(lo, hi int, t float32, geq bool, kept []bool) {
	if geq && t == 0 {
		g.KeepFirst(lo, hi, kept)
		return
	}
	n, dead := hi, 0
	for h := lo; h < n; h++ {
		if g.Rank[h] < 0 {
			dead--
			continue
		}
		kept[g.Rank[h]] = true
		aa := g.Area[h]
		if aa < 0 {
			continue
		}
		ax1, ay1, ax2, ay2 := g.X1[h], g.Y1[h], g.X2[h], g.Y2[h]
		x1, y1, x2, y2, ar, rk := g.X1[h+1:n], g.Y1[h+1:n], g.X2[h+1:n], g.Y2[h+1:n], g.Area[h+1:n], g.Rank[h+1:n]
		y1, x2, y2, ar, rk = y1[:len(x1)], x2[:len(x1)], y2[:len(x1)], ar[:len(x1)], rk[:len(x1)]
		for j := range x1 {
			// Disjoint in x or y when either difference is negative: a
			// sign-bit test rejects most boxes before any min or max.
			if (math.Float32bits(ax2-x1[j])|math.Float32bits(x2[j]-ax1))>>31 != 0 ||
				(math.Float32bits(ay2-y1[j])|math.Float32bits(y2[j]-ay1))>>31 != 0 {
				continue
			}
			if iw, ih := min(ax2, x2[j])-max(ax1, x1[j]), min(ay2, y2[j])-max(ay1, y1[j]); iw > 0 && ih > 0 {
				inter := iw * ih
				tu := t * (aa + ar[j] - inter)
				if inter > tu || geq && inter == tu {
					x1[j], rk[j] = inert, -1
					dead++
				}
			}
		}
		if 8*dead > n-h {
			n, dead = g.Compact(h+1, n), 0
		}
	}
}

func prepareNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.NMS)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	boxes, scores, keep, count := kernel.F32s(op.Boxes), kernel.F32s(op.Scores), kernel.I32s(op.Keep), kernel.I32s(op.Count)
	n, t, thr, geq := op.N, op.IoU, op.ScoreThreshold, op.Legacy
	var one float32
	if op.Legacy {
		one = 1
	}
	keys, tmp, g, kept := make([]uint64, n), make([]uint64, n), newGreedyBoxes(n), make([]bool, n)
	return bound(func() {
		ks := nmsbox.ByScoreRadix(keys, tmp, scores, thr)
		m := len(ks)
		for p, k := range ks {
			g.load(p, boxes, nmsbox.KeyIndex(k), int32(p), one)
		}
		clear(kept[:m])
		g.sweep(0, m, t, geq, kept)
		count[0] = nmsbox.Kept(keep, ks, kept)
	}), nil
}

// softNMS is a bound Soft-NMS: the candidate list in index order (so a
// strict > argmax breaks ties to the lowest index) and the parameters.
// Coordinates are float64: differences and products of float32
// coordinates are then exact, so the decayed scores do not suffer the
// cancellation in 1-IoU near IoU = 1 (x2 and y2 hold x2+one and y2+one).
// A candidate that is selected or discarded gets score NaN (dead) and the
// list is compacted once a 32nd of it is dead, so a round stores nothing
// for the many candidates far from the selected box.
type softNMS struct {
	nmsbox.Soft
	method              kernel.SoftNMSMethod
	sigma, nt, thr, one float64
	sel                 [5]float64 // the selected box: x1, y1, x2, y2, area
	best, killed        []int      // per worker of a parallel pass
}

// pass decays the live candidates of [lo, hi) by the selected box, kills
// those that fall under the threshold, and returns the position of the
// best survivor (-1 if none) and the number killed.
func (c *softNMS) pass(lo, hi int) (best, killed int) {
	ax1, ay1, ax2, ay2, aa := c.sel[0], c.sel[1], c.sel[2], c.sel[3], c.sel[4]
	thr, nan := c.thr, math.NaN()
	x1, y1, x2, y2, ar, sc := c.X1[lo:hi], c.Y1[lo:hi], c.X2[lo:hi], c.Y2[lo:hi], c.Area[lo:hi], c.Score[lo:hi]
	y1, x2, y2, ar = y1[:len(sc)], x2[:len(sc)], y2[:len(sc)], ar[:len(sc)]
	x1 = x1[:len(sc)]
	best, bs := -1, 0.0
	for j, s := range sc {
		if s != s {
			continue
		}
		// Disjoint in x or y when either difference is negative: a
		// sign-bit test rejects most candidates before any min or max.
		if (math.Float64bits(ax2-x1[j])|math.Float64bits(x2[j]-ax1))>>63 == 0 &&
			(math.Float64bits(ay2-y1[j])|math.Float64bits(y2[j]-ay1))>>63 == 0 {
			if iw, ih := min(ax2, x2[j])-max(ax1, x1[j]), min(ay2, y2[j])-max(ay1, y1[j]); iw > 0 && ih > 0 {
				inter := iw * ih
				ov := inter / (aa + ar[j] - inter)
				switch {
				case c.method == kernel.SoftNMSGaussian:
					s *= math.Exp(-(ov * ov) / c.sigma)
				case ov <= c.nt:
				case c.method == kernel.SoftNMSLinear:
					s *= 1 - ov
				default:
					s = 0
				}
				sc[j] = s
			}
		}
		if !(s >= thr) { // below, or NaN: an infinite score decayed by 0 (linear at IoU 1)
			sc[j] = nan
			killed++
			continue
		}
		if best < 0 || s > bs {
			best, bs = lo+j, s
		}
	}
	return best, killed
}

// softParallel is the list length from which a round's pass is split
// across the workers: below it the goroutine hand-off (microseconds) costs
// more than it saves (a few ns per candidate).
const softParallel = 8192

func prepareSoftNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SoftNMS)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	boxes, scores := kernel.F32s(op.Boxes), kernel.F32s(op.Scores)
	keep, keptScores, count := kernel.I32s(op.Keep), kernel.F32s(op.KeptScores), kernel.I32s(op.Count)
	n := op.N
	c := &softNMS{Soft: nmsbox.NewSoft(n),
		method: op.Method, sigma: float64(op.Sigma), nt: float64(op.Nt), thr: float64(op.Threshold),
		best: make([]int, b.threads), killed: make([]int, b.threads)}
	if op.PlusOne {
		c.one = 1
	}
	workers := b.threads
	// worker w passes over its contiguous share of the list.
	parallelPass := func(lo, hi int) {
		for w := lo; w < hi; w++ {
			c.best[w], c.killed[w] = c.pass(w*c.N/workers, (w+1)*c.N/workers)
		}
	}
	return bound(func() {
		m, k, dead := c.Load(boxes, scores, c.one), 0, 0
		for m >= 0 {
			keep[k], keptScores[k] = c.Idx[m], float32(c.Score[m])
			k++
			c.sel = [5]float64{c.X1[m], c.Y1[m], c.X2[m], c.Y2[m], c.Area[m]}
			c.Score[m] = math.NaN()
			dead++
			if workers > 1 && c.N-dead >= softParallel {
				b.rows(workers, 1<<16, parallelPass)
				m = -1
				for w := range workers {
					// Workers in list order: ties stay with the lowest index.
					if bw := c.best[w]; bw >= 0 && (m < 0 || c.Score[bw] > c.Score[m]) {
						m = bw
					}
					dead += c.killed[w]
				}
			} else {
				var killed int
				m, killed = c.pass(0, c.N)
				dead += killed
			}
			if 32*dead > c.N {
				m, dead = c.Compact(m), 0
			}
		}
		count[0] = int32(k)
	}), nil
}

// batchedWork is one image's workspace for batched_nms.
type batchedWork struct {
	keys, labelKeys []uint64 // score order; label groups in score order
	tmp             []uint64 // the radix sorts' scratch
	starts          []int32  // label group boundaries in labelKeys
	groups          int
	boxes           greedyBoxes
	kept            []bool // by rank
	t               float32
	next            atomic.Int32
	worker          func(lo, hi int) // takes groups from next until none is left
}

// group runs NMS on label group gi.
func (wk *batchedWork) group(gi int) {
	wk.boxes.sweep(int(wk.starts[gi]), int(wk.starts[gi+1]), wk.t, false, wk.kept)
}

// image runs batched NMS on one image: the valid boxes sorted by score,
// then grouped by label (each group staying in score order), NMS per group
// and the kept boxes written in score order.
func (wk *batchedWork) image(b *Backend, boxes, scores []float32, labels, keep []int32, count int, parallel bool) int32 {
	ks := nmsbox.ByScoreRadix(wk.keys, wk.tmp, scores[:count], float32(math.Inf(-1))) // every score but NaN
	m := len(ks)
	wk.groups = nmsbox.ByLabel(wk.labelKeys, wk.tmp, ks, labels, wk.starts)
	for p, k := range wk.labelKeys[:m] {
		r := int32(uint32(k))
		wk.boxes.load(p, boxes, nmsbox.KeyIndex(ks[r]), r, 0)
	}
	clear(wk.kept[:m])
	if parallel && wk.groups > 1 {
		// Workers take groups from a shared counter: groups differ in size.
		wk.next.Store(0)
		b.rows(min(b.threads, wk.groups), 1<<16, wk.worker)
	} else {
		for gi := range wk.groups {
			wk.group(gi)
		}
	}
	return nmsbox.Kept(keep, ks, wk.kept)
}

func prepareBatchedNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchedNMS)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	counts, boxes, scores, labels := kernel.I32s(op.Counts), kernel.F32s(op.Boxes), kernel.F32s(op.Scores), kernel.I32s(op.Labels)
	keep, keepCount := kernel.I32s(op.Keep), kernel.I32s(op.KeepCount)
	nb, n := op.Images, op.N
	work := make([]batchedWork, nb)
	for i := range work {
		wk := &work[i]
		*wk = batchedWork{keys: make([]uint64, n), labelKeys: make([]uint64, n), tmp: make([]uint64, n), starts: make([]int32, n+1),
			boxes: newGreedyBoxes(n), kept: make([]bool, n), t: op.IoU}
		wk.worker = func(int, int) {
			for gi := int(wk.next.Add(1) - 1); gi < wk.groups; gi = int(wk.next.Add(1) - 1) {
				wk.group(gi)
			}
		}
	}
	// Images run in parallel; with fewer images than threads, so do the
	// label groups of each image.
	groupsInParallel := nb < b.threads
	images := func(lo, hi int) {
		for img := lo; img < hi; img++ {
			o := img * n
			cnt := min(max(int(counts[img]), 0), n) // counts out of range are clamped
			keepCount[img] = work[img].image(b, boxes[4*o:4*(o+n)], scores[o:o+n], labels[o:o+n], keep[o:o+n], cnt, groupsInParallel)
		}
	}
	return bound(func() { b.rows(nb, max(n*n, 1), images) }), nil
}
