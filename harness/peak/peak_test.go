package peak

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/harness/machine"
)

// Every registered probe does exactly the work the scalar loop does.
func TestProbesMatchScalar(t *testing.T) {
	for _, p := range Probes() {
		if p.Kind.Compute() {
			for _, n := range []int{0, 1, 7, 1000, 1 << 16} {
				if err := checkCompute(p, n, p.Compute(n), Scalar(p.Kind, n)); err != nil {
					t.Error(err)
				}
			}
			continue
		}
		for _, bytes := range []int64{4, 100, 4096, 1 << 20} {
			s := newStreamData(p.Kind, bytes)
			got := p.Stream(s.dst, s.x, s.y)
			if err := s.check(p, got); err != nil {
				t.Errorf("%d bytes: %v", bytes, err)
			}
		}
	}
}

func TestScalarReference(t *testing.T) {
	if got := Scalar(FMA32, 1000); got != 1000 {
		t.Errorf("fma32 Scalar(1000) = %v", got)
	}
	if got := Scalar(DotI8, 10); got != 10*4*2*-3 {
		t.Errorf("dot-i8 Scalar(10) = %v", got)
	}
	if got := Scalar(FMA32, MaxIters); got != MaxIters {
		t.Errorf("fma32 is not exact at MaxIters: %v", got)
	}
	if got := Scalar(FMA64, MaxIters); got != MaxIters {
		t.Errorf("fma64 Scalar(MaxIters) = %v", got)
	}
	// acc = (acc >> 1) + 3: 0, 3, 4, 5, 5, ...
	for n, want := range []float64{0, 3, 4, 5, 5} {
		if got := Scalar(IntALU, n); got != want {
			t.Errorf("int-alu Scalar(%d) = %v, want %v", n, got, want)
		}
	}
	if got := Scalar(Exp32, MaxIters); got != MaxIters {
		t.Errorf("exp32 is not exact at MaxIters: %v", got)
	}
}

// Probes that cut corners must fail their check, not report a speed.
func TestCheatingProbesFail(t *testing.T) {
	d := testMachine()
	cheats := []Probe{
		{Name: "skips-an-iteration", Kind: FMA32, Lanes: 4, Compute: func(n int) float64 { return 4 * float64(max(n-1, 0)) }},
		{Name: "optimized-away", Kind: DotI8, Lanes: 4, Compute: func(n int) float64 { return 0 }},
		{Name: "half-read", Kind: Read, Stream: func(_, x, _ []float32) float64 { return goRead(nil, x[:len(x)/2], nil) }},
		{Name: "half-copy", Kind: Copy, Stream: func(dst, x, _ []float32) float64 { copy(dst[:len(dst)/2], x); return 0 }},
		{Name: "no-scale-triad", Kind: Triad, Stream: func(dst, x, _ []float32) float64 { copy(dst, x); return 0 }},
		{Name: "panics", Kind: Read, Stream: func(_, x, _ []float32) float64 { panic("boom") }},
	}
	_, rs, err := Measure(d, Options{BenchTime: time.Millisecond, Count: 1, Threads: []int{1, 2}, DRAMBytes: 1 << 20, Probes: cheats})
	if err == nil {
		t.Error("Measure succeeded with only cheating probes")
	}
	for _, r := range rs {
		if r.Err == "" || r.Median != 0 {
			t.Errorf("%s at %s/%d threads passed: median %v", r.Probe, r.Level, r.Threads, r.Median)
		}
	}
	if len(rs) == 0 {
		t.Fatal("no results")
	}
}

func testMachine() machine.Description {
	return machine.Description{Arch: "amd64", CPUBrand: "Test CPU", CPUVendor: "Test", LogicalCPUs: 2, MemoryBytes: 8 << 30,
		Caches: machine.Caches{L1D: 48 << 10, L2: 1 << 20, L3: 32 << 20, L3SharedBy: 2}}
}

