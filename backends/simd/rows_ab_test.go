//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"unsafe"
)

// abCase is one A/B comparison: old and new forms of a routine on rows x
// rows of c elements of x and y (rotated over buffer sets beyond 256 MiB
// for DRAM-resident data, or one set for in-cache data).
type abCase struct {
	name     string
	rows, c  int
	bytes    int // minimal traffic per call
	old, new func(y, x []float32)
}

// abSets is an A/B's count of buffer sets, odd where more than one: the
// forms alternate and the set moves on after each run, so with an even
// count each form would keep to its own half of the sets, whose speeds
// differ (up to 1.2x seen on evonorm_b0's full shape: buffers placed
// differently in memory).
func abSets(sets int) int {
	if sets > 1 && sets%2 == 0 {
		return sets + 1
	}
	return sets
}

// runAB alternates the two forms call by call on one locked thread and
// reports the median thread CPU time of each as GB/s and new's speedup.
func runAB(b *testing.B, cs abCase, inCache bool) {
	n := cs.rows * cs.c
	sets := abSets(max(2, (256<<20)/(8*n)))
	if inCache {
		sets = 1
	}
	xs, ys := make([][]float32, sets), make([][]float32, sets)
	for i := range xs {
		xs[i], ys[i] = alignedF32(n, 64), alignedF32(n, 64)
		for j := range xs[i] {
			xs[i][j] = float32(j%97)*0.03 - 1.4
		}
	}
	b.Run(cs.name, func(b *testing.B) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var ts [2][]float64
		set := 0
		for b.Loop() {
			for form, f := range []func(y, x []float32){cs.old, cs.new} {
				t0 := int64(ThreadCPU())
				f(ys[set], xs[set])
				ts[form] = append(ts[form], float64(int64(ThreadCPU())-t0))
				if !inCache {
					set = (set + 1) % sets
				}
			}
		}
		med := func(s []float64) float64 { slices.Sort(s); return s[len(s)/2] }
		o, nw := med(ts[0]), med(ts[1])
		b.ReportMetric(float64(cs.bytes)/o, "oldGB/s")
		b.ReportMetric(float64(cs.bytes)/nw, "newGB/s")
		b.ReportMetric(o/nw, "speedup")
	})
}

// BenchmarkRowsAB compares the row routines with their previous forms on
// the suite's full shapes (DRAM) and on small in-cache shapes, one
// thread, thread CPU time, alternated call by call:
// go test -run - -bench RowsAB -benchtime 2s.
func BenchmarkRowsAB(b *testing.B) {
	v := supported()[0].f
	for _, sh := range []struct {
		rows, c int
		cache   bool
	}{{2048, 4095, false}, {2048, 8191, false}, {12608, 767, false}, {64, 767, true}, {16, 4095, true}} {
		rows, c := sh.rows, sh.c
		g := filled(c, 1.25)
		inv := 1 / float32(c+1)
		nt := streaming(v, 8*rows*c)
		if sh.cache {
			nt = nil
		}
		oldNT := nt
		if c < 1024 {
			oldNT = nil
		}
		f, fnt := crmsRowsOf(v)
		ahead := 0
		if c > 4096 {
			ahead = 2
		}
		if nt != nil {
			f = fnt
		}
		old := func(y, z []float32) {
			for r := range rows {
				zr, yr := z[r*c:(r+1)*c], y[r*c:(r+1)*c]
				s, q := v.sum(zr), v.sumSq(zr)
				rs, h := rsqrt32((q+s*s)*inv+1e-5), oldNT.head(yr)
				v.scaleMul(yr[:h], zr[:h], g[:h], rs)
				if h < c {
					oldNT.scaleMul(yr[h:], zr[h:], g[h:], rs)
				}
			}
			oldNT.fence()
		}
		nw := func(y, z []float32) {
			f(y, z, g, rows, c, ahead, inv, 1e-5)
			nt.fence()
		}
		runAB(b, abCase{fmt.Sprintf("crmsnorm/%dx%d", rows, c), rows, c, 8 * rows * c, old, nw}, sh.cache)

	}
}

