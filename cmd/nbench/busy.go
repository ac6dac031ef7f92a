package main

import (
	"fmt"
	"runtime"
	"time"
)

// A timing gate cannot tell a slower kernel from a kernel that shares its
// CPUs with other work, so gated runs measure how much CPU other processes
// used meanwhile: the machine's busy time (/proc/stat, steal included)
// minus this process's own CPU time. Linux only; elsewhere nothing is said.

// busyBaseline is how many CPUs other processes may use on average before
// the gate calls the machine busy.
const busyBaseline = 0.25

type cpuWatch struct {
	busy, own float64 // seconds
	t         time.Time
	ok        bool
}

func watchCPU() cpuWatch {
	busy, ok1 := systemBusy()
	own, ok2 := selfCPU()
	return cpuWatch{busy: busy, own: own, t: time.Now(), ok: ok1 && ok2}
}

// others returns the average number of CPUs other processes used since w.
func (w cpuWatch) others() (float64, bool) {
	now := watchCPU()
	wall := now.t.Sub(w.t).Seconds()
	if !w.ok || !now.ok || wall <= 0 {
		return 0, false
	}
	return max(0, (now.busy-w.busy)-(now.own-w.own)) / wall, true
}

// busyNote describes the other work since w, or "" when there was little.
func (w cpuWatch) busyNote(what string) string {
	o, ok := w.others()
	if !ok || o < busyBaseline {
		return ""
	}
	return fmt.Sprintf("the machine was busy during %s: other processes used %.1f of %d CPUs on average, so slowdowns may be theirs; rerun on a quiet machine",
		what, o, runtime.NumCPU())
}
