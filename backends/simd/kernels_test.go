package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nbench/nbench/kernel"
)

// Direct tests of the attention and int8 GEMM micro-kernels and of their
// drivers, for every variant (supported or not here; unsupported ones are
// skipped) and the Go twins, against float64 / int64 computations.

func attnVariants() []variant[attnK] {
	return variantsOf([]variant[attnK]{{"generic", true, attnGeneric}},
		func(l *level) *attnK { return l.attn }, func(k *attnK) string { return k.path })
}

func forAttn(t *testing.T, f func(t *testing.T, k *attnK)) { forEach(t, attnVariants(), f) }

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(2*rng.Float64() - 1)
	}
	return s
}

// guarded returns n elements followed by guard values, and a check of them.
func guarded(n, guard int) ([]float32, func(t *testing.T, what string)) {
	buf := make([]float32, n+guard)
	for i := n; i < len(buf); i++ {
		buf[i] = guardVal
	}
	return buf[:n], func(t *testing.T, what string) {
		t.Helper()
		for i := n; i < len(buf); i++ {
			if buf[i] != guardVal {
				t.Fatalf("%s: wrote past the output at +%d", what, i-n)
			}
		}
	}
}

// checkQK compares a 6x64 score tile s with scale * qt^T kt in float64
// (qt is [d][8], kt is [d][64]).
func checkQK(t *testing.T, what string, s, qt, kt []float32, d int, scale float64) {
	t.Helper()
	for i := range 6 {
		for j := range 64 {
			var ref, mag float64
			for tt := range d {
				p := float64(qt[tt*8+i]) * float64(kt[tt*64+j])
				ref += p
				mag += math.Abs(p)
			}
			if !near(s[i*64+j], scale*ref, scale*mag, 1e-6) {
				t.Fatalf("%s: s[%d][%d] = %v, want %v", what, i, j, s[i*64+j], scale*ref)
			}
		}
	}
}

