//go:build linux && !purego

package simd

import (
	"runtime"
	"slices"
	"testing"
)

// TestEvoS0Speed times the parts of evonorm_s0 (AVX-512) on its full
// shapes, one thread, thread CPU time, the parts in turn each round on
// rotated buffer sets (256 MB, so inputs come from DRAM unless noted),
// medians: the statistics from DRAM and from L2 (one image again and
// again), the output (streaming) from L2, from L1 and into L1 (its
// arithmetic alone, AVX2 too), a streaming selu from L1 (about the DRAM
// write rate), and the image loop of the kernel (statistics, then output)
// without and with the next image prefetched during the output.
// Off by default: NBENCH_EVOS0=1 go test -run TestEvoS0Speed -v ./backends/simd
func TestEvoS0Speed(t *testing.T) {
	optInAVX512(t, "NBENCH_EVOS0")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	now := ThreadCPU
	for _, sh := range [][3]int{{32, 56 * 56, 64}, {32, 28 * 28, 128}} {
		n, hw, c := sh[0], sh[1], sh[2]
		e, img := n*hw*c, hw*c
		sets, xs, ys, sts := evoSpeedSets(n, hw, c)
		vc, k, b := filled(img, 0.5), filled(img, 1), filled(img, 0.1)
		span := sts[0].rep * c
		// spans runs f over the spans of every image of set s, span o of
		// image i from x at xo(i, o) into y at yo(i, o).
		spans := func(s int, f func(y, x []float32), xo, yo func(i, o int) int) {
			for i := 0; i < n; i++ {
				for o := 0; o < img; o += span {
					f(ys[s][yo(i, o):][:span], xs[s][xo(i, o):][:span])
				}
			}
		}
		own := func(i, o int) int { return i*img + o } // each image in turn
		first := func(_, o int) int { return o }       // image 0 again (L2)
		one := func(int, int) int { return 0 }         // the first span (L1)
		imageLoop := func(s int, prefetch bool) {
			for i := 0; i < n; i++ {
				sts[s].image(i)
				ahead := 0
				if prefetch && i+1 < n {
					ahead = 4 * img
				}
				for o := i * img; o < (i+1)*img; o += span {
					evoS0NTAVX512(ys[s][o:o+span], xs[s][o:o+span], vc, k, b, ahead)
				}
			}
			sfence()
		}
		parts := []struct {
			name string
			f    func(s int)
		}{
			{"statistics DRAM", func(s int) {
				for i := 0; i < n; i++ {
					sts[s].image(i)
				}
			}},
			{"statistics L2", func(s int) {
				for range n {
					sts[s].image(0)
				}
			}},
			{"output L2", func(s int) {
				spans(s, func(y, x []float32) { evoS0NTAVX512(y, x, vc, k, b, 0) }, first, own)
				sfence()
			}},
			{"output L1", func(s int) {
				spans(s, func(y, x []float32) { evoS0NTAVX512(y, x, vc, k, b, 0) }, one, own)
				sfence()
			}},
			{"output L1->L1", func(s int) { spans(s, func(y, x []float32) { evoS0AVX512(y, x, vc, k, b, 0) }, one, one) }},
			{"output L1->L1 AVX2", func(s int) { spans(s, func(y, x []float32) { evoS0AVX2(y, x, vc, k, b, 0) }, one, one) }},
			{"selu L1 (writes)", func(s int) {
				spans(s, func(y, x []float32) { seluNTAVX512(y, x) }, one, own)
				sfence()
			}},
			{"image loop", func(s int) { imageLoop(s, false) }},
			{"image loop, prefetch", func(s int) { imageLoop(s, true) }},
		}
		ts := make([][]float64, len(parts))
		set := 0
		for range 30 {
			for i, p := range parts {
				t0 := now()
				p.f(set)
				ts[i] = append(ts[i], float64(now()-t0))
				set = (set + 1) % sets
			}
		}
		for i, p := range parts {
			s := ts[i][2:]
			slices.Sort(s)
			m := s[len(s)/2]
			t.Logf("N=%d HW=%d C=%d %-22s %7.0f us %6.2f G elements/s", n, hw, c, p.name, m/1e3, float64(e)/m)
		}
	}
}

