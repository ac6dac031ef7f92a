package gate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/suites/suite"
)

// samples draws n deterministic timings around median with relative noise
// (normal, sd = noise), seeded so every run of the test sees the same data.
func samples(seed uint64, n int, median, noise float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x9a7e))
	out := make([]float64, n)
	for i := range out {
		out[i] = median * (1 + noise*rng.NormFloat64())
	}
	return out
}

// set builds a set from cases given as id-less triples.
func set(label string, cases ...*Case) *Set {
	s := NewSet(label)
	for _, c := range cases {
		if c.Verdict == "" {
			c.Verdict = string(suite.Passed)
		}
		if c.Backend == "" {
			c.Backend = "go"
		}
		s.add(c)
	}
	return s
}

func kase(kernel, shape string, xs []float64) *Case {
	return &Case{Kernel: kernel, Shape: shape, Samples: xs}
}

// family returns m unchanged cases (old and new drawn independently with
// 1% noise) to make the Holm family realistic.
func family(m int) (old, cur []*Case) {
	for i := 0; i < m; i++ {
		shape := fmt.Sprintf("N=%d", i)
		old = append(old, kase("filler", shape, samples(uint64(1000+i), 10, 1e-3, 0.01)))
		cur = append(cur, kase("filler", shape, samples(uint64(2000+i), 10, 1e-3, 0.01)))
	}
	return old, cur
}

func row(t *testing.T, rep *Report, id string) *Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no row %s in report", id)
	return nil
}

func TestIdenticalSamplesNeverFail(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		for _, noise := range []float64{0, 0.001, 0.01, 0.2} {
			xs := samples(seed, 10, 1e-4, noise)
			rep := Compare(set("old", kase("k", "N=1", xs)), set("new", kase("k", "N=1", append([]float64(nil), xs...))), DefaultPolicy(), nil)
			if !rep.Pass || rep.Rows[0].Status != Same {
				t.Fatalf("seed %d noise %v: identical samples gave %s (p=%v)", seed, noise, rep.Rows[0].Status, rep.Rows[0].P)
			}
		}
	}
}

