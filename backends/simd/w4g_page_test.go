package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestW4RowsPageEnd calls the row kernels of each variant (the table
// tiles and their tables where the level has them) with every input ending
// at an inaccessible page, for full chunks, tails of 1..15 bytes and
// per-channel groups, every row count and five weight rows (one pass of
// three, two left), against the Go twin; the tables must equal the twin's
// bit for bit.
func TestW4RowsPageEnd(t *testing.T) {
	forEach(t, w4Variants(), func(t *testing.T, k *w4K) {
		rng := rand.New(rand.NewPCG(21, 22))
		for _, kg := range [][2]int{{2, 2}, {6, 6}, {30, 30}, {58, 58}, {64, 32}, {96, 32}, {68, 34}, {256, 128}, {62, 62}, {384, 384}} {
			K, G := kg[0], kg[1]
			for rows := 1; rows <= k.mr; rows++ {
				const n = 5
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
				wide := k.wideTabRows[1] != nil && l.gb%64 == 0
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
				var tab []float32
				if k.tables != nil {
					tab = pageEnd(t, n*l.ng*16)
					k.tables(tab, s, z)
					twinTab := make([]float32, len(tab))
					w4TablesGo(twinTab, s, z)
					sameBits(t, fmt.Sprintf("tables K=%d G=%d", K, G), tab, twinTab)
					w4TabGo(rows)(want, ldy, x, l.ldx, qp, tab, bias, n, l.gb, l.ng)
				} else {
					w4RowsGo(rows)(want, ldy, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng)
				}
				// KERNELS.md 3.2's tolerance: the twin and the kernels sum in
				// different orders, and these sums cancel.
				mag := w4Mags(x, l, qp, s, z, bias, rows, n, ldy)
				try := func(run func(y []float32), what string) {
					y, check := guarded(rows*ldy, 16)
					for i := range y {
						y[i] = guardVal
					}
					run(y)
					check(t, what)
					for i := range y {
						if i%ldy >= n {
							if y[i] != guardVal {
								t.Fatalf("%s: wrote y[%d] past the %d columns", what, i, n)
							}
							continue
						}
						if tol := 1e-5*mag[i] + 1e-7; math.Abs(float64(y[i]-want[i])) > tol {
							t.Fatalf("%s: y[%d] = %v, want %v (tolerance %.3g)", what, i, y[i], want[i], tol)
						}
					}
				}
				what := fmt.Sprintf("K=%d G=%d rows=%d", K, G, rows)
				if k.tables == nil {
					try(func(y []float32) { k.rows[rows](y, ldy, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng) }, what)
					if f := k.splitRows[rows]; f != nil {
						try(func(y []float32) { f(y, ldy, x, l.ldx, qp, s, z, bias, n, l.gb, l.ng) }, "split "+what)
					}
					continue
				}
				try(func(y []float32) { k.tabRows[rows](y, ldy, x, l.ldx, qp, tab, bias, n, l.gb, l.ng) }, what)
				if wide {
					try(func(y []float32) { k.wideTabRows[rows](y, ldy, xw, l.ldx, qp, tab, bias, n, l.gb, l.ng) }, "wide "+what)
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

// w4Mags returns, per output of rows rows and n weight rows (ldy apart),
// |bias| + Σ_k |X[m,k]*w^[j,k]| in float64, X laid out by l.pack in x.
func w4Mags(x []float32, l w4Layout, qp []byte, s []float32, z []byte, bias []float32, rows, n, ldy int) []float64 {
	mag := make([]float64, rows*ldy)
	for m := range rows {
		for j := range n {
			sum := math.Abs(float64(bias[j]))
			for g := range l.ng {
				sg, zg := float64(s[j*l.ng+g]), float64(z[j*l.ng+g])
				for i := range l.gb {
					c := qp[(j*l.ng+g)*l.gb+i]
					at := m*l.ldx + (g*l.chunks+i/16)*32 + i%16
					sum += math.Abs(float64(x[at])*(float64(c&15)-zg)*sg) + math.Abs(float64(x[at+16])*(float64(c>>4)-zg)*sg)
				}
			}
			mag[m*ldy+j] = sum
		}
	}
	return mag
}
