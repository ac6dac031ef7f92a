// Package roofline turns a machine's measured peaks into ceilings and
// places a result under them: its arithmetic intensity (work per byte)
// against the machine balance (compute ceiling over bandwidth ceiling)
// says whether it is memory- or compute-bound, and its "% of peak" is its
// achieved throughput over the ceiling that bounds it:
//
//   - memory-bound: achieved B/s over the bandwidth of the level its
//     working set fits in (L1, L2, L3 or DRAM), for the threads it used;
//   - compute-bound: achieved FLOP/s (int op/s for integer kernels) over
//     the best compute probe's one-thread peak times the threads used.
//
// Bandwidth ceilings are the best of the read, copy and triad probes at a
// level. Between measured thread counts a ceiling is min(t x one-thread
// value, value at the largest count measured): private caches scale with
// threads, DRAM saturates. With one thread count measured, ceilings scale
// linearly.
package roofline

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/peak"
)

// Bound says what limits a result.
type Bound string

const (
	Memory  Bound = "memory"
	Compute Bound = "compute"
)

// ceiling is the best value measured at each thread count.
type ceiling struct {
	byThreads map[int]float64
	probe     map[int]string
}

func (c *ceiling) add(threads int, v float64, probe string) {
	if c.byThreads == nil {
		c.byThreads, c.probe = map[int]float64{}, map[int]string{}
	}
	if v > c.byThreads[threads] {
		c.byThreads[threads], c.probe[threads] = v, probe
	}
}

// at is the ceiling for t threads (see the package comment) and the probe
// that set it.
func (c *ceiling) at(t int) (float64, string) {
	if c == nil || len(c.byThreads) == 0 {
		return 0, ""
	}
	if v, ok := c.byThreads[t]; ok {
		return v, c.probe[t]
	}
	counts := make([]int, 0, len(c.byThreads))
	for n := range c.byThreads {
		counts = append(counts, n)
	}
	sort.Ints(counts)
	lo, hi := counts[0], counts[len(counts)-1]
	perThread := c.byThreads[lo] / float64(lo)
	v := float64(t) * perThread
	if t > lo && hi > lo {
		v = math.Min(v, c.byThreads[hi])
	}
	return v, c.probe[hi]
}

// Ceilings are one machine's roofs.
type Ceilings struct {
	Machine string
	Levels  []peak.Level // in order, DRAM last
	bw      map[string]*ceiling
	compute map[peak.Kind]*ceiling
}

// New builds the ceilings from a peak file. Failed probes are ignored.
func New(f *peak.File) *Ceilings {
	c := &Ceilings{Machine: f.Machine, Levels: f.Levels, bw: map[string]*ceiling{}, compute: map[peak.Kind]*ceiling{}}
	for _, r := range f.Results {
		if r.Err != "" || !(r.Median > 0) {
			continue
		}
		if r.Kind.Compute() {
			slot(c.compute, r.Kind).add(r.Threads, r.Median, r.Probe)
		} else {
			slot(c.bw, r.Level).add(r.Threads, r.Median, r.Probe)
		}
	}
	return c
}

func slot[K comparable](m map[K]*ceiling, k K) *ceiling {
	if m[k] == nil {
		m[k] = &ceiling{}
	}
	return m[k]
}

// Bandwidth is the bandwidth ceiling (B/s) of a level for t threads; 0 when not measured.
func (c *Ceilings) Bandwidth(level string, t int) float64 {
	v, _ := c.bw[level].at(t)
	return v
}

// Peak is the compute ceiling of a kind for t threads; 0 when not measured.
func (c *Ceilings) Peak(k peak.Kind, t int) float64 {
	v, _ := c.compute[k].at(t)
	return v
}

// Level is the memory level a working set of ws bytes, spread over t
// threads, fits in; DRAM when it fits in none (or ws is unknown, 0).
// Levels without a bandwidth measurement are skipped.
func (c *Ceilings) Level(ws float64, t int) string {
	t = max(t, 1)
	for _, l := range c.Levels {
		if l.Name == peak.DRAM || c.bw[l.Name] == nil || ws <= 0 {
			continue
		}
		shared := max(l.SharedBy, 1)
		instances := float64((t + shared - 1) / shared)
		if shared == 1 && ws/float64(t) <= float64(l.Capacity) || shared > 1 && ws <= float64(l.Capacity)*instances {
			return l.Name
		}
	}
	return peak.DRAM
}

