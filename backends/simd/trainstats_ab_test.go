//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"testing"
)

// BenchmarkColStatsAB: the training norms' statistics pass alone over the
// suite's full shapes (DRAM, rotated buffers, one thread): the two-sweep
// centered form (colSum, then colSqDev from cache) against the shifted
// single pass (colShiftSums), the single pass without and with its
// prefetch, and a prefetching read stream (readPF probe) against it:
// go test -run - -bench ColStatsAB -benchtime 2s.
func BenchmarkColStatsAB(b *testing.B) {
	lv := levels()[0]
	v := lv.f
	readPF := readPFPeakAVX2
	if v == vecAVX512 {
		readPF = readPFPeakAVX512
	}
	for _, sh := range []struct{ m, c int }{{32 * 56 * 56, 64}, {8192, 1024}, {64 * 197, 768}} {
		m, c := sh.m, sh.c
		p := newColPlan(m, c)
		pass := func(block func(i int, xb []float32, n, w int)) func(y, x []float32) {
			return func(_, x []float32) {
				for i := range p.parts() {
					r0, n, w := p.block(i)
					block(i, x[r0*c:r0*c+n*w], n, w)
				}
			}
		}
		centered := pass(func(i int, xb []float32, n, w int) {
			s1, s2 := p.s1[i*p.span:i*p.span+w], p.s2[i*p.span:i*p.span+w]
			clear(s1)
			clear(s2)
			v.colSum(s1, xb, w, n)
			for j := range s1 {
				s1[j] /= float32(n)
			}
			v.colSqDev(s2, xb, s1, w, n)
		})
		shift := pass(func(i int, xb []float32, n, w int) {
			o := i * p.span
			v.colShiftSums(p.s1[o:o+w], p.s2[o:o+w], p.sh[o:o+w], xb, w, n, true)
		})
		name := fmt.Sprintf("%dx%d", m, c)
		runAB(b, abCase{"centered-vs-shift/" + name, m, c, 4 * m * c, centered, shift}, false)
		runAB(b, abCase{"readpf-vs-shift/" + name, m, c, 4 * m * c, func(_, x []float32) { readPF(x) }, shift}, false)
	}
}
