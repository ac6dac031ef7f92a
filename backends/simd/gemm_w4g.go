package simd

import (
	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// gemm_w4g (KERNELS.md 3.2): 4-bit group-quantized weights times float X,
// GEMV (M = 1) and GEMM. The codes are unpacked in registers (no
// dequantized copy of W): Run lays X out once per call so that the low
// nibbles (even k) and the high nibbles (odd k) of 16 code bytes meet 16
// even and 16 odd values of X. The AVX2 and NEON micro-kernels compute up
// to four rows of X per pass over a weight row, subtracting the zero point
// from the codes as integers (so a code at its zero point adds exactly 0).
// AVX-512 dequantizes through 16-entry tables of (c - z)*s per weight row
// and group, built once per block of weight rows (w4Tables) for all the
// passes over X: eight rows of X against three weight rows (meaning
// w4TabGo; the wide GEMV's layout of X where gb allows). At M = 1 (the
// decode GEMV) the level's gemv kernels instead read four weight rows per
// pass with a table per row and group built in registers
// (w4Gemv4AVX512): each table serves one pass there.

// w4Kern computes rows (1..mr) rows of Y over n weight rows; see the doc
// of w4Rows1AVX2 for the exact meaning, and w4RowsGo.
type w4Kern func(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)

// w4Gemv is the GEMV kernel (one row of X laid out as w4Layout.pack does)
// over n weight rows, n a multiple of its row count; see the doc of
// w4Gemv4AVX512, and w4GemvGo.
type w4Gemv func(y, x []float32, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)

// w4TabKern is a table tile: rows (1..mr) rows of Y over n weight rows,
// the weights read from tab, 16 floats per weight row and group (see
// w4Tables); see the doc of w4Tab1AVX512, and w4TabGo.
type w4TabKern func(y []float32, ldy int, x []float32, ldx int, qp []byte, tab []float32, bias []float32, n, gb, ng int)

type w4K struct {
	path string
	mr   int // rows of X per pass: rows[1..mr] (or tabRows) are set
	rows [w4Rows + 1]w4Kern
	// splitRows (optional) run instead of rows where a group holds at
	// least w4SplitGB code bytes (see w4RowsSplit1AVX2).
	splitRows [w4Rows + 1]w4Kern
	// tables, where set, writes the dequantization tables of a block of
	// weight rows, tab[16i+c] = float32(c - z[i])*s[i] (meaning
	// w4TablesGo), and tabRows run M > 1 on them instead of rows;
	// wideTabRows (optional) instead where gb is a multiple of 64, on X
	// laid out by w4Layout.packWide.
	tables               func(tab, s []float32, z []byte)
	tabRows, wideTabRows [w4Rows + 1]w4TabKern
	// gemv4 and gemv1 (4 and 1 weight rows per pass), where the level has
	// them, run M = 1; gemvWide4 and gemvWide1 (optional) instead where gb
	// is a multiple of 64, on X laid out by w4Layout.packWide.
	gemv4, gemv1         w4Gemv
	gemvWide4, gemvWide1 w4Gemv
}

const (
	w4Rows = 8 // the most rows of X per pass of any level
	// Weight rows per block: their codes (and tables) stay in L2 across the
	// row blocks of X. A multiple of the AVX-512 tile's 3 weight rows
	// (1.03-1.04x over 64 there, Zen 5; the AVX2 kernels measured the same
	// at 48, 64 and 96).
	w4Block = 48
	// w4SplitGB: the group size (code bytes) from which splitRows pay.
	w4SplitGB = 32
)

func init() { register("gemm_w4g", prepareGemmW4G, func(l *level) bool { return l.w4 != nil }) }

func prepareGemmW4G(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.GemmW4G)
	if b.lv.w4 == nil {
		return b.pure.Prepare(op)
	}
	return newGemmW4G(b, b.lv.w4, &op), nil
}

// w4Layout is the per-row layout of X the kernels read.
type w4Layout struct{ K, G, gb, ng, chunks, ldx int }

func newW4Layout(K, G int) w4Layout {
	gb := G / 2
	l := w4Layout{K: K, G: G, gb: gb, ng: K / G, chunks: (gb + 15) / 16}
	l.ldx = l.ng * l.chunks * 32
	return l
}

// pack writes X row x into dst (ldx floats, padding left zero).
func (l w4Layout) pack(dst, x []float32) {
	for g := range l.ng {
		for i := range l.gb {
			k := g*l.G + 2*i
			at := (g*l.chunks+i/16)*32 + i%16
			dst[at], dst[at+16] = x[k], x[k+1]
		}
	}
}

// packWide writes X row x for the wide GEMV kernels (gb a multiple of 64):
// per 64 code bytes, 8 phases of 16 floats, phase p holding code p of each
// dword of codes.
func (l w4Layout) packWide(dst, x []float32) { wqLayout(dst, x, l.gb/4, 8) }

