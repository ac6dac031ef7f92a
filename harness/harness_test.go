package harness_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// A tiny kernel private to these tests: y = 2x.
type doubleOp struct {
	N    int
	X, Y kernel.Tensor
}

func (doubleOp) Kernel() string { return "test_double" }
func (op doubleOp) Validate() error {
	return kernel.CheckArgs(kernel.F32Arg("x", op.X, op.N), kernel.F32Arg("y", op.Y, op.N))
}

// doubleCase doubles n floats; its cost says it touches touch% of them
// (as a masked loss reads only the samples it keeps).
type doubleCase struct{ n, touch int }

func (c doubleCase) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "x", DType: kernel.F32, Len: c.n}, {Name: "y", DType: kernel.F32, Len: c.n, Out: true}}
}
func (c doubleCase) Fill(rng *rand.Rand, d []*kernel.Host) { suite.Uniform(rng, d[0].F32, 1, 2) }
func (c doubleCase) Op(t []kernel.Tensor) kernel.Op        { return doubleOp{N: c.n, X: t[0], Y: t[1]} }
func (c doubleCase) Check(d []*kernel.Host) suite.Check {
	ref := make([]float64, c.n)
	for i, v := range d[0].F32 {
		ref[i] = 2 * float64(v)
	}
	return suite.Close("y", d[1].F32, ref, 0, 1e-6)
}
func (c doubleCase) Cost() suite.Cost {
	// Reread: as a training norm, a second read of x past the cache.
	return suite.Cost{Flops: float64(c.n), Bytes: 8 * float64(c.n) * float64(c.touch) / 100, Reread: 4 * float64(c.n)}
}

var doubleKernel = &suite.Kernel{Name: "test_double", Family: "norms",
	Params: []suite.Param{{Key: "N", Default: "1000"}, {Key: "touch", Default: "100"}},
	New: func(p suite.Params) (suite.Case, error) {
		r := suite.ParamReader{P: p}
		return doubleCase{r.Int("N", 0), r.Int("touch", 1)}, r.Err
	}}

// fakeBackend runs test_double in one of several behaviours.
type fakeBackend struct {
	mode string // "ok", "wrong", "panic", "partial", "gap"
	boom bool   // when set, runs panic from then on
}

type fakeBound struct{ f func() }

func (b fakeBound) Run() error   { b.f(); return nil }
func (b fakeBound) Path() string { return "fake" }

func (b *fakeBackend) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	return kernel.NewHost(dt, n), nil
}
func (b *fakeBackend) Free(kernel.Tensor) {}
func (b *fakeBackend) Write(dst kernel.Tensor, src any) error {
	return dst.(*kernel.Host).CopyFrom(src)
}
func (b *fakeBackend) Read(dst any, src kernel.Tensor) error { return src.(*kernel.Host).CopyTo(dst) }

func (b *fakeBackend) Name() string    { return b.mode }
func (b *fakeBackend) Paths() []string { return []string{"fake"} }
func (b *fakeBackend) Close() error    { return nil }
func (b *fakeBackend) Prepare(o kernel.Op) (kernel.Bound, error) {
	op, ok := o.(doubleOp)
	if !ok || b.mode == "gap" {
		return nil, kernel.Unimplemented(b.mode, o)
	}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	return fakeBound{func() {
		if b.mode == "panic" || b.boom {
			panic("deliberate")
		}
		n := len(x)
		if b.mode == "partial" {
			n-- // leaves the last element unwritten (still poisoned)
		}
		for i := 0; i < n; i++ {
			y[i] = 2 * x[i]
		}
		if b.mode == "wrong" {
			y[len(y)/2] *= 1.001
		}
	}}, nil
}

func run(t *testing.T, mode string, opt harness.Options) harness.Result {
	t.Helper()
	p, err := doubleKernel.ParseParams("N=1000")
	if err != nil {
		t.Fatal(err)
	}
	rs := harness.Run([]harness.Item{{Kernel: doubleKernel, Params: p}},
		[]harness.Backend{{Name: mode, Backend: &fakeBackend{mode: mode}}}, opt)
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1", len(rs))
	}
	return rs[0]
}

