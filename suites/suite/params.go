package suite

import (
	"fmt"
	"math"
	"strconv"
)

// ParamError collects the first parse failure so a case constructor can read
// all its parameters and report once.
type ParamReader struct {
	P   Params
	Err error
}

func (r *ParamReader) fail(key, want string) {
	if r.Err == nil {
		r.Err = fmt.Errorf("parameter %s=%q: want %s", key, r.P.Get(key), want)
	}
}

// Int reads an integer parameter >= min.
func (r *ParamReader) Int(key string, min int) int {
	v, err := strconv.Atoi(r.P.Get(key))
	if err != nil {
		r.fail(key, "an integer")
		return 0
	}
	if v < min {
		r.fail(key, fmt.Sprintf("an integer >= %d", min))
		return 0
	}
	return v
}

// Float reads a float parameter.
func (r *ParamReader) Float(key string) float64 {
	v, err := strconv.ParseFloat(r.P.Get(key), 64)
	if err != nil {
		r.fail(key, "a number")
	}
	return v
}

// Positive reads a float parameter that must be finite and > 0 (an
// epsilon, a scale): NaN, +-Inf, zero and negative values are rejected.
func (r *ParamReader) Positive(key string) float64 {
	return r.floatIn(key, "a finite number > 0", func(v float64) bool { return v > 0 })
}

// NonNegative reads a float parameter that must be finite and >= 0 (an
// epsilon where the kernel defines 0, e.g. layernorm).
func (r *ParamReader) NonNegative(key string) float64 {
	return r.floatIn(key, "a finite number >= 0", func(v float64) bool { return v >= 0 })
}

// Unit reads a float parameter in [0, 1] (a momentum, a decay, a blend
// weight, a probability, an IoU threshold).
func (r *ParamReader) Unit(key string) float64 {
	return r.floatIn(key, "a number in [0, 1]", func(v float64) bool { return v >= 0 && v <= 1 })
}

// floatIn reads a float parameter whose value must satisfy ok and be
// finite. Kernels take these parameters as float32, so the domain is
// checked on the float32 value too: 1e39 (Inf) and 1e-50 (0) are out of
// a "> 0" domain.
func (r *ParamReader) floatIn(key, domain string, ok func(float64) bool) float64 {
	v, err := strconv.ParseFloat(r.P.Get(key), 64)
	if err != nil {
		r.fail(key, domain)
		return v
	}
	f := float64(float32(v))
	if math.IsNaN(v) || math.IsInf(f, 0) || !ok(v) || !ok(f) {
		r.fail(key, domain)
	}
	return v
}

// Bool reads a boolean parameter (true/false/1/0).
func (r *ParamReader) Bool(key string) bool {
	v, err := strconv.ParseBool(r.P.Get(key))
	if err != nil {
		r.fail(key, "true or false")
	}
	return v
}

// Enum reads a parameter that must be one of choices.
func (r *ParamReader) Enum(key string, choices ...string) string {
	v := r.P.Get(key)
	for _, c := range choices {
		if v == c {
			return v
		}
	}
	r.fail(key, fmt.Sprintf("one of %v", choices))
	return choices[0]
}

// Check records a constraint violation.
func (r *ParamReader) Check(ok bool, format string, args ...any) {
	if !ok && r.Err == nil {
		r.Err = fmt.Errorf(format, args...)
	}
}
