//go:build cuda

package cuda

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

// Quantized matmul kernels (kernels/qmatmul.cu).

func init() {
	register("quantize_i8", prepareQuantizeI8)
	register("gemm_w8a8", prepareGemmW8A8)
	register("gemm_w4g", prepareGemmW4G)
	register("quantize_w4g", prepareQuantizeW4G)
	register("layerwise_wq", prepareLayerwiseWQ)
	register("repquant_ln_linear", prepareRepQuantLNLinear)
	register("repquant_softmax_pv", prepareRepQuantSoftmaxPV)
	register("gemm_f32", prepareGemmF32)
}

// prepareGemmF32: the float32 baseline of the quantized GEMMs in their
// layout, on the same kernels as repquant_ln_linear's GEMM (sgemv for
// M <= gemvMaxM, 64x64 tiles of 4x4 per thread otherwise).
func prepareGemmF32(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.GemmF32)
	k := b.newBound(pickGemm(op.M, "sgemv", "sgemm_tile"))
	if op.M == 0 || op.N == 0 {
		return k, nil
	}
	return k, k.addFloatGemm("sgemv", "sgemm_tile", operand{t: op.X}, operand{t: op.Y}, op.M, op.N, op.K,
		func(a *args) { a.ptr(b, op.W).ptr(b, op.Bias) }, func(*args) {})
}

// gemvMaxM is the largest M that runs as GEMV (a warp per output column).
const gemvMaxM = 8

func prepareQuantizeI8(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.QuantizeI8)
	k := b.newBound("quant_i8")
	if op.Rows == 0 {
		return k, nil
	}
	var l wsLayout
	bad := l.take(4)
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k.checkRows(bad, "x")
	return k, k.add("qmatmul", "quant_i8", grid1(op.Rows), threads(256), 0,
		(&args{}).ptr(b, op.X).ptr(b, op.Q).ptr(b, op.Scale).i32(op.K).ws(bad))
}

// prepareGemmW8A8: exact int32 accumulation; fused quantizes X into
// scratch first (quant_i8, the same kernel as quantize_i8). M > gemvMaxM
// runs on the int8 tensor cores (gemm_w8a8_mma, mma.sync m16n8k32, sm_80+)
// unless the backend was opened with the dp4a GEMM forced
// (NBENCH_CUDA_INT8=dp4a); M <= gemvMaxM is a memory-bound GEMV on dp4a.
func prepareGemmW8A8(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.GemmW8A8)
	gemv := op.M <= gemvMaxM
	name, inst := "gemm_w8a8_tile", "dp4a"
	switch {
	case gemv:
		name = "gemv_w8a8"
	case b.int8MMA():
		name, inst = "gemm_w8a8_mma", "mma.s8"
	}
	detail := name + " " + inst
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
		xq, sx, bad := l.take(int64(op.M)*int64(op.K)), l.take(4*int64(op.M)), l.take(4)
		if err := b.reserve(l.size); err != nil {
			return nil, err
		}
		k.checkRows(bad, "x")
		q := (&args{}).ptr(b, op.X).ws(xq).ws(sx).i32(op.K).ws(bad)
		if err := k.add("qmatmul", "quant_i8", grid1(op.M), threads(256), 0, q); err != nil {
			return nil, err
		}
		a.ws(xq).ws(sx)
	} else {
		a.ptr(b, op.Xq).ptr(b, op.Sx)
	}
	a.ptr(b, op.Wq).ptr(b, op.Sw).ptr(b, op.Bias).ptr(b, op.Y).ptr(b, op.Acc).i32(op.M).i32(op.N).i32(op.K)
	switch name {
	case "gemv_w8a8":
		a.flag(op.K%16 == 0)
		return k, k.add("qmatmul", name, grid1(ceilDiv(op.N, 8)), threads(256), 0, a)
	case "gemm_w8a8_mma":
		a.flag(op.K%4 == 0)
		return k, k.add("qmatmul", name, grid2(ceilDiv(op.N, 64), ceilDiv(op.M, 64)), threads(128), 0, a)
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

func prepareQuantizeW4G(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.QuantizeW4G)
	k := b.newBound("quant_w4g")
	ng := op.K / op.Group
	groups := op.N * ng
	if groups == 0 {
		return k, nil
	}
	var l wsLayout
	bad := l.take(4)
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	k.checkRows(bad, "w")
	return k, k.add("qmatmul", "quant_w4g", grid1(ceilDiv(groups, 8)), threads(256), 0,
		(&args{}).ptr(b, op.W).ptr(b, op.Qp).ptr(b, op.S).ptr(b, op.Z).i32(groups).i32(op.Group).flag(op.Symmetric).
			i32(ng).ws(bad))
}

