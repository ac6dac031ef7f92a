package simd

// The pure-Go twins of the column primitives of the training norms
// (trainnorms.go): x is rows rows of ld elements, of which the first
// len(acc) are summed into acc (column sums, in float32, row by row).

func colSumGo(acc, x []float32, ld, rows int) {
	n := len(acc)
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+n]
		for j, v := range xr {
			acc[j] += v
		}
	}
}

func colSqDevGo(acc, x, sh []float32, ld, rows int) {
	n := len(acc)
	sh = sh[:n]
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+n]
		for j, v := range xr {
			d := v - sh[j]
			acc[j] += d * d
		}
	}
}

func centerAffineGo(y, x, mu, a, b []float32) {
	y, mu, a, b = y[:len(x)], mu[:len(x)], a[:len(x)], b[:len(x)]
	for i, v := range x {
		y[i] = (v-mu[i])*a[i] + b[i]
	}
}

func blendAffineGo(y, x, g, mu, a, b []float32, rmu, s float32) {
	y, g, mu, a, b = y[:len(x)], g[:len(x)], mu[:len(x)], a[:len(x)], b[:len(x)]
	for i, v := range x {
		t := (v-mu[i])*a[i] + b[i]
		y[i] = (v-rmu)*s*g[i] + t
	}
}

func colShiftSumsGo(s1, s2, sh, x []float32, ld, rows int, center bool) {
	n := len(s1)
	s2, sh = s2[:n], sh[:n]
	for j := range n {
		c := func(r int) float32 { return x[r*ld+j] }
		switch {
		case !center:
			sh[j] = 0
		case rows >= 8:
			sh[j] = (((c(0) + c(1)) + (c(2) + c(3))) + ((c(4) + c(5)) + (c(6) + c(7)))) * 0.125
		default:
			sh[j] = c(0)
		}
		s1[j], s2[j] = 0, 0
	}
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+n]
		for j, v := range xr {
			d := v - sh[j]
			s1[j] += d
			s2[j] += d * d
		}
	}
}

// mergeShiftedGo is mergeFn in Go (the meaning of the levels' mergeShifted).
func mergeShiftedGo(mean, m2 []float64, s1, s2, sh []float32, fb, fab, inb float64) {
	s1, s2, sh, m2 = s1[:len(mean)], s2[:len(mean)], sh[:len(mean)], m2[:len(mean)]
	for j := range mean {
		// The partial's mean and M2 (at least 0: s1 and s2 are rounded
		// apart).
		t := float64(s1[j]) * inb
		bm, bm2 := float64(sh[j])+t, max(float64(s2[j])-t*float64(s1[j]), 0)
		d := bm - mean[j]
		mean[j] += d * fb
		m2[j] += bm2 + d*d*fab
	}
}
