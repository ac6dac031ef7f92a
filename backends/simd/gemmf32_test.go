package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
)

// Direct tests of the gemm_f32 micro-kernels and of their driver, for
// every variant (supported or not here; unsupported ones are skipped) and
// the Go twin, against float64.

func gf32Variants() []variant[gf32K] {
	twin := &gf32K{path: Generic, mr: 8, nr: 48, pf: 32, tile: make([]gf32Tile, 9)}
	for r := 1; r <= twin.mr; r++ {
		twin.tile[r] = gf32TileGo(r, twin.nr)
	}
	return variantsOf([]variant[gf32K]{{"generic", true, twin}}, gf32Of, func(k *gf32K) string { return k.path })
}

// gf32Ref is Σ_t x[t*ldx+i]*w[t*nr+j] + c in float64, with its magnitude.
func gf32Ref(c float32, x []float32, ldx, i int, w []float32, nr, j, kc int) (ref, mag float64) {
	ref, mag = float64(c), math.Abs(float64(c))
	for t := range kc {
		p := float64(x[t*ldx+i]) * float64(w[t*nr+j])
		ref += p
		mag += math.Abs(p)
	}
	return ref, mag
}

// TestGemmF32Tiles runs every gemm_f32 tile (each row count, k counts from
// 0 through a full block, c from a bias row and from Y) against float64,
// with guard columns between the rows of Y and guards after it. W ends at
// a guard page: a read past the panel faults.
func TestGemmF32Tiles(t *testing.T) {
	forEach(t, gf32Variants(), func(t *testing.T, k *gf32K) {
		rng := rand.New(rand.NewPCG(15, 16))
		nr := k.nr
		for _, kc := range []int{0, 1, 2, 3, 17, gf32KC} {
			wb := pageEnd(t, kc*nr+1)
			w := wb[1:]
			copy(w, randSlice(rng, kc*nr))
			for rows := 1; rows <= k.mr; rows++ {
				for _, ldx := range []int{k.mr, 1} {
					if ldx == 1 && rows > 1 {
						continue
					}
					x := randSlice(rng, max(kc*ldx, 1))
					ldy := nr + 5
					y, check := guarded(rows*ldy, 16)
					for i := range y {
						y[i] = guardVal
					}
					c := randSlice(rng, nr)
					what := fmt.Sprintf("kc=%d rows=%d ldx=%d", kc, rows, ldx)
					k.tile[rows](y, ldy, c, 0, x, ldx, w, kc, w)
					check(t, what)
					y1 := slices.Clone(y)
					if k.gemv != nil && rows == 1 && ldx == 1 {
						// The GEMV form, prefetching from the end of W into the
						// guard page (as the driver's last panel does): tile[1]'s
						// results, bit for bit.
						yg, checkG := guarded(ldy, 16)
						k.gemv(yg, ldy, c, 0, x, 1, w, kc, w[len(w):])
						checkG(t, what+", gemv")
						for j := range nr {
							if math.Float32bits(yg[j]) != math.Float32bits(y[j]) {
								t.Fatalf("%s: gemv y[%d] = %v, tile[1] %v", what, j, yg[j], y[j])
							}
						}
					}
					for i := range rows {
						for j := range ldy {
							if j >= nr {
								if y[i*ldy+j] != guardVal {
									t.Fatalf("%s: wrote column %d past the panel", what, j)
								}
								continue
							}
							ref, mag := gf32Ref(c[j], x, ldx, i, w, nr, j, kc)
							if !near(y[i*ldy+j], ref, mag, 1e-6) {
								t.Fatalf("%s: y[%d][%d] = %v, want %v", what, i, j, y[i*ldy+j], ref)
							}
						}
					}
					// A second block of k on top of the first (c = Y).
					k.tile[rows](y, ldy, y, ldy, x, ldx, w, kc, w)
					check(t, what+", c = y")
					for i := range rows {
						for j := range nr {
							ref, mag := gf32Ref(y1[i*ldy+j], x, ldx, i, w, nr, j, kc)
							if !near(y[i*ldy+j], ref, mag, 1e-6) {
								t.Fatalf("%s, c = y: y[%d][%d] = %v, want %v", what, i, j, y[i*ldy+j], ref)
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmF32Driver runs the whole gemm_f32 (GEMV and GEMM, partial
// panels and row blocks, several k blocks, no bias) on each variant at one
// and three threads against float64, with guards after Y.
func TestGemmF32Driver(t *testing.T) {
	shapes := []struct{ M, N, K int }{{1, 1, 1}, {1, 100, 3}, {1, 48, 600}, {2, 3, 1}, {8, 48, 256}, {9, 50, 300},
		{17, 97, 513}, {4, 24, 7}, {5, 130, 2 * gf32KC}, {203, 100, 600}, {230, 60, 40}, {16, 68, 100}, {24, 79, 40}}
	forEach(t, gf32Variants(), func(t *testing.T, k *gf32K) {
		rng := rand.New(rand.NewPCG(17, 18))
		for _, sh := range shapes {
			for _, withBias := range []bool{true, false} {
				M, N, K := sh.M, sh.N, sh.K
				x, w := randSlice(rng, M*K), randSlice(rng, N*K)
				var bias []float32
				op := kernel.GemmF32{M: M, N: N, K: K, X: &kernel.Host{F32: x}, W: &kernel.Host{F32: w}}
				if withBias {
					bias = randSlice(rng, N)
					op.Bias = &kernel.Host{F32: bias}
				}
				for _, threads := range []int{1, 3} {
					y, check := guarded(M*N, 16)
					for i := range y {
						y[i] = float32(math.NaN())
					}
					op.Y = &kernel.Host{F32: y}
					if err := newGemmF32(&Backend{threads: threads}, k, &op).Run(); err != nil {
						t.Fatal(err)
					}
					what := fmt.Sprintf("M=%d N=%d K=%d bias=%v threads=%d", M, N, K, withBias, threads)
					check(t, what)
					for m := range M {
						for n := range N {
							var b float32
							if bias != nil {
								b = bias[n]
							}
							ref, mag := gf32Ref(b, x[m*K:], 1, 0, w[n*K:], 1, 0, K)
							if !near(y[m*N+n], ref, mag, 1e-6) {
								t.Fatalf("%s: y[%d][%d] = %v, want %v", what, m, n, y[m*N+n], ref)
							}
						}
					}
				}
			}
		}
	})
}