func TestLevels(t *testing.T) {
	ls := Levels(testMachine())
	names := []string{}
	for _, l := range ls {
		names = append(names, l.Name)
	}
	if strings.Join(names, ",") != "L1,L2,L3,DRAM" {
		t.Fatalf("levels %v", names)
	}
	// Unknown caches: L1 and L2 assumed, no L3 level.
	d := testMachine()
	d.Caches = machine.Caches{}
	ls = Levels(d)
	if len(ls) != 3 || !ls[0].Assumed || !ls[1].Assumed || ls[2].Name != DRAM {
		t.Fatalf("levels without cache sizes: %+v", ls)
	}
	if per := perThread(ls, 2, 1, 256<<20); per != 256<<20 {
		t.Errorf("DRAM per thread %d, want 256 MiB", per)
	}
	// DRAM working set: at least 8x the L3, split over threads, at most memory/4.
	ls = Levels(testMachine())
	if per := perThread(ls, 3, 2, 64<<20); per != 128<<20 {
		t.Errorf("DRAM per thread with 2 threads: %d, want 128 MiB (8 x 32 MiB / 2)", per)
	}
	if per := perThread(ls, 2, 2, 0); per != 8<<20 {
		t.Errorf("L3 per thread with 2 threads: %d, want 8 MiB", per)
	}
	// A 16-thread part with 2 MiB L2 and 32 MiB L3: 1 MiB of L3 per thread
	// would sit in L2, so it is measured at 2 x L2 per thread.
	big := machine.Description{LogicalCPUs: 16, MemoryBytes: 64 << 30, Caches: machine.Caches{L1D: 48 << 10, L2: 2 << 20, L3: 32 << 20, L3SharedBy: 16}}
	ls = Levels(big)
	if per := perThread(ls, 2, 16, 0); per != 0 {
		t.Errorf("L3 at 16 threads: %d per thread, want 0 (cannot be told from L2)", per)
	}
	if per := perThread(ls, 2, 1, 0); per != 16<<20 {
		t.Errorf("L3 at 1 thread: %d", per)
	}
	// A 2-vCPU VM reporting its host's 260 MiB L3 is measured past all of
	// it (it held about 128 MB for one thread): DRAM sets of 8x 260 MiB.
	vm := testMachine()
	vm.Caches.L3, vm.MemoryBytes = 260<<20, 64<<30
	ls = Levels(vm)
	if ls[2].Name != L3 || ls[2].Capacity != 260<<20 {
		t.Fatalf("L3 of a VM reporting 260 MiB: %+v, want 260 MiB", ls[2])
	}
	if per := perThread(ls, 3, 1, 0); per != 8*260<<20 {
		t.Errorf("DRAM per thread on that VM: %d, want 8 x 260 MiB", per)
	}
}

