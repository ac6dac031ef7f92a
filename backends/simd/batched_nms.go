package simd

import (
	"math"
	"sync/atomic"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/kernel"
)

// Class-aware NMS per image (KERNELS.md 4.3): each image's valid boxes in
// score order, grouped by label (each group staying in score order), and
// the vector sweep of nms (nmsBoxes.sweep) over each group; the kept boxes
// come out in score order. No coordinate-offset trick: groups are separate
// ranges of the candidate arrays, so results are those of per-label NMS.

func init() {
	register("batched_nms", prepareBatchedNMS, func(l *level) bool { return l.f.nmsSuppress != nil })
}

// batchedImage is one image's workspace.
type batchedImage struct {
	keys, labelKeys []uint64 // score order; label groups in score order
	tmp             []uint64 // radix sort scratch
	starts          []int32  // group boundaries in labelKeys
	groups          int
	boxes           nmsBoxes
	kept            []bool    // by rank
	box             []float32 // the sweeps' scratch, 5 per worker
	next            atomic.Int32
	worker          func(lo, hi int)
}

func prepareBatchedNMS(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.BatchedNMS)
	v := b.lv.f
	if v.nmsSuppress == nil {
		return b.pure.Prepare(op)
	}
	counts, boxes, scores, labels := kernel.I32s(op.Counts), kernel.F32s(op.Boxes), kernel.F32s(op.Scores), kernel.I32s(op.Labels)
	keep, keepCount := kernel.I32s(op.Keep), kernel.I32s(op.KeepCount)
	nb, n, t := op.Images, op.N, op.IoU
	work := make([]batchedImage, nb)
	for i := range work {
		wk := &work[i]
		wk.keys, wk.labelKeys, wk.tmp, wk.starts = make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]int32, n+1)
		wk.boxes, wk.kept, wk.box = nmsBoxes{nmsbox.NewGreedy(n)}, make([]bool, n), make([]float32, 5*b.threads)
		// worker lo (unique per worker, below b.threads) takes groups
		// until none is left
		wk.worker = func(lo, _ int) {
			box := wk.box[5*lo : 5*lo+5]
			for gi := int(wk.next.Add(1) - 1); gi < wk.groups; gi = int(wk.next.Add(1) - 1) {
				wk.boxes.sweep(v, int(wk.starts[gi]), int(wk.starts[gi+1]), t, 0, false, wk.kept, box)
			}
		}
	}
	// Images run in parallel; with fewer images than threads, so do the
	// label groups of each image (taken from a shared counter: groups
	// differ in size).
	groupsInParallel := nb < b.threads
	images := func(lo, hi int) {
		for img := lo; img < hi; img++ {
			wk, o := &work[img], img*n
			cnt := min(max(int(counts[img]), 0), n) // counts out of range are clamped
			bx, lb := boxes[4*o:4*(o+n)], labels[o:o+n]
			if v.prefetch != nil { // the boxes come into L2 while the scores sort
				v.prefetch(bx[:4*cnt])
			}
			ks := nmsbox.ByScoreRadix(wk.keys, wk.tmp, scores[o:o+cnt], float32(math.Inf(-1))) // every score but NaN
			m := len(ks)
			wk.groups = nmsbox.ByLabel(wk.labelKeys, wk.tmp, ks, lb, wk.starts)
			for p, k := range wk.labelKeys[:m] {
				r := int32(uint32(k))
				wk.boxes.load(p, bx, nmsbox.KeyIndex(ks[r]), r, 0)
			}
			clear(wk.kept[:m])
			wk.next.Store(0)
			if groupsInParallel && wk.groups > 1 {
				b.rows(min(b.threads, wk.groups), 1<<16, wk.worker)
			} else {
				wk.worker(0, 1)
			}
			keepCount[img] = nmsbox.Kept(keep[o:o+n], ks, wk.kept)
		}
	}
	return bound(v.path, func() { b.rows(nb, max(n*n, 1), images) }), nil
}
