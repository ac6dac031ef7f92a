package nms

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// refBatched is 4.3 for one image: NMS per label (the reference loops over
// the labels), then the union sorted by score descending, ties to the lower
// index.
func refBatched(b, s []float32, labels []int32, t float64) []int32 {
	keep, _ := batched(b, s, labels, t)
	return keep
}

// batched is refBatched that also counts the IoUs evaluated.
func batched(b, s []float32, labels []int32, t float64) (keep []int32, ious iouWork) {
	byLabel := map[int32][]int{}
	for i, v := range s {
		if !math.IsNaN(float64(v)) {
			byLabel[labels[i]] = append(byLabel[labels[i]], i)
		}
	}
	for _, idx := range byLabel {
		k, n := greedy(b, s, idx, t, 0, false)
		keep = append(keep, k...)
		ious.pairs, ious.intersecting = ious.pairs+n.pairs, ious.intersecting+n.intersecting
	}
	slices.Sort(keep)
	sort.SliceStable(keep, func(a, c int) bool { return s[keep[a]] > s[keep[c]] })
	return keep, ious
}

type batchedCase struct {
	B, N, Classes int
	IoU           float32
	MaxCoord      float64
	Kind          string
}

func (c *batchedCase) Buffers() []suite.Buffer {
	bn := c.B * c.N
	return []suite.Buffer{{Name: "counts", DType: kernel.I32, Len: c.B}, {Name: "boxes", DType: kernel.F32, Len: 4 * bn},
		{Name: "scores", DType: kernel.F32, Len: bn}, {Name: "labels", DType: kernel.I32, Len: bn},
		{Name: "keep", DType: kernel.I32, Len: bn, Out: true}, {Name: "keep_count", DType: kernel.I32, Len: c.B, Out: true}}
}

// Fill gives image 0 a full N boxes and every other image between N/2 and
// N (fill=special empties image 1 when there are three images or more).
// The padding past each count holds high-scoring boxes of label 0 that a
// kernel must ignore.
func (c *batchedCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	counts, boxes, scores, labels := d[0].I32, d[1].F32, d[2].F32, d[3].I32
	f := boxFill{fill: c.Kind, t: float64(c.IoU), classes: c.Classes, maxc: c.MaxCoord}
	for img := range c.B {
		n := c.N
		if img > 0 {
			n = c.N/2 + rng.IntN(c.N-c.N/2+1)
		}
		if c.Kind == "special" && img == 1 && c.B >= 3 {
			n = 0
		}
		counts[img] = int32(n)
		o := img * c.N
		f.draw(rng, boxes[4*o:4*(o+n)], scores[o:o+n], labels[o:o+n])
		for i := o + n; i < o+c.N; i++ {
			x, y := c.MaxCoord/2*rng.Float64(), c.MaxCoord/2*rng.Float64()
			copy(boxes[4*i:4*i+4], []float32{float32(x), float32(y), float32(x + c.MaxCoord/4), float32(y + c.MaxCoord/4)})
			scores[i], labels[i] = 2, 0
		}
	}
}

func (c *batchedCase) Op(t []kernel.Tensor) kernel.Op {
	return kernel.BatchedNMS{Images: c.B, N: c.N, IoU: c.IoU,
		Counts: t[0], Boxes: t[1], Scores: t[2], Labels: t[3], Keep: t[4], KeepCount: t[5]}
}

func (c *batchedCase) Check(d []*kernel.Host) suite.Check {
	counts, boxes, scores, labels, keep, keepCount := d[0].I32, d[1].F32, d[2].F32, d[3].I32, d[4].I32, d[5].I32
	kept := 0
	for img := range c.B {
		o, n := img*c.N, int(counts[img])
		ref := refBatched(boxes[4*o:4*(o+n)], scores[o:o+n], labels[o:o+n], float64(c.IoU))
		kept += len(ref)
		if ch := checkKeep(fmt.Sprintf("keep[image %d]", img), keep[o:o+c.N], keepCount[img], ref); ch.Verdict != suite.Passed {
			return ch
		}
	}
	return keptMetric(suite.Check{Verdict: suite.Passed}, kept)
}

