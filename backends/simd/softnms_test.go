package simd

import (
	"math"
	"testing"
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
