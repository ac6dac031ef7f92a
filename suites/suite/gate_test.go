package suite_test

import (
	"slices"
	"testing"

	_ "github.com/nbench/nbench/suites/all"
	"github.com/nbench/nbench/suites/suite"
)

// maxGateShapes bounds the gate selection: every gate round runs all of its
// shapes on two backends.
const maxGateShapes = 45

// maxGateBytes bounds the buffers of one gate case (a round allocates them
// afresh each time).
const maxGateBytes = 64 << 20

// TestGateShapes: every kernel has gate shapes; each parses, builds, keeps
// the default fill and fits in maxGateBytes; the total stays small.
func TestGateShapes(t *testing.T) {
	ks := suite.All()
	if len(ks) == 0 {
		t.Fatal("no kernels registered")
	}
	total := 0
	for _, k := range ks {
		if len(k.Gate) == 0 {
			t.Errorf("%s: no Gate shapes", k.Name)
		}
		total += len(k.Gate)
		seen := map[string]bool{}
		for _, shape := range k.Gate {
			p, err := k.ParseParams(shape)
			if err != nil {
				t.Errorf("%s: gate shape %q: %v", k.Name, shape, err)
				continue
			}
			if seen[p.String()] {
				t.Errorf("%s: gate shape %q repeats an earlier one", k.Name, shape)
			}
			seen[p.String()] = true
			for _, d := range k.Params {
				if d.Key == "fill" && p.Get("fill") != d.Default {
					t.Errorf("%s: gate shape %q: fill=%s, want the default fill %s", k.Name, shape, p.Get("fill"), d.Default)
				}
			}
			c, err := k.New(p)
			if err != nil {
				t.Errorf("%s: gate shape %q: New: %v", k.Name, shape, err)
				continue
			}
			bytes := 0
			for _, b := range c.Buffers() {
				bytes += b.Len * b.DType.Size()
			}
			if bytes > maxGateBytes {
				t.Errorf("%s: gate shape %q: buffers of %d MiB, want at most %d MiB", k.Name, shape, bytes>>20, maxGateBytes>>20)
			}
		}
	}
	if total > maxGateShapes {
		t.Errorf("%d gate shapes over %d kernels, want at most %d", total, len(ks), maxGateShapes)
	}
	t.Logf("%d gate shapes over %d kernels", total, len(ks))
}

// TestLongShapesAreTests: a Long shape is a Tests shape that emulated runs
// leave out; one missing from Tests would be run nowhere.
func TestLongShapesAreTests(t *testing.T) {
	for _, k := range suite.All() {
		for _, shape := range k.Long {
			if !slices.Contains(k.Tests, shape) {
				t.Errorf("%s: Long shape %q is not among its Tests", k.Name, shape)
			}
		}
	}
}
