//go:build !purego

package simd

// The NEON attention micro-kernels of attention_arm64.s (the attnK contract
// of attention.go). Each has the meaning of its Go twin (qkTileGo,
// softmaxTileGo, pvTile6Go, pvTile1Go) within float32 rounding.
var attnNEON = &attnK{path: "neon", qk: qkTileNEON, softmax: softmaxTileNEON,
	pv6: [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32){
		nil, pvTile6x1NEON, pvTile6x2NEON, pvTile6x3NEON, pvTile6x4NEON},
	pv1: [5]func(o, p []float32, nk int, v []float32, ldv int){
		nil, pvTile1x1NEON, pvTile1x2NEON, pvTile1x3NEON, pvTile1x4NEON}}

// qkTileNEON computes one 6x64 score tile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i]*kt[t*64+j]
// for i < 6, j < 64 (qt is the query block transposed, [d][8]; kt a key tile transposed, [d][64]).
//
//go:noescape
func qkTileNEON(s, qt, kt []float32, d int, scale float32)

// softmaxTileNEON does the online-softmax step of a 6x64 tile of scores s
// (masked entries are -Inf), for each row i < 6:
//
//	mx := max(m[i], max_j s[i*64+j]); corr[i] = exp(m[i]-mx)
//	s[i*64+j] = exp(s[i*64+j]-mx); l[i] = l[i]*corr[i] + Σ_j s[i*64+j]; m[i] = mx
//
// with exp as expZero (exactly 0 below -110, so -Inf gives 0). m, l and
// corr hold 6 elements.
//
//go:noescape
func softmaxTileNEON(s, m, l, corr []float32)

// pvTile6x1NEON .. pvTile6x4NEON accumulate P V into 6 output rows:
// o[i*ldo+c] = o[i*ldo+c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c] for i < 6,
// c < 16*nz.

//go:noescape
func pvTile6x1NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)

//go:noescape
func pvTile6x2NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)

//go:noescape
func pvTile6x3NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)

//go:noescape
func pvTile6x4NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)

// pvTile1x1NEON .. pvTile1x4NEON accumulate P V into one output row:
// o[c] += Σ_{j<nk} p[j]*v[j*ldv+c] for c < 16*nz.

//go:noescape
func pvTile1x1NEON(o []float32, p []float32, nk int, v []float32, ldv int)

//go:noescape
func pvTile1x2NEON(o []float32, p []float32, nk int, v []float32, ldv int)

//go:noescape
func pvTile1x3NEON(o []float32, p []float32, nk int, v []float32, ldv int)

//go:noescape
func pvTile1x4NEON(o []float32, p []float32, nk int, v []float32, ldv int)