func TestTenPercentSlowdownFails(t *testing.T) {
	old, cur := family(30)
	old = append(old, kase("layernorm", "R=64/C=1024", samples(1, 10, 50e-6, 0.01)))
	cur = append(cur, kase("layernorm", "R=64/C=1024", samples(2, 10, 55e-6, 0.01)))
	rep := Compare(set("old", old...), set("new", cur...), DefaultPolicy(), nil)
	r := row(t, rep, "layernorm/R=64/C=1024/backend=go")
	if rep.Pass || r.Status != Regressed {
		t.Fatalf("10%% slowdown with 1%% noise: status %s, pass %v, p %v, Holm p %v", r.Status, rep.Pass, r.P, r.PHolm)
	}
	if regs := rep.Regressions(); len(regs) != 1 {
		t.Errorf("want exactly the one regression, got %d", len(regs))
	}
	var b bytes.Buffer
	rep.Gated = true
	if err := rep.Table(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"gate: FAIL", "REGRESSED layernorm/R=64/C=1024 on go:", "% slower (", "p=", "Holm p=", "geomean"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSmallChangeUnderThresholdPasses(t *testing.T) {
	// 3% slower with 0.2% noise: clearly significant, but under 5%.
	rep := Compare(set("old", kase("k", "N=1", samples(1, 10, 1e-3, 0.002))),
		set("new", kase("k", "N=1", samples(2, 10, 1.03e-3, 0.002))), DefaultPolicy(), nil)
	r := rep.Rows[0]
	if !rep.Pass || r.Status != UnderThreshold {
		t.Fatalf("3%% change: status %s, p %v", r.Status, r.PHolm)
	}
	if r.PHolm >= 0.05 {
		t.Errorf("the test data should be significant, p=%v", r.PHolm)
	}
	// The same change fails under a 2% threshold.
	rep = Compare(set("old", kase("k", "N=1", samples(1, 10, 1e-3, 0.002))),
		set("new", kase("k", "N=1", samples(2, 10, 1.03e-3, 0.002))), Policy{Alpha: 0.05, Threshold: 0.02}, nil)
	if rep.Pass {
		t.Errorf("3%% change under a 2%% threshold must fail")
	}
}

func TestNoisyCaseBelowFloorPasses(t *testing.T) {
	old := set("old", kase("k", "N=1", samples(1, 10, 1e-3, 0.01)))
	cur := set("new", kase("k", "N=1", samples(2, 10, 1.10e-3, 0.01)))
	id := "k/N=1/backend=go"
	for _, tc := range []struct {
		floor float64
		want  Status
	}{{0.15, UnderFloor}, {0.08, Regressed}, {0, Regressed}} {
		noise := &Noise{File: "n.json", Cases: map[string]Floor{id: {Floor: tc.floor}}}
		rep := Compare(old, cur, DefaultPolicy(), noise)
		if r := rep.Rows[0]; r.Status != tc.want || rep.Pass != (tc.want != Regressed) {
			t.Errorf("floor %v: status %s pass %v, want %s", tc.floor, r.Status, rep.Pass, tc.want)
		}
	}
}

func TestCorrectnessFailureFailsRegardlessOfSpeed(t *testing.T) {
	xs := samples(1, 10, 1e-3, 0.01)
	bad := kase("k", "N=1", samples(2, 10, 0.5e-3, 0.01)) // twice as fast, but wrong
	bad.Verdict, bad.Detail = string(suite.Failed), "y[0] = NaN"
	untimed := &Case{Kernel: "k", Shape: "N=2", Verdict: string(suite.Failed), Detail: "prepare: boom"}
	rep := Compare(set("old", kase("k", "N=1", xs)), set("new", bad, untimed), DefaultPolicy(), nil)
	if rep.Pass {
		t.Fatal("a FAILED verdict must fail the gate")
	}
	if f := rep.Failures(); len(f) != 2 {
		t.Fatalf("want 2 failures, got %d", len(f))
	}
	rep.Gated = true
	var b bytes.Buffer
	rep.Verdict(&b)
	if !strings.Contains(b.String(), "FAILED    k/N=1 on go: y[0] = NaN") || !strings.Contains(b.String(), "k/N=2 on go: prepare: boom") {
		t.Errorf("verdict:\n%s", b.String())
	}
	// A failure recorded in the baseline only does not fail the new run.
	old := kase("k", "N=1", xs)
	old.Verdict = string(suite.Failed)
	if rep := Compare(set("old", old), set("new", kase("k", "N=1", xs)), DefaultPolicy(), nil); !rep.Pass {
		t.Error("an old failure must not fail a fixed new run")
	}
}

func TestHolm(t *testing.T) {
	got := Holm([]float64{0.01, 0.04, 0.03, 0.005})
	want := []float64{0.03, 0.06, 0.06, 0.02}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("Holm = %v, want %v", got, want)
		}
	}
	if got := Holm([]float64{0.9, 0.8}); got[0] != 1 || got[1] != 1 {
		t.Errorf("adjusted p must be capped at 1: %v", got)
	}
	if len(Holm(nil)) != 0 {
		t.Error("empty family")
	}
}

// TestHolmCorrection: a slowdown that is significant alone is not once it
// is one of many comparisons, and the report says why.
func TestHolmCorrection(t *testing.T) {
	// 5+5 fully separated samples: p = 2/252 = 0.0079 < 0.05 alone.
	slow := func() (*Case, *Case) {
		return kase("k", "N=1", []float64{1.00, 1.01, 1.02, 1.03, 1.04}), kase("k", "N=1", []float64{1.20, 1.21, 1.22, 1.23, 1.24})
	}
	o, n := slow()
	rep := Compare(set("old", o), set("new", n), DefaultPolicy(), nil)
	if rep.Pass || math.Abs(rep.Rows[0].P-MinP(5, 5)) > 1e-9 {
		t.Fatalf("alone: pass %v, p %v (want %v)", rep.Pass, rep.Rows[0].P, MinP(5, 5))
	}
	o, n = slow()
	olds, news := []*Case{o}, []*Case{n}
	for i := 0; i < 9; i++ {
		xs := []float64{1, 2, 3, 4, 5}
		olds = append(olds, kase("f", fmt.Sprint("N=", i), xs))
		news = append(news, kase("f", fmt.Sprint("N=", i), xs))
	}
	rep = Compare(set("old", olds...), set("new", news...), DefaultPolicy(), nil)
	r := row(t, rep, "k/N=1/backend=go")
	if !rep.Pass || r.Status != Same || math.Abs(r.PHolm-10*r.P) > 1e-12 {
		t.Fatalf("among 10: status %s, p %v, Holm p %v", r.Status, r.P, r.PHolm)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "no regression can be detected: with 5+5 samples") {
		t.Errorf("notes must explain the lack of power: %q", rep.Notes)
	}
}

