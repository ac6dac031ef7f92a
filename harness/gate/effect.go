package gate

import (
	"math"
	"sort"
	"sync"

	"github.com/aclements/go-moremath/stats"
)

// Effect is a round-level estimate of one case's change, in log space: the
// statistics are computed over round summaries (one median per fresh
// process), never over samples pooled across processes, because most of
// the timing variation on a shared machine is between processes.
type Effect struct {
	// Mean is the estimated log(new/old): the mean of the paired log ratios
	// (A/B rounds) or the difference of the sides' mean log round medians
	// (a stored baseline).
	Mean float64
	SE   float64 // standard error of Mean
	DF   float64 // degrees of freedom of its t distribution
	N    int     // pairs, or new rounds
	NOld int     // baseline rounds when unpaired; 0 when paired
}

// Trim is the share of rounds trimmed from each end before the mean
// (Yuen's trimmed t). A shared machine's rounds have heavy tails: in an
// A/A run of the gate selection on the 2-vCPU VM (28 pairs a case), about
// one paired ratio in ten lay beyond three robust standard deviations, and
// the 20%-trimmed standard error was a third smaller than the plain one
// (median over cases), with the false-alarm rate still at alpha for
// symmetric tails, which an A/A comparison has by construction.
const Trim = 0.2

// PairedEffect estimates the change from paired log ratios
// d[i] = log(new_i/old_i), one per pair of rounds run back to back:
// Yuen's paired trimmed mean with its winsorized standard error.
func PairedEffect(d []float64) Effect {
	m, se, h := trimmed(d)
	return Effect{Mean: m, SE: se, DF: float64(h - 1), N: len(d)}
}

// UnpairedEffect estimates the change from the log round medians of two
// independent sets of rounds: Yuen's two-sample trimmed means with
// Welch's degrees of freedom.
func UnpairedEffect(oldLogs, newLogs []float64) Effect {
	mo, seo, ho := trimmed(oldLogs)
	mn, sen, hn := trimmed(newLogs)
	e := Effect{Mean: mn - mo, N: len(newLogs), NOld: len(oldLogs)}
	if len(oldLogs) < 2 || len(newLogs) < 2 {
		return e
	}
	ao, an := seo*seo, sen*sen
	e.SE = math.Sqrt(ao + an)
	if e.SE > 0 {
		e.DF = (ao + an) * (ao + an) / (ao*ao/float64(ho-1) + an*an/float64(hn-1)) // Welch-Satterthwaite
	} else {
		e.DF = float64(ho + hn - 2)
	}
	return e
}

// trimmed returns the Trim-trimmed mean of xs, its standard error from the
// winsorized variance, and how many values the trimmed mean kept.
func trimmed(xs []float64) (mean, se float64, kept int) {
	n := len(xs)
	if n == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	g := int(Trim * float64(n))
	h := n - 2*g
	mean, _ = meanVar(s[g : n-g])
	if h < 2 {
		return mean, 0, h
	}
	w := s // winsorize in place: the trimmed ends take the nearest kept value
	for i := 0; i < g; i++ {
		w[i], w[n-1-i] = s[g], s[n-1-g]
	}
	_, vw := meanVar(w)
	return mean, math.Sqrt(vw * float64(n-1) / float64(h*(h-1))), h
}

// Estimable reports whether the effect has a standard error (two or more
// rounds a side).
func (e Effect) Estimable() bool { return e.DF >= 1 && e.SE >= 0 && !math.IsNaN(e.SE) }

// Ratio is the estimated new/old time ratio.
func (e Effect) Ratio() float64 { return math.Exp(e.Mean) }

// PSlower is the one-sided p-value of "new is not slower than old".
func (e Effect) PSlower() float64 {
	if !e.Estimable() {
		return 1
	}
	if e.SE == 0 {
		if e.Mean > 0 {
			return 0
		}
		return 1
	}
	return 1 - stats.TDist{V: e.DF}.CDF(e.Mean/e.SE)
}

// Interval is the two-sided confidence interval of the ratio at level.
func (e Effect) Interval(level float64) (lo, hi float64) {
	if !e.Estimable() {
		return 0, math.Inf(1)
	}
	h := tQuantile(1-(1-level)/2, e.DF) * e.SE
	return math.Exp(e.Mean - h), math.Exp(e.Mean + h)
}

// Detectable is the minimum detectable effect: the smallest true slowdown
// (a fraction) that a comparison as precise as this one reports as a
// regression with probability power, when a regression needs a one-sided
// p below alpha and an estimated slowdown above floor. The estimate is
// normal around the truth with this SE, so the truth must clear the
// larger of the two bars by power's quantile of it.
func (e Effect) Detectable(alpha, power, floor float64) float64 {
	if !e.Estimable() {
		return math.Inf(1)
	}
	bar := math.Max(math.Log1p(floor), tQuantile(1-alpha, e.DF)*e.SE)
	return math.Expm1(bar + tQuantile(power, e.DF)*e.SE)
}

// tQuantile inverts Student's t CDF with df degrees of freedom by
// bisection (go-moremath has the CDF, not its inverse). Results are cached:
// a gate asks for the same few levels and degrees of freedom many times.
func tQuantile(p, df float64) float64 {
	key := [2]float64{p, df}
	if q, ok := tCache.Load(key); ok {
		return q.(float64)
	}
	q := tQuantileUncached(p, df)
	tCache.Store(key, q)
	return q
}

var tCache sync.Map

func tQuantileUncached(p, df float64) float64 {
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -tQuantileUncached(1-p, df)
	}
	d := stats.TDist{V: df}
	lo, hi := 0.0, 1.0
	for d.CDF(hi) < p {
		hi *= 2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for i := 0; i < 100 && hi-lo > 1e-12*hi; i++ {
		mid := (lo + hi) / 2
		if d.CDF(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func meanVar(xs []float64) (mean, variance float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}
