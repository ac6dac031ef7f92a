package gate

import (
	"fmt"
	"math"
	"sort"

	"golang.org/x/perf/benchmath"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

// Policy is the gate's decision rule.
type Policy struct {
	// Alpha is the family-wise significance level: p-values are
	// Holm-Bonferroni adjusted over all compared cases before the test.
	Alpha float64 `json:"alpha"`
	// Threshold is the smallest slowdown that counts, as a fraction of the
	// old median (0.05 = 5%).
	Threshold float64 `json:"threshold"`
	// Normalize judges cases relative to the run's machine shift (see
	// CompareShifted) when at least MinNormalize cases are compared.
	Normalize bool `json:"normalize"`
	// Power is the probability with which a round-level gate must catch a
	// slowdown of Threshold for a case to count as gateable (0: 0.95).
	Power float64 `json:"power,omitempty"`
}

func (p Policy) power() float64 {
	if p.Power == 0 {
		return 0.95
	}
	return p.Power
}

// DefaultPolicy is alpha 0.05 after correction, a 5% threshold, and cases
// judged relative to the machine shift.
func DefaultPolicy() Policy { return Policy{Alpha: 0.05, Threshold: 0.05, Normalize: true} }

// Validate reports an unusable policy.
func (p Policy) Validate() error {
	if !(p.Alpha > 0 && p.Alpha < 1) {
		return fmt.Errorf("alpha %v: must be between 0 and 1", p.Alpha)
	}
	if !(p.Threshold >= 0) || math.IsInf(p.Threshold, 0) {
		return fmt.Errorf("threshold %v: must be a fraction >= 0 (0.05 = 5%%)", p.Threshold)
	}
	return nil
}

// Status is a compared case's outcome.
type Status string

const (
	Regressed      Status = "REGRESSED"
	Failed         Status = "FAILED" // correctness verdict of the new run
	Faster         Status = "faster" // significantly faster
	Same           Status = "~"      // no significant difference
	UnderThreshold Status = "slower, under threshold"
	UnderFloor     Status = "slower, under noise floor"
	NotReproduced  Status = "slower, not reproduced" // regressed, but not in a confirmation rerun
	Inconclusive   Status = "INCONCLUSIVE"           // regressed while other work shared the CPUs
	New            Status = "new"                    // no baseline for this case
	Untimed        Status = "untimed"
)

// Summary is one side of a comparison (seconds per run).
type Summary struct {
	Median float64 `json:"median_sec"`
	Lo     float64 `json:"ci95_lo_sec"`
	Hi     float64 `json:"ci95_hi_sec"`
	Spread float64 `json:"spread"` // largest distance from the median to a CI bound, as a fraction
	N      int     `json:"n"`
}

func summarize(samples []float64) *Summary {
	if len(samples) == 0 {
		return nil
	}
	st := harness.Summarize(samples)
	return &Summary{Median: st.Median, Lo: st.Lo, Hi: st.Hi, Spread: st.Spread, N: len(samples)}
}

// Row is one case of a comparison.
type Row struct {
	ID      string   `json:"name"`
	Kernel  string   `json:"kernel"`
	Shape   string   `json:"shape"`
	Backend string   `json:"backend"`
	Path    string   `json:"path,omitempty"`
	OldPath string   `json:"old_path,omitempty"`
	Verdict string   `json:"verdict,omitempty"`
	Detail  string   `json:"detail,omitempty"`
	Old     *Summary `json:"old,omitempty"`
	New     *Summary `json:"new,omitempty"`
	// Raw is the new median over the old one, Ratio the same divided by the
	// report's machine shift (equal when not normalized); 0 when not compared.
	Raw   float64 `json:"raw_ratio,omitempty"`
	Ratio float64 `json:"ratio,omitempty"`
	// P is the Mann-Whitney U p-value (two-sided); PHolm the same after
	// Holm-Bonferroni adjustment over all compared cases.
	P        float64  `json:"p,omitempty"`
	PHolm    float64  `json:"p_holm,omitempty"`
	Floor    float64  `json:"noise_floor,omitempty"`
	Status   Status   `json:"status"`
	Warnings []string `json:"warnings,omitempty"`
	// Rerun is what a confirmation rerun of a regressed case showed.
	Rerun string `json:"rerun,omitempty"`
	// Round-level gates (CompareRounds): rounds (pairs) behind the
	// estimate, baseline rounds when unpaired, the 95% interval of Ratio,
	// the minimum detectable slowdown (a fraction) at the policy's power,
	// and the one more new rounds could reach against a stored baseline.
	Rounds    int     `json:"rounds,omitempty"`
	OldRounds int     `json:"old_rounds,omitempty"`
	Lo        float64 `json:"ratio_ci95_lo,omitempty"`
	Hi        float64 `json:"ratio_ci95_hi,omitempty"`
	MDE       float64 `json:"mde,omitempty"`
	MDELimit  float64 `json:"mde_limit,omitempty"`
	// OldRoundsSec and NewRoundsSec are the round medians behind the row
	// (paired by index in A/B gates), for anyone who wants to redo the
	// statistics.
	OldRoundsSec []float64 `json:"old_rounds_sec,omitempty"`
	NewRoundsSec []float64 `json:"new_rounds_sec,omitempty"`

	c, o *Case
}

// Case returns the new case of the row.
func (r *Row) Case() *Case { return r.c }

// Delta is the relative change of the median, +0.10 = 10% slower.
func (r *Row) Delta() float64 {
	if r.Ratio == 0 {
		return 0
	}
	return r.Ratio - 1
}

// Compared reports whether both sides had samples.
func (r *Row) Compared() bool { return r.Old != nil && r.New != nil }

// Geomean summarizes the compared cases.
type Geomean struct {
	Old   float64 `json:"old_sec"`
	New   float64 `json:"new_sec"`
	Ratio float64 `json:"ratio"`
	N     int     `json:"n"`
}

// Report is the comparison of a new set against an old one.
type Report struct {
	Old       string `json:"old"`
	New       string `json:"new"`
	Policy    Policy `json:"policy"`
	NoiseFile string `json:"noise_file,omitempty"`
	Rows      []*Row `json:"cases"`
	Compared  int    `json:"compared"` // cases with samples on both sides (the Holm family)
	// Shift is the machine shift the cases were judged relative to (see
	// machineShift); 0 when they were judged on absolute times.
	Shift float64 `json:"shift,omitempty"`
	// ShiftCases is how many cases the shift was estimated from (0: given).
	ShiftCases int      `json:"shift_cases,omitempty"`
	Geomean    *Geomean `json:"geomean,omitempty"`
	Missing    []string `json:"missing,omitempty"` // baseline cases absent from the new set
	Notes      []string `json:"notes,omitempty"`
	Pass       bool     `json:"pass"`
	// Gated says the policy decides the exit code; a plain comparison
	// prints no verdict.
	Gated bool `json:"gated"`
	// Rerun is the command that reruns the regressed and failed cases
	// (set by the caller, which knows the command line).
	Rerun string `json:"rerun,omitempty"`
	// Busy says why regressions were judged inconclusive (MarkBusy).
	Busy string `json:"busy,omitempty"`
}

// Regressions returns the regressed rows.
func (r *Report) Regressions() []*Row { return r.with(Regressed) }

// Inconclusives returns the rows that regressed on a busy machine.
func (r *Report) Inconclusives() []*Row { return r.with(Inconclusive) }

// Failures returns the rows whose new verdict is FAILED.
func (r *Report) Failures() []*Row { return r.with(Failed) }

func (r *Report) with(s Status) []*Row {
	var out []*Row
	for _, row := range r.Rows {
		if row.Status == s {
			out = append(out, row)
		}
	}
	return out
}

// MinNormalize is the fewest compared cases from which a run's machine
// shift is estimated: with fewer, one regressed case would move it.
const MinNormalize = 10

// Compare compares every case of cur against the same case in base and
// applies the policy. noise may be nil (no floors: the threshold alone).
func Compare(base, cur *Set, pol Policy, noise *Noise) *Report {
	return CompareShifted(base, cur, pol, noise, 0)
}

// CompareShifted is Compare with a known machine shift (0: estimate it),
// for a confirmation rerun of a few cases, too few to estimate their own.
//
// The machine shift (machineShift over the cases' new/old medians): the
// whole machine running a few percent slower than when the baseline was
// taken (another host, a warmer day, a different neighbour) moves every
// case alike, while a code change moves the kernels it touches.
// With pol.Normalize, each case's new samples are divided by the shift
// before the test, the threshold and the floor.
func CompareShifted(base, cur *Set, pol Policy, noise *Noise, shift float64) *Report {
	rep := &Report{Old: base.Label, New: cur.Label, Policy: pol}
	if noise != nil {
		rep.NoiseFile = noise.File
	}
	var compared []*Row
	var sumLogOld, sumLogNew float64
	for _, c := range cur.Cases {
		row := &Row{ID: c.ID(), Kernel: c.Kernel, Shape: c.Shape, Backend: c.Backend, Path: c.Path,
			Verdict: c.Verdict, Detail: c.Detail, New: summarize(c.Samples), c: c}
		rep.Rows = append(rep.Rows, row)
		o := base.Lookup(c.ID())
		if o != nil {
			row.OldPath = o.Path
			row.Old = summarize(o.Samples)
			row.o = o
		}
		if !row.Compared() {
			continue
		}
		row.Raw = row.New.Median / row.Old.Median
		compared = append(compared, row)
		sumLogOld += math.Log(row.Old.Median)
		sumLogNew += math.Log(row.New.Median)
	}
	rep.Compared = len(compared)
	if n := len(compared); n > 0 {
		g := &Geomean{Old: math.Exp(sumLogOld / float64(n)), New: math.Exp(sumLogNew / float64(n)), N: n}
		g.Ratio = g.New / g.Old
		rep.Geomean = g
	}
	if pol.Normalize {
		if shift == 0 && len(compared) >= MinNormalize {
			logRaw := make([]float64, len(compared))
			for i, row := range compared {
				logRaw[i] = math.Log(row.Raw)
			}
			var l float64
			l, rep.ShiftCases = machineShift(logRaw, pol.Threshold)
			shift = math.Exp(l)
		}
		if shift > 0 {
			rep.Shift = shift
		}
	}
	scale := 1.0
	if rep.Shift > 0 {
		scale = 1 / rep.Shift
	}
	noFloor := 0
	for _, row := range compared {
		c, o := row.c, row.o
		adj := make([]float64, len(c.Samples))
		for i, x := range c.Samples {
			adj[i] = x * scale
		}
		s1 := benchmath.NewSample(o.Samples, &benchmath.DefaultThresholds)
		s2 := benchmath.NewSample(adj, &benchmath.DefaultThresholds)
		cmp := benchmath.AssumeNothing.Compare(s1, s2)
		row.P = cmp.P
		for _, w := range cmp.Warnings {
			row.Warnings = append(row.Warnings, w.Error())
		}
		row.Ratio = row.Raw * scale
		if noise != nil {
			if f, ok := noise.Cases[c.ID()]; ok {
				row.Floor = f.Floor
			} else {
				noFloor++
			}
		}
		if o.Path != "" && c.Path != "" && o.Path != c.Path {
			row.Warnings = append(row.Warnings, fmt.Sprintf("code path changed: %s -> %s", o.Path, c.Path))
		}
	}
	ps := make([]float64, len(compared))
	for i, row := range compared {
		ps[i] = row.P
	}
	for i, p := range Holm(ps) {
		compared[i].PHolm = p
	}
	for _, row := range rep.Rows {
		row.Status = pol.status(row)
	}
	rep.judge()
	for _, o := range base.Cases {
		if cur.Lookup(o.ID()) == nil {
			rep.Missing = append(rep.Missing, o.ID())
		}
	}
	rep.Notes = append(rep.Notes, configNotes(base, cur)...)
	if n := rep.shiftNote(); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	if noise != nil && noFloor > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d of %d compared cases have no noise floor in %s (threshold only)", noFloor, rep.Compared, noise.File))
	}
	if w := powerNote(compared, pol.Alpha); w != "" {
		rep.Notes = append(rep.Notes, w)
	}
	return rep
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Confirm applies a confirmation run (again: the flagged cases rerun and
// compared with the same baseline): a case stays REGRESSED only if it
// regressed again. Transient interference (another process, a frequency
// dip) rarely hits the same case twice; a real slowdown does. The
// family-wise error rate stays bounded by the first comparison's, which
// every reported regression has passed.
func (r *Report) Confirm(again *Report) {
	for _, row := range r.Rows {
		if row.Status != Regressed {
			continue
		}
		var a *Row
		for _, x := range again.Rows {
			if x.ID == row.ID {
				a = x
			}
		}
		switch {
		case a == nil:
			row.Status, row.Rerun = NotReproduced, "not in the rerun"
		case a.Status == Regressed:
			row.Rerun = fmt.Sprintf("confirmed by a rerun: %s, Holm p=%.2g", a.describe(), a.PHolm)
		case a.Status == Failed:
			row.Status, row.Verdict, row.Detail = Failed, a.Verdict, "in the rerun: "+a.Detail
		default:
			row.Status = NotReproduced
			row.Rerun = fmt.Sprintf("not reproduced by a rerun: %s (%s)", a.describe(), a.Status)
		}
	}
	r.judge()
}

// MarkBusy turns the regressions into INCONCLUSIVE ones, which do not fail
// the gate: the caller measured that other processes took a large share
// of the CPUs while the evidence was gathered (why says how much), and
// then a slower case says more about the machine than about the code.
// Correctness failures still fail.
func (r *Report) MarkBusy(why string) {
	for _, row := range r.Rows {
		if row.Status == Regressed {
			row.Status = Inconclusive
		}
	}
	r.Busy = why
	r.judge()
}

func (r *Report) judge() {
	r.Pass = true
	for _, row := range r.Rows {
		if row.Status == Regressed || row.Status == Failed {
			r.Pass = false
		}
	}
}

// status applies the policy to one row whose PHolm is set.
func (p Policy) status(r *Row) Status {
	switch {
	case r.Verdict == string(suite.Failed):
		return Failed
	case r.New == nil:
		return Untimed
	case r.Old == nil:
		return New
	case !(r.PHolm < p.Alpha):
		return Same
	case r.Ratio < 1:
		return Faster
	case r.Delta() <= p.Threshold:
		return UnderThreshold
	case r.Delta() <= r.Floor:
		return UnderFloor
	}
	return Regressed
}

// Holm returns the Holm-Bonferroni adjusted p-values, in input order: with
// p sorted ascending, p(i) becomes max over j <= i of min(1, (m-j+1) p(j)).
// Rejecting where the adjusted value is below alpha is Holm's step-down
// procedure, which bounds the family-wise error rate by alpha.
func Holm(ps []float64) []float64 {
	m := len(ps)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ps[order[a]] < ps[order[b]] })
	out := make([]float64, m)
	running := 0.0
	for rank, i := range order {
		adj := math.Min(1, float64(m-rank)*ps[i])
		running = math.Max(running, adj)
		out[i] = running
	}
	return out
}

