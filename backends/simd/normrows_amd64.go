//go:build !purego

package simd

// crmsRowsOf is v's fused CRMSNorm rows, plain and streaming (the
// streaming form takes rows at any alignment and leaves the sfence to
// the caller); nil where the level has none.
func crmsRowsOf(v *vec) (plain, nt crmsRowsFn) {
	switch v {
	case vecAVX512:
		return crmsNormRowsAVX512, crmsNormRowsNTAVX512
	case vecAVX2:
		return crmsNormRowsAVX2, crmsNormRowsNTAVX2
	}
	return nil, nil
}

// unitGRowsOf is v's row norms for gamma = 1, plain and streaming, which
// read no g (layerNormRowsUnitG, rmsNormRowsUnitG); nil where the level
// has none.
func unitGRowsOf(v *vec) *unitGRows {
	switch v {
	case vecAVX512:
		return &unitGRows{layerNormRowsUnitGAVX512, layerNormRowsUnitGNTAVX512, rmsNormRowsUnitGAVX512, rmsNormRowsUnitGNTAVX512}
	case vecAVX2:
		return &unitGRows{layerNormRowsUnitGAVX2, layerNormRowsUnitGNTAVX2, rmsNormRowsUnitGAVX2, rmsNormRowsUnitGNTAVX2}
	}
	return nil
}
