package simd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestQuantNoAlloc: the quantizer and RepQuant/layerwise kernels do not
// allocate in Run (one thread, every level, each quick shape).
func TestQuantNoAlloc(t *testing.T) {
	best, err := simd.New(kernel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, isa := range best.Paths() {
		b, err := simd.New(kernel.Config{ISA: isa, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"quantize_i8", "quantize_w4g", "repquant_ln_linear", "repquant_softmax_pv", "layerwise_wq"} {
			k, _ := suite.Lookup(id)
			for _, shape := range k.Quick {
				c, err := k.Build(shape)
				if err != nil {
					t.Fatal(err)
				}
				host := suite.Alloc(c)
				c.Fill(rand.New(rand.NewPCG(1, 2)), host)
				var ts []kernel.Tensor
				for i, bf := range c.Buffers() {
					x, _ := b.Alloc(bf.DType, bf.Len)
					if err := b.Write(x, host[i].Slice()); err != nil {
						t.Fatal(err)
					}
					ts = append(ts, x)
				}
				bd, err := b.Prepare(c.Op(ts))
				if err != nil {
					t.Fatal(err)
				}
				if n := testing.AllocsPerRun(3, func() { bd.Run() }); n != 0 {
					t.Errorf("%s %s %s (path %s): %v allocations per run", isa, id, shape, bd.Path(), n)
				}
			}
		}
	}
}
