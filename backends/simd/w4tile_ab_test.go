//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"testing"
)

// BenchmarkW4TileAB: gemm_w4g's GEMM loop (blocks of w4Block weight rows,
// all rows of X per block) on the four-row dot-product kernels against the
// table tile, one thread, alternated call by call (codes are the bits of
// x's floats): go test -run - -bench W4TileAB.
func BenchmarkW4TileAB(b *testing.B) {
	if levels()[0].w4 != w4AVX512 {
		b.Skip("no AVX-512")
	}
	oldK := &w4K{mr: 4, rows: [w4Rows + 1]w4Kern{nil, w4Rows1AVX512, w4Rows2AVX512, w4Rows3AVX512, w4Rows4AVX512}}
	for _, sh := range []struct{ m, n, k, g int }{{128, 512, 4096, 128}, {16, 2048, 4096, 128}, {128, 512, 4096, 32}, {128, 528, 4096, 128}} {
		M, N, K, G := sh.m, sh.n, sh.k, sh.g
		l := newW4Layout(K, G)
		s, z, bias := filled(N*l.ng, 0.01), make([]byte, N*l.ng), filled(N, 0.5)
		for i := range z {
			z[i] = byte(i % 16)
		}
		xb := make([]float32, M*l.ldx)
		for m := range M {
			l.pack(xb[m*l.ldx:], filled(K, 1+float32(m)/64))
		}
		run := func(k *w4K, xb []float32) func(y, x []float32) {
			return func(y, x []float32) {
				qp := bytesOf(x)
				for n0 := 0; n0 < N; n0 += w4Block {
					cnt := min(w4Block, N-n0)
					for m0 := 0; m0 < M; m0 += k.mr {
						r := min(k.mr, M-m0)
						k.rows[r](y[m0*N+n0:], N, xb[m0*l.ldx:], l.ldx, qp[n0*K/2:], s[n0*l.ng:], z[n0*l.ng:], bias[n0:], cnt, l.gb, l.ng)
					}
				}
			}
		}
		// rows x c floats: y needs M*N, x holds the N*K/2 code bytes.
		c := max(N*K/8/M, N)
		runAB(b, abCase{fmt.Sprintf("M=%d/N=%d/K=%d/G=%d", M, N, K, G), M, c, 2 * M * N * K, run(oldK, xb), run(w4AVX512, xb)}, true)
		if l.gb%64 == 0 {
			xw := make([]float32, M*l.ldx)
			for m := range M {
				l.packWide(xw[m*l.ldx:(m+1)*l.ldx], filled(K, 1+float32(m)/64))
			}
			wk := &w4K{mr: w4AVX512.mr, rows: w4AVX512.wideRows}
			runAB(b, abCase{fmt.Sprintf("wide/M=%d/N=%d/K=%d/G=%d", M, N, K, G), M, c, 2 * M * N * K, run(w4AVX512, xb), run(wk, xw)}, true)
		}
	}
}
