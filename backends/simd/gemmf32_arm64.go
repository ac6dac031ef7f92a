//go:build !purego

package simd

// gf32Of is the gemm_f32 code of level l (none yet: the pure-Go kernel).
func gf32Of(*level) *gf32K { return nil }
