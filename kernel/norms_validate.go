package kernel

func (op LayerNorm) Validate() error {
	n := op.Rows * op.C
	return First(RowsC(op.Rows, op.C), CheckArgs(
		F32Arg("x", op.X, n), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C), F32Arg("y", op.Y, n)))
}

func (op RMSNorm) Validate() error {
	n := op.Rows * op.C
	return First(RowsC(op.Rows, op.C), CheckArgs(
		F32Arg("x", op.X, n), F32Arg("gamma", op.Gamma, op.C), F32Arg("y", op.Y, n)))
}

func (op LayerNormScaling) Validate() error {
	if op.Layer < 1 {
		return Shapef("layernorm_scaling: layer = %d (the 1-based layer index must be >= 1)", op.Layer)
	}
	n := op.Rows * op.C
	beta := F32Arg("beta", op.Beta, op.C)
	switch op.Base {
	case BaseLayerNorm:
	case BaseRMSNorm:
		if op.Beta != nil && !isNilHost(op.Beta) {
			return Shapef("layernorm_scaling: beta must be nil with base rmsnorm")
		}
		beta = beta.Opt()
	default:
		return Shapef("layernorm_scaling: unknown base %d", op.Base)
	}
	return First(RowsC(op.Rows, op.C), CheckArgs(
		F32Arg("x", op.X, n), F32Arg("gamma", op.Gamma, op.C), beta, F32Arg("y", op.Y, n)))
}

func (op NonScalingLayerNorm) Validate() error {
	n := op.Rows * op.C
	return First(RowsC(op.Rows, op.C), CheckArgs(
		F32Arg("x", op.X, n), F32Arg("bias", op.Bias, op.C).Opt(), F32Arg("y", op.Y, n)))
}

func (op CRMSNorm) Validate() error {
	if op.N < 1 {
		return Shapef("crmsnorm: n = %d (must be >= 1: d = n+1 = 1 is an error)", op.N)
	}
	n := op.Rows * op.N
	return First(RowsC(op.Rows, op.N), CheckArgs(
		F32Arg("z", op.Z, n), F32Arg("gamma", op.Gamma, op.N).Opt(), F32Arg("y", op.Y, n)))
}

func (op SingleScaleRMSNorm) Validate() error {
	n := op.Rows * op.C
	return First(RowsC(op.Rows, op.C), CheckArgs(F32Arg("x", op.X, n), F32Arg("y", op.Y, n)))
}

func (op SELU) Validate() error {
	if op.N < 0 {
		return Shapef("selu: n = %d (must be >= 0)", op.N)
	}
	return CheckArgs(F32Arg("x", op.X, op.N), F32Arg("y", op.Y, op.N))
}
