// Package gate compares result sets and decides whether a change regressed.
//
// A result set comes from result files in the Go benchmark format (Read,
// ReadPath) or from an in-memory run (FromResults). Compare pairs the cases
// of two sets by kernel, shape and backend, summarizes each side with
// golang.org/x/perf/benchmath under no distributional assumption (median,
// 95% confidence interval, Mann-Whitney U test), corrects the p-values for
// multiple comparisons (Holm-Bonferroni) and applies the policy:
//
//	a case REGRESSED when its Holm-adjusted p < Alpha
//	                 and new/old median - 1 > max(Threshold, its noise floor)
//	the gate fails when a case regressed or any new verdict is FAILED
//
// The noise floor of a case comes from an A/A calibration (Calibrate): the
// same selection run twice on the same tree. Significance alone is not
// enough on a real machine: with ten samples a side the U test flags a 1%
// drift between two runs, so the effect must also clear the threshold and
// what the machine is known to drift by.
//
// The package lives under harness because the design gives the harness the
// judgement of results (correctness verdicts and comparison with
// baselines); the CLI only wires flags to it.
package gate

import (
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/suites/suite"
)

// Case is one kernel at one shape on one backend: the unit the gate judges.
type Case struct {
	Kernel  string
	Shape   string // parameters as in the benchmark name: "R=64/C=1024/eps=1e-05"
	Backend string
	Path    string // code path that ran (the "path" configuration)
	Verdict string // correctness verdict; FAILED wins when records disagree
	Detail  string // why it failed, when known
	// Samples are seconds per run, one per sample, pooled over all records.
	Samples []float64
	Pos     string // where the case was first read ("file:line"), or ""
}

// Name is the case without its backend, as `nbench run --case` takes it.
func (c *Case) Name() string {
	if c.Shape == "" {
		return c.Kernel
	}
	return c.Kernel + "/" + c.Shape
}

// ID is the case's benchmark name (reports.BenchName): "kernel/shape/backend=B".
func (c *Case) ID() string { return c.Name() + "/backend=" + c.Backend }

// Failed reports whether the case's correctness verdict is FAILED.
func (c *Case) Failed() bool { return c.Verdict == string(suite.Failed) }

// Set is a collection of cases: one run, one file, or a folder of files.
type Set struct {
	Label  string            // file or folder it came from, or a description
	Config map[string]string // file configuration of its first result (machine, threads, ...)
	Cases  []*Case           // in order of first appearance
	index  map[string]*Case
}

// NewSet returns an empty set.
func NewSet(label string) *Set {
	return &Set{Label: label, Config: map[string]string{}, index: map[string]*Case{}}
}

// Lookup returns the case with the given ID, or nil.
func (s *Set) Lookup(id string) *Case { return s.index[id] }

// add merges c into the set: samples of the same case are pooled.
func (s *Set) add(c *Case) *Case {
	if s.index == nil {
		s.index = map[string]*Case{}
	}
	old := s.index[c.ID()]
	if old == nil {
		s.index[c.ID()] = c
		s.Cases = append(s.Cases, c)
		return c
	}
	old.Samples = append(old.Samples, c.Samples...)
	if c.Failed() && !old.Failed() {
		old.Verdict, old.Detail = c.Verdict, c.Detail
	}
	if old.Path == "" {
		old.Path = c.Path
	}
	return old
}

// FromResults turns an in-memory run into a set. Untimed results are kept
// (a FAILED setup has no samples but still fails the gate).
func FromResults(label string, env harness.Env, rs []harness.Result) *Set {
	s := NewSet(label)
	for _, kv := range env {
		s.Config[kv.Key] = kv.Value
	}
	for i := range rs {
		r := &rs[i]
		s.add(&Case{Kernel: r.Kernel, Shape: r.Params, Backend: r.Backend, Path: r.Path,
			Verdict: string(r.Check.Verdict), Detail: r.Check.Detail,
			Samples: append([]float64(nil), r.Samples...)})
	}
	return s
}