func TestAttnMicroKernels(t *testing.T) {
	forAttn(t, func(t *testing.T, k *attnK) {
		rng := rand.New(rand.NewPCG(5, 6))
		for d := 0; d <= 70; d++ {
			qt, kt := randSlice(rng, 8*d), randSlice(rng, 64*d)
			s, check := guarded(6*64, 16)
			k.qk(s, qt, kt, d, 0.7)
			check(t, fmt.Sprintf("qk d=%d", d))
			checkQK(t, fmt.Sprintf("qk d=%d", d), s, qt, kt, d, 0.7)
		}
		// softmax: scores with masked (-Inf) entries, random running state.
		for trial := range 50 {
			s := randSlice(rng, 6*64)
			for i := range s {
				s[i] *= 20
				if rng.IntN(5) == 0 {
					s[i] = float32(math.Inf(-1))
				}
			}
			s[trial%6*64] = 3 // every row has a finite score
			m, l := randSlice(rng, 6), randSlice(rng, 6)
			if trial%3 == 0 {
				m[trial%6] = float32(math.Inf(-1))
			}
			for i := range l {
				l[i] = 1 + 10*float32(math.Abs(float64(l[i])))
			}
			in, m0, l0 := append([]float32(nil), s...), append([]float32(nil), m...), append([]float32(nil), l...)
			corr, check := guarded(6, 8)
			mg, checkM := guarded(6, 8)
			lg, checkL := guarded(6, 8)
			copy(mg, m)
			copy(lg, l)
			k.softmax(s, mg, lg, corr)
			check(t, "softmax corr")
			checkM(t, "softmax m")
			checkL(t, "softmax l")
			for i := range 6 {
				mx := float64(m0[i])
				for _, x := range in[i*64 : (i+1)*64] {
					mx = math.Max(mx, float64(x))
				}
				if float64(mg[i]) != mx {
					t.Fatalf("softmax: m[%d] = %v, want %v", i, mg[i], mx)
				}
				// The float32 argument x-mx carries a relative error of 2^-24,
				// an absolute one of |x-mx|*2^-24 in the exponent.
				rel := func(arg float64) float64 {
					if math.IsInf(arg, 0) {
						return 0
					}
					if k.base2 {
						return 1.2e-7*math.Abs(arg) + attnExp2Bound
					}
					return 1.2e-7*(1+math.Abs(arg)) + 1e-7
				}
				c := attnExpRef(k, float64(m0[i])-mx)
				if !near(corr[i], c, c, rel(float64(m0[i])-mx)) {
					t.Fatalf("softmax: corr[%d] = %v, want %v", i, corr[i], c)
				}
				sum := float64(l0[i]) * float64(corr[i])
				for j, x := range in[i*64 : (i+1)*64] {
					p := attnExpRef(k, float64(x)-mx)
					if math.IsInf(float64(x), -1) && s[i*64+j] != 0 {
						t.Fatalf("softmax: masked score gives p = %v, want exactly 0", s[i*64+j])
					}
					if !near(s[i*64+j], p, p, rel(float64(x)-mx)) {
						t.Fatalf("softmax: p[%d][%d] = %v, want %v", i, j, s[i*64+j], p)
					}
					sum += float64(s[i*64+j])
				}
				if !near(lg[i], sum, sum, 1e-6) {
					t.Fatalf("softmax: l[%d] = %v, want %v", i, lg[i], sum)
				}
			}
		}
		// P V, both row forms and every width, with guards between rows.
		for nz := 1; nz <= 4; nz++ {
			w := 16 * nz
			for nk := 0; nk <= 70; nk += 1 + nk/8 {
				p, v := randSlice(rng, 6*64), randSlice(rng, max(nk, 1)*(w+3))
				ldo := w + 5
				o := randSlice(rng, 6*ldo)
				for i := range 6 {
					for c := w; c < ldo; c++ {
						o[i*ldo+c] = guardVal
					}
				}
				corr := randSlice(rng, 6)
				o0 := append([]float32(nil), o...)
				k.pv6[nz](o, ldo, p, nk, v, w+3, corr)
				o1 := append([]float32(nil), o0[:w]...)
				o1g, check := guarded(w, 16)
				copy(o1g, o1)
				k.pv1[nz](o1g, p, nk, v, w+3)
				check(t, fmt.Sprintf("pv1 nz=%d nk=%d", nz, nk))
				for i := range 6 {
					for c := range ldo {
						got := o[i*ldo+c]
						if c >= w {
							if got != guardVal {
								t.Fatalf("pv6 nz=%d: wrote o[%d][%d] past the %d columns", nz, i, c, w)
							}
							continue
						}
						ref, mag := float64(o0[i*ldo+c])*float64(corr[i]), math.Abs(float64(o0[i*ldo+c]))
						ref1 := float64(o0[c])
						for j := range nk {
							pv := float64(p[i*64+j]) * float64(v[j*(w+3)+c])
							ref += pv
							mag += math.Abs(pv)
							if i == 0 {
								ref1 += pv
							}
						}
						if !near(got, ref, mag, 1e-6) {
							t.Fatalf("pv6 nz=%d nk=%d: o[%d][%d] = %v, want %v", nz, nk, i, c, got, ref)
						}
						if i == 0 && !near(o1g[c], ref1, mag+1, 1e-6) {
							t.Fatalf("pv1 nz=%d nk=%d: o[%d] = %v, want %v", nz, nk, c, o1g[c], ref1)
						}
					}
				}
			}
		}
	})
}

// refAttention is softmax attention in float64 (two-pass softmax).
func refAttention(op *kernel.SoftmaxAttention, q, k, v []float32) []float64 {
	bh, L, S, D, Dv := op.B*op.H, op.L, op.S, op.D, op.Dv
	out := make([]float64, bh*L*Dv)
	s := make([]float64, S)
	for h := range bh {
		for i := range L {
			n := S
			if op.Causal {
				n = i + 1
			}
			mx := math.Inf(-1)
			for j := range n {
				var dot float64
				for d := range D {
					dot += float64(q[(h*L+i)*D+d]) * float64(k[(h*S+j)*D+d])
				}
				s[j] = float64(op.Scale) * dot
				mx = math.Max(mx, s[j])
			}
			var sum float64
			for j := range n {
				s[j] = math.Exp(s[j] - mx)
				sum += s[j]
			}
			for c := range Dv {
				var acc float64
				for j := range n {
					acc += s[j] * float64(v[(h*S+j)*Dv+c])
				}
				out[(h*L+i)*Dv+c] = acc / sum
			}
		}
	}
	return out
}

