package suite

import (
	"fmt"
	"math"
)

// Verdict is a case's correctness outcome, named as benchdnn names them.
type Verdict string

const (
	Passed        Verdict = "PASSED"
	Failed        Verdict = "FAILED"
	Mistrusted    Verdict = "MISTRUSTED"    // passed, but the test data could not have caught much
	Skipped       Verdict = "SKIPPED"       // not run (filtered, too large, ...)
	Unimplemented Verdict = "UNIMPLEMENTED" // the backend lacks the kernel
	Unchecked     Verdict = "UNCHECKED"     // timed without the check (--no-check: gate rounds whose verdicts are known)
)

// Check is the result of comparing a backend's outputs to the reference.
type Check struct {
	Verdict Verdict
	// ErrRatio is the worst error divided by what the tolerance allows at
	// that element (<= 1 passes); 0 for exact matches, +Inf for a NaN/Inf
	// mismatch or a wrong integer.
	ErrRatio float64
	Detail   string             // first failure, or a note
	Metrics  map[string]float64 // quality metrics reported beside speed
}

// Close compares y against the float64 reference r elementwise with
// |y - r| <= atol + rtol*|r|. NaN in r requires NaN in y and the reverse;
// +/-Inf must match exactly. name labels the output in Detail.
func Close(name string, y []float32, r []float64, atol, rtol float64) Check {
	return closeTo(name, y, r, atol, rtol, nil)
}

// CloseTol is Close with a bound per element: |y[i] - r[i]| <= tol[i].
func CloseTol(name string, y []float32, r, tol []float64) Check {
	return closeTo(name, y, r, 0, 0, tol)
}

// closeTo is Close with the bound tol[i], or atol + rtol*|r[i]| when tol
// is nil.
func closeTo(name string, y []float32, r []float64, atol, rtol float64, tol []float64) Check {
	c := Check{Verdict: Passed}
	if len(y) != len(r) {
		return Check{Verdict: Failed, ErrRatio: math.Inf(1), Detail: fmt.Sprintf("%s: %d outputs, reference has %d", name, len(y), len(r))}
	}
	worst := -1
	for i, yv := range y {
		v, ratio := float64(yv), 0.0
		switch {
		case math.IsNaN(r[i]) || math.IsNaN(v):
			if math.IsNaN(r[i]) != math.IsNaN(v) {
				ratio = math.Inf(1)
			}
		case math.IsInf(r[i], 0) || math.IsInf(v, 0):
			if v != r[i] {
				ratio = math.Inf(1)
			}
		case v != r[i]: // equal values pass even with a zero bound
			bound := atol + rtol*math.Abs(r[i])
			if tol != nil {
				bound = tol[i]
			}
			ratio = math.Abs(v-r[i]) / bound
		}
		if ratio > c.ErrRatio {
			c.ErrRatio, worst = ratio, i
		}
	}
	if c.ErrRatio > 1 {
		c.Verdict = Failed
		bound := fmt.Sprintf("atol %g, rtol %g", atol, rtol)
		if tol != nil {
			bound = fmt.Sprintf("tolerance %g", tol[worst])
		}
		c.Detail = fmt.Sprintf("%s[%d] = %g, reference %g (%s)", name, worst, y[worst], r[worst], bound)
	}
	return c
}

// Normwise checks max|y - r| <= tau*max|r| + 1e-30 (NaN/Inf must match).
func Normwise(name string, y []float32, r []float64, tau float64) Check {
	maxR := 0.0
	for _, v := range r {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			maxR = math.Max(maxR, math.Abs(v))
		}
	}
	return NormwiseOf(name, y, r, tau, maxR, "max|ref|")
}

// NormwiseOf is Normwise against a given magnitude instead of max|r|: for
// outputs that are sums whose terms can cancel (a product plus a bias
// over one channel), the magnitude of the terms, since the float32 error
// scales with them, not with what is left of them.
func NormwiseOf(name string, y []float32, r []float64, tau, scale float64, what string) Check {
	// Normwise is elementwise with a constant atol and no rtol.
	c := Close(name, y, r, tau*scale+1e-30, 0)
	if c.Verdict == Failed {
		c.Detail += fmt.Sprintf(" (normwise tau %g of %s %g)", tau, what, scale)
	}
	return c
}

// Exact compares integer outputs exactly.
func Exact[T ~int8 | ~uint8 | ~int32 | ~int64](name string, y, r []T) Check {
	if len(y) != len(r) {
		return Check{Verdict: Failed, ErrRatio: math.Inf(1), Detail: fmt.Sprintf("%s: %d outputs, reference has %d", name, len(y), len(r))}
	}
	for i := range y {
		if y[i] != r[i] {
			return Check{Verdict: Failed, ErrRatio: math.Inf(1), Detail: fmt.Sprintf("%s[%d] = %d, reference %d (exact)", name, i, y[i], r[i])}
		}
	}
	return Check{Verdict: Passed}
}

// Merge combines the checks of several outputs: the worst verdict and
// ratio win, details and metrics are kept.
func Merge(cs ...Check) Check {
	out := Check{Verdict: Passed}
	rank := map[Verdict]int{Passed: 0, Mistrusted: 1, Failed: 2}
	for _, c := range cs {
		if rank[c.Verdict] > rank[out.Verdict] {
			out.Verdict = c.Verdict
			out.Detail = c.Detail
		} else if out.Detail == "" {
			out.Detail = c.Detail
		}
		if c.ErrRatio > out.ErrRatio || math.IsNaN(c.ErrRatio) {
			out.ErrRatio = c.ErrRatio
		}
		for k, v := range c.Metrics {
			if out.Metrics == nil {
				out.Metrics = map[string]float64{}
			}
			out.Metrics[k] = v
		}
	}
	return out
}

// Trust downgrades a passing check to MISTRUSTED when the reference is
// degenerate: more than maxFrac of its values are zero or non-finite, so a
// kernel writing zeros or NaNs could have passed. Edge-case fills that are
// degenerate on purpose pass maxFrac = 1.
func Trust(c Check, r []float64, maxFrac float64) Check {
	if c.Verdict != Passed || len(r) == 0 {
		return c
	}
	bad := 0
	for _, v := range r {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			bad++
		}
	}
	if float64(bad) > maxFrac*float64(len(r)) {
		c.Verdict = Mistrusted
		c.Detail = fmt.Sprintf("%d of %d reference values are zero or non-finite", bad, len(r))
	}
	return c
}

// Scalar compares one float32 output with |y - r| <= atol + rtol*|r|.
func Scalar(name string, y float32, r, atol, rtol float64) Check {
	return Close(name, []float32{y}, []float64{r}, atol, rtol)
}
