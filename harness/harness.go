// Package harness measures and judges kernels: for every (case, backend) it
// checks the outputs of one run on fresh random inputs against the suite's
// float64 reference, then times the bound kernel (warm-up, calibrated
// iterations, several samples, rotated buffers, GC out of the timed region).
package harness

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Item is one kernel at one shape, planned for a run.
type Item struct {
	Kernel *suite.Kernel
	Params suite.Params
}

// Name is the item's benchmark name: "layernorm/R=2048/C=4096/eps=1e-05".
func (it Item) Name() string { return it.Kernel.Name + "/" + it.Params.String() }

// Backend is an opened backend with the name it was asked for.
type Backend struct {
	Name string
	kernel.Backend
}

// CacheMode says whether timed runs may find their inputs in cache.
type CacheMode string

const (
	CacheWarm CacheMode = "warm" // one buffer set, reused: in-cache speed for small shapes
	CacheCold CacheMode = "cold" // buffer sets rotated so the working set exceeds CacheBytes
)

// Options control measurement.
type Options struct {
	Count      int           // samples per case
	BenchTime  time.Duration // target duration of one sample
	Warmup     time.Duration // minimum warm-up before calibration
	Cache      CacheMode
	CacheBytes int64 // cold mode: rotate buffer sets until their total exceeds this
	MaxBytes   int64 // cases whose buffers exceed this are SKIPPED
	// LastLevelCache is the bytes of the machine's last-level cache, which
	// decides whether a multi-pass kernel's second pass is counted as
	// traffic (suite.Cost.Reread); 0 when unknown.
	LastLevelCache int64
	// PassCache is the data a pass leaves in cache for the next (the pass
	// reach nbench peak measured, machine.Caches.PassReach; 0: unmeasured,
	// LastLevelCache counts): a kernel's second pass over more data than
	// that is counted (suite.Cost.Reread).
	PassCache int64
	// MaxSets, when positive, caps the rotated sets below RotatedSets' own
	// bound (nbench run --quick: rough timings, so a set past the held
	// cache stays between it and its target, judged against the cache).
	MaxSets int
	// HeldCache is the bytes the last-level cache held when measured (the
	// L3 reach; 0: CacheBytes/LLCRotation): rotations of small sets stay
	// within it (RotatedSets).
	HeldCache int64
	Seed      uint64
	NoTiming  bool // check correctness only
	// NoCheck times without computing the reference (verdict UNCHECKED):
	// the rounds of a gate after the first, whose verdicts are known. The
	// kernel still runs once untimed, so a setup or run error still fails.
	NoCheck bool
	// Progress, when set, is called before each (case, backend).
	Progress func(done, total int, item Item, backend string)
	// Profile, when set, wraps the timed samples of each case (CPU profiles).
	Profile func(item Item, backend string) (stop func())
	// Companion, when set, is called once per timed case, after its
	// calibration and before its samples, with the Result so far (cost,
	// sets, path). A non-nil measurement it returns is taken right after
	// each of the case's samples, so Result.Companion pairs with Samples
	// one for one: nbench run --peak-now measures the case's binding
	// ceiling there, at the same moment as the case. A failing
	// measurement drops the companion's values (CompanionErr says why);
	// the case's own samples stand.
	Companion func(r *Result) func() (float64, error)
}

// LLCRotation is how many times the last-level cache's size a cold
// rotation must span before its data is taken to come from DRAM: AMD's L3
// keeps part of a rotation a few times its size (measured: batchnorm_infer
// 8192x1024 with streaming stores ran at 112% of the DRAM copy ceiling over
// two sets of 67 MB, 65% over four), and a "DRAM" case then runs faster
// than DRAM.
const LLCRotation = 8

