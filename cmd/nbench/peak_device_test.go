package main

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// fakeDevice is a device backend's peak file: 1000 GB/s and 100 TFLOP/s.
func fakeDevice(bool) (*peak.File, error) {
	return &peak.File{Machine: machine.Describe().ID(), Date: time.Now(), Levels: []peak.Level{{Name: peak.DRAM, SharedBy: 1}},
		Results: []peak.Result{{Probe: "dev-copy", Kind: peak.Copy, Level: peak.DRAM, Threads: 1, Median: 1e12},
			{Probe: "dev-fma", Kind: peak.FMA32, Threads: 1, Median: 1e14}}}, nil
}

// TestDevicePeaks: `nbench peak --backend=B` measures and stores a device
// backend's own ceilings (an unknown one is a usage error), and device
// rows are judged against them at one "thread", host rows against the
// host's, rows of an external worker on another device against nothing.
func TestDevicePeaks(t *testing.T) {
	peak.RegisterDevice("fakegpu", fakeDevice)
	dir := t.TempDir()
	if code, _, stderr := nbench(t, "peak", "--backend=nosuch", "--dir", dir); code != exitUsage || !strings.Contains(stderr, "nosuch") {
		t.Errorf("peak --backend=nosuch: exit %d, %q", code, stderr)
	}
	if code, _, stderr := nbench(t, "peak", "--backend=fakegpu", "--dir", dir); code != exitOK {
		t.Fatalf("peak --backend=fakegpu: exit %d, %s", code, stderr)
	}
	id := machine.Describe().ID()
	if _, err := os.Stat(peak.DevicePath(dir, id, "fakegpu")); err != nil {
		t.Fatalf("device peak file: %v", err)
	}
	dev, err := peak.LoadDevice(dir, id, "fakegpu")
	if err != nil {
		t.Fatal(err)
	}
	host := &peak.File{Machine: id, Levels: []peak.Level{{Name: peak.DRAM, SharedBy: 2}},
		Results: []peak.Result{{Probe: "h-read", Kind: peak.Read, Level: peak.DRAM, Threads: 1, Median: 10e9},
			{Probe: "h-read", Kind: peak.Read, Level: peak.DRAM, Threads: 2, Median: 20e9}}}
	s := &runSession{threads: 2, opt: harness.Options{Cache: harness.CacheCold},
		roofs: map[string]*roofline.Ceilings{"": roofline.New(host), "fakegpu": roofline.New(dev)}}
	// 1 GB in 10 ms: 100 GB/s, 10% of the device, 500% of the host at 2 threads.
	row := func(backend string) harness.Result {
		return harness.Result{Backend: backend, Cost: suite.Cost{Bytes: 1e9}, SetBytes: 1 << 30, Sets: 1,
			Samples: []float64{0.01}, Stats: harness.Stats{Median: 0.01}}
	}
	s.backends = []harness.Backend{{Name: "gpuworker", Backend: offHost{}}}
	rs := []harness.Result{row("fakegpu"), row("go"), row("gpuworker")}
	s.placeUnderRoofs(io.Discard, rs)
	if r := rs[0].Roof; r == nil || r.Cell != "10% DRAM" {
		t.Errorf("device row: %+v, want 10%% DRAM of the device's own ceiling", r)
	}
	if r := rs[1].Roof; r == nil || r.Cell != "500% DRAM!" {
		t.Errorf("host row: %+v, want 500%% DRAM! (marked above the ceiling)", r)
	}
	if r := rs[2].Roof; r != nil {
		t.Errorf("external worker on another device: %+v, want no share", r)
	}
}

// offHost is an external worker that computes elsewhere than the host CPU.
type offHost struct{ kernel.Backend }

func (offHost) OnHostCPU() bool { return false }