func TestMeasureAndStore(t *testing.T) {
	d := machine.Describe()
	f, err := Run(d, Options{BenchTime: 2 * time.Millisecond, Count: 2, DRAMBytes: 16 << 20})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]bool{}
	for _, r := range f.Results {
		if r.Err != "" {
			t.Errorf("%s: %s", r.Probe, r.Err)
			continue
		}
		if !(r.Median > 0) || r.Max < r.Median || len(r.Samples) != 2 {
			t.Errorf("%s %s %d threads: median %v max %v samples %v", r.Probe, r.Level, r.Threads, r.Median, r.Max, r.Samples)
		}
		kinds[r.Kind] = true
	}
	for _, p := range Probes() { // the pure-Go ones here: every kind but the vector-only ones
		if !kinds[p.Kind] {
			t.Errorf("no result for %s", p.Kind)
		}
	}
	if len(kinds) < 5 {
		t.Errorf("results for %d kinds, want read, copy, triad, fma32 and dot-i8 at least", len(kinds))
	}
	// With an L3 reported, the reach was swept first (or the file says why
	// not), and the levels count what it found.
	c := f.Description.Caches
	if d.Caches.L3 > 0 && len(f.L3Sweep) == 0 && f.L3SweepErr == "" {
		t.Errorf("L3 of %s reported, but no reach sweep", machine.Bytes(d.Caches.L3))
	}
	if c.L3Reach < 0 || c.L3Reach > c.L3 {
		t.Errorf("L3 reach %d of a reported %d", c.L3Reach, c.L3)
	}
	// After a reach sweep, the pass reach (or why not): at most the held L3.
	if len(f.L3Sweep) >= 2 && len(f.PassSweep) == 0 && f.PassSweepErr == "" {
		t.Errorf("reach swept, but no pass sweep")
	}
	if c.PassReach < 0 || (c.PassReach > 0 && c.PassReach > max(c.HeldL3(), c.L2)) {
		t.Errorf("pass reach %d of a held L3 of %d", c.PassReach, c.HeldL3())
	}
	for _, l := range f.Levels {
		if l.Name == L3 && l.Capacity != c.HeldL3() {
			t.Errorf("L3 level of %s, the held L3 is %s", machine.Bytes(l.Capacity), machine.Bytes(c.HeldL3()))
		}
	}
	dir := t.TempDir()
	path, err := Save(dir, f)
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(dir, d.ID(), "peak.json") {
		t.Errorf("saved to %s", path)
	}
	g, err := Load(dir, d.ID())
	if err != nil || len(g.Results) != len(f.Results) || g.Machine != d.ID() {
		t.Fatalf("load: %v", err)
	}
	if got := Described(dir).Caches; got.L3Reach != c.L3Reach || got.PassReach != c.PassReach {
		t.Errorf("Described: L3 reach %d and pass reach %d, the file has %d and %d", got.L3Reach, got.PassReach, c.L3Reach, c.PassReach)
	}
	if _, err := Load(dir, "other-machine"); !IsNotExist(err) {
		t.Errorf("missing peak file: %v", err)
	}
}

func TestRegisterValidates(t *testing.T) {
	for _, p := range []Probe{{Name: "", Kind: Read}, {Name: "x", Kind: FMA32, Lanes: 0, Compute: goFMA32},
		{Name: "y", Kind: Read}, {Name: "z", Kind: "bogus", Stream: goRead}, {Name: "go-read", Kind: Read, Stream: goRead}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterProbe(%+v) did not panic", p.Name)
				}
			}()
			RegisterProbe(p)
		}()
	}
}

// TestKeepBest: per measurement the higher median stands; failed results
// never replace measured ones; another machine's file is ignored.
func TestKeepBest(t *testing.T) {
	r := func(probe string, threads int, median float64) Result {
		return Result{Probe: probe, Kind: Read, Level: DRAM, Threads: threads, Median: median}
	}
	f := &File{Machine: "m", Results: []Result{r("a", 1, 40), r("a", 2, 70), {Probe: "b", Kind: Read, Level: DRAM, Threads: 1, Err: "failed"}}}
	earlier := &File{Machine: "m", Results: []Result{r("a", 1, 50), r("a", 2, 60), r("b", 1, 30), r("c", 1, 10)}}
	if kept := KeepBest(f, earlier); kept != 3 {
		t.Errorf("kept %d, want 3 (a at 1 thread, b over its failure, c)", kept)
	}
	want := map[string]float64{"a/1": 50, "a/2": 70, "b/1": 30, "c/1": 10}
	for _, x := range f.Results {
		if w := want[fmt.Sprintf("%s/%d", x.Probe, x.Threads)]; x.Median != w {
			t.Errorf("%s at %d threads: %v, want %v", x.Probe, x.Threads, x.Median, w)
		}
	}
	if KeepBest(f, &File{Machine: "other", Results: []Result{r("a", 1, 99)}}) != 0 {
		t.Error("another machine's results merged")
	}

	// Sweeps: a file that swept nothing keeps the earlier ones where its
	// reaches are the earlier file's, and only there.
	sweep := []SweepPoint{{Bytes: 1 << 20, Median: 7e10}}
	swept := &File{Machine: "m", L3Sweep: sweep, PassSweep: sweep, Results: []Result{r("a", 1, 1)}}
	swept.Description.Caches.L3Reach, swept.Description.Caches.PassReach = 16<<20, 1<<20
	same := &File{Machine: "m"}
	same.Description.Caches = swept.Description.Caches
	KeepBest(same, swept)
	if len(same.L3Sweep) != 1 || len(same.PassSweep) != 1 {
		t.Errorf("a run that swept nothing lost the stored sweeps: %+v %+v", same.L3Sweep, same.PassSweep)
	}
	other := &File{Machine: "m"}
	other.Description.Caches.L3Reach = 8 << 20
	KeepBest(other, swept)
	if len(other.L3Sweep) != 0 || len(other.PassSweep) != 0 {
		t.Error("sweeps of another reach merged")
	}
	fresh := &File{Machine: "m", L3Sweep: []SweepPoint{{Bytes: 2 << 20, Median: 1}}}
	fresh.Description.Caches = swept.Description.Caches
	KeepBest(fresh, swept)
	if fresh.L3Sweep[0].Bytes != 2<<20 || len(fresh.PassSweep) != 0 {
		t.Error("a run's own sweep was replaced by the stored one")
	}
}

