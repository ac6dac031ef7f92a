package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/nbench/nbench/harness/conformance"
	"github.com/nbench/nbench/harness/machine"
	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/all"
)

// alignedF32 returns n float32s whose first element is align-byte aligned.
func alignedF32(n, align int) []float32 {
	buf := make([]float32, n+align/4)
	h := ntHead(buf, align)
	return buf[h : h+n]
}

// ntVariants are the supported levels' vecs that have streaming forms.
func ntVariants(t *testing.T, f func(t *testing.T, v *vec, k *ntK)) {
	ran := false
	forVariants(t, func(t *testing.T, v *vec) {
		if k := ntOf(v); k != nil {
			ran = true
			f(t, v, k)
		}
	})
	if !ran {
		t.Skip("no streaming forms on this architecture/level")
	}
}

// sameBits fails unless got and want hold the same bits.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: y[%d] = %v, want %v (the plain form or composition)", what, i, got[i], want[i])
		}
	}
}

// TestStreamingForms: each streaming form writes the same bits as its
// plain form (which the other tests check against float64), only inside
// y (guards around an aligned y), for every length 0..300 and long ones,
// inputs misaligned by 0..3 (0 ends at a guard page); the row forms for
// rows 0..3 of every multiple of the lanes up to 320 and long rows. And
// the head/rest split of a misaligned y gives the plain result.
func TestStreamingForms(t *testing.T) {
	ntVariants(t, func(t *testing.T, v *vec, k *ntK) {
		rng := rand.New(rand.NewPCG(5, 6))
		gen := func() float32 { return float32(rng.NormFloat64() * 2) }
		// y aligned, with guards before and after.
		out := func(n int) (y []float32, check func(string)) {
			pad := k.align / 4
			buf := alignedF32(n+2*pad, k.align)
			for i := range buf {
				buf[i] = guardVal
			}
			y = buf[pad : pad+n]
			return y, func(what string) {
				t.Helper()
				for i, e := range buf {
					if (i < pad || i >= pad+n) && e != guardVal {
						t.Fatalf("%s: wrote outside y at buffer index %d", what, i)
					}
				}
			}
		}
		for _, n := range testLengths {
			for off := range 4 {
				x, g, b := input(t, n, off, gen), input(t, n, (off+1)%4, gen), input(t, n, (off+2)%4, gen)
				for _, r := range []struct {
					name      string
					plain, nt func(y []float32)
				}{
					{"normAffine", func(y []float32) { v.normAffine(y, x, g, b, 0.25, 1.7) },
						func(y []float32) { k.normAffine(y, x, g, b, 0.25, 1.7) }},
					{"scaleMul", func(y []float32) { v.scaleMul(y, x, g, 1.7) }, func(y []float32) { k.scaleMul(y, x, g, 1.7) }},
					{"centerAffine", func(y []float32) { v.centerAffine(y, x, g, b, x) },
						func(y []float32) { k.centerAffine(y, x, g, b, x) }},
					{"evoB0", func(y []float32) { v.evoB0(y, x, g, b, g, x, b) }, func(y []float32) { k.evoB0(y, x, g, b, g, x, b, 4*n) }},
					{"evoS0", func(y []float32) { v.evoS0(y, x, g, b, x) }, func(y []float32) { k.evoS0(y, x, g, b, x, 4*n) }},
					{"blendAffine", func(y []float32) { v.blendAffine(y, x, g, b, x, g, 0.25, 1.7) },
						func(y []float32) { k.blendAffine(y, x, g, b, x, g, 0.25, 1.7) }},
				} {
					what := fmt.Sprintf("%s n=%d off=%d", r.name, n, off)
					want := make([]float32, n)
					r.plain(want)
					y, check := out(n)
					r.nt(y)
					check(what)
					sameBits(t, what, y, want)
				}
				// A misaligned y: plain head, streaming rest.
				if n > 0 {
					buf := alignedF32(n+off+1, k.align)
					y := buf[off+1 : off+1+n]
					h := k.head(y)
					if h == 0 || h > k.align/4 {
						t.Fatalf("head of a y misaligned by %d elements = %d", off+1, h)
					}
					v.scaleMul(y[:h], x[:h], g[:h], 1.7)
					k.scaleMul(y[h:], x[h:], g[h:], 1.7)
					want := make([]float32, n)
					v.scaleMul(want, x, g, 1.7)
					sameBits(t, fmt.Sprintf("scaleMul split n=%d off=%d", n, off), y, want)
				}
			}
		}
		lanes := k.align / 4
		var cs []int
		for c := lanes; c <= 320; c += lanes {
			cs = append(cs, c)
		}
		cs = append(cs, 1024, 4096, 8192)
		ln, rms := fusedLayerNorm(v), fusedRMSNorm(v)
		for _, c := range cs {
			for rows := range 4 {
				n := rows * c
				x := input(t, n, 1, func() float32 { return float32(3 + rng.NormFloat64()) })
				g, b := input(t, c, 2, gen), input(t, c, 3, gen)
				inv := 1 / float32(c)
				what := fmt.Sprintf("c=%d rows=%d", c, rows)
				want := make([]float32, n)
				y, check := out(n)
				ln(want, x, g, b, rows, c, inv, 1e-5, 0.75)
				k.layerNormRows(y, x, g, b, rows, c, inv, 1e-5, 0.75)
				check("layerNormRows " + what)
				sameBits(t, "layerNormRows "+what, y, want)
				if u := unitGRowsOf(v); u != nil {
					ones := filled(c, 1)
					ln(want, x, ones, b, rows, c, inv, 1e-5, 0.75)
					u.lnNT(y, x, nil, b, rows, c, inv, 1e-5, 0.75)
					check("layerNormRowsUnitG " + what)
					sameBits(t, "layerNormRowsUnitG "+what, y, want)
					rms(want, x, ones, rows, c, inv, 1e-5, 0.75)
					u.rmsNT(y, x, nil, rows, c, inv, 1e-5, 0.75)
					check("rmsNormRowsUnitG " + what)
					sameBits(t, "rmsNormRowsUnitG "+what, y, want)
				}
				rms(want, x, g, rows, c, inv, 1e-5, 0.75)
				k.rmsNormRows(y, x, g, rows, c, inv, 1e-5, 0.75)
				check("rmsNormRows " + what)
				sameBits(t, "rmsNormRows "+what, y, want)
			}
		}
	})
}

