package par

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The helpers: goroutines that take For's chunks 2..w, and after each one
// wait for the next spinning for helperSpin before they park. A `go`
// statement per chunk hands the chunk to a parked thread, and on the
// 2-vCPU VMs here the second chunk started 85 µs late back to back and
// only once the first had finished after any idle gap (measured: a
// helper's 250 µs chunk started 253 µs after the call): a loss over
// 8 MB ran no faster on two threads than on one. Benchmark loops call a
// kernel back to back, so spinning helpers stay awake between its runs.
const helperSpin = 200 * time.Microsecond

type helper struct {
	job    atomic.Pointer[task]
	parked atomic.Bool
	wake   chan struct{} // buffered: a job was posted while parked
}

// task is one chunk for a helper; done counts the chunks still running.
type task struct {
	body          func(chunk, lo, hi int)
	chunk, lo, hi int
	done          *atomic.Int32
	panicked      *atomic.Pointer[any]
}

var pool struct {
	sync.Mutex // held by the one ForChunks using the helpers
	helpers    []*helper
}

// post hands t to h, waking it if it parked.
func (h *helper) post(t *task) {
	h.job.Store(t)
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

// take waits for the next task: spinning (yielding the processor to any
// other goroutine) for helperSpin, then parked until posted.
func (h *helper) take() *task {
	deadline := time.Now().Add(helperSpin)
	for i := 0; ; i++ {
		if t := h.job.Swap(nil); t != nil {
			return t
		}
		if i%32 == 31 && time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
	}
	h.parked.Store(true)
	defer h.parked.Store(false)
	for {
		// Checked after parked is set: a post that saw parked unset
		// stored its task first.
		if t := h.job.Swap(nil); t != nil {
			return t
		}
		<-h.wake
	}
}

func (h *helper) loop() {
	for {
		t := h.take()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.panicked.CompareAndSwap(nil, &p)
				}
				t.done.Add(-1)
			}()
			t.body(t.chunk, t.lo, t.hi)
		}()
	}
}

// withHelpers runs chunks 1..w-1 of size items on the helpers and chunk
// 0 on the caller; false when the helpers are busy (another caller, or a
// body calling For) or w exceeds the processors (helpers spinning there
// would only take turns).
func withHelpers(n, w, size int, body func(chunk, lo, hi int)) bool {
	if w > runtime.GOMAXPROCS(0) || !pool.TryLock() {
		return false
	}
	defer pool.Unlock()
	for len(pool.helpers) < w-1 {
		h := &helper{wake: make(chan struct{}, 1)}
		pool.helpers = append(pool.helpers, h)
		go h.loop()
	}
	var done atomic.Int32
	var panicked atomic.Pointer[any]
	done.Store(int32(w - 1))
	for c := 1; c < w; c++ {
		lo := c * size
		pool.helpers[c-1].post(&task{body: body, chunk: c, lo: lo, hi: min(lo+size, n), done: &done, panicked: &panicked})
	}
	func() {
		defer func() {
			// Wait for the helpers even when chunk 0 panics: they share its data.
			for done.Load() > 0 {
				runtime.Gosched()
			}
		}()
		body(0, 0, min(size, n))
	}()
	if p := panicked.Load(); p != nil {
		panic(*p)
	}
	return true
}
