package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbench/nbench/backends"
	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// brokenBackend is the go backend with layernorm deliberately wrong: it
// must be reported FAILED and make `nbench run` exit 1.
type brokenBackend struct{ *pure.Backend }

type brokenBound struct {
	kernel.Bound
	y []float32
}

func (b brokenBound) Run() error {
	err := b.Bound.Run()
	b.y[0] += 0.5
	return err
}

func (b brokenBackend) Name() string { return "broken" }
func (b brokenBackend) Prepare(op kernel.Op) (kernel.Bound, error) {
	k, err := b.Backend.Prepare(op)
	if ln, ok := op.(kernel.LayerNorm); ok && err == nil {
		return brokenBound{k, kernel.F32s(ln.Y)}, nil
	}
	return k, err
}

func init() {
	backends.Register(backends.Entry{Name: "broken", Order: 99, Summary: "test only",
		Open: func(cfg kernel.Config) (kernel.Backend, error) { return brokenBackend{pure.New(cfg)}, nil }})
}

func nbench(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run", "--backend=nope"}, `unknown backend "nope" (valid: all, go`},
		{[]string{"run", "--kernel=layernorm", "--shape=R=oops"}, `parameter R="oops": want an integer`},
		{[]string{"run", "--kernel=layernorm", "--shape=R"}, `malformed shape part "R"`},
		{[]string{"run", "--kernel=layernorm", "--shape=Q=3"}, `has no parameter "Q"`},
		{[]string{"run", "--suite=nosuch"}, `unknown suite "nosuch" (valid: norms`},
		{[]string{"run", "--kernel=^nosuch$"}, `no kernel matches`},
		{[]string{"run", "--kernel=("}, `--kernel: error parsing regexp`},
		{[]string{"run", "--format=xml"}, `--format="xml": valid values are table, benchfmt, json, markdown`},
		{[]string{"run", "--cache=hot"}, `--cache="hot": valid values are cold, warm`},
		{[]string{"run", "--backend=cuda"}, `backend cuda: unavailable (built without -tags cuda)`},
		{[]string{"run", "--count=-1"}, `--count=-1`},
		{[]string{"run", "--no-such-flag"}, `flag provided but not defined: -no-such-flag`},
	} {
		code, _, stderr := nbench(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("nbench %v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestRunPasses(t *testing.T) {
	code, out, stderr := nbench(t, "run", "--backend=go", "--kernel=^layernorm$", "--quick", "--count=2", "--benchtime=1ms")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "PASSED") || strings.Contains(out, "FAILED") {
		t.Errorf("table:\n%s", out)
	}
	if !strings.Contains(stderr, "seed") {
		t.Errorf("the seed must be printed: %s", stderr)
	}
}

func TestWrongKernelFailsRun(t *testing.T) {
	code, out, stderr := nbench(t, "run", "--backend=go,broken", "--kernel=^layernorm$", "--quick", "--count=1", "--benchtime=1ms", "--seed=5")
	if code != exitFail {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "FAILED layernorm/") || !strings.Contains(stderr, "repro: nbench run --backend=broken --kernel='^layernorm$' --shape='R=") || !strings.Contains(stderr, "--seed=5") {
		t.Errorf("stderr must name the failure and a repro line:\n%s", stderr)
	}
	if !strings.Contains(out, "PASSED") {
		t.Errorf("the go rows must still pass:\n%s", out)
	}
}

func TestOutputFormats(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"r.txt", "r.json", "r.md"} {
		path := filepath.Join(dir, name)
		code, _, stderr := nbench(t, "run", "--backend=go", "--kernel=^layernorm$", "--quick", "--count=2", "--benchtime=1ms", "-o", path)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"r.txt": "Benchmarklayernorm/R=64/C=1024/eps=1e-05/fill=normal/backend=go ",
			"r.json": `"samples_sec": [`, "r.md": "| norms | layernorm |"}[name]
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, data)
		}
	}
}

func TestList(t *testing.T) {
	code, out, _ := nbench(t, "list")
	if code != exitOK || !strings.Contains(out, "layernorm") || !strings.Contains(out, "cuda") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
