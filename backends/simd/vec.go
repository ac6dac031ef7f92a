package simd

// vec is the set of float32 vector primitives of one code path. Every
// level points at one; the kernels are written once against it. The
// meaning of each primitive is its pure-Go twin in twins.go; the
// assembly variants (stub_amd64.go, stub_arm64.go) compute the same
// within float32 rounding (they sum in another order and fuse some
// multiply-adds).
type vec struct {
	path      string
	sum       func(x []float32) float32
	sumSq     func(x []float32) float32
	sumSqDev  func(x []float32, mu float32) float32
	sumSqDiff func(a, b []float32) float32
	huberSum  func(p, t []float32, delta float32) float32
	maxv      func(x []float32) float32
	sumExp    func(x []float32, m float32) float32
	// sumExpAhead (optional) is sumExp that also prefetches x's lines
	// ahead bytes on into L2 (cross_entropy: the next row).
	sumExpAhead func(x []float32, m float32, ahead int) float32
	// lse: log Σ exp(x) = m + log(s) in one pass (lseGo; nil: maxv then sumExp).
	lse func(x []float32) (m, s float32)
	// normAffine: y = (x-mu)*s*g + b; scaleMul: y = x*s*g (over len(x)).
	normAffine func(y, x, g, b []float32, mu, s float32)
	scaleMul   func(y, x, g []float32, s float32)
	// bnFold: the per-channel fold a = g/sqrt(rv+eps) + alpha,
	// sh = beta - rm*(a - alpha) of the inference norms.
	bnFold func(a, sh, g, beta, rm, rv []float32, eps, alpha float32)
	// nmsSuppress: the IoU sweep of greedy NMS (see nmsSuppressGo).
	nmsSuppress func(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int
	// prefetch (optional) asks for x in L2: the NMS kernels gather boxes in
	// score order, a cache miss per box from memory without it.
	prefetch func(x []float32)
	// EvoNorm and SELU output steps (twins_evo.go).
	selu  func(y, x []float32)
	evoB0 func(y, x, sb, vc, sw, g, b []float32)
	evoS0 func(y, x, vc, k, b []float32)
	// evoS0Ahead and evoB0Ahead are evoS0 and evoB0 that also prefetch
	// x's lines ahead bytes on into L2 (nil: the level has no such form).
	evoS0Ahead func(y, x, vc, k, b []float32, ahead int)
	evoB0Ahead func(y, x, sb, vc, sw, g, b []float32, ahead int)
	// Column primitives of the training norms (trainnorms_twins.go):
	// colSum: acc[j] += x[r*ld+j]; colSqDev: acc[j] += (x[r*ld+j]-sh[j])²,
	// over rows r and j < len(acc); centerAffine: y = (x-mu)*a + b;
	// blendAffine: y = (x-rmu)*s*g + ((x-mu)*a + b).
	colSum   func(acc, x []float32, ld, rows int)
	colSqDev func(acc, x, sh []float32, ld, rows int)
	// colShiftSums: the single-pass column statistics of a block, shifted
	// by the mean of its first rows (colShiftSumsGo; nil: colSum, then
	// colSqDev around the block mean).
	colShiftSums func(s1, s2, sh, x []float32, ld, rows int, center bool)
	// colShiftSumsL2 (optional) is colShiftSums (the same bits) for a
	// block in L2: several rows per pass over the width.
	colShiftSumsL2 func(s1, s2, sh, x []float32, ld, rows int, center bool)
	// mergeShifted: colShiftSums' partials merged into the running mean
	// and M2 (mergeShiftedGo); set wherever colShiftSums is.
	mergeShifted mergeFn
	centerAffine func(y, x, mu, a, b []float32)
	blendAffine  func(y, x, g, mu, a, b []float32, rmu, s float32)
	// layerNormRows, rmsNormRows: blocks of rows fused (normrows.go; nil:
	// composed from the primitives above).
	layerNormRows layerNormRowsFn
	rmsNormRows   rmsNormRowsFn
}

// vecGeneric is the generic level's vec: the pure-Go twins.
var vecGeneric = &vec{path: Generic, sum: sumGo, sumSq: sumSqGo, sumSqDev: sumSqDevGo,
	sumSqDiff: sumSqDiffGo, huberSum: huberSumGo, maxv: maxvGo, sumExp: sumExpGo,
	normAffine: normAffineGo, scaleMul: scaleMulGo, bnFold: bnFoldGo, nmsSuppress: nmsSuppressGo,
	selu: seluGo, evoB0: evoB0Go, evoS0: evoS0Go,
	colSum: colSumGo, colSqDev: colSqDevGo, colShiftSums: colShiftSumsGo, mergeShifted: mergeShiftedGo, centerAffine: centerAffineGo, blendAffine: blendAffineGo,
	layerNormRows: layerNormRowsGo, rmsNormRows: rmsNormRowsGo}

// level is one dispatch level: its name (a path name), whether this CPU
// has its features, and the code each kernel family runs at it.
type level struct {
	name string
	ok   bool
	f    *vec   // float32 row primitives
	attn *attnK // attention micro-kernels (nil: the pure-Go attention)
	sla  *slaK  // SLA primitives (nil: their Go twins; SLA runs where attn is set)
	w8   *w8K   // int8 GEMM (nil: the pure-Go gemm_w8a8)
	w4   *w4K   // 4-bit group GEMM/GEMV (nil: the pure-Go gemm_w4g)
	// softPass is one Soft-NMS round (nil: the pure-Go soft_nms).
	softPass softPassFn
	// softRound is the chunked Soft-NMS round (nil: rounds of softPass).
	softRound *softRoundK
	q         *quantK // quantize_i8, quantize_w4g (nil: the pure-Go ones)
}
