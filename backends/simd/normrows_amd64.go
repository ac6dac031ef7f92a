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

// unitGRowsOf is v's layernorm rows for gamma = 1 (layerNormRowsUnitG:
// g is not read), plain and streaming; nil where the level has none.
func unitGRowsOf(v *vec) (plain, nt layerNormRowsFn) {
	switch v {
	case vecAVX512:
		return layerNormRowsUnitGAVX512, layerNormRowsUnitGNTAVX512
	case vecAVX2:
		return layerNormRowsUnitGAVX2, layerNormRowsUnitGNTAVX2
	}
	return nil, nil
}
