//go:build !purego

package simd

import (
	"fmt"
	"testing"
)

// Micro-benchmarks of the NEON attention and 4-bit GEMM micro-kernels on
// cache-resident data: go test -run X -bench Micro ./backends/simd (on an
// arm64 machine; timings under qemu mean nothing).

func BenchmarkMicroQK(b *testing.B) {
	s, qt, kt := make([]float32, 6*64), make([]float32, 8*64), make([]float32, 64*64)
	for i := 0; i < b.N; i++ {
		qkTileNEON(s, qt, kt, 64, 1)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroPV(b *testing.B) {
	o, p, v, c := make([]float32, 6*64), make([]float32, 6*64), make([]float32, 64*64), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		pvTile6x4NEON(o, 64, p, 64, v, 64, c)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroSoftmax(b *testing.B) {
	s, m, l, c := make([]float32, 6*64), make([]float32, 6), make([]float32, 6), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		softmaxTileNEON(s, m, l, c)
	}
}

// BenchmarkMicroW4: 64 weight rows of K = 4096, G = 128 against 1 and 4
// rows of X (codes in L2, X in L1).
func BenchmarkMicroW4(b *testing.B) {
	const n, K, G = 64, 4096, 128
	l := newW4Layout(K, G)
	qp, z := make([]byte, n*K/2), make([]byte, n*l.ng)
	s, bias, x, y := make([]float32, n*l.ng), make([]float32, n), make([]float32, 4*l.ldx), make([]float32, 4*n)
	for _, rows := range []int{1, 4} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w4NEON.rows[rows](y, n, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng)
			}
			b.ReportMetric(float64(b.N)*float64(rows*n*K*2)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
