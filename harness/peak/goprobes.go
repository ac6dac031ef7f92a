package peak

// The pure-Go probes: scalar code with enough independent accumulators to
// keep the FP and load units busy. They set the ceilings a pure-Go kernel
// can hope for; vector probes (registered by the simd backend) reach the
// machine's real peaks, which can be 10-50x higher in cache.

func init() {
	RegisterProbe(Probe{Name: "go-read", Kind: Read, Stream: goRead})
	RegisterProbe(Probe{Name: "go-copy", Kind: Copy, Stream: goCopy})
	RegisterProbe(Probe{Name: "go-triad", Kind: Triad, Stream: goTriad})
	RegisterProbe(Probe{Name: "go-fma32", Kind: FMA32, Lanes: 12, Compute: goFMA32})
	RegisterProbe(Probe{Name: "go-dot-i8", Kind: DotI8, Lanes: 8, Compute: goDotI8})
}

func goRead(_, x, _ []float32) float64 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	n := len(x) &^ 7
	for i := 0; i < n; i += 8 {
		v := x[i : i+8 : i+8]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		s4 += v[4]
		s5 += v[5]
		s6 += v[6]
		s7 += v[7]
	}
	for _, v := range x[n:] {
		s0 += v
	}
	return float64(s0) + float64(s1) + float64(s2) + float64(s3) + float64(s4) + float64(s5) + float64(s6) + float64(s7)
}

// goCopy is the runtime's memmove, the fastest copy Go has.
func goCopy(dst, x, _ []float32) float64 {
	copy(dst, x)
	return 0
}

func goTriad(dst, x, y []float32) float64 {
	s := TriadScalar
	x, y = x[:len(dst)], y[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, a, b := dst[i:i+4:i+4], x[i:i+4:i+4], y[i:i+4:i+4]
		d[0] = a[0] + s*b[0]
		d[1] = a[1] + s*b[1]
		d[2] = a[2] + s*b[2]
		d[3] = a[3] + s*b[3]
	}
	for ; i < len(dst); i++ {
		dst[i] = x[i] + s*y[i]
	}
	return 0
}

// goFMA32 runs 12 independent chains (Go keeps 15 XMM registers usable).
func goFMA32(n int) float64 {
	m, a := FMAMul, FMAAdd
	var x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11 float32
	for i := 0; i < n; i++ {
		x0 = x0*m + a
		x1 = x1*m + a
		x2 = x2*m + a
		x3 = x3*m + a
		x4 = x4*m + a
		x5 = x5*m + a
		x6 = x6*m + a
		x7 = x7*m + a
		x8 = x8*m + a
		x9 = x9*m + a
		x10 = x10*m + a
		x11 = x11*m + a
	}
	return float64(x0) + float64(x1) + float64(x2) + float64(x3) + float64(x4) + float64(x5) +
		float64(x6) + float64(x7) + float64(x8) + float64(x9) + float64(x10) + float64(x11)
}

// goDotI8 loads its operands from memory, as a real dot product does, so
// the compiler cannot share one product between lanes.
func goDotI8(n int) float64 {
	var u [32]uint8
	var s [32]int8
	for i := range u {
		u[i], s[i] = DotU8, DotS8
	}
	dot := func(l int) int32 {
		return int32(u[4*l])*int32(s[4*l]) + int32(u[4*l+1])*int32(s[4*l+1]) +
			int32(u[4*l+2])*int32(s[4*l+2]) + int32(u[4*l+3])*int32(s[4*l+3])
	}
	var a0, a1, a2, a3, a4, a5, a6, a7 int32
	for it := 0; it < n; it++ {
		a0 += dot(0)
		a1 += dot(1)
		a2 += dot(2)
		a3 += dot(3)
		a4 += dot(4)
		a5 += dot(5)
		a6 += dot(6)
		a7 += dot(7)
	}
	return float64(a0) + float64(a1) + float64(a2) + float64(a3) + float64(a4) + float64(a5) + float64(a6) + float64(a7)
}
