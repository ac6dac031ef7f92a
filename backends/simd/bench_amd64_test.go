//go:build !purego

package simd

import "testing"

// Micro-benchmarks of the AVX-512 attention and int8 micro-kernels on
// cache-resident data: go test -run X -bench Micro ./backends/simd

func BenchmarkMicroQK(b *testing.B) {
	s, qt, kt := make([]float32, 6*64), make([]float32, 8*64), make([]float32, 64*64)
	for i := 0; i < b.N; i++ {
		qkTileAVX512(s, qt, kt, 64, 1)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroPV(b *testing.B) {
	o, p, v, c := make([]float32, 6*64), make([]float32, 6*64), make([]float32, 64*64), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		pvTile6x4AVX512(o, 64, p, 64, v, 64, c)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroSoftmax(b *testing.B) {
	s, m, l, c := make([]float32, 6*64), make([]float32, 6), make([]float32, 6), make([]float32, 6)
	for i := 0; i < b.N; i++ {
		softmaxTileAVX512(s, m, l, c)
	}
}

func BenchmarkMicroVNNI(b *testing.B) {
	const K = 4096
	k := w8VNNI512
	x, w := make([]byte, 6*K), make([]byte, 64*K)
	cs, sw, sx, bias, y := make([]int32, 64), make([]float32, 64), make([]float32, 6), make([]float32, 64), make([]float32, 6*64)
	for i := 0; i < b.N; i++ {
		k.tile[6](x, K, w, K/4, cs, sw, sx, bias, y, 64, nil, 0, nil)
	}
	b.ReportMetric(float64(b.N)*6*64*K*2/b.Elapsed().Seconds()/1e9, "GOP/s")
}
