package claims

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/suites/suite"
)

// Options control a claims run.
type Options struct {
	Backends []harness.Backend // backends under test
	Harness  harness.Options
	Quick    bool
	Claims   []*Claim // default All
	// Lookup finds a registered kernel (default suite.Lookup); claims
	// whose kernels are missing are reported, not run.
	Lookup   func(name string) (*suite.Kernel, bool)
	Progress func(done, total int, it harness.Item, backend string)
}

// Verdicts.
const (
	Agrees       = "agrees"
	Disagrees    = "disagrees"
	Inconclusive = "inconclusive"
	NoVerdict    = "-"
)

// Row is one line of the claims table.
type Row struct {
	Claim   *Claim
	Backend string
	Case    string // the pair's label, or "trend: ..."
	// Ratio is the measured ratio (see Metric): the geometric mean of
	// the per-round ratios, and [Lo, Hi] its 95% CI over the interleaved
	// rounds; all 0 when not measured.
	Ratio, Lo, Hi float64
	Verdict       string
	Note          string // why a row was not measured, or what it compares
	Failed        bool   // a kernel of the row failed its correctness check
}

// Measured reports whether the row carries a ratio.
func (r Row) Measured() bool { return r.Ratio > 0 }

type measureKey struct{ kernel, shape, backend string }

// measurement is one case on one backend within one claim's group (the
// claim on one backend), prepared once even when several of the group's
// pairs share it, and sampled once per round.
type measurement struct {
	item    harness.Item
	backend harness.Backend
	// result carries the check and, once the rounds are done, one sample
	// per round (Samples[r] is round r); nil when the case was not
	// prepared because no pair of the group could use it.
	result *harness.Result
	err    string            // the case could not be planned
	prep   *harness.Prepared // while sampling
}

// planned is one pair of one claim on one backend.
type planned struct {
	claim      *Claim
	backend    string
	pair       Pair
	cand, base *measurement
}

// group is one claim on one backend: its pairs and the distinct cases
// they measure, in first-use order.
type group struct {
	plans []planned
	ms    []*measurement
}

// Run plans every claim's pairs on every backend, then, one claim on one
// backend at a time, prepares every case the claim needs and times them
// in interleaved rounds (see rounds), and computes the rows from the
// per-round ratios.
func Run(opt Options) []Row {
	if opt.Claims == nil {
		opt.Claims = All
	}
	if opt.Lookup == nil {
		opt.Lookup = suite.Lookup
	}
	var groups []*group
	total := 0
	for _, c := range opt.Claims {
		pairs := c.Full
		if opt.Quick {
			pairs = c.Quick
		}
		for _, b := range opt.Backends {
			g := &group{}
			ms := map[measureKey]*measurement{}
			plan := func(c Case) *measurement {
				key := measureKey{c.Kernel, c.Shape, b.Name}
				if m, ok := ms[key]; ok {
					return m
				}
				m := &measurement{backend: b}
				ms[key] = m
				k, ok := opt.Lookup(c.Kernel)
				if !ok {
					m.err = "kernel " + c.Kernel + " not available yet"
					return m
				}
				p, err := k.ParseParams(c.Shape)
				if err == nil {
					_, err = k.New(p)
				}
				if err != nil {
					m.err = fmt.Sprintf("%s shape %q: %v", c.Kernel, c.Shape, err)
					return m
				}
				m.item = harness.Item{Kernel: k, Params: p}
				return m
			}
			for _, p := range pairs {
				pl := planned{c, b.Name, p, plan(p.Cand), plan(p.Base)}
				g.plans = append(g.plans, pl)
				if pl.cand.err != "" || pl.base.err != "" {
					continue // no ratio: its partner is not worth timing for it
				}
				for _, m := range []*measurement{pl.cand, pl.base} {
					if !slices.Contains(g.ms, m) {
						g.ms = append(g.ms, m)
					}
				}
			}
			groups = append(groups, g)
			total += len(g.ms)
		}
	}

	var rows []Row
	done := 0
	for _, g := range groups {
		for _, m := range g.ms {
			if opt.Progress != nil {
				opt.Progress(done, total, m.item, m.backend.Name)
			}
			done++
			p, res := harness.Prepare(m.item, m.backend, opt.Harness)
			m.result, m.prep = &res, p
			if p != nil && res.Check.Verdict == suite.Failed {
				p.Close() // wrong outputs: reported, not timed
				m.prep = nil
			}
		}
		rounds(g, opt.Harness.Count)
		rows = append(rows, g.rows()...)
	}
	return rows
}

// rounds times a group's prepared cases in count rounds: in round r it
// takes one sample of every case, in first-use order when r is even and
// in reverse when r is odd (A B B A ...), so the two sides of each pair
// are timed next to each other and a drift of the machine over the run
// cancels from their per-round ratios instead of biasing them. Cases only
// needed by pairs whose other side was not prepared are not timed. The
// prepared cases are closed on return.
func rounds(g *group, count int) {
	needed := map[*measurement]bool{}
	for _, pl := range g.plans {
		if pl.cand.prep != nil && pl.base.prep != nil {
			needed[pl.cand], needed[pl.base] = true, true
		}
	}
	var live []*measurement
	for _, m := range g.ms {
		switch {
		case needed[m]:
			live = append(live, m)
		case m.prep != nil:
			m.prep.Close() // prepared fine, but every pair of it lacks its partner
			m.prep, m.result = nil, nil
		}
	}
	defer func() {
		for _, m := range live {
			if m.prep != nil {
				m.prep.Close()
				m.prep = nil
			}
		}
	}()
	for r := 0; r < count; r++ {
		for i := range live {
			m := live[i]
			if r%2 == 1 {
				m = live[len(live)-1-i]
			}
			if m.prep == nil {
				continue // failed in an earlier round
			}
			sec, err := m.prep.Sample()
			if err != nil {
				m.prep.Close()
				m.prep = nil
				m.result.Samples = nil
				m.result.Check.Verdict = suite.Failed
				m.result.Check.Detail = "timed run: " + err.Error()
				m.result.Err = err.Error()
				continue
			}
			m.result.Samples = append(m.result.Samples, sec)
		}
	}
	for _, m := range live {
		if m.result.Timed() {
			m.result.Stats = harness.Summarize(m.result.Samples)
		}
	}
}

