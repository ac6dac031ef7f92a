package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestSoftPassTies checks the pass's first-maximum rule across its
// interleaved vectors: all live scores equal, the first vector's dead, so
// lane l's first maximum is candidate 8+l (ahead of 16+l, 24+l, ...), and
// a tail past the last whole vector.
func TestSoftPassTies(t *testing.T) {
	for _, v := range softPassVariants() {
		t.Run(v.name, func(t *testing.T) {
			if !v.ok {
				t.Skipf("%s: not supported by this CPU", v.name)
			}
			for _, n := range []int{16, 40, 45} {
				x1, y1, x2, y2, area, score := make([]float64, n), make([]float64, n), make([]float64, n),
					make([]float64, n), make([]float64, n), make([]float64, n)
				for j := range n {
					x1[j], y1[j], x2[j], y2[j], area[j], score[j] = float64(j), 0, float64(j)+1, 1, 1, 0.5
					if j < 8 {
						score[j] = math.NaN()
					}
				}
				p := []float64{1e6, 1e6, 1e6 + 1, 1e6 + 1, 1, 0.3, 0.5, 0.001} // overlaps nothing
				best := make([]float64, 16)
				if killed := (*v.k)(x1, y1, x2, y2, area, score, p, 1, best); killed != 0 {
					t.Fatalf("n=%d: killed %d, want 0", n, killed)
				}
				for l := range 8 {
					if best[l] != 0.5 || best[8+l] != float64(8+l) {
						t.Fatalf("n=%d: lane %d best %v at %v, want 0.5 at %d", n, l, best[l], best[8+l], 8+l)
					}
				}
			}
		})
	}
}

// TestSoftNMSParallelRounds runs Soft-NMS with rounds split across three
// workers (the split threshold lowered: the suite's shapes stay below it),
// checked by the suite against its float64 reference.
func TestSoftNMSParallelRounds(t *testing.T) {
	defer func(p int) { softParallel = p }(softParallel)
	softParallel = 64
	k, ok := suite.Lookup("soft_nms")
	if !ok {
		t.Fatal("no suite kernel soft_nms")
	}
	for _, sh := range []string{"N=1000", "N=1000,method=gaussian", "N=333,fill=special,Nt=0.5,method=hard",
		"N=1000,fill=infscore,threshold=-inf"} { // the last rounds' -Inf survivors: firstLive
		c, err := k.Build(sh)
		if err != nil {
			t.Fatal(err)
		}
		host := suite.Alloc(c)
		c.Fill(rand.New(rand.NewPCG(3, 4)), host)
		ts := make([]kernel.Tensor, len(host))
		for i, h := range host {
			ts[i] = h
		}
		b, err := New(kernel.Config{Threads: 3})
		if err != nil {
			t.Fatal(err)
		}
		bd, err := b.Prepare(c.Op(ts))
		if err != nil {
			t.Fatal(err)
		}
		bd.Run()
		if ck := c.Check(host); ck.Verdict != suite.Passed {
			t.Fatalf("%s: %s (%s)", sh, ck.Verdict, ck.Detail)
		}
	}
}

// TestSoftNMSTiesSpatial: equal scores on disjoint boxes whose spatial
// order is the reverse of their index order (and across several chunks) are
// kept lowest index first, as KERNELS.md 4.2 wants: ties broken by the
// position in a spatially ordered list would keep the highest first. Run
// twice on one Bound (the list's arrays are swapped in place).
func TestSoftNMSTiesSpatial(t *testing.T) {
	const n = 1000
	bh, sh := kernel.NewHost(kernel.F32, 4*n), kernel.NewHost(kernel.F32, n)
	kh, kph, ch := kernel.NewHost(kernel.I32, n), kernel.NewHost(kernel.F32, n), kernel.NewHost(kernel.I32, 1)
	boxes, scores, keep, kept, count := bh.F32, sh.F32, kh.I32, kph.F32, ch.I32
	for i := range n {
		x := float32(3 * (n - 1 - i))
		copy(boxes[4*i:], []float32{x, float32(i % 7), x + 2, float32(i%7) + 2})
		scores[i] = 0.5
	}
	for _, threads := range []int{1, 3} {
		b, err := New(kernel.Config{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		bd, err := b.Prepare(kernel.SoftNMS{N: n, Method: kernel.SoftNMSLinear, Sigma: 0.5, Nt: 0.3, Threshold: 0.001,
			Boxes: bh, Scores: sh, Keep: kh, KeptScores: kph, Count: ch})
		if err != nil {
			t.Fatal(err)
		}
		for run := range 2 {
			if err := bd.Run(); err != nil {
				t.Fatal(err)
			}
			if count[0] != n {
				t.Fatalf("threads=%d run %d: kept %d, want %d", threads, run, count[0], n)
			}
			for i := range n {
				if keep[i] != int32(i) || kept[i] != 0.5 {
					t.Fatalf("threads=%d run %d: keep[%d] = %d (%v), want %d (0.5)", threads, run, i, keep[i], kept[i], i)
				}
			}
		}
	}
}
