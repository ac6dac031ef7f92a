package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Direct tests of the EvoNorm and SELU primitives, every variant (the Go
// twins and each ISA's code), against float64 computations at the lengths
// and misalignments of vec_test.go, with inputs ending at an inaccessible
// page and guarded outputs.

const (
	refLambda = 1.0507009873554804934193349852946
	refAlpha  = 1.6732632423543772848170429916717
)

func refSELU(x float32) float64 {
	if x > 0 {
		return refLambda * float64(x)
	}
	return refLambda * refAlpha * math.Expm1(float64(x))
}

func TestEvoPrimitives(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		rng := rand.New(rand.NewPCG(21, 22))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		pos := func() float32 { return float32(0.5 + rng.Float64()) }
		sym := func() float32 { return float32(2*rng.Float64() - 1) }
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, gen)
				sb, vc, sw := input(t, n, (off+1)%4, pos), input(t, n, (off+2)%4, sym), input(t, n, (off+3)%4, pos)
				g, b := input(t, n, (off+2)%4, gen), input(t, n, (off+1)%4, gen)
				o := newOutput(t, n, (off+1)%4)
				v.evoB0(o.y, x, sb, vc, sw, g, b)
				o.guards(t, fmt.Sprintf("evoB0 n=%d", n))
				for i := range o.y {
					q := float64(x[i]) / math.Max(float64(sb[i]), float64(vc[i])*float64(x[i])+float64(sw[i])) * float64(g[i])
					if !near(o.y[i], q+float64(b[i]), math.Abs(q)+math.Abs(float64(b[i])), 1e-6) {
						t.Fatalf("evoB0 n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], q+float64(b[i]))
					}
				}
				// The prefetching form writes the same bits (its hints reach
				// past x, x's guard page included).
				if v.evoB0Ahead != nil {
					want := slices.Clone(o.y)
					for _, ahead := range []int{4 * n, 1 << 20} {
						o = newOutput(t, n, (off+1)%4)
						v.evoB0Ahead(o.y, x, sb, vc, sw, g, b, ahead)
						o.guards(t, fmt.Sprintf("evoB0Ahead n=%d", n))
						sameBits(t, fmt.Sprintf("evoB0Ahead n=%d off=%d ahead=%d", n, off, ahead), o.y, want)
					}
				}

				// v*x spans about [-12, 12]: both sides of the sigmoid.
				wide := input(t, n, (off+3)%4, func() float32 { return 4 * sym() })
				o = newOutput(t, n, (off+2)%4)
				v.evoS0(o.y, x, wide, g, b)
				o.guards(t, fmt.Sprintf("evoS0 n=%d", n))
				for i := range o.y {
					tv := float64(wide[i]) * float64(x[i])
					q := float64(x[i]) / (1 + math.Exp(-tv)) * float64(g[i])
					if !near(o.y[i], q+float64(b[i]), math.Abs(q)+math.Abs(float64(b[i])), 1e-6) {
						t.Fatalf("evoS0 n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], q+float64(b[i]))
					}
				}

				xs := input(t, n, off, func() float32 { return 3 * gen() })
				o = newOutput(t, n, (off+3)%4)
				v.selu(o.y, xs)
				o.guards(t, fmt.Sprintf("selu n=%d", n))
				for i := range o.y {
					ref := refSELU(xs[i])
					if !near(o.y[i], ref, math.Abs(ref), 1e-6) {
						t.Fatalf("selu n=%d off=%d: y[%d] = %v (x %v), want %v", n, off, i, o.y[i], xs[i], ref)
					}
				}
			}
		}
	})
}