func TestMinP(t *testing.T) {
	if got := MinP(5, 5); math.Abs(got-2.0/252) > 1e-12 {
		t.Errorf("MinP(5,5) = %v", got)
	}
	if got := MinP(10, 10); math.Abs(got-2.0/184756) > 1e-15 {
		t.Errorf("MinP(10,10) = %v", got)
	}
	if MinP(0, 3) != 1 || MinP(1, 1) != 1 {
		t.Error("degenerate sizes")
	}
}

func TestNewMissingAndConfig(t *testing.T) {
	xs := samples(1, 10, 1e-3, 0.01)
	old := set("old", kase("k", "N=1", xs), kase("gone", "N=1", xs))
	cur := set("new", kase("k", "N=1", xs), kase("fresh", "N=1", xs))
	old.Config["threads"], cur.Config["threads"] = "2", "1"
	old.Config["machine"], cur.Config["machine"] = "a", "b"
	rep := Compare(old, cur, DefaultPolicy(), nil)
	if !rep.Pass || row(t, rep, "fresh/N=1/backend=go").Status != New || rep.Compared != 1 {
		t.Fatalf("new case: %+v", rep)
	}
	if len(rep.Missing) != 1 || rep.Missing[0] != "gone/N=1/backend=go" {
		t.Errorf("missing: %v", rep.Missing)
	}
	notes := strings.Join(rep.Notes, "\n")
	if !strings.Contains(notes, `threads is "2" in old, "1" in new`) || !strings.Contains(notes, "another kind of machine") {
		t.Errorf("notes: %s", notes)
	}
}

func TestFasterIsNotARegression(t *testing.T) {
	rep := Compare(set("old", kase("k", "N=1", samples(1, 10, 1e-3, 0.01))),
		set("new", kase("k", "N=1", samples(2, 10, 0.5e-3, 0.01))), DefaultPolicy(), nil)
	if !rep.Pass || rep.Rows[0].Status != Faster || rep.Geomean.Ratio > 0.6 {
		t.Errorf("faster: %s, geomean %+v", rep.Rows[0].Status, rep.Geomean)
	}
}

