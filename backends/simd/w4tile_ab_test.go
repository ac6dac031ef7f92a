//go:build linux && amd64 && !purego

package simd

import (
	"fmt"
	"testing"
)

// BenchmarkW4TileAB: gemm_w4g's GEMM loop (blocks of w4Block weight rows,
// all rows of X per block) on the AVX-512 tile, the 16-byte form against
// the wide form, one thread, alternated call by call, codes (the bits of
// x's floats) in L2 as in the driver's blocks: go test -run - -bench
// W4TileAB. (The four-row dot-product kernels this tile replaced measured
// 0.55-0.62x of the 16-byte form here: commit 2e7398d.)
func BenchmarkW4TileAB(b *testing.B) {
	k := supported()[0].w4
	if k == nil || k.wideTabRows[1] == nil {
		b.Skip("no wide row kernels")
	}
	for _, sh := range []struct{ m, n, k, g int }{{128, 512, 4096, 128}, {16, 2048, 4096, 128}, {128, 528, 4096, 128}} {
		M, N, K, G := sh.m, sh.n, sh.k, sh.g
		l := newW4Layout(K, G)
		s, z, bias := filled(N*l.ng, 0.01), make([]byte, N*l.ng), filled(N, 0.5)
		for i := range z {
			z[i] = byte(i % 16)
		}
		xb, xw := make([]float32, M*l.ldx), make([]float32, M*l.ldx)
		for m := range M {
			xr := filled(K, 1+float32(m)/64)
			l.pack(xb[m*l.ldx:(m+1)*l.ldx], xr)
			l.packWide(xw[m*l.ldx:(m+1)*l.ldx], xr)
		}
		tab := make([]float32, w4Block*l.ng*16)
		run := func(rows *[w4Rows + 1]w4TabKern, xb []float32) func(y, x []float32) {
			return func(y, x []float32) {
				qp := bytesOf(x)
				for n0 := 0; n0 < N; n0 += w4Block {
					cnt := min(w4Block, N-n0)
					k.tables(tab[:cnt*l.ng*16], s[n0*l.ng:(n0+cnt)*l.ng], z[n0*l.ng:(n0+cnt)*l.ng])
					for m0 := 0; m0 < M; m0 += k.mr {
						r := min(k.mr, M-m0)
						rows[r](y[m0*N+n0:], N, xb[m0*l.ldx:], l.ldx, qp[n0*K/2:], tab, bias[n0:], cnt, l.gb, l.ng)
					}
				}
			}
		}
		// rows x c floats: y needs M*N, x holds the N*K/2 code bytes.
		c := max(N*K/8/M, N)
		runAB(b, abCase{fmt.Sprintf("wide/M=%d/N=%d/K=%d/G=%d", M, N, K, G), M, c, 2 * M * N * K,
			run(&k.tabRows, xb), run(&k.wideTabRows, xw)}, true)
	}
}
