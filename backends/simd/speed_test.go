//go:build linux

package simd_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// speedCases are the shapes of issue 4's speed targets (one thread).
var speedCases = []string{
	"layernorm/R=4096,C=1024", "layernorm/R=8192,C=4096", "rmsnorm/R=4096,C=1024",
	"batchnorm_infer/N=8192,C=1024", "repbn_infer/B=8,T=1024,C=1024",
	"mse/N=4096,D=4096", "huber/N=4096,D=4096", "pseudo_huber/N=4096,D=4096", "cauchy/N=4096,D=4096",
	"cross_entropy/N=8192,V=32000",
	"softmax_attention/B=4,H=8,L=1024,D=64", "softmax_attention/B=1,H=32,L=1024,D=64,causal=true",
	"gemm_w8a8/M=1024,N=4096,K=4096,acc=false", "gemm_w8a8/M=1,N=4096,K=4096,acc=false",
	"gemm_w8a8/M=128,N=4096,K=4096,fused=true,acc=false",
	"gemm_w4g/M=1,N=4096,K=4096,G=128", "nms/N=10000",
	"gemm_w4g/M=16,N=4096,K=4096,G=128",
	"gemm_f32/M=1,N=4096,K=4096", "gemm_f32/M=128,N=4096,K=4096", "gemm_f32/M=512,N=4096,K=4096",
	"gemm_f32/M=64,N=1024,K=1024",
	// in cache (L2): the bandwidth targets of small shapes
	"layernorm/R=64,C=1024", "rmsnorm/R=64,C=1024", "batchnorm_infer/N=64,C=1024", "mse/N=64,D=1024",
	"cross_entropy/N=16,V=4096",
	"soft_nms/N=5000", "soft_nms/N=5000,method=gaussian",
	"evonorm_b0/N=32,H=56,W=56,C=64", "evonorm_b0/N=32,H=56,W=56,C=64,training=false", "evonorm_s0/N=32,H=56,W=56,C=64",
	"evonorm_s0/N=32,H=28,W=28,C=128", "selu/E=16777216", "selu/E=65536",
	"batchnorm_train/N=8192,C=1024", "batchnorm_train/layout=nhwc,N=32,H=56,W=56,C=64", "prepbn_train/B=64,T=197,C=768",
	"powernorm_train/B=64,T=197,C=768", "powernorm_train/B=64,T=197,C=768,G=12",
	"unified_norm_train/B=64,T=197,C=768",
	"sla2d/B=8,H=12,L=196,D=64", "sla2d/B=4,H=8,L=1024,D=64", "sla2d/B=8,H=1,L=3136,D=64",
	"sla1d/B=4,H=8,L=1024,D=64", "sla1d/B=1,H=8,L=2048,D=128,causal=true", "sla1d/B=1,H=2,L=8192,D=64,causal=true",
	"batched_nms/B=1,N=10000,classes=80", "batched_nms/B=8,N=5000,classes=80",
	"quantize_i8/R=2048,K=4096", "layerwise_wq/M=1,dims=4096:11008:4096,bits=4:2", "layerwise_wq/M=1,dims=4096:11008:4096,bits=8:3",
	"repquant_ln_linear/M=197,C=768,N=2304", "repquant_ln_linear/M=197,C=1024,N=4096",
	"repquant_softmax_pv/BH=96,L=197,S=197,Dv=64", "repquant_softmax_pv/BH=96,L=197,S=197,Dv=64,mode=log2",
	"quantize_w4g/N=4096,K=4096,G=128", "quantize_w4g/N=4096,K=11008,G=128,sym=true",
}

// TestSpeedReport measures simd against go, one thread each, in the same
// process, alternating, and prints median thread-CPU times per run (CPU
// time, not wall time: this 2-vCPU machine is shared, and a descheduled
// benchmark would otherwise count the other tenants' time). Off by
// default: NBENCH_SPEED=1 go test -run TestSpeedReport -v ./backends/simd
// (NBENCH_SPEED=<regexp> selects cases).
func TestSpeedReport(t *testing.T) {
	sel := os.Getenv("NBENCH_SPEED")
	if sel == "" {
		t.Skip("set NBENCH_SPEED=1 (or a substring of the case) to run")
	}
	sb, err := simd.New(kernel.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	gb := pure.New(kernel.Config{Threads: 1})
	t.Logf("%-55s %12s %12s %8s %10s %s", "case", "go", "simd", "ratio", "simd rate", "path")
	for _, cs := range speedCases {
		if sel != "1" && !strings.Contains(cs, sel) {
			continue
		}
		name, shape, _ := strings.Cut(cs, "/")
		k, ok := suite.Lookup(name)
		if !ok {
			t.Logf("%s: no such suite kernel", cs)
			continue
		}
		c, err := k.Build(shape)
		if err != nil {
			t.Errorf("%s: %v", cs, err)
			continue
		}
		rg, _, err := prepared(gb, c)
		if err != nil {
			t.Logf("%s: go: %v", cs, err)
			continue
		}
		rs, path, err := prepared(sb, c)
		if err != nil {
			t.Logf("%s: simd: %v", cs, err)
			continue
		}
		var tg, ts []time.Duration
		for range 5 {
			tg = append(tg, cpuPerRun(rg))
			ts = append(ts, cpuPerRun(rs))
		}
		mg, ms := median(tg), median(ts)
		cost := c.Cost()
		rate := ""
		switch {
		case cost.IntOps > 0:
			rate = fmt.Sprintf("%.0f GOP/s", cost.IntOps/ms.Seconds()/1e9)
		case strings.Contains(name, "attention") || strings.HasPrefix(name, "sla") || strings.HasSuffix(name, "nms") || name == "gemm_f32":
			rate = fmt.Sprintf("%.1f GFLOP/s", cost.Flops/ms.Seconds()/1e9)
		default:
			rate = fmt.Sprintf("%.1f GB/s", cost.Bytes/ms.Seconds()/1e9)
		}
		t.Logf("%-55s %12v %12v %7.1fx %10s %s", cs, mg, ms, float64(mg)/float64(ms), rate, path)
	}
}

// prepared allocates and fills a case on b and returns its run function.
func prepared(b kernel.Backend, c suite.Case) (func() error, string, error) {
	bufs := c.Buffers()
	host := suite.Alloc(c)
	ts := make([]kernel.Tensor, len(bufs))
	c.Fill(rand.New(rand.NewPCG(1, 2)), host)
	for i, bf := range bufs {
		var err error
		if ts[i], err = b.Alloc(bf.DType, bf.Len); err != nil {
			return nil, "", err
		}
		if err := b.Write(ts[i], host[i].Slice()); err != nil {
			return nil, "", err
		}
	}
	k, err := b.Prepare(c.Op(ts))
	if err != nil {
		return nil, "", err
	}
	return k.Run, k.Path(), nil
}

// cpuPerRun runs f until it has used 200ms of this thread's CPU time and
// returns the CPU time per run.
func cpuPerRun(f func() error) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	now := simd.ThreadCPU
	f() // warm
	start, n := now(), 0
	for now()-start < 200*time.Millisecond {
		f()
		n++
	}
	return (now() - start) / time.Duration(n)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
