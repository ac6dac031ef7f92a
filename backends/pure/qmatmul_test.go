package pure_test

import (
	"math"
	"strings"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// KERNELS.md 3.1: NaN or Inf in the input of a quantizer is an input error
// that names the offending row.
func TestQuantizersRejectNonFinite(t *testing.T) {
	be := pure.New(kernel.Config{Threads: 2})
	const rows, k = 5, 64
	x := make([]float32, rows*k)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		x[3*k+17] = bad
		ops := map[string]kernel.Op{
			"quantize_i8": kernel.QuantizeI8{Rows: rows, K: k, X: &kernel.Host{F32: x},
				Q: kernel.NewHost(kernel.I8, rows*k), Scale: kernel.NewHost(kernel.F32, rows)},
			"quantize_w4g": kernel.QuantizeW4G{N: rows, K: k, Group: 32, W: &kernel.Host{F32: x},
				Qp: kernel.NewHost(kernel.U8, rows*k/2), S: kernel.NewHost(kernel.F32, rows*2), Z: kernel.NewHost(kernel.U8, rows*2)},
			"gemm_w8a8 fused": kernel.GemmW8A8{M: rows, N: 3, K: k, Fused: true, X: &kernel.Host{F32: x},
				Wq: kernel.NewHost(kernel.I8, 3*k), Sw: kernel.NewHost(kernel.F32, 3), Y: kernel.NewHost(kernel.F32, rows*3)},
		}
		for name, op := range ops {
			bd, err := be.Prepare(op)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			err = bd.Run()
			if err == nil || !strings.Contains(err.Error(), "row 3") {
				t.Errorf("%s with %v in row 3: got error %v, want an input error naming row 3", name, bad, err)
			}
		}
	}
}

// Run must not allocate: every kernel of the family, on its quick shapes,
// with one thread (more threads start goroutines, which allocate).
func TestQMatmulRunDoesNotAllocate(t *testing.T) {
	be := pure.New(kernel.Config{Threads: 1})
	for _, name := range []string{"quantize_i8", "gemm_w8a8", "quantize_w4g", "gemm_w4g", "layerwise_wq",
		"repquant_ln_linear", "repquant_softmax_pv"} {
		k, ok := suite.Lookup(name)
		if !ok {
			t.Fatalf("%s not registered", name)
		}
		for _, shape := range k.Quick {
			c, host, err := k.Instance(shape, 1)
			if err != nil {
				t.Fatal(err)
			}
			bd, err := be.Prepare(c.Op(suite.Tensors(host)))
			if err != nil {
				t.Fatalf("%s %s: %v", name, shape, err)
			}
			if a := testing.AllocsPerRun(3, func() { bd.Run() }); a != 0 {
				t.Errorf("%s %s: %v allocations per run", name, shape, a)
			}
		}
	}
}
