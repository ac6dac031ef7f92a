//go:build !purego

package simd

// The NEON routines of simd_arm64.s. Each has the meaning of its Go twin
// (twins.go) within float32 rounding; tails shorter than four elements run
// one element at a time through lane 0.

// sumNEON returns Σ x[i] (four vector accumulators).
//
//go:noescape
func sumNEON(x []float32) float32

// sumSqNEON returns Σ x[i]².
//
//go:noescape
func sumSqNEON(x []float32) float32

// sumSqDevNEON returns Σ (x[i]-mu)².
//
//go:noescape
func sumSqDevNEON(x []float32, mu float32) float32

// sumSqDiffNEON returns Σ (a[i]-b[i])² over len(a); len(b) >= len(a).
//
//go:noescape
func sumSqDiffNEON(a, b []float32) float32

// huberSumNEON returns Σ h(p[i]-t[i]) as huberSumGo, with q = min(|r|, delta)
// (FMIN: NaN propagates). len(t) >= len(p).
//
//go:noescape
func huberSumNEON(p, t []float32, delta float32) float32

// maxvNEON returns max x[i] (-Inf for an empty x).
//
//go:noescape
func maxvNEON(x []float32) float32

// sumExpNEON returns Σ exp(x[i]-m) with the exp of expPoly (clamped at -87,
// NaN propagates).
//
//go:noescape
func sumExpNEON(x []float32, m float32) float32

// normAffineNEON sets y[i] = (x[i]-mu)*s*g[i] + b[i] over len(x) (the last
// step is one FMA).
//
//go:noescape
func normAffineNEON(y, x, g, b []float32, mu, s float32)

// scaleMulNEON sets y[i] = x[i]*s*g[i] over len(x).
//
//go:noescape
func scaleMulNEON(y, x, g []float32, s float32)

// sdotTile1NEON .. sdotTile4NEON: one to four rows of int8 codes times a
// panel of 16 columns with SDOT (dotprod), the w8S8 layout of gemm_w8a8.go:
// acc[i*16+c] = Σ_{k<4*ksteps} int32(int8(x[i*ldx+k])) * int32(int8(w[(k/4)*64+4*c+k%4]))
// with ksteps a multiple of 4. The Go wrapper w8TileSDOT adds the epilogue.

//go:noescape
func sdotTile1NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)

//go:noescape
func sdotTile2NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)

//go:noescape
func sdotTile3NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)

//go:noescape
func sdotTile4NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)
