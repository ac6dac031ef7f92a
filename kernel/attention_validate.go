package kernel

import "math"

// attnDims checks the dimensions shared by the attention ops: B, H and the
// query length L may be 0 (a no-op); the head sizes must be >= 1.
func attnDims(b, h, l, d, dv int) error {
	switch {
	case b < 0 || h < 0 || l < 0:
		return Shapef("B, H, L = %d, %d, %d (must be >= 0)", b, h, l)
	case d < 1 || dv < 1:
		return Shapef("D, Dv = %d, %d (must be >= 1)", d, dv)
	}
	return nil
}

func (op SoftmaxAttention) Validate() error {
	if err := attnDims(op.B, op.H, op.L, op.D, op.Dv); err != nil {
		return err
	}
	switch {
	case op.S < 1:
		return Shapef("S = %d keys (must be >= 1: softmax over no keys is undefined)", op.S)
	case op.Causal && op.L != op.S:
		return Shapef("causal attention needs L == S, got L = %d, S = %d", op.L, op.S)
	case math.IsNaN(float64(op.Scale)) || math.IsInf(float64(op.Scale), 0):
		return Shapef("scale = %v (must be finite)", op.Scale)
	}
	bh := op.B * op.H
	return CheckArgs(F32Arg("q", op.Q, bh*op.L*op.D), F32Arg("k", op.K, bh*op.S*op.D),
		F32Arg("v", op.V, bh*op.S*op.Dv), F32Arg("o", op.O, bh*op.L*op.Dv))
}

func (op SimplifiedLinearAttention) Validate() error {
	if err := attnDims(op.B, op.H, op.L, op.D, op.Dv); err != nil {
		return err
	}
	taps := 5
	switch op.Conv {
	case SLAConv2D:
		taps = 25
		if op.GridH < 0 || op.GridW < 0 || op.GridH*op.GridW != op.L {
			return Shapef("sla2d: L = %d is not GridH*GridW = %d*%d", op.L, op.GridH, op.GridW)
		}
		if op.Causal {
			return Shapef("sla2d: causal is only defined for the 1D conv (sla1d)")
		}
	case SLAConv1D:
	default:
		return Shapef("unknown SLA conv %d", op.Conv)
	}
	bh := op.B * op.H
	return CheckArgs(F32Arg("q", op.Q, bh*op.L*op.D), F32Arg("k", op.K, bh*op.L*op.D),
		F32Arg("v", op.V, bh*op.L*op.Dv), F32Arg("pk", op.Pk, op.L*op.H*op.D).Opt(),
		F32Arg("wd", op.Wd, op.Dv*taps), F32Arg("bd", op.Bd, op.Dv), F32Arg("o", op.O, bh*op.L*op.Dv))
}
