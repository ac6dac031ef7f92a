package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// prepareRepQuantLNLinearTile is repquant_ln_linear before it ran on
// gemm_f32 (the test's old form): the codes of each block of attnRows rows
// laid out [C][8] for the qk tile (quantK.sgTile), Y = dt * (q - zt) W'^T
// + bias, the bias added in Go.
func prepareRepQuantLNLinearTile(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantLNLinear)
	qk := b.lv.q
	if qk == nil || qk.sgTile == nil {
		return b.pure.Prepare(op)
	}
	nb := qk.sgCols
	M, C, N := op.M, op.C, op.N
	v := b.lv.f
	x, gm, bt, q := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.U8s(op.Q)
	y := kernel.F32s(op.Y)
	panels, blocks := (N+nb-1)/nb, (M+attnRows-1)/attnRows
	w := kernel.F32s(op.W)
	wp := make([]float32, panels*C*nb)
	for n := range N {
		p, j := n/nb, n%nb
		for c, wv := range w[n*C : (n+1)*C] {
			wp[(p*C+c)*nb+j] = wv
		}
	}
	bias := make([]float32, panels*nb)
	copy(bias, kernel.F32s(op.Bias))
	xq := make([]float32, blocks*C*8) // per block [C][8]: q - zt (rows past M stay 0)
	qmax, zt, dt := int32(1)<<op.Bits-1, op.Zt, op.Dt
	inv := 1 / dt
	// t is clamped before rounding to where the code clamps anyway (and
	// into rneInt's range), as in the pure-Go kernel.
	tlo, thi := float32(-zt-1), float32(qmax-zt+1)
	type scratch struct{ t, s []float32 }
	pool := newPool(b.threads, func() *scratch {
		return &scratch{t: make([]float32, C), s: make([]float32, attnRows*nb)}
	})
	cinv := 1 / float32(C)
	lnRows := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for m := lo; m < hi; m++ {
			xr := x[m*C : (m+1)*C]
			mu := v.sum(xr) * cinv
			variance := v.sumSqDev(xr, mu) * cinv
			v.normAffine(sc.t, xr, gm, bt, mu, rsqrt32(variance+op.Eps))
			dst := xq[(m/attnRows)*C*8+m%attnRows:]
			dst = dst[:8*(C-1)+1]
			for c, tv := range sc.t {
				tv = min(max(tv*inv, tlo), thi)
				code := min(max(rneInt(tv)+zt, 0), qmax)
				if q != nil {
					q[m*C+c] = uint8(code)
				}
				dst[8*c] = float32(code - zt)
			}
		}
	}
	gemm := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for p := lo; p < hi; p++ {
			c0 := p * nb
			ncols := min(nb, N-c0)
			kt, bp := wp[p*C*nb:(p+1)*C*nb], bias[c0:c0+nb]
			for blk := range blocks {
				qk.sgTile(sc.s, xq[blk*C*8:(blk+1)*C*8], kt, C, dt)
				for i := range min(attnRows, M-blk*attnRows) {
					m := blk*attnRows + i
					yr, sr := y[m*N+c0:m*N+c0+ncols], sc.s[i*nb:i*nb+ncols]
					for j, s := range sr {
						yr[j] = s + bp[j]
					}
				}
			}
		}
	}
	return bound(qk.path, func() {
		b.rows(M, 12*C, lnRows)
		if N > 0 {
			b.rows(panels, 2*M*C*nb, gemm)
		}
	}), nil
}

