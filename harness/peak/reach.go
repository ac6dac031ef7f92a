package peak

import (
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/nbench/nbench/harness/machine"
)

// SweepPoint is one working set of the L3 reach sweep: one thread's read
// bandwidth over an array of that size, the median of its samples.
type SweepPoint struct {
	Bytes  int64   `json:"bytes"`
	Median float64 `json:"median"` // B/s
}

// reachDrop is the share of the L3's read bandwidth below which a working
// set counts as read from DRAM. On the Xeon VM here reads ran at 28 GB/s
// from 4 to 64 MB, 25 at 128 MB and 16-17 from 192 MB on (a drop to 0.6);
// on CPUs whose L3 is less than 1.3x faster than DRAM the sweep cannot
// tell them apart and finds no reach.
const reachDrop = 0.75

// reachSizes are the working sets swept: from twice the L2 (out of it) in
// steps of 1.5x and 4/3 (alternately, so every doubling has a midpoint) up
// to twice the reported L3 (a working set it cannot hold), at most an
// eighth of the memory.
func reachSizes(d machine.Description) []int64 {
	from, to := 2*max(d.Caches.L2, fallbackL2), 2*d.Caches.L3
	if d.MemoryBytes > 0 {
		to = min(to, int64(d.MemoryBytes/8))
	}
	var out []int64
	for s, i := from, 0; s <= to; i++ {
		out = append(out, s)
		if i%2 == 0 {
			s = s * 3 / 2
		} else {
			s = s * 4 / 3
		}
	}
	return out
}

// reachOf decides the reach from a sweep: the working set just before the
// sweep's last points all read below reachDrop times the L3's bandwidth
// (the best of its first two points, which are in the L3), at most the
// reported L3. A drop must last two points: one slow sample between fast
// ones is a neighbour's moment, and taking it for the reach would shrink
// the DRAM sets and rotations below what the cache holds. It is 0 (the
// reported size stands) when the sweep ends without such a drop.
func reachOf(sweep []SweepPoint, reported int64) int64 {
	if len(sweep) < 4 {
		return 0
	}
	ref := l3Speed(sweep)
	first := len(sweep)
	for first > 2 && sweep[first-1].Median < reachDrop*ref {
		first--
	}
	if len(sweep)-first < 2 {
		return 0
	}
	return min(sweep[first-1].Bytes, reported)
}

// l3Speed is the L3's read bandwidth in a reach sweep: the best of its
// first two points, which are in the L3.
func l3Speed(sweep []SweepPoint) float64 { return max(sweep[0].Median, sweep[1].Median) }

// MeasureReach sweeps one thread's reads over growing working sets, with
// the fastest read probe (which it returns), to find how much of the
// reported L3 this machine holds (machine.Caches.L3Reach). It stops at the
// second point in a row below the drop. Progress, when set, is called
// before each point.
func MeasureReach(d machine.Description, opt Options) (int64, []SweepPoint, Probe, error) {
	opt.defaults(d)
	if d.Caches.L3 <= 0 {
		return 0, nil, Probe{}, fmt.Errorf("no L3 reported: nothing to sweep")
	}
	sizes := reachSizes(d)
	if len(sizes) < 3 {
		return 0, nil, Probe{}, fmt.Errorf("the L3 (%s) is too close to the L2 (%s) to sweep", machine.Bytes(d.Caches.L3), machine.Bytes(d.Caches.L2))
	}
	probe, err := fastestRead(sizes[0], opt)
	if err != nil {
		return 0, nil, probe, err
	}
	var sweep []SweepPoint
	below := 0 // consecutive points below the drop
	for i, size := range sizes {
		if opt.Progress != nil {
			opt.Progress(i, len(sizes), fmt.Sprintf("L3 reach: %s over %s, 1 thread", probe.Name, machine.Bytes(size)))
		}
		v, err := sampleAt(probe, size, opt)
		if err != nil {
			return 0, sweep, probe, err
		}
		sweep = append(sweep, SweepPoint{Bytes: size, Median: v})
		if len(sweep) <= 2 || v >= reachDrop*l3Speed(sweep) {
			below = 0
		} else if below++; below == 2 {
			break
		}
	}
	return reachOf(sweep, d.Caches.L3), sweep, probe, nil
}

