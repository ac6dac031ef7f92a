package gate

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/reports"
	"github.com/nbench/nbench/suites/suite"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// results are synthetic harness results as `nbench run` produces them.
func results() []harness.Result {
	return []harness.Result{
		{Family: "norms", Kernel: "layernorm", Params: "R=64/C=1024/eps=1e-05", Backend: "go", Path: "generic",
			Check: suite.Check{Verdict: suite.Passed}, Cost: suite.Cost{Bytes: 1e6, Flops: 2e6}, Iters: 100,
			Samples: []float64{50e-6, 51e-6, 49.5e-6}},
		{Family: "norms", Kernel: "layernorm", Params: "R=3/C=1/eps=1e-05", Backend: "simd", Path: "avx2",
			Check: suite.Check{Verdict: suite.Failed, Detail: "y[0]"}, Cost: suite.Cost{Bytes: 10}, Iters: 1000,
			Samples: []float64{50e-9}},
		{Family: "norms", Kernel: "rmsnorm", Params: "R=1/C=8", Backend: "go",
			Check: suite.Check{Verdict: suite.Unimplemented}},
	}
}

func TestReadRoundTrip(t *testing.T) {
	env := harness.Env{{Key: "machine", Value: "amd64-test-2cpu"}, {Key: "threads", Value: "2"}}
	var b bytes.Buffer
	if err := reports.Benchfmt(&b, env, results()); err != nil {
		t.Fatal(err)
	}
	s, err := Read(&b, "r.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Cases) != 2 { // the untimed result is not in the file
		t.Fatalf("cases: %d", len(s.Cases))
	}
	c := s.Cases[0]
	if c.Kernel != "layernorm" || c.Shape != "R=64/C=1024/eps=1e-05" || c.Backend != "go" || c.Path != "generic" ||
		c.Verdict != "PASSED" || c.ID() != "layernorm/R=64/C=1024/eps=1e-05/backend=go" || c.Pos != "r.txt:6" {
		t.Errorf("case: %+v", c)
	}
	for i, want := range results()[0].Samples {
		if math.Abs(c.Samples[i]-want) > 1e-12*want {
			t.Errorf("sample %d: %v, want %v", i, c.Samples[i], want)
		}
	}
	if c := s.Cases[1]; c.Backend != "simd" || c.Path != "avx2" || !c.Failed() {
		t.Errorf("case 2: %+v", c)
	}
	if s.Config["machine"] != "amd64-test-2cpu" || s.Config["threads"] != "2" || s.Config["path"] != "" {
		t.Errorf("config: %v", s.Config)
	}
	// FromResults gives the same cases plus the untimed one.
	m := FromResults("run", env, results())
	if len(m.Cases) != 3 || m.Cases[0].ID() != c.ID() && m.Cases[0].ID() != s.Cases[0].ID() {
		t.Errorf("FromResults: %d cases", len(m.Cases))
	}
}

