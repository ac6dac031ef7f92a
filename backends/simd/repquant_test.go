package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
)

// TestRepQuantLNLinear checks repquant_ln_linear at each level: the codes
// bit for bit against the pure-Go kernel's, Y against float64 x^' W'^T +
// bias from those codes (gemm_f32's bound, 1e-5 of Σ|x^' w| + |bias|).
func TestRepQuantLNLinear(t *testing.T) {
	shapes := []struct{ M, C, N int }{{1, 1, 1}, {1, 5, 3}, {7, 33, 50}, {13, 100, 97}, {9, 600, 49}, {197, 768, 130}}
	for _, lv := range supported() {
		if gf32Of(lv) == nil {
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
				_, qPure := run(func(b *Backend, op kernel.Op) (kernel.Bound, error) { return b.pure.Prepare(op) }, 1)
				for _, threads := range []int{1, 3} {
					y, q := run(prepareRepQuantLNLinear, threads)
					for i := range q {
						if q[i] != qPure[i] {
							t.Fatalf("M=%d C=%d N=%d threads=%d: q[%d] = %d, pure-Go kernel %d", M, C, N, threads, i, q[i], qPure[i])
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
							if got := y[m*N+n]; !near(got, ref, mag, 1e-5) {
								t.Fatalf("M=%d C=%d N=%d threads=%d: y[%d][%d] = %v, want %v", M, C, N, threads, m, n, got, ref)
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
