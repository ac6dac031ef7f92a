//go:build !purego

package simd

import "testing"

// Micro-benchmarks of the AVX2 attention micro-kernels on cache-resident
// data (compare with BenchmarkMicroQK etc.): go test -run X -bench MicroAVX2 ./backends/simd

func BenchmarkMicroAVX2QK(b *testing.B) {
	s, qt, kt := make([]float32, 6*64), make([]float32, 8*64), make([]float32, 64*64)
	for i := 0; i < b.N; i++ {
		qkTileAVX2(s, qt, kt, 64, 1)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroAVX2PV(b *testing.B) {
	o, p, v, c := make([]float32, 6*64), make([]float32, 6*64), make([]float32, 64*64), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		pvTile6x4AVX2(o, 64, p, 64, v, 64, c)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroAVX2Softmax(b *testing.B) {
	s, m, l, c := make([]float32, 6*64), make([]float32, 6), make([]float32, 6), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		softmaxTileAVX2(s, m, l, c)
	}
}