// TestAttentionDriver runs the tiled driver on each variant for shapes
// around the tile sizes, causal and not, with a NaN planted in V: under
// causal masking it must reach only the rows that attend to it.
func TestAttentionDriver(t *testing.T) {
	shapes := []struct{ bh, L, S, D, Dv int }{
		{1, 1, 1, 1, 1}, {2, 5, 5, 3, 7}, {1, 6, 6, 16, 16}, {1, 7, 64, 8, 17}, {1, 13, 65, 33, 64},
		{3, 70, 70, 64, 64}, {1, 130, 130, 5, 80}, {2, 64, 200, 64, 130}, {1, 128, 128, 1, 3},
		{1, 520, 520, 8, 128}, // runs of whole tiles over two chunks (attnGroup, run)
		{2, 410, 410, 64, 64}, // heads over attnPrefetchMax (streamed output), K's last 10 keys padded
	}
	forAttn(t, func(t *testing.T, ak *attnK) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, sh := range shapes {
			for _, causal := range []bool{false, true} {
				if causal && sh.L != sh.S {
					continue
				}
				for _, nanV := range []bool{false, true} {
					name := fmt.Sprintf("bh=%d L=%d S=%d D=%d Dv=%d causal=%v nanV=%v", sh.bh, sh.L, sh.S, sh.D, sh.Dv, causal, nanV)
					q, k, v := randSlice(rng, sh.bh*sh.L*sh.D), randSlice(rng, sh.bh*sh.S*sh.D), randSlice(rng, sh.bh*sh.S*sh.Dv)
					nanRow := sh.S / 2
					if nanV {
						v[nanRow*sh.Dv] = float32(math.NaN())
					}
					out := make([]float32, sh.bh*sh.L*sh.Dv)
					op := kernel.SoftmaxAttention{B: 1, H: sh.bh, L: sh.L, S: sh.S, D: sh.D, Dv: sh.Dv,
						Scale: float32(1 / math.Sqrt(float64(sh.D))), Causal: causal,
						Q: &kernel.Host{F32: q}, K: &kernel.Host{F32: k}, V: &kernel.Host{F32: v}, O: &kernel.Host{F32: out}}
					for _, threads := range []int{1, 3} {
						clear(out)
						b := &Backend{threads: threads}
						newAttention(b, ak, &op).Run()
						ref := refAttention(&op, q, k, v)
						for i, r := range ref {
							got := float64(out[i])
							if math.IsNaN(r) != math.IsNaN(got) || !math.IsNaN(r) && math.Abs(got-r) > 2e-5+1e-4*math.Abs(r) {
								t.Fatalf("%s threads=%d: o[%d] = %v, want %v", name, threads, i, got, r)
							}
						}
					}
				}
			}
		}
	})
}

// w8Variants: the assembly kernels of this architecture and Go twins for
// each panel layout.
func w8Variants() []variant[w8K] {
	twin := func(nb int, layout w8Layout, align int) *w8K {
		k := &w8K{path: Generic, nb: nb, mr: w8Rows, layout: layout, align: align}
		for r := 1; r <= w8Rows; r++ {
			k.tile[r] = w8TileGo(r, nb, layout)
		}
		return k
	}
	return variantsOf([]variant[w8K]{{"go/u8s8x64", true, twin(64, w8U8S8, 1)}, {"go/u8s8x16", true, twin(16, w8U8S8, 1)},
		{"go/s16x16", true, twin(16, w8S16, 1)}, {"go/s8x16", true, twin(16, w8S8, 4)}},
		func(l *level) *w8K { return l.w8 }, func(k *w8K) string { return k.path })
}

