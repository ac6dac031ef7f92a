// Package nms defines the non-maximum suppression kernels of KERNELS.md
// section 4 (nms, soft_nms, batched_nms): parameters, shape sets,
// detector-like and adversarial box fills, float64 references, pass rules
// and costs.
package nms

import (
	"math"
	"slices"
	"sort"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// coords returns box i of a [N,4] (x1,y1,x2,y2) array in float64.
func coords(b []float32, i int) (x1, y1, x2, y2 float64) {
	return float64(b[4*i]), float64(b[4*i+1]), float64(b[4*i+2]), float64(b[4*i+3])
}

// refIoU is KERNELS.md's IoU of boxes i and j in float64; one is 1 for the
// plus_one convention, else 0. A NaN coordinate gives NaN (Go's min and max
// propagate NaN), and a union <= 0 gives 0.
func refIoU(b []float32, i, j int, one float64) float64 {
	ax1, ay1, ax2, ay2 := coords(b, i)
	bx1, by1, bx2, by2 := coords(b, j)
	aa := max(0, ax2-ax1+one) * max(0, ay2-ay1+one)
	ab := max(0, bx2-bx1+one) * max(0, by2-by1+one)
	inter := max(0, min(ax2, bx2)-max(ax1, bx1)+one) * max(0, min(ay2, by2)-max(ay1, by1)+one)
	union := aa + ab - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// plusOne is the width offset of the plus_one convention.
func plusOne(on bool) float64 {
	if on {
		return 1
	}
	return 0
}

// byScore sorts candidate indices (ascending on entry) by score descending,
// stably, so equal scores keep the lower index first.
func byScore(s []float32, idx []int) {
	sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
}

// refGreedy is greedy hard NMS over the candidates idx (ascending indices,
// scores not NaN): visit them by score, keep each box not yet suppressed and
// suppress every later box with IoU > t (IoU >= t when geq).
func refGreedy(b, s []float32, idx []int, t, one float64, geq bool) []int32 {
	keep, _ := greedy(b, s, idx, t, one, geq)
	return keep
}

// iouWork counts the IoUs an algorithm evaluates, as the least arithmetic
// they need: every pair the intersection test (iouTestFlops: the two larger
// and two smaller coordinates and the signs of their differences), and only
// a pair whose boxes intersect the rest of the IoU (iouFlops in all: the
// sides, their product, the union and the division). A disjoint pair's IoU
// is 0 once the test has failed.
type iouWork struct{ pairs, intersecting int }

// add counts one evaluated pair of IoU iou.
func (w *iouWork) add(iou float64) {
	w.pairs++
	if iou > 0 {
		w.intersecting++
	}
}

func (w iouWork) flops() float64 {
	return float64(iouTestFlops*w.pairs + (iouFlops-iouTestFlops)*w.intersecting)
}

// greedy is refGreedy that also counts the IoUs it evaluates: the least
// work of greedy NMS on these boxes (each kept box against every later box
// still standing), which the costs use.
func greedy(b, s []float32, idx []int, t, one float64, geq bool) (keep []int32, ious iouWork) {
	order := slices.Clone(idx)
	byScore(s, order)
	suppressed := make([]bool, len(order))
	for a, i := range order {
		if suppressed[a] {
			continue
		}
		keep = append(keep, int32(i))
		for c := a + 1; c < len(order); c++ {
			if suppressed[c] {
				continue
			}
			iou := refIoU(b, i, order[c], one)
			ious.add(iou)
			if iou > t || geq && iou >= t {
				suppressed[c] = true
			}
		}
	}
	return keep, ious
}

// refNMS is 4.1: boxes with a NaN score or a score below scoreThr are
// dropped, then greedy NMS; legacy is plus_one with IoU >= t.
func refNMS(b, s []float32, t, scoreThr float64, legacy bool) []int32 {
	keep, _, _ := countNMS(b, s, t, scoreThr, legacy)
	return keep
}

// countNMS is refNMS with the IoUs evaluated and the candidates sorted.
func countNMS(b, s []float32, t, scoreThr float64, legacy bool) (keep []int32, ious iouWork, cands int) {
	var idx []int
	for i, v := range s {
		if float64(v) >= scoreThr { // false for NaN
			idx = append(idx, i)
		}
	}
	keep, ious = greedy(b, s, idx, t, plusOne(legacy), legacy)
	return keep, ious, len(idx)
}

// checkKeep compares a kernel's kept indices and count with the reference:
// the count exactly, then keep[0:K] exactly (entries past K are unspecified).
func checkKeep(name string, keep []int32, count int32, ref []int32) suite.Check {
	c := suite.Exact(name+" count", []int32{count}, []int32{int32(len(ref))})
	if c.Verdict != suite.Passed {
		return c
	}
	return suite.Exact(name, keep[:len(ref)], ref)
}

// softParams are the parameters of Soft-NMS in float64.
type softParams struct {
	method         kernel.SoftNMSMethod
	sigma, nt, thr float64
	one            float64
}

// weight is the Soft-NMS decay of a candidate at IoU ov with the selected
// box. A NaN IoU (NaN coordinates) never suppresses: weight 1.
func (p softParams) weight(ov float64) float64 {
	switch {
	case math.IsNaN(ov):
		return 1
	case p.method == kernel.SoftNMSGaussian:
		return math.Exp(-(ov * ov) / p.sigma)
	case ov <= p.nt:
		return 1
	case p.method == kernel.SoftNMSLinear:
		return 1 - ov
	}
	return 0
}

// refSoftNMS is 4.2 with the official semantics and lowest-index ties: it
// returns the kept indices in selection order and each one's score at
// selection. With fix set it also edits the scores s as it goes so that a
// float32 kernel must take every decision the same way (see softFixer).
func refSoftNMS(p softParams, b, s []float32, fix *softFixer) (keep []int32, kept []float64) {
	keep, kept, _ = softNMS(p, b, s, fix)
	return keep, kept
}

// softWork is the work a Soft-NMS run on given boxes cannot avoid.
type softWork struct {
	ious  iouWork // every round's IoU of the selected box with each remaining candidate: only those that intersect decay
	first int     // the candidates of round one, whose scores all face the threshold
}

// softNMS is refSoftNMS that also counts its work (softWork).
func softNMS(p softParams, b, s []float32, fix *softFixer) (keep []int32, kept []float64, work softWork) {
	var cand []int // index order, so a strict > argmax breaks ties to the lowest index
	cur := make([]float64, len(s))
	for i, v := range s {
		if !math.IsNaN(float64(v)) {
			cand = append(cand, i)
			cur[i] = float64(v)
		}
	}
	if fix != nil {
		fix.start(s, cur)
	}
	for round := 0; len(cand) > 0; round++ {
		m := 0
		for c := 1; c < len(cand); c++ {
			if cur[cand[c]] > cur[cand[m]] {
				m = c
			}
		}
		if fix != nil && round > 0 {
			cand, m = fix.ties(p, cand, m)
		}
		i := cand[m]
		keep, kept = append(keep, int32(i)), append(kept, cur[i])
		cand = slices.Delete(cand, m, m+1)
		if round == 0 {
			work.first = len(cand)
		}
		w := 0
		for _, j := range cand {
			ov := refIoU(b, i, j, p.one)
			work.ious.add(ov)
			wt := p.weight(ov)
			if wt == 0 && p.method == kernel.SoftNMSHard {
				cur[j] = 0 // hard suppression zeroes the score: w*s for any finite s, and 0 (not NaN) for ±Inf
			} else {
				cur[j] *= wt
			}
			if fix != nil && !fix.decayed(p, j, ov, wt) {
				continue
			}
			if cur[j] < p.thr || math.IsNaN(cur[j]) { // NaN scores are dropped, also those a decay makes (±Inf x 0)
				continue
			}
			cand[w] = j
			w++
		}
		cand = cand[:w]
	}
	return keep, kept, work
}