// SetLastLevelCache records the machine's last-level cache as reported
// (llc) and as held (held: the L3 reach nbench peak measured; 0 when not
// measured), and makes cold mode rotate at least LLCRotation times the
// reported size. The size a VM reports is its host's, an upper bound of
// what it may hold, and that is what a rotation must get past: the Xeon
// VM reports 260 MiB and read at L3 speed up to 128 MB, and rotations of
// 8x the 128 MB ran norms at up to 113% of the DRAM ceiling (their
// streamed outputs leave the inputs, a smaller span, in the L3), as did
// rotations of 256 MiB, 8x the 32 MiB it can count on (102-124%). The
// held size only decides which small rotations stay in the cache
// (RotatedSets). kept is what a pass leaves in cache for the next
// (PassCache; 0: llc).
func (o *Options) SetLastLevelCache(llc, held, kept int64) {
	o.LastLevelCache = llc
	o.CacheBytes = max(o.CacheBytes, LLCRotation*llc)
	o.HeldCache = held
	o.PassCache = kept
}

// KeptCache is the data a pass leaves in cache for the next as Cost.Resolve
// takes it: PassCache, else LastLevelCache.
func (o Options) KeptCache() int64 {
	if o.PassCache > 0 {
		return o.PassCache
	}
	return o.LastLevelCache
}

// CaseBytes is the bytes of one buffer set of a case (its Buffers), and of
// its outputs.
func CaseBytes(bufs []suite.Buffer) (set, written int64) {
	for _, bf := range bufs {
		n := int64(bf.Len) * int64(bf.DType.Size())
		set += n
		if bf.Out {
			written += n
		}
	}
	return set, written
}

// ResolveCost is a case's cost as results carry it: the second pass
// counted past kept (Cost.Resolve) for a set of set bytes, and the bytes
// written at most the outputs' (written), as outputs may be sized for the
// worst case (NMS keeps at most N), and never more than the whole count.
func ResolveCost(c suite.Cost, set, written, kept int64) suite.Cost {
	c = c.Resolve(set, kept)
	c.Written = min(float64(written), c.Bytes)
	return c
}

// Touched is the bytes one run touches of a buffer set of setBytes: the
// set, or the case's minimum traffic (its cost's Bytes) when that is less.
// mse_masked with keep=0.5 reads half its set: rotated by set size, it
// touched half the span its level was judged by (over 256 MB of sets on
// the Xeon VM it ran at 103-107% of the DRAM read ceiling).
func Touched(setBytes int64, traffic float64) int64 {
	if traffic > 0 && traffic < float64(setBytes) {
		return int64(math.Ceil(traffic))
	}
	return setBytes
}

// RotatedSets is how many buffer sets a cold run rotates: enough for what
// a run touches of them (touched bytes each) to reach cacheBytes. Small
// sets stop at MaxSmallSets while those still fit the cache as held (held;
// <= 0: cacheBytes/LLCRotation): they live in it, and are judged against
// it. Past that they rotate to the target, or to maxSetsPast sets, at
// least LLCRotation times the held cache either way: a working set is in
// the cache or well past it, never between (64 sets of 4-16 MB, 0.25-1x
// the Xeon VM's 2 GB target, read DRAM while judged against its L3).
func RotatedSets(touched, cacheBytes, held int64) int {
	if touched <= 0 || touched >= cacheBytes {
		return 1
	}
	if held <= 0 {
		held = cacheBytes / LLCRotation
	}
	n := (cacheBytes + touched - 1) / touched
	if n > MaxSmallSets && MaxSmallSets*touched <= held {
		n = MaxSmallSets
	}
	return int(min(n, maxSetsPast))
}

// MaxSmallSets bounds the rotation of small buffer sets that fit the held
// cache together: each costs an allocation, a copy and a bind, and every
// rotation a pass over all. maxSetsPast bounds the rest: sets of more than
// held/MaxSmallSets bytes, LLCRotation x MaxSmallSets of them span
// LLCRotation times the held cache.
const (
	MaxSmallSets = 64
	maxSetsPast  = LLCRotation * MaxSmallSets
)

