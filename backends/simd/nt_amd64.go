//go:build !purego

package simd

var (
	ntAVX512 = &ntK{align: 64, normAffine: normAffineNTAVX512, scaleMul: scaleMulNTAVX512,
		centerAffine: centerAffineNTAVX512, blendAffine: blendAffineNTAVX512,
		evoB0: evoB0NTAVX512, evoS0: evoS0NTAVX512, selu: seluNTAVX512,
		layerNormRows: layerNormRowsNTAVX512, rmsNormRows: rmsNormRowsNTAVX512, groupNormRows: groupNormRowsNTAVX512}
	ntAVX2 = &ntK{align: 32, normAffine: normAffineNTAVX2, scaleMul: scaleMulNTAVX2,
		centerAffine: centerAffineNTAVX2, blendAffine: blendAffineNTAVX2,
		evoB0: evoB0NTAVX2, evoS0: evoS0NTAVX2, selu: seluNTAVX2,
		layerNormRows: layerNormRowsNTAVX2, rmsNormRows: rmsNormRowsNTAVX2, groupNormRows: groupNormRowsNTAVX2}
)

// ntOf is the streaming forms of v (nil: none).
func ntOf(v *vec) *ntK {
	switch v {
	case vecAVX512:
		return ntAVX512
	case vecAVX2:
		return ntAVX2
	}
	return nil
}

// groupSqRowsOf is v's powernorm_train statistics rows (nil: none).
func groupSqRowsOf(v *vec) func(s2, x []float32, rows, c, cg int, inv float32) {
	switch v {
	case vecAVX512:
		return groupSqRowsAVX512
	case vecAVX2:
		return groupSqRowsAVX2
	}
	return nil
}

// groupRowsOf is v's fused PowerNorm inference rows and the lane count its
// groups must be a multiple of (nil: compose the primitives).
func groupRowsOf(v *vec) (groupNormRowsFn, int) {
	switch v {
	case vecAVX512:
		return groupNormRowsAVX512, 16
	case vecAVX2:
		return groupNormRowsAVX2, 8
	}
	return nil, 0
}
