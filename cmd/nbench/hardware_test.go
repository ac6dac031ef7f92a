package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/nbench/nbench/harness/machine"
)

// Tests of the hardware-profile commands: machine, peak, %peak in run,
// --cpuprofile, profile, report and claims.

func TestMachineCommand(t *testing.T) {
	code, out, errs := nbench(t, "machine")
	if code != exitOK || !strings.Contains(out, "machine id      "+machine.Describe().ID()) {
		t.Fatalf("code %d\n%s%s", code, out, errs)
	}
	if runtime.NumCPU() < 254 && strings.Contains(out, "254") {
		t.Errorf("a bogus CPUID count leaked:\n%s", out)
	}
	code, out, _ = nbench(t, "machine", "--format=json")
	var d struct {
		ID          string `json:"id"`
		LogicalCPUs int    `json:"logical_cpus"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &d) != nil || d.ID == "" || d.LogicalCPUs != runtime.NumCPU() {
		t.Errorf("json: code %d %+v\n%s", code, d, out)
	}
	if code, _, errs := nbench(t, "machine", "--format=xml"); code != exitUsage || !strings.Contains(errs, "valid values are text, json") {
		t.Errorf("bad format: %d %s", code, errs)
	}
}

func TestPeakThenRunShowsPercent(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NBENCH_BASELINES", dir)
	run := []string{"run", "--backend=go", "--quick", "--count=2", "--kernel=^layernorm$", "--shape=R=64,C=1024"}
	code, out, errs := nbench(t, run...)
	if code != exitOK || !strings.Contains(errs, "run 'nbench peak' for the %peak column") || !strings.Contains(out, "%peak") {
		t.Fatalf("before peak: code %d\n%s%s", code, out, errs)
	}
	code, out, errs = nbench(t, "peak", "--quick", "--benchtime=2ms", "--count=2", "--threads=1", "--probe=go-(triad|fma32)")
	if code != exitOK || !strings.Contains(out, "go-triad") || !strings.Contains(out, "ceilings") {
		t.Fatalf("peak: code %d\n%s%s", code, out, errs)
	}
	path := filepath.Join(dir, machine.Describe().ID(), "peak.json")
	if _, err := os.Stat(path); err != nil || !strings.Contains(errs, "wrote "+path) {
		t.Fatalf("peak file: %v\n%s", err, errs)
	}
	code, out, errs = nbench(t, run...)
	if code != exitOK || strings.Contains(errs, "nbench peak") {
		t.Fatalf("after peak: code %d\n%s%s", code, out, errs)
	}
	line := lastLine(out, "layernorm")
	if !strings.Contains(line, "% fma32") && !strings.Contains(line, "% L") && !strings.Contains(line, "% DRAM") {
		t.Errorf("no %%peak in the row: %q", line)
	}
	if code, _, errs := nbench(t, "peak", "--probe=nope"); code != exitUsage || !strings.Contains(errs, "matches no probe") {
		t.Errorf("bad probe: %d %s", code, errs)
	}
}

func lastLine(out, substr string) string {
	l := ""
	for _, s := range strings.Split(out, "\n") {
		if strings.Contains(s, substr) {
			l = s
		}
	}
	return l
}

func TestCPUProfileAndProfileCommand(t *testing.T) {
	t.Setenv("NBENCH_BASELINES", t.TempDir())
	dir := t.TempDir()
	code, out, errs := nbench(t, "run", "--backend=go", "--quick", "--count=2", "--kernel=^layernorm$", "--shape=R=64,C=1024;R=8,C=4096", "--cpuprofile", dir)
	if code != exitOK {
		t.Fatalf("code %d\n%s%s", code, out, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pprof"))
	if len(files) != 2 {
		t.Errorf("profiles: %v", files)
	}
	code, out, errs = nbench(t, "profile", "--backend=go", "--count=2", "--benchtime=50ms", "--shape=R=256,C=4096", "layernorm")
	if code != exitOK || !strings.Contains(out, "CPU profile:") || !strings.Contains(out, "hardware counters") && !strings.Contains(out, "counters: cycles") {
		t.Fatalf("profile: code %d\n%s%s", code, out, errs)
	}
	if code, _, errs := nbench(t, "profile", "--kernel=x", "layernorm"); code != exitUsage || !strings.Contains(errs, "not both") {
		t.Errorf("profile with both: %d %s", code, errs)
	}
}

func TestReportCommand(t *testing.T) {
	td := filepath.Join("..", "..", "reports", "htmlreport", "testdata")
	out := filepath.Join(t.TempDir(), "r.html")
	// Flags after the files, as the README shows them.
	code, _, errs := nbench(t, "report", filepath.Join(td, "t1.json"), filepath.Join(td, "t2.txt"), "--peaks", td, "-o", out)
	if code != exitOK {
		t.Fatalf("code %d: %s", code, errs)
	}
	b, _ := os.ReadFile(out)
	if !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "AMD EPYC · 2 threads") {
		t.Errorf("report.html lacks charts or machines (%d bytes)", len(b))
	}
	md := filepath.Join(t.TempDir(), "r.md")
	if code, _, errs := nbench(t, "report", td, "-o", md); code != exitOK {
		t.Fatalf("markdown: %d %s", code, errs)
	}
	b, _ = os.ReadFile(md)
	if !strings.HasPrefix(string(b), "## nbench report") {
		t.Errorf("markdown starts %q", string(b)[:min(40, len(b))])
	}
	if code, _, errs := nbench(t, "report"); code != exitUsage || !strings.Contains(errs, "give result files") {
		t.Errorf("no files: %d %s", code, errs)
	}
}

func TestClaimsCommand(t *testing.T) {
	code, out, errs := nbench(t, "claims", "--quick", "--backend=go", "--count=3", "--claim=^(RMSNorm|Soft-NMS)")
	if code != exitOK {
		t.Fatalf("code %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"RMSNorm vs LayerNorm", "Soft-NMS vs NMS", "trend: cost ratio at N=1000 / at N=250", "95% CI over 3 interleaved rounds"} {
		if !strings.Contains(out, want) {
			t.Errorf("claims output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = nbench(t, "claims", "--quick", "--backend=go", "--count=3", "--claim=^RMSNorm", "--format=markdown")
	if code != exitOK || !strings.HasPrefix(out, "| claim |") {
		t.Errorf("markdown: %d\n%s", code, out)
	}
	if code, _, errs := nbench(t, "claims", "--claim=nothing-matches"); code != exitUsage || !strings.Contains(errs, "matches no claim") {
		t.Errorf("bad claim: %d %s", code, errs)
	}
}
