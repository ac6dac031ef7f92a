package reports

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/suites/suite"
)

func sampleResults() []harness.Result {
	return []harness.Result{
		{Family: "norms", Kernel: "layernorm", Params: "R=2/C=8", Backend: "go", Path: "generic",
			Check: suite.Check{Verdict: suite.Passed, ErrRatio: 0.25}, Checked: true,
			Cost: suite.Cost{Flops: 100, Bytes: 200}, Iters: 7, Samples: []float64{1e-6, 2e-6, 3e-6},
			Stats: harness.Summarize([]float64{1e-6, 2e-6, 3e-6})},
		{Family: "norms", Kernel: "layernorm", Params: "R=2/C=8", Backend: "cuda",
			Check: suite.Check{Verdict: suite.Unimplemented, Detail: "not implemented"}},
		{Family: "losses", Kernel: "mse", Params: "N=1/D=1", Backend: "go", Path: "generic",
			Check: suite.Check{Verdict: suite.Failed, ErrRatio: math.Inf(1), Detail: "out[0] = NaN"}, Checked: true},
	}
}

// The benchfmt output must read back with x/perf's reader: configuration,
// one result per sample, and the units benchstat understands.
func TestBenchfmtRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	env := harness.Env{{Key: "goos", Value: "linux"}, {Key: "machine", Value: "m1"}}
	if err := Benchfmt(&buf, env, sampleResults()); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&buf, "x.txt")
	n := 0
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("unexpected record %v", r.Result())
		}
		n++
		if got := res.Name.String(); got != "layernorm/R=2/C=8/backend=go" {
			t.Errorf("name %q", got)
		}
		if res.GetConfig("machine") != "m1" || res.GetConfig("path") != "generic" || res.GetConfig("verdict") != "PASSED" {
			t.Errorf("config %v", res.Config)
		}
		if v, ok := res.Value("sec/op"); !ok || v <= 0 {
			t.Errorf("sec/op missing: %v", res.Values)
		}
		if _, ok := res.Value("B/s"); !ok {
			t.Errorf("B/s missing: %v", res.Values)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("%d results, want one per sample of the timed case (3)", n)
	}
}

func TestJSONKeepsSamplesAndVerdicts(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, nil, 9, sampleResults()); err != nil {
		t.Fatal(err)
	}
	var f JSONFile
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 3 || len(f.Results[0].Samples) != 3 || f.Results[1].Verdict != "UNIMPLEMENTED" {
		t.Fatalf("%+v", f.Results)
	}
	if f.Results[2].ErrRatio != nil {
		t.Error("an infinite error ratio must be null in JSON")
	}
}

func TestTableShowsGapsAndFailures(t *testing.T) {
	for name, render := range map[string]func(io.Writer) error{
		"table":    func(w io.Writer) error { return Table(w, sampleResults()) },
		"markdown": func(w io.Writer) error { return Markdown(w, nil, sampleResults()) },
	} {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"UNIMPLEMENTED: not implemented", "FAILED: out[0] = NaN", "PASSED", "inf"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
	}
}