func TestCalibrateAndNoiseFile(t *testing.T) {
	a := set("run 1", kase("k", "N=1", samples(1, 10, 1e-3, 0.01)), kase("k", "N=2", samples(3, 10, 1e-3, 0.01)))
	b := set("run 2", kase("k", "N=1", samples(2, 10, 1.04e-3, 0.01)))
	b.Config["machine"] = "m"
	n := Calibrate(a, b)
	f, ok := n.Cases["k/N=1/backend=go"]
	if len(n.Cases) != 1 || !ok {
		t.Fatalf("floors: %+v", n.Cases)
	}
	sa, sb := harness.Summarize(a.Cases[0].Samples), harness.Summarize(b.Cases[0].Samples)
	want := DriftFactor*math.Abs(sb.Median/sa.Median-1) + math.Max(sa.Spread, sb.Spread)
	if math.Abs(f.Floor-want) > 1e-12 || f.Floor < 0.03 || len(f.Ratios) != 1 || len(f.Spreads) != 2 {
		t.Errorf("floor %+v, want %v", f, want)
	}
	// With more runs the largest drift from run 1 counts.
	c := set("run 3", kase("k", "N=1", samples(5, 10, 0.9e-3, 0.01)))
	f3 := Calibrate(a, b, c).Cases["k/N=1/backend=go"]
	sc := harness.Summarize(c.Cases[0].Samples)
	want3 := DriftFactor*math.Max(math.Abs(sb.Median/sa.Median-1), math.Abs(sc.Median/sa.Median-1)) + math.Max(sa.Spread, math.Max(sb.Spread, sc.Spread))
	if math.Abs(f3.Floor-want3) > 1e-12 || f3.Floor < 0.09 || len(f3.Ratios) != 2 {
		t.Errorf("3 runs: floor %+v, want %v", f3, want3)
	}
	path := t.TempDir() + "/quick.noise.json"
	if err := n.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadNoise(path)
	if err != nil || back.Cases["k/N=1/backend=go"].Floor != f.Floor || back.Machine != "m" || back.Method != NoiseMethod {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	// Merging keeps floors of other cases and replaces the same case.
	back.Cases["other/N=1/backend=go"] = Floor{Floor: 0.5}
	upd := &Noise{Cases: map[string]Floor{"k/N=1/backend=go": {Floor: 0.01}}}
	back.Merge(upd)
	if len(back.Cases) != 2 || back.Cases["k/N=1/backend=go"].Floor != 0.01 {
		t.Errorf("merge: %+v", back.Cases)
	}
	if NoisePath("baselines/m/quick.txt") != "baselines/m/quick.noise.json" {
		t.Error("NoisePath")
	}
}

func TestBadNoiseFile(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"syntax.json":  `{"cases": {`,
		"unknown.json": `{"cases": {}, "flor": 1}`,
		"neg.json":     `{"cases": {"k/backend=go": {"floor": -1}}}`,
	} {
		p := dir + "/" + name
		writeFile(t, p, body)
		if _, err := ReadNoise(p); err == nil || !strings.Contains(err.Error(), p+": invalid noise file") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestRenderFormats(t *testing.T) {
	old, cur := family(3)
	rep := Compare(set("old.txt", old...), set("new.txt", cur...), DefaultPolicy(), nil)
	rep.Gated = true
	for _, f := range Formats {
		var b bytes.Buffer
		if err := rep.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		switch f {
		case "table":
			if !strings.Contains(out, "geomean") || !strings.Contains(out, "gate: PASS") {
				t.Errorf("table:\n%s", out)
			}
		case "markdown":
			if !strings.Contains(out, "### nbench gate: ✅ PASS") || !strings.Contains(out, "| case | backend | old | new |") || !strings.Contains(out, "| **geomean** |") {
				t.Errorf("markdown:\n%s", out)
			}
		case "json":
			var back Report
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back.Rows) != 3 || !back.Pass || back.Geomean == nil {
				t.Errorf("json: %v\n%s", err, out)
			}
		}
	}
	if err := rep.Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Error("unknown format must fail")
	}
	// Without gating there is no verdict.
	rep.Gated = false
	var b bytes.Buffer
	rep.Table(&b)
	if strings.Contains(b.String(), "gate:") {
		t.Errorf("ungated table has a verdict:\n%s", b.String())
	}
}

func TestConfirm(t *testing.T) {
	old, cur := family(5)
	old = append(old, kase("a", "N=1", samples(1, 10, 1e-3, 0.01)), kase("b", "N=1", samples(2, 10, 1e-3, 0.01)))
	cur = append(cur, kase("a", "N=1", samples(3, 10, 1.2e-3, 0.01)), kase("b", "N=1", samples(4, 10, 1.2e-3, 0.01)))
	base := set("old", old...)
	rep := Compare(base, set("new", cur...), DefaultPolicy(), nil)
	if len(rep.Regressions()) != 2 {
		t.Fatalf("setup: %d regressions", len(rep.Regressions()))
	}
	// The rerun shows a still slow, b back to normal.
	again := Compare(base, set("rerun", kase("a", "N=1", samples(5, 10, 1.2e-3, 0.01)), kase("b", "N=1", samples(6, 10, 1e-3, 0.01))), DefaultPolicy(), nil)
	rep.Confirm(again)
	a, b := row(t, rep, "a/N=1/backend=go"), row(t, rep, "b/N=1/backend=go")
	if a.Status != Regressed || !strings.HasPrefix(a.Rerun, "confirmed by a rerun: ") || b.Status != NotReproduced || rep.Pass {
		t.Fatalf("a %s %q, b %s %q, pass %v", a.Status, a.Rerun, b.Status, b.Rerun, rep.Pass)
	}
	// A rerun in which nothing regresses passes the gate.
	rep.Confirm(Compare(base, set("rerun", kase("a", "N=1", samples(7, 10, 1e-3, 0.01))), DefaultPolicy(), nil))
	if !rep.Pass || len(rep.Regressions()) != 0 {
		t.Errorf("after a clean rerun: pass %v", rep.Pass)
	}
}

