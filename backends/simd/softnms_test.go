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

// softFilterBoxGo is the twin of softFilterBox with softFilterC (their
// meaning: the bound found from nt with the box).
func softFilterBoxGo(q []float32, x1, y1, x2, y2, aa, nt float64) {
	down := func(x float64) float32 {
		f := float32(x)
		if float64(f) > x {
			f = math.Nextafter32(f, float32(math.Inf(-1)))
		}
		return f
	}
	up := func(x float64) float32 { return -down(-x) }
	q[0], q[1], q[2], q[3], q[4], q[5] = down(x1), down(y1), up(x2), up(y2), float32(aa), float32(math.Inf(-1))
	if nt >= 0x1p-20 && aa >= 0x1p-40 && max(math.Abs(x1), math.Abs(y1), math.Abs(x2), math.Abs(y2)) <= 0x1p40 {
		q[5] = down(nt / (1 + nt) * (1 - 0x1p-16))
	}
}

// TestSoftFilterBox: softFilterBox with softFilterC(nt) writes the bits
// softFilterBoxGo does, on coordinates that are float32s and that are not
// (rounded either way), ±0, ±Inf, NaN, values about the 2^40 and 2^-40
// limits and float32's range, and nt about 2^-20, 0, negative, NaN and
// infinite.
func TestSoftFilterBox(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 0x1p40, -0x1p40, 0x1p40 * (1 + 0x1p-52), 0x1p-40,
		0x1p-40 * (1 - 0x1p-53), math.MaxFloat32, math.MaxFloat32 * 2, 0x1p-149, 0x1p-150, 1e-300, 1 + 0x1p-30, -(1 + 0x1p-30), 16777217}
	nts := []float64{0.3, 0.5, 0, math.Copysign(0, -1), 0x1p-20, 0x1p-20 * (1 - 0x1p-53), 1, 1e30, -1, math.NaN(), math.Inf(1), float64(float32(0.3))}
	val := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return special[rng.IntN(len(special))]
		case 1:
			return float64(float32(rng.NormFloat64() * 1000)) // a float32
		default:
			return rng.NormFloat64() * math.Pow(2, float64(rng.IntN(120)-60))
		}
	}
	var got, want [6]float32
	for it := range 200000 {
		x1, y1, x2, y2, aa, nt := val(), val(), val(), val(), math.Abs(val()), nts[rng.IntN(len(nts))]
		if it%3 == 0 {
			aa = (x2 - x1) * (y2 - y1)
		}
		softFilterBox(got[:], x1, y1, x2, y2, aa, softFilterC(nt))
		softFilterBoxGo(want[:], x1, y1, x2, y2, aa, nt)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("box %v %v %v %v area %v nt %v: q[%d] = %v, want %v", x1, y1, x2, y2, aa, nt, i, got[i], want[i])
			}
		}
	}
}
