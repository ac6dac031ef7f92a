//go:build purego || !amd64

package simd

// ntOf: streaming forms exist on amd64 only.
func ntOf(*vec) *ntK { return nil }

func sfence() {}

func prefetchL2([]float32) {}
