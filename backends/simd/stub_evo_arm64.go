//go:build !purego

package simd

// The NEON routines of evo_arm64.s; each has the meaning of its Go twin
// (twins_evo.go) within float32 rounding.

// seluNEON sets y[i] = SELU(x[i]) as seluGo (expm1 through expReduce,
// FMAX clamp at -87, sign bit select with SSHR and BSL).
//
//go:noescape
func seluNEON(y, x []float32)

// evoB0NEON sets y[i] = x[i] / max(sb[i], vc[i]*x[i] + sw[i]) * g[i] + b[i]
// (FMAX propagates NaN from both sides).
//
//go:noescape
func evoB0NEON(y, x, sb, vc, sw, g, b []float32)

// evoS0NEON sets y[i] = x[i]*sigmoid(vc[i]*x[i])*k[i] + b[i] as evoS0Go.
//
//go:noescape
func evoS0NEON(y, x, vc, k, b []float32)
