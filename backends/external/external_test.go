package external

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
	"github.com/nbench/nbench/suites/suite"
)

// The test binary is also the worker: with NBENCH_TEST_WORKER set it serves
// the protocol with the go backend, broken as that variable says when it
// runs selu (the victim kernel), so each failure mode is a real process.
func TestMain(m *testing.M) {
	if fault, ok := os.LookupEnv("NBENCH_TEST_WORKER"); ok {
		os.Exit(serveTestWorker(fault))
	}
	os.Exit(m.Run())
}

const victim = "selu"

func serveTestWorker(fault string) int {
	w := &Worker{Name: "go-test-worker", Version: "1", Device: "cpu", Config: [][2]string{{"fault", fault}},
		Open: func(cfg kernel.Config) (kernel.Backend, error) { return &faulty{pure.New(cfg), fault}, nil }}
	if fault == "version" {
		w.Protocol = ProtocolVersion + 1
	}
	if err := w.Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// faulty wraps the go backend; its victim kernel misbehaves when run.
type faulty struct {
	*pure.Backend
	fault string
}

func (f *faulty) Prepare(op kernel.Op) (kernel.Bound, error) {
	k, err := f.Backend.Prepare(op)
	if err != nil || op.Kernel() != victim {
		return k, err
	}
	s := op.(kernel.SELU)
	return &faultyBound{k, f.fault, s.X.(*kernel.Host), s.Y.(*kernel.Host)}, nil
}

type faultyBound struct {
	kernel.Bound
	fault string
	x, y  *kernel.Host
}

func (b *faultyBound) Run() error {
	if err := b.Bound.Run(); err != nil {
		return err
	}
	switch b.fault {
	case "crash":
		fmt.Fprintln(os.Stderr, "test worker: crashing on purpose")
		os.Exit(3)
	case "hang":
		time.Sleep(time.Hour)
	case "garbage":
		fmt.Fprintln(os.Stdout, `{"id": 1, "ok": tru`)
	case "scribble": // into the input x
		b.x.F32[0]++
	case "overrun": // one element past the end of y, into its guard bytes
		p := unsafe.Pointer(unsafe.SliceData(b.y.F32))
		*(*float32)(unsafe.Add(p, 4*len(b.y.F32))) = 1
	}
	return nil
}

func testSpec(fault string) Spec {
	exe, _ := os.Executable()
	return Spec{Name: "exec:test-" + fault, Argv: []string{exe}, Env: []string{"NBENCH_TEST_WORKER=" + fault},
		Deadlines: Deadlines{Hello: 20 * time.Second, Control: 3 * time.Second, Run: time.Second}}
}

func openTest(t *testing.T, fault string) *Backend {
	t.Helper()
	b, err := Open(testSpec(fault), kernel.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// The go backend through a worker process must pass every suite check,
// mutation check included: the protocol carries every op and its tensors.
func TestConformanceThroughProtocol(t *testing.T) {
	b := openTest(t, "none")
	conformance.Run(t, "exec:go", b, conformance.Options{RequireAll: true})
}

func item(t *testing.T, name, shape string) harness.Item {
	k, ok := suite.Lookup(name)
	if !ok {
		t.Fatalf("no kernel %s", name)
	}
	p, err := k.ParseParams(shape)
	if err != nil {
		t.Fatal(err)
	}
	return harness.Item{Kernel: k, Params: p}
}

// Each broken worker makes its case FAILED with a message naming the
// failure; the worker is restarted and the next case passes, timed.
func TestBrokenWorkers(t *testing.T) {
	for _, tc := range []struct{ fault, want string }{
		{"crash", "exited without answering"},
		{"hang", "no answer within"},
		{"garbage", "malformed answer"},
		{"scribble", "wrote into an input tensor"},
		{"overrun", "wrote past the end"},
	} {
		t.Run(tc.fault, func(t *testing.T) {
			b := openTest(t, tc.fault)
			hb := harness.Backend{Name: b.Name(), Backend: b}
			opt := harness.DefaultOptions()
			opt.Count, opt.BenchTime, opt.Warmup, opt.Cache = 2, 2*time.Millisecond, time.Millisecond, harness.CacheWarm
			items := []harness.Item{item(t, victim, "E=1000"), item(t, "mse", "N=64,D=16"), item(t, victim, "E=1000")}
			rs := harness.Run(items, []harness.Backend{hb}, opt)
			for _, i := range []int{0, 2} {
				if rs[i].Check.Verdict != suite.Failed || !strings.Contains(rs[i].Err+rs[i].Check.Detail, tc.want) {
					t.Errorf("%s: verdict %s, error %q %q; want FAILED with %q", items[i].Name(), rs[i].Check.Verdict, rs[i].Err, rs[i].Check.Detail, tc.want)
				}
			}
			if r := rs[1]; r.Check.Verdict != suite.Passed || len(r.Samples) != opt.Count || r.Stats.Median <= 0 {
				t.Errorf("after the failure, %s: verdict %s (%s %s), %d samples, median %g; want PASSED and timed",
					items[1].Name(), r.Check.Verdict, r.Err, r.Check.Detail, len(r.Samples), r.Stats.Median)
			}
		})
	}
}

// A worker of another protocol version leaves the backend unavailable,
// with both versions in the reason.
func TestWrongProtocolVersion(t *testing.T) {
	_, err := Open(testSpec("version"), kernel.Config{})
	want := fmt.Sprintf("protocol version %d, nbench speaks %d", ProtocolVersion+1, ProtocolVersion)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open: %v; want an error containing %q", err, want)
	}
}

// A command that is not a worker is unavailable with the reason.
func TestNotAWorker(t *testing.T) {
	for _, argv := range [][]string{{"/nonexistent/worker"}, {"/bin/echo", "hello"}, {"/bin/true"}} {
		_, err := Open(Spec{Name: "x", Argv: argv, Deadlines: Deadlines{Hello: 5 * time.Second, Control: time.Second, Run: time.Second}}, kernel.Config{})
		if err == nil {
			t.Errorf("%v: opened", argv)
		} else {
			t.Logf("%v: %v", argv, err)
		}
	}
}

// The worker's hello lines reach the result files' configuration while the
// backend is open.
func TestEnvLines(t *testing.T) {
	b := openTest(t, "none")
	env := harness.Describe(1)
	if got := env.Get("go-test-worker-fault"); got != "none" {
		t.Errorf("config line go-test-worker-fault = %q; env %v", got, env)
	}
	if got := env.Get("go-test-worker-version"); got != "1" {
		t.Errorf("config line go-test-worker-version = %q", got)
	}
	b.Close()
	if got := harness.Describe(1).Get("go-test-worker-fault"); got != "" {
		t.Errorf("closed backend still in the configuration: %q", got)
	}
}

// The Python template worker (template/worker.py, on the Python protocol
// module) passes its two kernels' checks, mutation check included.
func TestPythonTemplate(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	b, err := Open(Spec{Name: "exec:template", Argv: []string{py, "template/worker.py"}}, kernel.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.Kernels(); !slices.Equal(got, []string{"selu", "mse"}) {
		t.Fatalf("template kernels %v", got)
	}
	conformance.Run(t, "exec:template", b, conformance.Options{RequireAll: true, Kernels: b.Kernels()})
}

// The protocol's overhead on a near-empty kernel, through the Go worker:
// go test -run Overhead -v ./backends/external
func TestOverhead(t *testing.T) {
	b := openTest(t, "none")
	o, err := MeasureOverhead(b, 2000, 200000)
	if err != nil {
		t.Fatal(err)
	}
	if o.RoundTrip <= 0 || o.PerCall <= 0 || o.RoundTrip < o.PerCall {
		t.Errorf("overhead %+v: want a round trip longer than a call, both > 0", o)
	}
	t.Logf("go worker, selu E=1: round trip %v per run request, %v per call in a timed batch", o.RoundTrip, o.PerCall)
}