// TestEvoSpecialValues: SELU's signed zeros, infinities, NaN and
// subnormals (KERNELS.md 1.12), a NaN from either side of B0's max, and
// NaN through S0, at each position of vectors and tails.
func TestEvoSpecialValues(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negz := float32(math.Copysign(0, -1))
	specials := []float32{nan, -nan, inf, -inf, 0, negz, 1e-45, -1e-45, -1e-38, -1e-12, 3e38, -3e38, -17.4, -87.5, -104}
	forVariants(t, func(t *testing.T, v *vec) {
		for _, n := range []int{1, 5, 16, 37, 70} {
			x, y := make([]float32, n), make([]float32, n)
			for p := 0; p < n; p++ {
				for _, s := range specials {
					for i := range x {
						x[i] = -float32(i) / 4
					}
					x[p] = s
					v.selu(y, x)
					got, ref := y[p], refSELU(s)
					switch {
					case math.IsNaN(ref):
						if !math.IsNaN(float64(got)) {
							t.Fatalf("selu(%v) = %v, want NaN (n=%d at %d)", s, got, n, p)
						}
					case math.IsInf(ref, 0):
						if float64(got) != ref {
							t.Fatalf("selu(%v) = %v, want %v (n=%d at %d)", s, got, ref, n, p)
						}
					case ref == 0:
						if got != 0 || math.Signbit(float64(got)) != math.Signbit(float64(s)) {
							t.Fatalf("selu(%v) = %v, want a zero of x's sign (n=%d at %d)", s, got, n, p)
						}
					case !near(got, ref, math.Abs(ref), 1e-6):
						t.Fatalf("selu(%v) = %v, want %v (n=%d at %d)", s, got, ref, n, p)
					}
				}
			}
			ones := filled(n, 1)
			for p := 0; p < n; p++ {
				sb, sw, xx := filled(n, 1), filled(n, 1), filled(n, 0.5)
				for k, set := range []func(){func() { sb[p] = nan }, func() { sw[p] = nan }, func() { xx[p] = nan }} {
					set()
					v.evoB0(y, xx, sb, ones, sw, ones, ones)
					if !math.IsNaN(float64(y[p])) {
						t.Fatalf("evoB0 with NaN in input %d at %d of %d: y = %v, want NaN", k, p, n, y[p])
					}
					for i := range y {
						if i != p && !near(y[i], 0.5/1.5+1, 2, 1e-7) {
							t.Fatalf("evoB0 NaN at %d: y[%d] = %v, want 4/3", p, i, y[i])
						}
					}
					sb[p], sw[p], xx[p] = 1, 1, 0.5
				}
				xx[p] = nan
				v.evoS0(y, xx, ones, ones, ones)
				if !math.IsNaN(float64(y[p])) {
					t.Fatalf("evoS0 with NaN at %d of %d: y = %v, want NaN", p, n, y[p])
				}
			}
		}
	})
}

// TestExpm1Error measures the relative error of the vector expm1 (SELU of
// x <= 0 over lambda*alpha) against math.Expm1 over [-87, 0], on a uniform
// grid and a logarithmic one near 0 (where exp(x)-1 would cancel): the
// bound documented at expm1Poly. It also measures the sigmoid of evoS0.
func TestExpm1Error(t *testing.T) {
	const bound = 1.0 / (1 << 22)
	forVariants(t, func(t *testing.T, v *vec) {
		var xs []float32
		for i := 0; i <= 1<<19; i++ {
			xs = append(xs, float32(-87*float64(i)/(1<<19)))
		}
		for e := -40.0; e <= 0; e += 1.0 / 4096 {
			xs = append(xs, -float32(math.Pow(2, e)))
		}
		y := make([]float32, len(xs))
		v.selu(y, xs)
		worst, at := 0.0, 0.0
		for i, x := range xs {
			want := math.Expm1(float64(x))
			got := float64(y[i]) / float64(seluLambdaAlpha) // exact enough: the division's error is 2^-53
			if want == 0 {
				continue
			}
			if e := math.Abs(got-want) / math.Abs(want); e > worst {
				worst, at = e, float64(x)
			}
		}
		t.Logf("%s: max relative error of expm1 on [-87, 0]: %.3g (2^%.2f) at %g", v.path, worst, math.Log2(worst), at)
		if worst > bound {
			t.Errorf("expm1 error %.3g exceeds the documented bound 2^-22", worst)
		}
		// sigmoid: evoS0 with x = 1, k = 1, b = 0 and vc = t.
		var ts []float32
		for i := -1 << 18; i <= 1<<18; i++ {
			ts = append(ts, float32(87*float64(i)/(1<<18)))
		}
		ones, zeros, s := filled(len(ts), 1), make([]float32, len(ts)), make([]float32, len(ts))
		v.evoS0(s, ones, ts, ones, zeros)
		worst = 0
		for i, tv := range ts {
			want := 1 / (1 + math.Exp(-float64(tv)))
			if e := math.Abs(float64(s[i])-want) / want; e > worst {
				worst, at = e, float64(tv)
			}
		}
		t.Logf("%s: max relative error of sigmoid on [-87, 87]: %.3g (2^%.2f) at %g", v.path, worst, math.Log2(worst), at)
		if worst > bound {
			t.Errorf("sigmoid error %.3g exceeds 2^-22", worst)
		}
	})
}