// TestDRAMCheck: a run with host cases judged against DRAM measures the
// probe of the file's DRAM read ceiling again and says how DRAM compares
// now; it warns only when now is well below the ceiling.
func TestDRAMCheck(t *testing.T) {
	for _, tc := range []struct {
		ceiling float64 // B/s
		low     bool
	}{{1e15, true}, {1, false}} {
		host := &peak.File{Machine: machine.Describe().ID(), Levels: []peak.Level{{Name: peak.DRAM, SharedBy: 1}},
			Results: []peak.Result{{Probe: "go-read", Kind: peak.Read, Level: peak.DRAM, Threads: 1, Median: tc.ceiling}}}
		s := &runSession{threads: 1, opt: harness.Options{Cache: harness.CacheCold}, roofs: map[string]*roofline.Ceilings{"": roofline.New(host)}}
		rs := []harness.Result{{Backend: "go", Cost: suite.Cost{Bytes: 1e9}, SetBytes: 1 << 30, Sets: 1,
			Samples: []float64{0.01}, Stats: harness.Stats{Median: 0.01}}}
		var out strings.Builder
		s.placeUnderRoofs(&out, rs)
		s.checkDRAM(&out)
		got := out.String()
		if !strings.Contains(got, "DRAM now reads") || !strings.Contains(got, "go-read") {
			t.Errorf("ceiling %g B/s: no DRAM check in %q", tc.ceiling, got)
		}
		if warned := strings.Contains(got, "reads low"); warned != tc.low {
			t.Errorf("ceiling %g B/s: warned %v, want %v: %q", tc.ceiling, warned, tc.low, got)
		}
	}
}

// --peak-now: the share of the ceiling measured after each sample is the
// median of the samples' own shares; the measurement samples the binding
// probes of the peak file (both of a mix) and their rivals, and one
// missing from the build is an error naming it.
func TestPeakNow(t *testing.T) {
	l1 := machine.Describe().Caches.L1D
	if l1 <= 0 {
		l1 = 32 << 10
	}
	host := &peak.File{Machine: machine.Describe().ID(), Levels: []peak.Level{{Name: peak.L1, Capacity: l1, SharedBy: 1}, {Name: peak.DRAM, SharedBy: 1}},
		Results: []peak.Result{
			{Probe: "go-read", Kind: peak.Read, Level: peak.L1, Threads: 1, Median: 1e9},
			{Probe: "go-copy", Kind: peak.Copy, Level: peak.L1, Threads: 1, Median: 2e9},
			{Probe: "gone", Kind: peak.Read, Level: peak.DRAM, Threads: 1, Median: 1e9}}}
	// Another read probe of this build, stored within RivalShare of
	// go-read, is its rival: measured with it, the faster counting.
	rival := ""
	for _, p := range peak.Probes() {
		if p.Kind == peak.Read && p.Name != "go-read" && rival == "" {
			rival = p.Name
			host.Results = append(host.Results, peak.Result{Probe: p.Name, Kind: peak.Read, Level: peak.L1, Threads: 1, Median: 0.98e9})
		}
	}
	s := &runSession{threads: 1, opt: harness.Options{Cache: harness.CacheWarm, BenchTime: time.Millisecond},
		roofs: map[string]*roofline.Ceilings{"": roofline.New(host)}, now: roofline.NewNow(machine.Describe())}
	defer s.now.Close()

	// The arithmetic: 1 GB per run; samples of 10 and 20 ms against
	// ceilings of 100 and 50 GB/s measured after them: 100% each.
	rs := []harness.Result{{Backend: "go", Cost: suite.Cost{Bytes: 1e9}, SetBytes: 1 << 30, Sets: 1,
		Samples: []float64{0.01, 0.02}, Stats: harness.Stats{Median: 0.015}, Companion: []float64{100e9, 50e9}}}
	var out strings.Builder
	s.placeUnderRoofs(&out, rs)
	if rf := rs[0].Roof; rf == nil || rf.NowPercent != 100 || rf.CeilingNow != 75e9 || !strings.Contains(rf.Cell, "(100% now)") {
		t.Fatalf("roof %+v", rs[0].Roof)
	}

	// In L1, a quarter of the bytes written: between read and copy.
	mix := harness.Result{Backend: "go", Cost: suite.Cost{Bytes: 1 << 10, Written: 1 << 8}, SetBytes: 1 << 10, Sets: 1}
	m := s.peakNow(&mix)
	if m == nil {
		t.Fatal("no measurement for an L1 case")
	}
	if v, err := m(); err != nil || !(v > 0) {
		t.Fatalf("measured %v, %v", v, err)
	}
	want := 2
	if rival != "" {
		want = 3
	}
	if got := s.now.Prepared(); len(got) != want {
		t.Errorf("prepared probes %v, want %d: go-read, its rival %q and go-copy in L1", got, want, rival)
	}
	gone := harness.Result{Backend: "go", Cost: suite.Cost{Bytes: 1e9}, SetBytes: 1 << 30, Sets: 1}
	if _, err := s.peakNow(&gone)(); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("missing probe: %v", err)
	}
}
