package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
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

// TestColShiftSums: colShiftSums, every variant, against float64 around
// the shift computed in float32 as documented (it must match bitwise), at
// the lengths, misalignments and guards of TestColPrimitives, for 1 to 13
// rows (the first-row and the 8-row shift) and both forms; the outputs
// start as garbage (they are set, not accumulated). colShiftSumsL2 must
// write the same bits.
func TestColShiftSums(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		if v.colShiftSums == nil {
			t.Skip("no colShiftSums on this level")
		}
		rng := rand.New(rand.NewPCG(9, 10))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		for _, n := range testLengths {
			for _, rows := range []int{1, 2, 4, 6, 7, 8, 9, 13} {
				for off := 0; off < 4; off++ {
					ld := n + 3*(off%2)
					x := input(t, (rows-1)*ld+n, off, func() float32 { return 3 + gen() })
					for _, center := range []bool{false, true} {
						name := fmt.Sprintf("colShiftSums n=%d rows=%d ld=%d off=%d center=%v", n, rows, ld, off, center)
						s1, s2, sh := newOutput(t, n, (off+1)%4), newOutput(t, n, (off+2)%4), newOutput(t, n, (off+3)%4)
						for j := range n {
							s1.y[j], s2.y[j], sh.y[j] = gen(), gen(), gen()
						}
						v.colShiftSums(s1.y, s2.y, sh.y, x, ld, rows, center)
						s1.guards(t, name+" s1")
						s2.guards(t, name+" s2")
						sh.guards(t, name+" sh")
						if v.colShiftSumsL2 != nil {
							l1, l2, lh := newOutput(t, n, (off+2)%4), newOutput(t, n, (off+3)%4), newOutput(t, n, (off+1)%4)
							for j := range n {
								l1.y[j], l2.y[j], lh.y[j] = gen(), gen(), gen()
							}
							v.colShiftSumsL2(l1.y, l2.y, lh.y, x, ld, rows, center)
							l1.guards(t, name+" L2 s1")
							l2.guards(t, name+" L2 s2")
							lh.guards(t, name+" L2 sh")
							sameBits(t, name+" L2 s1", l1.y, s1.y)
							sameBits(t, name+" L2 s2", l2.y, s2.y)
							sameBits(t, name+" L2 sh", lh.y, sh.y)
						}
						for j := range n {
							c := func(r int) float32 { return x[r*ld+j] }
							var want float32
							switch {
							case !center:
							case rows >= 8:
								want = (((c(0) + c(1)) + (c(2) + c(3))) + ((c(4) + c(5)) + (c(6) + c(7)))) * 0.125
							default:
								want = c(0)
							}
							if sh.y[j] != want {
								t.Fatalf("%s: sh[%d] = %v, want %v", name, j, sh.y[j], want)
							}
							var r1, r2, m1, m2 float64
							for r := range rows {
								d := float64(c(r)) - float64(want)
								r1, r2 = r1+d, r2+d*d
								m1, m2 = m1+math.Abs(d), m2+d*d
							}
							if !near(s1.y[j], r1, m1, 1e-6) || !near(s2.y[j], r2, m2, 1e-6) {
								t.Fatalf("%s: s1, s2[%d] = %v, %v, want %v, %v", name, j, s1.y[j], s2.y[j], r1, r2)
							}
						}
					}
				}
			}
		}
	})
}

