package kernel

// Quantized matmul ops (KERNELS.md section 3). Weights are quantized once by
// the suite (or by the Quantize* ops, which are kernels of their own); a
// backend may repack them in Prepare.

// QuantizeI8: per-row symmetric int8: s = max|x|/127 (1 if 0),
// q = clamp(rne(x/s), -127, 127). X [Rows, K] -> Q [Rows, K], Scale [Rows].
// NaN or Inf in a row is an input error (Run fails, naming the row).
type QuantizeI8 struct {
	Rows, K     int
	X, Q, Scale Tensor
}

// GemmW8A8: Y[m,n] = f32(acc) * f32(sx[m]*sw[n]) + bias[n] with
// acc = sum_k Xq[m,k]*Wq[n,k] exact in int32 (1 <= K <= MaxW8A8K). When
// Fused, the kernel quantizes X [M,K] itself as QuantizeI8 does (Xq, Sx
// nil); otherwise it reads Xq [M,K] and Sx [M] (X nil).
// Bias [N] and Acc [M,N] (raw accumulators, for exactness checks) are optional.
type GemmW8A8 struct {
	M, N, K int
	Fused   bool
	X       Tensor // f32 [M,K], when Fused
	Xq, Sx  Tensor // i8 [M,K], f32 [M], when not Fused
	Wq, Sw  Tensor // i8 [N,K], f32 [N]
	Bias    Tensor
	Y, Acc  Tensor
}

// GemmF32: Y[m,n] = bias[n] + sum_k X[m,k]*W[n,k] in float32, the fp32
// baseline of the quantized GEMMs, in their layout: X [M,K], W [N,K]
// (K contiguous), Y [M,N]. M = 1 is the GEMV case. Bias [N] is optional.
type GemmF32 struct {
	M, N, K int
	X, W    Tensor
	Bias, Y Tensor
}

// QuantizeW4G: 4-bit group-wise quantization of W [N,K] into Qp u8 [N,K/2]
// (even k in the low nibble), S f32 [N,K/G], Z u8 [N,K/G]. Symmetric uses
// s = max(|lo|,|hi|,1e-5)/7 and z = 8. K is even, G in {32, 64, 128} or
// G = K, K % G == 0. S is computed in float32 (s = f32(f32(hi-lo)/15));
// NaN or Inf in a row is an input error.
type QuantizeW4G struct {
	N, K, Group int
	Symmetric   bool
	W, Qp, S, Z Tensor
}

// GemmW4G: Y[m,n] = bias[n] + sum_g S[n,g]*(sum_{k in g} X[m,k]*q[n,k] - Z[n,g]*sum_{k in g} X[m,k]).
// M = 1 is the GEMV case. Bias is optional.
type GemmW4G struct {
	M, N, K, Group int
	X, Qp, S, Z    Tensor
	Bias, Y        Tensor
}

// WQLayer is one layer of LayerwiseWQ: W [N,K] at Bits in {2,3,4,8}.
// 8-bit: Q i8 [N*K], Scale [N], Zero nil, Group = K: w^ = s*q. 4/2-bit
// (Quanto affine): Q packed u8 (4-bit two per byte, 2-bit four per byte,
// lowest bits first; K a multiple of the values per byte), Scale and Zero
// (the float shift) f32 [N*K/Group]: w^ = q*s - shift. 3-bit (GPTQ-style):
// one value per byte, Scale f32 and Zero u8 [N*K/Group]: w^ = s*(q - z).
type WQLayer struct {
	N, K, Bits, Group int
	Q, Scale, Zero    Tensor
	Bias              Tensor // optional [N]
}

// LayerwiseWQ runs the layers in sequence: X [M, K0] -> ... -> Y [M, N_last],
// with K_{l+1} == N_l. Backends allocate the intermediates in Prepare.
type LayerwiseWQ struct {
	M      int
	Layers []WQLayer
	X, Y   Tensor
}

// RepQuantLNLinear: LN with the reparameterized affine (Gamma, Beta), then
// per-tensor quantization q = clamp(rne(x/Dt)+Zt, 0, 2^Bits-1), then
// Y = ((q - Zt)*Dt) W^T + Bias. X [M,C], W [N,C], Y [M,N]; Q u8 [M,C] is an
// optional output of the quantized activations.
type RepQuantLNLinear struct {
	M, C, N        int
	Bits           int
	Eps, Dt        float32
	Zt             int32
	X, Gamma, Beta Tensor
	W, Bias        Tensor
	Y, Q           Tensor
}

// SoftmaxQuantMode selects the RepQuant softmax quantizer.
type SoftmaxQuantMode uint8

const (
	QuantLog2     SoftmaxQuantMode = iota // q = rne(-log2(p/s))
	QuantLogSqrt2                         // q = rne(-2*log2(p/s))
)

// RepQuantSoftmaxPV: shift-based P@V over BH independent heads. Pq u8
// [BH,L,S] holds the softmax codes q (q >= 2^Bits means zero), Vi i8
// [BH,S,Dv] the signed integer V (Vq - zV). O f32 [BH,L,Dv] =
// Scale*SV*2^-F*(Aall + (sqrt2-1)*Aodd) (F: SoftmaxPVShift). Aall and Aodd
// i32 [BH,L,Dv] are optional exact outputs, defined on the integer path
// only (SoftmaxPVIntOK: Bits <= 4 and S*2^(7+F) < 2^31); Aodd only for
// QuantLogSqrt2. Bits > 4 use the float path (sum of Vi*2^-k).
type RepQuantSoftmaxPV struct {
	BH, L, S, Dv  int
	Bits          int
	Mode          SoftmaxQuantMode
	Scale, SV     float32
	Pq, Vi        Tensor
	O, Aall, Aodd Tensor
}

func (QuantizeI8) Kernel() string        { return "quantize_i8" }
func (GemmW8A8) Kernel() string          { return "gemm_w8a8" }
func (GemmF32) Kernel() string           { return "gemm_f32" }
func (QuantizeW4G) Kernel() string       { return "quantize_w4g" }
func (GemmW4G) Kernel() string           { return "gemm_w4g" }
func (LayerwiseWQ) Kernel() string       { return "layerwise_wq" }
func (RepQuantLNLinear) Kernel() string  { return "repquant_ln_linear" }
func (RepQuantSoftmaxPV) Kernel() string { return "repquant_softmax_pv" }