func randI8(rng *rand.Rand, n int) []int8 {
	s := make([]int8, n)
	for i := range s {
		s[i] = int8(rng.IntN(255) - 127)
	}
	return s
}

// TestW8Tiles calls every tile (1..6 rows) of every variant on one packed
// panel for K around the step sizes, with guard columns and rows.
func TestW8Tiles(t *testing.T) {
	forEach(t, w8Variants(), func(t *testing.T, k *w8K) {
		rng := rand.New(rand.NewPCG(9, 10))
		nb := k.nb
		for K := 1; K <= 70; K += 1 + K/10 {
			wq := randI8(rng, nb*K)
			if K == 3 {
				for i := range wq {
					wq[i] = 127 // extremes: saturating forms would fail
				}
			}
			w, cs := k.packW(wq, nb, K)
			ksteps := k.steps(K)
			for rows := 1; rows <= k.mr; rows++ {
				xq := randI8(rng, rows*K)
				if K == 3 {
					for i := range xq {
						xq[i] = -127
					}
				}
				ldx := ksteps*4 + 8
				xb := make([]byte, rows*ldx)
				for i := range rows {
					k.packX(xb[i*ldx:i*ldx+ksteps*4], xq[i*K:(i+1)*K])
				}
				sx, sw, bias := randSlice(rng, rows), randSlice(rng, nb), randSlice(rng, nb)
				ldy := nb + 3
				y, checkY := guarded(rows*ldy, 16)
				acc := make([]int32, rows*ldy+16)
				for i := range y {
					y[i] = guardVal
				}
				for i := range acc {
					acc[i] = -7
				}
				pf := w // the loops with and without the prefetch
				if K%2 == 0 {
					pf = nil
				}
				k.tile[rows](xb, ldx, w, ksteps, cs, sw, sx, bias, y, ldy, acc, ldy, pf)
				checkY(t, "y")
				for i := range rows {
					for c := range ldy {
						if c >= nb {
							if y[i*ldy+c] != guardVal || acc[i*ldy+c] != -7 {
								t.Fatalf("K=%d rows=%d: wrote column %d past the panel", K, rows, c)
							}
							continue
						}
						var ref int64
						for kk := range K {
							ref += int64(xq[i*K+kk]) * int64(wq[c*K+kk])
						}
						if int64(acc[i*ldy+c]) != ref {
							t.Fatalf("K=%d rows=%d: acc[%d][%d] = %d, want %d", K, rows, i, c, acc[i*ldy+c], ref)
						}
						yr := float64(float32(ref))*float64(sx[i]*sw[c]) + float64(bias[c])
						mag := math.Abs(float64(ref)*float64(sx[i]*sw[c])) + math.Abs(float64(bias[c]))
						if !near(y[i*ldy+c], yr, mag, 1e-6) {
							t.Fatalf("K=%d rows=%d: y[%d][%d] = %v, want %v", K, rows, i, c, y[i*ldy+c], yr)
						}
					}
				}
				for i := rows * ldy; i < len(acc); i++ {
					if acc[i] != -7 {
						t.Fatalf("K=%d rows=%d: wrote acc past its rows", K, rows)
					}
				}
				// acc nil: y only.
				k.tile[rows](xb, ldx, w, ksteps, cs, sw, sx, bias, y, ldy, nil, 0, pf)
			}
		}
	})
}

// TestW8PackX checks the VNNI row format (Xq+128 as u8, 128 padding) of
// every variant's packX for lengths around the vector widths, with guard
// bytes after the row.
func TestW8PackX(t *testing.T) {
	forEach(t, w8Variants(), func(t *testing.T, k *w8K) {
		if k.layout != w8U8S8 {
			t.Skip("not the VNNI layout")
		}
		rng := rand.New(rand.NewPCG(13, 14))
		for n := 1; n <= 300; n += 1 + n/16 {
			q := randI8(rng, n)
			q[0], q[n-1] = -127, 127
			ld := k.steps(n) * 4
			dst := make([]byte, ld+7)
			for i := range dst {
				dst[i] = 0x5a
			}
			k.packX(dst[:ld], q)
			for i, b := range dst {
				want := byte(0x5a)
				switch {
				case i < n:
					want = byte(int(q[i]) + 128)
				case i < ld:
					want = 128
				}
				if b != want {
					t.Fatalf("n=%d: byte %d = %d, want %d", n, i, b, want)
				}
			}
		}
	})
}

