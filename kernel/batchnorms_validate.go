package kernel

// Validation of the batch-statistics and stateful norms (KERNELS.md
// 1.7-1.11). M = 0 (or N = 0) is a no-op: outputs are empty and a training
// op's new state equals its old state.

// batchTrainRows checks the row count of a training op that uses the unbiased
// running variance M/(M-1): M = 1 is an error, as in PyTorch.
func batchTrainRows(m, c int) error {
	if m == 1 {
		return Shapef("M = 1: training needs more than one value per channel")
	}
	return RowsC(m, c)
}

// batchGroups checks a channel grouping.
func batchGroups(c, g int) error {
	if g < 1 || c%g != 0 {
		return Shapef("groups = %d must be >= 1 and divide C = %d", g, c)
	}
	return nil
}

// batchIter checks a 1-based training iteration and a warmup count.
func batchIter(iter, warmup int) error {
	if iter < 1 {
		return Shapef("iteration = %d (must be >= 1, counted before the call)", iter)
	}
	if warmup < 0 {
		return Shapef("warmup = %d (must be >= 0)", warmup)
	}
	return nil
}

// batchNHWC checks an [N, HW, C] shape: N >= 0, HW >= 1, C >= 1.
func batchNHWC(n, hw, c int) error {
	if n < 0 {
		return Shapef("N = %d (must be >= 0)", n)
	}
	if hw < 1 {
		return Shapef("H*W = %d (must be >= 1)", hw)
	}
	if c < 1 {
		return Shapef("C = %d (must be >= 1)", c)
	}
	return nil
}

func (op BatchNormInfer) Validate() error {
	e := op.M * op.C
	return First(RowsC(op.M, op.C), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C),
		F32Arg("running_mean", op.RunMean, op.C), F32Arg("running_var", op.RunVar, op.C), F32Arg("y", op.Y, e)))
}

func (op BatchNormTrain) Validate() error {
	e := op.M * op.C
	return First(batchTrainRows(op.M, op.C), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C),
		F32Arg("running_mean", op.RunMean, op.C), F32Arg("running_var", op.RunVar, op.C), F32Arg("y", op.Y, e),
		F32Arg("new_mean", op.NewMean, op.C), F32Arg("new_var", op.NewVar, op.C)))
}

func (op RepBNInfer) Validate() error {
	return BatchNormInfer{M: op.M, C: op.C, X: op.X, Gamma: op.Gamma, Beta: op.Beta,
		RunMean: op.RunMean, RunVar: op.RunVar, Y: op.Y}.Validate()
}

func (op PRepBNTrain) Validate() error {
	return First(BatchNormTrain{M: op.M, C: op.C, X: op.X, Gamma: op.BNGamma, Beta: op.BNBeta,
		RunMean: op.RunMean, RunVar: op.RunVar, Y: op.Y, NewMean: op.NewMean, NewVar: op.NewVar}.Validate(),
		CheckArgs(F32Arg("ln_gamma", op.LNGamma, op.C), F32Arg("ln_beta", op.LNBeta, op.C)))
}

func (op PowerNormTrain) Validate() error {
	e := op.M * op.C
	return First(RowsC(op.M, op.C), batchGroups(op.C, op.Groups), batchIter(op.Iter, op.Warmup), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("weight", op.Weight, op.C), F32Arg("bias", op.Bias, op.C),
		F32Arg("phi", op.Phi, op.C), F32Arg("y", op.Y, e), F32Arg("new_phi", op.NewPhi, op.C)))
}

func (op PowerNormInfer) Validate() error {
	e := op.M * op.C
	return First(RowsC(op.M, op.C), batchGroups(op.C, op.Groups), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("weight", op.Weight, op.C), F32Arg("bias", op.Bias, op.C),
		F32Arg("phi", op.Phi, op.C), F32Arg("y", op.Y, e)))
}

func (op UnifiedNormTrain) Validate() error {
	e, wc := op.M*op.C, op.Window*op.C
	if op.Window < 1 {
		return Shapef("window = %d (must be >= 1)", op.Window)
	}
	return First(RowsC(op.M, op.C), batchIter(op.Iter, op.Warmup), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("weight", op.Weight, op.C), F32Arg("bias", op.Bias, op.C),
		F32Arg("buf", op.Buf, wc), F32Arg("running_var", op.RunVar, op.C), F32Arg("y", op.Y, e),
		F32Arg("new_buf", op.NewBuf, wc), F32Arg("new_running_var", op.NewRunVar, op.C)))
}

func (op UnifiedNormInfer) Validate() error {
	e := op.M * op.C
	return First(RowsC(op.M, op.C), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("weight", op.Weight, op.C), F32Arg("bias", op.Bias, op.C),
		F32Arg("running_var", op.RunVar, op.C), F32Arg("y", op.Y, e)))
}

func (op EvoNormB0) Validate() error {
	e := op.N * op.HW * op.C
	newRV := F32Arg("new_running_var", op.NewRunVar, op.C)
	if !op.Training {
		newRV = newRV.Opt() // inference has no state update
	}
	return First(batchNHWC(op.N, op.HW, op.C), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C),
		F32Arg("v", op.V, op.C), F32Arg("running_var", op.RunVar, op.C), F32Arg("y", op.Y, e), newRV))
}

func (op EvoNormS0) Validate() error {
	e := op.N * op.HW * op.C
	return First(batchNHWC(op.N, op.HW, op.C), batchGroups(op.C, op.Groups), CheckArgs(
		F32Arg("x", op.X, e), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C),
		F32Arg("v", op.V, op.C), F32Arg("y", op.Y, e)))
}
