package nms

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// draw fills n boxes and scores with the given fill (no labels).
func draw(seed uint64, n int, fill string, t, one float64) (b, s []float32) {
	b, s = make([]float32, 4*n), make([]float32, n)
	boxFill{fill: fill, t: t, one: one, maxc: imageSize}.draw(rand.New(rand.NewPCG(seed, 1)), b, s, nil)
	return b, s
}

// distinct nudges equal scores apart so that no tie decides an order.
func distinct(s []float32) {
	seen := map[float32]bool{}
	for i, v := range s {
		for seen[v] {
			v = math.Nextafter32(v, 2)
		}
		s[i], seen[v] = v, true
	}
}

// permute returns the boxes and scores reordered so that new position p
// holds old box perm[p].
func permute(b, s []float32, perm []int) (pb, ps []float32) {
	pb, ps = make([]float32, len(b)), make([]float32, len(s))
	for p, i := range perm {
		copy(pb[4*p:4*p+4], b[4*i:4*i+4])
		ps[p] = s[i]
	}
	return pb, ps
}

func unpermute(keep []int32, perm []int) []int32 {
	out := make([]int32, len(keep))
	for k, p := range keep {
		out[k] = int32(perm[p])
	}
	return out
}

// With distinct scores, NMS and Soft-NMS pick boxes by score and position
// alone: permuting the input permutes the kept indices and nothing else.
func TestPermutationInvariance(t *testing.T) {
	for seed := range uint64(3) {
		b, s := draw(seed, 2000, "special", 0.5, 0)
		distinct(s)
		perm := rand.New(rand.NewPCG(seed, 2)).Perm(len(s))
		pb, ps := permute(b, s, perm)
		for _, legacy := range []bool{false, true} {
			want := refNMS(b, s, 0.5, math.Inf(-1), legacy)
			if got := unpermute(refNMS(pb, ps, 0.5, math.Inf(-1), legacy), perm); !slices.Equal(got, want) {
				t.Errorf("seed %d legacy %v: nms of the permuted input differs", seed, legacy)
			}
		}
		for _, m := range []kernel.SoftNMSMethod{kernel.SoftNMSLinear, kernel.SoftNMSGaussian} {
			p := softParams{method: m, sigma: 0.5, nt: 0.3, thr: 0.001}
			want, ws := refSoftNMS(p, b, s, nil)
			got, gs := refSoftNMS(p, pb, ps, nil)
			if !slices.Equal(unpermute(got, perm), want) || !slices.Equal(gs, ws) {
				t.Errorf("seed %d method %d: soft_nms of the permuted input differs", seed, m)
			}
		}
	}
}

// batched_nms with a single label is nms (strict, no score threshold).
func TestBatchedOneClassIsNMS(t *testing.T) {
	for _, fill := range []string{"detector", "special", "identical", "equal"} {
		b, s := draw(7, 1500, fill, 0.6, 0)
		labels := make([]int32, len(s))
		want := refNMS(b, s, 0.6, math.Inf(-1), false)
		if got := refBatched(b, s, labels, 0.6); !slices.Equal(got, want) {
			t.Errorf("fill %s: batched_nms with one label differs from nms", fill)
		}
	}
}

// Hard Soft-NMS with Nt = t is greedy NMS with threshold t when no score
// falls under the threshold but the zeroed ones; the kept scores are the
// input scores.
func TestSoftHardIsNMS(t *testing.T) {
	for _, one := range []float64{0, 1} {
		b, s := draw(11, 1500, "special", 0.4, one)
		var idx []int
		for i, v := range s {
			if v == v {
				idx = append(idx, i)
			}
		}
		want := refGreedy(b, s, idx, 0.4, one, false)
		got, scores := refSoftNMS(softParams{method: kernel.SoftNMSHard, nt: 0.4, thr: 1e-30, one: one}, b, s, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("plus_one %v: hard soft_nms keeps %d boxes, nms %d", one, len(got), len(want))
		}
		for k, i := range got {
			if scores[k] != float64(s[i]) {
				t.Fatalf("plus_one %v: kept score %d is %g, input %g", one, k, scores[k], s[i])
			}
		}
	}
}

