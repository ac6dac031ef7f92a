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
			return fmt.Errorf("input error: NaN or Inf in %s row %d", what, i/per)
		}
	}
	return nil
}

// workerParts returns a loop running body over [0, n) in at most b.threads
// chunks; w (< b.threads) numbers the chunk so that it can use its own
// workspace. Built in Prepare, so that Run does not allocate.
func (b *Backend) workerParts(n, perItem int, body func(w, lo, hi int)) func() {
	grain := max(par.Grain(perItem, 1<<16), (n+b.threads-1)/b.threads)
	return func() { par.ForChunks(n, b.threads, grain, body) }
}

// rneMagic is 1.5*2^23: v + rneMagic, for |v| < 2^22, rounds v to an integer
// half to even (the default rounding mode) and leaves it in the low
// mantissa bits.
const rneMagic = 12582912

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
	c := rneInt(v * inv) // |v*inv| <= 127 up to rounding
	if c > 127 {
		c = 127
	}
	if c < -127 {
		c = -127
	}
	return c
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
			q[k*stride] = T(rneInt(min(max(v/s, -127), 127)))
		}
		return s
	}
	if stride == 1 {
		q = q[:len(x)]
		for k, v := range x {
			q[k] = T(quantI8(v, inv))
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
	lo, hi, ok := minMax0(w)
	if !ok {
		return float32(math.NaN()), 0, 0
	}
	return W4Scale(lo, hi, sym)
}

// W4Scale is a group's scale, reciprocal and zero point from lo =
// min(0, min w) and hi = max(0, max w), both finite (KERNELS.md 3.2). The
// simd backend computes lo and hi with vector code and calls this, so both
// backends agree to the bit.
func W4Scale(lo, hi float32, sym bool) (s, inv float32, z int32) {
	if sym {
		s = max(-lo, hi, 1e-5) / 7
		return s, 1 / s, 8
	}
	if lo == 0 && hi == 0 {
		lo, hi = -1, 1
	}
	s = max(hi-lo, 1e-5) / 15
	return s, 1 / s, clampI32(rneInt(-lo/s), 0, 15)
}

// orderKey maps a float32 to an int32 with the same order (for non-NaN
// values), so min and max run as branch-free integer ops.
func orderKey(v float32) int32 {
	b := int32(math.Float32bits(v))
	return b ^ (b >> 31 & 0x7FFFFFFF)
}

func fromKey(k int32) float32 { return math.Float32frombits(uint32(k ^ (k >> 31 & 0x7FFFFFFF))) }

// minMax0 returns min(0, min w) and max(0, max w); ok is false when w
// holds NaN or Inf (their keys lie beyond those of the finite floats).
func minMax0(w []float32) (lo, hi float32, ok bool) {
	var l0, l1, h0, h1 int32
	i := 0
	for ; i+2 <= len(w); i += 2 {
		k0, k1 := orderKey(w[i]), orderKey(w[i+1])
		l0, h0 = min(l0, k0), max(h0, k0)
		l1, h1 = min(l1, k1), max(h1, k1)
	}
	for ; i < len(w); i++ {
		k := orderKey(w[i])
		l0, h0 = min(l0, k), max(h0, k)
	}
	l, h := min(l0, l1), max(h0, h1)
	if h >= 0x7F800000 || l <= orderKey(float32(math.Inf(-1))) {
		return 0, 0, false
	}
	return fromKey(l), fromKey(h), true
}

// rneInt is int32(rne(v)) for |v| < 2^22.
func rneInt(v float32) int32 { return int32(math.Float32bits(v+rneMagic)) - 0x4B400000 }

// w4Code is clamp(rne(w*inv) + z, 0, 15) (symmetric: z = 8, which is
// clamp(rne(w/s), -8, 7) + 8). |w*inv| <= 15 (up to rounding) in both
// variants, so it needs no clamp before rounding.
func w4Code(v, inv float32, z int32) uint8 {
	c := rneInt(v*inv) + z
	if c < 0 {
		c = 0
	}
	if c > 15 {
		c = 15
	}
	return uint8(c)
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
