package pure

import (
	"fmt"
	"math"

	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// Quantized matmul family (KERNELS.md 3): the quantizers here, the int8
// GEMM in qmatmul_w8a8.go, the group-quantized float GEMM/GEMV (gemm_w4g,
// layerwise_wq) in qmatmul_wq.go, RepQuant in qmatmul_repquant.go.

func init() {
	register("quantize_i8", prepareQuantizeI8)
	register("quantize_w4g", prepareQuantizeW4G)
	register("gemm_w8a8", prepareGemmW8A8)
	register("gemm_w4g", prepareGemmW4G)
	register("layerwise_wq", prepareLayerwiseWQ)
	register("repquant_ln_linear", prepareRepQuantLNLinear)
	register("repquant_softmax_pv", prepareRepQuantSoftmaxPV)
}

// errBound is a Bound whose Run reports input errors (non-finite inputs of
// the quantizers, which KERNELS.md 3.1 makes an error naming the row).
type errBound struct{ f func() error }

func (e errBound) Run() error   { return e.f() }
func (e errBound) Path() string { return Path }

// nonFinite returns an error naming the first row whose marker (a scale the
// kernel set to NaN) is not finite, or nil.
func nonFinite(what string, marks []float32, per int) error {
	for i, v := range marks {
		if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
			return fmt.Errorf("%w: NaN or Inf in %s row %d", kernel.ErrShape, what, i/per)
		}
	}
	return nil
}

// parts runs body over [0, n) in at most b.threads chunks; w (< b.threads)
// numbers the chunk so that it can use its own workspace.
func (b *Backend) parts(n, perItem int, body func(w, lo, hi int)) {
	grain := max(par.Grain(perItem, 1<<16), (n+b.threads-1)/b.threads)
	par.For(n, b.threads, grain, func(lo, hi int) { body(lo/grain, lo, hi) })
}

// magic rounds a float32 of magnitude < 2^22 to an integer, half to even:
// (v + 1.5*2^23) - 1.5*2^23 under the default rounding mode.
const magic = 12582912

// rne32 rounds v (|v| < 2^22) half to even.
func rne32(v float32) float32 { return (v + magic) - magic }

// absMaxBits is the bit pattern of max|x|; patterns order like the
// magnitudes, and any NaN or Inf gives a pattern >= 0x7F800000.
func absMaxBits(x []float32) uint32 {
	var m0, m1, m2, m3 uint32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		m0 = max(m0, math.Float32bits(x[i])&0x7FFFFFFF)
		m1 = max(m1, math.Float32bits(x[i+1])&0x7FFFFFFF)
		m2 = max(m2, math.Float32bits(x[i+2])&0x7FFFFFFF)
		m3 = max(m3, math.Float32bits(x[i+3])&0x7FFFFFFF)
	}
	for ; i < len(x); i++ {
		m0 = max(m0, math.Float32bits(x[i])&0x7FFFFFFF)
	}
	return max(m0, m1, m2, m3)
}

// symScale is the int8 scale of a row, s = max|x|/127 (1 if 0), and the
// factor to quantize with. ok is false for a row with NaN or Inf.
func symScale(x []float32) (s, inv float32, ok bool) {
	bits := absMaxBits(x)
	if bits >= 0x7F800000 {
		return float32(math.NaN()), 0, false
	}
	s = 1
	if bits != 0 {
		s = math.Float32frombits(bits) / 127
	}
	return s, 1 / s, true
}

// quantI8 is one code: clamp(rne(v*inv), -127, 127). Multiplying by the
// reciprocal stays within KERNELS.md's near-tie allowance.
func quantI8(v, inv float32) int32 {
	t := v * inv
	if t > 127 {
		t = 127
	} else if t < -127 {
		t = -127
	}
	return int32(rne32(t))
}

// quantI8Row quantizes x into q (stride apart, for packed layouts) and
// returns the scale, NaN for a non-finite row (q is then left alone).
func quantI8Row[T int8 | int32](x []float32, q []T, stride int) float32 {
	s, inv, ok := symScale(x)
	if !ok {
		return s
	}
	if math.IsInf(float64(inv), 0) { // subnormal scale: divide instead
		for k, v := range x {
			q[k*stride] = T(clampI32(int32(rne32(min(max(v/s, -127), 127))), -127, 127))
		}
		return s
	}
	q = q[:(len(x)-1)*stride+1]
	for k, v := range x {
		q[k*stride] = T(quantI8(v, inv))
	}
	return s
}

func clampI32(v, lo, hi int32) int32 { return max(lo, min(hi, v)) }

func prepareQuantizeI8(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.QuantizeI8)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, q, s, k := kernel.F32s(op.X), kernel.I8s(op.Q), kernel.F32s(op.Scale), op.K
	body := func(lo, hi int) {
		for r := lo; r < hi; r++ {
			s[r] = quantI8Row(x[r*k:(r+1)*k], q[r*k:(r+1)*k], 1)
		}
	}
	return errBound{func() error {
		b.rows(op.Rows, 3*k, body)
		return nonFinite("x", s, 1)
	}}, nil
}

// ---- quantize_w4g ----

// w4GroupParams returns the scale, zero point and reciprocal of one group
// (KERNELS.md 3.2), or a NaN scale when the group holds NaN or Inf.
func w4GroupParams(w []float32, sym bool) (s, inv float32, z int32) {
	var lo, hi, bad float32
	for _, v := range w {
		lo, hi = min(lo, v), max(hi, v)
		bad += v * 0 // NaN for NaN or Inf
	}
	if bad != 0 || lo != lo || hi != hi {
		return float32(math.NaN()), 0, 0
	}
	if sym {
		s = max(-lo, hi, 1e-5) / 7
		return s, 1 / s, 8
	}
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	s = max(hi-lo, 1e-5) / 15
	return s, 1 / s, clampI32(int32(rne32(-lo/s)), 0, 15)
}

// w4Code is clamp(rne(w*inv) + z, 0, 15) (symmetric: z = 8, which is
// clamp(rne(w/s), -8, 7) + 8).
func w4Code(v, inv float32, z int32) uint8 {
	t := v * inv
	if t > 16 {
		t = 16
	} else if t < -16 {
		t = -16
	}
	return uint8(clampI32(int32(rne32(t))+z, 0, 15))
}

func prepareQuantizeW4G(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.QuantizeW4G)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	w, qp, s, z := kernel.F32s(op.W), kernel.U8s(op.Qp), kernel.F32s(op.S), kernel.U8s(op.Z)
	k, g, sym := op.K, op.Group, op.Symmetric
	ng := k / g
	body := func(lo, hi int) {
		for n := lo; n < hi; n++ {
			for gi := 0; gi < ng; gi++ {
				i := n*ng + gi
				grp := w[i*g : (i+1)*g]
				sg, inv, zg := w4GroupParams(grp, sym)
				s[i], z[i] = sg, uint8(zg)
				if sg != sg {
					continue
				}
				out := qp[i*g/2 : (i+1)*g/2]
				grp = grp[:2*len(out)]
				for j := range out {
					out[j] = w4Code(grp[2*j], inv, zg) | w4Code(grp[2*j+1], inv, zg)<<4
				}
			}
		}
	}
	return errBound{func() error {
		b.rows(op.N, 5*k, body)
		return nonFinite("w", s, ng)
	}}, nil
}
