//go:build !purego

package simd

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nbench/nbench/kernel"
)

// TestAttnRunTiming compares attnRunAVX512 (f0) with attnRunPipeAVX512
// (f1) on n tiles in L2 (n*64 keys of K and V), as the best of 2000
// alternating timings (robust to the other processes on a shared machine):
// NBENCH_ATTN_TIMING=1 go test -run AttnRunTiming -v ./backends/simd
func TestAttnRunTiming(t *testing.T) {
	if os.Getenv("NBENCH_ATTN_TIMING") == "" {
		t.Skip("set NBENCH_ATTN_TIMING=1")
	}
	for _, c := range attnRunTimingShapes {
		d, n := c.d, c.n
		s, q, kt := make([]float32, 864), make([]float32, 6*d), make([]float32, n*d*64)
		st, corr, o, v := make([]float32, 32), make([]float32, 32), make([]float32, 6*d), make([]float32, n*64*d)
		rng := rand.New(rand.NewPCG(3, 4))
		copy(q, randSlice(rng, len(q)))
		copy(kt, randSlice(rng, len(kt)))
		copy(v, randSlice(rng, len(v)))
		for i := range 16 {
			st[i] = -1e30
		}
		fs := []func(){
			func() { attnRunAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64) },
			func() { attnRunPipeAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64, 0, nil, 0, nil) },
		}
		best := bestAlternating(fs)
		flop := float64(n * 6 * 64 * (4*d + 5))
		for k := range fs {
			t.Logf("D=%d n=%d f%d: %v/call, %.1f%% of 268 GFLOP/s", d, n, k, best[k], flop/best[k].Seconds()/268e9*100)
		}
	}
}

// TestAttnDriverTiming times the whole driver at one thread on the full
// shapes, alternating per call over rotated buffer sets (cold inputs, as
// the harness; NBENCH_ATTN_TIMING=warm: one set), reporting the minimum
// and median thread CPU time per call of each variant: f0 run =
// attnRunAVX512 with 256 KiB chunks and the next head always prefetched
// (the driver before the pipelined run), f1 attnRunPipeAVX512 with 512 KiB
// chunks and the prefetch limit but no tail tiles, f2 with tails, f3 with
// runFirst for heads over 768 KiB (the driver now):
// NBENCH_ATTN_TIMING=1 go test -run AttnDriverTiming -v ./backends/simd
func TestAttnDriverTiming(t *testing.T) {
	if os.Getenv("NBENCH_ATTN_TIMING") == "" {
		t.Skip("set NBENCH_ATTN_TIMING=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	oldK, noTail, newK := *attnAVX512, *attnAVX512, *attnAVX512
	oldK.run, oldK.runTail = func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc, _ int, _ []uint64, _ int, _ []float32) {
		attnRunAVX512(s, q, ldq, kt, d, scale, st, corr, o, ldo, v, ldv, n, dvc)
	}, false
	noTail.runTail = false
	ks := []*attnK{&oldK, &noTail, &newK, &newK}
	chunks := []int{256 << 10, 512 << 10, 512 << 10, 512 << 10}
	pfMax := []int{1 << 30, 256 << 10, 256 << 10, 256 << 10} // f0: before the limit
	bigHead := []int{1 << 40, 1 << 40, 1 << 40, 768 << 10}   // f0-f2: no runFirst
	defer func(b int) { attnBigHead = b }(attnBigHead)
	defer func(c, p int) { attnChunkBytes, attnPrefetchMax = c, p }(attnChunkBytes, attnPrefetchMax)
	for _, sh := range []struct {
		b, h, l, d int
		causal     bool
		calls      int
	}{{1, 8, 2048, 128, true, 12}, {8, 12, 197, 64, false, 100}, {4, 8, 1024, 64, false, 12}, {1, 2, 8192, 64, true, 8}} {
		n := sh.b * sh.h * sh.l * sh.d
		sets := max(2, (96<<20)/(16*n)+1) // 4 buffers per set, over 96 MiB in all
		if os.Getenv("NBENCH_ATTN_TIMING") == "warm" {
			sets = 1
		}
		bounds := make([][]func() error, len(ks))
		rng := rand.New(rand.NewPCG(1, 2))
		for range sets {
			q, k, v, o := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), make([]float32, n)
			op := kernel.SoftmaxAttention{B: sh.b, H: sh.h, L: sh.l, S: sh.l, D: sh.d, Dv: sh.d,
				Scale: float32(1 / math.Sqrt(float64(sh.d))), Causal: sh.causal,
				Q: &kernel.Host{F32: q}, K: &kernel.Host{F32: k}, V: &kernel.Host{F32: v}, O: &kernel.Host{F32: o}}
			for i, ak := range ks {
				attnChunkBytes, attnPrefetchMax, attnBigHead = chunks[i], pfMax[i], bigHead[i]
				bounds[i] = append(bounds[i], newAttention(&Backend{threads: 1}, ak, &op).Run)
			}
		}
		flop := 4*float64(sh.b*sh.h)*float64(sh.l)*float64(sh.l)*float64(sh.d) + 5*float64(sh.b*sh.h)*float64(sh.l)*float64(sh.l)
		if sh.causal {
			flop *= float64(sh.l+1) / (2 * float64(sh.l))
		}
		times, walls := make([][]time.Duration, len(ks)), make([][]time.Duration, len(ks))
		for c := 0; c < sh.calls; c++ {
			for i := range ks {
				f := bounds[i][(c*len(ks)+i)%sets]
				t0, w0 := ThreadCPU(), time.Now()
				f()
				times[i] = append(times[i], ThreadCPU()-t0)
				walls[i] = append(walls[i], time.Since(w0))
			}
		}
		for i := range ks {
			ts, ws := times[i][1:], walls[i][1:]
			slices.Sort(ts)
			slices.Sort(ws)
			pc := func(d time.Duration) float64 { return flop / d.Seconds() / 268e7 }
			t.Logf("B=%d/H=%d/L=%d/D=%d f%d: cpu min %v (%.1f%%) median %v (%.1f%%); wall min %v (%.1f%%) median %v (%.1f%%)", sh.b, sh.h, sh.l, sh.d, i,
				ts[0], pc(ts[0]), ts[len(ts)/2], pc(ts[len(ts)/2]), ws[0], pc(ws[0]), ws[len(ws)/2], pc(ws[len(ws)/2]))
		}
	}
}

