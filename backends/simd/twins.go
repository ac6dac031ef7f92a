package simd

import "math"

// The pure-Go twins of the vector primitives: the meaning of each assembly
// routine, and the code of the generic level (purego builds, CPUs without
// AVX2 or NEON). Several accumulators keep them fast and their sums blocked.

func sumGo(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSqGo(x []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0] * v[0]
		s1 += v[1] * v[1]
		s2 += v[2] * v[2]
		s3 += v[3] * v[3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSqDevGo(x []float32, mu float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := v[0]-mu, v[1]-mu, v[2]-mu, v[3]-mu
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := x[i] - mu
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

func sumSqDiffGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		u, v := a[i:i+4:i+4], b[i:i+4:i+4]
		d0, d1, d2, d3 := u[0]-v[0], u[1]-v[1], u[2]-v[2], u[3]-v[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// huber is one Huber term, branch-free as in the assembly: with q =
// min(|r|, delta), q*(|r| - q/2) is r²/2 below delta and delta*(|r| - delta/2)
// above it (NaN stays NaN).
func huber(r, delta float32) float32 {
	a := float32(math.Abs(float64(r)))
	q := a
	if a > delta {
		q = delta
	}
	return q * (a - 0.5*q)
}

func huberSumGo(p, t []float32, delta float32) float32 {
	t = t[:len(p)]
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(p); i += 2 {
		s0 += huber(p[i]-t[i], delta)
		s1 += huber(p[i+1]-t[i+1], delta)
	}
	for ; i < len(p); i++ {
		s0 += huber(p[i]-t[i], delta)
	}
	return s0 + s1
}

func maxvGo(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}

// expPoly is the exp of the AVX-512 and NEON code (Cephes expf; AVX2's
// short exp, _asm/shortexp.go, is another polynomial within the same
// bound) and of the generic level for t <= 0: clamp at
// -87 (NaN stays NaN), t = n*ln2 + r with n = rne(t*log2(e)) and ln2 split
// in two, e^r = 1 + r + r²P(r) with a degree-5 P, then times 2^n. Its
// relative error is below 2^-23 (about one ulp) on [-87, 0] (TestExpError measures it).
func expPoly(t float32) float32 {
	n, p := expReduce(t)
	return (p + 1) * float32(math.Ldexp(1, int(n)))
}

func sumExpGo(x []float32, m float32) float32 {
	var s0, s1 float32
	i := 0
	for ; i+2 <= len(x); i += 2 {
		s0 += expPoly(x[i] - m)
		s1 += expPoly(x[i+1] - m)
	}
	for ; i < len(x); i++ {
		s0 += expPoly(x[i] - m)
	}
	return s0 + s1
}

func normAffineGo(y, x, g, b []float32, mu, s float32) {
	y, g, b = y[:len(x)], g[:len(x)], b[:len(x)]
	for i, v := range x {
		y[i] = (v-mu)*s*g[i] + b[i]
	}
}

func scaleMulGo(y, x, g []float32, s float32) {
	y, g = y[:len(x)], g[:len(x)]
	for i, v := range x {
		y[i] = v * s * g[i]
	}
}

func bnFoldGo(a, sh, g, beta, rm, rv []float32, eps, alpha float32) {
	a, sh, beta, rm, rv = a[:len(g)], sh[:len(g)], beta[:len(g)], rm[:len(g)], rv[:len(g)]
	for i, gv := range g {
		s := gv / float32(math.Sqrt(float64(rv[i]+eps)))
		sh[i] = beta[i] - rm[i]*s
		a[i] = s + alpha
	}
}
