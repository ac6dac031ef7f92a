package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttnExpRange sweeps the softmax step's exp (probabilities and the
// correction) over arguments [-130, 0] on every attention variant: within
// 2^-23 relative on [-87, 0], the correctly rounded denormal within one
// unit (2^-149) on [-110, -87], and exactly 0 below -110 and for -Inf.
func TestAttnExpRange(t *testing.T) {
	const n = 1 << 15
	arg := func(i int) float32 {
		if i == n {
			return float32(math.Inf(-1))
		}
		return float32(-130 * float64(i) / n)
	}
	forAttn(t, func(t *testing.T, k *attnK) {
		s := make([]float32, 6*64)
		m, l, corr := make([]float32, 6), make([]float32, 6), make([]float32, 6)
		worst, at := 0.0, 0.0
		check := func(what string, x, got float32) {
			t.Helper()
			want := math.Exp(float64(x))
			switch {
			case x < -110:
				if got != 0 {
					t.Fatalf("%s: exp(%v) = %v, want exactly 0", what, x, got)
				}
			case x < -87:
				if math.Abs(float64(got)-float64(float32(want))) > 0x1p-149 {
					t.Fatalf("%s: exp(%v) = %v, want %v", what, x, got, float32(want))
				}
			default:
				if e := math.Abs(float64(got)-want) / want; e > worst {
					worst, at = e, float64(x)
				}
			}
		}
		for i0 := 0; i0 <= n; i0 += 6 * 63 {
			for r := range 6 {
				s[r*64] = 0 // the row maximum: p = exp(argument)
				for j := 1; j < 64; j++ {
					s[r*64+j] = arg(min(n, i0+r*63+j-1))
				}
				m[r], l[r] = arg(min(n, i0+r)), 0
			}
			in := append([]float32(nil), s...)
			m0 := append([]float32(nil), m...)
			k.softmax(s, m, l, corr)
			for r := range 6 {
				check("corr", m0[r], corr[r])
				for j := range 64 {
					check("p", in[r*64+j], s[r*64+j])
				}
			}
		}
		t.Logf("%s: max relative error of exp on [-87, 0]: %.3g (2^%.2f) at %g", k.path, worst, math.Log2(worst), at)
		if worst > 1.0/(1<<23) {
			t.Errorf("exp error %.3g exceeds 2^-23", worst)
		}
	})
}

// TestAttnPageEnd calls the micro-kernels of each variant with every input
// ending at an inaccessible page (qt and kt of qk; m, l and corr of the
// softmax step; p, v and corr of P V, v ending with the last column read)
// and compares them with the Go twins.
func TestAttnPageEnd(t *testing.T) {
	forAttn(t, func(t *testing.T, k *attnK) {
		rng := rand.New(rand.NewPCG(23, 24))
		fill := func(s []float32) []float32 {
			for i := range s {
				s[i] = float32(2*rng.Float64() - 1)
			}
			return s
		}
		cmp := func(what string, got, want []float32, tol float64) {
			t.Helper()
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
				}
			}
		}
		for _, d := range []int{1, 5, 64} {
			qt, kt := fill(pageEnd(t, 8*d)), fill(pageEnd(t, 64*d))
			s, want := make([]float32, 6*64), make([]float32, 6*64)
			k.qk(s, qt, kt, d, 0.5)
			qkTileGo(want, qt, kt, d, 0.5)
			cmp(fmt.Sprintf("qk d=%d", d), s, want, 1e-5)
		}
		s := fill(make([]float32, 6*64))
		m, l, corr := fill(pageEnd(t, 6)), fill(pageEnd(t, 6)), pageEnd(t, 6)
		for i := range l {
			l[i] = 1 + float32(math.Abs(float64(l[i])))
		}
		s2, m2, l2, corr2 := append([]float32(nil), s...), append([]float32(nil), m...), append([]float32(nil), l...), make([]float32, 6)
		k.softmax(s, m, l, corr)
		softmaxTileGo(s2, m2, l2, corr2)
		cmp("softmax p", s, s2, 1e-6)
		cmp("softmax m", m, m2, 0)
		cmp("softmax l", l, l2, 1e-6)
		cmp("softmax corr", corr, corr2, 1e-6)
		for nz := 1; nz <= 4; nz++ {
			for _, nk := range []int{1, 3, 4, 7, 64} {
				w, ldv := 16*nz, 16*nz+5
				p := fill(pageEnd(t, 6*64))
				v := fill(pageEnd(t, (nk-1)*ldv+w))
				c := fill(pageEnd(t, 6))
				o := fill(make([]float32, 6*w))
				o2 := append([]float32(nil), o...)
				k.pv6[nz](o, w, p, nk, v, ldv, c)
				pvTile6Go(nz)(o2, w, p, nk, v, ldv, c)
				cmp(fmt.Sprintf("pv6 nz=%d nk=%d", nz, nk), o, o2, 1e-5)
				p1 := p[len(p)-nk:]
				o1 := fill(make([]float32, w))
				o12 := append([]float32(nil), o1...)
				k.pv1[nz](o1, p1, nk, v, ldv)
				pvTile1Go(nz)(o12, p1, nk, v, ldv)
				cmp(fmt.Sprintf("pv1 nz=%d nk=%d", nz, nk), o1, o12, 1e-5)
			}
		}
	})
}
