//go:build purego || !amd64

package simd

// w4ParamsOf: the vector group parameters exist on amd64 only.
func w4ParamsOf(*quantK) w4ParamsFn { return nil }
