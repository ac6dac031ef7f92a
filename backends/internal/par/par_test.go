package par

import (
	"sync"
	"testing"
)

// Every index is covered once, and concurrent chunks never share an index
// (bodies use it to pick per-worker scratch).
func TestForChunksCoverAndDistinct(t *testing.T) {
	for n := 0; n < 60; n++ {
		for threads := 1; threads <= 5; threads++ {
			for grain := 1; grain <= 7; grain++ {
				var mu sync.Mutex
				seen := make([]int, n)
				chunks := map[int]bool{}
				ForChunks(n, threads, grain, func(c, lo, hi int) {
					mu.Lock()
					defer mu.Unlock()
					if chunks[c] || c < 0 || c >= threads {
						t.Errorf("n=%d threads=%d grain=%d: chunk index %d reused or out of range", n, threads, grain, c)
					}
					chunks[c] = true
					for i := lo; i < hi; i++ {
						seen[i]++
					}
				})
				for i, s := range seen {
					if s != 1 {
						t.Fatalf("n=%d threads=%d grain=%d: index %d covered %d times", n, threads, grain, i, s)
					}
				}
			}
		}
	}
}
