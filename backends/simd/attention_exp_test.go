package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// attnExp2Bound is the relative error allowed to the base-2 attention exp
// (attnK.base2, exp2Many in the generator) where its result is normal.
// The budget: with probabilities p_j(1+e_j), |e_j| <= eps, a row's output
// O = Σ p_j v_j / Σ p_j moves by Σ p_j e_j (v_j - O) / Σ p_j (1+e_j), at
// most eps/(1-eps) * max_j |v_j - O| <= 2 eps (1+eps) for |v| <= 1, the
// scope of KERNELS.md's tolerance (atol 2e-5 + rtol 1e-4 |r|, at least
// 2e-5). eps = 2^-22 keeps that worst case (all errors aligned with v_j -
// O) to 4.8e-7, 2.4% of atol, leaving the rest to the float32 scores and
// sums; a degree-4 polynomial (2^-18.4, one FMA less per vector) would
// take up to 29%. The polynomial reaches 2^-22.7 in float32 arithmetic
// (VREDUCEPS's reduction and VSCALEFPS's scaling are exact).
const attnExp2Bound = 0x1p-22

// attnExpRef is the exact exp of k's softmax: 2^x with k.base2, else e^x.
func attnExpRef(k *attnK, x float64) float64 {
	if k.base2 {
		return math.Exp2(x)
	}
	return math.Exp(x)
}

// TestAttnExpRange sweeps the softmax step's exp (probabilities and the
// correction) on every attention variant. Base e (AVX2, NEON), arguments
// [-130, 0]: within 2^-23 relative on [-87, 0], the correctly rounded
// denormal within one unit (2^-149) on [-110, -87], and exactly 0 below
// -110 and for -Inf. Base 2 (AVX-512), arguments [-190, 0]: within
// attnExp2Bound relative on [-126, 0], one unit on [-151, -126] and exactly
// 0 below -151 and for -Inf.
func TestAttnExpRange(t *testing.T) {
	const n = 1 << 15
	forAttn(t, func(t *testing.T, k *attnK) {
		lo, normal, zero, bound := -130.0, -87.0, -110.0, 1.0/(1<<23)
		if k.base2 {
			lo, normal, zero, bound = -190, -126, -151, attnExp2Bound
		}
		arg := func(i int) float32 {
			if i == n {
				return float32(math.Inf(-1))
			}
			return float32(lo * float64(i) / n)
		}
		s := make([]float32, 6*64)
		m, l, corr := make([]float32, 6), make([]float32, 6), make([]float32, 6)
		worst, at := 0.0, 0.0
		check := func(what string, x, got float32) {
			t.Helper()
			want := attnExpRef(k, float64(x))
			switch {
			case float64(x) < zero:
				if got != 0 {
					t.Fatalf("%s: exp(%v) = %v, want exactly 0", what, x, got)
				}
			case float64(x) < normal:
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
		t.Logf("%s: max relative error of exp on [%v, 0]: %.3g (2^%.2f) at %g", k.path, normal, worst, math.Log2(worst), at)
		if worst > bound {
			t.Errorf("exp error %.3g exceeds %.3g", worst, bound)
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
		if k.base2 {
			softmaxTile2Go(s2, m2, l2, corr2)
		} else {
			softmaxTileGo(s2, m2, l2, corr2)
		}
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
