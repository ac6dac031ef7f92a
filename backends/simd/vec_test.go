package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Every variant of every primitive, called directly (whether or not this
// CPU would pick it; unsupported ones are skipped), against float64
// computations for lengths 0..300 (two full 64-element unrolls of the
// AVX-512 code plus every tail) and some long ones, at misalignments 0..3
// elements. Inputs at misalignment 0 end at an inaccessible page (a read
// past the end faults); outputs have guard values before and after them,
// or end at such a page.

// variant is one implementation of a primitive set: its name, whether this
// CPU runs it, and its code.
type variant[K any] struct {
	name string
	ok   bool
	k    *K
}

// variantsOf lists fixed (the Go twins) and then each distinct set of(l)
// of the levels that have one, supported when any level holding it is.
func variantsOf[K any](fixed []variant[K], of func(*level) *K, path func(*K) string) []variant[K] {
	out := fixed
	seen := map[*K]int{}
	for _, l := range levels() {
		k := of(l)
		if k == nil {
			continue
		}
		if i, dup := seen[k]; dup {
			out[i].ok = out[i].ok || l.ok
			continue
		}
		seen[k] = len(out)
		out = append(out, variant[K]{path(k), l.ok, k})
	}
	return out
}

// forEach runs f as a subtest on every variant, skipping those this CPU
// does not support.
func forEach[K any](t *testing.T, vs []variant[K], f func(t *testing.T, k *K)) {
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			if !v.ok {
				t.Skipf("%s: not supported by this CPU", v.name)
			}
			f(t, v.k)
		})
	}
}

// vecVariants is the table of float32 primitive sets.
func vecVariants() []variant[vec] {
	return variantsOf(nil, func(l *level) *vec { return l.f }, func(v *vec) string { return v.path })
}

func forVariants(t *testing.T, f func(t *testing.T, v *vec)) { forEach(t, vecVariants(), f) }

var testLengths = func() []int {
	var ls []int
	for n := 0; n <= 300; n++ {
		ls = append(ls, n)
	}
	return append(ls, 511, 1000, 1023, 4099)
}()

const guardVal = float32(-1.2345e30)

// input returns n values from gen at misalignment off (elements); off 0
// ends at a guard page.
func input(t *testing.T, n, off int, gen func() float32) []float32 {
	var s []float32
	if off == 0 {
		s = pageEnd(t, n)
	} else {
		s = make([]float32, n+off+8)[off : off+n]
	}
	for i := range s {
		s[i] = gen()
	}
	return s
}

// output is an n-element destination at misalignment off with guards.
type output struct {
	buf  []float32
	y    []float32
	page bool
}

func newOutput(t *testing.T, n, off int) output {
	if off == 0 {
		y := pageEnd(t, n)
		for i := range y {
			y[i] = guardVal
		}
		return output{y: y, page: true}
	}
	buf := make([]float32, off+n+17)
	for i := range buf {
		buf[i] = guardVal
	}
	return output{buf: buf, y: buf[off : off+n]}
}

// guards reports a write outside y.
func (o output) guards(t *testing.T, what string) {
	t.Helper()
	if o.page {
		return // the page fault would have caught it
	}
	off := cap(o.buf) - cap(o.y)
	for i, v := range o.buf {
		if (i < off || i >= off+len(o.y)) && v != guardVal {
			t.Fatalf("%s: wrote outside the output at buffer index %d (output is [%d, %d))", what, i, off, off+len(o.y))
		}
	}
}

func near(got float32, ref, mag, rel float64) bool {
	if math.IsNaN(ref) || math.IsNaN(float64(got)) {
		return math.IsNaN(ref) == math.IsNaN(float64(got))
	}
	return math.Abs(float64(got)-ref) <= rel*mag+1e-30
}

// reduceCase checks one reduction: ref and mag are computed from the term of each element.
func reduceCase(t *testing.T, name string, n, off int, got float32, term func(i int) float64) {
	t.Helper()
	var ref, mag float64
	for i := 0; i < n; i++ {
		v := term(i)
		ref += v
		mag += math.Abs(v)
	}
	if !near(got, ref, mag, 1e-5) {
		t.Fatalf("%s n=%d off=%d: got %v, want %v (sum|terms| %v)", name, n, off, got, ref, mag)
	}
}

