package gate

import (
	"fmt"
	"math"
	"sort"
)

// A round is one fresh process that measures every selected case with a
// few samples; its summary of a case is the median of those samples. The
// gate's statistics treat rounds, not samples, as the replicates: samples
// of one process share its memory placement, code alignment and
// neighbours, so pooling them overstates the evidence.

// RoundCase is one case's round-level data.
type RoundCase struct {
	Case               // identity, code path and (worst) verdict of the new side
	OldPath  string    // code path of the old side
	OldFail  string    // why the old side failed correctness, if it did
	Old, New []float64 // round medians in seconds; paired: Old[i] and New[i] ran back to back
}

// Rounds accumulates round summaries of the cases of a gate.
type Rounds struct {
	Paired bool
	Cases  []*RoundCase
	index  map[string]*RoundCase
}

// NewRounds returns an empty collection; paired for A/B rounds.
func NewRounds(paired bool) *Rounds {
	return &Rounds{Paired: paired, index: map[string]*RoundCase{}}
}

// Lookup returns the case with the given ID, or nil.
func (r *Rounds) Lookup(id string) *RoundCase { return r.index[id] }

func (r *Rounds) get(c *Case) *RoundCase {
	rc := r.index[c.ID()]
	if rc == nil {
		rc = &RoundCase{Case: Case{Kernel: c.Kernel, Shape: c.Shape, Backend: c.Backend}}
		r.index[c.ID()] = rc
		r.Cases = append(r.Cases, rc)
	}
	return rc
}

// roundMedian is a case's summary in one round, 0 when it was not timed.
func roundMedian(c *Case) float64 {
	if c == nil || len(c.Samples) == 0 {
		return 0
	}
	return median(append([]float64(nil), c.Samples...))
}

// note records a side's verdict and code path.
func (rc *RoundCase) note(c *Case, old bool) {
	if old {
		if rc.OldPath == "" {
			rc.OldPath = c.Path
		}
		if c.Failed() && rc.OldFail == "" {
			rc.OldFail = "FAILED " + c.Detail
		}
		return
	}
	if rc.Path == "" || c.Failed() {
		rc.Path = c.Path
	}
	if c.Failed() && !rc.Failed() || rc.Verdict == "" {
		rc.Verdict, rc.Detail = c.Verdict, c.Detail
	}
}

// AddPair adds one pair of rounds: the cases timed on both sides get a
// paired summary; verdicts are recorded from both.
func (r *Rounds) AddPair(old, cur *Set) {
	for _, c := range old.Cases {
		r.get(c).note(c, true)
	}
	for _, c := range cur.Cases {
		rc := r.get(c)
		rc.note(c, false)
		mo, mn := roundMedian(old.Lookup(c.ID())), roundMedian(c)
		if mo > 0 && mn > 0 {
			rc.Old = append(rc.Old, mo)
			rc.New = append(rc.New, mn)
		}
	}
}

// AddOld and AddNew add one unpaired round to a side.
func (r *Rounds) AddOld(s *Set) { r.addSide(s, true) }
func (r *Rounds) AddNew(s *Set) { r.addSide(s, false) }

func (r *Rounds) addSide(s *Set, old bool) {
	for _, c := range s.Cases {
		rc := r.get(c)
		rc.note(c, old)
		if m := roundMedian(c); m > 0 {
			if old {
				rc.Old = append(rc.Old, m)
			} else {
				rc.New = append(rc.New, m)
			}
		}
	}
}

// NotGateable is the status of a case whose minimum detectable effect stayed
// above the threshold: the run could not have seen a threshold-sized
// slowdown there, so it neither fails nor passes the case silently.
const NotGateable Status = "NOT GATEABLE"

// Floors gives a case's smallest reportable slowdown beyond the policy's
// (e.g. a stored baseline's between-round spread); nil for none.
type Floors func(rc *RoundCase) float64