// TestSELUTwin: every level's selu, and its streaming form on an aligned
// output, agrees with its twin within 2 ulp (seluGo rounds the products of
// its polynomial separately on amd64, where Go does not fuse them, and the
// assembly uses FMAs: they were never bit-identical there; seluAVX2Go
// rounds its FMAs twice), and every assembly level with the same twin
// writes the same bits as the first one tested (the same operations in
// the same order), for normal, tiny, large negative and special inputs at
// every length 0..300 and long ones.
func TestSELUTwin(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
		-87, -87.5, -88, -100, -1e-30, 1e-30, -1.4e-45, 1.4e-45, -math.MaxFloat32, math.MaxFloat32, -17.4, -0.3466, 0.3466}
	gen := func() float32 {
		switch rng.IntN(5) {
		case 0:
			return specials[rng.IntN(len(specials))]
		case 1:
			return float32(rng.NormFloat64() * 1e-4)
		case 2:
			return float32(-100 * rng.Float64())
		}
		return float32(3 * rng.NormFloat64())
	}
	type twin struct {
		name string
		f    func(y, x []float32)
	}
	goTwin, avx2Twin := twin{"seluGo", seluGo}, twin{"seluAVX2Go", seluAVX2Go}
	twinOf := func(v *vec) twin {
		if v.path == "avx2" {
			return avx2Twin
		}
		return goTwin
	}
	type run struct {
		x    []float32
		want map[string][]float32 // by twin
		asm  map[string][]float32 // the first assembly level's, by twin
	}
	var runs []*run
	for _, n := range testLengths {
		for off := 0; off < 4; off++ {
			r := &run{x: input(t, n, off, gen), want: map[string][]float32{}, asm: map[string][]float32{}}
			for _, tw := range []twin{goTwin, avx2Twin} {
				r.want[tw.name] = make([]float32, n)
				tw.f(r.want[tw.name], r.x)
			}
			runs = append(runs, r)
		}
	}
	ulps := func(a, b float32) int64 {
		if a != a || b != b {
			if a != a && b != b {
				return 0
			}
			return math.MaxInt64
		}
		ia, ib := int64(int32(math.Float32bits(a))), int64(int32(math.Float32bits(b)))
		if ia < 0 {
			ia = math.MinInt32 - ia
		}
		if ib < 0 {
			ib = math.MinInt32 - ib
		}
		return max(ia-ib, ib-ia)
	}
	forVariants(t, func(t *testing.T, v *vec) {
		nt := ntOf(v)
		for _, r := range runs {
			n := len(r.x)
			y := make([]float32, n)
			v.selu(y, r.x)
			tw := twinOf(v)
			want := r.want[tw.name]
			for i := range y {
				if d := ulps(y[i], want[i]); d > 2 {
					t.Fatalf("selu n=%d: y[%d] = %v (x %v), %s %v (%d ulp)", n, i, y[i], r.x[i], tw.name, want[i], d)
				}
			}
			if v.path == Generic {
				continue
			}
			if r.asm[tw.name] == nil {
				r.asm[tw.name] = y
			}
			sameBits(t, fmt.Sprintf("selu %s n=%d (vs the first assembly level like it)", v.path, n), y, r.asm[tw.name])
			if nt == nil || nt.selu == nil {
				continue
			}
			yb := make([]float32, n+32)
			ya := yb[ntHead(yb, nt.align):][:n]
			nt.selu(ya, r.x)
			sfence()
			sameBits(t, fmt.Sprintf("seluNT %s n=%d", v.path, n), ya, y)
		}
	})
}
