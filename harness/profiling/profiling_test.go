package profiling

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/suites/suite"
)

// A synthetic profile: main -> kernel (60 ns flat) and main -> kernel ->
// helper (inlined into kernel, 30 ns), main alone 10 ns.
func writeProfile(t *testing.T) string {
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	mainF, kernelF, helperF := fn(1, "main.main"), fn(2, "pkg.kernel"), fn(3, "pkg.helper")
	locMain := &profile.Location{ID: 1, Line: []profile.Line{{Function: mainF}}}
	locKernel := &profile.Location{ID: 2, Line: []profile.Line{{Function: kernelF}}}
	// helper inlined into kernel: Line[0] is the inlined callee.
	locInlined := &profile.Location{ID: 3, Line: []profile.Line{{Function: helperF}, {Function: kernelF}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{locKernel, locMain}, Value: []int64{6, 60}},
			{Location: []*profile.Location{locInlined, locMain}, Value: []int64{3, 30}},
			{Location: []*profile.Location{locMain}, Value: []int64{1, 10}},
		},
		Location: []*profile.Location{locMain, locKernel, locInlined},
		Function: []*profile.Function{mainF, kernelF, helperF},
	}
	path := filepath.Join(t.TempDir(), "x.pprof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func TestTop(t *testing.T) {
	fs, total, err := Top(writeProfile(t), 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 100 {
		t.Errorf("total %d, want 100", total)
	}
	want := []Func{
		{Name: "pkg.kernel", Flat: 60, Cum: 90, FlatPct: 60, CumPct: 90},
		{Name: "pkg.helper", Flat: 30, Cum: 30, FlatPct: 30, CumPct: 30},
		{Name: "main.main", Flat: 10, Cum: 100, FlatPct: 10, CumPct: 100},
	}
	if len(fs) != len(want) {
		t.Fatalf("got %+v", fs)
	}
	for i := range want {
		if fs[i] != want[i] {
			t.Errorf("top[%d] = %+v, want %+v", i, fs[i], want[i])
		}
	}
	if fs, _, _ := Top(writeProfile(t), 1); len(fs) != 1 {
		t.Errorf("top 1 returned %d", len(fs))
	}
	if _, _, err := Top(filepath.Join(t.TempDir(), "missing"), 3); err == nil {
		t.Error("missing profile: no error")
	}
}

func TestCollectorWritesProfiles(t *testing.T) {
	k := &suite.Kernel{Name: "layernorm", Params: []suite.Param{{Key: "R", Default: "4"}, {Key: "C", Default: "8"}}}
	p, _ := k.ParseParams("")
	it := harness.Item{Kernel: k, Params: p}
	c := &Collector{Dir: t.TempDir(), Counters: true}
	stop := c.Hook(it, "go")
	x := 0.0
	for i := 0; i < 1e6; i++ {
		x += float64(i)
	}
	_ = x
	stop()
	got := c.Case("layernorm/R=4/C=8", "go")
	if got == nil || got.Err != nil {
		t.Fatalf("case: %+v", got)
	}
	if filepath.Base(got.Profile) != "layernorm_R=4_C=8_go.pprof" {
		t.Errorf("profile file %s", got.Profile)
	}
	if _, _, err := Top(got.Profile, 5); err != nil {
		t.Errorf("profile does not parse: %v", err)
	}
	// Counters: either they work here, or they say why not.
	if got.CountErr != nil && !IsNotSupported(got.CountErr) {
		t.Errorf("counters failed with something other than 'not supported': %v", got.CountErr)
	}
}

func TestFileName(t *testing.T) {
	if got := FileName("nms/N=100/iou=0.5/fill=a b", "simd"); got != "nms_N=100_iou=0.5_fill=a_b_simd.pprof" {
		t.Errorf("FileName = %q", got)
	}
}
