//go:build purego || !amd64

package simd

// w4ParamsOf: the vector group parameters exist on amd64 only.
func w4ParamsOf(*quantK) w4ParamsFn { return nil }

// w4PackNTOf: streaming packs exist on amd64 only.
func w4PackNTOf(*quantK) func(qp []byte, w []float32, inv []float32, z []int32, g int) { return nil }

// quantI8NTOf: the streaming quantizer exists on amd64 only.
func quantI8NTOf(*quantK) func(q []int8, x []float32, inv float32) { return nil }
