package gate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// machineModel simulates timings with the variance levels measured on this
// project's 2-vCPU VM (one thread, the gate shape set in cache with the
// samples interleaved, 6 fresh processes: between-process SD of a case's
// round median 1.9% at the 10th percentile of cases, 2.3% at the 25th,
// 3.2% median, 6.1% at the 75th, 8.1% at the 90th): each case has a
// between-process SD (1.5, 2.5, 3.5 or 6%), each process a small chance of
// being slow across the board (a neighbour), the machine drifts slowly,
// and a round's median of a few samples keeps some within-process noise.
type machineModel struct {
	rng       *rand.Rand
	cases     []string
	between   []float64 // per-case SD of a process's log time
	within    float64   // SD of the log of a round's median
	slowProb  float64   // chance a process is slow on every case
	slowBy    float64   // how much slower it then is (log)
	drift     float64   // per-round SD of the machine's random walk (log)
	level     float64   // current machine level (log)
	slowdowns map[string]float64
}

func newMachine(seed uint64, m int) *machineModel {
	mm := &machineModel{rng: rand.New(rand.NewPCG(seed, 7)), within: 0.01, slowProb: 0.03, slowBy: 0.12, drift: 0.005,
		slowdowns: map[string]float64{}}
	for i := 0; i < m; i++ {
		mm.cases = append(mm.cases, fmt.Sprintf("k%d/n=%d/backend=go", i/2, i))
		mm.between = append(mm.between, []float64{0.015, 0.025, 0.035, 0.06}[i%4])
	}
	return mm
}

func (mm *machineModel) index(id string) int {
	for i, c := range mm.cases {
		if c == id {
			return i
		}
	}
	panic("unknown case " + id)
}

func (mm *machineModel) sampler() Sampler {
	return func(k, side int, ids []string) (*Set, error) {
		mm.level += mm.drift * mm.rng.NormFloat64()
		proc := 0.0
		if mm.rng.Float64() < mm.slowProb {
			proc = mm.slowBy
		}
		s := NewSet("sim")
		for _, id := range ids {
			i := mm.index(id)
			logt := math.Log(1e-3) + mm.level + proc + mm.between[i]*mm.rng.NormFloat64() + mm.within*mm.rng.NormFloat64()
			if side == 1 {
				logt += math.Log1p(mm.slowdowns[id])
			}
			kernel, shape, _ := cutID(id)
			s.add(&Case{Kernel: kernel, Shape: shape, Backend: "go", Verdict: "PASSED", Samples: []float64{math.Exp(logt)}})
		}
		return s, nil
	}
}

func cutID(id string) (kernel, shape, backend string) {
	var parts []string
	start := 0
	for i := 0; i <= len(id); i++ {
		if i == len(id) || id[i] == '/' {
			parts = append(parts, id[start:i])
			start = i + 1
		}
	}
	return parts[0], parts[1], parts[2]
}