func newGemmW4G(b *Backend, k *w4K, op *kernel.GemmW4G) kernel.Bound {
	M, N, K := op.M, op.N, op.K
	l := newW4Layout(K, op.Group)
	x, y := kernel.F32s(op.X), kernel.F32s(op.Y)
	qp, s, z := kernel.U8s(op.Qp), kernel.F32s(op.S), kernel.U8s(op.Z)
	bias := kernel.F32s(op.Bias)
	if bias == nil {
		bias = make([]float32, N)
	}
	if M == 0 || N == 0 {
		return bound(k.path, func() {})
	}
	xb := make([]float32, M*l.ldx)
	pack := l.pack
	gemv4, gemv1 := k.gemv4, k.gemv1
	kr, kt := &k.rows, &k.tabRows
	if l.gb >= w4SplitGB {
		kr = k.splitOr()
	}
	if M != 1 {
		gemv4 = nil
		if l.gb%64 == 0 && k.wideTabRows[1] != nil {
			pack, kt = l.packWide, &k.wideTabRows
		}
	} else if l.gb%64 == 0 && k.gemvWide4 != nil {
		pack, gemv4, gemv1 = l.packWide, k.gemvWide4, k.gemvWide1
	}
	// One block's tables per worker (w4Block x ng tables of 64 bytes).
	var tabs pool[[]float32]
	if k.tables != nil && gemv4 == nil {
		tabs = newPool(b.threads, func() *[]float32 {
			t := make([]float32, min(w4Block, N)*l.ng*16)
			return &t
		})
	}
	prep := func(lo, hi int) {
		for m := lo; m < hi; m++ {
			pack(xb[m*l.ldx:(m+1)*l.ldx], x[m*K:(m+1)*K])
		}
	}
	rows := func(lo, hi int) {
		if gemv4 != nil {
			n4 := lo + (hi-lo)&^3
			gemv4(y[lo:], xb, qp[lo*K/2:], s[lo*l.ng:], z[lo*l.ng:], bias[lo:], n4-lo, l.gb, l.ng)
			gemv1(y[n4:], xb, qp[n4*K/2:], s[n4*l.ng:], z[n4*l.ng:], bias[n4:], hi-n4, l.gb, l.ng)
			return
		}
		var tab *[]float32
		if tabs != nil {
			tab = <-tabs
			defer func() { tabs <- tab }()
		}
		for n0 := lo; n0 < hi; n0 += w4Block {
			cnt := min(w4Block, hi-n0)
			if tab != nil {
				t := (*tab)[:cnt*l.ng*16]
				k.tables(t, s[n0*l.ng:(n0+cnt)*l.ng], z[n0*l.ng:(n0+cnt)*l.ng])
				for m0 := 0; m0 < M; m0 += k.mr {
					r := min(k.mr, M-m0)
					kt[r](y[m0*N+n0:], N, xb[m0*l.ldx:], l.ldx, qp[n0*K/2:], t, bias[n0:], cnt, l.gb, l.ng)
				}
				continue
			}
			for m0 := 0; m0 < M; m0 += k.mr {
				r := min(k.mr, M-m0)
				kr[r](y[m0*N+n0:], N, xb[m0*l.ldx:], l.ldx, qp[n0*K/2:], s[n0*l.ng:], z[n0*l.ng:],
					bias[n0:], cnt, l.gb, l.ng)
			}
		}
	}
	return bound(k.path, func() {
		par.For(M, b.threads, par.Grain(2*K, 1<<16), prep)
		par.For(N, b.threads, par.Grain(M*K, 1<<17), rows)
	})
}

// splitOr is rows with splitRows where set.
func (k *w4K) splitOr() *[w4Rows + 1]w4Kern {
	out := k.rows
	for r, f := range k.splitRows {
		if f != nil {
			out[r] = f
		}
	}
	return &out
}

// w4RowsGo is the Go twin of the micro-kernels (the meaning of the assembly).
func w4RowsGo(rows int) w4Kern {
	return func(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int) {
		chunks := (gb + 15) / 16
		for j := range n {
			for m := range rows {
				var acc float32
				for g := range ng {
					var dot float32
					zp := int32(z[j*ng+g])
					for i := range gb {
						c := qp[(j*ng+g)*gb+i]
						at := m*ldx + (g*chunks+i/16)*32 + i%16
						dot += x[at]*float32(int32(c&15)-zp) + x[at+16]*float32(int32(c>>4)-zp)
					}
					acc += s[j*ng+g] * dot
				}
				y[m*ldy+j] = acc + bias[j]
			}
		}
	}
}

// w4TablesGo is the twin of w4TablesAVX512: tab[16i+c] = float32(c -
// z[i])*s[i], the GEMV's dequantized weights.
func w4TablesGo(tab, s []float32, z []byte) {
	for i, sg := range s {
		zp := int32(z[i])
		for c := range int32(16) {
			tab[16*i+int(c)] = float32(c-zp) * sg
		}
	}
}

// w4TabGo is the Go twin of the table tiles (w4Tab1AVX512): per row of X
// the GEMV's meaning, the weights read from the tables.
func w4TabGo(rows int) w4TabKern {
	return func(y []float32, ldy int, x []float32, ldx int, qp []byte, tab []float32, bias []float32, n, gb, ng int) {
		chunks := (gb + 15) / 16
		for m := range rows {
			for j := range n {
				var acc float32
				for g := range ng {
					t := tab[16*(j*ng+g):][:16]
					for i := range gb {
						c := qp[(j*ng+g)*gb+i]
						at := m*ldx + (g*chunks+i/16)*32 + i%16
						acc += x[at]*t[c&15] + x[at+16]*t[c>>4]
					}
				}
				y[m*ldy+j] = acc + bias[j]
			}
		}
	}
}

// w4GemvGo is the Go twin of the GEMV kernels: per weight row and group the
// weights are dequantized to float32 (c - z)*s, exactly 0 at the zero point
// (the tables' values), and summed as the table tiles' twin sums one row.
func w4GemvGo(y, x []float32, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int) {
	tab := make([]float32, 16*n*ng)
	w4TablesGo(tab, s[:n*ng], z[:n*ng])
	w4TabGo(1)(y, 0, x, 0, qp, tab, bias, n, gb, ng)
}