// DefaultOptions are the settings of a full `nbench run`.
func DefaultOptions() Options {
	return Options{Count: 10, BenchTime: 100 * time.Millisecond, Warmup: 20 * time.Millisecond,
		Cache: CacheCold, CacheBytes: 64 << 20, MaxBytes: 8 << 30}
}

// Result is the outcome of one case on one backend.
type Result struct {
	Family, Kernel, Params string
	Backend, Path          string
	Check                  suite.Check
	Seed                   uint64
	Cost                   suite.Cost // of these inputs on this machine (Reread resolved, DataCost used)
	Iters                  int        // runs per sample
	Sets                   int        // rotated buffer sets
	SetBytes               int64      // bytes of one buffer set (inputs and outputs)
	Samples                []float64  // seconds per run, one per sample
	Stats                  Stats
	Err                    string // setup or run error (FAILED/SKIPPED detail)
	Checked                bool   // the outputs were compared with the reference
	// Roof is the result's share of this machine's measured ceilings, set
	// by the caller from a peak file (package roofline); nil without one.
	Roof *Roof
	// Companion holds Options.Companion's value after each sample.
	Companion    []float64
	CompanionErr string
}

// Roof is a result placed under the machine's ceilings.
type Roof struct {
	Percent float64 // the least time the ceilings allow over the median, in %
	Ceiling string  // the binding ceiling: a memory level ("DRAM") or compute kind ("fma32")
	Level   string  // the memory level the working set lives in
	Bound   string  // "memory" or "compute"
	Probe   string  // the probe, or pair of probes for a mix of reads and writes, that set the ceiling
	Cell    string  // the table cell, e.g. "34% L2"
	// NowPercent is the share of the same ceiling measured between the
	// case's samples (the median over samples of each one's share of the
	// measurement right after it), and CeilingNow that measurement's
	// median, in the ceiling's unit; 0 when not measured (run --peak-now).
	NowPercent float64
	CeilingNow float64
}

// Name is the result's case name without the backend.
func (r *Result) Name() string { return r.Kernel + "/" + r.Params }

// Timed reports whether the result carries timing samples.
func (r *Result) Timed() bool { return len(r.Samples) > 0 }

// GBps and GFLOPs are the suite's counts over the median time.
func (r *Result) GBps() float64 {
	return rate(r.Cost.Bytes, r.Stats.Median) / 1e9
}
func (r *Result) GFLOPs() float64 { return rate(r.Cost.Flops, r.Stats.Median) / 1e9 }

// GOPs counts integer ops of both kinds: dot-product multiply-accumulates
// and ALU shifts and adds.
func (r *Result) GOPs() float64 { return rate(r.Cost.IntOps+r.Cost.ALUOps, r.Stats.Median) / 1e9 }

func rate(work, sec float64) float64 {
	if sec <= 0 || work <= 0 {
		return 0
	}
	return work / sec
}

// CaseSeed derives the seed of one case from the run seed, so one case can
// be rerun alone with the same inputs.
func CaseSeed(run uint64, caseName string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(caseName))
	return run ^ h.Sum64()
}

// Run measures every item on every backend, in order. It never stops early:
// a failing, panicking or unsupported case becomes a Result.
func Run(items []Item, backends []Backend, opt Options) []Result {
	var out []Result
	total, done := len(items)*len(backends), 0
	for _, it := range items {
		for _, b := range backends {
			if opt.Progress != nil {
				opt.Progress(done, total, it, b.Name)
			}
			out = append(out, runCase(it, b, opt))
			done++
		}
	}
	return out
}