// TestW8Blocks checks the driver's row split: contiguous blocks cover
// [0, M), none taller than mr, and none shorter than mr-1 once M allows
// it (no short tail tile).
func TestW8Blocks(t *testing.T) {
	for _, mr := range []int{4, 6} {
		for M := 1; M <= 200; M++ {
			nblk := (M + mr - 1) / mr
			next := 0
			for b := range nblk {
				m0, r := w8Block(b, M, nblk)
				if m0 != next || r < 1 || r > mr || (M >= mr*(mr-1) && r < mr-1) {
					t.Fatalf("mr=%d M=%d: block %d = rows [%d, %d), want a start at %d, 1..%d rows (at least %d)", mr, M, b, m0, m0+r, next, mr, mr-1)
				}
				next = m0 + r
			}
			if next != M {
				t.Fatalf("mr=%d M=%d: blocks end at %d", mr, M, next)
			}
		}
	}
}

// TestW8PFOffset checks which row blocks prefetch the next panel: each
// line of it once when there are blocks enough, and none in the last
// w8PFLag blocks when there are more.
func TestW8PFOffset(t *testing.T) {
	for _, nb := range []int{16, 64} {
		for _, ksteps := range []int{1, 7, 1024} {
			panelBytes := ksteps * nb * 4
			slots := panelBytes / (ksteps * 64)
			for nblk := 1; nblk <= 40; nblk++ {
				seen := make([]int, panelBytes/64)
				for b := range nblk {
					off := w8PFOffset(b, nblk, ksteps, panelBytes)
					if off < 0 {
						continue
					}
					if (nblk >= slots+w8PFLag && b >= nblk-w8PFLag) || off%64 != 0 || off+ksteps*64 > panelBytes {
						t.Fatalf("nb=%d ksteps=%d nblk=%d: block %d prefetches at %d", nb, ksteps, nblk, b, off)
					}
					for l := off / 64; l < off/64+ksteps; l++ {
						seen[l]++
					}
				}
				for l, c := range seen {
					if c > 1 || (c == 0 && nblk >= slots) {
						t.Fatalf("nb=%d ksteps=%d nblk=%d: line %d prefetched %d times", nb, ksteps, nblk, l, c)
					}
				}
			}
		}
	}
}

