package htmlreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/harness/peak"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"

	_ "github.com/nbench/nbench/suites/all"
)

// recountCases: a data-dependent count in fp64 FLOPs with exponentials, a
// second pass counted past the pass reach, integer ALU ops, and
// data-dependent bytes.
var recountCases = []struct{ kernel, shape string }{
	{"soft_nms", "N=300,method=gaussian"},
	{"batchnorm_train", "layout=nc,N=64,C=512"},
	{"repquant_softmax_pv", "BH=1,L=8,S=40,Dv=8,bits=3"},
	{"mse_masked", "N=16,D=64,keep=0.5"},
}

// TestRecount reads benchfmt files of real runs back and compares each
// case's cost with the one run computed: exactly from a file of times alone
// that names its seed (a stored baseline), from the rates and the suite
// without a seed, and not at all for data-dependent cases of a file of
// times alone without one (which the page then says it did not plot).
func TestRecount(t *testing.T) {
	const seed, kept = 7, 64 << 10 // batchnorm_train's 128 KiB of x outgrow kept
	opt := harness.DefaultOptions()
	opt.Count, opt.BenchTime, opt.Warmup, opt.Seed, opt.NoCheck = 2, time.Millisecond, time.Millisecond, seed, true
	opt.PassCache = kept
	var items []harness.Item
	for _, c := range recountCases {
		k, ok := suite.Lookup(c.kernel)
		if !ok {
			t.Fatalf("%s not registered", c.kernel)
		}
		p, err := k.ParseParams(c.shape)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, harness.Item{Kernel: k, Params: p})
	}
	rs := harness.Run(items, []harness.Backend{{Name: "go", Backend: pure.New(kernel.Config{Threads: 1})}}, opt)
	want := map[string]suite.Cost{}
	for _, r := range rs {
		if !r.Timed() {
			t.Fatalf("%s/%s not timed: %s", r.Kernel, r.Params, r.Err)
		}
		want[r.Kernel+"/"+r.Params] = r.Cost
	}
	if c := want["soft_nms/N=300/method=gaussian/sigma=0.5/Nt=0.3/threshold=0.001/plus_one=false/fill=detector"]; !c.F64 || c.Trans <= 0 {
		t.Fatalf("soft_nms's cost %+v: the case no longer tests fp64 FLOPs with exponentials", c)
	}
	const id = "test-machine"
	env := harness.Env{{Key: "machine", Value: id}, {Key: "threads", Value: "1"}, {Key: "cache", Value: "cold"}}
	var rates bytes.Buffer
	if err := reports.Benchfmt(&rates, env, rs); err != nil {
		t.Fatal(err)
	}
	// A file of times alone, as a gate baseline stores them.
	var times strings.Builder
	for _, line := range strings.SplitAfter(rates.String(), "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "Benchmark") && len(f) >= 4 {
			line = strings.Join(f[:4], " ") + "\n"
		}
		times.WriteString(line)
	}
	dir := t.TempDir()
	pf := peak.File{Machine: id, Description: machine.Description{Caches: machine.Caches{PassReach: kept}}, Levels: []peak.Level{}}
	pb, err := json.Marshal(pf)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	peakPath := write("peak.json", string(pb))
	load := func(name, text string) *Run {
		t.Helper()
		runs, err := Load([]string{write(name, text), peakPath}, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || len(runs[0].Results) != len(recountCases) {
			t.Fatalf("%s: %d runs", name, len(runs))
		}
		return runs[0]
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Abs(b) }

	for _, res := range load("seeded.txt", "seed: 7\n"+times.String()).Results {
		if w := want[res.Name()]; res.Cost != w {
			t.Errorf("times and seed: %s costs %+v, want run's %+v", res.Name(), res.Cost, w)
		}
	}
	for _, res := range load("rates.txt", rates.String()).Results {
		w, got := want[res.Name()], res.Cost
		if isDataCase(t, res) {
			w.Trans, w.ALUOps = 0, 0 // the rates do not carry them: left out, which can only lower the share
		}
		if got.F64 != w.F64 || got.Trans != w.Trans || got.ALUOps != w.ALUOps || !near(got.Bytes, w.Bytes) ||
			!near(got.Flops, w.Flops) || !near(got.Written, w.Written) || got.IntOps != w.IntOps {
			t.Errorf("rates: %s costs %+v, want %+v", res.Name(), got, w)
		}
	}
	r := load("times.txt", times.String())
	uncounted := 0
	for _, res := range r.Results {
		data := isDataCase(t, res)
		if data {
			uncounted++
		}
		if data != (res.Cost.Bytes == 0) || !data && res.Cost != want[res.Name()] {
			t.Errorf("times alone: %s costs %+v (data-dependent: %v), want run's %+v or none", res.Name(), res.Cost, data, want[res.Name()])
		}
	}
	var page strings.Builder
	writeRooflines(&page, &Report{Runs: []*Run{r}, Series: []Series{{Run: r, Backend: "go"}}})
	if !strings.Contains(page.String(), fmt.Sprintf("%d timed result(s) not plotted", uncounted)) || !strings.Contains(page.String(), "1 thread · cache cold") {
		t.Errorf("the roofline does not say what it left out, or its configuration:\n%s", page.String())
	}
}

func isDataCase(t *testing.T, res *Result) bool {
	t.Helper()
	k, _ := suite.Lookup(res.Kernel)
	c, err := k.Build(strings.ReplaceAll(res.Params, "/", ","))
	if err != nil {
		t.Fatal(err)
	}
	_, ok := c.(suite.DataCoster)
	return ok
}
