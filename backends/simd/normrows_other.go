//go:build purego || !amd64

package simd

// crmsRowsOf: fused CRMSNorm rows exist on amd64 only.
func crmsRowsOf(*vec) (plain, nt crmsRowsFn) { return nil, nil }