// The legacy convention on integer boxes, worked by hand: with plus_one,
// A = [0,0,9,9] (area 100) and B = [0,0,9,19] (area 200) have IoU 100/200 =
// 0.5 exactly, B and C = [0,10,9,19] too, and A and C do not overlap.
// Without plus_one A and B have IoU 81/171 < 0.5.
func TestLegacyIntegerBoxes(t *testing.T) {
	b := []float32{0, 0, 9, 9, 0, 0, 9, 19, 0, 10, 9, 19}
	for _, c := range []struct {
		scores []float32
		legacy bool
		t      float64
		want   []int32
	}{
		{[]float32{0.9, 0.8, 0.7}, true, 0.5, []int32{0, 2}},     // A suppresses B (IoU = t); C survives
		{[]float32{0.9, 0.8, 0.7}, false, 0.5, []int32{0, 1, 2}}, // 81/171 < 0.5
		{[]float32{0.8, 0.9, 0.7}, true, 0.5, []int32{1}},        // B suppresses A and C
		{[]float32{0.8, 0.9, 0.7}, true, 0.51, []int32{1, 0, 2}}, // 0.5 < 0.51
		{[]float32{0.8, 0.9, 0.7}, false, 0.47, []int32{1}},      // 81/171 = 0.4737 > 0.47 for A and C
	} {
		if got := refNMS(b, c.scores, c.t, math.Inf(-1), c.legacy); !slices.Equal(got, c.want) {
			t.Errorf("scores %v legacy %v t %g: kept %v, want %v", c.scores, c.legacy, c.t, got, c.want)
		}
	}
	if iou := refIoU(b, 0, 1, 1); iou != 0.5 {
		t.Errorf("plus_one IoU(A,B) = %g, want 0.5", iou)
	}
	if iou := refIoU(b, 0, 1, 0); iou != 81.0/171 {
		t.Errorf("IoU(A,B) = %g, want 81/171", iou)
	}
}

// fill=exact plants IoU exactly equal to the threshold, so strict NMS keeps
// every box and the >= comparison suppresses some; and the planted IoUs are
// exact in float32 arithmetic too.
func TestExactFill(t *testing.T) {
	for _, tt := range []float64{0.5, 0.75, 0.25, 1, 0.375} {
		for _, one := range []float64{0, 1} {
			b, s := draw(3, 300, "exact", tt, one)
			for g := 0; 3*g+2 < len(s); g++ {
				a := 3 * g
				if refIoU(b, a, a+1, one) != tt || refIoU(b, a+1, a+2, one) != tt {
					t.Fatalf("t %g plus_one %v: group %d IoUs %g, %g", tt, one, g, refIoU(b, a, a+1, one), refIoU(b, a+1, a+2, one))
				}
				if f := iou32(b, a, a+1, float32(one)); f != float32(tt) {
					t.Fatalf("t %g plus_one %v: float32 IoU %g", tt, one, f)
				}
			}
			idx := seq(len(s))
			if k := len(refGreedy(b, s, idx, tt, one, false)); k != len(s) {
				t.Errorf("t %g plus_one %v: strict NMS kept %d of %d", tt, one, k, len(s))
			}
			if k := len(refGreedy(b, s, idx, tt, one, true)); k >= len(s) {
				t.Errorf("t %g plus_one %v: >= NMS suppressed nothing", tt, one)
			}
		}
	}
}

