package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The column primitives of the training norms, every variant called
// directly against float64: widths 0..300 (two wide 64-column AVX2 and
// 32-column NEON blocks plus every tail) and longer (511, 1000, 1023, 4099:
// one to sixteen wide 256-column AVX-512 blocks plus tails), 0..5 rows, row strides equal to and
// past the width, four misalignments; x and sh end at an inaccessible page
// at misalignment 0 (the last row's last element is the page's last), and
// acc (which is accumulated into, so it starts non-zero) has guards.
func TestColPrimitives(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		rng := rand.New(rand.NewPCG(5, 6))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		for _, n := range testLengths {
			for _, rows := range []int{0, 1, 2, 5} {
				for off := 0; off < 4; off++ {
					ld := n + 3*(off%2)
					size := 0
					if rows > 0 {
						size = (rows-1)*ld + n
					}
					x := input(t, size, off, func() float32 { return 3 + gen() })
					sh := input(t, n, (off+1)%4, func() float32 { return 3 + gen() })
					for _, dev := range []bool{false, true} {
						name := fmt.Sprintf("colSum n=%d rows=%d ld=%d off=%d", n, rows, ld, off)
						if dev {
							name = "colSqDev" + name[len("colSum"):]
						}
						o := newOutput(t, n, (off+2)%4)
						init := make([]float32, n)
						for j := range o.y {
							init[j] = gen()
							o.y[j] = init[j]
						}
						if dev {
							v.colSqDev(o.y, x, sh, ld, rows)
						} else {
							v.colSum(o.y, x, ld, rows)
						}
						o.guards(t, name)
						for j := range o.y {
							ref, mag := float64(init[j]), math.Abs(float64(init[j]))
							for r := 0; r < rows; r++ {
								e := float64(x[r*ld+j])
								if dev {
									e -= float64(sh[j])
									e *= e
								}
								ref += e
								mag += math.Abs(e)
							}
							if !near(o.y[j], ref, mag, 1e-6) {
								t.Fatalf("%s: acc[%d] = %v, want %v", name, j, o.y[j], ref)
							}
						}
					}
				}
			}
		}
	})
}

// TestColAffines: centerAffine and blendAffine against float64 at every
// length and misalignment, outputs guarded.
func TestColAffines(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		rng := rand.New(rand.NewPCG(7, 8))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, gen)
				g := input(t, n, (off+1)%4, gen)
				mu := input(t, n, (off+2)%4, gen)
				a := input(t, n, (off+3)%4, gen)
				b := input(t, n, (off+1)%4, gen)
				f := func(s []float32, i int) float64 { return float64(s[i]) }
				o := newOutput(t, n, (off+3)%4)
				v.centerAffine(o.y, x, mu, a, b)
				o.guards(t, fmt.Sprintf("centerAffine n=%d", n))
				for i := range o.y {
					ref := (f(x, i)-f(mu, i))*f(a, i) + f(b, i)
					mag := (math.Abs(f(x, i))+math.Abs(f(mu, i)))*math.Abs(f(a, i)) + math.Abs(f(b, i))
					if !near(o.y[i], ref, mag, 1e-6) {
						t.Fatalf("centerAffine n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], ref)
					}
				}
				rmu, s := float32(0.4), float32(1.3)
				o = newOutput(t, n, (off+2)%4)
				v.blendAffine(o.y, x, g, mu, a, b, rmu, s)
				o.guards(t, fmt.Sprintf("blendAffine n=%d", n))
				for i := range o.y {
					ref := (f(x, i)-float64(rmu))*float64(s)*f(g, i) + ((f(x, i)-f(mu, i))*f(a, i) + f(b, i))
					mag := (math.Abs(f(x, i))+math.Abs(float64(rmu)))*float64(s)*math.Abs(f(g, i)) +
						(math.Abs(f(x, i))+math.Abs(f(mu, i)))*math.Abs(f(a, i)) + math.Abs(f(b, i))
					if !near(o.y[i], ref, mag, 1e-6) {
						t.Fatalf("blendAffine n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], ref)
					}
				}
			}
		}
	})
}

// TestColPlan: the block partition covers every row once, super-rows
// hold whole rows, and the statistics do not depend on the thread count
// (bitwise: the blocks are fixed and merge in block order).
func TestColPlan(t *testing.T) {
	for _, mc := range [][2]int{{1, 1}, {7, 3}, {1000, 1}, {513, 2}, {100, 13}, {4099, 5}, {300, 1024}, {9, 700}} {
		m, c := mc[0], mc[1]
		p := newColPlan(m, c)
		if p.span%c != 0 || p.tail >= p.reps {
			t.Fatalf("m=%d c=%d: span %d, tail %d, reps %d", m, c, p.span, p.tail, p.reps)
		}
		next := 0
		for i := range p.parts() {
			r0, n, w := p.block(i)
			if r0 != next || n <= 0 {
				t.Fatalf("m=%d c=%d: block %d starts at row %d with %d rows, want row %d", m, c, i, r0, n, next)
			}
			next += n * w / c
		}
		if next != m {
			t.Fatalf("m=%d c=%d: blocks cover %d rows", m, c, next)
		}
		rng := rand.New(rand.NewPCG(uint64(m), uint64(c)))
		x := make([]float32, m*c)
		for i := range x {
			x[i] = float32(100 + rng.NormFloat64())
		}
		var first []float64
		for _, threads := range []int{1, 2, 3} {
			b := &Backend{threads: threads, lv: &level{f: vecGeneric}}
			bt := newBNTrain(b, m, c, 1e-5, 0.1, x, filled(c, 1), make([]float32, c), filled(c, 1), make([]float32, c), make([]float32, c))
			b.rows(p.parts(), 2*p.blk*p.span, bt.blocks)
			bt.p.merge(b, bt.p.centeredMerge)
			got := append(append([]float64{}, bt.p.mean...), bt.p.m2...)
			for j := range c {
				var s, q float64
				for r := range m {
					s += float64(x[r*c+j])
				}
				s /= float64(m)
				for r := range m {
					d := float64(x[r*c+j]) - s
					q += d * d
				}
				if math.Abs(bt.p.mean[j]-s) > 1e-5*math.Abs(s) || math.Abs(bt.p.m2[j]-q) > 1e-4*q+1e-30 {
					t.Fatalf("m=%d c=%d threads=%d: channel %d mean %v M2 %v, want %v %v", m, c, threads, j, bt.p.mean[j], bt.p.m2[j], s, q)
				}
			}
			if first == nil {
				first = got
			}
			for i := range got {
				if got[i] != first[i] && !(math.IsNaN(got[i]) && math.IsNaN(first[i])) {
					t.Fatalf("m=%d c=%d: statistics with %d threads differ from 1 thread", m, c, threads)
				}
			}
		}
	}
}
