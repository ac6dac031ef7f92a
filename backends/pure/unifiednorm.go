package pure

import (
	"github.com/nbench/nbench/backends/internal/unorm"
	"github.com/nbench/nbench/kernel"
)

// Unified Normalization UN1d (KERNELS.md 1.10): y = w * x * rsqrt(var + eps)
// + b, var from the batch quadratic mean or a window of past ones.

func init() {
	register("unified_norm_train", prepareUnifiedNormTrain)
	register("unified_norm_infer", prepareUnifiedNormInfer)
}

// scaleRows returns the row loop of y = x*k + b (k, b per channel).
func scaleRows(y, x, k, b []float32, c int) func(lo, hi int) {
	return func(lo, hi int) {
		for r := lo; r < hi; r++ {
			scaleShiftRow(y[r*c:(r+1)*c], x[r*c:(r+1)*c], k, b)
		}
	}
}

func prepareUnifiedNormTrain(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.UnifiedNormTrain)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	x, y, bias := kernel.F32s(op.X), kernel.F32s(op.Y), kernel.F32s(op.Bias)
	m, c := op.M, op.C
	st := newColStats(1, m, c, false, func(r0, r1, c0, c1 int, mean, _ []float32) { tileMeanSq(x, c, r0, r1, c0, c1, mean) })
	k := make([]float32, c)
	rows := scaleRows(y, x, k, bias, c)
	step := unorm.New(&op)
	return bound(func() {
		if m == 0 {
			step.Empty()
			return
		}
		st.run(b)
		x2, _ := st.seg(0)
		step.Update(x2, k)
		b.rows(m, 2*c, rows)
	}), nil
}

func prepareUnifiedNormInfer(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.UnifiedNormInfer)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	w, rv := kernel.F32s(op.Weight), kernel.F32s(op.RunVar)
	k := make([]float32, op.C)
	rows := scaleRows(kernel.F32s(op.Y), kernel.F32s(op.X), k, kernel.F32s(op.Bias), op.C)
	return bound(func() {
		for j := range k {
			k[j] = w[j] * rsqrt32(rv[j]+op.Eps)
		}
		b.rows(op.M, 2*op.C, rows)
	}), nil
}
