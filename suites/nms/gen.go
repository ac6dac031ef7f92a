package nms

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/nbench/nbench/suites/suite"
)

// fills are the input fills of every NMS kernel.
var fills = []string{"detector", "identical", "equal", "zeroarea", "nanscore", "nancoord", "special", "exact", "allnan", "infscore"}

const fillDoc = "inputs: detector (clustered detections, scores falling with the jitter); identical, equal, zeroarea, " +
	"nanscore, nancoord: detector boxes with duplicates, equal scores, zero-area boxes, NaN scores or NaN coordinates; " +
	"special: all of those mixed; exact: integer boxes with IoU exactly = the threshold (threshold*256 an integer); allnan: every score NaN; " +
	"infscore: detector boxes, a quarter of the scores -Inf or +Inf, half of those on a copy of an earlier box (with threshold=-inf, " +
	"Soft-NMS's last rounds choose among -Inf scores, and a score decayed at IoU 1 is Inf x 0)"

// nearIoU is KERNELS.md's margin: random fills redraw any overlapping pair
// with |IoU - threshold| < nearIoU.
const nearIoU = 1e-4

// object is a ground-truth object that detections cluster around.
type object struct {
	cx, cy, w, h, q float64
	label           int32
}

// scene draws detector-like boxes in [0, maxc]^2: one object per 40
// detections, object sides log-uniform from 2% to 40% of the image, or of
// 1000 pixels in a larger image (which then holds small objects, where
// coordinate rounding weighs most).
type scene struct {
	maxc, size float64
	classes    int
	objs       []object
}

func newScene(rng *rand.Rand, n, classes int, maxc float64) *scene {
	sc := &scene{maxc: maxc, size: min(maxc, imageSize), classes: max(classes, 1)}
	for range max(1, n/40) {
		w := sc.size * math.Exp(math.Log(0.02)+math.Log(20)*rng.Float64())
		sc.objs = append(sc.objs, object{
			cx: maxc * rng.Float64(), cy: maxc * rng.Float64(),
			w: w, h: min(sc.size, w*math.Exp(1.4*rng.Float64()-0.7)),
			q: 0.3 + 0.7*rng.Float64(), label: int32(rng.IntN(sc.classes)),
		})
	}
	return sc
}

// draw writes detection i and returns its label: 9 in 10 are jittered
// copies of an object, scored by how little they moved, with the object's
// label 4 times in 5; the rest are low-scoring background boxes.
func (sc *scene) draw(rng *rand.Rand, b, s []float32, i int) int32 {
	label := int32(rng.IntN(sc.classes))
	var cx, cy, w, h, score float64
	if rng.IntN(10) == 0 {
		w = sc.size * math.Exp(math.Log(0.01)+math.Log(30)*rng.Float64())
		h = sc.size * math.Exp(math.Log(0.01)+math.Log(30)*rng.Float64())
		cx, cy, score = sc.maxc*rng.Float64(), sc.maxc*rng.Float64(), 0.15*rng.Float64()
	} else {
		o := sc.objs[rng.IntN(len(sc.objs))]
		dx, dy, dw, dh := 0.1*rng.NormFloat64(), 0.1*rng.NormFloat64(), 0.15*rng.NormFloat64(), 0.15*rng.NormFloat64()
		cx, cy, w, h = o.cx+dx*o.w, o.cy+dy*o.h, o.w*math.Exp(dw), o.h*math.Exp(dh)
		score = o.q * math.Exp(-(dx*dx+dy*dy+dw*dw+dh*dh)/0.1)
		if rng.IntN(5) > 0 {
			label = o.label
		}
	}
	clamp := func(v float64) float32 { return float32(min(max(v, 0), sc.maxc)) }
	b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = clamp(cx-w/2), clamp(cy-h/2), clamp(cx+w/2), clamp(cy+h/2)
	s[i] = float32(score)
	return label
}

