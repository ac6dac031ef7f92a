// Package claims tests the seed papers' efficiency claims (the "Claim"
// lines of KERNELS.md) by timing kernel pairs under the harness on each
// backend: the candidate a paper proposes against the baseline it claims
// to beat, at matched shapes.
//
// Papers measure whole models on GPUs; nbench times single kernels. A
// claim is therefore tested in the direction it implies at kernel level
// (for example "Pre-RMSNorm Transformers are 1-10% faster" implies that
// the RMSNorm kernel is faster than the LayerNorm kernel it replaces), and
// the paper's own number is printed beside the measured ratio, not
// compared with it.
//
// The two sides of every pair are timed in interleaved rounds: each claim
// on each backend prepares all its cases (checked, calibrated, settled),
// then in each of Count rounds takes one sample of every case, in forward
// order in even rounds and reverse order in odd ones (A B B A ...), so
// both sides of a pair are timed next to each other and a drift of the
// machine during the run cancels from their ratio instead of biasing it.
// The measured ratio (baseline time over candidate time for a speed-up,
// the reverse for a cost ratio) is the geometric mean of the per-round
// ratios, and its 95% CI over the interleaved rounds is the Student t
// interval of the mean per-round log ratio (gate.PairedEffect), mapped
// back to ratios (one round gives no interval). A trend row does the
// same with the per-round quotient of the largest pair's ratio by the
// smallest's. A claim agrees when the whole interval is on the claimed
// side of 1, disagrees when it is wholly on the other side, and is
// inconclusive when the interval straddles 1.
package claims

import "fmt"

// Metric is what a claim's rows measure.
type Metric int

const (
	// Speedup is baseline time / candidate time: above 1, the candidate is faster.
	Speedup Metric = iota
	// CostRatio is candidate time / baseline time, reported without a
	// verdict per row; the claim is judged by its trend.
	CostRatio
)

func (m Metric) String() string {
	if m == CostRatio {
		return "cost ratio (candidate time / baseline time)"
	}
	return "speedup (baseline time / candidate time)"
}

// Trend is a claim about how the ratio changes from the smallest to the
// largest case of a claim.
type Trend int

const (
	NoTrend Trend = iota
	// Grows: the speed-up at the largest size over the one at the smallest
	// is above 1 (a lower complexity shows as a gap that widens).
	Grows
	// Bounded: the cost ratio changes by less than the square root of the
	// size ratio, both ways (the same complexity; one extra factor of N
	// would change it by the full size ratio).
	Bounded
)

// Case is one kernel at one shape (a --shape string).
type Case struct{ Kernel, Shape string }

// Pair is a candidate and its baseline at matched shapes, both timed on
// the backend under test. Size orders pairs for trends (a sequence
// length, a box count).
type Pair struct {
	Label      string
	Size       float64
	Cand, Base Case
}

// Claim is one paper claim and the pairs that test it.
type Claim struct {
	Name    string // "RMSNorm vs LayerNorm"
	Source  string // the paper
	Claimed string // the paper's claim, with its own numbers
	Test    string // what nbench checks at kernel level
	Metric  Metric
	Trend   Trend
	Quick   []Pair // --quick: small shapes, for CI
	Full    []Pair // shapes from real models
}

func pair(label string, size float64, cand, base Case) Pair {
	return Pair{Label: label, Size: size, Cand: cand, Base: base}
}

