package claims

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/suites/suite"
)

// Resamples is the number of bootstrap resamples behind every interval.
const Resamples = 2000

// Options control a claims run.
type Options struct {
	Backends []harness.Backend // backends under test
	Ref      harness.Backend   // the fp32 baseline's backend (OpenRef)
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
	// Ratio is the measured ratio (see Metric) and [Lo, Hi] its 95%
	// bootstrap interval; all 0 when not measured.
	Ratio, Lo, Hi float64
	Verdict       string
	Note          string // why a row was not measured, or what it compares
	Failed        bool   // a kernel of the row failed its correctness check
}

// Measured reports whether the row carries a ratio.
func (r Row) Measured() bool { return r.Ratio > 0 }

type measureKey struct{ kernel, shape, backend string }

// measurement is one case on one backend, run once even when several
// claims share it (layernorm is the baseline of five).
type measurement struct {
	item    harness.Item
	backend harness.Backend
	result  *harness.Result
	err     string // the case could not be planned
}

// planned is one pair of one claim on one backend.
type planned struct {
	claim      *Claim
	backend    string
	pair       Pair
	cand, base *measurement
}

// Run plans every claim's pairs on every backend, runs each distinct
// (case, backend) once, and computes the rows.
func Run(opt Options) []Row {
	if opt.Claims == nil {
		opt.Claims = All
	}
	if opt.Lookup == nil {
		opt.Lookup = lookup
	}
	ms := map[measureKey]*measurement{}
	var order []*measurement
	plan := func(c Case, b harness.Backend) *measurement {
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
		order = append(order, m)
		return m
	}
	var plans []planned
	for _, c := range opt.Claims {
		pairs := c.Full
		if opt.Quick {
			pairs = c.Quick
		}
		for _, b := range opt.Backends {
			for _, p := range pairs {
				base := b
				if p.RefBase {
					base = opt.Ref
				}
				plans = append(plans, planned{c, b.Name, p, plan(p.Cand, b), plan(p.Base, base)})
			}
		}
	}
	for i, m := range order {
		if opt.Progress != nil {
			opt.Progress(i, len(order), m.item, m.backend.Name)
		}
		rs := harness.Run([]harness.Item{m.item}, []harness.Backend{m.backend}, opt.Harness)
		m.result = &rs[0]
	}

	rng := rand.New(rand.NewPCG(1, 2)) // fixed: the same samples give the same intervals
	var rows []Row
	for i := 0; i < len(plans); {
		// One claim on one backend: its pairs, then its trend.
		j := i
		for j < len(plans) && plans[j].claim == plans[i].claim && plans[j].backend == plans[i].backend {
			j++
		}
		c := plans[i].claim
		var ok []planned
		for _, pl := range plans[i:j] {
			row := Row{Claim: c, Backend: pl.backend, Case: pl.pair.Label, Verdict: NoVerdict}
			if row.Note, row.Failed = problem(pl.cand, pl.base); row.Note == "" {
				a, b := pl.base.result.Samples, pl.cand.result.Samples
				if c.Metric == CostRatio {
					a, b = b, a
				}
				row.Ratio, row.Lo, row.Hi = ratioCI(rng, a, b)
				if c.Metric == Speedup {
					row.Verdict = judge(row.Lo, row.Hi, 1, 1)
				}
				ok = append(ok, pl)
			}
			rows = append(rows, row)
		}
		if c.Trend != NoTrend {
			rows = append(rows, trendRow(rng, c, plans[i].backend, ok, len(plans[i:j])))
		}
		i = j
	}
	return rows
}

func lookup(name string) (*suite.Kernel, bool) {
	if name == gemmKernel.Name {
		return gemmKernel, true
	}
	return suite.Lookup(name)
}

// problem says why a pair has no ratio, or "", and whether a kernel failed.
func problem(ms ...*measurement) (string, bool) {
	var notes []string
	failed := false
	for _, m := range ms {
		switch {
		case m.err != "":
			notes = append(notes, m.err)
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
// smallest, with a joint bootstrap of all four sample sets.
func trendRow(rng *rand.Rand, c *Claim, backend string, ok []planned, total int) Row {
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
	sides := func(p planned) (num, den []float64) {
		if c.Metric == CostRatio {
			return p.cand.result.Samples, p.base.result.Samples
		}
		return p.base.result.Samples, p.cand.result.Samples
	}
	ln, ld := sides(large)
	sn, sd := sides(small)
	row.Ratio = median(ln) / median(ld) / (median(sn) / median(sd))
	row.Lo, row.Hi = bootstrap(rng, func(pick func([]float64) float64) float64 {
		return pick(ln) / pick(ld) / (pick(sn) / pick(sd))
	})
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

// ratioCI is median(a)/median(b) with its 95% bootstrap interval.
func ratioCI(rng *rand.Rand, a, b []float64) (ratio, lo, hi float64) {
	ratio = median(a) / median(b)
	lo, hi = bootstrap(rng, func(pick func([]float64) float64) float64 { return pick(a) / pick(b) })
	return ratio, lo, hi
}

// bootstrap evaluates stat Resamples times, pick returning the median of
// a fresh resample (with replacement) of the samples it is given, and
// returns the 2.5th and 97.5th percentiles.
func bootstrap(rng *rand.Rand, stat func(pick func([]float64) float64) float64) (lo, hi float64) {
	var buf []float64
	pick := func(s []float64) float64 {
		buf = buf[:0]
		for range s {
			buf = append(buf, s[rng.IntN(len(s))])
		}
		return median(buf)
	}
	vals := make([]float64, Resamples)
	for i := range vals {
		vals[i] = stat(pick)
	}
	sort.Float64s(vals)
	return quantile(vals, 0.025), quantile(vals, 0.975)
}

// median of s (s is not modified).
func median(s []float64) float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	return quantile(c, 0.5)
}

// quantile of sorted data, linear interpolation between order statistics.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}
