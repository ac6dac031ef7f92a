package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// pageEndBytes is pageEnd for bytes: n bytes ending where an inaccessible
// page begins (on Linux), so a read past the slice faults.
func pageEndBytes(t testing.TB, n int) []byte {
	f := pageEnd(t, (n+3)/4+1)
	all := unsafe.Slice((*byte)(unsafe.Pointer(&f[0])), 4*len(f))
	return all[len(all)-n:]
}

// pageEnd64 is pageEnd for float64.
func pageEnd64(t testing.TB, n int) []float64 {
	f := pageEnd(t, 2*n+2)
	all := unsafe.Slice((*float64)(unsafe.Pointer(&f[0])), n+1)
	return all[1:]
}

// softPassVariants lists the Soft-NMS passes of the levels, by path.
func softPassVariants() []variant[softPassFn] {
	var out []variant[softPassFn]
	seen := map[string]int{}
	for _, l := range levels() {
		if l.softPass == nil {
			continue
		}
		if i, dup := seen[l.f.path]; dup {
			out[i].ok = out[i].ok || l.ok
			continue
		}
		seen[l.f.path] = len(out)
		f := l.softPass
		out = append(out, variant[softPassFn]{l.f.path, l.ok, &f})
	}
	return out
}

// TestSoftPassEdges: every vector Soft-NMS pass on candidate arrays ending
// at an inaccessible page, with infinite scores (hard decay gives 0, as in
// the Go pass), gaussian decays down to subnormal and zero weights, and
// sigma -> 0 (exp(-Inf)). Linear and hard match the Go pass exactly; the
// gaussian scores match math.Exp within 1e-14 relative (plus the subnormal
// spacing), and the vector passes agree with each other bit for bit.
func TestSoftPassEdges(t *testing.T) {
	vs := softPassVariants()
	results := map[string][]float64{}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			if !v.ok {
				t.Skipf("%s: not supported by this CPU", v.name)
			}
			f := *v.k
			rng := rand.New(rand.NewPCG(31, 32))
			var all []float64
			for _, n := range []int{1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 99} {
				for _, sigma := range []float64{0.5, 1e-3, 1.0 / 740, 1.0 / 760, 1e-300, 0} {
					for method := 0; method <= 2; method++ {
						if method < 2 && sigma != 0.5 {
							continue
						}
						var c [2][6][]float64
						for a := range 6 {
							c[0][a] = pageEnd64(t, n)
							c[1][a] = make([]float64, n)
						}
						for j := range n {
							x, y := float64(rng.IntN(40)), float64(rng.IntN(40))
							vals := []float64{x, y, x + float64(rng.IntN(20)), y + float64(rng.IntN(20)), 0, rng.Float64()}
							vals[4] = (vals[2] - vals[0]) * (vals[3] - vals[1])
							switch j % 11 {
							case 3:
								vals[5] = math.Inf(1)
							case 7:
								vals[5] = math.NaN()
							case 9:
								vals[0], vals[1], vals[2], vals[3], vals[4] = math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1), 0
							}
							for k := range 2 {
								for a := range 6 {
									c[k][a][j] = vals[a]
								}
							}
						}
						p := []float64{10, 10, 30, 25, 300, 0.3, sigma, 0.2}
						var b0, b1 [16]float64
						k0 := f(c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5], p, method, b0[:])
						k1 := softPassGo(c[1][0], c[1][1], c[1][2], c[1][3], c[1][4], c[1][5], p, method, b1[:])
						what := fmt.Sprintf("n=%d method=%d sigma=%g", n, method, sigma)
						if k0 != k1 {
							t.Fatalf("%s: killed %d, want %d", what, k0, k1)
						}
						for j := range n {
							g, w := c[0][5][j], c[1][5][j]
							if math.IsNaN(g) != math.IsNaN(w) || !math.IsNaN(g) && (method < 2 && g != w ||
								math.Abs(g-w) > 1e-14*math.Abs(w)+0x1p-1073) {
								t.Fatalf("%s: score[%d] = %v, want %v", what, j, g, w)
							}
						}
						if [8]float64(b0[8:]) != [8]float64(b1[8:]) {
							t.Fatalf("%s: best lanes %v, want %v", what, b0[8:], b1[8:])
						}
						all = append(all, c[0][5]...)
					}
				}
			}
			results[v.name] = all
		})
	}
	var first []float64
	for _, v := range vs {
		r, ok := results[v.name]
		if !ok {
			continue
		}
		if first == nil {
			first = r
			continue
		}
		for i := range r {
			if math.Float64bits(r[i]) != math.Float64bits(first[i]) && !(math.IsNaN(r[i]) && math.IsNaN(first[i])) {
				t.Fatalf("%s: score %d = %v, another vector pass gave %v", v.name, i, r[i], first[i])
			}
		}
	}
}