// BenchmarkNormRowsAB: layerNormRows and rmsNormRows, plain against
// streaming, on the suite's shapes (DRAM, rotated buffers).
func BenchmarkNormRowsAB(b *testing.B) {
	v := supported()[0].f
	k := ntOf(v)
	for _, sh := range []struct{ rows, c int }{{4096, 1024}, {12608, 768}, {2048, 4096}, {2048, 8192}} {
		rows, c := sh.rows, sh.c
		g, bb := filled(c, 1.25), filled(c, 0.5)
		inv := 1 / float32(c)
		runAB(b, abCase{fmt.Sprintf("layernorm-plain-nt/%dx%d", rows, c), rows, c, 8 * rows * c,
			func(y, x []float32) { fusedLayerNorm(v)(y, x, g, bb, rows, c, inv, 1e-5, 1) },
			func(y, x []float32) { k.layerNormRows(y, x, g, bb, rows, c, inv, 1e-5, 1); sfence() }}, false)
		runAB(b, abCase{fmt.Sprintf("rmsnorm-plain-nt/%dx%d", rows, c), rows, c, 8 * rows * c,
			func(y, x []float32) { fusedRMSNorm(v)(y, x, g, rows, c, inv, 1e-5, 1) },
			func(y, x []float32) { k.rmsNormRows(y, x, g, rows, c, inv, 1e-5, 1); sfence() }}, false)
	}
}

// BenchmarkUnitGAB: the streaming layernorm and rmsnorm rows given a row
// of ones for g against the unit-g rows (unitGRowsOf), which read no g,
// on the suite's shapes (DRAM, rotated buffers).
func BenchmarkUnitGAB(b *testing.B) {
	v := supported()[0].f
	k, u := ntOf(v), unitGRowsOf(v)
	if k == nil || u == nil {
		b.Skip("no streaming or unit-g rows on this level")
	}
	for _, sh := range []struct{ rows, c int }{{2048, 8192}, {2048, 4096}, {12608, 768}, {4096, 1024}} {
		rows, c := sh.rows, sh.c
		ones, bb := filled(c, 1), filled(c, 0.5)
		inv := 1 / float32(c)
		runAB(b, abCase{fmt.Sprintf("layernorm-ones-unitg/%dx%d", rows, c), rows, c, 8 * rows * c,
			func(y, x []float32) { k.layerNormRows(y, x, ones, bb, rows, c, inv, 1e-6, 1); sfence() },
			func(y, x []float32) { u.lnNT(y, x, nil, bb, rows, c, inv, 1e-6, 1); sfence() }}, false)
		runAB(b, abCase{fmt.Sprintf("rmsnorm-ones-unitg/%dx%d", rows, c), rows, c, 8 * rows * c,
			func(y, x []float32) { k.rmsNormRows(y, x, ones, rows, c, inv, 1e-6, 0.8); sfence() },
			func(y, x []float32) { u.rmsNT(y, x, nil, rows, c, inv, 1e-6, 0.8); sfence() }}, false)
	}
}

func BenchmarkLNCacheAB(b *testing.B) {
	v := supported()[0].f
	for _, sh := range []struct{ rows, c int }{{8, 8192}, {16, 4096}, {64, 1024}, {2, 8192}} {
		rows, c := sh.rows, sh.c
		g, bb := filled(c, 1.25), filled(c, 0.5)
		inv := 1 / float32(c)
		runAB(b, abCase{fmt.Sprintf("ln-vs-rms/%dx%d", rows, c), rows, c, 8 * rows * c,
			func(y, x []float32) { fusedLayerNorm(v)(y, x, g, bb, rows, c, inv, 1e-5, 1) },
			func(y, x []float32) { fusedRMSNorm(v)(y, x, g, rows, c, inv, 1e-5, 1) }}, true)
	}
}

// BenchmarkW4AB: quantize_w4g's row loop with the Go group parameters
// against the vector ones (Qp written into y's memory).
func BenchmarkW4AB(b *testing.B) {
	qk := supported()[0].q
	vp := w4ParamsOf(qk)
	if vp == nil {
		b.Skip("no vector group parameters")
	}
	for _, sh := range []struct {
		n, k, g int
		sym     bool
		cache   bool
	}{{4096, 4096, 128, false, false}, {4096, 11008, 128, true, false}, {16, 4096, 128, false, true}, {16, 4096, 32, false, true}} {
		n, k, g, sym := sh.n, sh.k, sh.g, sh.sym
		ng := k / g
		keys, inv, zs := make([]int32, 2*ng), make([]float32, ng), make([]int32, ng)
		s, z := make([]float32, n*ng), make([]byte, n*ng)
		run := func(params w4ParamsFn) func(y, x []float32) {
			return func(y, w []float32) {
				qp := unsafe.Slice((*byte)(unsafe.Pointer(&y[0])), n*k/2)
				for r := range n {
					row := w[r*k : (r+1)*k]
					qk.w4Range(keys, row, g)
					params(keys, s[r*ng:(r+1)*ng], inv, zs, z[r*ng:(r+1)*ng], sym)
					qk.w4Pack(qp[r*k/2:(r+1)*k/2], row, inv, zs, g)
				}
			}
		}
		runAB(b, abCase{fmt.Sprintf("w4params/%dx%d/g%d/sym=%v", n, k, g, sym), n, k, n*k*4 + n*k/2 + 5*n*ng,
			run(w4ParamsGo), run(vp)}, sh.cache)
	}
}

