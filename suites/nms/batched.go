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
	byLabel := map[int32][]int{}
	for i, v := range s {
		if !math.IsNaN(float64(v)) {
			byLabel[labels[i]] = append(byLabel[labels[i]], i)
		}
	}
	var keep []int32
	for _, idx := range byLabel {
		keep = append(keep, refGreedy(b, s, idx, t, 0, false)...)
	}
	slices.Sort(keep)
	sort.SliceStable(keep, func(a, c int) bool { return s[keep[a]] > s[keep[c]] })
	return keep
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

// Cost sums KERNELS.md's worst case over the classes of each image: with
// labels spread evenly over C classes, E[sum n_c^2] = N^2/C + N(1-1/C)
// pairs (an estimate: the fills correlate labels with objects), 12 FLOPs
// per pair, plus N log2 N compares to sort; bytes 24N + 4K per image with
// K = N, plus the counts.
func (c *batchedCase) Cost() suite.Cost {
	n, cl, b := float64(c.N), float64(c.Classes), float64(c.B)
	flops := 0.0
	if n > 1 {
		flops = 6*(n*n/cl+n*(1-1/cl)) + n*math.Log2(n)
	}
	return suite.Cost{Flops: b * flops, Bytes: b * (28*n + 8)}
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "batched_nms", Family: "nms",
		Summary: "class-aware NMS per image (torchvision batched_nms: NMS per label, union sorted by score). " +
			"Costs: 12 FLOPs per same-label pair, estimated for evenly spread labels, + N log2 N; bytes 28N per image",
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