// TestRepQuantLNLinear checks repquant_ln_linear at each level against the
// old tile form: the codes bit for bit, Y against float64 x^' W'^T + bias
// from those codes (gemm_f32's bound, 1e-5 of Σ|x^' w| + |bias|), and the
// old Y within twice that.
func TestRepQuantLNLinear(t *testing.T) {
	shapes := []struct{ M, C, N int }{{1, 1, 1}, {1, 5, 3}, {7, 33, 50}, {13, 100, 97}, {9, 600, 49}, {197, 768, 130}}
	for _, lv := range supported() {
		if lv.q == nil || lv.q.sgTile == nil || lv.q.rqCodes == nil || gf32Of(lv) == nil {
			continue
		}
		t.Run(lv.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(21, 22))
			for _, sh := range shapes {
				M, C, N := sh.M, sh.C, sh.N
				x, gm, bt := randSlice(rng, M*C), randSlice(rng, C), randSlice(rng, C)
				for c := range gm {
					x[c] += 3 // a shifted row
					gm[c] += 1.5
				}
				w, bias := randSlice(rng, N*C), randSlice(rng, N)
				run := func(prep func(*Backend, kernel.Op) (kernel.Bound, error), threads int) ([]float32, []uint8) {
					y, q := make([]float32, M*N), make([]uint8, M*C)
					op := kernel.RepQuantLNLinear{M: M, C: C, N: N, Bits: 4, Eps: 1e-6, Dt: 0.37, Zt: 8,
						X: &kernel.Host{F32: x}, Gamma: &kernel.Host{F32: gm}, Beta: &kernel.Host{F32: bt},
						W: &kernel.Host{F32: w}, Bias: &kernel.Host{F32: bias}, Y: &kernel.Host{F32: y}, Q: &kernel.Host{U8: q}}
					bd, err := prep(&Backend{threads: threads, lv: lv, pure: pure.New(kernel.Config{})}, op)
					if err != nil {
						t.Fatal(err)
					}
					if err := bd.Run(); err != nil {
						t.Fatal(err)
					}
					return y, q
				}
				yOld, qOld := run(prepareRepQuantLNLinearTile, 1)
				for _, threads := range []int{1, 3} {
					y, q := run(prepareRepQuantLNLinear, threads)
					for i := range q {
						if q[i] != qOld[i] {
							t.Fatalf("M=%d C=%d N=%d threads=%d: q[%d] = %d, old %d", M, C, N, threads, i, q[i], qOld[i])
						}
					}
					for m := range M {
						for n := range N {
							ref, mag := float64(bias[n]), math.Abs(float64(bias[n]))
							for c := range C {
								p := float64(float32(int32(q[m*C+c])-8)*0.37) * float64(w[n*C+c])
								ref += p
								mag += math.Abs(p)
							}
							if got := y[m*N+n]; !near(got, ref, mag, 1e-5) || !near(got, float64(yOld[m*N+n]), mag, 2e-5) {
								t.Fatalf("M=%d C=%d N=%d threads=%d: y[%d][%d] = %v, want %v (old %v)", M, C, N, threads, m, n, got, ref, yOld[m*N+n])
							}
						}
					}
				}
			}
		})
	}
}

// TestRQCodes checks each path's row quantizer against rqCodesGo bit for
// bit (lengths across the step and the tail; values past both clamps and
// on rounding ties), and that it writes nothing past the row.
func TestRQCodes(t *testing.T) {
	forEach(t, quantVariants(), func(t *testing.T, k *quantK) {
		if k.rqCodes == nil {
			t.Skip("Go")
		}
		rng := rand.New(rand.NewPCG(31, 32))
		for _, bits := range []int{2, 4, 8} {
			qmax := int32(1)<<bits - 1
			zt, dt := qmax/2+1, float32(0.25)
			lo, hi := float32(-zt-1), float32(qmax-zt+1)
			for n := range 50 {
				tv := make([]float32, n)
				for i := range tv {
					switch i % 3 {
					case 0:
						tv[i] = float32(rng.IntN(8*int(qmax)+1)-4*int(qmax)) * dt / 2 // ties and past the clamps
					default:
						tv[i] = float32(rng.NormFloat64()) * float32(qmax) * dt / 2
					}
				}
				want, wantQ := make([]float32, n), make([]byte, n)
				rqCodesGo(wantQ, want, tv, 1/dt, lo, hi, dt, zt, qmax)
				xh, check := guarded(n, 16)
				qb := make([]byte, n+16)
				for i := range qb {
					qb[i] = 0xA5
				}
				k.rqCodes(qb[:n], xh, tv, 1/dt, lo, hi, dt, zt, qmax)
				check(t, "xh")
				for i := range n + 16 {
					switch {
					case i >= n && qb[i] != 0xA5:
						t.Fatalf("bits=%d n=%d: q written past the row at %d", bits, n, i)
					case i < n && (qb[i] != wantQ[i] || math.Float32bits(xh[i]) != math.Float32bits(want[i])):
						t.Fatalf("bits=%d n=%d: [%d] of %v: q %d xh %v, want %d %v", bits, n, i, tv[i], qb[i], xh[i], wantQ[i], want[i])
					}
				}
			}
		}
	})
}