// TestEvoImagesSpeed times the inference image loop of evonorm_b0 and
// evonorm_s0 (AVX-512, streaming) as the kernels run it on the suite's
// full shapes: per image the statistics (pick), then the output; without
// the output's prefetch of the next image, with it (evoImages), and with
// it and the prefetched images' statistics summed by colShiftSumsL2
// (sumsL2), alternated round by round on rotated buffer sets (256 MB: x
// from DRAM), one thread, thread CPU time, medians.
// Off by default: NBENCH_EVOIMG=1 go test -run TestEvoImagesSpeed -v ./backends/simd
func TestEvoImagesSpeed(t *testing.T) {
	optInAVX512(t, "NBENCH_EVOIMG")
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, sh := range [][3]int{{32, 56 * 56, 64}, {32, 28 * 28, 128}} {
		n, hw, c := sh[0], sh[1], sh[2]
		img := hw * c
		sets, xs, ys, sts := evoSpeedSets(n, hw, c)
		sb, vc, sw, g, b := filled(img, 1), filled(img, 0.5), filled(img, 1), filled(img, 1), filled(img, 0.1)
		span := sts[0].rep * c
		out := map[string]func(y, x []float32, ahead int){
			"b0": func(y, x []float32, ahead int) { evoB0NTAVX512(y, x, sb, vc, sw, g, b, ahead) },
			"s0": func(y, x []float32, ahead int) { evoS0NTAVX512(y, x, vc, g, b, ahead) },
		}
		for _, k := range []string{"b0", "s0"} {
			// form 0: no prefetch; 1: prefetch; 2: prefetch and sumsL2
			imageLoop := func(s int, form int) {
				stats := sts[s].pick()
				for i := 0; i < n; i++ {
					stats(i, form == 2 && i > 0)
					ahead := 0
					if form > 0 && i+1 < n {
						ahead = 4 * img
					}
					for o := i * img; o < (i+1)*img; o += span {
						out[k](ys[s][o:o+span], xs[s][o:o+span], ahead)
					}
				}
				sfence()
			}
			var ts [3][]float64
			set := 0
			for range 30 {
				for form := range ts {
					t0 := ThreadCPU()
					imageLoop(set, form)
					ts[form] = append(ts[form], float64(ThreadCPU()-t0))
					set = (set + 1) % sets
				}
			}
			med := func(s []float64) float64 { s = s[2:]; slices.Sort(s); return s[len(s)/2] }
			o, p, l := med(ts[0]), med(ts[1]), med(ts[2])
			t.Logf("%s N=%d HW=%d C=%d image loop %5.0f us, prefetching the next image %5.0f us (%.3fx), "+
				"and its statistics by colShiftSumsL2 %5.0f us (%.3fx; %.3fx over the prefetch alone)",
				k, n, hw, c, o/1e3, p/1e3, o/p, l/1e3, o/l, p/l)
		}
	}
}

// evoSpeedSets allocates the rotated buffer sets of the EvoNorm speed tests
// (256 MB in all, so x comes from DRAM) and their statistics.
func evoSpeedSets(n, hw, c int) (sets int, xs, ys [][]float32, sts []*evoStats) {
	e := n * hw * c
	sets = max(2, (256<<20)/(8*e))
	xs, ys, sts = make([][]float32, sets), make([][]float32, sets), make([]*evoStats, sets)
	for s := range xs {
		xs[s], ys[s] = alignedF32(e, 64), alignedF32(e, 64)
		for i := range xs[s] {
			xs[s][i] = float32(i%97)*0.03 - 1.4
		}
		sts[s] = newEvoStats(vecAVX512, xs[s], n, hw, c)
	}
	return
}