// CompareRounds judges every case of r. A case REGRESSED when its one-sided
// p-value ("not slower"), Holm-adjusted over every compared case, is below
// alpha and its estimated slowdown exceeds its floor (half the threshold,
// or more from floors). Its minimum detectable effect (Effect.Detectable,
// at the Bonferroni level alpha/m that bounds Holm's first step) says
// whether a slowdown of the threshold would have been seen; above the
// threshold the case is NOT GATEABLE unless it regressed anyway.
//
// Unpaired (stored-baseline) comparisons are judged relative to the
// machine shift (machineShift over the log ratios) when pol.Normalize
// and at least MinNormalize cases are compared.
func CompareRounds(oldLabel, newLabel string, r *Rounds, pol Policy, floors Floors) *Report {
	rep := &Report{Old: oldLabel, New: newLabel, Policy: pol}
	var compared []*Row
	effects, limits, raw := map[*Row]Effect{}, map[*Row]Effect{}, map[*Row]float64{}
	for _, rc := range r.Cases {
		row := &Row{ID: rc.ID(), Kernel: rc.Kernel, Shape: rc.Shape, Backend: rc.Backend, Path: rc.Path,
			OldPath: rc.OldPath, Verdict: rc.Verdict, Detail: rc.Detail, c: &rc.Case,
			New: summarize(rc.New), Old: summarize(rc.Old), OldRoundsSec: rc.Old, NewRoundsSec: rc.New}
		rep.Rows = append(rep.Rows, row)
		if rc.OldFail != "" {
			row.Warnings = append(row.Warnings, "the old side "+rc.OldFail)
		}
		if rc.OldPath != "" && rc.Path != "" && rc.OldPath != rc.Path {
			row.Warnings = append(row.Warnings, fmt.Sprintf("code path changed: %s -> %s", rc.OldPath, rc.Path))
		}
		var e Effect
		if r.Paired {
			d := make([]float64, len(rc.New))
			for i := range d {
				d[i] = math.Log(rc.New[i] / rc.Old[i])
			}
			e = PairedEffect(d)
		} else {
			e = UnpairedEffect(logs(rc.Old), logs(rc.New))
		}
		row.Rounds = e.N
		row.OldRounds = e.NOld
		if !e.Estimable() {
			continue
		}
		effects[row] = e
		raw[row] = e.Ratio()
		if !r.Paired { // new rounds cannot shrink the baseline's share of the error
			_, vo := meanVar(logs(rc.Old))
			limits[row] = Effect{SE: math.Sqrt(vo / float64(e.NOld)), DF: float64(e.NOld - 1)}
		}
		compared = append(compared, row)
	}
	rep.Compared = len(compared)
	if !r.Paired && pol.Normalize && len(compared) >= MinNormalize {
		ms := make([]float64, len(compared))
		for i, row := range compared {
			ms[i] = effects[row].Mean
		}
		var l float64
		l, rep.ShiftCases = machineShift(ms, pol.Threshold)
		rep.Shift = math.Exp(l)
		for _, row := range compared {
			e := effects[row]
			e.Mean -= math.Log(rep.Shift)
			effects[row] = e
		}
	}
	ps := make([]float64, len(compared))
	for i, row := range compared {
		ps[i] = effects[row].PSlower()
	}
	m := max(len(compared), 1)
	var sumLogOld, sumLogNew float64
	for i, pAdj := range Holm(ps) {
		row, e := compared[i], effects[compared[i]]
		row.P, row.PHolm = ps[i], pAdj
		row.Raw, row.Ratio = raw[row], e.Ratio()
		row.Lo, row.Hi = e.Interval(0.95)
		row.Floor = pol.Threshold / 2
		if floors != nil {
			row.Floor = math.Max(row.Floor, floors(r.index[row.ID]))
		}
		row.MDE = e.Detectable(pol.Alpha/float64(m), pol.power(), row.Floor)
		if l, ok := limits[row]; ok {
			row.MDELimit = l.Detectable(pol.Alpha/float64(m), pol.power(), row.Floor)
		}
		sumLogOld += math.Log(row.Old.Median)
		sumLogNew += math.Log(row.New.Median)
	}
	if n := len(compared); n > 0 {
		g := &Geomean{Old: math.Exp(sumLogOld / float64(n)), New: math.Exp(sumLogNew / float64(n)), N: n}
		g.Ratio = g.New / g.Old
		rep.Geomean = g
	}
	for _, row := range rep.Rows {
		row.Status = pol.roundStatus(row)
	}
	rep.judge()
	if n := rep.shiftNote(); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	return rep
}

