package gate

import (
	"fmt"
	"math"
	"slices"
)

// machineShift estimates how much the machine itself moved between the two
// sides from the log new/old ratios of the compared cases (it sorts them):
// the median of the largest group of cases whose ratios lie within half
// the threshold of each other, the smallest change the gate reports (its
// floor), so cases the gate cannot tell apart. It returns the log shift
// and the size of that group.
//
// The median of all cases is a little more precise when only the machine
// moved, but a change that speeds up many kernels drags it along, and every
// unchanged case then reads as slower by that much. On synthetic gates (60
// cases, 2% noise; TestMachineShiftEstimator) this estimate errs by 0.3%
// without a change (the median 0.26%), and by 0.4-0.5% when 30-60% of the
// cases got faster (the median 1.1%, 2.7% and 19%); TestStoredGateAfterSpeedups
// shows the false alarms the median then raises.
func machineShift(logRatios []float64, threshold float64) (float64, int) {
	slices.Sort(logRatios)
	return densestMedian(logRatios, math.Log1p(threshold/2))
}

// densestMedian is the median of the most points of sorted xs that lie
// within width of each other (on a tie, the group nearest the median of
// all), and how many points that is.
func densestMedian(xs []float64, width float64) (float64, int) {
	if len(xs) == 0 {
		return math.NaN(), 0
	}
	mid := xs[len(xs)/2]
	lo, hi := 0, 1 // best window xs[lo:hi]
	for i, j := 0, 0; i < len(xs); i++ {
		for j < len(xs) && xs[j]-xs[i] <= width {
			j++
		}
		if n, best := j-i, hi-lo; n > best || n == best && math.Abs(xs[(i+j-1)/2]-mid) < math.Abs(xs[(lo+hi-1)/2]-mid) {
			lo, hi = i, j
		}
	}
	return median(xs[lo:hi]), hi - lo
}

// shiftNote says, when the machine shift is larger than the threshold or
// was estimated from under two thirds of the cases, what the cases were
// judged relative to; "" otherwise.
func (r *Report) shiftNote() string {
	if r.Shift <= 0 || r.ShiftCases == 0 {
		return ""
	}
	d := r.Shift - 1
	if math.Abs(d) <= r.Policy.Threshold && 3*r.ShiftCases >= 2*r.Compared {
		return ""
	}
	word := "slower"
	if d < 0 {
		word = "faster"
	}
	return fmt.Sprintf("machine shift: %d of %d cases moved together, %.1f%% %s than the baseline (the machine, or a change that affects "+
		"most kernels); every case is judged relative to that, and the others moved on their own (--normalize=false judges absolute times)",
		r.ShiftCases, r.Compared, 100*math.Abs(d), word)
}