// Unspecified reports whether element 0 of output buffer buf holds no
// value: keep when image 0 kept nothing (see nmsCase).
func (c *batchedCase) Unspecified(d []*kernel.Host, buf int) bool {
	return buf == 4 && d[5].I32[0] == 0
}

// Cost is the part of the work known before the boxes are drawn (the
// counts); DataCost counts the rest from the boxes of each image.
func (c *batchedCase) Cost() suite.Cost { return suite.Cost{Bytes: 8 * float64(c.B)} }

// DataCost sums, over the images, greedy NMS per label of the boxes the
// image holds (labels read too) and the sort of its candidates.
func (c *batchedCase) DataCost(d []*kernel.Host) suite.Cost {
	counts, boxes, scores, labels := d[0].I32, d[1].F32, d[2].F32, d[3].I32
	total := c.Cost()
	for img := range c.B {
		o, n := img*c.N, int(counts[img])
		keep, ious := batched(boxes[4*o:4*(o+n)], scores[o:o+n], labels[o:o+n], float64(c.IoU))
		cands := 0
		for _, v := range scores[o : o+n] {
			if !math.IsNaN(float64(v)) {
				cands++
			}
		}
		g := greedyCost(n, cands, ious, len(keep))
		total.Flops += g.Flops
		total.Bytes += g.Bytes - 4 + 4*float64(n) // the count is in Cost; labels are read
	}
	return total
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "batched_nms", Family: "nms",
		Summary: "class-aware NMS per image (torchvision batched_nms: NMS per label, union sorted by score)",
		CostDoc: "per image, over the boxes it holds: nms's counts per label (per IoU the greedy algorithm evaluates " +
			"within a label on these boxes, counted by the suite's reference, 6 FLOPs to test whether the boxes intersect and 6 more where they do) plus n log2 n compares to sort; bytes: boxes, scores " +
			"and labels read once (24 B a box), the kept indices written, and the counts read and written. Its %peak against fp32 FMA " +
			"is a few percent: its time goes to sorting, grouping by label and gathering the boxes in score order (compares, " +
			"branches and memory latency, which no probe measures), not to the FLOPs its ceiling counts",
		Params: []suite.Param{
			{Key: "B", Default: "1", Doc: "images"},
			{Key: "N", Default: "1000", Doc: "box capacity per image (image 0 is full, the others hold N/2 to N)"},
			{Key: "classes", Default: "80", Doc: "labels are drawn from [0, classes)"},
			{Key: "iou", Default: "0.5", Doc: "IoU threshold t in [0, 1]"},
			{Key: "maxcoord", Default: "1000", Doc: "image side: coordinates lie in [0, maxcoord]"},
			{Key: "fill", Default: "detector", Doc: fillDoc},
		},
		// maxcoord=4096 with 1000 labels: the coordinate-offset trick in float32 loses bits here.
		Quick: []string{"B=1,N=1000", "B=4,N=500", "B=4,N=5000,classes=1000,maxcoord=4096",
			"B=3,N=400,fill=special", "B=2,N=300,classes=3,fill=exact"},
		Full: []string{"B=1,N=1000", "B=1,N=5000", "B=1,N=20000", "B=8,N=1000", "B=8,N=5000"},
		Tests: []string{"B=0,N=10", "B=2,N=0", "B=1,N=1", "B=5,N=7", "B=3,N=33,classes=1", "B=4,N=50,fill=special",
			"B=2,N=64,fill=identical", "B=2,N=64,fill=zeroarea", "B=2,N=100,fill=nancoord", "B=2,N=100,fill=nanscore",
			"B=2,N=9,fill=allnan", "B=1,N=20000,classes=1000,maxcoord=4096", "B=3,N=200,iou=0", "B=2,N=30,fill=exact,classes=2"},
		Gate: []string{"B=4,N=5000"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &batchedCase{B: r.Int("B", 0), N: r.Int("N", 0), Classes: r.Int("classes", 1), IoU: float32(r.Unit("iou")),
				MaxCoord: r.Float("maxcoord"), Kind: r.Enum("fill", fills...)}
			r.Check(c.MaxCoord > 0 && c.MaxCoord <= 1<<20, "maxcoord = %g: want a number in (0, 2^20]", c.MaxCoord)
			checkExactFill(&r, c.Kind, "iou", c.IoU)
			return c, r.Err
		},
	})
}
