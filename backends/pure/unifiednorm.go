package pure

import (
	"math"

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
	x, w, bias, buf, rv := kernel.F32s(op.X), kernel.F32s(op.Weight), kernel.F32s(op.Bias), kernel.F32s(op.Buf), kernel.F32s(op.RunVar)
	y, newBuf, newRV := kernel.F32s(op.Y), kernel.F32s(op.NewBuf), kernel.F32s(op.NewRunVar)
	m, c, win, it := op.M, op.C, op.Window, op.Iter
	st := newColStats(1, m, c, false, func(r0, r1, c0, c1 int, mean, _ []float32) { tileMeanSq(x, c, r0, r1, c0, c1, mean) })
	sq, gm, k := make([]float32, win*c), make([]float32, c), make([]float32, c)
	rows := scaleRows(y, x, k, bias, c)
	slot := newBuf[(it%win)*c : (it%win+1)*c]
	// geo writes the per-channel geometric mean of the window into gm
	// (O(W*C) logs, so the float64 math package costs nothing).
	geo := func() {
		for j := range gm {
			var l float32
			for s := 0; s < win; s++ {
				l += float32(math.Log(float64(newBuf[s*c+j])))
			}
			gm[j] = float32(math.Exp(float64(l / float32(win))))
		}
	}
	return bound(func() {
		copy(newBuf, buf)
		if m == 0 {
			copy(newRV, rv)
			return
		}
		st.run(b)
		x2, _ := st.seg(0)
		copy(slot, x2)
		trig := false
		if op.Filter && it >= op.Warmup {
			// rec: unbiased variance of sqrt(buf) over the window, before the write.
			for i, v := range buf {
				sq[i] = sqrt32(v)
			}
			_, ss := meanM2(sq)
			thr := ss / float32(len(sq)-1) * float32(win)
			geo()
			for j, g := range gm {
				var am float32
				for s := 0; s < win; s++ {
					am += newBuf[s*c+j]
				}
				if am/float32(win)-g > thr {
					trig = true
				}
			}
			if trig { // skip this batch: the window keeps the running var
				copy(slot, rv)
			}
		}
		variance := x2
		if !(it <= win || it < op.Warmup || trig || win <= 1) {
			if !op.Filter { // else geo ran for the filtration, on this window
				geo()
			}
			variance = gm
		}
		mom := op.Momentum
		for j, v := range variance {
			k[j] = w[j] * rsqrt32(v+op.Eps)
			newRV[j] = mom*rv[j] + (1-mom)*v
		}
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
