package roofline

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/suites/suite"
)

const G = 1e9

// synthetic is a 2-CPU machine: bandwidths in GB/s and peaks in G/s, for
// 1 and 2 threads.
func synthetic() *peak.File {
	f := &peak.File{Machine: "test", Levels: []peak.Level{
		{Name: peak.L1, Capacity: 48 << 10, SharedBy: 1},
		{Name: peak.L2, Capacity: 1 << 20, SharedBy: 1},
		{Name: peak.L3, Capacity: 32 << 20, SharedBy: 2},
		{Name: peak.DRAM, Capacity: 8 << 30, SharedBy: 2},
	}}
	bw := func(level string, k peak.Kind, one, two float64) {
		f.Results = append(f.Results,
			peak.Result{Probe: "p-" + string(k), Kind: k, Level: level, Threads: 1, Median: one * G},
			peak.Result{Probe: "p-" + string(k), Kind: k, Level: level, Threads: 2, Median: two * G})
	}
	bw(peak.L1, peak.Read, 100, 200)
	bw(peak.L1, peak.Copy, 80, 160) // read is the best at L1
	bw(peak.L2, peak.Triad, 60, 120)
	bw(peak.L3, peak.Triad, 40, 60)
	bw(peak.DRAM, peak.Triad, 10, 15)
	f.Results = append(f.Results,
		peak.Result{Probe: "go-fma32", Kind: peak.FMA32, Threads: 1, Median: 20 * G},
		peak.Result{Probe: "avx-fma32", Kind: peak.FMA32, Threads: 1, Median: 200 * G}, // the best probe sets the roof
		peak.Result{Probe: "avx-fma32", Kind: peak.FMA32, Threads: 2, Median: 400 * G},
		peak.Result{Probe: "broken", Kind: peak.FMA32, Threads: 1, Median: 0, Err: "failed its check"},
		peak.Result{Probe: "vnni", Kind: peak.DotI8, Threads: 1, Median: 800 * G},
		peak.Result{Probe: "avx-fma64", Kind: peak.FMA64, Threads: 1, Median: 100 * G},
		peak.Result{Probe: "avx-int-alu", Kind: peak.IntALU, Threads: 1, Median: 300 * G},
		peak.Result{Probe: "avx-exp32", Kind: peak.Exp32, Threads: 1, Median: 10 * G},
	)
	return f
}