// fastestRead is the read probe with the best median over bytes.
func fastestRead(bytes int64, opt Options) (Probe, error) {
	var best Probe
	bestV := math.Inf(-1)
	var errs []error
	for _, p := range opt.Probes {
		if p.Kind != Read {
			continue
		}
		v, err := sampleAt(p, bytes, opt)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v > bestV {
			best, bestV = p, v
		}
	}
	if best.Name == "" {
		return best, fmt.Errorf("no read probe could be measured: %v", errs)
	}
	return best, nil
}

// sampleAt is the median of opt.Count samples of a bandwidth probe over
// bytes at one thread.
func sampleAt(p Probe, bytes int64, opt Options) (float64, error) {
	s, err := newSampler(plan{probe: p, level: Level{Name: L3}, perThr: bytes, threads: 1}, opt)
	if err != nil {
		return 0, err
	}
	v, err := s.take(opt.Count)
	runtime.GC()
	if err != nil {
		return 0, err
	}
	med, _ := medianMax(v)
	return med, nil
}

// MeasurePassReach sweeps the data one thread reads once from DRAM and
// then finds in cache on a second read right after (machine.Caches.
// PassReach), up to the held L3: each sample first reads twice an array of
// twice the held L3 (an L3 that keeps only lines read twice is then full
// of those, and holds none of the array measured), reads the array once,
// and times its second read, with probe (MeasureReach's). ref is the L3's
// read bandwidth (l3Speed of the reach sweep); the pass reach is the last
// size before two points in a row read below reachDrop times it, or the
// L2 if the first two do. It stops there.
func MeasurePassReach(d machine.Description, probe Probe, ref float64, opt Options) (int64, []SweepPoint, error) {
	opt.defaults(d)
	held := d.Caches.HeldL3()
	var sizes []int64
	for _, s := range reachSizes(d) {
		if s <= held {
			sizes = append(sizes, s)
		}
	}
	if len(sizes) == 0 || !(ref > 0) {
		return 0, nil, fmt.Errorf("no L3 beyond the L2 to sweep, or no L3 bandwidth to compare with")
	}
	flushBytes := 2 * held
	if d.MemoryBytes > 0 {
		flushBytes = min(flushBytes, int64(d.MemoryBytes/8))
	}
	flush := newStreamData(Read, flushBytes)
	defer runtime.GC()
	var sweep []SweepPoint
	below := 0
	for i, size := range sizes {
		if opt.Progress != nil {
			opt.Progress(i, len(sizes), fmt.Sprintf("pass reach: a second read over %s, 1 thread", machine.Bytes(size)))
		}
		v, err := secondRead(probe, flush, size, opt.Count)
		if err != nil {
			return 0, sweep, err
		}
		sweep = append(sweep, SweepPoint{Bytes: size, Median: v})
		if v >= reachDrop*ref {
			below = 0
		} else if below++; below == 2 {
			break
		}
	}
	return passReachOf(sweep, ref, max(d.Caches.L2, fallbackL2)), sweep, nil
}

// secondRead is the median over count samples of the second of two reads
// of an array of bytes after the flush array's two reads, in B/s; every
// read's sum is checked.
func secondRead(p Probe, flush *streamData, bytes int64, count int) (float64, error) {
	x := newStreamData(Read, bytes)
	read := func(s *streamData) error { return s.check(p, p.Stream(nil, s.x, nil)) }
	v := make([]float64, 0, count)
	for range count {
		for _, s := range []*streamData{flush, flush, x} {
			if err := read(s); err != nil {
				return 0, err
			}
		}
		start := time.Now()
		if err := read(x); err != nil {
			return 0, err
		}
		v = append(v, x.bytes()/max(time.Since(start).Seconds(), 1e-9))
	}
	med, _ := medianMax(v)
	return med, nil
}

// passReachOf decides the pass reach from its sweep: the last size read
// at L3 speed (at least reachDrop times ref) before the first two points
// in a row below it; l2 when the sweep starts with those (a pass then
// leaves only what the L2 holds).
func passReachOf(sweep []SweepPoint, ref float64, l2 int64) int64 {
	kept := l2
	for i, p := range sweep {
		switch {
		case p.Median >= reachDrop*ref:
			kept = p.Bytes
		case i+1 == len(sweep) || sweep[i+1].Median < reachDrop*ref:
			return kept
		}
	}
	return kept
}
