package kernel

// Attention ops (KERNELS.md section 2). Q [B,H,L,D], K [B,H,S,D],
// V [B,H,S,Dv], O [B,H,L,Dv], all row-major float32.

// SoftmaxAttention: O = softmax(scale * Q K^T) V, optionally causal (L == S,
// keys j > i masked).
type SoftmaxAttention struct {
	B, H, L, S, D, Dv int
	Scale             float32
	Causal            bool
	Q, K, V, O        Tensor
}

// SLAConv selects the depthwise convolution of simplified linear attention.
type SLAConv uint8

const (
	SLAConv2D SLAConv = iota // 5x5 over the GridH x GridW token grid (sla2d)
	SLAConv1D                // 5 taps over the sequence (sla1d)
)

// SimplifiedLinearAttention (SLAB): O_i = (Qr_i KV)/(Qr_i . ks + 1e-6) + DWC(V)_i
// with Qr = relu(Q), Kr = relu(K + Pk), KV = Kr^T V, ks = sum_j Kr_j.
// Pk [L, H*D] is optional. Wd is [Dv,5,5] (2D) or [Dv,5] (1D); Bd [Dv].
// Causal (1D only) uses prefix sums and a left-padded conv over taps n-4..n:
// DWC(V)[n,d] = Bd[d] + sum_t Wd[d,t] V[n-4+t,d] (non-causal 1D: V[n-2+t,d]).
type SimplifiedLinearAttention struct {
	B, H, L, D, Dv int
	Conv           SLAConv
	GridH, GridW   int // 2D: L == GridH*GridW
	Causal         bool
	Q, K, V, Pk    Tensor
	Wd, Bd, O      Tensor
}

func (SoftmaxAttention) Kernel() string { return "softmax_attention" }
func (a SimplifiedLinearAttention) Kernel() string {
	if a.Conv == SLAConv1D {
		return "sla1d"
	}
	return "sla2d"
}