func TestReductions(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		rng := rand.New(rand.NewPCG(1, 2))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, gen)
				y := input(t, n+3, (off+1)%4, gen)[:n] // b/t slices may be longer than a/p
				mu := float32(0.3)
				f := func(i int) float64 { return float64(x[i]) }
				reduceCase(t, "sum", n, off, v.sum(x), f)
				reduceCase(t, "sumSq", n, off, v.sumSq(x), func(i int) float64 { return f(i) * f(i) })
				reduceCase(t, "sumSqDev", n, off, v.sumSqDev(x, mu), func(i int) float64 {
					d := f(i) - float64(mu)
					return d * d
				})
				reduceCase(t, "sumSqDiff", n, off, v.sumSqDiff(x, y), func(i int) float64 {
					d := f(i) - float64(y[i])
					return d * d
				})
				const delta = 0.7
				reduceCase(t, "huberSum", n, off, v.huberSum(x, y, delta), func(i int) float64 {
					r := math.Abs(f(i) - float64(y[i]))
					if r < delta {
						return 0.5 * r * r
					}
					return delta * (r - 0.5*delta)
				})
				want := math.Inf(-1)
				for i := range x {
					want = math.Max(want, f(i))
				}
				if got := v.maxv(x); float64(got) != want {
					t.Fatalf("maxv n=%d off=%d: got %v, want %v", n, off, got, want)
				}
				m := float32(want)
				if n == 0 {
					m = 0
				}
				reduceCase(t, "sumExp", n, off, v.sumExp(x, m), func(i int) float64 { return math.Exp(f(i) - float64(m)) })
			}
		}
	})
}

func TestElementwise(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		rng := rand.New(rand.NewPCG(3, 4))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, gen)
				g := input(t, n, (off+1)%4, gen)
				b := input(t, n, (off+2)%4, gen)
				mu, s := float32(0.25), float32(1.7)
				o := newOutput(t, n, (off+3)%4)
				v.normAffine(o.y, x, g, b, mu, s)
				o.guards(t, fmt.Sprintf("normAffine n=%d", n))
				for i := range o.y {
					xm := float64(x[i]) - float64(mu)
					ref := xm*float64(s)*float64(g[i]) + float64(b[i])
					mag := (math.Abs(float64(x[i]))+math.Abs(float64(mu)))*float64(s)*math.Abs(float64(g[i])) + math.Abs(float64(b[i]))
					if !near(o.y[i], ref, mag, 1e-6) {
						t.Fatalf("normAffine n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], ref)
					}
				}
				// bnFold: rv >= 0 here; a and sh both guarded.
				rv := input(t, n, (off+3)%4, func() float32 { return float32(rng.Float64() * 3) })
				oa, osh := newOutput(t, n, (off+1)%4), newOutput(t, n, (off+2)%4)
				v.bnFold(oa.y, osh.y, g, b, x, rv, 1e-5, 0.5)
				oa.guards(t, fmt.Sprintf("bnFold a n=%d", n))
				osh.guards(t, fmt.Sprintf("bnFold sh n=%d", n))
				for i := range oa.y {
					sc := float64(g[i]) / math.Sqrt(float64(rv[i])+1e-5)
					if !near(oa.y[i], sc+0.5, math.Abs(sc)+0.5, 1e-6) {
						t.Fatalf("bnFold n=%d off=%d: a[%d] = %v, want %v", n, off, i, oa.y[i], sc+0.5)
					}
					shr := float64(b[i]) - float64(x[i])*sc
					if !near(osh.y[i], shr, math.Abs(float64(b[i]))+math.Abs(float64(x[i])*sc), 1e-6) {
						t.Fatalf("bnFold n=%d off=%d: sh[%d] = %v, want %v", n, off, i, osh.y[i], shr)
					}
				}
				o = newOutput(t, n, (off+2)%4)
				v.scaleMul(o.y, x, g, s)
				o.guards(t, fmt.Sprintf("scaleMul n=%d", n))
				for i := range o.y {
					ref := float64(x[i]) * float64(s) * float64(g[i])
					if !near(o.y[i], ref, math.Abs(ref), 1e-6) {
						t.Fatalf("scaleMul n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], ref)
					}
				}
			}
		}
	})
}

// TestSpecialValues: NaN propagates through the sums, -Inf logits vanish in sumExp.
func TestSpecialValues(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		nan, inf := float32(math.NaN()), float32(math.Inf(1))
		for _, n := range []int{1, 7, 16, 33, 100} {
			for pos := 0; pos < n; pos += max(1, n/5) {
				x := make([]float32, n)
				for i := range x {
					x[i] = -float32(i) / 8
				}
				x[pos] = nan
				if got := v.sumExp(x, 0); !math.IsNaN(float64(got)) {
					t.Fatalf("sumExp with NaN at %d of %d = %v, want NaN", pos, n, got)
				}
				if got := v.huberSum(x, make([]float32, n), 1); !math.IsNaN(float64(got)) {
					t.Fatalf("huberSum with NaN at %d of %d = %v, want NaN", pos, n, got)
				}
				if got := v.sum(x); !math.IsNaN(float64(got)) {
					t.Fatalf("sum with NaN = %v", got)
				}
				x[pos] = -inf
				var ref float64
				for i, xv := range x {
					if i != pos {
						ref += math.Exp(float64(xv))
					}
				}
				if got := v.sumExp(x, 0); !near(got, ref, ref, 1e-5) {
					t.Fatalf("sumExp with -Inf at %d of %d = %v, want %v", pos, n, got, ref)
				}
				x[pos] = inf
				if got := v.huberSum(x, make([]float32, n), 1); !math.IsInf(float64(got), 1) {
					t.Fatalf("huberSum with +Inf = %v, want +Inf", got)
				}
			}
		}
	})
}