func logs(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = math.Log(x)
	}
	return out
}

// roundStatus applies the policy to a row of CompareRounds.
func (p Policy) roundStatus(r *Row) Status {
	switch {
	case r.Verdict == "FAILED":
		return Failed
	case r.New == nil:
		return Untimed
	case r.Old == nil:
		return New
	case r.MDE == 0: // not estimable: fewer than two rounds
		return NotGateable
	case r.PHolm < p.Alpha && r.Delta() > r.Floor:
		return Regressed
	case r.PHolm < p.Alpha && r.Delta() > 0:
		return UnderThreshold
	case r.MDE > p.Threshold:
		return NotGateable
	case r.Hi < 1:
		return Faster
	}
	return Same
}

// Unresolved returns the IDs of the compared cases that need more rounds:
// fewer than minRounds, significant so far, or a minimum detectable effect above the threshold
// that more rounds can still bring down (against a stored baseline, its
// own spread stays: MDELimit). Failed cases need no more.
func (r *Report) Unresolved(minRounds int) []string {
	var ids []string
	for _, row := range r.Rows {
		if row.Status == Failed || row.Old == nil || row.New == nil {
			continue
		}
		if row.Rounds < minRounds || row.MDE == 0 {
			ids = append(ids, row.ID)
			continue
		}
		if row.PHolm < r.Policy.Alpha {
			// Significant so far: keep measuring. A case is only judged
			// at its last round, so stopping cannot pick the moment a
			// noise excursion looks significant: a case that stops early
			// is one that looked clean.
			ids = append(ids, row.ID)
			continue
		}
		if row.MDE <= r.Policy.Threshold {
			continue
		}
		if row.MDELimit > r.Policy.Threshold {
			continue // hopeless: more new rounds cannot make it gateable
		}
		ids = append(ids, row.ID)
	}
	sort.Strings(ids)
	return ids
}

// NotGateables returns the rows whose minimum detectable effect stayed
// above the threshold.
func (r *Report) NotGateables() []*Row { return r.with(NotGateable) }

// Sampler measures one round of side (0 old, 1 new) over the case IDs and
// returns its results; k counts the rounds (pairs) before it.
type Sampler func(k, side int, ids []string) (*Set, error)

// Adaptive runs rounds until every case is resolved (its minimum
// detectable effect at or below the threshold, after MinRounds) or the
// budget says stop. Stopping depends on the precision of the estimates,
// not on their values, so it does not bias the test that follows.
type Adaptive struct {
	Policy    Policy
	MinRounds int // rounds (pairs) every case gets before it may stop; 0: 5
	// MaxRounds caps the rounds (pairs) of a case; 0: MaxRoundsDefault.
	// A case still significant then is judged on what it has: beyond it,
	// more precision changes no decision the threshold cares about.
	MaxRounds int
	Floors    Floors // extra per-case floors (stored baselines), or nil
	// More reports whether round (pair) k may start; k >= 1. nil: always.
	More func(k int) bool
	// Progress, when set, is called after each round (pair) with the
	// comparison so far and the cases still running.
	Progress func(k int, rep *Report, active []string)
}

// MinRoundsDefault is the fewest rounds (pairs) a case gets: with fewer,
// the t quantile at the Holm level makes every case undetectable anyway,
// and a standard error from three or four rounds is itself too unsure to
// stop on.
const MinRoundsDefault = 5

