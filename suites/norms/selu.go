package norms

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// SELU constants (PyTorch ATen), in full precision for the reference.
const (
	seluLambda = 1.0507009873554804934193349852946
	seluAlpha  = 1.6732632423543772848170429916717
)

// seluSpecials are planted first by fill=special: NaN and the infinities,
// signed zeros, subnormals and values near 0 (where exp(x)-1 cancels), the
// ln2/2 boundary of a range-reduced expm1, the saturation region, and the
// float32 extremes.
var seluSpecials = []float32{
	suite.NaN32, suite.PosInf32, suite.NegInf32, float32(math.Copysign(0, -1)), 0,
	-1e-45, 1e-45, -1e-38, -1e-30, 1e-30, -1e-12, -1e-8, 1e-8, -3e-7, -1e-4, 1e-4, -1e-2,
	-0.3465735, -0.3465736, 0.3465736, -0.5, -1, -2, -17, -18, -30, -87.5, -88.8, -104, -1e30,
	3e38, -math.MaxFloat32, // lam*3e38 still fits float32
}

type selu struct {
	e    int
	fill string
}

func (c *selu) Buffers() []suite.Buffer { return []suite.Buffer{f32Buf("x", c.e), f32Out("y", c.e)} }

func (c *selu) Fill(rng *rand.Rand, d []*kernel.Host) {
	x := d[0].F32
	switch c.fill {
	case "tiny": // |x| = 10^U(-12,-1), both signs: expm1 without cancellation
		for i := range x {
			v := float32(math.Pow(10, -1-11*rng.Float64()))
			if rng.IntN(2) == 0 {
				v = -v
			}
			x[i] = v
		}
	default:
		suite.Normal(rng, x, 0, 2)
		if c.fill == "special" {
			copy(x, seluSpecials)
		}
	}
}

func (c *selu) Op(t []kernel.Tensor) kernel.Op { return kernel.SELU{N: c.e, X: t[0], Y: t[1]} }

func refSELU(x float32) float64 {
	if x > 0 {
		return seluLambda * float64(x)
	}
	return seluLambda * seluAlpha * math.Expm1(float64(x))
}

// Check: KERNELS.md's tolerance, and -0.0 must give -0.0 (Close cannot see
// the sign of a zero).
func (c *selu) Check(d []*kernel.Host) suite.Check {
	x, y := d[0].F32, d[1].F32
	ref := make([]float64, len(x))
	for i, v := range x {
		ref[i] = refSELU(v)
	}
	ck := suite.Close("y", y, ref, 2e-7, 4e-6)
	for i, r := range ref {
		if r == 0 && y[i] == 0 && math.Signbit(r) != math.Signbit(float64(y[i])) {
			ck = suite.Merge(ck, suite.Check{Verdict: suite.Failed, ErrRatio: math.Inf(1),
				Detail: fmt.Sprintf("y[%d] = %g, reference %g (signed zero)", i, y[i], r)})
			break
		}
	}
	frac := 0.5
	if c.fill == "special" {
		frac = 1
	}
	return suite.Trust(ck, ref, frac)
}

// Cost is the part known before x is drawn (every element compared and
// scaled); DataCost adds the expm1 of the elements that need it.
func (c *selu) Cost() suite.Cost { return c.cost(0) }

// DataCost: only x <= 0 needs expm1 (x > 0 is lam*x; NaN stays NaN).
func (c *selu) DataCost(d []*kernel.Host) suite.Cost {
	neg := 0
	for _, v := range d[0].F32 {
		if v <= 0 {
			neg++
		}
	}
	return c.cost(neg)
}

func (c *selu) cost(neg int) suite.Cost {
	e, n := float64(c.e), float64(neg)
	return suite.Cost{Flops: 2*e + 2*n, Trans: n, Bytes: 8 * e}
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "selu", Family: "norms",
		Summary: "SELU activation, elementwise (Klambauer et al. 2017)",
		CostDoc: "FLOPs: 2 per element (compare, scale) and 2 more per element <= 0 (its expm1, counted from the drawn x, and the " +
			"alpha scale), one expm1 (T) each; bytes: x read and y written once",
		Params: []suite.Param{
			{Key: "E", Default: "65536", Doc: "number of elements"},
			{Key: "fill", Default: "normal", Doc: "inputs: normal N(0,2); tiny |x| in [1e-12, 0.1] (expm1 accuracy); special (NaN, Inf, -0.0, subnormals, ... first)"},
		},
		Quick: []string{"E=65536", "E=65536,fill=tiny", "E=4096,fill=special"},
		// LLM activations 2048x4096, 16M elements, ViT-B MLP hidden 12608x3072.
		Full:  []string{"E=8388608", "E=16777216", "E=38731776"},
		Tests: []string{"E=0", "E=1", "E=7,fill=tiny", "E=33,fill=special", "E=100003"},
		Gate:  []string{"E=1048576"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &selu{e: r.Int("E", 0), fill: r.Enum("fill", "normal", "tiny", "special")}
			return c, r.Err
		},
	})
}
