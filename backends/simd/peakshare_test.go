package simd_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/harness/roofline"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestNoShareAbovePeak runs every kernel's full shapes on this backend at
// one thread and fails on any share of the machine's ceilings above 100%:
// a count above the work done or a missing ceiling shows up here (the fix
// is a better count or probe, never a cap). The ceilings are the best of
// this machine's stored peak file (baselines/<id>/peak.json) and a
// measurement at the start, each at its best sample, against each case's
// median. DRAM bandwidth here drifts by a few percent over the minutes the
// test takes, so the case's ceiling is also measured right after each of
// its samples (roofline.Now, as run --peak-now does), and a case fails
// only above the best of all those measurements.
//
// It takes about ten minutes and 15 GB of memory (the DRAM probes' arrays
// are kept), so it runs only with NBENCH_FULL_SHAPES=1 (or set to a
// regexp of the cases to run, e.g. ^rmsnorm/).
func TestNoShareAbovePeak(t *testing.T) {
	only := os.Getenv("NBENCH_FULL_SHAPES")
	if only == "" {
		t.Skip("set NBENCH_FULL_SHAPES=1 to run every kernel's full shapes (minutes), or to a regexp of the cases to run")
	}
	match := regexp.MustCompile(".")
	if only != "1" {
		var err error
		if match, err = regexp.Compile(only); err != nil {
			t.Fatalf("NBENCH_FULL_SHAPES=%q: not 1 nor a regexp of cases: %v", only, err)
		}
	}
	d := machine.Describe()
	f, err := peak.Run(d, peak.Options{Threads: []int{1}, BenchTime: 20 * time.Millisecond, Count: 5})
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := peak.Load(filepath.Join("..", "..", "baselines"), d.ID()); err == nil {
		peak.KeepBest(f, stored)
	} else {
		t.Logf("no stored peak file for %s: the ceilings measured now only", d.ID())
	}
	for i := range f.Results {
		f.Results[i].Median = f.Results[i].Max
	}
	ceil := roofline.New(f)

	b, err := simd.New(kernel.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var items []harness.Item
	for _, k := range suite.All() {
		for _, shape := range k.Full {
			p, err := k.ParseParams(shape)
			if err != nil {
				t.Fatal(err)
			}
			if item := (harness.Item{Kernel: k, Params: p}); match.MatchString(item.Name()) {
				items = append(items, item)
			}
		}
	}
	opt := harness.DefaultOptions()
	opt.Count, opt.BenchTime, opt.NoCheck = 3, 20*time.Millisecond, true
	c := f.Description.Caches // with the reaches just measured
	opt.SetLastLevelCache(c.LastLevel(), c.HeldLastLevel(), c.PassReach)
	opt.Seed = 1
	now := roofline.NewNow(f.Description)
	defer now.Close()
	opt.Companion = func(r *harness.Result) func() (float64, error) {
		p, err := ceil.Classify(roofline.WorkOf(r.Cost, 1, 1, float64(r.SetBytes), r.Sets, true))
		if err != nil {
			return nil
		}
		return now.Measure(p, 20*time.Millisecond)
	}
	t.Logf("%d full shapes on simd at 1 thread, ceilings of %s (%s)", len(items), f.Machine, f.Date.Format("2006-01-02"))
	for _, r := range harness.Run(items, []harness.Backend{{Name: "simd", Backend: b}}, opt) {
		if !r.Timed() {
			if r.Check.Verdict != suite.Unimplemented && r.Check.Verdict != suite.Skipped {
				t.Errorf("%s: not timed: %s", r.Name(), r.Check.Detail)
			}
			continue
		}
		p, err := ceil.Classify(roofline.WorkOf(r.Cost, r.Stats.Median, 1, float64(r.SetBytes), r.Sets, true))
		if err != nil {
			t.Errorf("%s: %v", r.Name(), err)
			continue
		}
		// The best ceiling seen: stored, at the start, or right after one
		// of the case's samples. A wrong count exceeds them all by far; a
		// kernel as fast as the probe (rmsnorm's rows stream like a copy)
		// exceeds a single measurement about half the time.
		best := p.Ceiling
		for _, c := range r.Companion {
			best = max(best, c)
		}
		t.Logf("%-8s %-60s %s (%.1f%% of the best ceiling seen)", r.Path, r.Name(), p, 100*p.Achieved/best)
		switch {
		case p.Percent <= 100:
		case len(r.Companion) == 0:
			t.Errorf("%s (%s): %s of peak, and its ceiling could not be measured again: %s", r.Name(), r.Path, p, r.CompanionErr)
		case p.Achieved > best:
			t.Errorf("%s (%s): %s of peak: %.4g %s against a ceiling of %.4g (%s), and of at most %.4g measured after its samples; the count or the probe is wrong",
				r.Name(), r.Path, p, p.Achieved, p.Unit, p.Ceiling, p.Probe, best)
		}
	}
}