// rows computes a group's rows: its pairs, then its trend.
func (g *group) rows() []Row {
	c := g.plans[0].claim
	backend := g.plans[0].backend
	var rows []Row
	var ok []planned
	for _, pl := range g.plans {
		row := Row{Claim: c, Backend: pl.backend, Case: pl.pair.Label, Verdict: NoVerdict}
		if row.Note, row.Failed = problem(pl.cand, pl.base); row.Note == "" {
			row.Ratio, row.Lo, row.Hi = pairedRatio(sides(c, pl))
			if c.Metric == Speedup {
				row.Verdict = judge(row.Lo, row.Hi, 1, 1)
			}
			ok = append(ok, pl)
		}
		rows = append(rows, row)
	}
	if c.Trend != NoTrend {
		rows = append(rows, trendRow(c, backend, ok, len(g.plans)))
	}
	return rows
}

// sides are a pair's per-round times, numerator first: baseline over
// candidate for a speed-up, the reverse for a cost ratio.
func sides(c *Claim, p planned) (num, den []float64) {
	if c.Metric == CostRatio {
		return p.cand.result.Samples, p.base.result.Samples
	}
	return p.base.result.Samples, p.cand.result.Samples
}

// problem says why a pair has no ratio, or "", and whether a kernel failed.
func problem(ms ...*measurement) (string, bool) {
	var notes []string
	failed := false
	for _, m := range ms {
		switch {
		case m.err != "":
			notes = append(notes, m.err)
		case m.result == nil:
			// not prepared: the other side could not be planned, and says why
		case m.result.Check.Verdict == suite.Unimplemented:
			notes = append(notes, m.item.Kernel.Name+" not implemented on "+m.backend.Name)
		case m.result.Check.Verdict == suite.Failed:
			failed = true
			notes = append(notes, fmt.Sprintf("%s FAILED on %s: %s", m.item.Kernel.Name, m.backend.Name, m.result.Check.Detail))
		case !m.result.Timed():
			notes = append(notes, fmt.Sprintf("%s %s on %s: %s", m.item.Kernel.Name, m.result.Check.Verdict, m.backend.Name, m.result.Check.Detail))
		}
	}
	return strings.Join(notes, "; "), failed
}

// trendRow compares the ratio of the largest pair with that of the
// smallest: per round, the large pair's ratio over the small pair's (all
// four cases are timed in every round), then the same paired interval.
func trendRow(c *Claim, backend string, ok []planned, total int) Row {
	row := Row{Claim: c, Backend: backend, Case: "trend", Verdict: NoVerdict}
	if len(ok) < 2 {
		row.Note = fmt.Sprintf("needs two measured sizes, has %d of %d", len(ok), total)
		return row
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].pair.Size < ok[j].pair.Size })
	small, large := ok[0], ok[len(ok)-1]
	what := "speedup"
	if c.Metric == CostRatio {
		what = "cost ratio"
	}
	row.Case = fmt.Sprintf("trend: %s at %s / at %s", what, large.pair.Label, small.pair.Label)
	ln, ld := sides(c, large)
	sn, sd := sides(c, small)
	n := min(len(ln), len(ld), len(sn), len(sd))
	d := make([]float64, n)
	for r := range d {
		d[r] = math.Log(ln[r]/ld[r]) - math.Log(sn[r]/sd[r])
	}
	row.Ratio, row.Lo, row.Hi = interval(d)
	switch c.Trend {
	case Grows:
		row.Verdict = judge(row.Lo, row.Hi, 1, 1)
	case Bounded:
		f := math.Sqrt(large.pair.Size / small.pair.Size)
		switch { // inside the band is the claim here
		case row.Lo >= 1/f && row.Hi <= f:
			row.Verdict = Agrees
		case row.Hi < 1/f || row.Lo > f:
			row.Verdict = Disagrees
		default:
			row.Verdict = Inconclusive
		}
		row.Note = fmt.Sprintf("same complexity: within [%.2g, %.2g]", 1/f, f)
	}
	return row
}

// judge places an interval against a claim that the ratio is above hi
// (the band [lo, hi] is "no effect").
func judge(ciLo, ciHi, lo, hi float64) string {
	switch {
	case ciLo > hi:
		return Agrees
	case ciHi < lo:
		return Disagrees
	}
	return Inconclusive
}

// pairedRatio is the ratio num/den from per-round times (num[r] and den[r]
// timed in the same round): the geometric mean of the per-round ratios and
// its 95% t interval (see interval).
func pairedRatio(num, den []float64) (ratio, lo, hi float64) {
	d := make([]float64, min(len(num), len(den)))
	for r := range d {
		d[r] = math.Log(num[r] / den[r])
	}
	return interval(d)
}

// interval is exp(mean(d)) with the 95% Student t interval of the mean of
// the per-round log ratios d, mapped back to ratios (gate.PairedEffect).
// One round gives [0, +Inf].
func interval(d []float64) (ratio, lo, hi float64) {
	e := gate.PairedEffect(d)
	lo, hi = e.Interval(0.95)
	return e.Ratio(), lo, hi
}