// MaxRoundsDefault: at 40 pairs a case with a 5% paired spread has a
// standard error under 1%, far below any threshold worth gating on.
const MaxRoundsDefault = 40

// Run measures the cases ids until they are resolved and judges them.
// With r.Paired it runs ABBA blocks: pair k runs old then new when k is
// even, new then old when odd, so a drift of the machine hits both sides
// alike; otherwise it adds new rounds against the old rounds r holds.
func (a Adaptive) Run(r *Rounds, ids []string, sample Sampler, oldLabel, newLabel string) (*Report, error) {
	minRounds, maxRounds := a.MinRounds, a.MaxRounds
	if minRounds == 0 {
		minRounds = MinRoundsDefault
	}
	if maxRounds == 0 {
		maxRounds = MaxRoundsDefault
	}
	maxRounds = max(maxRounds, minRounds)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	active := ids
	var rep *Report
	for k := 0; len(active) > 0; k++ {
		if k > 0 && a.More != nil && !a.More(k) {
			break
		}
		if r.Paired {
			var sets [2]*Set
			for _, side := range [2]int{k % 2, 1 - k%2} {
				s, err := sample(k, side, active)
				if err != nil {
					return nil, err
				}
				sets[side] = s
			}
			r.AddPair(sets[0], sets[1])
		} else {
			s, err := sample(k, 1, active)
			if err != nil {
				return nil, err
			}
			r.AddNew(s)
		}
		rep = CompareRounds(oldLabel, newLabel, r, a.Policy, a.Floors)
		active = active[:0:0]
		for _, id := range rep.Unresolved(minRounds) {
			if rc := r.Lookup(id); want[id] && rc != nil && len(rc.New) < maxRounds {
				active = append(active, id)
			}
		}
		if a.Progress != nil {
			a.Progress(k+1, rep, active)
		}
	}
	if rep == nil {
		rep = CompareRounds(oldLabel, newLabel, r, a.Policy, a.Floors)
	}
	return rep, nil
}

// RoundMedians is the configuration a baseline of rounds carries: each of
// its samples is one round's median of a case, from a fresh process.
const RoundMedians = "round-medians"

// StoredThreshold is the default threshold against a stored baseline. Its
// floors put the detectable slowdown of most gate cases at 8-17% on the
// 2-vCPU VM (an A/A gate, 40 rounds a case at most, median 11%): a stored
// baseline cannot promise 5% there; A/B rounds can.
const StoredThreshold = 0.10

// FloorFactor scales a stored baseline's between-round spread into the
// case's floor: a baseline compares across sessions (another boot, other
// neighbours), where a case drifts by more than its rounds spread within
// one session, and a case that is noisy between processes drifts more.
const FloorFactor = 2

// BaselineRounds returns the rounds a stored baseline holds: each case's
// samples, one per round. It is an error for a file of raw samples (a
// baseline recorded before baselines held rounds).
func BaselineRounds(base *Set) (*Rounds, error) {
	if base.Config["samples"] != RoundMedians {
		return nil, fmt.Errorf("%s holds raw samples, not round medians: it was recorded before baselines held rounds from fresh processes", base.Label)
	}
	r := NewRounds(false)
	for _, c := range base.Cases {
		rc := r.get(c)
		rc.OldPath = c.Path
		if c.Failed() {
			rc.OldFail = "FAILED " + c.Detail
		}
		rc.Old = append(rc.Old, c.Samples...)
	}
	return r, nil
}

// Spread is the standard deviation of a case's log round medians: how
// much it varies from one fresh process to the next (0 with one round).
func Spread(rounds []float64) float64 {
	_, v := meanVar(logs(rounds))
	return math.Sqrt(v)
}

// BaselineFloors are the floors of a comparison with stored rounds:
// FloorFactor times each case's between-round spread in the baseline.
func BaselineFloors(rc *RoundCase) float64 { return FloorFactor * Spread(rc.Old) }