// iou32 is a plain float32 IoU, as a GPU kernel would compute it.
func iou32(b []float32, i, j int, one float32) float32 {
	ax1, ay1, ax2, ay2 := b[4*i], b[4*i+1], b[4*i+2], b[4*i+3]
	bx1, by1, bx2, by2 := b[4*j], b[4*j+1], b[4*j+2], b[4*j+3]
	aa := max(0, ax2-ax1+one) * max(0, ay2-ay1+one)
	ab := max(0, bx2-bx1+one) * max(0, by2-by1+one)
	inter := max(0, min(ax2, bx2)-max(ax1, bx1)+one) * max(0, min(ay2, by2)-max(ay1, by1)+one)
	union := aa + ab - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// nms32 and soft32 are naive float32 kernels. The fills must make them take
// every decision as the float64 reference does, and their kept scores must
// pass KERNELS.md's rtol.
func nms32(b, s []float32, t float32, one float32, geq bool) []int32 {
	var idx []int
	for i, v := range s {
		if v == v {
			idx = append(idx, i)
		}
	}
	byScore(s, idx)
	supp := make([]bool, len(idx))
	var keep []int32
	for a, i := range idx {
		if supp[a] {
			continue
		}
		keep = append(keep, int32(i))
		for c := a + 1; c < len(idx); c++ {
			if iou := iou32(b, i, idx[c], one); iou > t || geq && iou >= t {
				supp[c] = true
			}
		}
	}
	return keep
}

func soft32(p softParams, b, s []float32) (keep []int32, kept []float32) {
	cur := slices.Clone(s)
	var cand []int
	for i, v := range s {
		if v == v {
			cand = append(cand, i)
		}
	}
	for len(cand) > 0 {
		m := 0
		for c := range cand {
			if cur[cand[c]] > cur[cand[m]] {
				m = c
			}
		}
		i := cand[m]
		keep, kept = append(keep, int32(i)), append(kept, cur[i])
		cand = slices.Delete(cand, m, m+1)
		w := 0
		for _, j := range cand {
			ov := iou32(b, i, j, float32(p.one))
			switch {
			case ov != ov:
			case p.method == kernel.SoftNMSGaussian:
				cur[j] *= float32(math.Exp(-float64(ov*ov) / p.sigma))
			case float64(ov) <= p.nt:
			case p.method == kernel.SoftNMSLinear:
				cur[j] *= 1 - ov
			default:
				cur[j] = 0
			}
			if float64(cur[j]) >= p.thr {
				cand[w] = j
				w++
			}
		}
		cand = cand[:w]
	}
	return keep, kept
}

func TestFloat32KernelsAgree(t *testing.T) {
	for seed := range uint64(2) {
		for _, fill := range []string{"detector", "special", "equal", "exact"} {
			for _, legacy := range []bool{false, true} {
				for _, iou := range []float64{0, 0.5, 1} {
					if _, _, ok := dyadic(iou); fill == "exact" && !ok {
						continue
					}
					b, s := draw(seed, 1000, fill, iou, plusOne(legacy))
					if got, want := nms32(b, s, float32(iou), float32(plusOne(legacy)), legacy), refNMS(b, s, iou, math.Inf(-1), legacy); !slices.Equal(got, want) {
						t.Errorf("seed %d fill %s legacy %v iou %g: float32 nms differs", seed, fill, legacy, iou)
					}
				}
			}
			for _, m := range []kernel.SoftNMSMethod{kernel.SoftNMSLinear, kernel.SoftNMSGaussian, kernel.SoftNMSHard} {
				// The second set piles up gaussian decays with nothing discarded (underflow).
				for _, v := range []struct{ sigma, nt, thr float32 }{{0.5, 0.5, 0.001}, {0.1, 0.25, 0}} {
					c := &softCase{N: 1000, Method: m, Sigma: v.sigma, Nt: v.nt, Thr: v.thr, PlusOne: seed%2 == 1, Kind: fill}
					d := []*kernel.Host{kernel.NewHost(kernel.F32, 4*c.N), kernel.NewHost(kernel.F32, c.N)}
					c.Fill(rand.New(rand.NewPCG(seed, 5)), d)
					b, s := d[0].F32, d[1].F32
					want, ws := refSoftNMS(c.params(), b, s, nil)
					got, gs := soft32(c.params(), b, s)
					if !slices.Equal(got, want) {
						t.Errorf("seed %d fill %s method %d %+v: float32 soft_nms keeps %d, reference %d", seed, fill, m, v, len(got), len(want))
						continue
					}
					for k := range gs {
						if r := math.Abs(float64(gs[k])-ws[k]) / math.Abs(ws[k]); r > softScoreRtol {
							t.Errorf("seed %d fill %s method %d %+v: kept score %d of a float32 kernel off by %.2g", seed, fill, m, v, k, r)
							break
						}
					}
				}
			}
		}
	}
}

// The coordinate-offset trick (shift each box by label*(maxcoord+1), then
// one class-agnostic NMS) loses bits in float32: the quick shape with
// maxcoord 4096 and 1000 labels must show it (in one image of four at
// least; one image alone shows it at about 85% of seeds).
func TestOffsetTrickExposed(t *testing.T) {
	c := &batchedCase{B: 4, N: 5000, Classes: 1000, IoU: 0.5, MaxCoord: 4096, Kind: "detector"}
	d := make([]*kernel.Host, 4)
	for i, bf := range c.Buffers()[:4] {
		d[i] = kernel.NewHost(bf.DType, bf.Len)
	}
	for seed := range uint64(5) {
		c.Fill(rand.New(rand.NewPCG(seed, 1)), d)
		caught := 0
		for img := range c.B {
			o, n := img*c.N, int(d[0].I32[img])
			b, s, labels := d[1].F32[4*o:4*(o+n)], d[2].F32[o:o+n], d[3].I32[o:o+n]
			shifted := make([]float32, len(b))
			for i := range b {
				shifted[i] = b[i] + float32(labels[i/4])*float32(c.MaxCoord+1)
			}
			if !slices.Equal(refNMS(shifted, s, 0.5, math.Inf(-1), false), refBatched(b, s, labels, 0.5)) {
				caught++
			}
		}
		if caught == 0 {
			t.Errorf("seed %d: the float32 offset trick gives the exact result in every image", seed)
		}
	}
}

// Random fills keep every overlapping pair's IoU away from the threshold.
func TestFillSeparates(t *testing.T) {
	b, s := draw(5, 1500, "special", 0.5, 0)
	for i := range s {
		for j := range i {
			if near(b, i, j, 0.5, 0) {
				t.Fatalf("boxes %d and %d: IoU %g", i, j, refIoU(b, i, j, 0))
			}
		}
	}
}

// TestWorkCounts: the costs count the IoUs the greedy algorithms evaluate
// on the drawn boxes. Boxes 0 and 1 overlap (IoU 0.81), box 2 stands apart,
// scores fall with the index: hard NMS keeps 0, compares it with 1 and 2,
// suppresses 1, keeps 2: two IoUs, one of intersecting boxes. Soft-NMS
// (linear, Nt 0.3) tests 1 and 2 against 0 in round one and decays 1, then
// tests 2 against 1 in round two: three IoUs, one intersecting, and two
// scores facing the threshold in round one.
func TestWorkCounts(t *testing.T) {
	b := []float32{0, 0, 10, 10, 0, 0, 10, 9, 50, 50, 60, 60}
	s := []float32{0.9, 0.8, 0.7}
	keep, ious, cands := countNMS(b, s, 0.5, math.Inf(-1), false)
	if want := (iouWork{pairs: 2, intersecting: 1}); len(keep) != 2 || ious != want || cands != 3 {
		t.Errorf("nms: kept %v, IoUs %+v, %d candidates; want 2 kept, IoUs %+v, 3 candidates", keep, ious, cands, want)
	}
	if f := ious.flops(); f != 2*iouTestFlops+iouFlops-iouTestFlops {
		t.Errorf("nms: %g FLOPs for two IoUs, one intersecting; want a test each and one whole IoU", f)
	}
	_, _, work := softNMS(softParams{method: kernel.SoftNMSLinear, sigma: 0.5, nt: 0.3, thr: 0.001}, b, s, nil)
	if want := (softWork{ious: iouWork{pairs: 3, intersecting: 1}, first: 2}); work != want {
		t.Errorf("soft_nms: work %+v, want %+v", work, want)
	}
	sc := &softCase{N: 3, Method: kernel.SoftNMSGaussian}
	want := suite.Cost{Flops: 3*iouTestFlops + iouFlops - iouTestFlops + softDecayFlops + 2, Trans: 1, F64: true, Bytes: 20*3 + 8*3 + 4}
	if got := sc.cost(work, 3); got != want {
		t.Errorf("soft_nms gaussian cost %+v, want %+v", got, want)
	}
	c := &nmsCase{N: 3, IoU: 0.5, ScoreThr: float32(math.Inf(-1))}
	d := []*kernel.Host{{F32: b}, {F32: s}}
	if got, want := c.DataCost(d), greedyCost(3, 3, ious, 2); got != want {
		t.Errorf("nms DataCost %+v, want %+v", got, want)
	}
	if w := greedyCost(3, 3, ious, 2); w.Flops != ious.flops()+3*math.Log2(3) || w.Bytes != 20*3+4*2+4 {
		t.Errorf("greedyCost %+v: want the IoUs' FLOPs + 3 log2 3, bytes 20N + 4K + 4", w)
	}
}
