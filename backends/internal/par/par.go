// Package par splits loops across goroutines for the CPU backends.
package par

import (
	"runtime"
	"sync"
)

// Threads resolves a --threads setting: <= 0 means all logical CPUs.
func Threads(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// For calls body(lo, hi) over disjoint chunks covering [0, n), using at most
// threads goroutines, with chunks no smaller than grain items (so small
// problems run inline, without goroutine overhead). The calling goroutine
// does the first chunk itself.
func For(n, threads, grain int, body func(lo, hi int)) {
	if n > 0 && workers(n, threads, grain) <= 1 {
		body(0, n) // inline: no closure, so a one-thread Run does not allocate
		return
	}
	ForChunks(n, threads, grain, func(_, lo, hi int) { body(lo, hi) })
}

// ForChunks is For that also passes each chunk's index, in [0, threads),
// distinct between concurrent chunks, so a body can use per-worker scratch.
func ForChunks(n, threads, grain int, body func(chunk, lo, hi int)) {
	if n <= 0 {
		return
	}
	w := workers(n, threads, grain)
	if w <= 1 {
		body(0, 0, n)
		return
	}
	size := (n + w - 1) / w
	if withHelpers(n, (n+size-1)/size, size, body) {
		return
	}
	var wg sync.WaitGroup
	for c, lo := 1, size; lo < n; c, lo = c+1, lo+size {
		wg.Add(1)
		go func(c, lo, hi int) {
			defer wg.Done()
			body(c, lo, hi)
		}(c, lo, min(lo+size, n))
	}
	body(0, 0, min(size, n))
	wg.Wait()
}

// workers is how many chunks For and ForChunks split n items into.
func workers(n, threads, grain int) int {
	grain = max(grain, 1)
	return min(max(threads, 1), (n+grain-1)/grain)
}

// Grain returns a chunk size, in items, so each chunk does at least about
// minWork units of work when one item costs perItem units.
func Grain(perItem, minWork int) int {
	if perItem <= 0 {
		return minWork
	}
	return max(1, minWork/perItem)
}
