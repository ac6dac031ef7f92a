package suite

import (
	"strings"
	"testing"
)

// TestParamDomains checks the float readers with a domain: each rejects
// NaN, infinities, garbage and values outside its domain (also a float64
// that is out of it once rounded to float32), naming key, value and domain.
func TestParamDomains(t *testing.T) {
	readers := map[string]struct {
		read   func(r *ParamReader, key string) float64
		domain string
	}{
		"Positive":    {(*ParamReader).Positive, "a finite number > 0"},
		"NonNegative": {(*ParamReader).NonNegative, "a finite number >= 0"},
		"Unit":        {(*ParamReader).Unit, "a number in [0, 1]"},
	}
	for _, tc := range []struct {
		reader, val string
		ok          bool
		want        float64
	}{
		{"Positive", "1e-05", true, 1e-5},
		{"Positive", "3", true, 3},
		{"Positive", "0", false, 0},
		{"Positive", "-1", false, 0},
		{"Positive", "NaN", false, 0},
		{"Positive", "+Inf", false, 0},
		{"Positive", "inf", false, 0},
		{"Positive", "1e39", false, 0},  // +Inf as a float32
		{"Positive", "1e-50", false, 0}, // 0 as a float32
		{"Positive", "1e400", false, 0}, // out of float64 range
		{"Positive", "eps", false, 0},
		{"NonNegative", "0", true, 0},
		{"NonNegative", "1e-06", true, 1e-6},
		{"NonNegative", "-0.5", false, 0},
		{"NonNegative", "NaN", false, 0},
		{"NonNegative", "-Inf", false, 0},
		{"Unit", "0", true, 0},
		{"Unit", "1", true, 1},
		{"Unit", "0.1", true, 0.1},
		{"Unit", "1.5", false, 0},
		{"Unit", "-0.1", false, 0},
		{"Unit", "NaN", false, 0},
	} {
		k := &Kernel{Name: "k", Params: []Param{{Key: "x", Default: "1"}}}
		p, err := k.ParseParams("x=" + tc.val)
		if err != nil {
			t.Fatal(err)
		}
		rd := readers[tc.reader]
		r := ParamReader{P: p}
		v := rd.read(&r, "x")
		if tc.ok {
			if r.Err != nil || v != tc.want {
				t.Errorf("%s(x=%s) = %g, %v; want %g, no error", tc.reader, tc.val, v, r.Err, tc.want)
			}
			continue
		}
		want := `parameter x="` + tc.val + `": want ` + rd.domain
		if r.Err == nil || !strings.Contains(r.Err.Error(), want) {
			t.Errorf("%s(x=%s): error %v, want %q", tc.reader, tc.val, r.Err, want)
		}
	}
}
