package simd

import (
	"math"
	"strings"
	"testing"

	"github.com/nbench/nbench/kernel"
)

// TestQuantizeInputError: a NaN or Inf row is an input error naming the
// row, at every level (the scales of the other rows are still written).
func TestQuantizeInputError(t *testing.T) {
	for _, l := range supported() {
		b, err := New(kernel.Config{ISA: l.name, Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		const R, K = 5, 64
		x := make([]float32, R*K)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		x[3*K+17] = float32(math.Inf(-1))
		h := func(n int, d kernel.DType) kernel.Tensor { tt, _ := b.Alloc(d, n); return tt }
		xt, q, s := h(R*K, kernel.F32), h(R*K, kernel.I8), h(R, kernel.F32)
		copy(kernel.F32s(xt), x)
		bd, err := b.Prepare(kernel.QuantizeI8{Rows: R, K: K, X: xt, Q: q, Scale: s})
		if err != nil {
			t.Fatal(err)
		}
		if err := bd.Run(); err == nil || !strings.Contains(err.Error(), "row 3") {
			t.Errorf("%s quantize_i8: error %v, want one naming row 3", l.name, err)
		}
		w := h(R*K, kernel.F32)
		copy(kernel.F32s(w), x)
		kernel.F32s(w)[3*K+17] = float32(math.NaN())
		bd, err = b.Prepare(kernel.QuantizeW4G{N: R, K: K, Group: 32, W: w, Qp: h(R*K/2, kernel.U8), S: h(R*2, kernel.F32), Z: h(R*2, kernel.U8)})
		if err != nil {
			t.Fatal(err)
		}
		if err := bd.Run(); err == nil || !strings.Contains(err.Error(), "row 3") {
			t.Errorf("%s quantize_w4g: error %v, want one naming row 3", l.name, err)
		}
	}
}
