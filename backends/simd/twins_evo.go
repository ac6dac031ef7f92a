package simd

import "math"

// The pure-Go twins of the EvoNorm and SELU primitives (the meaning of the
// routines of _asm/evo.go and evo_arm64.s, and the generic level's code).

// expReduce is the range reduction and polynomial of expPoly: t clamped at
// -87 (NaN stays NaN), n = rne(t*log2(e)), r = t - n*ln2 (ln2 split in
// two) and p = r + r²P(r) = e^r - 1, so e^t = (1 + p)*2^n and, free of the
// cancellation of e^t - 1 near 0, expm1(t) = p*2^n + (2^n - 1).
func expReduce(t float32) (n, p float32) {
	if t < -87 {
		t = -87
	}
	n = float32(math.RoundToEven(float64(t * math.Log2E)))
	r := t - n*0.693359375
	r -= n * -2.12194440e-4
	p = float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	return n, p*(r*r) + r
}

// expm1Poly is e^t - 1 for t <= 0 from expReduce: p*2^n + (2^n - 1), where
// 2^n - 1 is exact for n >= -24 and -1 below. Its relative error is below
// 2^-22 on [-87, 0] (TestExpm1Error measures it); below -87 it is -1 (so
// is the float32 expm1 from -17.4 on). NaN stays NaN.
func expm1Poly(t float32) float32 {
	n, p := expReduce(t)
	s := float32(math.Ldexp(1, int(n)))
	return p*s + (s - 1)
}

// SELU constants rounded to float32 (lambda, and lambda*alpha rounded once).
const (
	seluLambda      float32 = 1.0507009873554804934193349852946
	seluLambdaAlpha float32 = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717
)

// seluGo sets y = lambda*x where x's sign bit is clear (+0 and +NaN
// included) and lambda*alpha*expm1Poly(x) with the sign bit forced on
// elsewhere (so -0 gives -0; -Inf gives -lambda*alpha).
func seluGo(y, x []float32) {
	y = y[:len(x)]
	for i, v := range x {
		if math.Float32bits(v)>>31 == 0 {
			y[i] = seluLambda * v
			continue
		}
		y[i] = math.Float32frombits(math.Float32bits(seluLambdaAlpha*expm1Poly(v)) | 1<<31)
	}
}

// seluAVX2Go is the AVX2 level's selu (_asm/evo.go, seluAVX2Form): seluGo
// with another expm1, of the same accuracy (2^-22, TestExpm1Error) in fewer
// operations: n = rne(t*log2e) by adding 1.5*2^23 + 127 (whose sum also
// holds 2^n's exponent field), r = t - n*ln2 with ln2 in one constant, and
// r + r²P(r) with P of degree 4 in Estrin's order; lambda*alpha is folded
// into the scale: p*(la*2^n) + (la*2^n - la). Every step is the assembly's
// FMA, emulated in float64 (exact products, then two roundings, which
// differ from one in rare ties: within an ulp).
func seluAVX2Go(y, x []float32) {
	const magic = 0x1.8p23 + 127
	c := [5]float32{0.49999997, 0.16666542, 0.041667204, 0.008366706, 0.0013882486}
	y = y[:len(x)]
	for i, v := range x {
		if math.Float32bits(v)>>31 == 0 {
			y[i] = seluLambda * v
			continue
		}
		t := v
		if t < -87 {
			t = -87
		}
		k := fma32(t, math.Log2E, magic)
		n := k - magic
		r := fma32(-n, math.Ln2, t)
		r2 := r * r
		p := fma32(fma32(c[4], r2, fma32(c[3], r, c[2])), r2, fma32(c[1], r, c[0]))
		p = fma32(p, r2, r)
		s := math.Float32frombits(math.Float32bits(k)<<23) * seluLambdaAlpha
		y[i] = math.Float32frombits(math.Float32bits(fma32(p, s, s-seluLambdaAlpha)) | 1<<31)
	}
}

// fma32 is a*b + c for float32 operands through float64 (a*b exact there).
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// evoB0Go sets y = x / max(sb, vc*x + sw) * g + b (the max propagates NaN).
func evoB0Go(y, x, sb, vc, sw, g, b []float32) {
	n := len(x)
	y, sb, vc, sw, g, b = y[:n], sb[:n], vc[:n], sw[:n], g[:n], b[:n]
	for i, xv := range x {
		y[i] = xv/max(sb[i], vc[i]*xv+sw[i])*g[i] + b[i]
	}
}

// evoS0Go sets y = x*sigmoid(vc*x)*k + b with sigmoid(t) = num/(1+e), e =
// expPoly(-|t|) (never overflowing) and num = e for t with the sign bit set,
// 1 otherwise. Below t = -87 the sigmoid is e^-87/(1+e^-87), not e^t: a
// difference of at most 1.7e-38 (and x*it is Inf only for an infinite x).
func evoS0Go(y, x, vc, k, b []float32) {
	n := len(x)
	y, vc, k, b = y[:n], vc[:n], k[:n], b[:n]
	for i, xv := range x {
		t := vc[i] * xv
		e := expPoly(-float32(math.Abs(float64(t))))
		num := float32(1)
		if math.Float32bits(t)>>31 != 0 {
			num = e
		}
		y[i] = xv*num/(1+e)*k[i] + b[i]
	}
}
