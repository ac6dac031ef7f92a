package norms

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// The identities of KERNELS.md section 1, each checked on the float64
// references and on the go backend (run through Prepare like any backend).

// runPure prepares op on the go backend and runs it once.
func runPure(t *testing.T, op kernel.Op) {
	t.Helper()
	if err := suite.RunOnce(pure.New(kernel.Config{Threads: 3}), op); err != nil {
		t.Fatal(err)
	}
}

func h(x []float32) *kernel.Host { return &kernel.Host{F32: x} }

// nanRows returns n NaNs, an output the kernel must overwrite.
func nanRows(n int) []float32 { return constRow(n, suite.NaN32) }

func requirePass(t *testing.T, what string, c suite.Check) {
	t.Helper()
	if c.Verdict != suite.Passed {
		t.Errorf("%s: %s: %s", what, c.Verdict, c.Detail)
	}
}

// cols returns columns [0, n) of a [rows, stride] matrix.
func cols[T any](x []T, rows, stride, n int) []T {
	out := make([]T, 0, rows*n)
	for r := 0; r < rows; r++ {
		out = append(out, x[r*stride:r*stride+n]...)
	}
	return out
}

// crmsnorm(z) == rmsnorm([z, -sum z])[0:n], the defining property of CRMSNorm.
func TestCRMSNormIsRMSNormOfCompletedRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const eps = 1e-5
	for _, n := range []int{1, 2, 33, 4095} {
		rows := 5
		z, g := make([]float32, rows*n), make([]float32, n)
		suite.Normal(rng, z, 0.3, 1) // non-zero sums, so the dropped element matters
		suite.Gamma(rng, g)
		x, gx := make([]float32, rows*(n+1)), append(append([]float32{}, g...), 1)
		for r := 0; r < rows; r++ {
			var s float64
			for j, v := range z[r*n : (r+1)*n] {
				x[r*(n+1)+j] = v
				s += float64(v)
			}
			x[r*(n+1)+n] = float32(-s)
		}

		refC := refCRMSNorm(z, g, rows, n, eps)
		refR := cols(refRMSNorm(x, gx, rows, n+1, eps, 1), rows, n+1, n)
		requirePass(t, "reference crmsnorm vs rmsnorm", suite.Close("y", float32s(refC), refR, 1e-6, 1e-6))

		yc, yr := nanRows(rows*n), nanRows(rows*(n+1))
		runPure(t, kernel.CRMSNorm{Rows: rows, N: n, Eps: eps, Z: h(z), Gamma: h(g), Y: h(yc)})
		runPure(t, kernel.RMSNorm{Rows: rows, C: n + 1, Eps: eps, X: h(x), Gamma: h(gx), Y: h(yr)})
		requirePass(t, "go crmsnorm vs reference rmsnorm", suite.Close("y", yc, refR, rmsTol, rmsTol))
		requirePass(t, "go crmsnorm vs go rmsnorm", suite.Close("y", yc, suite.F64(cols(yr, rows, n+1, n)), 2*rmsTol, 2*rmsTol))
	}
}

