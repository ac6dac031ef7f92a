package peak

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/nbench/nbench/harness/machine"
)

// Level is a memory level the bandwidth probes run in: its capacity (per
// instance) and how many logical CPUs share one instance (1 = private).
type Level struct {
	Name     string `json:"name"`
	Capacity int64  `json:"capacity_bytes"`
	SharedBy int    `json:"shared_by"`
	// Assumed marks a capacity nbench did not find and guessed.
	Assumed bool `json:"assumed,omitempty"`
	// Reported is the L3 size reported where Capacity is the smaller
	// reach measured: DRAM sets get past it.
	Reported int64 `json:"reported_bytes,omitempty"`
}

// Level names.
const (
	L1   = "L1"
	L2   = "L2"
	L3   = "L3"
	DRAM = "DRAM"
)

// Fallbacks when the description lacks a cache size: small enough to be
// inside the real cache on any current CPU.
const (
	fallbackL1 = 32 << 10
	fallbackL2 = 512 << 10
)

// Levels derives the memory levels from a description. An unknown L1 or L2
// gets a conservative assumed size; an unknown L3 is left out (DRAM sizes
// then use 32 MiB as a stand-in). A known L3's capacity is as held
// (machine.Caches.HeldL3: the reach nbench peak measured, else the size
// reported), which sizes its probes and the working sets judged against
// it; DRAM probe sets get past the size reported, never
// machine.CountedL3: a VM's report is its host's cache, an upper bound of
// what it may hold, as kernels' rotations are (harness.SetLastLevelCache).
// DRAM's capacity is the memory size.
func Levels(d machine.Description) []Level {
	all := max(d.LogicalCPUs, 1)
	var ls []Level
	l1, l2 := d.Caches.L1D, d.Caches.L2
	ls = append(ls, Level{Name: L1, Capacity: l1, SharedBy: 1})
	if l1 <= 0 {
		ls[0].Capacity, ls[0].Assumed = fallbackL1, true
	}
	l2l := Level{Name: L2, Capacity: l2, SharedBy: 1}
	if l2 <= 0 || l2 <= ls[0].Capacity {
		l2l.Capacity, l2l.Assumed = max(fallbackL2, 8*ls[0].Capacity), true
	}
	ls = append(ls, l2l)
	if l3 := d.Caches.HeldL3(); l3 > l2l.Capacity {
		shared := d.Caches.L3SharedBy
		if shared <= 0 || shared > all {
			shared = all
		}
		l := Level{Name: L3, Capacity: l3, SharedBy: shared}
		if d.Caches.L3 > l3 {
			l.Reported = d.Caches.L3
		}
		ls = append(ls, l)
	}
	ls = append(ls, Level{Name: DRAM, Capacity: int64(d.MemoryBytes), SharedBy: all})
	return ls
}

// Options control a measurement.
type Options struct {
	BenchTime time.Duration // length of one sample (default 50ms)
	Count     int           // samples per measurement (default 5)
	// Threads lists the thread counts to measure (default 1 and all logical CPUs).
	Threads []int
	// DRAMBytes is the minimum DRAM working set over all threads
	// (default 256 MiB; at least 8x the total L3 in any case).
	DRAMBytes int64
	// Probes to run (default every registered probe).
	Probes []Probe
	// Levels to measure bandwidth at, by name (default all).
	Levels []string
	// Progress, when set, is called before each measurement.
	Progress func(done, total int, label string)
}

func (o *Options) defaults(d machine.Description) {
	if o.BenchTime <= 0 {
		o.BenchTime = 50 * time.Millisecond
	}
	if o.Count <= 0 {
		o.Count = 5
	}
	if len(o.Threads) == 0 {
		o.Threads = []int{1}
		if d.LogicalCPUs > 1 {
			o.Threads = append(o.Threads, d.LogicalCPUs)
		}
	}
	if o.DRAMBytes <= 0 {
		o.DRAMBytes = 256 << 20
	}
	if o.Probes == nil {
		o.Probes = Probes()
	}
}

// Result is one measurement: a probe, at one level (bandwidth) with a
// number of threads. Values are in Unit; Median is the ceiling used.
type Result struct {
	Probe   string    `json:"probe"`
	Kind    Kind      `json:"kind"`
	Level   string    `json:"level,omitempty"`
	Bytes   int64     `json:"working_set_bytes,omitempty"` // all threads together
	Threads int       `json:"threads"`
	Unit    string    `json:"unit"`
	Median  float64   `json:"median"`
	Max     float64   `json:"max"`
	Samples []float64 `json:"samples"`
	Err     string    `json:"error,omitempty"` // the probe failed its check
}

