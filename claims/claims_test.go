package claims

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/harness"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"

	_ "github.com/nbench/nbench/suites/all"
)

func noisy(rng *rand.Rand, center float64, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = center * (1 + 0.05*rng.NormFloat64())
	}
	return s
}

func TestPairedRatio(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base, fast := noisy(rng, 2e-3, 10), noisy(rng, 1e-3, 10)
	r, lo, hi := pairedRatio(base, fast)
	if r < 1.8 || r > 2.2 || !(lo < r && r < hi) || lo < 1.5 || hi > 2.6 {
		t.Errorf("2x speed-up: %v [%v, %v]", r, lo, hi)
	}
	if v := judge(lo, hi, 1, 1); v != Agrees {
		t.Errorf("2x speed-up judged %s", v)
	}
	same := make([]float64, len(base)) // the same times in another order
	for i, v := range base {
		same[len(base)-1-i] = v
	}
	r, lo, hi = pairedRatio(base, same)
	if v := judge(lo, hi, 1, 1); v != Inconclusive || lo > 1 || hi < 1 || math.Abs(r-1) > 1e-12 {
		t.Errorf("no effect: %v [%v, %v] judged %s", r, lo, hi, v)
	}
	_, lo, hi = pairedRatio(fast, base)
	if v := judge(lo, hi, 1, 1); v != Disagrees {
		t.Errorf("2x slow-down judged %s", v)
	}
	// Paired: a common per-round factor cancels. Both sides slow down
	// 3x over the rounds, the ratio staying exactly 2: a tight interval.
	var a, b []float64
	for i := range 10 {
		f := 1 + 0.2*float64(i)
		a, b = append(a, 2*f), append(b, f)
	}
	if r, lo, hi := pairedRatio(a, b); math.Abs(r-2) > 1e-9 || math.Abs(lo-2) > 1e-9 || math.Abs(hi-2) > 1e-9 {
		t.Errorf("common drift: %v [%v, %v], want exactly 2", r, lo, hi)
	}
	// One round: a ratio without an interval, inconclusive.
	if r, lo, hi := pairedRatio([]float64{2}, []float64{1}); r != 2 || lo != 0 || !math.IsInf(hi, 1) || judge(lo, hi, 1, 1) != Inconclusive {
		t.Errorf("one round: %v [%v, %v]", r, lo, hi)
	}
}

// fakePair builds a measured pair around the given times, 10 rounds.
func fakePair(rng *rand.Rand, size, cand, base float64) planned {
	m := func(center float64) *measurement {
		return &measurement{result: &harness.Result{Samples: noisy(rng, center, 10), Check: suite.Check{Verdict: suite.Passed}}}
	}
	return planned{pair: Pair{Label: "n", Size: size}, cand: m(cand), base: m(base)}
}

func TestTrends(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	grows := &Claim{Metric: Speedup, Trend: Grows}
	// Speed-up 1.5x at size 256, 6x at 4096: the gap grows.
	r := trendRow(grows, "go", []planned{fakePair(rng, 4096, 1, 6), fakePair(rng, 256, 1, 1.5)}, 2)
	if r.Verdict != Agrees || r.Ratio < 3.5 || r.Ratio > 4.5 {
		t.Errorf("growing gap: %+v", r)
	}
	same := &Claim{Metric: CostRatio, Trend: Bounded}
	// Cost ratio 2 at N=1000 and 2.2 at N=4000: the same complexity.
	r = trendRow(same, "go", []planned{fakePair(rng, 1000, 2, 1), fakePair(rng, 4000, 2.2, 1)}, 2)
	if r.Verdict != Agrees {
		t.Errorf("bounded cost ratio: %+v", r)
	}
	// Cost ratio grows 4x when N grows 4x: one more factor of N.
	r = trendRow(same, "go", []planned{fakePair(rng, 1000, 2, 1), fakePair(rng, 4000, 8, 1)}, 2)
	if r.Verdict != Disagrees {
		t.Errorf("cost ratio growing with N: %+v", r)
	}
	r = trendRow(same, "go", []planned{fakePair(rng, 1000, 2, 1)}, 2)
	if r.Measured() || !strings.Contains(r.Note, "needs two measured sizes") {
		t.Errorf("one size: %+v", r)
	}
}

