package claims

import (
	"bytes"
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

func TestRatioCI(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base, fast := noisy(rng, 2e-3, 10), noisy(rng, 1e-3, 10)
	r, lo, hi := ratioCI(rng, base, fast)
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
	r, lo, hi = ratioCI(rng, base, same)
	if v := judge(lo, hi, 1, 1); v != Inconclusive || lo > 1 || hi < 1 {
		t.Errorf("no effect: %v [%v, %v] judged %s", r, lo, hi, v)
	}
	_, lo, hi = ratioCI(rng, fast, base)
	if v := judge(lo, hi, 1, 1); v != Disagrees {
		t.Errorf("2x slow-down judged %s", v)
	}
	// Deterministic: the same samples and seed give the same interval.
	_, a1, b1 := ratioCI(rand.New(rand.NewPCG(1, 2)), base, fast)
	_, a2, b2 := ratioCI(rand.New(rand.NewPCG(1, 2)), base, fast)
	if a1 != a2 || b1 != b2 {
		t.Error("bootstrap not reproducible")
	}
}

// fakePair builds a measured pair with given median times.
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
	r := trendRow(rng, grows, "go", []planned{fakePair(rng, 4096, 1, 6), fakePair(rng, 256, 1, 1.5)}, 2)
	if r.Verdict != Agrees || r.Ratio < 3.5 || r.Ratio > 4.5 {
		t.Errorf("growing gap: %+v", r)
	}
	same := &Claim{Metric: CostRatio, Trend: Bounded}
	// Cost ratio 2 at N=1000 and 2.2 at N=4000: the same complexity.
	r = trendRow(rng, same, "go", []planned{fakePair(rng, 1000, 2, 1), fakePair(rng, 4000, 2.2, 1)}, 2)
	if r.Verdict != Agrees {
		t.Errorf("bounded cost ratio: %+v", r)
	}
	// Cost ratio grows 4x when N grows 4x: one more factor of N.
	r = trendRow(rng, same, "go", []planned{fakePair(rng, 1000, 2, 1), fakePair(rng, 4000, 8, 1)}, 2)
	if r.Verdict != Disagrees {
		t.Errorf("cost ratio growing with N: %+v", r)
	}
	r = trendRow(rng, same, "go", []planned{fakePair(rng, 1000, 2, 1)}, 2)
	if r.Measured() || !strings.Contains(r.Note, "needs two measured sizes") {
		t.Errorf("one size: %+v", r)
	}
}

// The fp32 baseline passes its own float64 check at odd shapes, and a
// corrupted output fails it.
func TestGemmRef(t *testing.T) {
	ref := OpenRef(3)
	for _, shape := range []string{"M=1,N=1,K=1", "M=3,N=7,K=5", "M=2,N=4,K=9", "M=5,N=13,K=64", "M=1,N=300,K=1000", "M=4,N=0,K=3"} {
		p, err := gemmKernel.ParseParams(shape)
		if err != nil {
			t.Fatal(err)
		}
		rs := harness.Run([]harness.Item{{Kernel: gemmKernel, Params: p}}, []harness.Backend{ref},
			harness.Options{Count: 2, BenchTime: time.Millisecond, Seed: 9, NoTiming: shape == "M=4,N=0,K=3"})
		if v := rs[0].Check.Verdict; v != suite.Passed && !(shape == "M=4,N=0,K=3" && v == suite.Mistrusted) {
			t.Errorf("%s: %s %s", shape, v, rs[0].Check.Detail)
		}
	}
	c, host, err := gemmKernel.Instance("M=3,N=5,K=7", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := suite.RunOnce(ref.Backend, c.Op(suite.Tensors(host))); err != nil {
		t.Fatal(err)
	}
	if v := c.Check(host); v.Verdict != suite.Passed {
		t.Fatalf("check: %+v", v)
	}
	kernel.F32s(host[3])[0] += 1e-3
	if v := c.Check(host); v.Verdict != suite.Failed {
		t.Errorf("corrupted Y[0] passed: %+v", v)
	}
	if _, err := ref.Prepare(kernel.LayerNorm{}); err == nil {
		t.Error("the reference backend prepared a layernorm")
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
		return lookup(name)
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
	rows := Run(Options{Backends: []harness.Backend{goBackend}, Ref: OpenRef(2), Quick: true, Claims: only, Lookup: lookupSome,
		Harness:  harness.Options{Count: 3, BenchTime: time.Millisecond, Warmup: time.Millisecond, Cache: harness.CacheWarm, Seed: 1, MaxBytes: 1 << 30},
		Progress: func(done, total int, it harness.Item, backend string) { calls++ }})
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
	// int8: measured against the fp32 reference when the go backend has gemm_w8a8.
	for _, r := range byClaim["int8 W8A8 vs fp32 matmul"] {
		if !r.Measured() && !strings.Contains(r.Note, "not implemented on go") {
			t.Errorf("w8a8 row: %+v", r)
		}
	}
	// layernorm is the baseline of two claims but runs once: 1 layernorm +
	// 1 rmsnorm + up to 2 gemm_w8a8 + 2 fp32 GEMMs (+ softmax, whose sla1d partner is hidden).
	if calls == 0 || calls > 8 {
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