func quickOpts() harness.Options {
	o := harness.DefaultOptions()
	o.Count, o.BenchTime, o.Warmup, o.Seed = 3, time.Millisecond, time.Millisecond, 42
	return o
}

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		mode   string
		want   suite.Verdict
		detail string
		timed  bool
	}{
		{"ok", suite.Passed, "", true},
		{"wrong", suite.Failed, "y[500]", true},
		{"partial", suite.Failed, "y[999] = NaN", true},
		{"panic", suite.Failed, "panic: deliberate", false},
		{"gap", suite.Unimplemented, "not implemented", false},
	} {
		r := run(t, tc.mode, quickOpts())
		if r.Check.Verdict != tc.want || !strings.Contains(r.Check.Detail, tc.detail) {
			t.Errorf("%s: verdict %s (%q), want %s containing %q", tc.mode, r.Check.Verdict, r.Check.Detail, tc.want, tc.detail)
		}
		if r.Timed() != tc.timed {
			t.Errorf("%s: timed = %v, want %v", tc.mode, r.Timed(), tc.timed)
		}
	}
}

func TestRunContinuesAfterPanic(t *testing.T) {
	p, _ := doubleKernel.ParseParams("")
	bs := []harness.Backend{{Name: "panic", Backend: &fakeBackend{mode: "panic"}}, {Name: "ok", Backend: &fakeBackend{mode: "ok"}}}
	rs := harness.Run([]harness.Item{{Kernel: doubleKernel, Params: p}}, bs, quickOpts())
	if len(rs) != 2 || rs[0].Check.Verdict != suite.Failed || rs[1].Check.Verdict != suite.Passed {
		t.Fatalf("got %+v", rs)
	}
}

// setCounter is a backend whose bound sets count their runs.
type setCounter struct {
	fakeBackend
	runs []int // by set, in the order they were bound
}

func (b *setCounter) Prepare(o kernel.Op) (kernel.Bound, error) {
	if _, err := b.fakeBackend.Prepare(o); err != nil {
		return nil, err
	}
	i := len(b.runs)
	b.runs = append(b.runs, 0)
	return fakeBound{func() { b.runs[i]++; time.Sleep(200 * time.Microsecond) }}, nil
}

// Samples of fewer runs than sets still cycle through every set: each
// batch goes on from where the last stopped.
func TestBatchesCycleSets(t *testing.T) {
	p, err := doubleKernel.ParseParams("N=1000")
	if err != nil {
		t.Fatal(err)
	}
	b := &setCounter{fakeBackend: fakeBackend{mode: "ok"}}
	o := quickOpts()
	o.NoCheck = true
	prep, res := harness.Prepare(harness.Item{Kernel: doubleKernel, Params: p}, harness.Backend{Name: "count", Backend: b}, o)
	if prep == nil {
		t.Fatalf("prepare: %+v", res.Check)
	}
	defer prep.Close()
	sets := b.runs[len(b.runs)-res.Sets:] // the timed sets (a first bind may check)
	if res.Iters >= res.Sets {
		t.Fatalf("%d runs a sample over %d sets: the test needs fewer runs than sets", res.Iters, res.Sets)
	}
	before := slices.Clone(sets)
	samples := (res.Sets + res.Iters - 1) / res.Iters
	for range samples {
		if _, err := prep.Sample(); err != nil {
			t.Fatal(err)
		}
	}
	untouched := 0
	for i := range sets {
		if sets[i] == before[i] {
			untouched++
		}
	}
	if untouched > 0 {
		t.Errorf("%d samples of %d runs left %d of %d sets unrun", samples, res.Iters, untouched, res.Sets)
	}
}

