//go:build !purego

package simd

// w4ParamsOf is the vector form of quantize_w4g's group parameters for
// qk (nil: the Go loop over w4Params).
func w4ParamsOf(qk *quantK) w4ParamsFn {
	switch qk {
	case quantAVX512:
		return w4ParamsAVX512
	case quantAVX2:
		return w4ParamsSteps8
	}
	return nil
}

// w4ParamsSteps8 runs w4ParamsAVX2's whole steps of 8 groups, then the
// rest in Go.
func w4ParamsSteps8(keys []int32, s, inv []float32, z []int32, zb []byte, sym bool) {
	w4ParamsAVX2(keys, s, inv, z, zb, sym)
	m := len(s) / 8 * 8
	w4ParamsGo(keys[2*m:], s[m:], inv[m:], z[m:], zb[m:], sym)
}

// w4PackNTOf is qk's pack with streaming stores of its 64-element steps
// (qp 32-byte aligned, g a multiple of 64; the caller fences), or nil.
func w4PackNTOf(qk *quantK) func(qp []byte, w []float32, inv []float32, z []int32, g int) {
	if qk == quantAVX512 {
		return w4PackNTAVX512
	}
	return nil
}

// quantI8NTOf is qk's int8 quantizer with streaming stores (64-byte at
// AVX-512, 32-byte at AVX2; q 64-byte aligned; the caller fences), or nil.
func quantI8NTOf(qk *quantK) func(q []int8, x []float32, inv float32) {
	switch qk {
	case quantAVX512:
		return quantI8NTAVX512
	case quantAVX2:
		return quantI8NTAVX2
	}
	return nil
}
