package simd

import "math"

// lseGo is the meaning of lse (lseAVX512, _asm/xent.go): m and s with
// log Σ exp(x[i]) = m + log(s). Here m is max(x) (at least -MaxFloat32)
// and s = Σ exp(x[i]-m) with expPoly; the assembly may keep m up to 16
// below the max and uses its own degree-5 exp, so both agree in m + log(s)
// within float32 rounding, not bit for bit. A NaN gives s = NaN, +Inf s =
// NaN, a row of -Inf m = -MaxFloat32 (lseRow sends it to the two-pass path).
func lseGo(x []float32) (m, s float32) {
	m = max(maxvGo(x), -math.MaxFloat32)
	return m, sumExpGo(x, m)
}
