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
