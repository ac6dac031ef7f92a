package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestW4RowsPageEnd calls every row kernel (1..mr rows) of each variant
// directly with every input ending at an inaccessible page (codes, scales,
// zero points, bias and the laid-out X), for group sizes with full chunks,
// tails of 1..15 bytes and per-channel groups, against the Go twin; the
// wide row kernels (where gb is a multiple of 64) on X laid out by
// packWide likewise.
func TestW4RowsPageEnd(t *testing.T) {
	forEach(t, w4Variants(), func(t *testing.T, k *w4K) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, kg := range [][2]int{{2, 2}, {6, 6}, {30, 30}, {58, 58}, {64, 32}, {96, 32}, {68, 34}, {256, 128}, {62, 62}, {384, 384}} {
			K, G := kg[0], kg[1]
			for rows := 1; rows <= k.mr; rows++ {
				const n = 5 // one pass of three weight rows (AVX-512), two left
				l := newW4Layout(K, G)
				qp := pageEndBytes(t, n*K/2)
				z := pageEndBytes(t, n*l.ng)
				s, bias := pageEnd(t, n*l.ng), pageEnd(t, n)
				x := pageEnd(t, rows*l.ldx)
				for i := range qp {
					qp[i] = uint8(rng.IntN(256))
				}
				for i := range z {
					z[i] = uint8(rng.IntN(16))
					s[i] = float32(2*rng.Float64() - 1)
				}
				for i := range bias {
					bias[i] = float32(2*rng.Float64() - 1)
				}
				wide := k.wideRows[1] != nil && l.gb%64 == 0
				xw := pageEnd(t, rows*l.ldx)
				for m := range rows {
					xr := randSlice(rng, K)
					l.pack(x[m*l.ldx:(m+1)*l.ldx], xr)
					if wide {
						l.packWide(xw[m*l.ldx:(m+1)*l.ldx], xr)
					}
				}
				ldy := n + 2
				want := make([]float32, rows*ldy)
				for i := range want {
					want[i] = guardVal
				}
				k.twin(rows)(want, ldy, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng)
				try := func(f w4Kern, x []float32, what string) {
					y, check := guarded(rows*ldy, 16)
					for i := range y {
						y[i] = guardVal
					}
					f(y, ldy, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng)
					check(t, what)
					for i := range y {
						if i%ldy >= n {
							if y[i] != guardVal {
								t.Fatalf("%s: wrote y[%d] past the %d columns", what, i, n)
							}
							continue
						}
						if math.Abs(float64(y[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
							t.Fatalf("%s: y[%d] = %v, want %v", what, i, y[i], want[i])
						}
					}
				}
				try(k.rows[rows], x, fmt.Sprintf("K=%d G=%d rows=%d", K, G, rows))
				if wide {
					try(k.wideRows[rows], xw, fmt.Sprintf("wide K=%d G=%d rows=%d", K, G, rows))
				}
			}
		}
	})
}

// TestW4GemvPageEnd calls the GEMV kernels (4 and 1 weight rows per pass)
// of each variant that has them with every input ending at an inaccessible
// page, for full chunks, tails of 1..15 bytes, per-channel groups and more
// than 16 groups (blocks of zero points and scales), against the Go twin;
// zero points equal to the codes must give exactly the bias.
func TestW4GemvPageEnd(t *testing.T) {
	forEach(t, w4Variants(), func(t *testing.T, k *w4K) {
		if k.gemv4 == nil {
			t.Skip("no GEMV kernels")
		}
		rng := rand.New(rand.NewPCG(23, 24))
		for _, kg := range [][2]int{{2, 2}, {6, 6}, {30, 30}, {58, 58}, {64, 32}, {96, 32}, {68, 34}, {256, 128},
			{62, 62}, {1088, 32}, {2176, 64}, {384, 384}, {2304, 128}} {
			K, G := kg[0], kg[1]
			l := newW4Layout(K, G)
			cases := []struct {
				n    int
				f    w4Gemv
				name string
			}{{8, k.gemv4, "gemv4"}, {3, k.gemv1, "gemv1"}}
			if l.gb%64 == 0 && k.gemvWide4 != nil {
				cases = append(cases, cases[0], cases[1])
				cases[2].f, cases[2].name, cases[3].f, cases[3].name = k.gemvWide4, "wide4", k.gemvWide1, "wide1"
			}
			for ci, c := range cases {
				n := c.n
				qp, z := pageEndBytes(t, n*K/2), pageEndBytes(t, n*l.ng)
				s, bias, x := pageEnd(t, n*l.ng), pageEnd(t, n), pageEnd(t, l.ldx)
				for i := range qp {
					qp[i] = uint8(rng.IntN(256))
				}
				for i := range z {
					z[i] = uint8(rng.IntN(16))
					s[i] = float32(2*rng.Float64() - 1)
				}
				for i := range bias {
					bias[i] = float32(2*rng.Float64() - 1)
				}
				xr := randSlice(rng, K)
				l.pack(x, xr)
				// Row 1: every code at its group's zero point.
				for i := range K / 2 {
					zv := z[l.ng+2*i/G]
					qp[K/2+i] = zv | zv<<4
				}
				y, check := guarded(n, 16)
				want := make([]float32, n)
				w4GemvGo(want, x, qp, s, z, bias, n, l.gb, l.ng)
				if ci >= 2 {
					l.packWide(x, xr)
				}
				c.f(y, x, qp, s, z, bias, n, l.gb, l.ng)
				what := fmt.Sprintf("%s K=%d G=%d", c.name, K, G)
				check(t, what)
				if y[1] != bias[1] {
					t.Fatalf("%s: codes at the zero point give %v, want the bias %v", what, y[1], bias[1])
				}
				for i := range y {
					if math.Abs(float64(y[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("%s: y[%d] = %v, want %v", what, i, y[i], want[i])
					}
				}
			}
		}
	})
}