// TestStreamingKernels runs the kernels that stream their output through
// the suites' checks with every output treated as larger than the cache
// (llcBytes 0), at one thread and three (chunks start misaligned), so the
// streaming paths and their plain heads run on the quick shapes.
func TestStreamingKernels(t *testing.T) {
	saved := llcBytes
	llcBytes = func() int { return 0 }
	t.Cleanup(func() { llcBytes = saved })
	if streaming(vecGeneric, 1) != nil {
		t.Fatal("the generic level has no streaming forms")
	}
	ids := []string{"layernorm", "nonscaling_layernorm", "layernorm_scaling", "rmsnorm", "single_scale_rmsnorm",
		"crmsnorm", "batchnorm_infer", "repbn_infer", "unified_norm_infer", "powernorm_infer",
		"batchnorm_train", "prepbn_train", "powernorm_train", "unified_norm_train", "evonorm_b0", "evonorm_s0"}
	emulated := os.Getenv("NBENCH_VECTOR_ONLY") != "" // as simd_test's emulated()
	for _, l := range levels() {
		if !l.ok || ntOf(l.f) == nil {
			continue
		}
		for _, threads := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/threads=%d", l.name, threads), func(t *testing.T) {
				b, err := New(kernel.Config{Threads: threads, ISA: l.name})
				if err != nil {
					t.Fatal(err)
				}
				conformance.Run(t, "simd", b, conformance.Options{Kernels: ids, SkipMutation: emulated, SkipLong: emulated})
			})
		}
	}
}

