package harness

import (
	"math"
	"sort"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of the confidence intervals nbench prints.
const Confidence = 0.95

// Stats summarizes a case's samples (seconds per run).
type Stats struct {
	Median float64
	// Lo and Hi bound the median with 95% confidence (distribution-free, as
	// benchstat computes it); with too few samples they are the min and max.
	Lo, Hi   float64
	Min, Max float64
	// Spread is the larger distance from the median to a CI bound, as a
	// fraction of the median (benchstat's "± x%").
	Spread float64
}

// Summarize computes the median, its confidence interval and the spread.
func Summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	// NewSample sorts its argument: keep the caller's order (rounds pair by index).
	s := benchmath.NewSample(append([]float64(nil), samples...), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, Confidence)
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	st := Stats{Median: sum.Center, Lo: sum.Lo, Hi: sum.Hi, Min: sorted[0], Max: sorted[len(sorted)-1]}
	if math.IsInf(st.Lo, 0) || math.IsNaN(st.Lo) {
		st.Lo = st.Min
	}
	if math.IsInf(st.Hi, 0) || math.IsNaN(st.Hi) {
		st.Hi = st.Max
	}
	if st.Median > 0 {
		st.Spread = math.Max(st.Median-st.Lo, st.Hi-st.Median) / st.Median
	}
	return st
}