func TestReadPoolsRepeatedCasesAndFolders(t *testing.T) {
	dir := t.TempDir()
	line := "Benchmarklayernorm/R=1/backend=go 10 100 ns/op\n"
	writeFile(t, filepath.Join(dir, "a.txt"), line+line)
	writeFile(t, filepath.Join(dir, "b.txt"), "Benchmarklayernorm/R=1/backend=go 10 200 ns/op\n")
	writeFile(t, filepath.Join(dir, "a.noise.json"), "{}")
	writeFile(t, filepath.Join(dir, ".a.txt.tmp123"), "garbage")
	s, err := ReadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Cases) != 1 || len(s.Cases[0].Samples) != 3 || math.Abs(s.Cases[0].Samples[2]-200e-9) > 1e-20 {
		t.Errorf("pooled: %+v", s.Cases[0])
	}
	if _, err := ReadPath(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.txt result files") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := ReadPath(filepath.Join(dir, "nope.txt")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func TestReadMalformed(t *testing.T) {
	cfg := "goos: linux\nmachine: m\n"
	for _, tc := range []struct{ name, body, want string }{
		{"syntax", cfg + "Benchmarklayernorm/R=1/backend=go 10 abc ns/op\n", "syntax.txt:3: malformed benchmark line: parsing measurement: invalid syntax"},
		{"iters", "Benchmarklayernorm/R=1/backend=go x 100 ns/op\n", "iters.txt:1: "},
		{"odd", cfg + "Benchmarklayernorm/R=1/backend=go 10 100\n", "odd.txt:3: "},
		{"nobackend", cfg + "\nBenchmarklayernorm/R=1 10 100 ns/op\n", `nobackend.txt:4: benchmark "layernorm/R=1" is not an nbench result: its name has no /backend=NAME part`},
		{"nounit", "Benchmarklayernorm/R=1/backend=go 10 100 B/s\n", `nounit.txt:1: benchmark "layernorm/R=1/backend=go" has no ns/op value`},
		{"zero", "Benchmarklayernorm/R=1/backend=go 10 0 ns/op\n", "zero.txt:1: benchmark \"layernorm/R=1/backend=go\": time per op 0 is not a positive finite number"},
		{"negative", "Benchmarklayernorm/R=1/backend=go 10 -5 ns/op\n", "negative.txt:1: "},
		{"nan", "Benchmarklayernorm/R=1/backend=go 10 NaN ns/op\n", "nan.txt:1: "},
		{"inf", "Benchmarklayernorm/R=1/backend=go 10 +Inf ns/op\n", "inf.txt:1: "},
		{"empty", "", "empty.txt: no benchmark results in this file"},
		{"configonly", cfg, "configonly.txt: no benchmark results in this file"},
		{"prose", "this is not a result file\nat all\n", "prose.txt: no benchmark results"},
		{"emptykernel", "Benchmark/R=1/backend=go 10 5 ns/op\n", "emptykernel.txt:1: "},
	} {
		path := filepath.Join(t.TempDir(), tc.name+".txt")
		writeFile(t, path, tc.body)
		_, err := ReadPath(path)
		if err == nil || !strings.Contains(err.Error(), path[:len(path)-len(tc.name+".txt")]+tc.want) {
			t.Errorf("%s: error %v; want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestReadLongLine(t *testing.T) {
	body := "Benchmarklayernorm/R=1/backend=go 10 100 ns/op\n" + strings.Repeat("x", 2<<20) + "\n"
	_, err := Read(strings.NewReader(body), "long.txt")
	if err == nil || !strings.HasPrefix(err.Error(), "long.txt") {
		t.Errorf("long line: %v", err)
	}
}

// FuzzRead: the reader never panics, and what it accepts is well formed.
//
//	go test ./harness/gate -run='^$' -fuzz=FuzzRead -fuzztime=10s
func FuzzRead(f *testing.F) {
	var b bytes.Buffer
	reports.Benchfmt(&b, harness.Env{{Key: "machine", Value: "m"}}, results())
	f.Add(b.Bytes())
	f.Add([]byte("Benchmarklayernorm/R=1/backend=go 10 100 ns/op\n"))
	f.Add([]byte("goos: linux\nBenchmarkx/backend=go-4 1 1 ns/op 2 B/s\nUnit ns/op assume=exact\n"))
	f.Add([]byte("Benchmark/backend= 0 0 ns/op\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Read(bytes.NewReader(data), "fuzz.txt")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.txt") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(s.Cases) == 0 {
			t.Fatal("accepted a file with no cases")
		}
		for _, c := range s.Cases {
			if c.Backend == "" || c.Kernel == "" || len(c.Samples) == 0 || s.Lookup(c.ID()) != c {
				t.Fatalf("bad case %+v", c)
			}
			for _, x := range c.Samples {
				if !(x > 0) || math.IsInf(x, 0) {
					t.Fatalf("bad sample %v", x)
				}
			}
		}
		Compare(s, s, DefaultPolicy(), nil) // must not panic either
	})
}
