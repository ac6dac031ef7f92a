package simd

// Fused row norms: a whole block of rows per call (statistics and output
// of each row while it is in L1), for the layernorm, rmsnorm and crmsnorm
// families. A level without fused code composes the same computation from
// its primitives; the composition over the Go twins is the meaning of the
// assembly (layerNormRows<ISA>, rmsNormRows<ISA>, crmsNormRows<ISA>). The
// fused layernorm takes mean and variance from one pass over x - K (K
// the mean of the row's first vector; the two-pass variance where K is
// far from the mean, _asm/normrows.go lnRowsFn): the same quantities
// within rounding, not the same bits, as the two-pass composition.

type (
	layerNormRowsFn func(y, x, g, b []float32, rows, c int, inv, eps, scale float32)
	rmsNormRowsFn   func(y, x, g []float32, rows, c int, inv, eps, scale float32)
)

// composeLayerNorm: per row of c, mu = sum*inv, s = rsqrt32(sumSqDev*inv+eps)*scale,
// y = normAffine(x, g, b, mu, s).
func composeLayerNorm(sum func([]float32) float32, sumSqDev func([]float32, float32) float32,
	normAffine func(y, x, g, b []float32, mu, s float32)) layerNormRowsFn {
	return func(y, x, g, b []float32, rows, c int, inv, eps, scale float32) {
		for r := range rows {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mu := sum(xr) * inv
			normAffine(yr, xr, g, b, mu, rsqrt32(sumSqDev(xr, mu)*inv+eps)*scale)
		}
	}
}

// composeRMSNorm: per row of c, y = scaleMul(x, g, rsqrt32(sumSq*inv+eps)*scale).
func composeRMSNorm(sumSq func([]float32) float32, scaleMul func(y, x, g []float32, s float32)) rmsNormRowsFn {
	return func(y, x, g []float32, rows, c int, inv, eps, scale float32) {
		for r := range rows {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			scaleMul(yr, xr, g, rsqrt32(sumSq(xr)*inv+eps)*scale)
		}
	}
}

// unitGRows are a level's row norms for gamma = 1 (unitGRowsOf): plain
// and streaming, the same bits as the forms with g given a row of ones,
// which they do not read (g may be nil).
type unitGRows struct {
	ln, lnNT   layerNormRowsFn
	rms, rmsNT rmsNormRowsFn
}

// The twins of the fused routines.
var (
	layerNormRowsGo = composeLayerNorm(sumGo, sumSqDevGo, normAffineGo)
	rmsNormRowsGo   = composeRMSNorm(sumSqGo, scaleMulGo)
)

// fusedLayerNorm returns v's fused layernorm rows, or their composition
// from v's primitives.
func fusedLayerNorm(v *vec) layerNormRowsFn {
	if v.layerNormRows != nil {
		return v.layerNormRows
	}
	return composeLayerNorm(v.sum, v.sumSqDev, v.normAffine)
}

func fusedRMSNorm(v *vec) rmsNormRowsFn {
	if v.rmsNormRows != nil {
		return v.rmsNormRows
	}
	return composeRMSNorm(v.sumSq, v.scaleMul)
}

// crmsRowsFn is CRMSNorm's row loop: per row of n, s = sum(z), q = sum(z²),
// rs = rsqrt32((q+s*s)*inv+eps), y = z*rs*g (crmsRowsOf: the fused forms,
// which prefetch row r+ahead into L2 during a row's first pass, 0: none).
type crmsRowsFn func(y, z, g []float32, rows, n, ahead int, inv, eps float32)

// composeCRMS is crmsRowsFn from the primitives of a level.
func composeCRMS(sum, sumSq func([]float32) float32, scaleMul func(y, x, g []float32, s float32)) crmsRowsFn {
	return func(y, z, g []float32, rows, n, _ int, inv, eps float32) {
		for r := range rows {
			zr, yr := z[r*n:(r+1)*n], y[r*n:(r+1)*n]
			s, q := sum(zr), sumSq(zr)
			scaleMul(yr, zr, g, rsqrt32((q+s*s)*inv+eps))
		}
	}
}

// crmsNormRowsGo is the twin of the fused routines.
var crmsNormRowsGo = composeCRMS(sumGo, sumSqGo, scaleMulGo)
