package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/gate"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/internal/atomicfile"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

// synthetic writes a result file of ten samples per case, 1% noise, with
// the layernorm case's median scaled by slow (1 = unchanged). The seed
// fixes the data, so the test is deterministic.
func synthetic(t *testing.T, path string, seed uint64, slow float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var rs []harness.Result
	add := func(kernel, params string, median float64) {
		r := harness.Result{Family: "norms", Kernel: kernel, Params: params, Backend: "go", Path: "generic",
			Check: suite.Check{Verdict: suite.Passed}, Cost: suite.Cost{Bytes: 1e6}, Iters: 100}
		for i := 0; i < 10; i++ {
			r.Samples = append(r.Samples, median*(1+0.01*rng.NormFloat64()))
		}
		rs = append(rs, r)
	}
	add("layernorm", "R=64/C=1024/eps=1e-05/fill=normal", 50e-6*slow)
	for _, p := range []string{"R=4/C=768/eps=1e-06/fill=special", "R=8/C=4096/eps=1e-06/fill=offset", "R=64/C=1024/eps=1e-06/fill=normal"} {
		add("rmsnorm", p, 20e-6)
	}
	env := harness.Env{{Key: "machine", Value: "amd64-test-2cpu"}, {Key: "threads", Value: "2"}, {Key: "cache", Value: "cold"}}
	if err := atomicfile.Write(path, func(w io.Writer) error { return reports.Benchfmt(w, env, rs) }); err != nil {
		t.Fatal(err)
	}
}

