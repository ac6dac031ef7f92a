//go:build !linux

package simd

import "testing"

// pageEnd returns a plain slice where no guard page is available.
func pageEnd(t testing.TB, n int) []float32 { return make([]float32, n) }