// Work is one result as the roofline sees it.
type Work struct {
	Flops, IntOps, Bytes float64 // per run
	Seconds              float64 // per run (the median)
	WorkingSet           float64 // bytes the timed loop cycles through; 0 if unknown
	Threads              int
}

// Point is a result placed under the roofs.
type Point struct {
	Bound Bound
	// Roof names the ceiling: a memory level ("L2", "DRAM") or a compute
	// kind ("fma32", "dot-i8").
	Roof      string
	Intensity float64 // work per byte (flop/B or op/B); +Inf with no bytes
	Balance   float64 // compute ceiling over the bandwidth ceiling at the result's level
	Achieved  float64 // in Unit
	Ceiling   float64 // in Unit
	Unit      string  // "B/s", "flop/s" or "op/s"
	Percent   float64
	Probe     string // the probe that set the ceiling
}

// String is the table cell: "34% L2", "12% fma32".
func (p Point) String() string {
	if p.Percent >= 9.95 || p.Percent == 0 {
		return fmt.Sprintf("%.0f%% %s", p.Percent, p.Roof)
	}
	return fmt.Sprintf("%.1f%% %s", p.Percent, p.Roof)
}

// ErrNoCeiling means the peaks lack what a result needs.
var ErrNoCeiling = errors.New("no measured ceiling for this result")

// Classify places w under the roofs.
func (c *Ceilings) Classify(w Work) (Point, error) {
	if !(w.Seconds > 0) {
		return Point{}, errors.New("untimed result")
	}
	t := max(w.Threads, 1)
	kind, work := peak.FMA32, w.Flops
	if w.IntOps > 0 {
		kind, work = peak.DotI8, w.IntOps
	}
	level := c.Level(w.WorkingSet, t)
	bw, bwProbe := c.bw[level].at(t)
	pk, pkProbe := c.compute[kind].at(t)
	p := Point{Intensity: math.Inf(1)}
	if w.Bytes > 0 {
		p.Intensity = work / w.Bytes
	}
	if bw > 0 && pk > 0 {
		p.Balance = pk / bw
	}
	memoryBound := w.Bytes > 0 && bw > 0 && (pk <= 0 || work <= 0 || p.Intensity < p.Balance)
	switch {
	case memoryBound:
		p.Bound, p.Roof, p.Unit, p.Probe = Memory, level, "B/s", bwProbe
		p.Achieved, p.Ceiling = w.Bytes/w.Seconds, bw
	case work > 0 && pk > 0:
		p.Bound, p.Roof, p.Unit, p.Probe = Compute, string(kind), kind.Unit(), pkProbe
		p.Achieved, p.Ceiling = work/w.Seconds, pk
	default:
		return Point{}, ErrNoCeiling
	}
	p.Percent = 100 * p.Achieved / p.Ceiling
	return p, nil
}

// Attainable is the roofline itself: min(compute peak, intensity x bandwidth)
// at a level, in the compute kind's unit.
func (c *Ceilings) Attainable(k peak.Kind, level string, t int, intensity float64) float64 {
	return math.Min(c.Peak(k, t), intensity*c.Bandwidth(level, t))
}

// MemoryLevels lists the levels with a bandwidth ceiling, in order.
func (c *Ceilings) MemoryLevels() []string {
	var out []string
	for _, l := range c.Levels {
		if c.bw[l.Name] != nil {
			out = append(out, l.Name)
		}
	}
	return out
}

// WorkingSet is the bytes a timed loop cycles through: one buffer set of
// about bytes, times the rotated sets (harness.Result.Sets). When sets is
// unknown (0, as in benchfmt files) and the run rotated buffers (cache
// "cold"), it follows the harness's rule: sets until CacheBytes is
// exceeded, at most 64.
func WorkingSet(bytes float64, sets int, cold bool) float64 {
	if sets > 0 {
		return bytes * float64(sets)
	}
	if !cold || bytes <= 0 {
		return bytes
	}
	cacheBytes := float64(harness.DefaultOptions().CacheBytes)
	return bytes * math.Min(math.Ceil(cacheBytes/bytes), 64)
}
