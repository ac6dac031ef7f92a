//go:build linux && !purego

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLSESpeed compares the one-pass lse with the two passes it replaced
// (maxv, then sumExp) on cross_entropy's rows (V=32000): one row in L2
// and 2048 rows from DRAM, alternating in one process, thread CPU time;
// the exp probe's rate for scale. Off by default: NBENCH_XENT=1 go test
// -run TestLSESpeed -v ./backends/simd
func TestLSESpeed(t *testing.T) {
	optInAVX512(t, "NBENCH_XENT")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpuNow := ThreadCPU
	const v = 32000
	old := func(z []float32) float64 {
		m := maxvAVX512(z)
		s := rowSum(len(z), func(lo, hi int) float32 { return sumExpAVX512(z[lo:hi], m) })
		return float64(m) + s
	}
	lf := lseAVX512
	nw := func(z []float32) float64 { l, _ := lseRow(lf, z); return l }
	rng := rand.New(rand.NewPCG(5, 6))
	var sink float64
	for _, sc := range []struct {
		name      string
		rows, rep int
	}{{"L2 (1 row)", 1, 64}, {"DRAM (2048 rows)", 2048, 1}, {"DRAM (8192 rows)", 8192, 1}} {
		z := make([]float32, sc.rows*v)
		for i := range min(len(z), 1<<20) {
			z[i] = float32(rng.NormFloat64())
		}
		for i := 1 << 20; i < len(z); i++ {
			z[i] = z[i-1<<20]
		}
		run := func(f func([]float32) float64) time.Duration {
			t0 := cpuNow()
			for r := 0; r < sc.rep; r++ {
				for i := 0; i < sc.rows; i++ {
					sink += f(z[i*v : (i+1)*v])
				}
			}
			return cpuNow() - t0
		}
		run(old)
		run(nw)
		reps := 15
		if sc.rows > 2048 {
			reps = 5
		}
		var to, tn []time.Duration
		var ratio []float64
		for range reps {
			a, b := run(old), run(nw)
			to, tn = append(to, a), append(tn, b)
			ratio = append(ratio, float64(a)/float64(b))
		}
		var ts []time.Duration
		for k := 0; k < 7; k++ {
			ts = append(ts, run(func(z []float32) float64 { return float64(sumAVX512(z)) }))
		}
		slices.Sort(ts)
		slices.Sort(to)
		slices.Sort(tn)
		slices.Sort(ratio)
		gbs := func(d time.Duration) float64 { return float64(4*v*sc.rows*sc.rep) / d.Seconds() / 1e9 }
		t.Logf("%-18s two-pass %6.1f GB/s  one-pass %6.1f GB/s (%5.2f G exp/s)  speedup median %.2fx [%.2f..%.2f]; sum %6.1f GB/s",
			sc.name, gbs(to[reps/2]), gbs(tn[reps/2]), gbs(tn[reps/2])/4, ratio[reps/2], ratio[0], ratio[reps-1], gbs(ts[3]))
	}
	out := make([]float32, 6*16)
	const iters = 1 << 22
	var ds []time.Duration
	for k := 0; k < 7; k++ {
		t0 := cpuNow()
		expPeakAVX512(iters, -1.5, out)
		ds = append(ds, cpuNow()-t0)
	}
	slices.Sort(ds)
	t.Logf("exp probe: %.2f G exp/s", float64(iters*6*16)/ds[3].Seconds()/1e9)
	_ = sink
}

// TestSELUSpeed compares selu's plain and streaming forms with a Go copy on
// E = 16777216 (DRAM-resident input and output; NBENCH_SELU_E sets E),
// one thread, thread CPU time (NBENCH_WALL=1: wall time), the forms in turn
// each round (NBENCH_SELU_ROUNDS, default 9).
// Off by default: NBENCH_SELU=1 go test -run TestSELUSpeed -v ./backends/simd
func TestSELUSpeed(t *testing.T) {
	optInAVX512(t, "NBENCH_SELU")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpuNow := func() time.Duration {
		var ts unix.Timespec
		clk := int32(unix.CLOCK_THREAD_CPUTIME_ID)
		if os.Getenv("NBENCH_WALL") != "" {
			clk = unix.CLOCK_MONOTONIC
		}
		unix.ClockGettime(clk, &ts)
		return time.Duration(ts.Nano())
	}
	e := 16777216
	if s := os.Getenv("NBENCH_SELU_E"); s != "" {
		fmt.Sscan(s, &e)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, e)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		switch os.Getenv("NBENCH_SELU_FILL") {
		case "pos":
			x[i] = float32(math.Abs(float64(x[i])))
		case "neg":
			x[i] = -float32(math.Abs(float64(x[i])))
		case "half":
			x[i] = 0.5
		}
	}
	yb := make([]float32, e+16)
	y := yb[ntHead(yb, 64):][:e]
	forms := []struct {
		name string
		f    func(y, x []float32)
		nt   bool
	}{
		{"selu", seluAVX512, false},
		{"copy", func(y, x []float32) { copy(y, x) }, false},
		{"nt", seluNTAVX512, true},
	}
	if sel := os.Getenv("NBENCH_SELU_FORMS"); sel != "" {
		var keep []int
		for i, f := range forms {
			if i == 0 || strings.Contains(","+sel+",", ","+f.name+",") {
				keep = append(keep, i)
			}
		}
		var fs = forms[:0:0]
		for _, i := range keep {
			fs = append(fs, forms[i])
		}
		forms = fs
	}
	reps := max(1, 16777216/e)
	ds := make([][]time.Duration, len(forms))
	ratio := make([][]float64, len(forms))
	rounds := 9
	if s := os.Getenv("NBENCH_SELU_ROUNDS"); s != "" {
		fmt.Sscan(s, &rounds)
	}
	for r := -1; r < rounds; r++ {
		var base time.Duration
		for i, f := range forms {
			t0 := cpuNow()
			for range reps {
				f.f(y, x)
			}
			if f.nt {
				sfence()
			}
			d := cpuNow() - t0
			if r < 0 {
				continue
			}
			if i == 0 {
				base = d
			}
			ds[i] = append(ds[i], d)
			ratio[i] = append(ratio[i], float64(base)/float64(d))
		}
	}
	for i, f := range forms {
		slices.Sort(ds[i])
		slices.Sort(ratio[i])
		t.Logf("%-10s %6.1f GB/s (8 B/element)  vs selu %.2fx [%.2f..%.2f]", f.name,
			float64(8*e*reps)/ds[i][rounds/2].Seconds()/1e9, ratio[i][rounds/2], ratio[i][0], ratio[i][rounds-1])
	}
}
