package htmlreport

import (
	"math"
	"strings"
	"testing"
)

// simd/go per case is go's median time over simd's, recomputed here from
// the loaded results, and the geomean is that of the per-case ratios.
func TestRatios(t *testing.T) {
	runs, err := Load([]string{"testdata/t2.txt"}, "")
	if err != nil {
		t.Fatal(err)
	}
	rep := NewReport(runs)
	rs := rep.Ratios("simd", "go")
	if len(rs) != 1 || rs[0].N != 17 || len(rs[0].Rows) != 17 {
		t.Fatalf("ratios %+v, want one simd/go table of 17 timed cases", rs)
	}
	logs := 0.0
	for _, row := range rs[0].Rows {
		want := row.B.Stats.Median / row.A.Stats.Median
		if row.A.Backend != "simd" || row.B.Backend != "go" || row.Ratio != want || want <= 0 {
			t.Errorf("%s/%s: %s/%s ratio %g, want %g", row.Kernel, row.Params, row.A.Backend, row.B.Backend, row.Ratio, want)
		}
		logs += math.Log(want)
	}
	if g := math.Exp(logs / 17); math.Abs(rs[0].Geomean-g) > 1e-12*g {
		t.Errorf("geomean %g, want %g", rs[0].Geomean, g)
	}
	if all := rep.Ratios("", ""); len(all) != 1 || all[0].A != "go" || all[0].B != "simd" {
		t.Errorf("all pairs: %d tables, want go/simd", len(all))
	}
	var b strings.Builder
	writeRatiosMarkdown(&b, rep)
	if !strings.Contains(b.String(), "go/simd (geomean") {
		t.Errorf("markdown has no go/simd table:\n%s", b.String())
	}
}
