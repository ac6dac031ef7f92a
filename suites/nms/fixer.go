package nms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
)

// Soft-NMS margins. A decision on a decayed score (which candidate is the
// maximum, which falls below the threshold) must clear a relative margin of
// softMargin (KERNELS.md's 1e-4) plus the rounding a float32 kernel may have
// accumulated in the scores involved: twice the root sum of squares
// of the per-decay bounds (roundings add up like a random walk; summing
// the bounds would count hundreds of gaussian decays as 1e-4 apart).
const softMargin = 1e-4

// softTiny is the smallest decayed score a candidate may keep: below it a
// float32 kernel loses precision to underflow. Candidates whose error
// bound grows past the score tolerance go too. Both take many decays: a
// threshold ~0, or a large box overlapping hundreds of selected ones (about
// 2.5% of the boxes at N=20000 with gaussian decay).
const softTiny = 1e-25

// roundoff bounds the relative error a float32 kernel adds to a score when
// it applies the weight at IoU ov: a few roundings, amplified by the
// cancellation in 1-ov (linear) or by the exponent (gaussian).
func (p softParams) roundoff(ov float64) float64 {
	if p.method == kernel.SoftNMSGaussian {
		return 2e-7 + 6e-7*ov*ov/p.sigma
	}
	return 2e-7 + 3e-7*ov/(1-ov)
}

// softFixer edits Soft-NMS test scores while the reference runs, so that no
// decision depends on rounding. A candidate that would make a decision
// ambiguous is lowered (its initial score scaled down) or, where lowering
// cannot work, removed (its score set to NaN, which drops it). Both are
// sound: a candidate that has not been selected yet has not changed any
// other box's score, and lowering it keeps every earlier maximum clear.
// Boxes never decayed hold exact scores, so their ties need no margin.
type softFixer struct {
	rng   *rand.Rand
	s     []float32 // the initial scores being edited
	cur   []float64 // the reference's current scores
	decay []float64 // product of the weights applied to each box
	err2  []float64 // sum of squared per-decay error bounds; 0 = exact score
}

// slack is the relative error a float32 kernel's score for box j may have.
func (f *softFixer) slack(j int) float64 { return 2 * math.Sqrt(f.err2[j]) }

func (f *softFixer) start(s []float32, cur []float64) {
	f.s, f.cur = s, cur
	f.decay = make([]float64, len(s))
	f.err2 = make([]float64, len(s))
	for i := range f.decay {
		f.decay[i] = 1
	}
}

// lower sets candidate j's current score to target (< current, > 0) by
// scaling its initial score, or removes j; it reports whether j remains.
func (f *softFixer) lower(j int, target float64) bool {
	if target > 0 && f.decay[j] > 0 && target < f.cur[j] {
		if s0 := float32(target / f.decay[j]); s0 < f.s[j] {
			f.s[j], f.cur[j] = s0, float64(s0)*f.decay[j]
			return true
		}
	}
	f.s[j] = float32(math.NaN())
	return false
}

// below returns a target clearly under the threshold for candidate j
// (<= 0 when the threshold leaves no room, which removes j).
func (f *softFixer) below(p softParams, j int) float64 {
	return p.thr * (1 - 2*softMargin - 2*f.slack(j) - 1e-3*f.rng.Float64())
}

// ties clears the round's maximum cand[m]: every candidate within the
// margin of it, with a decayed score on either side, is lowered to clearly
// below it (or below the threshold, if that is closer) or removed. It
// returns the remaining candidates and the maximum's position among them.
func (f *softFixer) ties(p softParams, cand []int, m int) ([]int, int) {
	a := cand[m]
	sa := f.cur[a]
	w, wm := 0, 0
	for c, j := range cand {
		if c == m {
			wm = w
		} else if sl := f.slack(a) + f.slack(j); sl > 0 && sa-f.cur[j] <= (softMargin+sl)*math.Abs(sa) {
			target := sa * (1 - 2*softMargin - 2*sl - 1e-3*f.rng.Float64())
			if target <= p.thr*(1+2*softMargin+2*f.slack(j)) {
				target = f.below(p, j)
			}
			if !f.lower(j, target) || f.cur[j] < p.thr {
				continue
			}
		}
		cand[w] = j
		w++
	}
	return cand[:w], wm
}

// decayed records that candidate j got weight wt at IoU ov and clears its
// threshold decision; it reports false when j was removed.
func (f *softFixer) decayed(p softParams, j int, ov, wt float64) bool {
	f.decay[j] *= wt
	switch {
	case wt == 0:
		f.err2[j] = 0 // an exact zero
	case wt != 1 || p.method == kernel.SoftNMSGaussian && ov > 0:
		e := p.roundoff(ov)
		f.err2[j] += e * e
	}
	margin := (softMargin + f.slack(j)) * math.Abs(p.thr)
	switch {
	case f.err2[j] == 0 || f.cur[j] < p.thr-margin:
	case f.cur[j] <= p.thr+margin:
		return f.lower(j, f.below(p, j))
	case f.cur[j] < softTiny || f.slack(j) > softScoreRtol:
		return f.lower(j, 0) // removes j: its score would not meet the tolerance
	}
	return true
}