// plan is one measurement to run.
type plan struct {
	probe   Probe
	level   Level
	perThr  int64 // working set per thread (bandwidth)
	threads int
}

func (p plan) label() string {
	if p.probe.Kind.Compute() {
		return fmt.Sprintf("%s, %d thread(s)", p.probe.Name, p.threads)
	}
	return fmt.Sprintf("%s in %s (%s per thread), %d thread(s)", p.probe.Name, p.level.Name, machine.Bytes(p.perThr), p.threads)
}

// perThread is the working set of one thread at a level, or 0 when the
// level cannot be measured apart from the one below it.
func perThread(ls []Level, i, threads int, dramMin int64) int64 {
	l := ls[i]
	switch l.Name {
	case L1, L2:
		return l.Capacity / 2
	case L3:
		instances := max(1, (threads+l.SharedBy-1)/l.SharedBy)
		total := l.Capacity / 2 * int64(instances)
		per := total / int64(threads)
		if below := ls[i-1].Capacity; per < 2*below {
			// Too little L3 per thread to stay out of L2: measure at twice
			// L2 if that still fits, else give up on this level.
			per = 2 * below
			if per*int64(threads) > l.Capacity*int64(instances)*3/4 {
				return 0
			}
		}
		return per
	}
	// DRAM: well past every cache, bounded by a quarter of the memory.
	total := dramMin
	for _, c := range ls {
		if c.Name == L3 {
			inst := int64(max(1, (threads+c.SharedBy-1)/c.SharedBy))
			total = max(total, 8*max(c.Capacity, c.Reported)*inst)
		}
	}
	if l.Capacity > 0 {
		total = min(total, l.Capacity/4)
	}
	return total / int64(threads)
}

// Measure runs every probe: bandwidth probes at every level, compute probes
// once, each for every thread count. A probe that fails its check gives a
// Result with Err set and no samples; Measure itself fails only when
// nothing could be measured.
func Measure(d machine.Description, opt Options) ([]Level, []Result, error) {
	opt.defaults(d)
	levels := Levels(d)
	var plans []plan
	for _, p := range opt.Probes {
		for _, t := range opt.Threads {
			if p.Kind.Compute() {
				plans = append(plans, plan{probe: p, threads: t})
				continue
			}
			for i, l := range levels {
				if opt.Levels != nil && !slices.Contains(opt.Levels, l.Name) {
					continue
				}
				if per := perThread(levels, i, t, opt.DRAMBytes); per > 0 {
					plans = append(plans, plan{probe: p, level: l, perThr: per, threads: t})
				}
			}
		}
	}
	// GC off: the probes allocate once per measurement, and a collection
	// inside a sample would be timed.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var out []Result
	ok := 0
	var err error
	for i, pl := range plans {
		if opt.Progress != nil {
			opt.Progress(i, len(plans), pl.label())
		}
		r := Result{Probe: pl.probe.Name, Kind: pl.probe.Kind, Threads: pl.threads, Unit: pl.probe.Kind.Unit()}
		if !pl.probe.Kind.Compute() {
			r.Level, r.Bytes = pl.level.Name, pl.perThr*int64(pl.threads)
		}
		r.Samples, err = samples(d, pl, opt)
		runtime.GC()
		if err != nil {
			r.Err, r.Samples = err.Error(), nil
		} else {
			r.Median, r.Max = medianMax(r.Samples)
			ok++
		}
		out = append(out, r)
	}
	if ok == 0 {
		return levels, out, fmt.Errorf("no probe could be measured")
	}
	return levels, out, nil
}

// samples takes opt.Count samples of one plan.
func samples(d machine.Description, pl plan, opt Options) ([]float64, error) {
	s, err := NewSampler(d, pl.probe, pl.level.Name, pl.threads, opt)
	if err != nil {
		return nil, err
	}
	return s.take(opt.Count)
}

// take takes count samples, verifies them and closes s.
func (s *Sampler) take(count int) ([]float64, error) {
	defer s.Close()
	var out []float64
	for range count {
		v, err := s.Sample()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := s.Verify(); err != nil {
		return nil, err
	}
	return out, nil
}

func medianMax(s []float64) (float64, float64) {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	n := len(c)
	if n%2 == 1 {
		return c[n/2], c[n-1]
	}
	return (c[n/2-1] + c[n/2]) / 2, c[n-1]
}

// parallel runs f(i) on threads goroutines, each locked to its own OS
// thread, released together; it returns the time until the last finishes.
// A panicking probe becomes an error.
func parallel(threads int, f func(i int)) (time.Duration, error) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	panics := make([]any, threads)
	ready.Add(threads)
	done.Add(threads)
	for i := 0; i < threads; i++ {
		go func(i int) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			defer done.Done()
			defer func() { panics[i] = recover() }()
			ready.Done()
			<-start
			f(i)
		}(i)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	d := time.Since(t0)
	for _, p := range panics {
		if p != nil {
			return d, fmt.Errorf("panic: %v", p)
		}
	}
	return d, nil
}