// TestGroupNormRows: the fused PowerNorm inference rows (plain and
// streaming) give the bits of the primitive composition (sumSq, rsqrt32,
// normAffine) for groups of 1..5 vectors and 64/128 elements, 1..4 groups
// per row and rows 0..3, inputs misaligned by 0..3 (0 ends at a guard
// page), and write only y.
func TestGroupNormRows(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		f, lanes := groupRowsOf(v)
		k := ntOf(v)
		if f == nil || k == nil {
			t.Skipf("%s: no fused group rows", v.path)
		}
		rng := rand.New(rand.NewPCG(7, 8))
		var cgs []int
		for m := 1; m <= 5; m++ {
			cgs = append(cgs, m*lanes)
		}
		cgs = append(cgs, 64, 128, 256, 272) // AVX-512 batches 16 groups of up to 256
		for _, cg := range cgs {
			for groups := 1; groups <= 4; groups++ {
				c := cg * groups
				for _, rows := range []int{0, 1, 2, 3, 9, 17} {
					off := (cg + groups + rows) % 4
					n := rows * c
					x := input(t, n, off, func() float32 { return float32(rng.NormFloat64() * 3) })
					a, b := input(t, c, (off+1)%4, func() float32 { return float32(rng.NormFloat64()) }),
						input(t, c, (off+2)%4, func() float32 { return float32(rng.NormFloat64()) })
					inv := 1 / float32(cg)
					want := make([]float32, n)
					for r := range rows {
						for j := 0; j < c; j += cg {
							e := r*c + j
							s := rsqrt32(v.sumSq(x[e:e+cg])*inv + 1e-5)
							v.normAffine(want[e:e+cg], x[e:e+cg], a[j:j+cg], b[j:j+cg], 0, s)
						}
					}
					what := fmt.Sprintf("cg=%d groups=%d rows=%d off=%d", cg, groups, rows, off)
					for _, form := range []struct {
						name string
						f    groupNormRowsFn
					}{{"plain", f}, {"nt", k.groupNormRows}} {
						pad := k.align / 4
						buf := alignedF32(n+2*pad, k.align)
						for i := range buf {
							buf[i] = guardVal
						}
						y := buf[pad : pad+n]
						form.f(y, x, a, b, rows, c, cg, inv)
						sfence()
						for i, e := range buf {
							if (i < pad || i >= pad+n) && e != guardVal {
								t.Fatalf("%s %s: wrote outside y at buffer index %d", form.name, what, i)
							}
						}
						sameBits(t, form.name+" "+what, y, want)
					}
				}
			}
		}
	})
}

// TestGroupSqRows: powernorm_train's statistics rows against the
// composition they replace (groupNormRows(x, 1, 0) into a row, then
// colSqDev with a zero shift), bit for bit, rows read up to a page end.
func TestGroupSqRows(t *testing.T) {
	forVariants(t, func(t *testing.T, v *vec) {
		f, lanes := groupRowsOf(v)
		sq := groupSqRowsOf(v)
		if f == nil || sq == nil {
			t.Skipf("%s: no fused group rows", v.path)
		}
		rng := rand.New(rand.NewPCG(9, 10))
		for _, cg := range []int{lanes, 2 * lanes, 3 * lanes, 5 * lanes, 64, 256, 272, 768} {
			for groups := 1; groups <= 3; groups++ {
				c := cg * groups
				for _, rows := range []int{0, 1, 2, 5, 16, 35} {
					off := (cg + groups + rows) % 4
					x := input(t, rows*c, off, func() float32 { return float32(rng.NormFloat64() * 3) })
					ones, zeros, row := filled(c, 1), make([]float32, c), make([]float32, c)
					inv := 1 / float32(cg)
					want, got := make([]float32, c+1), make([]float32, c+1)
					for j := range c {
						want[j] = float32(j) * 0.25 // partials already there
						got[j] = want[j]
					}
					want[c], got[c] = guardVal, guardVal
					for r := range rows {
						f(row, x[r*c:(r+1)*c], ones, zeros, 1, c, cg, inv)
						v.colSqDev(want[:c], row, zeros, c, 1)
					}
					sq(got[:c], x, rows, c, cg, inv)
					sameBits(t, fmt.Sprintf("%s cg=%d groups=%d rows=%d", v.path, cg, groups, rows), got, want)
				}
			}
		}
	})
}

// TestLLCBytes: the cache an output may stay in is the machine's last
// level, but never more than machine.LLCPerCPU per logical CPU (a VM's view of its
// host's L3 is not its own).
func TestLLCBytes(t *testing.T) {
	d := machine.Describe()
	llc := d.Caches.LastLevel()
	if llc <= 0 {
		t.Skip("no cache sizes here")
	}
	want := min(llc, machine.LLCPerCPU*int64(max(d.LogicalCPUs, 1)))
	if got := int64(llcBytes()); got != want {
		t.Fatalf("llcBytes() = %d, want %d (LLC %d, %d CPUs)", got, want, llc, d.LogicalCPUs)
	}
}