// MinP is the smallest two-sided p-value the exact Mann-Whitney U test can
// give for samples of n1 and n2 values: 2 / C(n1+n2, n1).
func MinP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	return math.Min(1, 2*math.Exp(lg(n1)+lg(n2)-lg(n1+n2)))
}

// powerNote warns when no case could reach significance after Holm's
// correction even if its samples were fully separated: Holm's first step
// needs some p < alpha/m.
func powerNote(rows []*Row, alpha float64) string {
	m := len(rows)
	if m == 0 {
		return ""
	}
	best, n1, n2 := 1.0, 0, 0
	for _, r := range rows {
		if p := MinP(r.Old.N, r.New.N); p < best {
			best, n1, n2 = p, r.Old.N, r.New.N
		}
	}
	if best*float64(m) < alpha {
		return ""
	}
	return fmt.Sprintf("no regression can be detected: with %d+%d samples the smallest possible p is %.2g, "+
		"but Holm's correction over %d cases needs p < %.2g; take more samples (--count=10 or more) on both sides",
		n1, n2, best, m, alpha/float64(m))
}

// configNotes lists configuration lines that differ between the sets.
func configNotes(base, cur *Set) []string {
	var keys []string
	for k := range cur.Config {
		if v, ok := base.Config[k]; ok && v != cur.Config[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var notes []string
	for _, k := range keys {
		notes = append(notes, fmt.Sprintf("configuration differs: %s is %q in %s, %q in %s", k, base.Config[k], base.Label, cur.Config[k], cur.Label))
	}
	if m := base.Config["machine"]; m != "" && cur.Config["machine"] != "" && m != cur.Config["machine"] {
		notes = append(notes, "the baseline comes from another kind of machine: timings are not comparable")
	}
	return notes
}

// describe is a one-line account of a row's change: "12.3% slower (1.2ms -> 1.4ms)".
func (r *Row) describe() string {
	if !r.Compared() {
		return ""
	}
	d := r.Delta()
	word := "slower"
	if d < 0 {
		word, d = "faster", -d
	}
	s := fmt.Sprintf("%.1f%% %s (%s -> %s", 100*d, word, reports.Duration(r.Old.Median), reports.Duration(r.New.Median))
	if r.Raw != r.Ratio {
		s += fmt.Sprintf(", %+.1f%% before taking out the machine shift", 100*(r.Raw-1))
	}
	return s + ")"
}
