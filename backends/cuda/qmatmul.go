//go:build cuda

package cuda

import (
	"github.com/nbench/nbench/kernel"
)

// Quantized matmul kernels (kernels/qmatmul.cu).

func init() {
	register("quantize_i8", prepareQuantizeI8)
	register("gemm_w8a8", prepareGemmW8A8)
	register("gemm_w4g", prepareGemmW4G)
}

// gemvMaxM is the largest M that runs as GEMV (a warp per output column).
const gemvMaxM = 8

func prepareQuantizeI8(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.QuantizeI8)
	k := b.newBound("quant_i8")
	if op.Rows == 0 {
		return k, nil
	}
	return k, k.add("qmatmul", "quant_i8", grid1(op.Rows), threads(256), 0,
		(&args{}).ptr(b, op.X).ptr(b, op.Q).ptr(b, op.Scale).i32(op.K))
}

// prepareGemmW8A8: exact int32 dp4a accumulation; fused quantizes X into
// scratch first (quant_i8, the same kernel as quantize_i8).
func prepareGemmW8A8(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.GemmW8A8)
	gemv := op.M <= gemvMaxM
	name := "gemm_w8a8_tile"
	if gemv {
		name = "gemv_w8a8"
	}
	detail := name + " dp4a"
	if op.Fused {
		detail = "quant_i8 " + detail
	}
	k := b.newBound(detail)
	if op.M == 0 || op.N == 0 {
		return k, nil
	}
	a := &args{}
	if op.Fused {
		var l wsLayout
		xq, sx := l.take(int64(op.M)*int64(op.K)), l.take(4*int64(op.M))
		if err := b.reserve(l.size); err != nil {
			return nil, err
		}
		q := (&args{}).ptr(b, op.X).ws(xq).ws(sx).i32(op.K)
		if err := k.add("qmatmul", "quant_i8", grid1(op.M), threads(256), 0, q); err != nil {
			return nil, err
		}
		a.ws(xq).ws(sx)
	} else {
		a.ptr(b, op.Xq).ptr(b, op.Sx)
	}
	a.ptr(b, op.Wq).ptr(b, op.Sw).ptr(b, op.Bias).ptr(b, op.Y).ptr(b, op.Acc).i32(op.M).i32(op.N).i32(op.K)
	if gemv {
		a.flag(op.K%16 == 0)
		return k, k.add("qmatmul", name, grid1(ceilDiv(op.N, 8)), threads(256), 0, a)
	}
	a.flag(op.K%4 == 0)
	return k, k.add("qmatmul", name, grid2(ceilDiv(op.N, 64), ceilDiv(op.M, 64)), [3]int{16, 16, 1}, 0, a)
}

func prepareGemmW4G(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.GemmW4G)
	gemv := op.M <= gemvMaxM
	fast := op.K%32 == 0 && op.Group%32 == 0
	name := "gemm_w4g_tile"
	detail := name
	if gemv {
		name, detail = "gemv_w4g", "gemv_w4g"
		if fast {
			detail += " 16B"
		}
	}
	k := b.newBound(detail)
	if op.M == 0 || op.N == 0 {
		return k, nil
	}
	a := (&args{}).ptr(b, op.X).ptr(b, op.Qp).ptr(b, op.S).ptr(b, op.Z).ptr(b, op.Bias).ptr(b, op.Y).
		i32(op.M).i32(op.N).i32(op.K).i32(op.Group)
	if gemv {
		a.flag(fast)
		return k, k.add("qmatmul", name, grid1(ceilDiv(op.N, 8)), threads(256), 0, a)
	}
	return k, k.add("qmatmul", name, grid2(ceilDiv(op.N, 64), ceilDiv(op.M, 64)), [3]int{16, 16, 1}, 0, a)
}