func TestSamplesAndRotation(t *testing.T) {
	o := quickOpts()
	o.Count = 4
	r := run(t, "ok", o)
	if len(r.Samples) != 4 || r.Iters < 1 {
		t.Fatalf("samples %d iters %d", len(r.Samples), r.Iters)
	}
	// 8000 bytes per set, 64 MiB target: capped at 64 sets in cold mode.
	if r.Sets != 64 {
		t.Errorf("cold cache: %d buffer sets, want 64", r.Sets)
	}
	// Sets rotate until what a run touches of them spans CacheBytes: a
	// case that touches half its 800 kB set needs twice the sets.
	o.CacheBytes = 8 << 20
	for _, c := range []struct {
		shape string
		sets  int
	}{{"N=100000", 11}, {"N=100000,touch=50", 21}} {
		p, err := doubleKernel.ParseParams(c.shape)
		if err != nil {
			t.Fatal(err)
		}
		rs := harness.Run([]harness.Item{{Kernel: doubleKernel, Params: p}}, []harness.Backend{{Name: "ok", Backend: &fakeBackend{mode: "ok"}}}, o)
		if rs[0].Sets != c.sets {
			t.Errorf("%s: %d buffer sets over 8 MiB, want %d", c.shape, rs[0].Sets, c.sets)
		}
	}
	// Sets stop at 64 while 64 of them fit the held cache (by default the
	// eighth of the target: 32 MiB of 256); past that they span the whole
	// target, or 512 sets.
	for _, c := range []struct {
		touched, held int64
		want          int
	}{{4 << 20, 0, 64}, {4<<20 - 1, 0, 65}, {3 << 20, 0, 86}, {1 << 20, 0, 256}, {512<<10 + 1, 0, 512}, {512 << 10, 0, 64},
		{8 << 10, 0, 64}, {256 << 20, 0, 1}, {0, 0, 1},
		// A 2 GB target (260 MiB reported) with 128 MiB held, as on the Xeon VM.
		{2 << 20, 128 << 20, 64}, {2<<20 + 1, 128 << 20, 512}, {8 << 20, 128 << 20, 260}} {
		target := int64(256 << 20)
		if c.held > 0 {
			target = 8 * 260 << 20
		}
		if got := harness.RotatedSets(c.touched, target, c.held); got != c.want {
			t.Errorf("RotatedSets(%d, %d MiB, held %d MiB) = %d, want %d", c.touched, target>>20, c.held>>20, got, c.want)
		}
	}
	o.MaxSets = 5 // nbench run --quick's cap, below the rule's own
	if r := run(t, "ok", o); r.Sets != 5 {
		t.Errorf("MaxSets 5: %d buffer sets", r.Sets)
	}
	o.MaxSets = 0
	o.Cache = harness.CacheWarm
	if r := run(t, "ok", o); r.Sets != 1 {
		t.Errorf("warm cache: %d buffer sets, want 1", r.Sets)
	}
	if r.GBps() <= 0 || r.GFLOPs() <= 0 {
		t.Errorf("rates %g GB/s %g GFLOP/s", r.GBps(), r.GFLOPs())
	}
}

func TestSkippedOverMemoryLimit(t *testing.T) {
	o := quickOpts()
	o.MaxBytes = 100
	if r := run(t, "ok", o); r.Check.Verdict != suite.Skipped {
		t.Errorf("verdict %s, want SKIPPED", r.Check.Verdict)
	}
}

func TestSameSeedSameInputs(t *testing.T) {
	a, b := harness.CaseSeed(7, "k/N=1"), harness.CaseSeed(7, "k/N=1")
	if a != b || a == harness.CaseSeed(8, "k/N=1") || a == harness.CaseSeed(7, "k/N=2") {
		t.Error("case seeds must depend on run seed and case name only")
	}
}

func TestSummarize(t *testing.T) {
	// Known samples: 1..9; median 5; with 9 samples the 95% median CI is
	// the order statistics (2, 8).
	var s []float64
	for i := 9; i >= 1; i-- {
		s = append(s, float64(i))
	}
	st := harness.Summarize(s)
	if st.Median != 5 || st.Min != 1 || st.Max != 9 {
		t.Fatalf("median %g min %g max %g", st.Median, st.Min, st.Max)
	}
	if st.Lo != 2 || st.Hi != 8 {
		t.Errorf("CI [%g, %g], want [2, 8]", st.Lo, st.Hi)
	}
	if math.Abs(st.Spread-0.6) > 1e-12 {
		t.Errorf("spread %g, want 0.6", st.Spread)
	}
	// Too few samples for a 95% CI: bounds fall back to min and max.
	st = harness.Summarize([]float64{1, 3})
	if st.Median != 2 || st.Lo != 1 || st.Hi != 3 {
		t.Errorf("two samples: %+v", st)
	}
	if st := harness.Summarize(nil); st.Median != 0 {
		t.Errorf("empty: %+v", st)
	}
}

