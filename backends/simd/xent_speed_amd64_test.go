//go:build linux && !purego

package simd

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
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
	if os.Getenv("NBENCH_XENT") == "" {
		t.Skip("set NBENCH_XENT=1 to run")
	}
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpuNow := func() time.Duration {
		var ts unix.Timespec
		unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
		return time.Duration(ts.Nano())
	}
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