// addFloatGemm adds Y = X W^T + bias with W [N,K] read through one of
// qmatmul.cu's weight formats: the GEMV kernel (a warp per column) for
// M <= gemvMaxM, else the 64x64 tiles. a holds the weight arguments;
// X, Y are tensors or (a nil tensor) scratch offsets.
func (k *bound) addFloatGemm(gemv, tile string, x, y operand, m, n, kk int, weights func(*args), tail func(*args)) error {
	a := &args{}
	x.put(k.b, a)
	weights(a)
	y.put(k.b, a)
	a.i32(m).i32(n).i32(kk)
	tail(a)
	if name := pickGemm(m, gemv, tile); name == gemv {
		return k.add("qmatmul", gemv, grid1(ceilDiv(n, 8)), threads(256), 0, a)
	}
	return k.add("qmatmul", tile, grid2(ceilDiv(n, 64), ceilDiv(m, 64)), [3]int{16, 16, 1}, 0, a)
}

// pickGemm names the GEMV kernel (a warp per output column) for m <=
// gemvMaxM rows, else the tiled GEMM.
func pickGemm(m int, gemv, tile string) string {
	if m <= gemvMaxM {
		return gemv
	}
	return tile
}

// operand is a kernel argument that is either a tensor or a scratch offset.
type operand struct {
	t  kernel.Tensor
	ws int64
}

func (o operand) put(b *Backend, a *args) {
	if o.t != nil {
		a.ptr(b, o.t)
	} else {
		a.ws(o.ws)
	}
}

// prepareLayerwiseWQ runs the layers in sequence, the intermediate
// activations in two scratch buffers used in turn.
func prepareLayerwiseWQ(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.LayerwiseWQ)
	k := b.newBound(pickGemm(op.M, "wq_gemv", "wq_gemm_tile"))
	if op.M == 0 {
		return k, nil
	}
	widest := 0
	for _, l := range op.Layers[:len(op.Layers)-1] {
		widest = max(widest, l.N)
	}
	var lay wsLayout
	buf := [2]int64{lay.take(4 * int64(op.M) * int64(widest)), lay.take(4 * int64(op.M) * int64(widest))}
	if err := b.reserve(lay.size); err != nil {
		return nil, err
	}
	x := operand{t: op.X}
	for i, l := range op.Layers {
		y := operand{t: op.Y}
		if i < len(op.Layers)-1 {
			y = operand{ws: buf[i%2]}
		}
		l := l
		err := k.addFloatGemm("wq_gemv", "wq_gemm_tile", x, y, op.M, l.N, l.K,
			func(a *args) { a.ptr(b, l.Q).ptr(b, l.Scale).ptr(b, l.Zero).ptr(b, l.Bias) },
			func(a *args) { a.i32(l.Group).i32(l.Bits) })
		if err != nil {
			return nil, err
		}
		x = y
	}
	return k, nil
}

// prepareRepQuantLNLinear: LN + per-tensor quantization into a float
// scratch copy of the dequantized activations (rq_ln_quant), then the
// float32 GEMM with W'.
func prepareRepQuantLNLinear(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.RepQuantLNLinear)
	k := b.newBound("rq_ln_quant sgemm")
	if op.M == 0 {
		return k, nil
	}
	var lay wsLayout
	xh := lay.take(4 * int64(op.M) * int64(op.C))
	if err := b.reserve(lay.size); err != nil {
		return nil, err
	}
	ln := (&args{}).ptr(b, op.X).ptr(b, op.Gamma).ptr(b, op.Beta).ws(xh).ptr(b, op.Q).
		i32(op.C).f32(op.Eps).f32(op.Dt).i32(int(op.Zt)).i32(1<<op.Bits - 1)
	if err := k.add("qmatmul", "rq_ln_quant", grid1(op.M), threads(256), 0, ln); err != nil {
		return nil, err
	}
	if op.N == 0 {
		return k, nil
	}
	return k, k.addFloatGemm("sgemv", "sgemm_tile", operand{ws: xh}, operand{t: op.Y}, op.M, op.N, op.C,
		func(a *args) { a.ptr(b, op.W).ptr(b, op.Bias) }, func(*args) {})
}

func prepareRepQuantSoftmaxPV(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.RepQuantSoftmaxPV)
	intPath := op.Bits <= 4
	detail := "rq_softmax_pv float64"
	if intPath {
		detail = "rq_softmax_pv int64"
	}
	k := b.newBound(detail)
	rows := op.BH * op.L
	if rows == 0 || op.Dv == 0 {
		return k, nil
	}
	F := kernel.SoftmaxPVShift(op.Bits, op.Mode)
	scale := float64(op.Scale) * float64(op.SV)
	a := (&args{}).ptr(b, op.Pq).ptr(b, op.Vi).ptr(b, op.O).ptr(b, op.Aall).ptr(b, op.Aodd).
		i32(rows).i32(op.L).i32(op.S).i32(op.Dv).i32(1 << op.Bits).i32(F).flag(op.Mode == kernel.QuantLogSqrt2).flag(intPath).
		f64(scale).f64(math.Ldexp(scale, -F))
	return k, k.add("qmatmul", "rq_softmax_pv", grid1(ceilDiv(rows, 8)), threads(256), 0, a)
}
