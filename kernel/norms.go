package kernel

// Norm ops (KERNELS.md section 1). Every norm works on rows of C contiguous
// float32 values: x [Rows, C] for row norms, x [M, C] with statistics per
// channel over the M rows for batch-style norms (BatchNorm [N,C] and NHWC
// [N,H,W,C] are both [M, C] with M = N*H*W).
//
// Stateful training forwards are functional: they read the old state from
// input tensors and write the new state to output tensors, so repeated runs
// (timing) are identical and the harness can check the state.

// LayerNorm: y = (x-mu)*rsqrt(var+eps)*gamma + beta per row (biased var).
type LayerNorm struct {
	Rows, C           int
	Eps               float32
	X, Gamma, Beta, Y Tensor // Gamma, Beta [C]
}

// RMSNorm: y = x*rsqrt(mean(x^2)+eps)*gamma per row.
type RMSNorm struct {
	Rows, C     int
	Eps         float32
	X, Gamma, Y Tensor
}

// NormBase selects the norm that LayerNormScaling scales.
type NormBase uint8

const (
	BaseLayerNorm NormBase = iota
	BaseRMSNorm
)

// LayerNormScaling: y = Norm(x) * (1/sqrt(Layer)), Layer >= 1 (1-based).
// With BaseRMSNorm, Beta is nil.
type LayerNormScaling struct {
	Base              NormBase
	Layer             int
	Rows, C           int
	Eps               float32
	X, Gamma, Beta, Y Tensor
}

// NonScalingLayerNorm: y = (x-mu)*rsqrt(var+eps) + bias (no gamma; Bias
// may be nil, meaning 0).
type NonScalingLayerNorm struct {
	Rows, C    int
	Eps        float32
	X, Bias, Y Tensor
}

// CRMSNorm: z [Rows, N] stands for zero-mean rows of N+1 values;
// y = z * rsqrt((sum z^2 + (sum z)^2)/(N+1) + eps) * gamma (Gamma may be
// nil, meaning 1: the paper's code has no affine).
type CRMSNorm struct {
	Rows, N     int
	Eps         float32
	Z, Gamma, Y Tensor
}

// SingleScaleRMSNorm: RMSNorm with one scalar scale.
type SingleScaleRMSNorm struct {
	Rows, C int
	Eps     float32
	Scale   float32
	X, Y    Tensor
}

// BatchNormInfer: y = x*a_c + b_c with a = gamma*rsqrt(rv+eps), b = beta - rm*a.
type BatchNormInfer struct {
	M, C                               int
	Eps                                float32
	X, Gamma, Beta, RunMean, RunVar, Y Tensor
}

// BatchNormTrain: batch statistics per channel over M rows; also writes
// NewMean = (1-m)*rm + m*mu and NewVar = (1-m)*rv + m*var*M/(M-1).
type BatchNormTrain struct {
	M, C                            int
	Eps, Momentum                   float32
	X, Gamma, Beta, RunMean, RunVar Tensor
	Y, NewMean, NewVar              Tensor
}

// RepBNInfer: y = BN_infer(x) + alpha*x, which folds into one per-channel
// affine (a backend may fold in Prepare).
type RepBNInfer struct {
	M, C                               int
	Eps, Alpha                         float32
	X, Gamma, Beta, RunMean, RunVar, Y Tensor
}

// PRepBNTrain: y = lam*LN(x) + (1-lam)*(BN_train(x) + alpha*x), with the BN
// running-state update of BatchNormTrain.
type PRepBNTrain struct {
	M, C                                int
	Lambda, Alpha                       float32
	LNEps, BNEps, Momentum              float32
	X, LNGamma, LNBeta, BNGamma, BNBeta Tensor
	RunMean, RunVar                     Tensor
	Y, NewMean, NewVar                  Tensor
}

// PowerNormTrain: GroupScaling1D then the quadratic-mean batch norm at
// iteration Iter (1-based), reading Phi and writing NewPhi.
type PowerNormTrain struct {
	M, C, Groups         int
	Eps, Momentum        float32 // Momentum is afwd (0.9)
	Warmup, Iter         int
	X, Weight, Bias, Phi Tensor
	Y, NewPhi            Tensor
}

// PowerNormInfer: y = w * GroupScale(x) * rsqrt(phi+eps) + b.
type PowerNormInfer struct {
	M, C, Groups            int
	Eps                     float32
	X, Weight, Bias, Phi, Y Tensor
}

// UnifiedNormTrain: UN1d training forward at iteration Iter (1-based) with
// the window buffer Buf [Window, C]; writes NewBuf and NewRunVar.
type UnifiedNormTrain struct {
	M, C, Window, Warmup, Iter int
	Filter                     bool // outlier filtration
	Eps, Momentum              float32
	X, Weight, Bias            Tensor
	Buf, RunVar                Tensor
	Y, NewBuf, NewRunVar       Tensor
}

// UnifiedNormInfer: y = w * x * rsqrt(rv+eps) + b.
type UnifiedNormInfer struct {
	M, C                       int
	Eps                        float32
	X, Weight, Bias, RunVar, Y Tensor
}

// EvoNormB0 on x [N, HW, C] (NHWC with HW = H*W). Training uses the batch
// variance and writes NewRunVar; inference uses RunVar (NewRunVar nil).
type EvoNormB0 struct {
	N, HW, C            int
	Eps, Decay          float32
	Training, Nonlinear bool
	X, Gamma, Beta, V   Tensor
	RunVar              Tensor
	Y, NewRunVar        Tensor
}

// EvoNormS0 on x [N, HW, C] with Groups groups of C/Groups channels
// (the suite lowers Groups until it divides C).
type EvoNormS0 struct {
	N, HW, C, Groups     int
	Eps                  float32
	Nonlinear            bool
	X, Gamma, Beta, V, Y Tensor
}

// SELU: y = lam*x for x > 0, else lam*alpha*expm1(x), elementwise over N values.
type SELU struct {
	N    int
	X, Y Tensor
}

func (LayerNorm) Kernel() string           { return "layernorm" }
func (RMSNorm) Kernel() string             { return "rmsnorm" }
func (LayerNormScaling) Kernel() string    { return "layernorm_scaling" }
func (NonScalingLayerNorm) Kernel() string { return "nonscaling_layernorm" }
func (CRMSNorm) Kernel() string            { return "crmsnorm" }
func (SingleScaleRMSNorm) Kernel() string  { return "single_scale_rmsnorm" }
func (BatchNormInfer) Kernel() string      { return "batchnorm_infer" }
func (BatchNormTrain) Kernel() string      { return "batchnorm_train" }
func (RepBNInfer) Kernel() string          { return "repbn_infer" }
func (PRepBNTrain) Kernel() string         { return "prepbn_train" }
func (PowerNormTrain) Kernel() string      { return "powernorm_train" }
func (PowerNormInfer) Kernel() string      { return "powernorm_infer" }
func (UnifiedNormTrain) Kernel() string    { return "unified_norm_train" }
func (UnifiedNormInfer) Kernel() string    { return "unified_norm_infer" }
func (EvoNormB0) Kernel() string           { return "evonorm_b0" }
func (EvoNormS0) Kernel() string           { return "evonorm_s0" }
func (SELU) Kernel() string                { return "selu" }
