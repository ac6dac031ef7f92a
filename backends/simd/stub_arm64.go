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

// The peak probes (peak_arm64.go). The compute loops run 24 chains of 4
// lanes; FMLA and SDOT accumulate into their destination, so they do the
// GEMM form of the work (see peak_arm64.go).

// fmaPeakNEON runs n iterations of acc += mul*add (FMLA) on 24 vectors and
// stores them to out[:96].
//
//go:noescape
func fmaPeakNEON(n int, mul, add float32, out []float32)

// dotPeakSDOT runs n iterations of acc += Σ_j s8(a>>8j)*s8(b>>8j) (SDOT)
// on 24 vectors and stores them to out[:96].
//
//go:noescape
func dotPeakSDOT(n int, a, b uint32, out []int32)

// readPeakNEON returns Σ x[i] over len(x)&^31 elements, summed in 8 vectors,
// then their lanes in float64.
//
//go:noescape
func readPeakNEON(x []float32) float64

// copyPeakNEON copies x to dst over len(dst)&^31 elements; len(x) >= len(dst).
//
//go:noescape
func copyPeakNEON(dst, x []float32)

// triadPeakNEON computes dst = x + s*y (fused) over len(dst)&^15 elements;
// len(x), len(y) >= len(dst).
//
//go:noescape
func triadPeakNEON(dst, x, y []float32, s float32)