// RunInterleaved measures like Run, but takes the samples of all cases in
// turns: every case is prepared first, then each pass takes one sample of
// every case (forward, then backward, ...), so each case's samples are
// spread over the whole run instead of one contiguous stretch. On a shared
// machine whose slow spells last longer than a sample, a case measured in
// one block can land wholly inside one; spread out, its low samples are
// clean. Every prepared case holds its buffers until the end, so this
// suits a bounded selection (the gate's rounds), not the full shapes in
// cold mode.
func RunInterleaved(items []Item, backends []Backend, opt Options) []Result {
	type slot struct {
		p   *Prepared
		res Result
		c   *companion
	}
	var slots []*slot
	total := len(items) * len(backends)
	for _, it := range items {
		for _, b := range backends {
			if opt.Progress != nil {
				opt.Progress(len(slots), total, it, b.Name)
			}
			p, res := Prepare(it, b, opt)
			sl := &slot{p: p, res: res}
			if p != nil {
				sl.c = newCompanion(opt, &sl.res)
			}
			slots = append(slots, sl)
		}
	}
	for pass := 0; pass < opt.Count; pass++ {
		for k := range slots {
			if pass%2 == 1 {
				k = len(slots) - 1 - k
			}
			sl := slots[k]
			if sl.p == nil {
				continue
			}
			sec, err := sl.p.Sample()
			if err != nil {
				sl.p.Close()
				sl.p, sl.res = nil, timedFail(sl.res, err)
				continue
			}
			sl.res.Samples = append(sl.res.Samples, sec)
			sl.c.after()
		}
	}
	out := make([]Result, len(slots))
	for i, sl := range slots {
		if sl.p != nil {
			sl.p.Close()
			sl.res.Stats = Summarize(sl.res.Samples)
			sl.c.store(&sl.res)
		}
		out[i] = sl.res
	}
	return out
}

func runCase(it Item, b Backend, opt Options) Result {
	p, res := setup(it, b, opt)
	if p == nil {
		return res
	}
	defer p.Close()
	var stop func()
	if opt.Profile != nil {
		stop = opt.Profile(it, b.Name)
	}
	err := p.calibrate()
	if err == nil {
		res.Iters = p.iters
		c := newCompanion(opt, &res)
		res.Samples, err = p.measure(opt.Count, c.after)
		c.store(&res)
	}
	if stop != nil {
		stop()
	}
	if err != nil {
		return timedFail(res, err)
	}
	res.Stats = Summarize(res.Samples)
	return res
}

// companion takes Options.Companion's measurement after each sample.
type companion struct {
	measure func() (float64, error)
	vals    []float64
	err     error
}

// newCompanion asks opt.Companion for r's measurement; nil without one.
func newCompanion(opt Options, r *Result) *companion {
	if opt.Companion == nil {
		return nil
	}
	if m := opt.Companion(r); m != nil {
		return &companion{measure: m}
	}
	return nil
}

// after takes one measurement (a nil companion does nothing).
func (c *companion) after() {
	if c == nil || c.err != nil {
		return
	}
	var v float64
	if c.err = safely(func() (err error) { v, err = c.measure(); return err }); c.err == nil {
		c.vals = append(c.vals, v)
	}
}

// store keeps the measurements in r (none after an error).
func (c *companion) store(r *Result) {
	switch {
	case c == nil:
	case c.err != nil:
		r.Companion, r.CompanionErr = nil, c.err.Error()
	default:
		r.Companion = c.vals
	}
}

// Prepared is a case kept ready for timing on one backend: checked, its
// buffer sets built and bound, its iteration count calibrated and its
// timing settled. Sample takes one sample on demand, so callers can
// interleave the samples of several cases (claims times the two sides of
// a pair in alternating rounds). A Prepared is not safe for concurrent use.
type Prepared struct {
	b      Backend
	opt    Options
	sets   []*bufSet
	bounds []kernel.Bound
	next   int // the set the next batch starts at (runFrom)
	iters  int
}