// The quantized GEMM claims compare with gemm_f32, a registered suite
// kernel, on the same backend at the same M, N, K.
func TestGemmClaimsUseFP32Kernel(t *testing.T) {
	n := 0
	for _, c := range All {
		for _, p := range append(append([]Pair(nil), c.Quick...), c.Full...) {
			if p.Cand.Kernel != "gemm_w8a8" && p.Cand.Kernel != "gemm_w4g" {
				continue
			}
			n++
			if p.Base.Kernel != "gemm_f32" {
				t.Errorf("%s %s: baseline %s, want gemm_f32", c.Name, p.Label, p.Base.Kernel)
				continue
			}
			k, ok := suite.Lookup(p.Base.Kernel)
			if !ok {
				t.Fatalf("gemm_f32 is not registered")
			}
			bp, err := k.ParseParams(p.Base.Shape)
			if err != nil {
				t.Fatalf("%s: %v", p.Base.Shape, err)
			}
			ck, _ := suite.Lookup(p.Cand.Kernel)
			cp, err := ck.ParseParams(p.Cand.Shape)
			if err != nil {
				t.Fatalf("%s: %v", p.Cand.Shape, err)
			}
			for _, key := range []string{"M", "N", "K"} {
				if bp.Get(key) != cp.Get(key) {
					t.Errorf("%s %s: %s=%s for %s, %s for gemm_f32", c.Name, p.Label, key, cp.Get(key), p.Cand.Kernel, bp.Get(key))
				}
			}
		}
	}
	if n != 8 {
		t.Errorf("%d quantized GEMM pairs, want 8 (2 claims x GEMV and GEMM x quick and full)", n)
	}
}

// Run with the kernels that exist, and with some hidden: hidden ones are
// reported as not available, the others measured on the go backend.
func TestRunQuick(t *testing.T) {
	hidden := map[string]bool{"crmsnorm": true, "sla1d": true, "gemm_w4g": true}
	lookupSome := func(name string) (*suite.Kernel, bool) {
		if hidden[name] {
			return nil, false
		}
		return suite.Lookup(name)
	}
	var only []*Claim
	for _, c := range All {
		switch c.Name {
		case "RMSNorm vs LayerNorm", "CRMSNorm vs LayerNorm", "SLA (1D conv) vs softmax attention", "4-bit W4 vs fp32 matmul", "int8 W8A8 vs fp32 matmul":
			only = append(only, c)
		}
	}
	goBackend := harness.Backend{Name: "go", Backend: pure.New(kernel.Config{Threads: 2})}
	calls := 0
	on := map[string]string{} // kernel -> backend it was measured on
	rows := Run(Options{Backends: []harness.Backend{goBackend}, Quick: true, Claims: only, Lookup: lookupSome,
		Harness: harness.Options{Count: 3, BenchTime: time.Millisecond, Warmup: time.Millisecond, Cache: harness.CacheWarm, Seed: 1, MaxBytes: 1 << 30},
		Progress: func(done, total int, it harness.Item, backend string) {
			calls++
			on[it.Kernel.Name] = backend
		}})
	byClaim := map[string][]Row{}
	for _, r := range rows {
		byClaim[r.Claim.Name] = append(byClaim[r.Claim.Name], r)
	}
	if rs := byClaim["RMSNorm vs LayerNorm"]; len(rs) != 1 || !rs[0].Measured() || rs[0].Verdict == NoVerdict || !(rs[0].Lo <= rs[0].Ratio && rs[0].Ratio <= rs[0].Hi) {
		t.Errorf("rmsnorm rows: %+v", rs)
	}
	if rs := byClaim["CRMSNorm vs LayerNorm"]; len(rs) != 1 || rs[0].Measured() || !strings.Contains(rs[0].Note, "kernel crmsnorm not available yet") {
		t.Errorf("crmsnorm rows: %+v", rs)
	}
	if rs := byClaim["SLA (1D conv) vs softmax attention"]; len(rs) != 3 || rs[2].Measured() || !strings.Contains(rs[0].Note, "sla1d not available") {
		t.Errorf("sla1d rows: %+v", rs)
	}
	// int8: measured against gemm_f32, both on the go backend.
	if rs := byClaim["int8 W8A8 vs fp32 matmul"]; len(rs) != 2 || !rs[0].Measured() || !rs[1].Measured() {
		t.Errorf("w8a8 rows: %+v", rs)
	}
	if on["gemm_f32"] != "go" || on["gemm_w8a8"] != "go" {
		t.Errorf("gemm_f32 measured on %q, gemm_w8a8 on %q; want both on go", on["gemm_f32"], on["gemm_w8a8"])
	}
	// Only cases with a partner are prepared: layernorm and rmsnorm, and 2
	// gemm_w8a8 + 2 fp32 GEMMs; not layernorm for the hidden crmsnorm, nor
	// softmax for the hidden sla1d.
	if calls != 6 {
		t.Errorf("%d measurements", calls)
	}
	var text, md bytes.Buffer
	WriteText(&text, rows)
	WriteMarkdown(&md, rows)
	for _, want := range []string{"RMSNorm vs LayerNorm", "claimed:", "kernel crmsnorm not available yet", "95% CI"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(md.String(), "| **RMSNorm vs LayerNorm** (speedup) |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

// A kernel private to these tests, y = x, and a backend that runs it and
// reports a batch of n runs as n microseconds times a drift factor that
// grows 1% with every batch it times, whichever case it belongs to: a
// machine slowing down steadily under a benchmark of cases of equal cost.
type copyOp struct {
	N    int
	X, Y kernel.Tensor
}

func (copyOp) Kernel() string { return "test_copy" }
func (op copyOp) Validate() error {
	return kernel.CheckArgs(kernel.F32Arg("x", op.X, op.N), kernel.F32Arg("y", op.Y, op.N))
}

type copyCase struct{ n int }

func (c copyCase) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "x", DType: kernel.F32, Len: c.n}, {Name: "y", DType: kernel.F32, Len: c.n, Out: true}}
}
func (c copyCase) Fill(rng *rand.Rand, d []*kernel.Host) { suite.Uniform(rng, d[0].F32, 1, 2) }
func (c copyCase) Op(t []kernel.Tensor) kernel.Op        { return copyOp{N: c.n, X: t[0], Y: t[1]} }
func (c copyCase) Check(d []*kernel.Host) suite.Check {
	ref := make([]float64, c.n)
	for i, v := range d[0].F32 {
		ref[i] = float64(v)
	}
	return suite.Close("y", d[1].F32, ref, 0, 0)
}
func (c copyCase) Cost() suite.Cost { return suite.Cost{Bytes: 8 * float64(c.n)} }