// All are the claims nbench tests, in KERNELS.md order.
var All = []*Claim{
	layerNormClaim("rmsnorm", "RMSNorm vs LayerNorm", "Zhang & Sennrich 2019; Pre-RMSNorm, arXiv 2305.14858",
		"Pre-RMSNorm cuts Pre-LN Transformer training and inference time by 1-10%",
		"rmsnorm faster than layernorm at the same [R, C]",
		[3]string{"R=64,C=1024", "R=64,C=1024", "R=64,C=1024"},
		[3]string{"R=2048,C=4096", "R=2048,C=4096", "R=2048,C=4096"}),
	layerNormClaim("crmsnorm", "CRMSNorm vs LayerNorm", "Pre-CRMSNorm, arXiv 2305.14858",
		"Pre-CRMSNorm cuts Pre-LN Transformer time by 1-10% (one fewer element per row than RMSNorm)",
		"crmsnorm on d-1 values faster than layernorm on d",
		[3]string{"R=64,d=1024", "R=64,C=1023", "R=64,C=1024"},
		[3]string{"R=2048,d=4096", "R=2048,C=4095", "R=2048,C=4096"}),
	layerNormClaim("batchnorm_infer", "BatchNorm inference vs LayerNorm", "Ioffe & Szegedy 2015 (folded BN, as SLAB and UN use it)",
		"inference BatchNorm is a per-channel affine that folds into the next Linear, unlike LayerNorm",
		"batchnorm_infer (unfolded) faster than layernorm on [M, C] tokens",
		[3]string{"M=788,C=192", "layout=nc,N=788,C=192", "R=788,C=192"},
		[3]string{"M=12608,C=768", "layout=nc,N=12608,C=768", "R=12608,C=768"}),
	layerNormClaim("repbn_infer", "RepBN inference vs LayerNorm", "SLAB, arXiv 2405.11582",
		"RepBN folds away at inference: SLAB-Swin runs at 16.2 ms, 2.4 ms less than Flatten-Swin; LLaMA at lower latency",
		"repbn_infer (unfolded) faster than layernorm on ViT-B tokens",
		[3]string{"B=4,T=197,C=192", "B=4,T=197,C=192", "R=788,C=192"},
		[3]string{"B=64,T=197,C=768", "B=64,T=197,C=768", "R=12608,C=768"}),
	layerNormClaim("unified_norm_infer", "Unified Norm inference vs LayerNorm", "Unified Normalization, arXiv 2208.01313",
		"about 31% inference speed-up and 18% memory reduction vs LN on GPU",
		"unified_norm_infer (unfolded) faster than layernorm on ViT-B tokens",
		[3]string{"B=4,T=197,C=192", "B=4,T=197,C=192", "R=788,C=192"},
		[3]string{"B=64,T=197,C=768", "B=64,T=197,C=768", "R=12608,C=768"}),
	attentionClaim("sla2d", "SLA (2D conv) vs softmax attention",
		"SLAB-Swin runs at 16.2 ms, 2.4 ms less than Flatten-Swin; linear attention is linear in tokens, softmax quadratic"),
	attentionClaim("sla1d", "SLA (1D conv) vs softmax attention",
		"linear attention is linear in tokens, softmax attention quadratic (1D variant: nbench's extension)"),
	{
		Name: "Soft-NMS vs NMS", Source: "Soft-NMS, arXiv 1704.04503",
		Claimed: "the same O(N^2) complexity as greedy NMS (+1.7% mAP on VOC07)",
		Test:    "the soft_nms/nms cost ratio stays within sqrt(N ratio) as N grows",
		Metric:  CostRatio, Trend: Bounded,
		Quick: []Pair{pair("N=250", 250, Case{"soft_nms", "N=250"}, Case{"nms", "N=250"}),
			pair("N=1000", 1000, Case{"soft_nms", "N=1000"}, Case{"nms", "N=1000"})},
		Full: []Pair{pair("N=1000", 1000, Case{"soft_nms", "N=1000"}, Case{"nms", "N=1000"}),
			pair("N=4000", 4000, Case{"soft_nms", "N=4000"}, Case{"nms", "N=4000"})},
	},
	gemmClaim("gemm_w8a8", "int8 W8A8 vs fp32 matmul", "SmoothQuant, arXiv 2211.10438; ZeroQuant",
		"W8A8 int8 GEMMs run faster than floating point (SmoothQuant: up to 1.56x end-to-end speed-up, 2x less memory)", "acc=false"),
	gemmClaim("gemm_w4g", "4-bit W4 vs fp32 matmul", "GPTQ/QuaRot RTN 4-bit; OSP, arXiv 2506.19697",
		"4-bit weights move 8x fewer weight bytes than fp32: decode (GEMV) is memory-bound and faster", "G=128"),
}

// layerNormClaim is a claim that kernel k runs faster than layernorm, with
// one quick and one full pair, each {label, k's shape, layernorm's shape}.
func layerNormClaim(k, name, source, claimed, test string, quick, full [3]string) *Claim {
	at := func(s [3]string) []Pair { return []Pair{pair(s[0], 0, Case{k, s[1]}, Case{"layernorm", s[2]})} }
	return &Claim{Name: name, Source: source, Claimed: claimed, Test: test, Quick: at(quick), Full: at(full)}
}

func attentionClaim(sla, name, claimed string) *Claim {
	c := &Claim{Name: name, Source: "SLAB, arXiv 2405.11582", Claimed: claimed,
		Test:  sla + " faster than softmax_attention at each L, the gap growing with L",
		Trend: Grows}
	at := func(l int) Pair {
		shape := fmt.Sprintf("B=1,H=2,L=%d,D=64", l)
		return pair(fmt.Sprintf("L=%d", l), float64(l), Case{sla, shape}, Case{"softmax_attention", shape})
	}
	c.Quick = []Pair{at(64), at(256)}
	c.Full = []Pair{at(256), at(1024), at(4096)}
	return c
}

// gemmClaim is a claim that quantized GEMM k beats the fp32 GEMM
// (gemm_f32) on the same backend at the same M, N, K: simd int8 against
// simd fp32, go int8 against go fp32.
func gemmClaim(k, name, source, claimed, extra string) *Claim {
	c := &Claim{Name: name, Source: source, Claimed: claimed,
		Test: k + " faster than gemm_f32 (the fp32 GEMM of the same backend) at the same M, N, K"}
	at := func(label string, m, n, kk int) Pair {
		mnk := fmt.Sprintf("M=%d,N=%d,K=%d", m, n, kk)
		return pair(label+" "+mnk, float64(m), Case{k, mnk + "," + extra}, Case{"gemm_f32", mnk})
	}
	c.Quick = []Pair{at("GEMV", 1, 256, 1024), at("GEMM", 16, 128, 1024)}
	c.Full = []Pair{at("GEMV", 1, 4096, 4096), at("GEMM", 128, 1024, 1024)}
	return c
}
