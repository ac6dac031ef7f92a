package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestNormRows calls the fused row norms of every variant (the Go
// composition and each ISA) for rows 0..3 and row lengths 1..300 (two
// full 8-vector unrolls of the AVX-512 code plus every tail) and longer,
// at misalignments 0..3 (inputs at 0 end at an inaccessible page), with
// guard values after y, against a float64 two-pass computation; the last
// lengths use the offset data of the suite's offset test (1000 + N(0,1)).
// A row gives the same bits alone as within a block.
func TestNormRows(t *testing.T) {
	var cs []int
	for c := 1; c <= 300; c++ {
		cs = append(cs, c)
	}
	cs = append(cs, 1024, 1031, 4096)
	forVariants(t, func(t *testing.T, v *vec) {
		ln, rms := fusedLayerNorm(v), fusedRMSNorm(v)
		rng := rand.New(rand.NewPCG(41, 42))
		for _, c := range cs {
			for rows := range 4 {
				for off := range 4 {
					offset := 0.0
					if c >= 1024 {
						offset = 1000
					}
					n := rows * c
					x := input(t, n, off, func() float32 { return float32(offset + rng.NormFloat64()) })
					g := input(t, c, off, func() float32 { return float32(rng.Float64() + 0.5) })
					b := input(t, c, off, func() float32 { return float32(rng.Float64() - 0.5) })
					const eps, scale = 1e-5, 0.75
					inv := 1 / float32(c)
					what := fmt.Sprintf("c=%d rows=%d off=%d", c, rows, off)
					for _, isLN := range []bool{true, false} {
						y, check := guarded(n, 16)
						if isLN {
							ln(y, x, g, b, rows, c, inv, eps, scale)
						} else {
							rms(y, x, g, rows, c, inv, eps, scale)
						}
						check(t, what)
						// Row by row gives the same bits (blocks split by thread).
						for r := range rows {
							yr := make([]float32, c)
							xr := x[r*c : (r+1)*c]
							if isLN {
								ln(yr, xr, g, b, 1, c, inv, eps, scale)
							} else {
								rms(yr, xr, g, 1, c, inv, eps, scale)
							}
							for j := range yr {
								if math.Float32bits(yr[j]) != math.Float32bits(y[r*c+j]) {
									t.Fatalf("%s layernorm=%v: row %d alone gives y[%d] = %v, in the block %v",
										what, isLN, r, j, yr[j], y[r*c+j])
								}
							}
						}
						for r := range rows {
							xr := x[r*c : (r+1)*c]
							var mu, ss float64
							if isLN {
								for _, e := range xr {
									mu += float64(e)
								}
								mu /= float64(c)
							}
							for _, e := range xr {
								ss += (float64(e) - mu) * (float64(e) - mu)
							}
							s := scale / math.Sqrt(ss/float64(c)+eps)
							tol := 2e-5
							if offset != 0 {
								tol = 5e-3
							}
							for j, e := range xr {
								ref := (float64(e) - mu) * s * float64(g[j])
								if isLN {
									ref += float64(b[j])
								}
								if got := float64(y[r*c+j]); math.Abs(got-ref) > tol*(1+math.Abs(ref)) {
									t.Fatalf("%s layernorm=%v: y[%d][%d] = %v, want %v", what, isLN, r, j, got, ref)
								}
							}
						}
					}
				}
			}
		}
	})
}

// TestUnitGRows checks each level's row norms for gamma = 1
// (unitGRowsOf), given no g, against its row norms given a g of ones: the
// same bits, for rows 0..3, row lengths 1..300 and the wide ones (past
// lnAheadC and rmsAheadC), x and b at misalignments 0..3 (0: ending at an
// inaccessible page), nothing written past y.
func TestUnitGRows(t *testing.T) {
	var cs []int
	for c := 1; c <= 300; c++ {
		cs = append(cs, c)
	}
	cs = append(cs, 1024, 3073, 4096, 4097, 8192)
	forVariants(t, func(t *testing.T, v *vec) {
		u := unitGRowsOf(v)
		if u == nil {
			t.Skip("no row norms without g on this level")
		}
		ln, rms := fusedLayerNorm(v), fusedRMSNorm(v)
		rng := rand.New(rand.NewPCG(45, 46))
		for _, c := range cs {
			ones := filled(c, 1)
			for rows := range 4 {
				for off := range 4 {
					n := rows * c
					x := input(t, n, off, func() float32 { return float32(3 + rng.NormFloat64()) })
					b := input(t, c, (off+1)%4, func() float32 { return float32(rng.Float64() - 0.5) })
					inv := 1 / float32(c)
					what := fmt.Sprintf("c=%d rows=%d off=%d", c, rows, off)
					want := make([]float32, n)
					ln(want, x, ones, b, rows, c, inv, 1e-5, 0.75)
					y, check := guarded(n, 16)
					u.ln(y, x, nil, b, rows, c, inv, 1e-5, 0.75)
					check(t, what)
					sameBits(t, "layerNormRowsUnitG "+what, y, want)
					rms(want, x, ones, rows, c, inv, 1e-5, 0.75)
					u.rms(y, x, nil, rows, c, inv, 1e-5, 0.75)
					check(t, what)
					sameBits(t, "rmsNormRowsUnitG "+what, y, want)
				}
			}
		}
	})
}

// TestCRMSRows calls CRMSNorm's row loop of every variant (the Go
// composition, and each ISA's fused plain and streaming forms) for rows
// 0..3 and row lengths 1..300 and longer, z at misalignments 0..3 (at 0
// z ends at an inaccessible page) and y at misalignments 0..17 elements
// (every head length of the streaming forms), with guard values around
// y, against a float64 computation; a row gives the same bits alone as
// within a block.
func TestCRMSRows(t *testing.T) {
	var cs []int
	for c := 1; c <= 300; c++ {
		cs = append(cs, c)
	}
	cs = append(cs, 767, 1024, 4095)
	forVariants(t, func(t *testing.T, v *vec) {
		forms := map[string]crmsRowsFn{"compose": composeCRMS(v.sum, v.sumSq, v.scaleMul)}
		if f, nt := crmsRowsOf(v); f != nil {
			forms["fused"], forms["nt"] = f, func(y, z, g []float32, rows, n, ahead int, inv, eps float32) {
				nt(y, z, g, rows, n, ahead, inv, eps)
				sfence()
			}
		}
		rng := rand.New(rand.NewPCG(43, 44))
		for name, f := range forms {
			for _, c := range cs {
				for rows := range 4 {
					off := c % 4
					n := rows * c
					z := input(t, n, off, func() float32 { return float32(rng.NormFloat64()) })
					g := input(t, c, (off+1)%4, func() float32 { return float32(rng.Float64() + 0.5) })
					const eps = 1e-5
					inv := 1 / float32(c+1)
					yo := c % 18
					buf := alignedF32(n+yo+16, 64)
					for i := range buf {
						buf[i] = guardVal
					}
					y := buf[yo : yo+n]
					what := fmt.Sprintf("%s c=%d rows=%d off=%d yoff=%d", name, c, rows, off, yo)
					f(y, z, g, rows, c, rows%3, inv, eps)
					for i, e := range buf {
						if (i < yo || i >= yo+n) && e != guardVal {
							t.Fatalf("%s: wrote outside y at %d", what, i-yo)
						}
					}
					for r := range rows {
						yr := make([]float32, c)
						zr := z[r*c : (r+1)*c]
						f(yr, zr, g, 1, c, 0, inv, eps)
						var s, q float64
						for j := range yr {
							if math.Float32bits(yr[j]) != math.Float32bits(y[r*c+j]) {
								t.Fatalf("%s: row %d alone gives y[%d] = %v, in the block %v", what, r, j, yr[j], y[r*c+j])
							}
							s += float64(zr[j])
							q += float64(zr[j]) * float64(zr[j])
						}
						rs := 1 / math.Sqrt((q+s*s)/float64(c+1)+eps)
						for j, e := range zr {
							ref := float64(e) * rs * float64(g[j])
							if got := float64(y[r*c+j]); math.Abs(got-ref) > 2e-5*(1+math.Abs(ref)) {
								t.Fatalf("%s: y[%d][%d] = %v, want %v", what, r, j, got, ref)
							}
						}
					}
				}
			}
		}
	})
}

// TestLayerNormShift covers the shifted single pass of the fused
// layernorm where the shift (the row's first vector) is far from the mean,
// so the two-pass fallback runs, and rows that are constant or hold
// NaN or Inf, against a float64 two-pass computation: NaN where it has
// NaN, and per row an error at most 4 times that of the float32 two-pass
// composition (layerNormRowsGo) plus 2e-5 (the "tight" rows are
// ill-conditioned: the float32 mean alone errs by 2e-4 there).
func TestLayerNormShift(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	pats := map[string]func(j, c int) float64{
		"head-outlier": func(j, c int) float64 {
			if j < 16 {
				return 1000
			}
			return rng.NormFloat64()
		},
		"far-mean": func(j, c int) float64 {
			if j < 16 {
				return rng.NormFloat64()
			}
			return 3000 + rng.NormFloat64()
		},
		"first-only": func(j, c int) float64 {
			if j == 0 {
				return 1e4
			}
			return 0
		},
		"constant": func(j, c int) float64 { return 7.25 },
		"tight": func(j, c int) float64 { // (mu-K)² far above the variance
			if j < 16 {
				return 1000.5
			}
			return 1000 + 1e-3*rng.NormFloat64()
		},
		"nan": func(j, c int) float64 {
			if j == c/2 {
				return math.NaN()
			}
			return rng.NormFloat64()
		},
		"inf": func(j, c int) float64 {
			if j == c-1 {
				return math.Inf(1)
			}
			return rng.NormFloat64()
		},
	}
	forVariants(t, func(t *testing.T, v *vec) {
		if v.layerNormRows == nil {
			// The level composes float32 two-pass primitives (NEON): no
			// shift to defeat, and its summation order is its own.
			t.Skip("no fused layerNormRows on this level")
		}
		ln := fusedLayerNorm(v)
		for name, pat := range pats {
			for _, c := range []int{1, 5, 8, 16, 17, 31, 100, 1024, 4099, 8192} {
				const rows = 3
				x := make([]float32, rows*c)
				for j := range x {
					x[j] = float32(pat(j%c, c))
				}
				g, b := filled(c, 1.5), filled(c, 0.25)
				y, y2 := make([]float32, rows*c), make([]float32, rows*c)
				ln(y, x, g, b, rows, c, 1/float32(c), 1e-5, 1)
				layerNormRowsGo(y2, x, g, b, rows, c, 1/float32(c), 1e-5, 1)
				for r := range rows {
					xr := x[r*c : (r+1)*c]
					var mu, ss float64
					for _, e := range xr {
						mu += float64(e)
					}
					mu /= float64(c)
					for _, e := range xr {
						ss += (float64(e) - mu) * (float64(e) - mu)
					}
					s := 1 / math.Sqrt(ss/float64(c)+1e-5)
					var e1, e2 float64
					for j, e := range xr {
						ref := (float64(e)-mu)*s*1.5 + 0.25
						got := float64(y[r*c+j])
						if math.IsNaN(ref) != math.IsNaN(got) {
							t.Fatalf("%s c=%d: y[%d][%d] = %v, want %v", name, c, r, j, got, ref)
						}
						if !math.IsNaN(ref) {
							e1 = max(e1, math.Abs(got-ref))
							e2 = max(e2, math.Abs(float64(y2[r*c+j])-ref))
						}
					}
					if e1 > 4*e2+2e-5 {
						t.Fatalf("%s c=%d row %d: error %.3g, the float32 two-pass %.3g", name, c, r, e1, e2)
					}
				}
			}
		}
	})
}
