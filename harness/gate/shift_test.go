package gate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// shiftTrial draws the log ratios of m cases: every case moves with the
// machine (log shift mu) plus its noise (sd), and a share `moved` of them
// also got faster by a speed-up drawn uniformly from [10%, 50%].
func shiftTrial(rng *rand.Rand, m int, mu, sd, moved float64) []float64 {
	out := make([]float64, m)
	for i := range out {
		out[i] = mu + sd*rng.NormFloat64()
		if float64(i) < moved*float64(m) {
			out[i] += math.Log(1 - 0.1 - 0.4*rng.Float64())
		}
	}
	return out
}

// The estimator on synthetic gates with known truth: 60 cases with 2%
// noise (this VM's warmed-up mid-sized cases vary 1-4% between processes),
// a machine shift of 0 or +8%, and 0%, 30%, 45% or 60% of the cases made
// faster by a change. The median misses the machine shift by the drag of
// the faster cases; machineShift must not, and without any change it must
// be nearly as good as the median.
func TestMachineShiftEstimator(t *testing.T) {
	const m, sd, thr, trials = 60, 0.02, 0.10, 2000
	for _, mu := range []float64{0, math.Log(1.08)} {
		for _, moved := range []float64{0, 0.3, 0.45, 0.6} {
			t.Run(fmt.Sprintf("shift=%.2f/moved=%.2f", math.Exp(mu), moved), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(100*moved), uint64(1000*mu)))
				var errEst, errMed float64
				worst := 0.0
				for range trials {
					xs := shiftTrial(rng, m, mu, sd, moved)
					est, _ := machineShift(xs, thr)
					e := math.Abs(est - mu)
					errEst += e / trials
					errMed += math.Abs(median(xs)-mu) / trials
					worst = math.Max(worst, e)
				}
				t.Logf("mean |error|: estimate %.2f%%, median %.2f%%; worst %.2f%%", 100*errEst, 100*errMed, 100*worst)
				switch {
				case moved == 0 && errEst > 1.25*errMed:
					t.Errorf("no change: mean error %.3f%% against the median's %.3f%%", 100*errEst, 100*errMed)
				case moved > 0 && errEst > 0.01:
					t.Errorf("%.0f%% of cases faster: mean error %.2f%% (median's %.2f%%), want under 1%%", 100*moved, 100*errEst, 100*errMed)
				case worst > thr/4:
					t.Errorf("worst error %.2f%%, over a quarter of the threshold", 100*worst)
				}
			})
		}
	}
}

func TestDensestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{1, 3, 5}, 3}, // one point a window: the tie goes to the median
		{[]float64{0, 0.5, 3}, 0.25},
		// A tight minority beats a spread majority: three points within 1
		// against five spread over 10.
		{[]float64{-10, -7.5, -5, -2.5, 0.4, 1, 1.2, 20}, 1},
	} {
		if got, _ := densestMedian(c.xs, 1); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("densestMedian(%v, 1) = %v, want %v", c.xs, got, c.want)
		}
	}
}

// simulateStored runs one stored-baseline gate on the model: 10 baseline
// rounds per case, then adaptive new rounds (at most 20) judged with the
// stored threshold and floors, as `nbench run --baseline=auto --gate` does.
func simulateStored(t *testing.T, mm *machineModel) *Report {
	base := NewRounds(false)
	sample := mm.sampler()
	for k := range 10 {
		s, err := sample(k, 0, mm.cases)
		if err != nil {
			t.Fatal(err)
		}
		base.AddOld(s)
	}
	pol := DefaultPolicy()
	pol.Threshold = StoredThreshold
	a := Adaptive{Policy: pol, Floors: BaselineFloors, More: func(k int) bool { return k < 20 }}
	rep, err := a.Run(base, mm.cases, sample, "baseline", "new")
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestStoredGateAfterSpeedups: a change makes half of the gate's 60 cases
// 10-50% faster (a stop that speeds up most simd kernels; the gate set is
// half go, half simd) and one other case 20% slower, on the simulated VM.
// The slow case is caught and no unchanged case is named; with the median
// of all cases as the machine shift, the unchanged cases read as slower by
// the drag of the faster ones (the false alarms of one stop here).
func TestStoredGateAfterSpeedups(t *testing.T) {
	runs, caught, others := 100, 0, 0
	for i := range runs {
		mm := newMachine(uint64(5000+i), 60)
		for j, id := range mm.cases {
			if j%10 < 5 { // half of them, across every noise level
				mm.slowdowns[id] = -0.1 - 0.4*mm.rng.Float64()
			}
		}
		slow := mm.cases[5] // between-process SD 2.5%
		mm.slowdowns[slow] = 0.20
		rep := simulateStored(t, mm)
		for _, row := range rep.Regressions() {
			if row.ID == slow {
				caught++
			} else if mm.slowdowns[row.ID] == 0 {
				others++
			}
		}
	}
	t.Logf("%d of %d gates caught the 20%% slowdown; %d unchanged cases named", caught, runs, others)
	if caught < runs*9/10 {
		t.Errorf("caught the 20%% slowdown in %d of %d gates", caught, runs)
	}
	if float64(others) > DefaultPolicy().Alpha*float64(runs) {
		t.Errorf("%d unchanged cases named as regressed in %d gates", others, runs)
	}
}
