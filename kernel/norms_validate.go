package kernel

func (op LayerNorm) Validate() error {
	n := op.Rows * op.C
	return First(RowsC(op.Rows, op.C), CheckArgs(
		F32Arg("x", op.X, n), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C), F32Arg("y", op.Y, n)))
}
