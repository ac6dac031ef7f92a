package torch

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/nbench/nbench/backends/external"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
	"github.com/nbench/nbench/suites/suite"
)

// open opens the backend, or skips the test where torch is not installed;
// NBENCH_REQUIRE_TORCH=1 (CI, after installing python3-torch) makes that a
// failure instead.
func open(t testing.TB, threads int) *harness.Backend {
	b, err := Open(kernel.Config{Threads: threads})
	if err != nil {
		if os.Getenv("NBENCH_REQUIRE_TORCH") == "1" {
			t.Fatalf("torch backend unavailable: %v", err)
		}
		t.Skipf("torch backend unavailable: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return &harness.Backend{Name: Name, Backend: b}
}

// Deviations are cases where PyTorch's own numerics differ from KERNELS.md
// by more than the tolerance: the suites judge torch like any backend, so
// these are FAILED in nbench run, and the test requires exactly that of
// them (a deviation that starts passing is logged, to be removed here).
// Keys match case names.
var deviations = []struct{ re, why string }{
	{`^batchnorm_train/layout=nc/N=4194304/H=1/W=1/C=1/`, "batch_norm's float32 statistics over 4M values per channel (y off by ~30x the tolerance)"},
	{`^(nonscaling_)?layernorm(_scaling)?/(.*/)?C=1/`, "layer_norm's fused x*rstd - mu*rstd cancels at C=1 with rstd = 1000"},
	{`^selu/.*fill=special`, "selu(-0.0) is +0.0"},
	// Above 4000 coordinates (1000 boxes) an image takes torchvision's
	// per-label path, whose final sort of the kept union is unstable; with
	// these seeds, two kept boxes of equal score turn up in some runs only
	// (seed 6633274685695088893 on B=4/N=5000: image 0, indices 985 and 1501).
	{`^batched_nms/B=\d+/N=(5000|20000)/`, "above 1000 boxes torchvision sorts the kept union with an unstable sort: equal scores leave index order"},
	{`^batched_nms/.*fill=(special|nancoord)`, "torchvision's coordinate-offset trick: one NaN coordinate makes every offset box NaN, so nothing is suppressed"},
}

func deviation(name string) string {
	for _, d := range deviations {
		if regexp.MustCompile(d.re).MatchString(name) {
			return d.why
		}
	}
	return ""
}

// Every kernel the worker implements passes its suite checks on the quick
// and test shapes (but the listed deviations, which must fail), and each
// output's check fails when the output is broken (conformance.Mutate).
func TestConformance(t *testing.T) {
	hb := open(t, 1)
	ids := hb.Backend.(kernel.Lister).Kernels()
	t.Logf("torch kernels: %v", ids)
	seed := conformance.Seed(t)
	t.Logf("seed %d (rerun with NBENCH_SEED=%d)", seed, seed)
	for _, k := range suite.All() {
		if !slices.Contains(ids, k.Name) {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			for _, shape := range append(slices.Clone(k.Quick), k.Tests...) {
				p, err := k.ParseParams(shape)
				if err != nil {
					t.Fatalf("shape %q: %v", shape, err)
				}
				it := harness.Item{Kernel: k, Params: p}
				r := harness.Run([]harness.Item{it}, []harness.Backend{*hb}, harness.Options{Seed: seed, NoTiming: true})[0]
				why := deviation(it.Name())
				switch {
				case r.Check.Verdict == suite.Unimplemented:
					t.Logf("%s: a gap: %s", it.Name(), r.Err)
				case why != "" && r.Check.Verdict == suite.Failed:
					t.Logf("%s: FAILED as known (%s): %s", it.Name(), why, r.Check.Detail)
				case why != "":
					t.Logf("%s: a known deviation (%s) gave %s: remove it from the list if it keeps passing", it.Name(), why, r.Check.Verdict)
				case r.Check.Verdict != suite.Passed:
					t.Errorf("%s: %s: %s %s (err/tol %.3g)", it.Name(), r.Check.Verdict, r.Err, r.Check.Detail, r.Check.ErrRatio)
				default:
					conformance.Mutate(t, *hb, it, seed)
				}
			}
		})
	}
}

// The protocol's overhead on a near-empty kernel (selu of one element):
// go test -run Overhead -v ./backends/torch
func TestOverhead(t *testing.T) {
	hb := open(t, 1)
	o, err := external.MeasureOverhead(hb.Backend, 2000, 20000)
	if err != nil {
		t.Fatal(err)
	}
	if o.RoundTrip <= 0 || o.PerCall <= 0 {
		t.Errorf("overhead %+v", o)
	}
	t.Logf("torch worker, selu E=1: round trip %v per run request, %v per call in a timed batch", o.RoundTrip, o.PerCall)
}
