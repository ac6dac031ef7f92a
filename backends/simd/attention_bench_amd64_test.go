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

// BenchmarkMicroAttnRun runs the whole-tile loop of one 6-row block over
// 8 key tiles in cache (D = Dv = 64 and 128), as the driver's run calls.
func BenchmarkMicroAttnRun(b *testing.B) {
	for _, c := range []struct {
		name string
		d    int
		pipe bool
	}{{"D64", 64, false}, {"D64pipe", 64, true}, {"D128", 128, false}, {"D128pipe", 128, true}} {
		d := c.d
		b.Run(c.name, func(b *testing.B) {
			const n = 8
			s, q, kt := make([]float32, 864), make([]float32, 6*d), make([]float32, n*d*64)
			st, corr, o, v := make([]float32, 32), make([]float32, 32), make([]float32, 6*d), make([]float32, n*64*d)
			for i := range q {
				q[i] = float32(i%7) * 0.01
			}
			for i := range kt {
				kt[i] = float32(i%13) * 0.01
			}
			for i := range 16 {
				st[i] = -1e30
			}
			for i := 0; i < b.N; i++ {
				if c.pipe {
					attnRunPipeAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64, 0, nil, 0, nil)
				} else {
					attnRunAVX512(s, q, d, kt, d, 0.125, st, corr, o, d, v, d, n, d/64)
				}
			}
			b.ReportMetric(float64(b.N)*n*6*64*float64(4*d+5)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
