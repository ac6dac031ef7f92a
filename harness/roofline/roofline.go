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
// A bandwidth ceiling depends on the traffic's mix of reads and writes:
// on many machines (AMD's among them) a copy moves more bytes per second
// than reads alone, and a kernel that only reads cannot use that. A
// kernel's memory ceiling at a level is the best the probes showed for a
// mix with no larger share of writes than its own, interpolating between
// two probes' mixes (running each pattern part of the time reaches that
// line); with its writes unknown, the best of every probe. Between measured thread counts a ceiling is min(t x one-thread
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
	"github.com/nbench/nbench/suites/suite"
)

// Bound says what limits a result.
type Bound string

const (
	Memory  Bound = "memory"
	Compute Bound = "compute"
)

// ceiling is every probe's best value at each thread count, and the
// probe with the best of them (the first to reach it).
type ceiling struct {
	all   map[int]map[string]float64
	probe map[int]string
}

func (c *ceiling) add(threads int, v float64, probe string) {
	if c.all == nil {
		c.all, c.probe = map[int]map[string]float64{}, map[int]string{}
	}
	if c.all[threads] == nil {
		c.all[threads] = map[string]float64{}
	}
	c.all[threads][probe] = max(c.all[threads][probe], v)
	if v > c.best(threads) {
		c.probe[threads] = probe
	}
}

// best is the ceiling measured at t threads (0 if none).
func (c *ceiling) best(t int) float64 { return c.all[t][c.probe[t]] }

// RivalShare is how close (as a share of the ceiling) another probe's
// stored value must come to be a rival of the probe that set it.
const RivalShare = 0.05

// part is the one-probe Part for t threads: the probe that sets the
// ceiling and its rivals, the other probes of the kind whose stored value
// at t comes within RivalShare of it.
func (c *ceiling) part(k peak.Kind, t int, probe string, weight float64) Part {
	p := Part{Probe: probe, Kind: k, Threads: t, Weight: weight}
	if c == nil {
		return p
	}
	best := c.all[t][probe]
	for name, v := range c.all[t] {
		if name != probe && v >= (1-RivalShare)*best {
			p.Rivals = append(p.Rivals, name)
		}
	}
	sort.Strings(p.Rivals)
	return p
}

// at is the ceiling for t threads (see the package comment) and the probe
// that set it.
func (c *ceiling) at(t int) (float64, string) {
	if c == nil || len(c.probe) == 0 {
		return 0, ""
	}
	if probe, ok := c.probe[t]; ok {
		return c.best(t), probe
	}
	counts := make([]int, 0, len(c.probe))
	for n := range c.probe {
		counts = append(counts, n)
	}
	sort.Ints(counts)
	lo, hi := counts[0], counts[len(counts)-1]
	perThread := c.best(lo) / float64(lo)
	v := float64(t) * perThread
	if t > lo && hi > lo {
		v = math.Min(v, c.best(hi))
	}
	return v, c.probe[hi]
}

// mixes are one level's bandwidth ceilings, by the probes' traffic kind.
type mixes map[peak.Kind]*ceiling

// Part is one probe measurement a ceiling is made of: the ceiling is the
// sum over its parts of Weight times the probe's value at Threads (one
// part of weight 1, unless a mix of reads and writes falls between two
// probes' mixes).
type Part struct {
	Probe   string
	Kind    peak.Kind
	Threads int
	Weight  float64
	// Rivals are the probes of Kind whose stored value at Threads comes
	// within RivalShare of Probe's: at another moment one of them may be
	// the faster, so the ceiling measured again is the best of them all.
	Rivals []string
}