func TestMarkBusy(t *testing.T) {
	old := set("old", kase("a", "N=1", samples(1, 10, 1e-3, 0.01)), kase("b", "N=1", samples(2, 10, 1e-3, 0.01)))
	slow := kase("a", "N=1", samples(3, 10, 1.5e-3, 0.01))
	wrong := kase("b", "N=1", samples(4, 10, 1e-3, 0.01))
	wrong.Verdict = string(suite.Failed)
	rep := Compare(old, set("new", slow), DefaultPolicy(), nil)
	rep.Gated = true
	rep.MarkBusy("other processes used 1.3 of 2 CPUs")
	var b bytes.Buffer
	rep.Verdict(&b)
	if !rep.Pass || rep.Rows[0].Status != Inconclusive || !strings.Contains(b.String(), "gate: PASS, INCONCLUSIVE: 1 cases looked slower, but other processes used 1.3 of 2 CPUs") {
		t.Errorf("busy regression: pass %v, %s\n%s", rep.Pass, rep.Rows[0].Status, b.String())
	}
	// A wrong result fails even on a busy machine.
	rep = Compare(old, set("new", kase("a", "N=1", samples(3, 10, 1.5e-3, 0.01)), wrong), DefaultPolicy(), nil)
	rep.MarkBusy("busy")
	if rep.Pass || len(rep.Failures()) != 1 || len(rep.Inconclusives()) != 1 {
		t.Errorf("busy with a failure: pass %v", rep.Pass)
	}
}

// TestMachineShift: a whole run 8% slower is the machine, not the code:
// no case regresses, and one kernel slower on top of that still does.
func TestMachineShift(t *testing.T) {
	var olds, news []*Case
	for i := 0; i < 40; i++ {
		shape := fmt.Sprint("N=", i)
		olds = append(olds, kase("k", shape, samples(uint64(i), 10, 1e-3, 0.005)))
		slow := 1.08
		if i == 7 {
			slow = 1.08 * 1.15 // this kernel got 15% slower as well
		}
		news = append(news, kase("k", shape, samples(uint64(100+i), 10, slow*1e-3, 0.005)))
	}
	rep := Compare(set("old", olds...), set("new", news...), DefaultPolicy(), nil)
	if math.Abs(rep.Shift-1.08) > 0.01 {
		t.Fatalf("shift %v, want about 1.08", rep.Shift)
	}
	regs := rep.Regressions()
	if len(regs) != 1 || regs[0].ID != "k/N=7/backend=go" || math.Abs(regs[0].Ratio-1.15) > 0.02 || math.Abs(regs[0].Raw-1.08*1.15) > 0.02 {
		t.Fatalf("regressions: %d, %+v", len(regs), regs)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "machine shift: 39 of 40 cases moved together, 8.") || !strings.Contains(regs[0].describe(), "before taking out the machine shift") {
		t.Errorf("notes %q, describe %q", rep.Notes, regs[0].describe())
	}
	// Judged on absolute times, every case regressed.
	abs := DefaultPolicy()
	abs.Normalize = false
	if rep := Compare(set("old", olds...), set("new", news...), abs, nil); rep.Shift != 0 || len(rep.Regressions()) != 40 {
		t.Errorf("absolute: shift %v, %d regressions", rep.Shift, len(rep.Regressions()))
	}
	// A rerun of one case uses the shift of the full run.
	again := CompareShifted(set("old", olds...), set("rerun", news[7]), DefaultPolicy(), nil, rep.Shift)
	if again.Rows[0].Status != Regressed || again.Shift != rep.Shift {
		t.Errorf("rerun with the run's shift: %s", again.Rows[0].Status)
	}
	if one := Compare(set("old", olds...), set("rerun", news[7]), DefaultPolicy(), nil); one.Shift != 0 {
		t.Errorf("one case must not estimate a shift: %v", one.Shift)
	}
}

func TestCalibrateTakesOutShift(t *testing.T) {
	var a, b []*Case
	for i := 0; i < 20; i++ {
		shape := fmt.Sprint("N=", i)
		a = append(a, kase("k", shape, samples(uint64(i), 10, 1e-3, 0.002)))
		b = append(b, kase("k", shape, samples(uint64(50+i), 10, 1.1e-3, 0.002)))
	}
	n := Calibrate(set("run 1", a...), set("run 2", b...))
	if len(n.Shifts) != 1 || math.Abs(n.Shifts[0]-1.1) > 0.01 {
		t.Fatalf("shifts %v", n.Shifts)
	}
	for id, f := range n.Cases {
		if f.Floor > 0.03 {
			t.Errorf("%s: floor %v should not include the 10%% machine shift", id, f.Floor)
		}
	}
}
