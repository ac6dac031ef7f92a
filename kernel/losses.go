package kernel

// Loss ops (KERNELS.md section 5): pred P and target T are [N, D] float32,
// the mean-reduced scalar goes to Out, a float32 tensor of length 1.
// N = 0 is valid and gives NaN (the mean of nothing, as PyTorch).

// MSE: mean (p-t)^2.
type MSE struct {
	N, D      int
	P, T, Out Tensor
}

// Huber: mean of 0.5*r^2 if |r| < delta else delta*(|r|-0.5*delta).
type Huber struct {
	N, D      int
	Delta     float32
	P, T, Out Tensor
}

// PseudoHuber (iCT): mean_i sqrt(s_i + c^2) - c with s_i = sum_d (p-t)^2,
// in the stable form s_i / (sqrt(s_i + c^2) + c) (s_i = +Inf gives +Inf).
type PseudoHuber struct {
	N, D      int
	C         float32
	P, T, Out Tensor
}

// Cauchy (sLCT): mean_i log1p(s_i / (2c^2)).
type Cauchy struct {
	N, D      int
	C         float32
	P, T, Out Tensor
}

// CrossEntropy: logits [N, V], targets [N] int32 in [0,V) or IgnoreIndex;
// mean over valid rows of logsumexp(z_i) - z_i[t_i]. Rows whose target is
// IgnoreIndex are skipped (their logits are never read, so they may hold
// anything); no valid row gives NaN. A target out of [0,V) that is not
// IgnoreIndex is an error that only the data shows: it makes the loss NaN,
// and no backend may read outside the row for it.
type CrossEntropy struct {
	N, V                 int
	IgnoreIndex          int32
	Logits, Targets, Out Tensor
}

// MSEMasked: (1/N) sum_i w_i*m_i*(1/D) sum_d (p-t)^2 with Mask [N] u8 in {0,1}
// and Weights [N] f32 (nil means all 1). A sample with m_i = 0 is skipped,
// not multiplied by 0, so a NaN or Inf in it does not reach the loss; any
// non-zero mask byte counts as 1.
type MSEMasked struct {
	N, D                     int
	P, T, Mask, Weights, Out Tensor
}

func (MSE) Kernel() string          { return "mse" }
func (Huber) Kernel() string        { return "huber" }
func (PseudoHuber) Kernel() string  { return "pseudo_huber" }
func (Cauchy) Kernel() string       { return "cauchy" }
func (CrossEntropy) Kernel() string { return "cross_entropy" }
func (MSEMasked) Kernel() string    { return "mse_masked" }