// TestEveryResource: each resource a kernel uses bounds it; the one that
// needs the most time binds, whichever unit it is in.
func TestEveryResource(t *testing.T) {
	c := New(synthetic())
	l1 := float64(40 << 10)
	for _, tc := range []struct {
		name    string
		w       Work
		roof    string
		kind    peak.Kind
		percent float64
	}{
		// Shift-and-add work is judged against the integer ALU, not the
		// int8 dot product: 150 of 300 GOP/s.
		{"shift-add", Work{ALUOps: 150e6, Bytes: 1e5, Seconds: 1e-3, WorkingSet: l1, Threads: 1}, "int-alu", peak.IntALU, 50},
		// float64 FLOPs against the fp64 peak: 50 of 100 GFLOP/s.
		{"fp64", Work{Flops: 50e6, F64: true, Trans: 1e6, Bytes: 1e5, Seconds: 1e-3, WorkingSet: l1, Threads: 1}, "fma64", peak.FMA64, 50},
		// One exp per element in L1: 8 GB/s of 100 GB/s is 8%, 4 GFLOP/s of
		// 200 is 2%, but 1 G exp/s of 10 is 10%: the exp unit binds.
		{"exp-bound", Work{Flops: 4e6, Trans: 1e6, Bytes: 8e6, Seconds: 1e-3, WorkingSet: l1, Threads: 1}, "exp32", peak.Exp32, 10},
		// The same counts in DRAM: 8 of 10 GB/s binds.
		{"exp in DRAM", Work{Flops: 4e6, Trans: 1e6, Bytes: 8e6, Seconds: 1e-3, WorkingSet: 1 << 30, Threads: 1}, peak.DRAM, peak.Exp32, 80},
	} {
		p, err := c.Classify(tc.w)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.Roof != tc.roof || p.Kind != tc.kind || !near(p.Percent, tc.percent) {
			t.Errorf("%s: got %s (axis %s) %.4g%%, want %s (axis %s) %.4g%%", tc.name, p.Roof, p.Kind, p.Percent, tc.roof, tc.kind, tc.percent)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func TestClassify(t *testing.T) {
	c := New(synthetic())
	cases := []struct {
		name    string
		w       Work
		bound   Bound
		roof    string
		percent float64
		balance float64
	}{
		// layernorm-like, AI 1 flop/B, 512 MiB working set on 2 threads:
		// DRAM balance is 400/15 = 26.7 flop/B, so memory-bound; 7.5 GB/s of 15.
		{"norm in DRAM", Work{Flops: 8e6, Bytes: 8e6, Seconds: 8e6 / (7.5 * G), WorkingSet: 512 << 20, Threads: 2}, Memory, peak.DRAM, 50, 400.0 / 15},
		// The same kernel in L2 on one thread: 30 GB/s of 60.
		{"norm in L2", Work{Flops: 8e5, Bytes: 8e5, Seconds: 8e5 / (30 * G), WorkingSet: 512 << 10, Threads: 1}, Memory, peak.L2, 50, 200.0 / 60},
		// A GEMM at 64 flop/B in L1: balance 2 flop/B, compute-bound at 100 of 200 GFLOP/s.
		{"gemm in L1", Work{Flops: 64e6, Bytes: 1e6, Seconds: 64e6 / (100 * G), WorkingSet: 40 << 10, Threads: 1}, Compute, "fma32", 50, 2},
		// Integer kernels use the int8 ceiling: 200 of 800 GOP/s.
		{"int8 gemm", Work{Flops: 1e3, IntOps: 1e9, Bytes: 1e6, Seconds: 1e9 / (200 * G), WorkingSet: 40 << 10, Threads: 1}, Compute, "dot-i8", 25, 8},
		// Beyond the ceiling is reported as is (a probe slower than the kernel).
		{"above peak", Work{Flops: 1, Bytes: 1e6, Seconds: 1e6 / (30 * G), WorkingSet: 512 << 20, Threads: 1}, Memory, peak.DRAM, 300, 20},
		// No bytes: compute-bound by definition.
		{"no bytes", Work{Flops: 1e9, Seconds: 1, Threads: 1}, Compute, "fma32", 0.5, 0},
	}
	for _, tc := range cases {
		p, err := c.Classify(tc.w)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.Bound != tc.bound || p.Roof != tc.roof || !near(p.Percent, tc.percent) {
			t.Errorf("%s: got %s %s %.4g%%, want %s %s %.4g%%", tc.name, p.Bound, p.Roof, p.Percent, tc.bound, tc.roof, tc.percent)
		}
		if tc.balance != 0 && !near(p.Balance, tc.balance) {
			t.Errorf("%s: balance %v, want %v", tc.name, p.Balance, tc.balance)
		}
	}
	if p, _ := c.Classify(cases[2].w); p.Probe != "avx-fma32" || p.String() != "50% fma32" {
		t.Errorf("gemm point %+v %q", p, p.String())
	}
	if p, _ := c.Classify(cases[5].w); p.String() != "0.5% fma32" {
		t.Errorf("small percent renders %q", p.String())
	}
}

func TestLevel(t *testing.T) {
	c := New(synthetic())
	for _, tc := range []struct {
		ws      float64
		threads int
		want    string
	}{
		{40 << 10, 1, peak.L1},
		{80 << 10, 2, peak.L1}, // 40 KiB per thread, private L1s
		{80 << 10, 1, peak.L1}, // under twice the L1: part of it stays there
		{100 << 10, 1, peak.L2},
		{3 << 20, 1, peak.L3},
		{3 << 20, 2, peak.L2},
		{40 << 20, 2, peak.L3},    // part of a rotation a little beyond the L3 stays in it
		{255 << 20, 1, peak.L3},   // under LLCRotation times the L3: still L3
		{256 << 20, 1, peak.DRAM}, // the harness cold rule
		{0, 1, peak.DRAM},         // unknown
	} {
		if got := c.Level(tc.ws, tc.threads); got != tc.want {
			t.Errorf("Level(%v, %d) = %s, want %s", tc.ws, tc.threads, got, tc.want)
		}
	}
}

func TestThreadScaling(t *testing.T) {
	f := synthetic()
	// Measured at 1 and 8 threads: private caches scale, DRAM saturates.
	for i := range f.Results {
		if f.Results[i].Threads == 2 {
			f.Results[i].Threads = 8
		}
	}
	c := New(f)
	if got := c.Bandwidth(peak.L1, 4); !near(got, 200*G) { // min(4 x 100, 200)
		t.Errorf("L1 at 4 threads %v", got)
	}
	if got := c.Bandwidth(peak.DRAM, 4); !near(got, 15*G) { // min(40, 15)
		t.Errorf("DRAM at 4 threads %v", got)
	}
	if got := c.Peak(peak.FMA32, 1); !near(got, 200*G) {
		t.Errorf("fma32 at 1 thread %v", got)
	}
	if got := c.Peak(peak.DotI8, 3); !near(got, 2400*G) { // only 1 thread measured: scales
		t.Errorf("dot-i8 at 3 threads %v", got)
	}
	if got := c.Bandwidth(peak.L3, 16); !near(got, 60*G) {
		t.Errorf("L3 beyond the measured threads %v", got)
	}
}

func TestMissingCeilings(t *testing.T) {
	f := synthetic()
	var bwOnly []peak.Result
	for _, r := range f.Results {
		if !r.Kind.Compute() {
			bwOnly = append(bwOnly, r)
		}
	}
	f.Results = bwOnly
	c := New(f)
	// Without compute peaks everything is judged against bandwidth.
	p, err := c.Classify(Work{Flops: 64e6, Bytes: 1e6, Seconds: 1e-3, WorkingSet: 1 << 30, Threads: 1})
	if err != nil || p.Bound != Memory || p.Balance != 0 {
		t.Errorf("bandwidth-only peaks: %+v %v", p, err)
	}
	empty := New(&peak.File{Machine: "x"})
	if _, err := empty.Classify(Work{Flops: 1, Bytes: 1, Seconds: 1, Threads: 1}); !errors.Is(err, ErrNoCeiling) {
		t.Errorf("no peaks: %v", err)
	}
	if _, err := c.Classify(Work{Flops: 1, Bytes: 1}); err == nil {
		t.Error("untimed work classified")
	}
}

func TestWorkingSet(t *testing.T) {
	if got := WorkingSet(1e6, 3, true); got != 3e6 {
		t.Errorf("with sets: %v", got)
	}
	if got := WorkingSet(100<<10, 0, true); got != 64*(100<<10) {
		t.Errorf("cold small: %v", got)
	}
	if got := WorkingSet(10<<20, 0, true); got != 7*(10<<20) {
		t.Errorf("cold 10 MiB: %v", got)
	}
	if got := WorkingSet(100<<10, 0, false); got != 100<<10 {
		t.Errorf("warm: %v", got)
	}
	// A run that touches half its set (a masked loss) cycles through half
	// the sets' bytes; traffic above the set (a second pass) does not grow it.
	for _, c := range []struct{ set, traffic, want float64 }{{8e6, 4e6, 16e6}, {8e6, 16e6, 32e6}, {0, 4e6, 16e6}} {
		if got := WorkOf(suite.Cost{Bytes: c.traffic}, 1, 1, c.set, 4, true).WorkingSet; got != c.want {
			t.Errorf("set %g B, traffic %g B, 4 sets: working set %g, want %g", c.set, c.traffic, got, c.want)
		}
	}
}

func TestAttainable(t *testing.T) {
	c := New(synthetic())
	if got := c.Attainable(peak.FMA32, peak.DRAM, 1, 1); !near(got, 10*G) {
		t.Errorf("attainable at AI 1 in DRAM: %v", got)
	}
	if got := c.Attainable(peak.FMA32, peak.L1, 1, 100); !near(got, 200*G) {
		t.Errorf("attainable at AI 100 in L1: %v", got)
	}
	if ls := c.MemoryLevels(); len(ls) != 4 {
		t.Errorf("levels %v", ls)
	}
}

// TestDeviceInt8: int8 work is judged against the best int8 unit a peak
// file has: a GPU's matrix units (mma-i8) over its dp4a dot products.
func TestDeviceInt8(t *testing.T) {
	f := &peak.File{Machine: "gpu", Levels: []peak.Level{{Name: peak.DRAM, SharedBy: 1}}, Results: []peak.Result{
		{Probe: "copy", Kind: peak.Copy, Level: peak.DRAM, Threads: 1, Median: 3000 * G},
		{Probe: "dp4a", Kind: peak.DotI8, Threads: 1, Median: 200e3 * G},
		{Probe: "mma", Kind: peak.MMAI8, Threads: 1, Median: 1600e3 * G},
	}}
	p, err := New(f).Classify(Work{IntOps: 800e12, Bytes: 1e9, Seconds: 1, WorkingSet: 1 << 30, Threads: 1})
	if err != nil || p.Roof != "mma-i8" || !near(p.Percent, 50) {
		t.Errorf("int8 GEMM on a GPU: %+v %v, want 50%% mma-i8", p, err)
	}
}

// TestTrafficMix: a kernel's bandwidth ceiling is what the probes showed
// for its mix of reads and writes: a kernel that only reads is judged
// against the read probe, not the faster copy; mixes between two probes'
// are interpolated; unknown writes take the best of every probe.
func TestTrafficMix(t *testing.T) {
	f := &peak.File{Machine: "mix", Levels: []peak.Level{{Name: peak.DRAM, Capacity: 8 << 30, SharedBy: 2}}}
	for _, r := range []struct {
		k  peak.Kind
		bw float64
	}{{peak.Read, 40}, {peak.Triad, 42}, {peak.Copy, 50}} {
		f.Results = append(f.Results, peak.Result{Probe: "p-" + string(r.k), Kind: r.k, Level: peak.DRAM, Threads: 1, Median: r.bw * G})
	}
	c := New(f)
	for _, tc := range []struct {
		name    string
		written float64 // of 100 MB
		ceiling float64 // GB/s
		probe   string
	}{
		{"loss (writes a scalar)", 4e-6, 40, "p-read"},
		{"unknown writes", 0, 50, "p-copy"},
		{"norm (writes half)", 50, 50, "p-copy"},
		// Between read (0, 40) and copy (1/2, 50), at 1/4: 45, above the
		// triad's 42 and the read+triad line's 43.75.
		{"quarter written", 25, 45, "p-read+p-copy"},
		{"all written", 100, 50, "p-copy"},
	} {
		p, err := c.Classify(Work{Bytes: 100e6, Written: tc.written * 1e6, Seconds: 1e-2, WorkingSet: 1 << 30, Threads: 1})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*b }
		if !close(p.Ceiling, tc.ceiling*G) || p.Probe != tc.probe || !close(p.Percent, 100*10/tc.ceiling) {
			t.Errorf("%s: ceiling %.4g GB/s by %s (%.4g%%), want %.4g by %s", tc.name, p.Ceiling/G, p.Probe, p.Percent, tc.ceiling, tc.probe)
		}
		// The parts rebuild the ceiling from their probes' values (what
		// run --peak-now measures again).
		sum := 0.0
		for _, part := range p.Parts {
			for _, r := range f.Results {
				if r.Probe == part.Probe && r.Kind == part.Kind && part.Threads == 1 {
					sum += part.Weight * r.Median
				}
			}
		}
		if !close(sum, p.Ceiling) || p.Work != 100e6 {
			t.Errorf("%s: parts %+v sum to %.4g GB/s, ceiling %.4g; work %v", tc.name, p.Parts, sum/G, p.Ceiling/G, p.Work)
		}
	}
	if bw := c.Bandwidth(peak.DRAM, 1); !near(bw, 50*G) {
		t.Errorf("level bandwidth %.4g GB/s, want the best mix, 50", bw/G)
	}
}

// A ceiling's rivals are the other probes of its kind, at its thread
// count, within RivalShare of it: the copy probes at 97% and 95.5%, not
// the one at 90%, the read probe or another thread count's; a mix's parts
// keep their own.
func TestRivals(t *testing.T) {
	f := &peak.File{Machine: "rivals", Levels: []peak.Level{{Name: peak.DRAM, Capacity: 8 << 30, SharedBy: 2}}}
	add := func(probe string, k peak.Kind, threads int, bw float64) {
		f.Results = append(f.Results, peak.Result{Probe: probe, Kind: k, Level: peak.DRAM, Threads: threads, Median: bw * G})
	}
	add("copy-best", peak.Copy, 1, 50)
	add("copy-b", peak.Copy, 1, 48.5)
	add("copy-a", peak.Copy, 1, 47.75)
	add("copy-slow", peak.Copy, 1, 45)
	add("copy-b", peak.Copy, 2, 90) // another thread count's best
	add("read", peak.Read, 1, 49.9)
	c := New(f)
	p, err := c.Classify(Work{Bytes: 100e6, Written: 50e6, Seconds: 1e-2, WorkingSet: 1 << 30, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) != 1 || p.Parts[0].Probe != "copy-best" || fmt.Sprint(p.Parts[0].Rivals) != "[copy-a copy-b]" {
		t.Errorf("parts %+v, want copy-best with rivals copy-a and copy-b", p.Parts)
	}
	p, err = c.Classify(Work{Bytes: 100e6, Written: 25e6, Seconds: 1e-2, WorkingSet: 1 << 30, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Parts) != 2 || len(p.Parts[0].Rivals) != 0 || fmt.Sprint(p.Parts[1].Rivals) != "[copy-a copy-b]" {
		t.Errorf("mix parts %+v, want read alone and copy-best with its rivals", p.Parts)
	}
}