func TestCompareAndGateEndToEnd(t *testing.T) {
	dir := t.TempDir()
	old, same, slow := filepath.Join(dir, "old.txt"), filepath.Join(dir, "same.txt"), filepath.Join(dir, "slow.txt")
	synthetic(t, old, 1, 1)
	synthetic(t, same, 2, 1)
	synthetic(t, slow, 3, 1.10)

	code, out, stderr := nbench(t, "compare", old, same)
	if code != exitOK || !strings.Contains(out, "geomean") || !strings.Contains(out, "layernorm/R=64/C=1024/eps=1e-05/fill=normal") || strings.Contains(out, "gate:") {
		t.Fatalf("compare: exit %d\n%s\n%s", code, out, stderr)
	}
	if code, out, _ := nbench(t, "compare", "--gate", old, same); code != exitOK || !strings.Contains(out, "gate: PASS") {
		t.Errorf("unchanged: exit %d\n%s", code, out)
	}
	code, out, _ = nbench(t, "compare", "--gate", old, slow)
	if code != exitFail {
		t.Fatalf("10%% slower: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"gate: FAIL: 1 regressed",
		"REGRESSED layernorm/R=64/C=1024/eps=1e-05/fill=normal on go: 1",
		"p=", "Holm p=",
		"rerun just these cases: nbench run --backend=go --case='layernorm/R=64/C=1024/eps=1e-05/fill=normal' --count=10 --threads=2 --baseline=" + old + " --gate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("gate output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "REGRESSED rmsnorm") {
		t.Errorf("unchanged cases flagged:\n%s", out)
	}
	// Without --gate the same comparison is informational.
	if code, _, _ := nbench(t, "compare", old, slow); code != exitOK {
		t.Errorf("compare without --gate: exit %d", code)
	}
	// A noise floor above the slowdown, beside OLD, lets it pass.
	noise := &gate.Noise{Cases: map[string]gate.Floor{"layernorm/R=64/C=1024/eps=1e-05/fill=normal/backend=go": {Floor: 0.2}}}
	if err := noise.Write(gate.NoisePath(old)); err != nil {
		t.Fatal(err)
	}
	code, out, _ = nbench(t, "compare", "--gate", old, slow)
	if code != exitOK || !strings.Contains(out, "slower, under noise floor 20.0%") {
		t.Errorf("under the floor: exit %d\n%s", code, out)
	}
	if code, _, _ := nbench(t, "compare", "--gate", "--noise=none", old, slow); code != exitFail {
		t.Errorf("--noise=none: exit %d", code)
	}
	// Markdown and JSON forms, and --report.
	report := filepath.Join(dir, "gate.md")
	code, out, _ = nbench(t, "compare", "--gate", "--noise=none", "--format=markdown", "--report="+report, old, slow)
	md, _ := os.ReadFile(report)
	if code != exitFail || !strings.Contains(out, "### nbench gate: ❌ FAIL") || !strings.Contains(out, "| case | backend |") || string(md) != out {
		t.Errorf("markdown: exit %d\n%s", code, out)
	}
	code, out, _ = nbench(t, "compare", "--format=json", "--noise=none", old, slow)
	if code != exitOK || !strings.Contains(out, `"status": "REGRESSED"`) {
		t.Errorf("json: exit %d\n%s", code, out)
	}
	// Folders are pooled.
	if code, out, _ := nbench(t, "compare", "--noise=none", dir, dir); code != exitOK || !strings.Contains(out, "30+30") {
		t.Errorf("folders: exit %d\n%s", code, out)
	}
}

func TestCompareUsageErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	synthetic(t, good, 1, 1)
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("goos: linux\nBenchmarklayernorm/R=1/backend=go 10 1e5x ns/op\n"), 0o644)
	foreign := filepath.Join(dir, "foreign.txt")
	os.WriteFile(foreign, []byte("BenchmarkSort-8 100 5000 ns/op\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare"}, "want OLD and NEW, got 0 arguments"},
		{[]string{"compare", good}, "want OLD and NEW, got 1 arguments"},
		{[]string{"compare", good, good, good}, "got 3 arguments"},
		{[]string{"compare", "--format=xml", good, good}, `--format="xml": valid values are table, markdown, json`},
		{[]string{"compare", good, filepath.Join(dir, "nope.txt")}, "nope.txt: no such file"},
		{[]string{"compare", good, bad}, bad + ":2: malformed benchmark line"},
		{[]string{"compare", foreign, good}, foreign + `:1: benchmark "Sort-8" is not an nbench result`},
		{[]string{"compare", "--threshold=abc", good, good}, "want a percentage (5%) or a fraction (0.05)"},
		{[]string{"compare", "--alpha=2", good, good}, "alpha 2: must be between 0 and 1"},
		{[]string{"compare", "--noise=" + bad, good, good}, "invalid noise file"},
		{[]string{"compare", "--bogus", good, good}, "flag provided but not defined"},
	} {
		code, _, stderr := nbench(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("nbench %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestGateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.txt")
	raw := filepath.Join(dir, "raw.txt")
	synthetic(t, raw, 1, 1)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--calibrate", "--gate"}, "flag provided but not defined: -calibrate"},
		{[]string{"run", "--quick", "--backend=go", "--baseline=" + missing, "--gate"}, "no baseline " + missing + " for this machine"},
		{[]string{"run", "--quick", "--backend=go", "--baseline=" + missing}, "make one with: nbench baseline save --quick --backend=go"},
		{[]string{"ci", "--backend=go", "--baseline=" + dir}, "no baseline " + filepath.Join(dir, "gate.txt")},
		{[]string{"ci", "--kernel=^layernorm$", "--backend=go", "--baseline=" + raw}, "holds raw samples, not round medians"},
		{[]string{"ci", "--against=HEAD", "--baseline=" + raw}, "--against and --baseline cannot be combined"},
		{[]string{"run", "--case=nosuch/R=1"}, `no kernel named "nosuch"`},
		{[]string{"run", "--case=layernorm/Q=1"}, `has no parameter "Q"`},
		{[]string{"run", "--kernel=^layernorm$", "--case=layernorm/R=1", "--shape=R=2"}, "--case and --shape cannot be combined"},
		{[]string{"run", "--case=layernorm/R=1/backend=cuda", "--backend=go"}, "--case names backends that --backend=go did not open"},
		{[]string{"run", "--threshold=-1", "--gate"}, "threshold -1: must be a fraction >= 0"},
		{[]string{"run", "--budget=0s", "--gate"}, "--budget=0s: must be positive"},
		{[]string{"run", "--min-rounds=1", "--gate"}, "--min-rounds=1: must be >= 2"},
		{[]string{"run", "--gate", "-o", "x.txt"}, "-o: a gate writes its comparison with --report"},
		{[]string{"run", "--set=tiny"}, `--set="tiny": valid values are full, quick, gate`},
		{[]string{"run", "--quick", "--set=gate"}, "--quick and --set=gate contradict each other"},
		{[]string{"ab", "HEAD"}, "ab: want two builds to compare, OLD and NEW"},
		{[]string{"ab", "/nonexistent/nbench", "/nonexistent/nbench2"}, `OLD: "/nonexistent/nbench" is not an executable file`},
		{[]string{"baseline"}, "usage: nbench baseline"},
		{[]string{"baseline", "frob"}, `unknown subcommand "frob"`},
		{[]string{"baseline", "save", "--name=a/b"}, `--name="a/b": want a plain name`},
		{[]string{"baseline", "save", "--rounds=1"}, "--rounds=1: must be >= 2"},
		{[]string{"baseline", "save", "extra"}, `unexpected argument "extra"`},
		{[]string{"baseline", "show", "--dir=" + dir, "nosuch"}, `no baseline "nosuch"`},
		{[]string{"baseline", "show", "--dir=" + dir}, "no baselines for this machine"},
	} {
		code, _, stderr := nbench(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("nbench %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestBaselineWorkflow runs the real CLI: save a baseline of rounds, gate
// against it, show, list, and gate a wrong backend. Timings are real, so
// the timing gate is made unreachable (--threshold=1000%) to stay
// deterministic; the synthetic tests in harness/gate cover the policy.
func TestBaselineWorkflow(t *testing.T) {
	dir := t.TempDir()
	id := machine.Describe().ID()
	sel := []string{"--quick", "--kernel=^layernorm$", "--backend=go", "--count=3", "--benchtime=1ms", "--no-progress"}
	args := func(cmd []string, extra ...string) []string { return append(append(cmd, sel...), extra...) }

	code, out, stderr := nbench(t, args([]string{"baseline", "save"}, "--dir="+dir, "--rounds=3")...)
	file := filepath.Join(dir, id, "quick.txt")
	if code != exitOK || !strings.Contains(out, "wrote baseline "+file+": 3 rounds of 4 cases") ||
		!strings.Contains(out, "gate against it with: nbench run --quick --backend=go --kernel='^layernorm$' --count=3 --benchtime=1ms --baseline=") ||
		!strings.Contains(stderr, "round 3 of 3 done") {
		t.Fatalf("save: exit %d\n%s\n%s", code, out, stderr)
	}
	base, err := gate.ReadPath(file)
	if err != nil || len(base.Cases) != 4 || base.Config["machine"] != id || base.Config["samples"] != gate.RoundMedians || len(base.Cases[0].Samples) != 3 {
		t.Fatalf("saved baseline: %v %+v", err, base)
	}

	code, out, stderr = nbench(t, args([]string{"run"}, "--baseline="+dir, "--gate", "--threshold=1000%", "--min-rounds=2", "--budget=1s")...)
	// Two new rounds at least (--min-rounds); a third where the machine was
	// too busy for round 2 to bound the widest case.
	if code != exitOK || !strings.Contains(out, "gate: PASS: 4 cases compared") || !regexp.MustCompile(`\b3\+[23]\b`).MatchString(out) {
		t.Fatalf("gate: exit %d\n%s\n%s", code, out, stderr)
	}
	rep := filepath.Join(dir, "gate.md")
	code, out, _ = nbench(t, "ci", "--quick", "--kernel=^layernorm$", "--backend=go", "--count=3", "--benchtime=1ms", "--baseline="+file,
		"--threshold=1000%", "--min-rounds=2", "--budget=1s", "--report="+rep)
	if md, err := os.ReadFile(rep); code != exitOK || err != nil || !strings.Contains(string(md), "### nbench gate: ✅ PASS") || !strings.Contains(string(md), "| rounds |") {
		t.Errorf("ci with a markdown report: exit %d %v\n%s\n%s", code, err, out, md)
	}

	// Re-saving one case keeps the others in place.
	code, out, _ = nbench(t, "baseline", "save", "--dir="+dir, "--name=quick", "--backend=go", "--count=3", "--benchtime=1ms", "--rounds=2",
		"--case=layernorm/R=8/C=4096/eps=1e-05/fill=offset")
	if code != exitOK || !strings.Contains(out, "kept 3 cases") {
		t.Errorf("partial save: exit %d\n%s", code, out)
	}
	if again, _ := gate.ReadPath(file); len(again.Cases) != 4 || again.Cases[1].ID() != base.Cases[1].ID() {
		t.Errorf("merge changed the cases or their order")
	}

	code, out, _ = nbench(t, "baseline", "show", "--dir="+dir, "quick")
	if code != exitOK || !strings.Contains(out, "layernorm/R=64/C=1024/eps=1e-05/fill=normal") || !strings.Contains(out, "spread") {
		t.Errorf("show: exit %d\n%s", code, out)
	}
	code, out, _ = nbench(t, "baseline", "list", "--dir="+dir)
	if code != exitOK || !strings.Contains(out, "(this machine)") || !strings.Contains(out, "quick        4 cases") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	if code, out, _ := nbench(t, "baseline", "path", "--dir="+dir, "--quick"); code != exitOK || strings.TrimSpace(out) != file {
		t.Errorf("path: exit %d %q", code, out)
	}
	if code, _, _ := nbench(t, "baseline", "path", "--dir="+dir); code != exitFail {
		t.Errorf("path of a missing gate baseline: exit %d", code)
	}

	// A wrong kernel fails the gate whatever its speed.
	code, out, stderr = nbench(t, "run", "--backend=broken", "--count=3", "--benchtime=1ms", "--threshold=1000%", "--min-rounds=2", "--budget=1s",
		"--case=layernorm/R=64/C=1024/eps=1e-05/fill=normal", "--baseline="+file, "--gate")
	if code != exitFail || !strings.Contains(out, "FAILED    layernorm/R=64/C=1024/eps=1e-05/fill=normal on broken") ||
		!strings.Contains(out, "rerun just these cases: nbench run --backend=broken --case='layernorm/R=64/C=1024/eps=1e-05/fill=normal'") {
		t.Errorf("broken: exit %d\n%s\n%s", code, out, stderr)
	}
	// A baseline is never saved from a failing run.
	code, _, stderr = nbench(t, "baseline", "save", "--dir="+dir, "--name=broken", "--backend=broken", "--count=1", "--benchtime=1ms", "--rounds=2",
		"--case=layernorm/R=64/C=1024/eps=1e-05/fill=normal")
	if code != exitFail || !strings.Contains(stderr, "must not contain correctness failures") || fileExists(filepath.Join(dir, id, "broken.txt")) {
		t.Errorf("saving a failing run: exit %d\n%s", code, stderr)
	}
}

// TestGateCatchesRealSlowdown: a baseline whose layernorm cases claim about
// 0.1ns per run makes any real run a regression, so the gate must exit 1,
// name the cases and print one rerun command. The result does not depend
// on how fast this machine is.
func TestGateCatchesRealSlowdown(t *testing.T) {
	file := fastBaseline(t)
	rs, _ := gate.ReadPath(file)
	code, out, stderr := nbench(t, "ci", "--quick", "--kernel=^layernorm$", "--backend=go", "--benchtime=1ms", "--count=2", "--busy=-1", "--min-rounds=3", "--budget=2s", "--baseline="+file)
	if code != exitFail {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	first := rs.Cases[0].Name()
	for _, want := range []string{
		fmt.Sprintf("gate: FAIL: %d regressed", len(rs.Cases)),
		"REGRESSED " + first + " on go: ",
		"rerun just these cases: nbench run --backend=go --case='" + first + ";",
		"--count=2 --benchtime=1ms --baseline=" + file + " --gate --busy=-1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestBusyMachineIsInconclusive: with other processes burning CPUs during
// the rounds, the same impossible baseline gives INCONCLUSIVE, not a failure.
func TestBusyMachineIsInconclusive(t *testing.T) {
	if _, ok := systemBusy(); !ok {
		t.Skip("no /proc/stat: other processes' CPU use is not measured here")
	}
	file := fastBaseline(t)
	for i := 0; i < runtime.NumCPU(); i++ {
		burn := exec.Command("sh", "-c", "while :; do :; done")
		if err := burn.Start(); err != nil {
			t.Skip(err)
		}
		defer burn.Process.Kill()
	}
	code, out, stderr := nbench(t, "ci", "--quick", "--kernel=^layernorm$", "--backend=go", "--benchtime=1ms", "--count=2", "--min-rounds=3", "--budget=2s", "--baseline="+file)
	if code != exitOK || !strings.Contains(out, "gate: PASS, INCONCLUSIVE: 4 cases looked slower, but other processes used") ||
		!strings.Contains(out, "INCONCLUSIVE layernorm/") || !strings.Contains(out, "rerun them on a quiet machine: nbench run") {
		t.Errorf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// fastBaseline writes a baseline of rounds whose layernorm quick cases
// claim about 0.1 ns per run, which no real run can match.
func fastBaseline(t *testing.T) string {
	k, _ := suite.Lookup("layernorm")
	var rs []harness.Result
	for _, shape := range k.Quick {
		p, err := k.ParseParams(shape)
		if err != nil {
			t.Fatal(err)
		}
		r := harness.Result{Kernel: "layernorm", Params: p.String(), Backend: "go", Path: "generic", Check: suite.Check{Verdict: suite.Passed}, Iters: 1}
		for i := 0; i < 10; i++ {
			r.Samples = append(r.Samples, 1e-12*float64(100+i))
		}
		rs = append(rs, r)
	}
	file := filepath.Join(t.TempDir(), "fast.txt")
	env := harness.Env{{Key: "samples", Value: gate.RoundMedians}, {Key: "rounds", Value: "10"}}
	if err := atomicfile.Write(file, func(w io.Writer) error { return reports.Benchfmt(w, env, rs) }); err != nil {
		t.Fatal(err)
	}
	return file
}

// Tests run rounds in this process: the test binary is not nbench.
func init() { selfExe = "" }

// TestFreshProcesses builds nbench and lets baseline save, the stored gate
// and ab start it as fresh processes, as the real CLI does.
func TestFreshProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds nbench")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "nbench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	defer func(old string) { selfExe = old }(selfExe)
	selfExe = bin

	code, out, stderr := nbench(t, "baseline", "save", "--quick", "--kernel=^layernorm$", "--backend=go", "--count=2", "--benchtime=1ms",
		"--rounds=2", "--dir="+dir, "--name=quick")
	if code != exitOK || !strings.Contains(out, "wrote baseline") {
		t.Fatalf("save in fresh processes: exit %d\n%s\n%s", code, out, stderr)
	}
	file := fastBaseline(t)
	code, out, stderr = nbench(t, "ci", "--quick", "--kernel=^layernorm$", "--backend=go", "--benchtime=1ms", "--count=2", "--busy=-1", "--min-rounds=3", "--budget=2s", "--baseline="+file)
	if code != exitFail || !strings.Contains(out, "REGRESSED layernorm/") {
		t.Errorf("stored gate in fresh processes: exit %d\n%s\n%s", code, out, stderr)
	}
	// A/A with the same binary on both sides: no regression can be claimed
	// from 2 pairs, and every case is reported with what it could detect.
	code, out, stderr = nbench(t, "ab", bin, bin, "--quick", "--kernel=^layernorm$", "--backend=go", "--benchtime=1ms", "--count=2", "--min-rounds=2", "--budget=1s")
	if code != exitOK || !strings.Contains(out, "paired rounds (ABBA)") || !strings.Contains(out, " pairs ") || !strings.Contains(stderr, "pair 2 done") {
		t.Errorf("ab: exit %d\n%s\n%s", code, out, stderr)
	}
}