// simulateAB runs one adaptive A/B gate on the model with at most maxPairs
// pairs (the default budget holds about 30 pairs of the gate selection on
// the 2-vCPU VM) and returns its report.
func simulateAB(t *testing.T, mm *machineModel, maxPairs int) *Report {
	a := Adaptive{Policy: DefaultPolicy(), More: func(k int) bool { return k < maxPairs }}
	rep, err := a.Run(NewRounds(true), mm.cases, mm.sampler(), "old", "new")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRoundsAAFalseAlarms: over 1000 simulated A/A gates of 40 cases with
// the measured variance levels, slow processes and drift, the share of
// gates that report any regression stays at or below alpha.
func TestRoundsAAFalseAlarms(t *testing.T) {
	runs, alarms, notGateable := 1000, 0, 0
	if testing.Short() {
		runs = 200
	}
	for i := 0; i < runs; i++ {
		rep := simulateAB(t, newMachine(uint64(i), 40), 30)
		if len(rep.Regressions()) > 0 {
			alarms++
		}
		notGateable += len(rep.NotGateables())
	}
	rate := float64(alarms) / float64(runs)
	t.Logf("A/A: %d of %d simulated gates reported a regression (%.1f%%); %d case verdicts NOT GATEABLE", alarms, runs, 100*rate, notGateable)
	if rate > DefaultPolicy().Alpha {
		t.Errorf("false-alarm rate %.3f above alpha %.2f", rate, DefaultPolicy().Alpha)
	}
}

// TestRoundsPower: a 5% slowdown of one kernel (two cases, between-process
// SD 2.5% and 3.5%, the middle of what was measured) is caught in at least
// 95% of simulated gates, and no other case is named.
func TestRoundsPower(t *testing.T) {
	runs, caught, others := 200, 0, 0
	for i := 0; i < runs; i++ {
		mm := newMachine(uint64(1000+i), 40)
		slow := []string{mm.cases[1], mm.cases[2]}
		for _, id := range slow {
			mm.slowdowns[id] = 0.05
		}
		rep := simulateAB(t, mm, 30)
		hit := 0
		for _, row := range rep.Regressions() {
			if row.ID == slow[0] || row.ID == slow[1] {
				hit++
			} else {
				others++
			}
		}
		if hit > 0 {
			caught++
		}
	}
	t.Logf("5%% slowdown: caught in %d of %d simulated gates; %d other cases named", caught, runs, others)
	if float64(caught) < 0.95*float64(runs) {
		t.Errorf("caught %d of %d: power below 95%%", caught, runs)
	}
	if float64(others) > DefaultPolicy().Alpha*float64(runs) {
		t.Errorf("%d unchanged cases named as regressed in %d gates", others, runs)
	}
}

// TestRoundsNotGateable: a case far noisier than the threshold allows is
// reported NOT GATEABLE with its minimum detectable effect, and does not
// fail the gate.
func TestRoundsNotGateable(t *testing.T) {
	mm := newMachine(3, 12)
	mm.between[5] = 0.30
	rep := simulateAB(t, mm, 8)
	var row *Row
	for _, r := range rep.Rows {
		if r.ID == mm.cases[5] {
			row = r
		}
	}
	if row == nil || row.Status != NotGateable || !(row.MDE > rep.Policy.Threshold) {
		t.Fatalf("noisy case: %+v, want NOT GATEABLE with MDE above the threshold", row)
	}
	if !rep.Pass {
		t.Errorf("a not-gateable case failed the gate")
	}
}

// TestEffectIntervals checks the t machinery against known values.
func TestEffectIntervals(t *testing.T) {
	if q := tQuantile(0.975, 9); math.Abs(q-2.2622) > 1e-3 {
		t.Errorf("t(0.975, 9) = %v, want 2.2622", q)
	}
	if q := tQuantile(0.05, 4); math.Abs(q+2.1318) > 1e-3 {
		t.Errorf("t(0.05, 4) = %v, want -2.1318", q)
	}
	// Five pairs: Yuen trims one from each end (20%); the trimmed mean of
	// 0.01, 0.02, 0.03 is 0.02, the winsorized sample 0.01, 0.01, 0.02, 0.03,
	// 0.03 has variance 1e-4, SE = sqrt(1e-4 * 4 / (3 * 2)), 2 df.
	e := PairedEffect([]float64{0.01, 0.03, 0.02, 0.04, 0.00})
	if math.Abs(e.Mean-0.02) > 1e-12 || math.Abs(e.SE-math.Sqrt(1e-4*4/6)) > 1e-12 || e.DF != 2 {
		t.Errorf("paired effect %+v", e)
	}
	if p := e.PSlower(); !(p > 0.06 && p < 0.075) { // t = 2.449 at 2 df: one-sided p = 0.067
		t.Errorf("one-sided p = %v, want 0.067", p)
	}
	// Four pairs: nothing trimmed, the plain paired t.
	f := PairedEffect([]float64{0.01, 0.03, 0.02, 0.04})
	if math.Abs(f.Mean-0.025) > 1e-12 || math.Abs(f.SE-math.Sqrt(1.0/6*1e-3/4)) > 1e-12 || f.DF != 3 {
		t.Errorf("untrimmed paired effect %+v", f)
	}
	u := UnpairedEffect([]float64{0, 0.02, 0.01}, []float64{0.05, 0.07, 0.06, 0.06})
	if math.Abs(u.Mean-0.05) > 1e-12 || u.NOld != 3 || u.N != 4 {
		t.Errorf("unpaired effect %+v", u)
	}
	if d := e.Detectable(0.05, 0.5, 0); math.Abs(math.Log1p(d)-tQuantile(0.95, e.DF)*e.SE) > 1e-9 {
		t.Errorf("MDE at 50%% power = %v, want the one-sided critical value", d)
	}
}
