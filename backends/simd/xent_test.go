package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lseRef is log Σ exp(x) in float64 (NaN for a NaN or +Inf, -Inf for an
// empty x or a row of -Inf).
func lseRef(x []float32) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 1) {
			return math.NaN()
		}
		m = math.Max(m, float64(v))
	}
	if math.IsInf(m, -1) {
		return m
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// lseGens are the row generators of TestLSE: normal logits, wide ones
// (the references move in many blocks), rising and falling ramps (every
// block raises them), -Inf entries, and one finite value among -Inf.
var lseGens = []struct {
	name string
	gen  func(rng *rand.Rand, i, n int) float32
}{
	{"normal", func(rng *rand.Rand, i, n int) float32 { return float32(rng.NormFloat64()) }},
	{"wide", func(rng *rand.Rand, i, n int) float32 { return float32(60 * rng.NormFloat64()) }},
	{"rising", func(rng *rand.Rand, i, n int) float32 { return float32(i)*0.37 - 1000 }},
	{"falling", func(rng *rand.Rand, i, n int) float32 { return 3000 - float32(i)*0.41 }},
	{"neginf", func(rng *rand.Rand, i, n int) float32 {
		if rng.IntN(3) == 0 {
			return float32(math.Inf(-1))
		}
		return float32(rng.NormFloat64()) + 5
	}},
	{"one", func(rng *rand.Rand, i, n int) float32 {
		if i == n/2 {
			return -3
		}
		return float32(math.Inf(-1))
	}},
	{"huge", func(rng *rand.Rand, i, n int) float32 { return float32(rng.NormFloat64()) * 1e37 }},
}

// lseTol is the agreement asked of m + log(s): 2e-6 relative to 1 + |ref|
// (KERNELS.md 5.5 allows 1e-5 on the loss).
func lseTol(ref float64) float64 { return 2e-6 * (1 + math.Abs(ref)) }

// lseWorst is the largest |error| / lseTol seen by checkLSE (logged).
var lseWorst float64

func checkLSE(t *testing.T, what string, x []float32, m, s float32) {
	t.Helper()
	ref := lseRef(x)
	if len(x) == 0 || math.IsInf(ref, -1) {
		if m != -math.MaxFloat32 || math.IsNaN(float64(s)) {
			t.Fatalf("%s: a row of -Inf gave m=%v s=%v, want m=-MaxFloat32", what, m, s)
		}
		return
	}
	got := float64(m) + math.Log(float64(s))
	if r := math.Abs(got-ref) / lseTol(ref); r > lseWorst {
		lseWorst = r
	}
	if math.IsNaN(ref) != math.IsNaN(got) || !math.IsNaN(ref) && math.Abs(got-ref) > lseTol(ref) {
		t.Fatalf("%s: m=%v s=%v: m+log(s) = %v, want %v (diff %.3g, tol %.3g)", what, m, s, got, ref, got-ref, lseTol(ref))
	}
}

// lseVariants: the twin and every level's lse.
func lseVariants() []variant[func(x []float32) (m, s float32)] {
	vs := []variant[func(x []float32) (m, s float32)]{{"go", true, &[]func(x []float32) (m, s float32){lseGo}[0]}}
	for _, v := range vecVariants() {
		if v.k.lse != nil {
			vs = append(vs, variant[func(x []float32) (m, s float32)]{v.name, v.ok, &v.k.lse})
		}
	}
	return vs
}

// TestLSE: lse against float64 log-sum-exp for every length up to 300,
// around the 512-element blocks and the 16384-element chunks of lseRow, at
// misalignments 0..3 (misalignment 0 ends at a guard page), for each
// generator; NaN and +Inf anywhere give NaN.
func TestLSE(t *testing.T) {
	lengths := append([]int(nil), testLengths...)
	lengths = append(lengths, 512, 513, 527, 1024, 1535, 1536+17, 16384, 16384+33, 40000)
	forEach(t, lseVariants(), func(t *testing.T, f *func(x []float32) (m, s float32)) {
		lse := *f
		lseWorst = 0
		defer func() { t.Logf("worst |error| / tolerance: %.3g", lseWorst) }()
		rng := rand.New(rand.NewPCG(3, 4))
		for _, g := range lseGens {
			for _, n := range lengths {
				for off := 0; off < 4; off++ {
					if n > 4099 && off > 1 {
						continue
					}
					i := 0
					x := input(t, n, off, func() float32 { i++; return g.gen(rng, i-1, n) })
					what := fmt.Sprintf("%s n=%d off=%d", g.name, n, off)
					if n <= lseChunk {
						m, s := lse(x)
						checkLSE(t, what, x, m, s)
					}
					l, ok := lseRow(lse, x)
					ref := lseRef(x)
					switch {
					case math.IsInf(ref, -1) || n == 0:
						if ok {
							t.Fatalf("%s: lseRow of a row of -Inf gave %v, want !ok", what, l)
						}
					case !ok || math.IsNaN(ref) != math.IsNaN(l) || !math.IsNaN(ref) && math.Abs(l-ref) > lseTol(ref):
						t.Fatalf("%s: lseRow = %v, %v; want %v", what, l, ok, ref)
					}
					if n == 0 || n > 1100 {
						continue
					}
					for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
						p := rng.IntN(n)
						keep := x[p]
						x[p] = bad
						m, s := lse(x)
						if !math.IsNaN(float64(s)) && !math.IsNaN(float64(m)) {
							t.Fatalf("%s: %v at %d gave m=%v s=%v, want NaN", what, bad, p, m, s)
						}
						if l, ok := lseRow(lse, x); ok && !math.IsNaN(l) { // !ok: the two-pass path gives NaN
							t.Fatalf("%s: %v at %d: lseRow = %v, %v; want NaN or !ok", what, bad, p, l, ok)
						}
						x[p] = keep
					}
				}
			}
		}
	})
}