// TestW8Driver runs the whole GEMM (partial panels, partial row blocks,
// fused and not) on each variant against int64 accumulators.
func TestW8Driver(t *testing.T) {
	shapes := []struct{ M, N, K int }{{1, 1, 1}, {1, 70, 33}, {7, 17, 5}, {6, 64, 64}, {13, 130, 257}, {2, 16, 4099}, {20, 80, 36}, {50, 130, 40}}
	forEach(t, w8Variants(), func(t *testing.T, k *w8K) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, sh := range shapes {
			for _, fused := range []bool{false, true} {
				M, N, K := sh.M, sh.N, sh.K
				wq, sw, bias := randI8(rng, N*K), randSlice(rng, N), randSlice(rng, N)
				x := randSlice(rng, M*K)
				xq, sx := make([]int8, M*K), make([]float32, M)
				for m := range M {
					sx[m] = quantRowI8(x[m*K:(m+1)*K], xq[m*K:(m+1)*K])
				}
				y, acc := make([]float32, M*N), make([]int32, M*N)
				op := kernel.GemmW8A8{M: M, N: N, K: K, Fused: fused, Wq: &kernel.Host{I8: wq}, Sw: &kernel.Host{F32: sw},
					Bias: &kernel.Host{F32: bias}, Y: &kernel.Host{F32: y}, Acc: &kernel.Host{I32: acc}}
				if fused {
					op.X = &kernel.Host{F32: x}
				} else {
					op.Xq, op.Sx = &kernel.Host{I8: xq}, &kernel.Host{F32: sx}
				}
				for _, threads := range []int{1, 3} {
					if err := newGemmW8A8(&Backend{threads: threads}, k, &op).Run(); err != nil {
						t.Fatal(err)
					}
					for m := range M {
						for n := range N {
							var ref int64
							for kk := range K {
								ref += int64(xq[m*K+kk]) * int64(wq[n*K+kk])
							}
							if int64(acc[m*N+n]) != ref {
								t.Fatalf("M=%d N=%d K=%d fused=%v: acc[%d][%d] = %d, want %d", M, N, K, fused, m, n, acc[m*N+n], ref)
							}
							yr := float64(float32(ref))*float64(sx[m]*sw[n]) + float64(bias[n])
							if !near(y[m*N+n], yr, math.Abs(yr)+1, 1e-6) {
								t.Fatalf("M=%d N=%d K=%d: y[%d][%d] = %v, want %v", M, N, K, m, n, y[m*N+n], yr)
							}
						}
					}
				}
			}
		}
	})
}

func w4Variants() []variant[w4K] {
	twin := &w4K{path: Generic, mr: 4}
	for r := 1; r <= twin.mr; r++ {
		twin.rows[r] = w4RowsGo(r)
	}
	twin.gemv4, twin.gemv1 = w4GemvGo, w4GemvGo
	// The table tiles' twin, so the driver's table path runs on every machine.
	tab := &w4K{path: Generic, mr: w4Rows, tables: w4TablesGo}
	for r := 1; r <= tab.mr; r++ {
		tab.tabRows[r] = w4TabGo(r)
	}
	return variantsOf([]variant[w4K]{{"generic", true, twin}, {"generic/tables", true, tab}},
		func(l *level) *w4K { return l.w4 }, func(k *w4K) string { return k.path })
}

// TestW4 runs the 4-bit GEMM driver (every kernel row count, partial
// chunks and group tails, per-channel groups) on each variant against a
// float64 computation from the codes, with guard columns after Y.
func TestW4(t *testing.T) {
	shapes := []struct{ M, N, K, G int }{{1, 1, 2, 2}, {1, 3, 64, 32}, {2, 5, 6, 6}, {3, 7, 100, 100}, {4, 70, 256, 64},
		{5, 9, 192, 64}, {7, 130, 512, 128}, {1, 17, 4096, 128}, {9, 3, 34, 34}, {1, 65, 1024, 32},
		{2, 5, 58, 58}, {3, 4, 30, 30}} // the last two: group tails of 13 and 15 bytes
	forEach(t, w4Variants(), func(t *testing.T, k *w4K) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, sh := range shapes {
			M, N, K, G := sh.M, sh.N, sh.K, sh.G
			ng := K / G
			x := randSlice(rng, M*K)
			qp := pageEndBytes(t, N*K/2) // a read past the codes faults
			for i := range qp {
				qp[i] = uint8(rng.IntN(256))
			}
			s, z, bias := randSlice(rng, N*ng), make([]uint8, N*ng), randSlice(rng, N)
			for i := range z {
				z[i] = uint8(rng.IntN(16))
			}
			yb, check := guarded(M*N, 16)
			op := kernel.GemmW4G{M: M, N: N, K: K, Group: G, X: &kernel.Host{F32: x}, Qp: &kernel.Host{U8: qp},
				S: &kernel.Host{F32: s}, Z: &kernel.Host{U8: z}, Bias: &kernel.Host{F32: bias}, Y: &kernel.Host{F32: yb}}
			for _, threads := range []int{1, 3} {
				newGemmW4G(&Backend{threads: threads}, k, &op).Run()
				check(t, fmt.Sprintf("M=%d N=%d K=%d G=%d", M, N, K, G))
				for m := range M {
					for n := range N {
						ref, mag := float64(bias[n]), math.Abs(float64(bias[n]))
						for kk := range K {
							c := qp[(n*K+kk)/2]
							code := c & 15
							if kk%2 == 1 {
								code = c >> 4
							}
							g := n*ng + kk/G
							wv := float64(s[g]) * (float64(code) - float64(z[g]))
							ref += float64(x[m*K+kk]) * wv
							mag += math.Abs(float64(x[m*K+kk]) * wv)
						}
						if got := yb[m*N+n]; math.Abs(float64(got)-ref) > 1e-5*mag+1e-7 {
							t.Fatalf("M=%d N=%d K=%d G=%d: y[%d][%d] = %v, want %v", M, N, K, G, m, n, got, ref)
						}
					}
				}
			}
		}
	})
}

