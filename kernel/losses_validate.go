package kernel

import "math"

// lossND checks the [N, D] shape of a loss: N = 0 is allowed (the mean of
// nothing is NaN), an empty sample (D < 1) is an error.
func lossND(n, d int, dname string) error {
	if n < 0 {
		return Shapef("N = %d (must be >= 0)", n)
	}
	if d < 1 {
		return Shapef("%s = %d (must be >= 1)", dname, d)
	}
	return nil
}

// positive checks a scale parameter that must be finite and > 0 (NaN fails).
func positive(name string, v float32) error {
	if !(v > 0) || math.IsInf(float64(v), 1) {
		return Shapef("%s = %g (must be finite and > 0)", name, v)
	}
	return nil
}

func predTarget(n, d int, p, t, out Tensor) error {
	return CheckArgs(F32Arg("pred", p, n*d), F32Arg("target", t, n*d), F32Arg("out", out, 1))
}

func (op MSE) Validate() error {
	return First(lossND(op.N, op.D, "D"), predTarget(op.N, op.D, op.P, op.T, op.Out))
}

func (op Huber) Validate() error {
	return First(lossND(op.N, op.D, "D"), positive("huber: delta", op.Delta), predTarget(op.N, op.D, op.P, op.T, op.Out))
}

func (op PseudoHuber) Validate() error {
	return First(lossND(op.N, op.D, "D"), positive("pseudo_huber: c", op.C), predTarget(op.N, op.D, op.P, op.T, op.Out))
}

func (op Cauchy) Validate() error {
	return First(lossND(op.N, op.D, "D"), positive("cauchy: c", op.C), predTarget(op.N, op.D, op.P, op.T, op.Out))
}

// Validate checks shapes only: targets live in a tensor, so a target out of
// range is seen at run time, where it makes the loss NaN (see CrossEntropy).
func (op CrossEntropy) Validate() error {
	return First(lossND(op.N, op.V, "V"), CheckArgs(
		F32Arg("logits", op.Logits, op.N*op.V), I32Arg("targets", op.Targets, op.N), F32Arg("out", op.Out, 1)))
}

func (op MSEMasked) Validate() error {
	return First(lossND(op.N, op.D, "D"), predTarget(op.N, op.D, op.P, op.T, op.Out), CheckArgs(
		U8Arg("mask", op.Mask, op.N), F32Arg("weights", op.Weights, op.N).Opt()))
}
