package simd

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// repquant_ln_linear (KERNELS.md 3.4): LN with the level's row primitives
// (norms.go), the per-tensor quantizer, then the Linear on the attention
// QK^T micro-kernel: Y = dt * (q - zt) W'^T + bias'. W' is float32, so the
// int8 GEMM tiles do not apply (quantizing W' would break the normwise 1e-5
// check); the codes minus zt are small integers, exact in float32, and dt
// scales each tile's sums once. Prepare packs W' into panels of attnKeys
// columns [C][64] (zero padded); Run lays the codes of each block of
// attnRows rows out as [C][8] (the qk tile's query layout), then runs
// panels in parallel, each over every row block.

func init() {
	register("repquant_ln_linear", prepareRepQuantLNLinear, func(l *level) bool { return l.attn != nil })
}

func prepareRepQuantLNLinear(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantLNLinear)
	ak := b.lv.attn
	if ak == nil {
		return b.pure.Prepare(op)
	}
	M, C, N := op.M, op.C, op.N
	v := b.lv.f
	x, gm, bt, q := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.U8s(op.Q)
	y := kernel.F32s(op.Y)
	panels, blocks := (N+attnKeys-1)/attnKeys, (M+attnRows-1)/attnRows
	w := kernel.F32s(op.W)
	wp := make([]float32, panels*C*attnKeys)
	for n := range N {
		p, j := n/attnKeys, n%attnKeys
		for c, wv := range w[n*C : (n+1)*C] {
			wp[(p*C+c)*attnKeys+j] = wv
		}
	}
	bias := make([]float32, panels*attnKeys)
	copy(bias, kernel.F32s(op.Bias))
	xq := make([]float32, blocks*C*8) // per block [C][8]: q - zt (rows past M stay 0)
	qmax, zt, dt := int32(1)<<op.Bits-1, op.Zt, op.Dt
	inv := 1 / dt
	// t is clamped before rounding to where the code clamps anyway (and
	// into rneInt's range), as in the pure-Go kernel.
	tlo, thi := float32(-zt-1), float32(qmax-zt+1)
	type scratch struct{ t, s []float32 }
	pool := newPool(b.threads, func() *scratch {
		return &scratch{t: make([]float32, C), s: make([]float32, attnRows*attnKeys)}
	})
	cinv := 1 / float32(C)
	lnRows := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for m := lo; m < hi; m++ {
			xr := x[m*C : (m+1)*C]
			mu := v.sum(xr) * cinv
			variance := v.sumSqDev(xr, mu) * cinv
			v.normAffine(sc.t, xr, gm, bt, mu, rsqrt32(variance+op.Eps))
			dst := xq[(m/attnRows)*C*8+m%attnRows:]
			dst = dst[:8*(C-1)+1]
			for c, tv := range sc.t {
				tv = min(max(tv*inv, tlo), thi)
				code := min(max(rneInt(tv)+zt, 0), qmax)
				if q != nil {
					q[m*C+c] = uint8(code)
				}
				dst[8*c] = float32(code - zt)
			}
		}
	}
	gemm := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for p := lo; p < hi; p++ {
			c0 := p * attnKeys
			ncols := min(attnKeys, N-c0)
			kt, bp := wp[p*C*attnKeys:(p+1)*C*attnKeys], bias[c0:c0+attnKeys]
			for blk := range blocks {
				ak.qk(sc.s, xq[blk*C*8:(blk+1)*C*8], kt, C, dt)
				for i := range min(attnRows, M-blk*attnRows) {
					m := blk*attnRows + i
					yr, sr := y[m*N+c0:m*N+c0+ncols], sc.s[i*attnKeys:i*attnKeys+ncols]
					for j, s := range sr {
						yr[j] = s + bp[j]
					}
				}
			}
		}
	}
	return bound(ak.path, func() {
		b.rows(M, 12*C, lnRows)
		if N > 0 {
			b.rows(panels, 2*M*C*attnKeys, gemm)
		}
	}), nil
}

// rneInt is int32(rne(v)) for |v| < 2^22: v + 1.5*2^23 rounds to an integer
// half to even (the default rounding) and leaves it in the low mantissa bits.
func rneInt(v float32) int32 { return int32(math.Float32bits(v+12582912)) - 0x4B400000 }