// Prepare does everything runCase does before its samples: it validates
// the case, checks one run on fresh inputs with poisoned outputs (unless
// NoCheck), builds the rotated buffer sets, warms up, calibrates the
// iterations of a sample to about BenchTime and settles the timing. It
// returns the Result so far (verdict, path, cost, sets, iterations; no
// samples) and a handle that takes samples, or a nil handle when the case
// is not to be timed: it could not be set up or run (FAILED, also when a
// warm-up run fails), is UNIMPLEMENTED or SKIPPED, NoTiming is set, or it
// has no cost to time. As in Run, a case whose outputs fail the check is
// still timed (FAILED, with a handle). The caller must Close a non-nil
// handle. opt.Count and opt.Profile are not used.
func Prepare(it Item, b Backend, opt Options) (*Prepared, Result) {
	p, res := setup(it, b, opt)
	if p == nil {
		return nil, res
	}
	if err := p.calibrate(); err != nil {
		p.Close()
		return nil, timedFail(res, err)
	}
	res.Iters = p.iters
	return p, res
}

// Sample runs one calibrated batch, with the GC off, and returns its time
// per run in seconds. A panic in the kernel is returned as an error.
func (p *Prepared) Sample() (float64, error) {
	if p.bounds == nil {
		return 0, errors.New("sample of a closed case")
	}
	var sec float64
	err := safely(func() error {
		var err error
		sec, err = p.sample()
		return err
	})
	return sec, err
}

// Close frees the buffer sets. It may be called more than once.
func (p *Prepared) Close() {
	for _, s := range p.sets {
		s.free(p.b)
	}
	p.sets, p.bounds = nil, nil
}

// timedFail marks a case whose timed runs (warm-up or samples) failed.
func timedFail(res Result, err error) Result {
	res.Samples = nil
	res.Check.Verdict = suite.Failed
	res.Check.Detail = "timed run: " + err.Error()
	res.Err = err.Error()
	return res
}

// setup validates and checks the case and, when it is to be timed, builds
// its buffer sets: a handle not yet calibrated, or nil with the final
// Result (its sets freed). A case whose outputs fail the check is still
// timed, as it always was.
func setup(it Item, b Backend, opt Options) (p *Prepared, res Result) {
	res = Result{Family: it.Kernel.Family, Kernel: it.Kernel.Name, Params: it.Params.String(),
		Backend: b.Name, Seed: CaseSeed(opt.Seed, it.Name())}
	c, err := it.Kernel.New(it.Params)
	if err != nil {
		res.Check = suite.Check{Verdict: suite.Failed, Detail: "invalid case: " + err.Error()}
		res.Err = err.Error()
		return nil, res
	}
	bufs := c.Buffers()
	bytes, written := CaseBytes(bufs)
	res.SetBytes = bytes
	resolve := func(c suite.Cost) suite.Cost { return ResolveCost(c, bytes, written, opt.KeptCache()) }
	res.Cost = resolve(c.Cost())
	if opt.MaxBytes > 0 && bytes > opt.MaxBytes {
		res.Check = suite.Check{Verdict: suite.Skipped, Detail: fmt.Sprintf("needs %d MiB, over the %d MiB limit (--max-mem)", bytes>>20, opt.MaxBytes>>20)}
		return nil, res
	}

	p = &Prepared{b: b, opt: opt}
	defer func() { // bounds are set only when the case is to be timed
		if p.bounds == nil {
			p.Close()
			p = nil
		}
	}()
	fail := func(verdict suite.Verdict, err error) (*Prepared, Result) {
		res.Check = suite.Check{Verdict: verdict, Detail: err.Error()}
		res.Err = err.Error()
		return p, res
	}

	// The checked run: fresh inputs, poisoned outputs, one run, reference.
	host := suite.Alloc(c)
	if err := safely(func() error { c.Fill(suite.Rand(res.Seed), host); return nil }); err != nil {
		return fail(suite.Failed, fmt.Errorf("fill: %w", err))
	}
	first, err := newSet(b, c, bufs, host)
	if first != nil {
		p.sets = append(p.sets, first)
	}
	if err != nil {
		if errors.Is(err, kernel.ErrUnimplemented) {
			return fail(suite.Unimplemented, err)
		}
		return fail(suite.Failed, err)
	}
	res.Path = first.bound.Path()
	if err := safely(func() error { return runOnce(b, first.bound) }); err != nil {
		return fail(suite.Failed, fmt.Errorf("run: %w", err))
	}
	if opt.NoCheck {
		res.Check = suite.Check{Verdict: suite.Unchecked}
	}
	for i, bf := range bufs {
		if bf.Out && !opt.NoCheck {
			if err := b.Read(host[i].Slice(), first.tensors[i]); err != nil {
				return fail(suite.Failed, fmt.Errorf("read %s: %w", bf.Name, err))
			}
		}
	}
	if !opt.NoCheck {
		if err := safely(func() error { res.Check = c.Check(host); return nil }); err != nil {
			return fail(suite.Failed, fmt.Errorf("check: %w", err))
		}
		res.Checked = true
	}
	if opt.NoTiming || res.Cost.Bytes == 0 && res.Cost.Flops == 0 && res.Cost.IntOps == 0 && res.Cost.ALUOps == 0 {
		return p, res // not timed: the deferred check frees the sets
	}
	if dc, ok := c.(suite.DataCoster); ok {
		if err := safely(func() error { res.Cost = resolve(dc.DataCost(host)); return nil }); err != nil {
			return fail(suite.Failed, fmt.Errorf("cost: %w", err))
		}
	}

	// Timing: rotate buffer sets in cold mode so small working sets leave
	// cache, counting what a run touches of each.
	nsets := 1
	if opt.Cache == CacheCold {
		nsets = RotatedSets(Touched(bytes, res.Cost.Bytes), opt.CacheBytes, opt.HeldCache)
		if opt.MaxSets > 0 {
			nsets = min(nsets, opt.MaxSets)
		}
		if opt.MaxBytes > 0 && bytes > 0 {
			nsets = max(1, min(nsets, int(opt.MaxBytes/bytes)))
		}
	}
	for len(p.sets) < nsets {
		s, err := newSet(b, c, bufs, host)
		if s != nil {
			p.sets = append(p.sets, s)
		}
		if err != nil {
			return fail(suite.Failed, fmt.Errorf("buffer set %d: %w", len(p.sets), err))
		}
	}
	host = nil // the timed region must not share the heap with the check data
	p.bounds = make([]kernel.Bound, len(p.sets))
	for i, s := range p.sets {
		p.bounds[i] = s.bound
	}
	res.Sets = nsets
	return p, res
}