func TestPrepareAndSample(t *testing.T) {
	p, _ := doubleKernel.ParseParams("N=1000")
	it := harness.Item{Kernel: doubleKernel, Params: p}
	fb := &fakeBackend{mode: "ok"}
	o := quickOpts()
	pc, res := harness.Prepare(it, harness.Backend{Name: "ok", Backend: fb}, o)
	if pc == nil || res.Check.Verdict != suite.Passed || !res.Checked || res.Iters < 1 || res.Sets != 64 || res.Timed() || res.Path != "fake" {
		t.Fatalf("prepared: %v %+v", pc != nil, res)
	}
	for i := 0; i < 3; i++ {
		sec, err := pc.Sample()
		if err != nil || sec <= 0 {
			t.Fatalf("sample %d: %g %v", i, sec, err)
		}
	}
	// The GC is off only while a sample runs.
	if gc := debug.SetGCPercent(100); gc < 0 {
		t.Errorf("GC left off after a sample (%d)", gc)
	} else {
		debug.SetGCPercent(gc)
	}
	fb.boom = true
	if _, err := pc.Sample(); err == nil || !strings.Contains(err.Error(), "panic: deliberate") {
		t.Errorf("panicking sample: %v", err)
	}
	if gc := debug.SetGCPercent(100); gc < 0 {
		t.Errorf("GC left off after a panicking sample (%d)", gc)
	} else {
		debug.SetGCPercent(gc)
	}
	pc.Close()
	pc.Close()
	if _, err := pc.Sample(); err == nil {
		t.Error("sample after Close")
	}

	// Not timed: no handle, the verdict as Run gives it.
	for _, tc := range []struct {
		mode string
		opt  func(*harness.Options)
		want suite.Verdict
	}{
		{"gap", nil, suite.Unimplemented},
		{"panic", nil, suite.Failed},
		{"ok", func(o *harness.Options) { o.NoTiming = true }, suite.Passed},
		{"ok", func(o *harness.Options) { o.MaxBytes = 100 }, suite.Skipped},
	} {
		o := quickOpts()
		if tc.opt != nil {
			tc.opt(&o)
		}
		pc, res := harness.Prepare(it, harness.Backend{Name: tc.mode, Backend: &fakeBackend{mode: tc.mode}}, o)
		if pc != nil || res.Check.Verdict != tc.want {
			t.Errorf("%s: handle %v, verdict %s, want none and %s", tc.mode, pc != nil, res.Check.Verdict, tc.want)
		}
	}
	// A wrong output is FAILED but still timed, as in Run.
	pc, res = harness.Prepare(it, harness.Backend{Name: "wrong", Backend: &fakeBackend{mode: "wrong"}}, quickOpts())
	if pc == nil || res.Check.Verdict != suite.Failed {
		t.Fatalf("wrong: handle %v, verdict %s", pc != nil, res.Check.Verdict)
	}
	if _, err := pc.Sample(); err != nil {
		t.Error(err)
	}
	pc.Close()
}

// TestRunInterleaved: every case of every backend comes back in Run's
// order with Count samples and the same verdicts as Run gives, a gap and a
// panicking case included; the samples were taken in turns, so the cases'
// sample sequences overlap in time.
func TestRunInterleaved(t *testing.T) {
	p1, _ := doubleKernel.ParseParams("N=1000")
	p2, _ := doubleKernel.ParseParams("N=3000")
	items := []harness.Item{{Kernel: doubleKernel, Params: p1}, {Kernel: doubleKernel, Params: p2}}
	var bs []harness.Backend
	for _, m := range []string{"ok", "gap", "panic", "wrong"} {
		bs = append(bs, harness.Backend{Name: m, Backend: &fakeBackend{mode: m}})
	}
	o := quickOpts()
	o.Count = 5
	want := harness.Run(items, bs, o)
	got := harness.RunInterleaved(items, bs, o)
	if len(got) != len(want) {
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name() != w.Name() || g.Backend != w.Backend || g.Check.Verdict != w.Check.Verdict || len(g.Samples) != len(w.Samples) {
			t.Errorf("result %d: %s on %s %s with %d samples; Run gives %s on %s %s with %d",
				i, g.Name(), g.Backend, g.Check.Verdict, len(g.Samples), w.Name(), w.Backend, w.Check.Verdict, len(w.Samples))
		}
		if g.Timed() && (g.Stats.Median <= 0 || g.Iters < 1) {
			t.Errorf("result %d: median %v, iters %d", i, g.Stats.Median, g.Iters)
		}
	}
}

