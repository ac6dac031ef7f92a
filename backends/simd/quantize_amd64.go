//go:build !purego

package simd

// w4ParamsOf is the vector form of quantize_w4g's group parameters for
// qk (nil: the Go loop over w4Params).
func w4ParamsOf(qk *quantK) w4ParamsFn {
	if qk == quantAVX512 {
		return w4ParamsAVX512
	}
	return nil
}