// specials are the adversarial edits that fill=special mixes.
var specials = []string{"identical", "equal", "zeroarea", "nanscore", "nancoord"}

// adversary applies fill's edit to box i: identical copies an earlier box
// (and half the time its score), equal sets the score to 0.5, zeroarea
// collapses a side, nanscore and nancoord plant NaNs. fill=special applies
// one edit, or none, chosen at random.
func adversary(rng *rand.Rand, fill string, b, s []float32, i int) {
	kind, p := fill, map[string]float64{"identical": 0.75, "equal": 1, "zeroarea": 0.5, "nanscore": 0.25, "nancoord": 0.25, "infscore": 0.25}[fill]
	if fill == "special" {
		if k := rng.IntN(len(specials) + 2); k < len(specials) {
			kind, p = specials[k], 1
		}
	}
	if rng.Float64() >= p {
		return
	}
	switch kind {
	case "identical":
		if i > 0 {
			j := rng.IntN(i)
			copy(b[4*i:4*i+4], b[4*j:4*j+4])
			if rng.IntN(2) == 0 {
				s[i] = s[j]
			}
		}
	case "equal":
		s[i] = 0.5
	case "zeroarea":
		switch rng.IntN(3) {
		case 0:
			b[4*i+2] = b[4*i]
		case 1:
			b[4*i+3] = b[4*i+1]
		default:
			b[4*i+2], b[4*i+3] = b[4*i], b[4*i+1]
		}
	case "nanscore":
		s[i] = suite.NaN32
	case "infscore":
		s[i] = float32(math.Inf(1 - 2*min(rng.IntN(4), 1))) // -Inf 3 times in 4
		if i > 0 && rng.IntN(2) == 0 {
			j := rng.IntN(i)
			copy(b[4*i:4*i+4], b[4*j:4*j+4])
		}
	case "nancoord":
		b[4*i+rng.IntN(4)] = suite.NaN32
	}
}

// boxFill draws one set of boxes: an NMS input or one image.
type boxFill struct {
	fill    string
	t, one  float64 // the IoU threshold decisions compare with (NaN: none) and plus_one
	classes int     // labels are drawn from [0, classes) when asked for
	maxc    float64 // coordinates lie in [0, maxc]
}

// draw fills boxes b [n,4], scores s [n] and, if not nil, labels [n].
// Random fills then redraw boxes until no two (of the same label) overlap
// with an IoU within nearIoU of the threshold.
func (f boxFill) draw(rng *rand.Rand, b, s []float32, labels []int32) {
	if f.fill == "exact" {
		fillExact(rng, b, s, f.t, f.one)
		for i := range labels {
			labels[i] = int32(rng.IntN(max(f.classes, 1)))
		}
		return
	}
	sc := newScene(rng, len(s), f.classes, f.maxc)
	for i := range s {
		label := sc.draw(rng, b, s, i)
		if labels != nil {
			labels[i] = label
		}
	}
	for i := range s {
		adversary(rng, f.fill, b, s, i)
	}
	if f.fill == "allnan" {
		for i := range s {
			s[i] = suite.NaN32
		}
	}
	if math.IsNaN(f.t) {
		return
	}
	groups := [][]int{}
	if labels == nil {
		groups = append(groups, seq(len(s)))
	} else {
		byLabel := map[int32][]int{}
		for i, l := range labels {
			byLabel[l] = append(byLabel[l], i)
		}
		for _, g := range byLabel {
			groups = append(groups, g)
		}
	}
	separate(b, groups, f.t, f.one, func(i int) {
		sc.draw(rng, b, s, i)
		adversary(rng, f.fill, b, s, i)
	})
}

