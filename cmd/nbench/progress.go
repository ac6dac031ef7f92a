package main

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/nbench/nbench/harness"
)

// progress draws one status line on a terminal: cases done, elapsed time,
// an estimate of the time left, and the case now running.
type progress struct {
	w       io.Writer
	on      bool
	start   time.Time
	lastLen int
}

func newProgress(w io.Writer, on bool) *progress {
	return &progress{w: w, on: on, start: time.Now()}
}

func (p *progress) update(done, total int, it harness.Item, backend string) {
	if !p.on {
		return
	}
	elapsed := time.Since(p.start)
	eta := "?"
	if done > 0 {
		eta = (elapsed * time.Duration(total-done) / time.Duration(done)).Round(time.Second).String()
	}
	line := fmt.Sprintf("[%d/%d %s, ~%s left] %s on %s", done+1, total, elapsed.Round(time.Second), eta, it.Name(), backend)
	if len(line) > 120 {
		line = line[:117] + "..."
	}
	fmt.Fprintf(p.w, "\r\033[K%s", line)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func defaultThreads() int { return runtime.GOMAXPROCS(0) }