func bytesOf(y []float32) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(&y[0])), 4*len(y)) }

func int8sOf(b []byte) []int8 { return unsafe.Slice((*int8)(unsafe.Pointer(&b[0])), len(b)) }

// BenchmarkW4GemvAB: gemm_w4g's GEMV (M = 1) on the one-row GEMM kernel
// in blocks of 64 weight rows (the path before the GEMV kernels) against
// the GEMV kernels (wide where gb allows, as the driver picks), on the suite's full shapes (codes rotated from DRAM)
// and in cache; the codes are the bits of x's floats.
func BenchmarkW4GemvAB(b *testing.B) {
	k := supported()[0].w4
	if k == nil || k.gemv4 == nil {
		b.Skip("no GEMV kernels")
	}
	for _, sh := range []struct {
		n, k, g int
		cache   bool
	}{{4096, 4096, 128, false}, {11008, 4096, 128, false}, {4096, 4096, 32, false}, {64, 4096, 128, true}, {64, 4096, 32, true}} {
		N, K, G := sh.n, sh.k, sh.g
		l := newW4Layout(K, G)
		s, z, bias := filled(N*l.ng, 0.01), make([]byte, N*l.ng), filled(N, 0.5)
		for i := range z {
			z[i] = byte(i % 16)
		}
		xb := make([]float32, l.ldx)
		l.pack(xb, filled(K, 1))
		old := func(y, x []float32) {
			qp := bytesOf(x)
			for n0 := 0; n0 < N; n0 += w4Block {
				cnt := min(w4Block, N-n0)
				k.rows[1](y[n0:], N, xb, l.ldx, qp[n0*K/2:], s[n0*l.ng:], z[n0*l.ng:], bias[n0:], cnt, l.gb, l.ng)
			}
		}
		g4, g1, xg := k.gemv4, k.gemv1, xb
		if l.gb%64 == 0 && k.gemvWide4 != nil {
			g4, g1, xg = k.gemvWide4, k.gemvWide1, make([]float32, l.ldx)
			l.packWide(xg, filled(K, 1))
		}
		gemv := func(y, x []float32) {
			qp, n4 := bytesOf(x), N&^3
			g4(y, xg, qp, s, z, bias, n4, l.gb, l.ng)
			g1(y[n4:], xg, qp[n4*K/2:], s[n4*l.ng:], z[n4*l.ng:], bias[n4:], N-n4, l.gb, l.ng)
		}
		runAB(b, abCase{fmt.Sprintf("gemv/N=%d/K=%d/G=%d", N, K, G), N, K / 8, N*K/2 + 5*N*l.ng, old, gemv}, sh.cache)
	}
}

// BenchmarkGemvAB: gemm_f32's GEMV, the one-row tile (prefetching behind
// its own loads) against the gemv form prefetching gf32GemvPF ahead, and
// the two-stream read probe against the gemv form, on W of N=4096 and
// 11008 by K=4096 panels (DRAM, rotated), on each path with a gemv form.
func BenchmarkGemvAB(b *testing.B) {
	seen := map[*gf32K]bool{}
	for _, l := range levels() {
		k := gf32Of(l)
		if k == nil || k.gemv == nil || seen[k] {
			continue
		}
		seen[k] = true
		for _, n := range []int{4096, 11008} {
			K, nr := 4096, k.nr
			panels := (n + nr - 1) / nr
			x, bias, y := filled(K, 0.5), make([]float32, panels*nr), make([]float32, panels*nr)
			run := func(tile gf32Tile, dist int) func(_, w []float32) {
				return func(_, w []float32) {
					for p := range panels {
						o := p * nr * K
						tile(y[p*nr:], nr, bias[p*nr:], 0, x, 1, w[o:], K, w[min(o+dist, len(w)):])
					}
				}
			}
			old, nw := run(k.tile[1], 0), run(k.gemv, gf32GemvPF/4)
			read := func(_, w []float32) { readStreams2PeakAVX2(w) }
			if k.path == "avx512" {
				read = func(_, w []float32) { readStreams2PeakAVX512(w) }
			}
			sz := panels * nr * K
			runAB(b, abCase{fmt.Sprintf("%s/tile-gemv/N=%d", k.path, n), 1, sz, 4 * sz, old, nw}, false)
			runAB(b, abCase{fmt.Sprintf("%s/read2-gemv/N=%d", k.path, n), 1, sz, 4 * sz, read, nw}, false)
		}
	}
}