// The companion measurement is taken right after each sample, in Run and
// RunInterleaved alike, sees the case's cost, and a failing one drops
// its values but not the case's samples.
func TestCompanion(t *testing.T) {
	p1, _ := doubleKernel.ParseParams("N=1000")
	p2, _ := doubleKernel.ParseParams("N=3000")
	items := []harness.Item{{Kernel: doubleKernel, Params: p1}, {Kernel: doubleKernel, Params: p2}}
	bs := []harness.Backend{{Name: "ok", Backend: &fakeBackend{mode: "ok"}}, {Name: "gap", Backend: &fakeBackend{mode: "gap"}}}
	for _, runner := range []struct {
		name string
		run  func([]harness.Item, []harness.Backend, harness.Options) []harness.Result
	}{{"Run", harness.Run}, {"RunInterleaved", harness.RunInterleaved}} {
		o := quickOpts()
		o.Count = 4
		var log []string // the case of each companion call, in order
		o.Companion = func(r *harness.Result) func() (float64, error) {
			if r.Cost.Bytes <= 0 || r.Iters < 1 {
				t.Errorf("%s: companion asked before the cost and calibration: %+v", runner.name, r.Cost)
			}
			name, calls := r.Params, 0
			return func() (float64, error) {
				calls++
				log = append(log, name)
				if strings.HasPrefix(name, "N=3000/") && calls == 3 {
					return 0, errBoom
				}
				return float64(calls), nil
			}
		}
		rs := runner.run(items, bs, o)
		for _, r := range rs {
			switch {
			case !r.Timed():
				if r.Companion != nil || r.CompanionErr != "" {
					t.Errorf("%s: untimed %s on %s has companion values %v %q", runner.name, r.Params, r.Backend, r.Companion, r.CompanionErr)
				}
			case strings.HasPrefix(r.Params, "N=1000/"):
				if len(r.Companion) != len(r.Samples) || r.Companion[3] != 4 {
					t.Errorf("%s: companion %v for %d samples", runner.name, r.Companion, len(r.Samples))
				}
			default:
				if r.Companion != nil || !strings.Contains(r.CompanionErr, "boom") || len(r.Samples) != 4 {
					t.Errorf("%s: failed companion gave %v %q, %d samples", runner.name, r.Companion, r.CompanionErr, len(r.Samples))
				}
			}
		}
		if runner.name == "RunInterleaved" && (len(log) < 2 || log[0] == log[1]) {
			t.Errorf("RunInterleaved: companion calls %v not interleaved", log)
		}
	}
}

var errBoom = errors.New("boom")

// TestPassCacheCountsReread: a second pass counts once the case's data
// exceeds what a pass leaves in cache (PassCache), which may be far less
// than the last-level cache; without it, the last-level cache decides.
func TestPassCacheCountsReread(t *testing.T) {
	o := quickOpts()
	o.NoTiming = true
	const oneRead, twoReads = 8000, 12000 // N=1000: x read and y written; then x again
	for _, c := range []struct {
		llc, kept int64
		want      float64
	}{
		{1 << 20, 0, oneRead},        // the 8 KB fit the LLC, no pass reach measured
		{1 << 20, 4 << 10, twoReads}, // past the 4 KB a pass leaves
		{1 << 20, 1 << 20, oneRead},
		{4 << 10, 0, twoReads},
		{0, 0, oneRead}, // nothing known: no second pass counted
	} {
		o.SetLastLevelCache(c.llc, c.llc, c.kept)
		if r := run(t, "ok", o); r.Cost.Bytes != c.want {
			t.Errorf("LLC %d, pass cache %d: %v bytes counted, want %v", c.llc, c.kept, r.Cost.Bytes, c.want)
		}
	}
}