// TestAttnRunInSitu times the run calls and prefetches of the driver
// against the whole call (warm inputs, the best of 20 calls), at L = 1024
// and 197, D = 64, not causal (every block is one run call per chunk).
func TestAttnRunInSitu(t *testing.T) {
	if os.Getenv("NBENCH_ATTN_TIMING") == "" {
		t.Skip("set NBENCH_ATTN_TIMING=1")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, sh := range attnInSituShapes {
		var inRun, inPf time.Duration
		var tiles, calls int
		k := *attnAVX512
		k.run = func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc, nzt int, valid []uint64, allt int, pf []float32) {
			t0 := time.Now()
			attnRunPipeAVX512(s, q, ldq, kt, d, scale, st, corr, o, ldo, v, ldv, n, dvc, nzt, valid, allt, pf)
			inRun += time.Since(t0)
			tiles += n
			calls++
		}
		k.prefetch = func(x []float32) {
			t0 := time.Now()
			prefetchT1(x)
			inPf += time.Since(t0)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		n := sh.b * sh.h * sh.l * sh.d
		q, kk, v, o := randSlice(rng, n), randSlice(rng, n), randSlice(rng, n), make([]float32, n)
		op := kernel.SoftmaxAttention{B: sh.b, H: sh.h, L: sh.l, S: sh.l, D: sh.d, Dv: sh.d, Scale: 0.125,
			Q: &kernel.Host{F32: q}, K: &kernel.Host{F32: kk}, V: &kernel.Host{F32: v}, O: &kernel.Host{F32: o}}
		f := newAttention(&Backend{threads: 1}, &k, &op).Run
		flop := 4*float64(sh.b*sh.h)*float64(sh.l*sh.l*sh.d) + 5*float64(sh.b*sh.h)*float64(sh.l*sh.l)
		best := time.Duration(0)
		var bestRun, bestPf time.Duration
		for range 20 {
			inRun, inPf, tiles, calls = 0, 0, 0, 0
			t0 := time.Now()
			f()
			if all := time.Since(t0); best == 0 || all < best {
				best, bestRun, bestPf = all, inRun, inPf
			}
		}
		t.Logf("L=%d: best call %v (%.1f%% of peak): %v in %d run calls, %v in prefetches, %v elsewhere (%v per run call)",
			sh.l, best, flop/best.Seconds()/268e7, bestRun, calls, bestPf, best-bestRun-bestPf, (best-bestRun-bestPf)/time.Duration(calls))
	}
}

// TestAttnTailTiming compares run on 3 tiles with a 5-key tail tile (as
// at L = 197) against run on 3 tiles then qksMask[1] and pv6 (the driver
// without tails), in cache, best of 2000 alternating timings.
func TestAttnTailTiming(t *testing.T) {
	if os.Getenv("NBENCH_ATTN_TIMING") == "" {
		t.Skip("set NBENCH_ATTN_TIMING=1")
	}
	const d, n = 64, 3
	rng := rand.New(rand.NewPCG(3, 4))
	s, q, kt := make([]float32, 864), randSlice(rng, 6*d), randSlice(rng, (n+1)*d*64)
	st, corr, o, v := make([]float32, 32), make([]float32, 32), make([]float32, 6*d), randSlice(rng, (n+1)*64*d)
	for i := range 16 {
		st[i] = -1e30
	}
	valid := make([]uint64, 6)
	for i := range valid {
		valid[i] = 1<<5 - 1
	}
	fs := []func(){
		func() {
			attnRunPipeAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64, 0, nil, 0, nil)
			qksTile1MaskAVX512(s, q, d, kt[n*d*64:], d, 0.125, st, corr, valid)
			pvTile6x4AVX512(o, d, s, 5, v[n*64*d:], d, corr)
		},
		func() { attnRunPipeAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64, 1, valid, 5, nil) },
	}
	best := bestAlternating(fs)
	flop := float64(6 * 197 * (4*d + 5))
	for k := range fs {
		t.Logf("f%d: %v/call, %.1f%% of 268 GFLOP/s", k, best[k], flop/best[k].Seconds()/268e9*100)
	}
}

// bestAlternating times the forms fs in turns, 2000 rounds of 20 calls
// each, and returns each form's best time per call (in-cache kernels: the
// minimum is their speed without interference).
func bestAlternating(fs []func()) []time.Duration {
	best := make([]time.Duration, len(fs))
	for range 2000 {
		for k, f := range fs {
			t0 := time.Now()
			for range 20 {
				f()
			}
			if el := time.Since(t0) / 20; best[k] == 0 || el < best[k] {
				best[k] = el
			}
		}
	}
	return best
}

var attnInSituShapes = []struct{ b, h, l, d int }{{4, 8, 1024, 64}, {8, 12, 197, 64}}

var attnRunTimingShapes = []struct{ d, n int }{{64, 8}, {64, 16}, {128, 4}, {128, 8}}
