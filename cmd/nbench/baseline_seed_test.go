package main

import (
	"path/filepath"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/suites/suite"
)

// TestBaselineSeed: a stored baseline keeps the seed of its inputs and the
// gate reads it back, so it draws the same boxes and masks; a baseline
// without one reads as 0 (the run's own seed then stands).
func TestBaselineSeed(t *testing.T) {
	rs := []harness.Result{{Kernel: "nms", Params: "N=5000", Backend: "go", Path: "generic",
		Check: suite.Check{Verdict: suite.Passed}, Samples: []float64{1e-3, 1.1e-3}, Iters: 1}}
	for _, tc := range []struct {
		env  harness.Env
		want uint64
	}{
		{harness.Env{{Key: "samples", Value: gate.RoundMedians}, {Key: "rounds", Value: "2"}, {Key: baselineSeedKey, Value: "1234567890123"}}, 1234567890123},
		{harness.Env{{Key: "samples", Value: gate.RoundMedians}, {Key: "rounds", Value: "2"}}, 0},
	} {
		path := filepath.Join(t.TempDir(), "gate.txt")
		if _, err := saveBaseline(path, tc.env, rs, true); err != nil {
			t.Fatal(err)
		}
		_, seed, err := loadBaseline(path, &runFlags{}, "m")
		if err != nil || seed != tc.want {
			t.Errorf("seed %d, %v; want %d", seed, err, tc.want)
		}
	}
}
