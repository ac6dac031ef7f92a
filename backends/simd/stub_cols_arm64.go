//go:build !purego

package simd

// The NEON column primitives of cols_arm64.s, with the meaning of their Go
// twins (trainnorms_twins.go) within float32 rounding.

// colSumNEON adds x[r*ld+j] into acc[j] for r < rows, j < len(acc).
//
//go:noescape
func colSumNEON(acc, x []float32, ld, rows int)

// colSqDevNEON adds (x[r*ld+j]-sh[j])² into acc[j] for r < rows, j < len(acc).
//
//go:noescape
func colSqDevNEON(acc, x, sh []float32, ld, rows int)

// centerAffineNEON sets y[i] = (x[i]-mu[i])*a[i] + b[i] over len(x).
//
//go:noescape
func centerAffineNEON(y, x, mu, a, b []float32)

// blendAffineNEON sets y[i] = (x[i]-rmu)*s*g[i] + ((x[i]-mu[i])*a[i] + b[i]) over len(x).
//
//go:noescape
func blendAffineNEON(y, x, g, mu, a, b []float32, rmu, s float32)
