//go:build purego || !amd64

package simd

// crmsRowsOf: fused CRMSNorm rows exist on amd64 only.
func crmsRowsOf(*vec) (plain, nt crmsRowsFn) { return nil, nil }

// unitGRowsOf: row norms without g exist on amd64 only.
func unitGRowsOf(*vec) *unitGRows { return nil }