var copyKernel = &suite.Kernel{Name: "test_copy", Family: "norms",
	Params: []suite.Param{{Key: "N", Default: "8"}},
	New: func(p suite.Params) (suite.Case, error) {
		r := suite.ParamReader{P: p}
		return copyCase{r.Int("N", 0)}, r.Err
	}}

type driftBackend struct{ batches int }

type copyBound struct{ x, y []float32 }

func (b copyBound) Run() error   { copy(b.y, b.x); return nil }
func (b copyBound) Path() string { return "drift" }

func (b *driftBackend) Name() string    { return "drift" }
func (b *driftBackend) Paths() []string { return []string{"drift"} }
func (b *driftBackend) Close() error    { return nil }
func (b *driftBackend) Alloc(dt kernel.DType, n int) (kernel.Tensor, error) {
	return kernel.NewHost(dt, n), nil
}
func (b *driftBackend) Free(kernel.Tensor) {}
func (b *driftBackend) Write(dst kernel.Tensor, src any) error {
	return dst.(*kernel.Host).CopyFrom(src)
}
func (b *driftBackend) Read(dst any, src kernel.Tensor) error { return src.(*kernel.Host).CopyTo(dst) }
func (b *driftBackend) Prepare(o kernel.Op) (kernel.Bound, error) {
	op, ok := o.(copyOp)
	if !ok {
		return nil, kernel.Unimplemented("drift", o)
	}
	if err := op.Validate(); err != nil {
		return nil, err
	}
	return copyBound{kernel.F32s(op.X), kernel.F32s(op.Y)}, nil
}

// TimeBatch runs the batch and reports n µs, 1% longer for every batch
// timed before it.
func (b *driftBackend) TimeBatch(ks []kernel.Bound, n int) (time.Duration, error) {
	for i := 0; i < n; i++ {
		if err := ks[i%len(ks)].Run(); err != nil {
			return 0, err
		}
	}
	d := time.Duration(float64(n) * float64(time.Microsecond) * math.Pow(1.01, float64(b.batches)))
	b.batches++
	return d, nil
}

// Pairs of cases of equal cost measured on a drifting machine come out at
// a ratio of 1: the rounds interleave the sides (A B B A), so the drift
// cancels. Timed one case after the other, the later side of each pair
// would have looked 10% slower (25% with its warm-up, as claims once ran
// it); timed in rounds always in the same order, 1% slower.
func TestRoundsCancelDrift(t *testing.T) {
	lookupCopy := func(name string) (*suite.Kernel, bool) {
		if name == copyKernel.Name {
			return copyKernel, true
		}
		return nil, false
	}
	c := &Claim{Name: "copy vs copy", Metric: Speedup, Trend: Grows,
		Quick: []Pair{pair("small", 1, Case{"test_copy", "N=8"}, Case{"test_copy", "N=16"}),
			pair("large", 2, Case{"test_copy", "N=24"}, Case{"test_copy", "N=32"})}}
	db := &driftBackend{}
	drift := harness.Backend{Name: "drift", Backend: db}
	rows := Run(Options{Backends: []harness.Backend{drift}, Quick: true, Claims: []*Claim{c}, Lookup: lookupCopy,
		Harness: harness.Options{Count: 10, BenchTime: time.Millisecond, Warmup: time.Millisecond, Cache: harness.CacheWarm, Seed: 1}})
	if len(rows) != 3 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if !r.Measured() || math.Abs(r.Ratio-1) > 0.005 || r.Lo > 1+1e-9 || r.Hi < 1-1e-9 {
			t.Errorf("%s: ratio %.4f [%.4f, %.4f] on a drifting machine, want 1 within 0.5%% and in the CI", r.Case, r.Ratio, r.Lo, r.Hi)
		}
	}
	if db.batches < 40 {
		t.Errorf("%d batches timed, want at least 4 cases x 10 rounds", db.batches)
	}
}
