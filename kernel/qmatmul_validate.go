package kernel

import "math"

// MaxW8A8K is the largest K for which a W8A8 accumulator of int8 values in
// [-127, 127] is exact in int32: 127*127*K < 2^31 (KERNELS.md 3.1).
const MaxW8A8K = 133143

func qmPresent(t Tensor) bool { return t != nil && !isNilHost(t) }

func qmNonNeg(names string, vs ...int) error {
	for _, v := range vs {
		if v < 0 {
			return Shapef("%s = %v (must be >= 0)", names, vs)
		}
	}
	return nil
}

func qmFinite(name string, v float32) error {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return Shapef("%s = %v (must be finite)", name, v)
	}
	return nil
}

// W4Group checks the 4-bit group format of KERNELS.md 3.2: K even, G in
// {32, 64, 128} or G = K (per channel), K % G == 0.
func W4Group(k, g int) error {
	switch {
	case k < 2 || k%2 != 0:
		return Shapef("K = %d (4-bit packing needs an even K >= 2)", k)
	case g != 32 && g != 64 && g != 128 && g != k:
		return Shapef("group G = %d (must be 32, 64, 128 or K = %d)", g, k)
	case k%g != 0:
		return Shapef("K = %d is not a multiple of the group G = %d", k, g)
	}
	return nil
}

func (op QuantizeI8) Validate() error {
	n := op.Rows * op.K
	return First(RowsC(op.Rows, op.K), CheckArgs(
		F32Arg("x", op.X, n), I8Arg("q", op.Q, n), F32Arg("scale", op.Scale, op.Rows)))
}

func (op GemmW8A8) Validate() error {
	if err := qmNonNeg("M, N", op.M, op.N); err != nil {
		return err
	}
	if op.K < 1 || op.K > MaxW8A8K {
		return Shapef("K = %d (must be in [1, %d] for an exact int32 accumulator)", op.K, MaxW8A8K)
	}
	mk, mn := op.M*op.K, op.M*op.N
	args := []Arg{I8Arg("wq", op.Wq, op.N*op.K), F32Arg("sw", op.Sw, op.N), F32Arg("bias", op.Bias, op.N).Opt(),
		F32Arg("y", op.Y, mn), I32Arg("acc", op.Acc, mn).Opt()}
	if op.Fused {
		if qmPresent(op.Xq) || qmPresent(op.Sx) {
			return Shapef("gemm_w8a8: fused takes X only (Xq and Sx must be nil)")
		}
		args = append(args, F32Arg("x", op.X, mk))
	} else {
		if qmPresent(op.X) {
			return Shapef("gemm_w8a8: unfused takes Xq and Sx (X must be nil)")
		}
		args = append(args, I8Arg("xq", op.Xq, mk), F32Arg("sx", op.Sx, op.M))
	}
	return CheckArgs(args...)
}

func (op GemmF32) Validate() error {
	if err := qmNonNeg("M, N", op.M, op.N); err != nil {
		return err
	}
	if op.K < 1 {
		return Shapef("K = %d (must be >= 1)", op.K)
	}
	return CheckArgs(F32Arg("x", op.X, op.M*op.K), F32Arg("w", op.W, op.N*op.K),
		F32Arg("bias", op.Bias, op.N).Opt(), F32Arg("y", op.Y, op.M*op.N))
}

func (op QuantizeW4G) Validate() error {
	if err := qmNonNeg("N", op.N); err != nil {
		return err
	}
	if err := W4Group(op.K, op.Group); err != nil {
		return err
	}
	ng := op.N * (op.K / op.Group)
	return CheckArgs(F32Arg("w", op.W, op.N*op.K), U8Arg("qp", op.Qp, op.N*op.K/2),
		F32Arg("s", op.S, ng), U8Arg("z", op.Z, ng))
}

func (op GemmW4G) Validate() error {
	if err := qmNonNeg("M, N", op.M, op.N); err != nil {
		return err
	}
	if err := W4Group(op.K, op.Group); err != nil {
		return err
	}
	ng := op.N * (op.K / op.Group)
	return CheckArgs(F32Arg("x", op.X, op.M*op.K), U8Arg("qp", op.Qp, op.N*op.K/2),
		F32Arg("s", op.S, ng), U8Arg("z", op.Z, ng), F32Arg("bias", op.Bias, op.N).Opt(),
		F32Arg("y", op.Y, op.M*op.N))
}