// at is the bandwidth for t threads of traffic that writes share of its
// bytes (share < 0: unknown), the probe (or "a+b" pair) that sets it, and
// its parts.
func (m mixes) at(t int, share float64) (float64, string, []Part) {
	type point struct {
		share, bw float64
		probe     string
		kind      peak.Kind
		parts     []Part
	}
	var pts []point
	for k, c := range m {
		if v, probe := c.at(t); v > 0 {
			pts = append(pts, point{k.WriteShare(), v, probe, k, []Part{c.part(k, t, probe, 1)}})
		}
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].share < pts[j].share })
	var best point
	for _, p := range pts {
		if (share < 0 || p.share <= share) && p.bw > best.bw {
			best = p
		}
	}
	for _, a := range pts {
		for _, b := range pts {
			if a.share < share && share < b.share {
				wb := (share - a.share) / (b.share - a.share) // b's part of the time
				if v := a.bw + (b.bw-a.bw)*wb; v > best.bw {
					pa, pb := a.parts[0], b.parts[0]
					pa.Weight, pb.Weight = 1-wb, wb
					best = point{share, v, a.probe + "+" + b.probe, "", []Part{pa, pb}}
					switch { // name a probe alone when the other is a trace
					case wb < 0.05:
						best.probe = a.probe
					case wb > 0.95:
						best.probe = b.probe
					}
				}
			}
		}
	}
	if best.bw == 0 && len(pts) > 0 { // no probe of a mix this light: the best of all
		return m.at(t, -1)
	}
	return best.bw, best.probe, best.parts
}

// Ceilings are one machine's roofs.
type Ceilings struct {
	Machine string
	Levels  []peak.Level // in order, DRAM last
	bw      map[string]mixes
	compute map[peak.Kind]*ceiling
}

