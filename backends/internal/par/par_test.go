package par

import (
	"sync"
	"testing"
	"time"
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

// A panic in a helper's chunk reaches the caller, after every chunk ends.
func TestForChunksPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	ForChunks(8, 2, 1, func(c, lo, hi int) {
		if c == 1 {
			panic("deliberate")
		}
	})
}

// BenchmarkHelperStart: how late the second chunk of a two-chunk For
// starts after the call, while the first runs 250 µs (reported as
// start-µs; the goroutine per chunk this replaced: 85 µs back to back,
// 253 µs after an idle gap, on the 2-vCPU VM).
func BenchmarkHelperStart(b *testing.B) {
	var late time.Duration
	for range b.N {
		var start [2]time.Time
		t0 := time.Now()
		ForChunks(2, 2, 1, func(c, lo, hi int) {
			start[c] = time.Now()
			for time.Since(start[c]) < 250*time.Microsecond {
			}
		})
		late += start[1].Sub(t0)
	}
	b.ReportMetric(float64(late.Microseconds())/float64(b.N), "start-µs")
}