// A Sampler measures a probe on demand, checking it as Measure does.
func TestSampler(t *testing.T) {
	d := testMachine()
	opt := Options{BenchTime: time.Millisecond, DRAMBytes: 1 << 20}
	good := map[Kind]Probe{}
	for _, p := range Probes() {
		if _, ok := good[p.Kind]; !ok {
			good[p.Kind] = p
		}
	}
	for _, p := range []Probe{good[Read], good[Copy], good[FMA32]} {
		s, err := NewSampler(d, p, L2, 2, opt)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		for range 2 {
			if v, err := s.Sample(); err != nil || !(v > 0) {
				t.Errorf("%s: sample %v, %v", p.Name, v, err)
			}
		}
		if err := s.Verify(); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		s.Close()
	}
	if _, err := NewSampler(d, good[Read], "L7", 1, opt); err == nil || !strings.Contains(err.Error(), "L7") {
		t.Errorf("unknown level: %v", err)
	}
	// A copy that writes half passes its timing but not Verify; a read that
	// reads half fails from the first check.
	halfCopy := Probe{Name: "half-copy", Kind: Copy, Stream: func(dst, x, _ []float32) float64 { copy(dst[:len(dst)/2], x); return 0 }}
	if s, err := NewSampler(d, halfCopy, DRAM, 1, opt); err == nil {
		t.Errorf("half-copy prepared: %v", s.Verify())
	}
	halfRead := Probe{Name: "half-read", Kind: Read, Stream: func(_, x, _ []float32) float64 { return goRead(nil, x[:len(x)/2], nil) }}
	if _, err := NewSampler(d, halfRead, L1, 1, opt); err == nil {
		t.Error("half-read prepared")
	}
	// A probe that turns bad after its checked pass is caught by Sample.
	// It turns once prepared, not after a count of calls: a sample may be
	// a single pass (under the race detector on a loaded machine one was,
	// and the fourth call never came).
	bad := false
	turns := Probe{Name: "turns", Kind: Read, Stream: func(_, x, _ []float32) float64 {
		if bad {
			return 0
		}
		return goRead(nil, x, nil)
	}}
	s, err := NewSampler(d, turns, L1, 1, opt)
	if err != nil {
		t.Fatal(err)
	}
	bad = true
	if _, err := s.Sample(); err == nil {
		t.Error("a read returning 0 sampled without error")
	}
}

// TestStreamDataExact: a read probe's check must hold for any working set,
// here 256 MiB summed by one float32 accumulator (the worst split), which
// counts past 2^24 ones unless their number is capped.
func TestStreamDataExact(t *testing.T) {
	s := newStreamData(Read, 256<<20)
	var sum float32
	for _, v := range s.x {
		sum += v
	}
	if err := s.check(Probe{Name: "one-accumulator", Kind: Read}, float64(sum)); err != nil {
		t.Fatal(err)
	}
}