// TestMergeShifted: every variant's mergeShifted bitwise against
// mergeShiftedGo at the lengths and misalignments of TestColPrimitives,
// with partials whose s2 is below s1²/nb (clamped to 0) and NaN lanes,
// the float64 outputs followed by guards.
func TestMergeShifted(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		if v.mergeShifted == nil {
			t.Skip("no mergeShifted on this level")
		}
		rng := rand.New(rand.NewPCG(11, 12))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		nan := float32(math.NaN())
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				s1 := input(t, n, off, func() float32 { return 40 * gen() })
				s2 := input(t, n, (off+1)%4, func() float32 { return 900 * (1 + gen()) })
				sh := input(t, n, (off+2)%4, gen)
				if n > 5 {
					s1[n/3], s2[n-1], sh[n/2] = nan, nan, nan
				}
				mean, m2 := make([]float64, off+n+8), make([]float64, off+n+8)
				for j := range mean {
					mean[j], m2[j] = rng.NormFloat64(), 100*rng.Float64()
				}
				wm, wm2 := slices.Clone(mean), slices.Clone(m2)
				na, nb := float64(1+off*40), float64(37+n%50)
				tot := na + nb
				v.mergeShifted(mean[off:off+n], m2[off:off+n], s1, s2, sh, nb/tot, na*nb/tot, 1/nb)
				mergeShiftedGo(wm[off:off+n], wm2[off:off+n], s1, s2, sh, nb/tot, na*nb/tot, 1/nb)
				for j := range mean {
					if math.Float64bits(mean[j]) != math.Float64bits(wm[j]) || math.Float64bits(m2[j]) != math.Float64bits(wm2[j]) {
						t.Fatalf("mergeShifted n=%d off=%d: mean, m2[%d] = %v, %v, want %v, %v", n, off, j-off, mean[j], m2[j], wm[j], wm2[j])
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

// TestColStatsShift covers the shifted single pass of the column
// statistics where one-pass sums would cancel (a mean far above the
// spread) and where the shift (the mean of a block's first 8 rows) is far
// from the block's mean, and constant, NaN and Inf channels, against
// float64 two-pass statistics: per channel the variance's relative error
// at most 4 times that of the float32 two-pass blocks (colSum, then
// colSqDev: the level without colShiftSums) plus 1e-5 (head-outlier: the
// bounded cancellation, s2/M2 <= 1 + rows/8, gives up to 2.3e-6; one-pass
// sums without the shift err by 1 or more on far-mean and tight), the
// mean's likewise plus 1e-6 (in units of the standard deviation),
// NaN where the reference has NaN, and a constant channel's mean exact and
// M2 0.
func TestColStatsShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	pats := map[string]func(r, j int, p *colPlan) float64{
		"far-mean": func(r, j int, _ *colPlan) float64 { return 3000 + rng.NormFloat64() },
		"tight":    func(r, j int, _ *colPlan) float64 { return 1000 + 1e-2*rng.NormFloat64() },
		"head-outlier": func(r, j int, p *colPlan) float64 { // rows 0-7 of every block
			if (r/p.reps)%p.blk < 8 {
				return 1000 + rng.NormFloat64()
			}
			return rng.NormFloat64()
		},
		"drift":    func(r, j int, _ *colPlan) float64 { return 100 + 1e-3*float64(r) + 1e-3*rng.NormFloat64() },
		"constant": func(r, j int, _ *colPlan) float64 { return 7.25 },
		"nan-inf": func(r, j int, _ *colPlan) float64 {
			switch {
			case j == 0 && r == 5:
				return math.NaN()
			case j == 1 && r == 7:
				return math.Inf(1)
			}
			return rng.NormFloat64()
		},
	}
	forVariants(t, func(t *testing.T, v *vec) {
		if v.colShiftSums == nil {
			t.Skip("no colShiftSums on this level")
		}
		twoPass := *v
		twoPass.colShiftSums = nil
		stats := func(v *vec, x []float32, m, c int) *colPlan {
			b := &Backend{threads: 1, lv: &level{f: v}}
			bt := newBNTrain(b, m, c, 1e-5, 0.1, x, filled(c, 1), make([]float32, c), filled(c, 1), make([]float32, c), make([]float32, c))
			b.rows(bt.p.parts(), 1, bt.blocks)
			bt.p.merge(b, bt.p.centeredMerge)
			return bt.p
		}
		for name, pat := range pats {
			for _, mc := range [][2]int{{1000, 24}, {300, 1024}, {7, 5}, {20, 3}} {
				m, c := mc[0], mc[1]
				x := make([]float32, m*c)
				p0 := newColPlan(m, c)
				for r := range m {
					for j := range c {
						x[r*c+j] = float32(pat(r, j, p0))
					}
				}
				got, ref := stats(v, x, m, c), stats(&twoPass, x, m, c)
				for j := range c {
					var mu, q float64
					for r := range m {
						mu += float64(x[r*c+j])
					}
					mu /= float64(m)
					for r := range m {
						d := float64(x[r*c+j]) - mu
						q += d * d
					}
					if math.IsNaN(q) {
						if !math.IsNaN(got.m2[j]) {
							t.Fatalf("%s %dx%d: channel %d M2 %v, want NaN", name, m, c, j, got.m2[j])
						}
						continue
					}
					if name == "constant" {
						if got.mean[j] != mu || got.m2[j] != 0 {
							t.Fatalf("%s %dx%d: channel %d mean %v M2 %v, want %v 0", name, m, c, j, got.mean[j], got.m2[j], mu)
						}
						continue
					}
					rel := func(a, b float64) float64 { return math.Abs(a-b) / math.Abs(b) }
					if e, e2 := rel(got.m2[j], q), rel(ref.m2[j], q); e > 4*e2+1e-5 {
						t.Fatalf("%s %dx%d: channel %d M2 error %.3g, the float32 two-pass %.3g", name, m, c, j, e, e2)
					}
					// The mean's error in units of the spread (what y sees).
					sd := math.Sqrt(q / float64(m))
					if e, e2 := math.Abs(got.mean[j]-mu)/sd, math.Abs(ref.mean[j]-mu)/sd; e > 4*e2+1e-6 {
						t.Fatalf("%s %dx%d: channel %d mean error %.3g, the float32 two-pass %.3g", name, m, c, j, e, e2)
					}
				}
			}
		}
	})
}