func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// separate redraws boxes until no two boxes of a group overlap with an IoU
// within nearIoU of t, where a float32 kernel could decide differently from
// the float64 reference. Identical boxes (IoU exactly 1) are exact and stay.
// One sweep over boxes sorted by x1 finds the near pairs (only pairs that
// overlap in x are tested) and the higher index of each is redrawn; then
// only the redrawn boxes are checked again, each against its group.
func separate(b []float32, groups [][]int, t, one float64, redraw func(i int)) {
	group := make([]int, len(b)/4)
	var bad []int
	for gi, g := range groups {
		for _, i := range g {
			group[i] = gi
		}
		bad = nearPairs(b, g, t, one, bad)
	}
	for round := 0; len(bad) > 0; round++ {
		if round == 1000 {
			panic("nms fill: cannot move the IoUs away from the threshold")
		}
		slices.Sort(bad)
		bad = slices.Compact(bad)
		for _, i := range bad {
			redraw(i)
		}
		again := bad[:0]
		for _, i := range bad {
			if slices.ContainsFunc(groups[group[i]], func(j int) bool { return j != i && near(b, i, j, t, one) }) {
				again = append(again, i)
			}
		}
		bad = again
	}
}

// nearPairs appends to bad the higher index of each near-threshold pair in g.
func nearPairs(b []float32, g []int, t, one float64, bad []int) []int {
	idx := slices.Clone(g)
	slices.SortFunc(idx, func(i, j int) int { return cmpF32(b[4*i], b[4*j]) })
	for a, i := range idx {
		x2 := float64(b[4*i+2])
		for _, j := range idx[a+1:] {
			if float64(b[4*j])-x2 >= one { // no overlap in x from here on
				break
			}
			if near(b, i, j, t, one) {
				bad = append(bad, max(i, j))
			}
		}
	}
	return bad
}

// near reports whether boxes i and j overlap with an IoU within nearIoU of
// t, identical boxes excepted (NaN coordinates never are).
func near(b []float32, i, j int, t, one float64) bool {
	_, ay1, _, ay2 := coords(b, i)
	_, by1, _, by2 := coords(b, j)
	if !(min(ay2, by2)-max(ay1, by1)+one > 0) || slices.Equal(b[4*i:4*i+4], b[4*j:4*j+4]) {
		return false
	}
	iou := refIoU(b, i, j, one)
	return iou > 0 && math.Abs(iou-t) < nearIoU
}

func cmpF32(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dyadic splits t in (0, 1] as num/den with den a power of two <= 256.
func dyadic(t float64) (num, den int, ok bool) {
	for den = 1; den <= 256; den *= 2 {
		if v := t * float64(den); v == math.Trunc(v) {
			return int(v), den, t > 0 && t <= 1
		}
	}
	return 0, 0, false
}

// fillExact plants groups of three integer boxes A, B, C of equal width,
// one group per grid cell (groups never overlap): with effective heights
// H = num*k and H' = den*k (t = num/den), A spans H and B spans H' from the
// same top, C spans H ending at B's bottom. IoU(A,B) = IoU(B,C) = t exactly
// and IoU(A,C) = max(0, 2t-1), so strict and >= comparisons, and greedy
// order, all show. Scores are random.
func fillExact(rng *rand.Rand, b, s []float32, t, one float64) {
	num, den, _ := dyadic(t)
	for g := 0; 3*g < len(s); g++ {
		ox, oy := float64(100*(g%64)+rng.IntN(16)), float64(1100*(g/64)+rng.IntN(16))
		w, k := float64(1+rng.IntN(64)), float64(1+rng.IntN(1024/den))
		h, hp := float64(num)*k, float64(den)*k
		group := [3][4]float64{
			{ox, oy, ox + w - one, oy + h - one},
			{ox, oy, ox + w - one, oy + hp - one},
			{ox, oy + hp - h, ox + w - one, oy + hp - one},
		}
		for a, bx := range group {
			i := 3*g + a
			if i >= len(s) {
				break
			}
			for c, v := range bx {
				b[4*i+c] = float32(v)
			}
			s[i] = float32(0.05 + 0.95*rng.Float64())
		}
	}
}