// TestExpError measures the relative error of the vector exp (sumExp of
// one element) against math.Exp over [-87, 0]: the bound documented at
// expPoly.
func TestExpError(t *testing.T) {
	const bound = 1.0 / (1 << 23)
	forVariants(t, func(t *testing.T, v *vec) {
		worst, at := 0.0, 0.0
		x := make([]float32, 1)
		for i := 0; i <= 1<<20; i++ {
			x[0] = float32(-87 * float64(i) / (1 << 20))
			got := float64(v.sumExp(x, 0))
			want := math.Exp(float64(x[0]))
			if e := math.Abs(got-want) / want; e > worst {
				worst, at = e, float64(x[0])
			}
		}
		t.Logf("%s: max relative error of exp on [-87, 0]: %.3g (2^%.2f) at %g", v.path, worst, math.Log2(worst), at)
		if worst > bound {
			t.Errorf("exp error %.3g exceeds the documented bound 2^-23", worst)
		}
	})
}

// TestNMSSuppress: the vector sweep decides exactly as its Go twin (same
// float32 operations) for random boxes, dead and NaN ones included, at
// every length and misalignment, with both comparison conventions.
func TestNMSSuppress(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		if v.nmsSuppress == nil {
			t.Skipf("%s has no NMS sweep (nms falls back to the pure-Go backend)", v.path)
		}
		rng := rand.New(rand.NewPCG(15, 16))
		coord := func() float32 { return float32(rng.IntN(64)) / 2 }
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				for _, geq := range []bool{false, true} {
					one := float32(0)
					if geq {
						one = 1
					}
					var x1, y1, x2, y2, ar [2][]float32
					var rk [2][]int32
					base := make([][4]float32, n)
					for j := range base {
						a, b := coord(), coord()
						base[j] = [4]float32{a, b, a + coord(), b + coord()}
					}
					for c := range 2 {
						x1[c], y1[c] = input(t, n, off, func() float32 { return 0 }), make([]float32, n)
						x2[c], y2[c], ar[c] = make([]float32, n), make([]float32, n), make([]float32, n)
						rk[c] = make([]int32, n)
						for j, bx := range base {
							x1[c][j], y1[c][j], x2[c][j], y2[c][j] = bx[0], bx[1], bx[2], bx[3]
							ar[c][j] = max(0, bx[2]-bx[0]+one) * max(0, bx[3]-bx[1]+one)
							rk[c][j] = int32(j)
							switch j % 11 {
							case 3: // already suppressed
								x1[c][j], rk[c][j] = float32(math.Inf(1)), -1
							case 7: // NaN coordinates
								inf := float32(math.Inf(1))
								x1[c][j], y1[c][j], x2[c][j], y2[c][j], ar[c][j] = inf, inf, inf, inf, -1
							}
						}
					}
					// The second box straddles the origin: lanes that hold
					// zeros rather than candidates would overlap it.
					box := []float32{8, 8, 20, 16, (12 + one) * (8 + one)}
					if n%2 == 1 {
						box = []float32{-4, -2, 6, 5, (10 + one) * (7 + one)}
					}
					thr := float32(rng.IntN(10)) / 10
					got := v.nmsSuppress(x1[0], y1[0], x2[0], y2[0], ar[0], rk[0], box, thr, one, geq)
					want := nmsSuppressGo(x1[1], y1[1], x2[1], y2[1], ar[1], rk[1], box, thr, one, geq)
					if got != want {
						t.Fatalf("n=%d off=%d geq=%v t=%v: suppressed %d, want %d", n, off, geq, thr, got, want)
					}
					for j := range n {
						if rk[0][j] != rk[1][j] || math.Float32bits(x1[0][j]) != math.Float32bits(x1[1][j]) {
							t.Fatalf("n=%d off=%d geq=%v: candidate %d: rank %d x1 %v, want %d %v", n, off, geq, j, rk[0][j], x1[0][j], rk[1][j], x1[1][j])
						}
					}
				}
			}
		}
	})
}