// TestSoftPass: the vector Soft-NMS round against its Go twin at every
// length (two full unrolls and every tail) and misalignment: identical
// decisions and scores for linear and hard (the same float64 operations),
// scores within 1e-14 for gaussian (the vector exp), also with a small
// sigma (exp of arguments down to -10^4: underflow) and no threshold.
// Inputs at misalignment 0 end at an inaccessible page; the scores, the
// one array written, carry guards otherwise.
func TestSoftPass(t *testing.T) {
	variants := softPassVariants()
	// f64 returns n float64s at misalignment off (elements): at off 0 they
	// end at an inaccessible page; otherwise guard values follow.
	const guard = -1.25e300
	f64 := func(n, off int) []float64 {
		if off == 0 {
			return pageEnd64(t, n)
		}
		buf := make([]float64, off+n+5)
		for i := range buf {
			buf[i] = guard
		}
		return buf[off : off+n]
	}
	params := [][]float64{{10, 10, 30, 25, 300, 0.3, 0.5, 0.2}, {10, 10, 30, 25, 300, 0.3, 1e-4, 0}, {3, 7, 15, 30, 276, 0.6, 0.02, math.Inf(-1)}}
	lengths := append(slices.Clip(testLengths[:201]), 511, 1000)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if !v.ok {
				t.Skipf("%s: not supported by this CPU", v.name)
			}
			rng := rand.New(rand.NewPCG(17, 18))
			for _, n := range lengths {
				for off := range 4 {
					for method := 0; method <= 2; method++ {
						p := params[(n+off+method)%len(params)]
						var c [2][6][]float64
						for a := range 6 {
							c[0][a], c[1][a] = f64(n, off), make([]float64, n)
						}
						for j := range n {
							x, y := float64(rng.IntN(40)), float64(rng.IntN(40))
							vals := []float64{x, y, x + float64(rng.IntN(20)), y + float64(rng.IntN(20)), 0, rng.Float64()}
							vals[4] = (vals[2] - vals[0]) * (vals[3] - vals[1])
							if j%13 == 5 {
								vals[5] = math.NaN() // dead
							}
							for k := range 2 {
								for a := range 6 {
									c[k][a][j] = vals[a]
								}
							}
						}
						var b0, b1 [16]float64
						k0 := (*v.k)(c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5], p, method, b0[:])
						k1 := softPassGo(c[1][0], c[1][1], c[1][2], c[1][3], c[1][4], c[1][5], p, method, b1[:])
						what := fmt.Sprintf("n=%d off=%d method=%d sigma=%g", n, off, method, p[6])
						if k0 != k1 {
							t.Fatalf("%s: killed %d, want %d", what, k0, k1)
						}
						same := func(g, w float64) bool {
							if math.IsNaN(g) || math.IsNaN(w) {
								return math.IsNaN(g) == math.IsNaN(w)
							}
							return g == w || method == 2 && math.Abs(g-w) <= 1e-14*math.Abs(w)+0x1p-1022
						}
						for j := range n {
							if g, w := c[0][5][j], c[1][5][j]; !same(g, w) {
								t.Fatalf("%s: score[%d] = %v, want %v", what, j, g, w)
							}
						}
						if off > 0 {
							for i, g := range c[0][5][:cap(c[0][5])][n:] {
								if g != guard {
									t.Fatalf("%s: wrote past the scores at +%d", what, i)
								}
							}
						}
						for l := range 8 {
							if !same(b0[l], b1[l]) || b0[8+l] != b1[8+l] {
								t.Fatalf("%s: best lane %d = %v at %v, want %v at %v", what, l, b0[l], b0[8+l], b1[l], b1[8+l])
							}
						}
					}
				}
			}
		})
	}
}

