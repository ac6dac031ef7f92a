//go:build !purego

package simd

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nbench/nbench/backends/internal/nmsbox"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestSoftRoundSpeed (NBENCH_SOFT_SPEED=1; NBENCH_SOFT_REPS runs, default
// 15) alternates soft_nms with rounds of softPassAVX512 (old) and of
// softRoundAVX512 (new) run by run on the suite's full shapes, one thread,
// and reports medians of thread CPU time, also per live candidate and round.
func TestSoftRoundSpeed(t *testing.T) {
	optInAVX512(t, "NBENCH_SOFT_SPEED")
	softAB(t, []string{"N=1000", "N=5000", "N=20000", "N=5000,method=gaussian", "N=20000,method=gaussian", "N=5000,method=hard"},
		func(form int) *Backend { return softBackend(t, 1, form == 1) })
}

// TestSoftDriverAB (NBENCH_SOFT_AB=1; NBENCH_SOFT_REPS as above) alternates
// soft_nms with chunked rounds whose spatial load runs the Go twins (old:
// softKeysGo and softPlaceGo, the driver's loops before) and
// softKeysAVX512 and softPlaceAVX512 (new), run by run.
func TestSoftDriverAB(t *testing.T) {
	optInAVX512(t, "NBENCH_SOFT_AB")
	old := *softRoundZ
	old.keys, old.place = softKeysGo(20000), softPlaceGo
	softAB(t, []string{"N=1000", "N=5000", "N=20000", "N=5000,method=gaussian", "N=20000,method=gaussian"},
		func(form int) *Backend {
			b := softBackend(t, 1, true)
			if form == 0 {
				lv := *b.lv
				lv.softRound = &old
				b.lv = &lv
			}
			return b
		})
}

// softAB alternates soft_nms on the backends of form 0 (old) and 1 (new)
// run by run on the suite's shapes, one thread, and reports medians of
// thread CPU time, also per live candidate and round.
func softAB(t *testing.T, shapes []string, backend func(form int) *Backend) {
	reps := 15
	if r, err := strconv.Atoi(os.Getenv("NBENCH_SOFT_REPS")); err == nil {
		reps = r
	}
	k, _ := suite.Lookup("soft_nms")
	for _, sh := range shapes {
		if f := os.Getenv("NBENCH_SOFT_CASE"); f != "" && f != sh {
			continue
		}
		c, err := k.Build(sh)
		if err != nil {
			t.Fatal(err)
		}
		host := suite.Alloc(c)
		c.Fill(rand.New(rand.NewPCG(1, 2)), host)
		ts := make([]kernel.Tensor, len(host))
		for i, h := range host {
			ts[i] = h
		}
		var runs [2]func()
		for form := range 2 {
			bd, err := backend(form).Prepare(c.Op(ts))
			if err != nil {
				t.Fatal(err)
			}
			runs[form] = func() {
				if err := bd.Run(); err != nil {
					t.Fatal(err)
				}
			}
		}
		live := softLiveRounds(c.Op(ts).(kernel.SoftNMS))
		runtime.LockOSThread()
		var d [2][]time.Duration
		for range reps {
			for form, run := range runs {
				t0 := ThreadCPU()
				run()
				d[form] = append(d[form], ThreadCPU()-t0)
			}
		}
		runtime.UnlockOSThread()
		med := func(s []time.Duration) time.Duration { slices.Sort(s); return s[len(s)/2] }
		o, nw := med(d[0]), med(d[1])
		t.Logf("%-24s old %10v new %10v  %.2fx  per live candidate and round: old %.3f ns, new %.3f ns",
			sh, o, nw, float64(o)/float64(nw), float64(o)/live, float64(nw)/live)
	}
}

// softLiveRounds is the live candidates summed over the rounds of a
// Soft-NMS run (the float64 twin's rounds, no compaction).
func softLiveRounds(op kernel.SoftNMS) float64 {
	boxes, scores := kernel.F32s(op.Boxes), kernel.F32s(op.Scores)
	c := &softList{}
	c.Soft = nmsbox.NewSoft(op.N)
	one := 0.0
	if op.PlusOne {
		one = 1
	}
	m, live := c.Load(boxes, scores, one), 0.0
	p := make([]float64, 8)
	var lanes [16]float64
	for m >= 0 {
		p[0], p[1], p[2], p[3], p[4] = c.X1[m], c.Y1[m], c.X2[m], c.Y2[m], c.Area[m]
		p[5], p[6], p[7] = float64(op.Nt), float64(op.Sigma), float64(op.Threshold)
		c.Score[m] = math.NaN()
		for _, s := range c.Score[:c.N] {
			if s == s {
				live++
			}
		}
		m, _ = c.pass(softPassGo, 0, c.N, p, int(op.Method), &lanes)
	}
	return live
}

// TestSoftSigmaMulAB (NBENCH_SOFT_AB=1; NBENCH_SOFT_REPS as above)
// alternates gaussian soft_nms whose listed rounds divide by sigma (old)
// and multiply by its exact reciprocal (new, softSigmaMul), run by run.
func TestSoftSigmaMulAB(t *testing.T) {
	optInAVX512(t, "NBENCH_SOFT_AB")
	pow2 := softSigmaPow2
	t.Cleanup(func() { softSigmaPow2 = pow2 })
	softAB(t, []string{"N=1000,method=gaussian", "N=5000,method=gaussian", "N=20000,method=gaussian"},
		func(form int) *Backend {
			softSigmaPow2 = func(sigma float64) bool { return form == 1 && pow2(sigma) } // read by Prepare
			return softBackend(t, 1, true)
		})
}

// optInAVX512 skips t, a timing test, unless the environment variable env
// is set (timings are off by default: they take long and assert nothing on
// a shared machine) and the CPU has AVX-512.
func optInAVX512(t *testing.T, env string) {
	if os.Getenv(env) == "" {
		t.Skipf("set %s=1 to run", env)
	}
	if _, avx512, _, _ := features(); !avx512 {
		t.Skip("no AVX-512")
	}
}