// bufSet is one full set of tensors with its bound kernel.
type bufSet struct {
	tensors []kernel.Tensor
	bound   kernel.Bound
}

func (s *bufSet) free(b Backend) {
	for _, t := range s.tensors {
		if t != nil {
			b.Free(t)
		}
	}
}

// newSet allocates every buffer on the backend (touching it: inputs are
// written, outputs poisoned), then prepares the op.
func newSet(b Backend, c suite.Case, bufs []suite.Buffer, host []*kernel.Host) (*bufSet, error) {
	s := &bufSet{tensors: make([]kernel.Tensor, len(bufs))}
	for i, bf := range bufs {
		t, err := b.Alloc(bf.DType, bf.Len)
		if err != nil {
			return s, fmt.Errorf("alloc %s (%v[%d]): %w", bf.Name, bf.DType, bf.Len, err)
		}
		s.tensors[i] = t
		src := host[i].Slice()
		if bf.Out {
			src = suite.Poisoned(bf.DType, bf.Len)
		}
		if err := b.Write(t, src); err != nil {
			return s, fmt.Errorf("write %s: %w", bf.Name, err)
		}
	}
	var op kernel.Op
	err := safely(func() error {
		op = c.Op(s.tensors)
		var err error
		s.bound, err = b.Prepare(op)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("prepare: %w", err)
	}
	return s, nil
}

// Poison values, as the suite defines them (kept here for callers of harness).
const (
	PoisonI32 = suite.PoisonI32
	PoisonU8  = suite.PoisonU8
	PoisonI8  = suite.PoisonI8
)

func runOnce(b Backend, k kernel.Bound) error {
	if err := k.Run(); err != nil {
		return err
	}
	if s, ok := b.Backend.(kernel.Syncer); ok {
		return s.Sync()
	}
	return nil
}

// runBatch runs n iterations cycling through the bound sets from set from
// and returns the elapsed time, from the backend's own timer when it has
// one.
func runBatch(b Backend, ks []kernel.Bound, from, n int) (time.Duration, error) {
	if bt, ok := b.Backend.(kernel.BatchTimer); ok {
		return bt.TimeBatch(append(ks[from:len(ks):len(ks)], ks[:from]...), n)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := ks[(from+i)%len(ks)].Run(); err != nil {
			return 0, err
		}
	}
	if s, ok := b.Backend.(kernel.Syncer); ok {
		if err := s.Sync(); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// calibrate warms up, calibrates the iteration count so a sample lasts
// about BenchTime, then waits until the timing is stable (settle).
func (p *Prepared) calibrate() error {
	return safely(func() error {
		// Warm-up doubles n until Warmup has passed; the last batch calibrates.
		ks, opt := p.bounds, p.opt
		n, perOp := 1, time.Duration(0)
		var spent time.Duration
		for {
			d, err := p.runFrom(ks, n)
			if err != nil {
				return err
			}
			spent += d
			perOp = d / time.Duration(n)
			if spent >= opt.Warmup && n >= len(ks) {
				break
			}
			if d < opt.Warmup/4 || n < len(ks) {
				n *= 2
			}
		}
		iters := 1
		if perOp > 0 {
			iters = int(opt.BenchTime / perOp)
		} else {
			iters = 1 << 20
		}
		p.iters = max(iters, 1)
		runtime.GC()
		return p.settle()
	})
}

// measure takes count samples, calling after (if not nil) after each.
func (p *Prepared) measure(count int, after func()) ([]float64, error) {
	samples := make([]float64, 0, count)
	for s := 0; s < count; s++ {
		sec, err := p.Sample()
		if err != nil {
			return nil, err
		}
		samples = append(samples, sec)
		if after != nil {
			after()
		}
	}
	return samples, nil
}

// sample times one calibrated batch: seconds per run.
func (p *Prepared) sample() (float64, error) {
	d, err := p.batch()
	return d.Seconds() / float64(p.iters), err
}

// batch runs one sample-sized batch with the GC off (restored after: the
// samples of many prepared cases may be interleaved with other work).
func (p *Prepared) batch() (time.Duration, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return p.runFrom(p.bounds, p.iters)
}

// runFrom runs a batch of n from the set after the last batch's, so that
// batches of fewer runs than sets still cycle through all of them: each
// batch started over at set 0, and a DRAM-sized GEMV (12 sets of 180 MB,
// one or two runs a 20 ms sample) read the same two sets sample after
// sample, partly from the L3, at up to 131% of the DRAM ceiling.
func (p *Prepared) runFrom(ks []kernel.Bound, n int) (time.Duration, error) {
	from := p.next
	p.next = (from + n) % len(ks)
	return runBatch(p.b, ks, from, n)
}

// Settling: after fresh allocations (this VM's kernel hands free pages back
// to the host) and at a cold start, the first sample-sized batches of a case
// ran up to 13% slower than later ones. Like nvbench, keep running
// sample-sized batches until two in a row agree within settleTolerance,
// for at most settleMax batches or settleBudget of time.
const (
	settleTolerance = 0.02
	settleMax       = 8
	settleBudget    = 2 * time.Second
)

func (p *Prepared) settle() error {
	prev, spent := time.Duration(0), time.Duration(0)
	for i := 0; i < settleMax && spent < settleBudget; i++ {
		d, err := p.batch()
		if err != nil {
			return err
		}
		spent += d
		if prev > 0 && math.Abs(float64(d-prev)) <= settleTolerance*float64(prev) {
			return nil
		}
		prev = d
	}
	return nil
}

// safely runs f, turning a panic into an error that names it.
func safely(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}
