package nmsbox

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortHigh: the radix orders equal slices.Sort on score keys (random,
// tied, NaN, ±0, ±Inf scores) and on label keys, at lengths around the
// short-input cutoff and beyond.
func TestSortHigh(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1, -1}
	for _, n := range []int{0, 1, 2, 63, 64, 65, 100, 1000, 4097} {
		for kind := range 3 {
			scores, labels := make([]float32, n), make([]int32, n)
			for i := range scores {
				switch kind {
				case 0:
					scores[i] = rng.Float32()
				case 1:
					scores[i] = float32(rng.IntN(5)) / 4 // many ties
				default:
					scores[i] = special[rng.IntN(len(special))] * float32(rng.NormFloat64())
				}
				labels[i] = int32(rng.IntN(300)) - 100 // negative labels too
				if kind == 2 && i%7 == 0 {
					labels[i] = int32(rng.Uint32())
				}
			}
			want := scoreKeys(make([]uint64, n), scores, float32(math.Inf(-1)))
			slices.Sort(want)
			tmp := make([]uint64, n)
			got := ByScoreRadix(make([]uint64, n), tmp, scores, float32(math.Inf(-1)))
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d kind=%d: score order differs", n, kind)
			}
			lk, starts := make([]uint64, n), make([]int32, n+1)
			groups := ByLabel(lk, tmp, want, labels, starts)
			ref := make([]uint64, len(want))
			for r, k := range want {
				ref[r] = uint64(uint32(labels[KeyIndex(k)])^1<<31)<<32 | uint64(r)
			}
			slices.Sort(ref)
			if !slices.Equal(lk[:len(want)], ref) {
				t.Fatalf("n=%d kind=%d: label order differs", n, kind)
			}
			for g := range groups {
				for p := starts[g]; p < starts[g+1]; p++ {
					if lk[p]>>32 != lk[starts[g]]>>32 || p > starts[g] && lk[p] < lk[p-1] {
						t.Fatalf("n=%d kind=%d: group %d is not one label in score order", n, kind, g)
					}
				}
				if g > 0 && lk[starts[g]]>>32 == lk[starts[g]-1]>>32 {
					t.Fatalf("n=%d kind=%d: label split across groups %d and %d", n, kind, g-1, g)
				}
			}
			if int(starts[groups]) != len(want) {
				t.Fatalf("n=%d kind=%d: groups end at %d, want %d", n, kind, starts[groups], len(want))
			}
		}
	}
}
