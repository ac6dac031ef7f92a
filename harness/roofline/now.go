package roofline

import (
	"fmt"
	"time"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
)

// Now measures ceilings at the moment of a case: a point's probes sampled
// right after each of the case's samples (harness.Options.Companion), so
// its share compares the same moment. DRAM bandwidth on a shared machine
// moves by a few percent between minutes, which a peak file's best moment
// cannot follow. Samplers are prepared once and kept: a DRAM probe's
// arrays take a while to build.
type Now struct {
	desc   machine.Description
	probes map[string]nowProbe
}

type nowProbe struct {
	s        *peak.Sampler
	err      error
	verified bool // a copy's output checked once, as peak.Measure does (it is the same every pass)
}

// NewNow returns samplers for the machine d (its caches size the levels'
// working sets: pass peak.Described's, with the L3 reach).
func NewNow(d machine.Description) *Now {
	return &Now{desc: d, probes: map[string]nowProbe{}}
}

// Close frees every prepared probe's arrays.
func (n *Now) Close() {
	for _, p := range n.probes {
		if p.s != nil {
			p.s.Close()
		}
	}
}

// Prepared lists the prepared probes as "probe/level/threads".
func (n *Now) Prepared() []string {
	keys := make([]string, 0, len(n.probes))
	for k := range n.probes {
		keys = append(keys, k)
	}
	return keys
}

// get prepares (once) probe name at level for threads and returns its key.
func (n *Now) get(name, level string, threads int, benchTime time.Duration) (string, error) {
	key := fmt.Sprintf("%s/%s/%d", name, level, threads)
	p, ok := n.probes[key]
	if !ok {
		if probe, found := peak.Lookup(name); !found {
			p.err = fmt.Errorf("probe %s of the peak file is not in this build", name)
		} else if p.s, p.err = peak.NewSampler(n.desc, probe, level, threads, peak.Options{BenchTime: benchTime}); p.err != nil {
			p.err = fmt.Errorf("probe %s: %v", name, p.err)
		}
		n.probes[key] = p
	}
	return key, p.err
}

// sample measures the prepared probe key once, checking a copy's output
// the first time.
func (n *Now) sample(key string) (float64, error) {
	np := n.probes[key]
	x, err := np.s.Sample()
	if err == nil && !np.verified {
		err = np.s.Verify()
		np.verified = err == nil
		n.probes[key] = np
	}
	return x, err
}

// Measure returns the measurement of the ceiling p was placed under (its
// probe, or the two probes of a mix of reads and writes weighted as in the
// peak file), in the ceiling's unit, to take after each of a case's
// samples. A probe with rivals (probes of its kind whose stored best
// comes close to its own) is measured with them and the fastest counts:
// which is fastest changes from one moment to the next. A probe that is
// not in this build or cannot be prepared makes every call fail, naming it.
func (n *Now) Measure(p Point, benchTime time.Duration) func() (float64, error) {
	keys := make([][]string, len(p.Parts)) // by part: its probe, then its rivals
	for k, part := range p.Parts {
		level := p.Level
		if part.Kind.Compute() {
			level = "" // one sampler for every level
		}
		for _, name := range append([]string{part.Probe}, part.Rivals...) {
			key, err := n.get(name, level, part.Threads, benchTime)
			if err != nil {
				return func() (float64, error) { return 0, err }
			}
			keys[k] = append(keys[k], key)
		}
	}
	return func() (float64, error) {
		v := 0.0
		for k, rivals := range keys {
			best := 0.0
			for _, key := range rivals {
				x, err := n.sample(key)
				if err != nil {
					return 0, err
				}
				best = max(best, x)
			}
			v += p.Parts[k].Weight * best
		}
		return v, nil
	}
}

// NowShare is a case's share of the ceiling measured right after each of
// its samples (seconds per run; companion: Measure's values, one per
// sample): the median of the samples' own shares of work, in percent, and
// the median of the measurements. ok is false unless every sample has its
// measurement.
func NowShare(work float64, samples, companion []float64) (percent, ceiling float64, ok bool) {
	if len(samples) == 0 || len(companion) != len(samples) {
		return 0, 0, false
	}
	shares := make([]float64, len(samples))
	for k, sec := range samples {
		shares[k] = 100 * work / (companion[k] * sec)
	}
	return harness.Summarize(shares).Median, harness.Summarize(companion).Median, true
}
