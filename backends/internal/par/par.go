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
	if n <= 0 {
		return
	}
	grain = max(grain, 1)
	workers := min(threads, (n+grain-1)/grain)
	if workers <= 1 {
		body(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			body(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	body(0, min(chunk, n))
	wg.Wait()
}

// Grain returns a chunk size, in items, so each chunk does at least about
// minWork units of work when one item costs perItem units.
func Grain(perItem, minWork int) int {
	if perItem <= 0 {
		return minWork
	}
	return max(1, minWork/perItem)
}