// New builds the ceilings from a peak file. Failed probes are ignored.
func New(f *peak.File) *Ceilings {
	c := &Ceilings{Machine: f.Machine, Levels: f.Levels, bw: map[string]mixes{}, compute: map[peak.Kind]*ceiling{}}
	for _, r := range f.Results {
		if r.Err != "" || !(r.Median > 0) {
			continue
		}
		if r.Kind.Compute() {
			slot(c.compute, r.Kind).add(r.Threads, r.Median, r.Probe)
		} else {
			if c.bw[r.Level] == nil {
				c.bw[r.Level] = mixes{}
			}
			slot(c.bw[r.Level], r.Kind).add(r.Threads, r.Median, r.Probe)
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

// Bandwidth is the bandwidth ceiling (B/s) of a level for t threads, the
// best of every traffic mix; 0 when not measured.
func (c *Ceilings) Bandwidth(level string, t int) float64 {
	v, _, _ := c.bw[level].at(t, -1)
	return v
}

// ReadBandwidth is the bandwidth ceiling (B/s) of a level for t threads
// of traffic that only reads; 0 when not measured.
func (c *Ceilings) ReadBandwidth(level string, t int) float64 {
	v, _ := c.ReadProbe(level, t)
	return v
}

// ReadProbe is ReadBandwidth and the probe that measured it.
func (c *Ceilings) ReadProbe(level string, t int) (float64, string) {
	v, probe, _ := c.bw[level].at(t, 0)
	return v, probe
}

// Peak is the compute ceiling of a kind for t threads; 0 when not measured.
func (c *Ceilings) Peak(k peak.Kind, t int) float64 {
	v, _ := c.compute[k].at(t)
	return v
}

// Level is the memory level a working set of ws bytes, spread over t
// threads, fits in; DRAM when it fits in none (or ws is unknown, 0).
// Levels without a bandwidth measurement are skipped. A cache counts as
// holding a rotation up to twice its size, and the last one before DRAM
// up to harness.LLCRotation times: below that, part of the rotation still
// hits in it (replacement is not strict LRU), and the next level's
// ceiling would flatter.
func (c *Ceilings) Level(ws float64, t int) string {
	t = max(t, 1)
	for i, l := range c.Levels {
		if l.Name == peak.DRAM || len(c.bw[l.Name]) == 0 || ws <= 0 {
			continue
		}
		capacity := 2 * float64(l.Capacity)
		if i+1 < len(c.Levels) && c.Levels[i+1].Name == peak.DRAM {
			capacity = harness.LLCRotation * float64(l.Capacity)
		}
		shared := max(l.SharedBy, 1)
		instances := float64((t + shared - 1) / shared)
		// Strictly below: a rotation of exactly LLCRotation times the LLC
		// is the harness's cold rule for DRAM.
		if shared == 1 && ws/float64(t) < capacity || shared > 1 && ws < capacity*instances {
			return l.Name
		}
	}
	return peak.DRAM
}

// Work is one result as the roofline sees it: the counts of suite.Cost.
type Work struct {
	Flops   float64 // per run
	F64     bool    // Flops are float64 (their ceiling is fma64)
	Trans   float64 // transcendentals, also in Flops (ceiling exp32)
	IntOps  float64 // int8 dot-product ops (dot-i8)
	ALUOps  float64 // integer shift/add ops (int-alu)
	Bytes   float64 // per run
	Written float64 // of Bytes, the bytes stored; 0 when unknown
	Seconds float64 // per run (the median)
	// WorkingSet is the bytes the timed loop cycles through; 0 if unknown.
	WorkingSet float64
	Threads    int
}

// Point is a result placed under the roofs.
type Point struct {
	Bound Bound
	// Roof names the binding ceiling: a memory level ("L2", "DRAM") or a
	// compute kind ("fma32", "dot-i8", "int-alu", "fma64", "exp32").
	Roof string
	// Level is the memory level the working set lives in, whatever binds.
	Level string
	// Kind is the compute kind of the result's main arithmetic (its
	// largest time among compute ceilings), the axis a roofline chart
	// plots it on; Intensity is that work per byte (+Inf with no bytes)
	// and Balance that kind's ceiling over the level's bandwidth.
	Kind      peak.Kind
	Intensity float64
	Balance   float64
	Achieved  float64 // of the binding ceiling, in Unit
	Ceiling   float64 // in Unit
	Unit      string  // "B/s", "flop/s", "op/s" or "exp/s"
	// Percent is the least time the ceilings allow over the measured
	// time: the largest, over every resource the kernel uses, of its work
	// over that resource's ceiling.
	Percent float64
	Probe   string // the probe that set the binding ceiling
	// Parts are the probe measurements the binding ceiling is made of, to
	// measure it again (Ceiling is their weighted sum in the peak file).
	Parts []Part
	Work  float64 // per run, of the binding resource, in Unit x seconds
}

// String is the table cell: "34% L2", "12% fma32".
func (p Point) String() string { return p.Share() + " " + p.Roof }

// Share is the percentage alone, to a tenth below 10% ("0.4%", not "0%").
func (p Point) Share() string {
	if p.Percent >= 9.95 || p.Percent == 0 {
		return fmt.Sprintf("%.0f%%", p.Percent)
	}
	return fmt.Sprintf("%.1f%%", p.Percent)
}

// ErrNoCeiling means the peaks lack what a result needs.
var ErrNoCeiling = errors.New("no measured ceiling for this result")

// demand is one resource a result uses: its work, the ceiling's value and
// probe, and the kind (or level) naming it.
type demand struct {
	roof        string
	kind        peak.Kind // "" for memory
	work, limit float64
	probe       string
	parts       []Part
}

func (d demand) seconds() float64 { return d.work / d.limit }

// Classify places w under the roofs. Each resource the work uses (memory
// traffic at the working set's level; fp32 or fp64 FLOPs, int8 dot ops,
// integer ALU ops, exponentials) needs at least work/ceiling seconds; the
// largest of these is the least time the machine allows, and the resource
// that sets it binds. A resource whose ceiling was not measured (no probe
// of that kind here) is left out, which can only lower the percentage.
func (c *Ceilings) Classify(w Work) (Point, error) {
	if !(w.Seconds > 0) {
		return Point{}, errors.New("untimed result")
	}
	t := max(w.Threads, 1)
	level := c.Level(w.WorkingSet, t)
	var mem demand
	if w.Bytes > 0 {
		bw, probe, parts := c.bw[level].at(t, w.WriteShare())
		mem = demand{roof: level, work: w.Bytes, limit: bw, probe: probe, parts: parts}
	}
	flopKind := peak.FMA32
	if w.F64 {
		flopKind = peak.FMA64
	}
	int8Kind := peak.DotI8 // the best int8 unit: dot products, or a GPU's matrix units
	if mma, _ := c.compute[peak.MMAI8].at(t); mma > 0 {
		if dot, _ := c.compute[peak.DotI8].at(t); mma > dot {
			int8Kind = peak.MMAI8
		}
	}
	var computes []demand
	for _, d := range []struct {
		k    peak.Kind
		work float64
	}{{flopKind, w.Flops}, {int8Kind, w.IntOps}, {peak.IntALU, w.ALUOps}, {peak.Exp32, w.Trans}} {
		if d.work <= 0 || d.k == peak.Exp32 && w.F64 { // the exp probe is fp32
			continue
		}
		v, probe := c.compute[d.k].at(t)
		computes = append(computes, demand{roof: string(d.k), kind: d.k, work: d.work, limit: v, probe: probe,
			parts: []Part{c.compute[d.k].part(d.k, t, probe, 1)}})
	}

	binding := demand{}
	consider := func(d demand) {
		if d.limit > 0 && d.work > 0 && (binding.limit == 0 || d.seconds() > binding.seconds()) {
			binding = d
		}
	}
	consider(mem)
	var main demand // the compute kind a chart plots the result on
	for _, d := range computes {
		consider(d)
		if d.limit > 0 && (main.limit == 0 || d.seconds() > main.seconds()) {
			main = d
		}
	}
	if binding.limit == 0 {
		return Point{}, ErrNoCeiling
	}
	if main.limit == 0 { // no compute ceiling measured: the counts name the axis
		main.kind, main.work = w.MainKind()
	}
	p := Point{Roof: binding.roof, Level: level, Kind: main.kind, Intensity: math.Inf(1), Probe: binding.probe,
		Parts: binding.parts, Work: binding.work, Achieved: binding.work / w.Seconds, Ceiling: binding.limit, Unit: "B/s", Bound: Memory}
	if binding.kind != "" {
		p.Bound, p.Unit = Compute, binding.kind.Unit()
	}
	if w.Bytes > 0 {
		p.Intensity = main.work / w.Bytes
	}
	if mem.limit > 0 && main.limit > 0 {
		p.Balance = main.limit / mem.limit
	}
	p.Percent = 100 * binding.seconds() / w.Seconds
	return p, nil
}

// WriteShare is the share of w's traffic that it writes; -1 when unknown.
func (w Work) WriteShare() float64 {
	if w.Written > 0 && w.Bytes > 0 {
		return min(w.Written/w.Bytes, 1)
	}
	return -1
}

// MainKind is the compute kind of w's arithmetic by its counts alone (no
// ceilings): int8 dot products, else integer ALU ops, else its FLOPs.
func (w Work) MainKind() (peak.Kind, float64) {
	switch {
	case w.IntOps > 0:
		return peak.DotI8, w.IntOps
	case w.ALUOps > 0:
		return peak.IntALU, w.ALUOps
	case w.F64:
		return peak.FMA64, w.Flops
	}
	return peak.FMA32, w.Flops
}

// WorkOf is a result's counts as the roofline takes them: cost per run,
// the median time, the threads it ran on, and the bytes a run touches of
// one buffer set (harness.Touched; the traffic when the set's size is
// unknown, 0) rotated over sets (cold).
func WorkOf(c suite.Cost, seconds float64, threads int, setBytes float64, sets int, cold bool) Work {
	setBytes = float64(harness.Touched(int64(setBytes), c.Bytes))
	if setBytes <= 0 {
		setBytes = c.Bytes
	}
	return Work{Flops: c.Flops, F64: c.F64, Trans: c.Trans, IntOps: c.IntOps, ALUOps: c.ALUOps, Bytes: c.Bytes,
		Written: c.Written, Seconds: seconds, Threads: threads, WorkingSet: WorkingSet(setBytes, sets, cold)}
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
		if len(c.bw[l.Name]) > 0 {
			out = append(out, l.Name)
		}
	}
	return out
}

// WorkingSet is the bytes a timed loop cycles through: one buffer set of
// about bytes, times the rotated sets (harness.Result.Sets). When sets is
// unknown (0, as in benchfmt files) and the run rotated buffers (cache
// "cold"), it follows the harness's rule (harness.RotatedSets) with the
// default CacheBytes.
func WorkingSet(bytes float64, sets int, cold bool) float64 {
	if sets > 0 {
		return bytes * float64(sets)
	}
	if !cold || bytes <= 0 {
		return bytes
	}
	return bytes * float64(harness.RotatedSets(int64(bytes), harness.DefaultOptions().CacheBytes, 0))
}
