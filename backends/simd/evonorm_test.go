package simd_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nbench/nbench/backends/simd"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// TestEvoNoAlloc: a one-thread Run of the EvoNorm and SELU kernels does
// not allocate (their scratch is made in Prepare), at every level.
func TestEvoNoAlloc(t *testing.T) {
	for _, isa := range paths(t) {
		b, err := simd.New(kernel.Config{Threads: 1, ISA: isa})
		if err != nil {
			t.Fatal(err)
		}
		for _, cs := range []string{"evonorm_b0/N=2,H=9,W=9,C=40", "evonorm_b0/N=2,H=9,W=9,C=40,training=false",
			"evonorm_b0/N=2,H=4,W=4,C=8,nonlinear=false", "evonorm_s0/N=2,H=9,W=9,C=64", "selu/E=1000"} {
			name, shape, _ := strings.Cut(cs, "/")
			k, _ := suite.Lookup(name)
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
			if n := testing.AllocsPerRun(5, func() { bd.Run() }); n != 0 {
				t.Errorf("%s %s: %v allocations per Run", isa, cs, n)
			}
		}
	}
}