// Validate checks one layer: Bits in {2,3,4,8}, K a multiple of Group and
// of the values per byte, and the tensors of that bit width (see WQLayer).
func (l WQLayer) Validate() error {
	if l.N < 1 || l.K < 1 {
		return Shapef("layer N, K = %d, %d (must be >= 1)", l.N, l.K)
	}
	if l.Group < 1 || l.K%l.Group != 0 {
		return Shapef("layer group %d does not divide K = %d", l.Group, l.K)
	}
	nk, ng := l.N*l.K, l.N*(l.K/l.Group)
	bias := F32Arg("bias", l.Bias, l.N).Opt()
	switch l.Bits {
	case 8:
		if l.Group != l.K {
			return Shapef("8-bit layer is per channel: group must be K = %d, got %d", l.K, l.Group)
		}
		if qmPresent(l.Zero) {
			return Shapef("8-bit layer is symmetric: zero must be nil")
		}
		return CheckArgs(I8Arg("q", l.Q, nk), F32Arg("scale", l.Scale, l.N), bias)
	case 4, 2:
		per := 8 / l.Bits
		if l.K%per != 0 {
			return Shapef("%d-bit layer: K = %d is not a multiple of %d (values per byte)", l.Bits, l.K, per)
		}
		return CheckArgs(U8Arg("q", l.Q, nk/per), F32Arg("scale", l.Scale, ng), F32Arg("zero", l.Zero, ng), bias)
	case 3:
		return CheckArgs(U8Arg("q", l.Q, nk), F32Arg("scale", l.Scale, ng), U8Arg("zero", l.Zero, ng), bias)
	}
	return Shapef("layer bits = %d (must be 2, 3, 4 or 8)", l.Bits)
}

func (op LayerwiseWQ) Validate() error {
	if op.M < 0 {
		return Shapef("M = %d (must be >= 0)", op.M)
	}
	if len(op.Layers) == 0 {
		return Shapef("layerwise_wq: no layers")
	}
	for i, l := range op.Layers {
		if err := l.Validate(); err != nil {
			return Shapef("layer %d: %v", i, err)
		}
		if i > 0 && l.K != op.Layers[i-1].N {
			return Shapef("layer %d: K = %d does not match N = %d of layer %d", i, l.K, op.Layers[i-1].N, i-1)
		}
	}
	last := op.Layers[len(op.Layers)-1]
	return CheckArgs(F32Arg("x", op.X, op.M*op.Layers[0].K), F32Arg("y", op.Y, op.M*last.N))
}

func (op RepQuantLNLinear) Validate() error {
	if err := First(RowsC(op.M, op.C), qmNonNeg("N", op.N)); err != nil {
		return err
	}
	switch {
	case op.Bits < 1 || op.Bits > 8:
		return Shapef("bits = %d (must be in [1, 8])", op.Bits)
	case !(op.Dt > 0):
		return Shapef("dt = %v (must be > 0)", op.Dt)
	case !(op.Eps >= 0):
		return Shapef("eps = %v (must be >= 0)", op.Eps)
	}
	if err := qmFinite("dt", op.Dt); err != nil {
		return err
	}
	return CheckArgs(F32Arg("x", op.X, op.M*op.C), F32Arg("gamma", op.Gamma, op.C), F32Arg("beta", op.Beta, op.C),
		F32Arg("w", op.W, op.N*op.C), F32Arg("bias", op.Bias, op.N).Opt(), F32Arg("y", op.Y, op.M*op.N),
		U8Arg("q", op.Q, op.M*op.C).Opt())
}

// SoftmaxPVShift returns F of KERNELS.md 3.4(b): the exponent offset that
// makes every term 2^(F-k) an integer.
func SoftmaxPVShift(bits int, mode SoftmaxQuantMode) int {
	if mode == QuantLog2 {
		return 1<<bits - 1
	}
	return (1<<bits - 1 + 1) / 2
}

// SoftmaxPVIntOK reports whether the integer path (and the i32 outputs Aall,
// Aodd) is defined: bits <= 4 and S*2^7*2^F < 2^31, 2^7 bounding |Vi| for int8 V.
func SoftmaxPVIntOK(bits int, mode SoftmaxQuantMode, s int) bool {
	if bits > 4 {
		return false
	}
	return int64(s)<<(7+SoftmaxPVShift(bits, mode)) < 1<<31
}

func (op RepQuantSoftmaxPV) Validate() error {
	if err := qmNonNeg("BH, L, Dv", op.BH, op.L, op.Dv); err != nil {
		return err
	}
	switch {
	case op.S < 1:
		return Shapef("S = %d keys (must be >= 1)", op.S)
	case op.Bits < 1 || op.Bits > 8:
		return Shapef("bits = %d (must be in [1, 8])", op.Bits)
	case op.Mode != QuantLog2 && op.Mode != QuantLogSqrt2:
		return Shapef("unknown softmax quantizer mode %d", op.Mode)
	}
	if err := First(qmFinite("scale", op.Scale), qmFinite("sv", op.SV)); err != nil {
		return err
	}
	ints := qmPresent(op.Aall) || qmPresent(op.Aodd)
	if ints && !SoftmaxPVIntOK(op.Bits, op.Mode, op.S) {
		return Shapef("aall/aodd need the int32 path: bits <= 4 and S*2^(7+F) < 2^31 (bits %d, S %d)", op.Bits, op.S)
	}
	if qmPresent(op.Aodd) && op.Mode != QuantLogSqrt2 {
		return Shapef("aodd is defined only for the logsqrt2 quantizer")
	}
	lo := op.BH * op.L * op.Dv
	return CheckArgs(U8Arg("pq", op.Pq, op.BH*op.L*op.S), I8Arg("vi", op.Vi, op.BH*op.S*op.Dv),
		F32Arg("o", op.O, lo), I32Arg("aall", op.Aall, lo).Opt(), I32Arg("aodd", op.Aodd, lo).Opt())
}
