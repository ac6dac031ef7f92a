package main

import (
	"bytes"
	"strings"
	"testing"
)

// compare --ratio prints one table per run with the per-case A/B speed and
// the geomean; a malformed pair or a pair without common cases is a usage
// error naming it.
func TestCompareRatio(t *testing.T) {
	const file = "../../reports/htmlreport/testdata/t2.txt"
	var out, errb bytes.Buffer
	if code := dispatch([]string{"compare", "--ratio=simd/go", file}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	if !strings.Contains(s, "speed of simd over go") || !strings.Contains(s, "layernorm/") || !strings.Contains(s, "(17 cases)") {
		t.Errorf("output lacks the table or its geomean:\n%s", s)
	}
	for _, tc := range []struct{ ratio, want string }{
		{"simd", "want two backends A/B"},
		{"simd/simd", "want two backends A/B"},
		{"simd/torch", "has cases on both simd and torch"},
	} {
		out.Reset()
		errb.Reset()
		if code := dispatch([]string{"compare", "--ratio=" + tc.ratio, file}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("--ratio=%s: exit %d, stderr %q; want %d with %q", tc.ratio, code, errb.String(), exitUsage, tc.want)
		}
	}
}
