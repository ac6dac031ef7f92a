package simd

import "testing"

func BenchmarkMicroQK(b *testing.B) {
	s := make([]float32, 6*64)
	q := make([]float32, 8*64)
	kt := make([]float32, 64*64)
	for i := 0; i < b.N; i++ {
		qkTileAVX512(s, q, kt, 64, 1)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroPV(b *testing.B) {
	o := make([]float32, 6*64)
	p := make([]float32, 6*64)
	v := make([]float32, 64*64)
	c := make([]float32, 6)
	for i := 0; i < b.N; i++ {
		pvTile6x4AVX512(o, 64, p, 64, v, 64, c)
	}
	b.ReportMetric(float64(b.N)*6*64*64*2/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMicroSoftmax(b *testing.B) {
	s := make([]float32, 6*64)
	m := make([]float32, 6)
	l := make([]float32, 6)
	c := make([]float32, 6)
	for i := 0; i < b.N; i++ {
		softmaxTileAVX512(s, m, l, c)
	}
}
