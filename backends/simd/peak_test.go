package simd

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
)

// levelProbes returns the peak probes of every level this CPU supports
// (each once), so lower levels' loops are tested on a better CPU too.
func levelProbes() []peak.Probe {
	seen := map[string]bool{}
	var ps []peak.Probe
	for _, l := range supported() {
		for _, p := range peakProbes(l) {
			if !seen[p.Name] {
				seen[p.Name] = true
				ps = append(ps, p)
			}
		}
	}
	return ps
}

// Every probe does exactly the work of the scalar loop, for every tail
// length, without touching memory past its slices.
func TestPeakProbes(t *testing.T) {
	ps := levelProbes()
	if len(ps) == 0 {
		t.Skip("no vector level on this CPU")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range ps {
		t.Logf("probe %s", p.Name)
		if p.Kind.Compute() {
			for _, n := range []int{0, 1, 7, 1000, 1 << 16} {
				if got, want := p.Compute(n), float64(p.Lanes)*peak.Scalar(p.Kind, n); got != want {
					t.Errorf("%s: %d iterations on %d lanes gave %v, want %v", p.Name, n, p.Lanes, got, want)
				}
			}
			continue
		}
		for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 33, 100, 257, 1000, 4099} {
			// Small integers: every sum and triad value is exact in float32.
			x, y, dst := pageEnd(t, n), pageEnd(t, n), pageEnd(t, n)
			var sum float64
			for i := range x {
				x[i], y[i], dst[i] = float32(rng.IntN(8)), float32(rng.IntN(8)), -1
				sum += float64(x[i])
			}
			got := p.Stream(dst, x, y)
			for i := range dst {
				want := float32(-1)
				switch p.Kind {
				case peak.Copy:
					want = x[i]
				case peak.Triad:
					want = x[i] + peak.TriadScalar*y[i]
				}
				if dst[i] != want {
					t.Errorf("%s n=%d: dst[%d] = %v, want %v", p.Name, n, i, dst[i], want)
					break
				}
			}
			if p.Kind == peak.Read && got != sum {
				t.Errorf("%s n=%d: sum %v, want %v", p.Name, n, got, sum)
			}
		}
	}
}

// The backend's level registers its probes, and harness/peak's own checks
// accept them.
func TestPeakRegistered(t *testing.T) {
	all, idx, err := pick("")
	if err != nil {
		t.Skip(err)
	}
	mine := peakProbes(all[idx])
	reg := map[string]bool{}
	for _, p := range peak.Probes() {
		reg[p.Name] = true
	}
	kinds := map[peak.Kind]bool{}
	for _, p := range mine {
		if !reg[p.Name] {
			t.Errorf("probe %s of level %s is not registered", p.Name, all[idx].name)
		}
		kinds[p.Kind] = true
	}
	if runtime.GOARCH == "amd64" && all[idx].name != Generic && (!kinds[peak.FMA32] || !kinds[peak.Read]) {
		t.Errorf("level %s registers no vector fma32 or read probe", all[idx].name)
	}
	if testing.Short() || len(mine) == 0 {
		return
	}
	// Each probe's work is checked the same at any size: measure in the
	// caches only. A DRAM set is at least 8x the L3, 2 GB on a 260 MB-L3
	// Xeon: 30 s natively, past the 10-minute limit under qemu.
	_, rs, err := peak.Measure(machine.Describe(), peak.Options{BenchTime: time.Millisecond, Count: 1,
		Threads: []int{1}, Levels: []string{peak.L1, peak.L2}, Probes: mine})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Err != "" {
			t.Errorf("%s: %s", r.Probe, r.Err)
		}
	}
}
