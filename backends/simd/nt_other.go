//go:build purego || !amd64

package simd

// ntOf: streaming forms exist on amd64 only.
func ntOf(*vec) *ntK { return nil }

func sfence() {}

// groupRowsOf: no fused PowerNorm rows off amd64.
func groupRowsOf(*vec) (groupNormRowsFn, int) { return nil, 0 }

func groupSqRowsOf(*vec) func(s2, x []float32, rows, c, cg int, inv float32) { return nil }