// safely calls f, turning a panic into an error.
func safely(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

// Sampler is one probe prepared at a level (bandwidth) and thread count:
// its data allocated and checked, its work per sample calibrated to about
// a benchtime. Sample then measures it on demand, so a caller can take its
// samples between others' (nbench run --peak-now times a case's binding
// ceiling between the case's own samples). A Sampler is not safe for
// concurrent use; Close frees its data.
type Sampler struct {
	pl     plan
	data   []*streamData // bandwidth: one per thread
	n      int           // compute: iterations per call
	want   float64       // compute: a call's checked result
	repeat int           // passes (bandwidth) or calls (compute) per sample
	errs   []error
}

// NewSampler prepares probe p at the named level (ignored for compute
// probes) for threads threads, calibrated to opt.BenchTime.
func NewSampler(d machine.Description, p Probe, level string, threads int, opt Options) (*Sampler, error) {
	opt.defaults(d)
	pl := plan{probe: p, threads: max(threads, 1)}
	if !p.Kind.Compute() {
		levels := Levels(d)
		i := slices.IndexFunc(levels, func(l Level) bool { return l.Name == level })
		if i < 0 {
			return nil, fmt.Errorf("no memory level %q on this machine", level)
		}
		if pl.level, pl.perThr = levels[i], perThread(levels, i, pl.threads, opt.DRAMBytes); pl.perThr <= 0 {
			return nil, fmt.Errorf("level %s cannot be measured apart from the one below it at %d thread(s)", level, pl.threads)
		}
	}
	return newSampler(pl, opt)
}

// newSampler prepares a plan, calibrated to opt.BenchTime.
func newSampler(pl plan, opt Options) (*Sampler, error) {
	p := pl.probe
	s := &Sampler{pl: pl, errs: make([]error, pl.threads)}
	var err error
	if p.Kind.Compute() {
		err = safely(func() error { return s.calibrateCompute(opt.BenchTime) })
	} else {
		err = safely(func() error { return s.calibrateStream(opt.BenchTime) })
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Verify checks the output of a copy or triad probe (a read is checked
// every pass): call it after the samples.
func (s *Sampler) Verify() error {
	if s.pl.probe.Kind.Compute() || s.pl.probe.Kind == Read {
		return nil
	}
	for _, sd := range s.data {
		if err := sd.check(s.pl.probe, 0); err != nil {
			return err
		}
	}
	return nil
}

// Close frees the sampler's data.
func (s *Sampler) Close() { s.data = nil }

// Sample measures the probe once, in its unit (B/s, flop/s, op/s or
// exp/s), checking every result.
func (s *Sampler) Sample() (float64, error) {
	var v float64
	err := safely(func() (err error) {
		if s.pl.probe.Kind.Compute() {
			v, err = s.sampleCompute()
		} else {
			v, err = s.sampleStream()
		}
		return err
	})
	return v, err
}

// calibrateCompute sets n so a call lasts about a tenth of a sample, and
// the calls per sample.
func (s *Sampler) calibrateCompute(benchTime time.Duration) error {
	p := s.pl.probe
	n := 1 << 10
	for {
		t0 := time.Now()
		p.Compute(n)
		d := time.Since(t0)
		if d >= benchTime/10 || n >= MaxIters {
			break
		}
		if d <= 0 {
			n *= 16
		} else {
			n = int(float64(n) * float64(benchTime/10) / float64(d) * 1.2)
		}
		n = min(max(n, 1<<10), MaxIters)
	}
	s.n, s.want = n, Scalar(p.Kind, n)
	if err := checkCompute(p, n, p.Compute(n), s.want); err != nil {
		return err
	}
	t0 := time.Now()
	p.Compute(n)
	s.repeat = max(1, int(benchTime/max(time.Since(t0), time.Nanosecond)))
	return nil
}

func (s *Sampler) sampleCompute() (float64, error) {
	p, n := s.pl.probe, s.n
	d, err := parallel(s.pl.threads, func(i int) {
		for c := 0; c < s.repeat; c++ {
			if err := checkCompute(p, n, p.Compute(n), s.want); err != nil && s.errs[i] == nil {
				s.errs[i] = err
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if err := errors.Join(s.errs...); err != nil {
		return 0, err
	}
	return float64(s.pl.threads*s.repeat*n) * p.OpsPerIter() / d.Seconds(), nil
}

// streamData is one thread's arrays: x and y hold 0s and 1s, so every triad
// value is exact in float32, and x holds at most 2^24 ones, so every partial
// sum a read probe can form is exact in float32 too, however it splits the
// array among accumulators (half ones in the 2 GB DRAM set of a 260 MB L3
// carried go-read's float32 accumulators past 2^24).
type streamData struct {
	dst, x, y []float32
	sum       float64 // sum of x, computed once by a scalar loop
}

// maxExactOnes is the most ones a float32 sum counts exactly.
const maxExactOnes = 1 << 24

func newStreamData(k Kind, bytes int64) *streamData {
	arrays := map[Kind]int64{Read: 1, Copy: 2, Triad: 3}[k]
	n := int(max(bytes/4/arrays, 64))
	s := &streamData{x: make([]float32, n)}
	if k != Read {
		s.dst = make([]float32, n)
	}
	if k == Triad {
		s.y = make([]float32, n)
	}
	// One element in 2^k is a one, spread over the whole array (so a probe
	// that skips part of it gets a wrong sum), with sparse = k the least that keeps their
	// expected number at most half of maxExactOnes; the cap makes it certain.
	sparse := 1
	for n>>sparse > maxExactOnes/2 {
		sparse++
	}
	h := uint32(2463534242)
	ones := 0
	for i := range s.x {
		h ^= h << 13
		h ^= h >> 17
		h ^= h << 5
		// Every element is written, zeros too: a page never written reads
		// as the kernel's shared zero page, from cache, at any set size.
		s.x[i] = 0
		if h>>(32-sparse) == 1<<sparse-1 && ones < maxExactOnes {
			s.x[i] = 1
			ones++
		}
		if s.y != nil {
			s.y[i] = float32(h >> 30 & 1)
		}
		s.sum += float64(s.x[i])
	}
	return s
}

// bytes is the traffic of one pass.
func (s *streamData) bytes() float64 {
	return 4 * float64(len(s.x)+len(s.dst)+len(s.y))
}

// check verifies one pass of a probe.
func (s *streamData) check(p Probe, got float64) error {
	switch p.Kind {
	case Read:
		if d := got - s.sum; d > 1e-6*s.sum || -d > 1e-6*s.sum {
			return fmt.Errorf("probe %s: read returned %v, the scalar sum is %v", p.Name, got, s.sum)
		}
	case Copy, Triad:
		for i, v := range s.x {
			want := v
			if p.Kind == Triad {
				want = v + TriadScalar*s.y[i]
			}
			if s.dst[i] != want {
				return fmt.Errorf("probe %s: element %d is %v, the scalar computation gives %v", p.Name, i, s.dst[i], want)
			}
		}
	}
	return nil
}

// calibrateStream gives every thread its own arrays (written by that
// thread, so they are local to it), checks one pass, then sets the passes
// per sample with all threads running.
func (s *Sampler) calibrateStream(benchTime time.Duration) error {
	p, pl := s.pl.probe, s.pl
	s.data = make([]*streamData, pl.threads)
	if _, err := parallel(pl.threads, func(i int) { s.data[i] = newStreamData(p.Kind, pl.perThr) }); err != nil {
		return err
	}
	for _, sd := range s.data {
		clear(sd.dst)
		if err := sd.check(p, p.Stream(sd.dst, sd.x, sd.y)); err != nil {
			return err
		}
	}
	passes := 1
	for {
		d, err := parallel(pl.threads, func(i int) {
			for k := 0; k < passes; k++ {
				p.Stream(s.data[i].dst, s.data[i].x, s.data[i].y)
			}
		})
		if err != nil {
			return err
		}
		if d >= benchTime/4 || passes >= 1<<24 {
			s.repeat = max(1, int(float64(passes)*float64(benchTime)/float64(max(d, time.Nanosecond))))
			return nil
		}
		passes *= 4
	}
}

// sampleStream times one sample of passes, checking reads every pass
// (copies and triads write the same output every pass: Verify checks it
// once, outside the timing).
func (s *Sampler) sampleStream() (float64, error) {
	p := s.pl.probe
	if s.data == nil {
		return 0, errors.New("sample of a closed probe")
	}
	d, err := parallel(s.pl.threads, func(i int) {
		sd := s.data[i]
		for k := 0; k < s.repeat; k++ {
			got := p.Stream(sd.dst, sd.x, sd.y)
			if p.Kind == Read && s.errs[i] == nil {
				s.errs[i] = sd.check(p, got)
			}
		}
	})
	if err != nil {
		return 0, err
	}
	if err := errors.Join(s.errs...); err != nil {
		return 0, err
	}
	var total float64
	for _, sd := range s.data {
		total += sd.bytes() * float64(s.repeat)
	}
	return total / d.Seconds(), nil
}
