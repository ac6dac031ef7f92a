//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"testing"
)

// BenchmarkColStatsAB: the training norms' statistics pass alone over the
// suite's full shapes (DRAM, rotated buffers, one thread): the two-sweep
// centered form (colSum, then colSqDev from cache) against the shifted
// single pass (colShiftSums), the single pass and its merge with the
// merge in Go against the level's, and the prefetching read stream
// (readPF probe) against the single pass:
// go test -run - -bench ColStatsAB -benchtime 2s.
func BenchmarkColStatsAB(b *testing.B) {
	v := supported()[0].f
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
		withMerge := func(merge mergeFn) func(y, x []float32) {
			return func(y, x []float32) {
				shift(y, x)
				p.shiftMerge = merge
				p.mergeCentered(0, c)
			}
		}
		name := fmt.Sprintf("%dx%d", m, c)
		runAB(b, abCase{"gomerge-vs-merge/" + name, m, c, 4 * m * c, withMerge(mergeShiftedGo), withMerge(v.mergeShifted)}, false)
		runAB(b, abCase{"centered-vs-shift/" + name, m, c, 4 * m * c, centered, shift}, false)
		runAB(b, abCase{"readpf-vs-shift/" + name, m, c, 4 * m * c, func(_, x []float32) { readPF(x) }, shift}, false)
	}
}

// BenchmarkColAffineAB: batchnorm_train's output pass alone (the
// streaming centerAffine over calls of aspan elements) against the
// prefetching streaming copy probe (copyNTPF), DRAM, one thread:
// go test -run - -bench ColAffineAB -benchtime 2s.
func BenchmarkColAffineAB(b *testing.B) {
	v := supported()[0].f
	k := ntOf(v)
	copyNT := copyNTPFPeakAVX2
	if v == vecAVX512 {
		copyNT = copyNTPFPeakAVX512
	}
	for _, sh := range []struct{ m, c int }{{32 * 56 * 56, 64}, {8192, 1024}} {
		m, c := sh.m, sh.c
		p := newColPlan(m, c)
		mu, a, bb := filled(p.aspan, 0.1), filled(p.aspan, 1.1), filled(p.aspan, 0.2)
		affine := func(y, x []float32) {
			for e := 0; e < len(x); e += p.aspan {
				f := min(len(x), e+p.aspan)
				k.centerAffine(y[e:f], x[e:f], mu, a, bb)
			}
			sfence()
		}
		runAB(b, abCase{fmt.Sprintf("copyntpf-vs-affine/%dx%d", m, c), m, c, 8 * m * c,
			func(y, x []float32) { copyNT(y, x); sfence() }, affine}, false)
	}
}