// TestQuantizer: the vector parts of the fused quantizer against their Go
// twins at every length and misalignment, with guard bytes after q and
// NaN/Inf detection.
func TestQuantizer(t *testing.T) {
	vs := slices.DeleteFunc(w8Variants(), func(v variant[w8K]) bool { return v.k.absMaxBits == nil })
	forEach(t, vs, func(t *testing.T, k *w8K) {
		rng := rand.New(rand.NewPCG(19, 20))
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				x := input(t, n, off, func() float32 { return float32(rng.NormFloat64() * 3) })
				if got, want := k.absMaxBits(x), absMaxBitsGo(x); got != want {
					t.Fatalf("absMaxBits n=%d off=%d: %#x, want %#x", n, off, got, want)
				}
				buf := make([]int8, off+n+16)
				for i := range buf {
					buf[i] = 99
				}
				q, want := buf[off:off+n], make([]int8, n)
				k.quant(q, x, 31.75)
				quantI8Go(want, x, 31.75)
				for i := range buf {
					if (i < off || i >= off+n) && buf[i] != 99 {
						t.Fatalf("quant n=%d off=%d: wrote outside q at %d", n, off, i)
					}
				}
				for i := range q {
					if q[i] != want[i] {
						t.Fatalf("quant n=%d off=%d: q[%d] = %d, want %d (x %v)", n, off, i, q[i], want[i], x[i])
					}
				}
				if n > 0 {
					x[rng.IntN(n)] = float32(math.NaN())
					if k.absMaxBits(x) < 0x7F800000 {
						t.Fatalf("absMaxBits n=%d: a NaN went unseen", n)
					}
				}
			}
		}
	})
}

// TestSoftPassExp measures the gaussian weight of every vector Soft-NMS
// round against math.Exp over its whole range: one candidate at IoU 0.5
// with sigma set so that -(ov*ov)/sigma sweeps [-745, 0]. The bound is
// TestSoftPass's 1e-14 rounded down to a power of two (AVX-512's series
// stops at r^11: about 2^-46.7; NEON's at r^12: about 2^-51.5).
func TestSoftPassExp(t *testing.T) {
	seen := map[string]bool{}
	for _, l := range levels() {
		if l.softPass == nil || !l.ok || seen[l.f.path] {
			continue
		}
		seen[l.f.path] = true
		worst, at := 0.0, 0.0
		x1, y1, x2, y2, ar := []float64{0}, []float64{0}, []float64{10}, []float64{5}, []float64{50}
		var best [16]float64
		for i := 1; i <= 1<<14; i++ {
			e := -745 * float64(i) / (1 << 14)
			p := []float64{0, 0, 10, 10, 100, 0.3, 0.25 / -e, math.Inf(-1)}
			s := []float64{1}
			l.softPass(x1, y1, x2, y2, ar, s, p, int(kernel.SoftNMSGaussian), best[:])
			want := math.Exp(-(0.5 * 0.5) / p[6])
			err := math.Abs(s[0] - want)
			if want >= 0x1p-1022 {
				err /= want
			} else {
				err /= 0x1p-1022 // subnormal results: in units of the smallest normal
			}
			if err > worst {
				worst, at = err, e
			}
		}
		t.Logf("%s: max relative error of the gaussian weight on [-745, 0]: %.3g (2^%.1f) at %g", l.f.path, worst, math.Log2(worst), at)
		if worst > 0x1p-46 {
			t.Errorf("%s: gaussian weight error %.3g exceeds 2^-46", l.f.path, worst)
		}
	}
}
