package suite_test

import (
	"math"
	"testing"

	"github.com/nbench/nbench/suites/suite"
)

// TestCostDocs: every kernel says what its counts include (nbench list -v).
func TestCostDocs(t *testing.T) {
	for _, k := range suite.All() {
		if len(k.CostDoc) < 20 {
			t.Errorf("%s: CostDoc %q does not say what the counts include", k.Name, k.CostDoc)
		}
	}
}

// TestCostsOfDrawnInputs: on every quick shape the costs are finite and
// non-negative, and a data-dependent case's DataCost only adds to the part
// Cost knows before the inputs are drawn.
func TestCostsOfDrawnInputs(t *testing.T) {
	for _, k := range suite.All() {
		for _, shape := range k.Quick {
			p, err := k.ParseParams(shape)
			if err != nil {
				t.Fatalf("%s %s: %v", k.Name, shape, err)
			}
			c, err := k.New(p)
			if err != nil {
				t.Fatalf("%s %s: %v", k.Name, shape, err)
			}
			base := c.Cost()
			checkCost(t, k.Name+"/"+shape+" Cost", base)
			dc, ok := c.(suite.DataCoster)
			if !ok {
				continue
			}
			data := suite.Alloc(c)
			c.Fill(suite.Rand(1), data)
			got := dc.DataCost(data)
			checkCost(t, k.Name+"/"+shape+" DataCost", got)
			if got.Flops < base.Flops || got.IntOps < base.IntOps || got.ALUOps < base.ALUOps || got.Bytes < base.Bytes {
				t.Errorf("%s %s: DataCost %+v is below Cost %+v", k.Name, shape, got, base)
			}
		}
	}
}

func checkCost(t *testing.T, what string, c suite.Cost) {
	t.Helper()
	for _, v := range []float64{c.Flops, c.Trans, c.IntOps, c.ALUOps, c.Bytes, c.Reread} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s: %+v has a negative or non-finite count", what, c)
			return
		}
	}
	if c.Trans > c.Flops {
		t.Errorf("%s: %+v: transcendentals are counted in Flops too", what, c)
	}
}

// TestResolveReread: the second pass counts only over data beyond the cache.
func TestResolveReread(t *testing.T) {
	c := suite.Cost{Bytes: 100, Reread: 40}
	if got := c.Resolve(1000, 2000).Bytes; got != 100 {
		t.Errorf("data in cache: bytes %v, want 100", got)
	}
	if got := c.Resolve(3000, 2000).Bytes; got != 140 {
		t.Errorf("data beyond the cache: bytes %v, want 140", got)
	}
	if got := c.Resolve(3000, 0); got.Bytes != 100 || got.Reread != 0 {
		t.Errorf("unknown cache: %+v, want bytes 100 and no reread left", got)
	}
}
