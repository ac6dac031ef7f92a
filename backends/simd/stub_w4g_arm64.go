//go:build !purego

package simd

// w4NEON is gemm_w4g with the NEON row kernels of w4g_arm64.s (the w4K
// contract of gemm_w4g.go; meaning = w4RowsGo).
var w4NEON = &w4K{path: "neon", mr: 4, rows: [w4Rows + 1]w4Kern{nil, w4Rows1NEON, w4Rows2NEON, w4Rows3NEON, w4Rows4NEON}}

// w4Rows1NEON .. w4Rows4NEON compute 1..4 output rows of a 4-bit group GEMM
// over n weight rows j:
// y[m*ldy+j] = bias[j] + Σ_{g<ng} s[j*ng+g]*Σ_{i<2gb} X[m, g*2gb+i]*(q[j, g*2gb+i] - z[j*ng+g]),
// with q[j,2i] = qp[j*ng*gb+i]&15 and q[j,2i+1] = qp[j*ng*gb+i]>>4 (gb code
// bytes per group) and X[m] laid out in x[m*ldx:] per group and per 16-byte
// chunk as 16 even-k then 16 odd-k floats (w4Layout).

//go:noescape
func w4Rows1NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)

//go:noescape
func w4Rows2NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)

//go:noescape
func w4Rows3NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)

//go:noescape
func w4Rows4NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)
