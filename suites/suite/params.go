package suite

import (
	"fmt"
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