// float32s rounds a reference to float32 so Close can compare two references.
func float32s(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// On zero-mean rows, layernorm == rmsnorm (same eps) + beta.
func TestLayerNormOfZeroMeanRowIsRMSNormPlusBeta(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const rows, c, eps = 6, 768, 1e-5
	x, g, beta := make([]float32, rows*c), make([]float32, c), make([]float32, c)
	suite.Normal(rng, x, 0, 1)
	for r := 0; r < rows; r++ { // x = [v, -v]: the mean is exactly 0
		for j := 0; j < c/2; j++ {
			x[r*c+c/2+j] = -x[r*c+j]
		}
	}
	suite.Gamma(rng, g)
	suite.Beta(rng, beta)
	plusBeta := func(y []float64) []float64 {
		for i := range y {
			y[i] += float64(beta[i%c])
		}
		return y
	}

	refRMS := plusBeta(refRMSNorm(x, g, rows, c, eps, 1))
	requirePass(t, "reference layernorm vs rmsnorm+beta",
		suite.Close("y", float32s(refLayerNorm(x, g, beta, rows, c, eps)), refRMS, 1e-7, 1e-7))

	yl, yr := nanRows(rows*c), nanRows(rows*c)
	runPure(t, kernel.LayerNorm{Rows: rows, C: c, Eps: eps, X: h(x), Gamma: h(g), Beta: h(beta), Y: h(yl)})
	runPure(t, kernel.RMSNorm{Rows: rows, C: c, Eps: eps, X: h(x), Gamma: h(g), Y: h(yr)})
	requirePass(t, "go layernorm vs reference rmsnorm+beta", suite.Close("y", yl, refRMS, rmsTol, rmsTol))
	requirePass(t, "go layernorm vs go rmsnorm+beta", suite.Close("y", yl, plusBeta(suite.F64(yr)), 2*rmsTol, 2*rmsTol))
}

// layernorm_scaling == the base norm with gamma and beta scaled by s, for
// both bases.
func TestLayerNormScalingIsScaledAffine(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const rows, c = 5, 1000
	for _, base := range []kernel.NormBase{kernel.BaseLayerNorm, kernel.BaseRMSNorm} {
		for _, layer := range []int{1, 2, 7, 24} {
			lns := &layerNormScaling{rowShape: rowShape{R: rows, C: c, Eps: 1e-6}, base: base, layer: layer}
			x, g, beta := make([]float32, rows*c), make([]float32, c), make([]float32, c)
			suite.Normal(rng, x, 0, 1)
			suite.Gamma(rng, g)
			suite.Beta(rng, beta)
			s := lns.scale()
			gs, bs := make([]float32, c), make([]float32, c)
			for j := range g {
				gs[j], bs[j] = s*g[j], s*beta[j]
			}

			var refBase []float64
			var opBeta kernel.Tensor
			yb, y := nanRows(rows*c), nanRows(rows*c)
			if base == kernel.BaseLayerNorm {
				refBase = refLayerNorm(x, gs, bs, rows, c, lns.Eps)
				runPure(t, kernel.LayerNorm{Rows: rows, C: c, Eps: lns.Eps, X: h(x), Gamma: h(gs), Beta: h(bs), Y: h(yb)})
				opBeta = h(beta)
			} else {
				refBase = refRMSNorm(x, gs, rows, c, lns.Eps, 1)
				runPure(t, kernel.RMSNorm{Rows: rows, C: c, Eps: lns.Eps, X: h(x), Gamma: h(gs), Y: h(yb)})
			}
			requirePass(t, "reference lns vs scaled base", suite.Close("y", float32s(lns.ref(x, g, beta)), refBase, 1e-6, 1e-6))
			runPure(t, kernel.LayerNormScaling{Base: base, Layer: layer, Rows: rows, C: c, Eps: lns.Eps,
				X: h(x), Gamma: h(g), Beta: opBeta, Y: h(y)})
			requirePass(t, "go lns vs reference scaled base", suite.Close("y", y, refBase, rmsTol, rmsTol))
			requirePass(t, "go lns vs go scaled base", suite.Close("y", y, suite.F64(yb), 2*rmsTol, 2*rmsTol))
		}
	}
}

// The parameter errors of KERNELS.md are shape errors, caught by Validate
// before a backend binds anything.
func TestRowNormParameterErrors(t *testing.T) {
	x, g, y := h(make([]float32, 8)), h(make([]float32, 4)), h(make([]float32, 8))
	for _, op := range []kernel.Op{
		kernel.LayerNormScaling{Layer: 0, Rows: 2, C: 4, X: x, Gamma: g, Beta: g, Y: y},
		kernel.LayerNormScaling{Layer: -3, Rows: 2, C: 4, X: x, Gamma: g, Beta: g, Y: y},
		kernel.LayerNormScaling{Base: kernel.BaseRMSNorm, Layer: 1, Rows: 2, C: 4, X: x, Gamma: g, Beta: g, Y: y},
		kernel.LayerNormScaling{Base: kernel.BaseLayerNorm, Layer: 1, Rows: 2, C: 4, X: x, Gamma: g, Y: y},
		kernel.LayerNormScaling{Base: 7, Layer: 1, Rows: 2, C: 4, X: x, Gamma: g, Y: y},
		kernel.CRMSNorm{Rows: 8, N: 0, Z: h(nil), Y: h(nil)},
		kernel.CRMSNorm{Rows: 2, N: 4, Z: x, Gamma: h(make([]float32, 5)), Y: y},
		kernel.RMSNorm{Rows: 2, C: 4, X: x, Gamma: h(make([]float32, 3)), Y: y},
		kernel.RMSNorm{Rows: 2, C: 4, X: x, Y: y},
		kernel.RMSNorm{Rows: -1, C: 4, X: x, Gamma: g, Y: y},
		kernel.NonScalingLayerNorm{Rows: 2, C: 4, X: x, Bias: x, Y: y},
		kernel.SingleScaleRMSNorm{Rows: 3, C: 4, X: x, Y: y},
		kernel.SELU{N: -1, X: x, Y: y},
		kernel.SELU{N: 8, X: x, Y: g},
	} {
		_, err := pure.New(kernel.Config{}).Prepare(op)
		if !errors.Is(err, kernel.ErrShape) {
			t.Errorf("%s %+v: got %v, want a shape error", op.Kernel(), op, err)
		}
	}
}

// SELU's edge cases of KERNELS.md 1.12 on the reference and the go backend,
// -0.0 included (compared by bits).
func TestSELUEdgeCases(t *testing.T) {
	la := float32(seluLambda * seluAlpha)
	x := []float32{suite.NaN32, suite.PosInf32, suite.NegInf32, float32(math.Copysign(0, -1)), 0, 1}
	want := []float32{suite.NaN32, suite.PosInf32, -la, float32(math.Copysign(0, -1)), 0, float32(seluLambda)}
	y := nanRows(len(x))
	runPure(t, kernel.SELU{N: len(x), X: h(x), Y: h(y)})
	for i := range x {
		ref := float32(refSELU(x[i]))
		for _, got := range []float32{ref, y[i]} {
			if math.Float32bits(got) != math.Float32bits(want[i]) && !(got != got && want[i] != want[i]) {
				t.Errorf("selu(%g) = %g, want %g", x[i], got, want[i])
			}
		}
	}
}
