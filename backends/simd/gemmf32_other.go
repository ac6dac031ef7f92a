//go:build purego || !(amd64 || arm64)

package simd

// gf32Of: without assembly, gemm_f32 is the pure-Go backend's.
func gf32Of(*level) *gf32K { return nil }
