package suite

import (
	"math"
	"math/rand/v2"
)

// Uniform fills x with U(lo, hi).
func Uniform(rng *rand.Rand, x []float32, lo, hi float64) {
	for i := range x {
		x[i] = float32(lo + (hi-lo)*rng.Float64())
	}
}

// Normal fills x with N(mean, std).
func Normal(rng *rand.Rand, x []float32, mean, std float64) {
	for i := range x {
		x[i] = float32(mean + std*rng.NormFloat64())
	}
}

// Gamma fills an affine scale with U(0.5, 1.5) and Beta a shift with
// U(-0.5, 0.5), as KERNELS.md's conventions ask.
func Gamma(rng *rand.Rand, x []float32) { Uniform(rng, x, 0.5, 1.5) }
func Beta(rng *rand.Rand, x []float32)  { Uniform(rng, x, -0.5, 0.5) }

// F64 converts float32 data to float64 exactly.
func F64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// NaN and Inf as float32, for edge-case fills.
var (
	NaN32    = float32(math.NaN())
	PosInf32 = float32(math.Inf(1))
	NegInf32 = float32(math.Inf(-1))
)
