package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nbench/nbench/kernel"
	_ "github.com/nbench/nbench/suites/attention"
	"github.com/nbench/nbench/suites/suite"
)

// slaVariants: the Go twins and each level's SLA primitives, each run with
// the attention micro-kernels of the same code path (the Go twins for the
// twins).
type slaSet struct {
	sk *slaK
	ak *attnK
	f  *vec
}

func slaVariants() []variant[slaSet] {
	out := []variant[slaSet]{{"generic", true, &slaSet{slaGeneric, attnGeneric, vecGeneric}}}
	seen := map[*slaK]int{}
	for _, l := range levels() {
		if l.sla == nil {
			continue
		}
		if i, dup := seen[l.sla]; dup {
			out[i].ok = out[i].ok || l.ok
			continue
		}
		ak := l.attn
		if ak == nil {
			ak = attnGeneric
		}
		seen[l.sla] = len(out)
		out = append(out, variant[slaSet]{l.sla.path, l.ok, &slaSet{l.sla, ak, l.f}})
	}
	return out
}

// TestSLAPrimitives calls each primitive of each variant directly against
// float64 computations: lengths 0..300 and longer, misalignments, inputs
// ending at an inaccessible page, guards after outputs.
func TestSLAPrimitives(t *testing.T) {
	forEach(t, slaVariants(), func(t *testing.T, set *slaSet) {
		k := set.sk
		rng := rand.New(rand.NewPCG(11, 12))
		gen := func() float32 { return float32(rng.NormFloat64()) }
		// reluDot and axpyTo: one row of every length at each misalignment
		// (inputs ending at a page, output guarded), then several rows with
		// strides past n.
		for _, n := range testLengths {
			for off := 0; off < 4; off++ {
				src := input(t, n, off, gen)
				w := input(t, n, (off+1)%4, gen)
				o := newOutput(t, n, (off+2)%4)
				den := []float32{0.5, guardVal}
				k.reluDot(o.y, 0, src, 0, w, den, 1, n)
				o.guards(t, fmt.Sprintf("reluDot n=%d", n))
				ref, mag := 0.5, 0.5
				for i, x := range src {
					rx := math.Max(float64(x), 0)
					if o.y[i] != float32(rx) {
						t.Fatalf("reluDot n=%d off=%d: dst[%d] = %v, want %v", n, off, i, o.y[i], rx)
					}
					ref += rx * float64(w[i])
					mag += math.Abs(rx * float64(w[i]))
				}
				if !near(den[0], ref, mag, 1e-5) || den[1] != guardVal {
					t.Fatalf("reluDot n=%d off=%d: den = %v, want %v", n, off, den, ref)
				}
				c := input(t, n, (off+3)%4, gen)
				o = newOutput(t, n, (off+1)%4)
				k.axpyTo(o.y, 0, src, 0, c, 0, []float32{0.37}, 1, n)
				o.guards(t, fmt.Sprintf("axpyTo n=%d", n))
				for i := range o.y {
					ref := float64(c[i]) + 0.37*float64(src[i])
					if !near(o.y[i], ref, math.Abs(float64(c[i]))+math.Abs(0.37*float64(src[i])), 1e-6) {
						t.Fatalf("axpyTo n=%d off=%d: y[%d] = %v, want %v", n, off, i, o.y[i], ref)
					}
				}
			}
		}
		for rows := 0; rows <= 7; rows++ {
			for _, n := range []int{1, 7, 16, 33, 64, 70} {
				lds, ldd := n+3, n+1
				src := input(t, max(rows*lds-3, 0), rows%4, gen)
				w, c := input(t, n, 1, gen), input(t, max(rows*lds-3, 0), 2, gen)
				a := input(t, rows, 3, gen)
				dst, check := guarded(max(rows*ldd-1, 0), 8)
				for i := range dst {
					dst[i] = guardVal
				}
				den, checkDen := guarded(rows, 4)
				for i := range den {
					den[i] = float32(i)
				}
				k.reluDot(dst, ldd, src, lds, w, den, rows, n)
				check(t, fmt.Sprintf("reluDot rows=%d n=%d", rows, n))
				checkDen(t, fmt.Sprintf("reluDot den rows=%d n=%d", rows, n))
				for r := range rows {
					ref, mag := float64(r), float64(r)
					for i := range ldd {
						if r*ldd+i >= len(dst) {
							break
						}
						want := guardVal
						if i < n {
							want = max(src[r*lds+i], 0)
							ref += float64(want) * float64(w[i])
							mag += math.Abs(float64(want) * float64(w[i]))
						}
						if dst[r*ldd+i] != want {
							t.Fatalf("reluDot rows=%d n=%d: dst[%d][%d] = %v, want %v", rows, n, r, i, dst[r*ldd+i], want)
						}
					}
					if !near(den[r], ref, mag, 1e-5) {
						t.Fatalf("reluDot rows=%d n=%d: den[%d] = %v, want %v", rows, n, r, den[r], ref)
					}
				}
				y, checkY := guarded(max(rows*ldd-1, 0), 8)
				for i := range y {
					y[i] = guardVal
				}
				k.axpyTo(y, ldd, src, lds, c, lds, a, rows, n)
				checkY(t, fmt.Sprintf("axpyTo rows=%d n=%d", rows, n))
				for r := range rows {
					for i := range ldd {
						if r*ldd+i >= len(y) {
							break
						}
						if i >= n {
							if y[r*ldd+i] != guardVal {
								t.Fatalf("axpyTo rows=%d n=%d: wrote y[%d][%d]", rows, n, r, i)
							}
							continue
						}
						xs, cs := float64(src[r*lds+i]), float64(c[r*lds+i])
						ref := cs + float64(a[r])*xs
						if !near(y[r*ldd+i], ref, math.Abs(cs)+math.Abs(float64(a[r])*xs), 1e-6) {
							t.Fatalf("axpyTo rows=%d n=%d: y[%d][%d] = %v, want %v", rows, n, r, i, y[r*ldd+i], ref)
						}
					}
				}
			}
		}
		// NaN passes through the ReLU.
		nan := []float32{float32(math.NaN()), -1, 2}
		dst, den := make([]float32, 3), make([]float32, 1)
		if k.reluDot(dst, 3, nan, 3, []float32{1, 1, 1}, den, 1, 3); !math.IsNaN(float64(den[0])) || !math.IsNaN(float64(dst[0])) {
			t.Fatalf("reluDot: NaN does not propagate (den %v, dst %v)", den, dst)
		}
		// reluT: every block size around the vector widths, a source row
		// stride past cols, the source ending at a page, guards after dst.
		for rows := 0; rows <= 40; rows++ {
			for _, cols := range []int{1, 3, 7, 8, 9, 16, 17, 64, 65} {
				lds := cols + rows%3
				n := max(rows*lds-(lds-cols), 0) // the last row ends at its last column
				src := input(t, n, rows%4, gen)
				for _, ldd := range []int{8, 64, rows + 1} {
					if ldd < rows {
						continue
					}
					dst, check := guarded(cols*ldd, 16)
					for i := range dst {
						dst[i] = guardVal
					}
					k.reluT(dst, ldd, src, lds, rows, cols)
					check(t, fmt.Sprintf("reluT rows=%d cols=%d ldd=%d", rows, cols, ldd))
					for c := range cols {
						for r := range ldd {
							want := guardVal
							if r < rows {
								want = max(src[r*lds+c], 0)
							}
							if dst[c*ldd+r] != want {
								t.Fatalf("reluT rows=%d cols=%d ldd=%d: dst[%d][%d] = %v, want %v", rows, cols, ldd, c, r, dst[c*ldd+r], want)
							}
						}
					}
				}
			}
		}
		// conv5: ld multiples of 16, n tokens 0..20, with and without bias.
		for _, ld := range []int{16, 32, 48, 64, 80, 144} {
			for n := 0; n <= 20; n++ {
				v := input(t, (n+4)*ld, n%4, gen)
				w := input(t, 5*ld, 1, gen)
				bias := input(t, ld, 2, gen)
				for _, withBias := range []bool{true, false} {
					o, check := guarded(n*ld, 16)
					for i := range o {
						o[i] = float32(i%7) - 3
					}
					o0 := append([]float32(nil), o...)
					b := bias
					if !withBias {
						b = nil
					}
					k.conv5(o, v, w, b, n, ld)
					check(t, fmt.Sprintf("conv5 ld=%d n=%d", ld, n))
					for tt := range n {
						for c := range ld {
							ref, mag := float64(o0[tt*ld+c]), math.Abs(float64(o0[tt*ld+c]))
							if withBias {
								ref, mag = float64(bias[c]), math.Abs(float64(bias[c]))
							}
							for kk := range 5 {
								p := float64(w[kk*ld+c]) * float64(v[(tt+kk)*ld+c])
								ref += p
								mag += math.Abs(p)
							}
							if !near(o[tt*ld+c], ref, mag, 1e-6) {
								t.Fatalf("conv5 ld=%d n=%d bias=%v: o[%d][%d] = %v, want %v", ld, n, withBias, tt, c, o[tt*ld+c], ref)
							}
						}
					}
				}
			}
		}
	})
}

// TestSLADriver runs the driver on each variant for shapes around the tile
// sizes (64 tokens, 6 rows, 64 columns of D, 16 of Dv), 1D (causal or not)
// and 2D, with and without Pk, 1 and 3 threads, checked by the suite.
func TestSLADriver(t *testing.T) {
	shapes := []string{
		"sla1d/B=1,H=1,L=1,D=1", "sla1d/B=1,H=2,L=5,D=3,Dv=7", "sla1d/B=1,H=1,L=6,D=16,Dv=16,causal=true",
		"sla1d/B=2,H=1,L=64,D=6,Dv=17,causal=true", "sla1d/B=1,H=2,L=65,D=65,Dv=33,causal=true,pk=true",
		"sla1d/B=1,H=3,L=130,D=64,Dv=64,causal=true", "sla1d/B=1,H=3,L=130,D=64,Dv=64",
		"sla1d/B=1,H=1,L=200,D=128,Dv=80,pk=true", "sla1d/B=1,H=1,L=129,D=7,Dv=130,causal=true",
		"sla1d/B=1,H=2,L=40,D=16,causal=true,fill=qzero", "sla1d/B=2,H=1,L=33,D=7,causal=true,fill=kzero",
		"sla1d/B=1,H=2,L=4,D=8,Dv=16", "sla1d/B=1,H=2,L=5,D=8,Dv=32,causal=true", "sla1d/B=1,H=1,L=100,D=8,Dv=16,fill=qzero",
		"sla2d/B=1,H=1,L=1,D=8", "sla2d/B=1,H=2,L=35,gh=5,gw=7,D=9,Dv=11", "sla2d/B=1,H=1,L=7,gh=7,gw=1,D=5,Dv=2,pk=true",
		"sla2d/B=2,H=2,L=196,D=64", "sla2d/B=1,H=1,L=130,gh=2,gw=65,D=70,Dv=20,pk=true", "sla2d/B=1,H=1,L=9,D=4,fill=kzero",
	}
	forEach(t, slaVariants(), func(t *testing.T, set *slaSet) {
		for _, sh := range shapes {
			name, params, _ := strings.Cut(sh, "/")
			k, ok := suite.Lookup(name)
			if !ok {
				t.Fatalf("no suite kernel %s", name)
			}
			c, err := k.Build(params)
			if err != nil {
				t.Fatal(err)
			}
			host := suite.Alloc(c)
			c.Fill(rand.New(rand.NewPCG(9, 10)), host)
			ts := make([]kernel.Tensor, len(host))
			for i, h := range host {
				ts[i] = h
			}
			op := c.Op(ts).(kernel.SimplifiedLinearAttention)
			if err := op.Validate(); err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{1, 3} {
				out := host[len(host)-1].F32
				for i := range out {
					out[i] = float32(math.NaN())
				}
				b := &Backend{threads: threads}
				newSLA(b, set.ak, set.sk, set.f, &op).Run()
				if ck := c.Check(host); ck.Verdict != suite.Passed && ck.Verdict != suite.Mistrusted {
					t.Fatalf("%s threads=%d: %s (%s)", sh, threads, ck.Verdict, ck.Detail)
				}
			}
			// Causal: a NaN in V row j reaches column 0 of rows >= j only
			// (masked keys are never multiplied in).
			if op.Causal && op.L > 1 {
				v, out := host[2].F32, host[len(host)-1].F32
				j := op.L / 2
				v[j*op.Dv] = float32(math.NaN())
				newSLA(&Backend{threads: 1}, set.ak, set.sk, set.f, &op).Run()
				for i, x := range out[:op.L*op.Dv] {
					if math.IsNaN(float64(x)) != (i/op.Dv >= j && i%op.Dv == 0) {
						t.Fatalf("%s: NaN in V row %d: o[%d][%d] = %v", sh, j, i/op.Dv, i%op.Dv, x)
					}
				}
			}
		}
	})
}

// slaOldImpl (dev only) is another driver to time against newSLA.
var slaOldImpl func(b *Backend, ak *attnK, sk *slaK, f *vec, op *kernel.SimplifiedLinearAttention) kernel.Bound

// TestSLASpeed times the driver at one thread on the full shapes with
// inputs rotated over buffer sets larger than the L3 (cold, as the suite
// runs them): median thread-CPU time of 7 rounds and GFLOP/s; with
// slaOldImpl set (and NBENCH_SLA_NEW unset), the two drivers alternate in
// each round; NBENCH_SLA_CASE=kernel/shape;... replaces the cases. Off by
// default:
// NBENCH_SLA_SPEED=1 (or a substring of the case) go test -run TestSLASpeed -v.
func TestSLASpeed(t *testing.T) {
	sel := os.Getenv("NBENCH_SLA_SPEED")
	if sel == "" {
		t.Skip("set NBENCH_SLA_SPEED=1 (or a substring of the case) to run")
	}
	lv := supported()[0]
	if !lv.ok || lv.sla == nil {
		t.Skip("no SLA level")
	}
	cases := []string{
		"sla1d/B=1,H=8,L=2048,D=128,causal=true", "sla1d/B=4,H=8,L=1024,D=64", "sla1d/B=1,H=2,L=8192,D=64,causal=true",
		"sla2d/B=8,H=12,L=196,D=64", "sla2d/B=4,H=8,L=1024,D=64", "sla2d/B=8,H=1,L=3136,D=64",
	}
	if c := os.Getenv("NBENCH_SLA_CASE"); c != "" {
		cases = strings.Split(c, ";")
	}
	for _, cs := range cases {
		if sel != "1" && !strings.Contains(cs, sel) {
			continue
		}
		name, params, _ := strings.Cut(cs, "/")
		k, _ := suite.Lookup(name)
		c, err := k.Build(params)
		if err != nil {
			t.Fatal(err)
		}
		sets := max(1, int(96<<20/c.Cost().Bytes)+1)
		if os.Getenv("NBENCH_SLA_WARM") != "" {
			sets = 1
		}
		b := &Backend{threads: 1}
		mk := func(impl func(b *Backend, ak *attnK, sk *slaK, f *vec, op *kernel.SimplifiedLinearAttention) kernel.Bound) []kernel.Bound {
			var out []kernel.Bound
			for range sets {
				host := suite.Alloc(c)
				c.Fill(rand.New(rand.NewPCG(1, 2)), host)
				ts := make([]kernel.Tensor, len(host))
				for i, h := range host {
					ts[i] = h
				}
				op := c.Op(ts).(kernel.SimplifiedLinearAttention)
				out = append(out, impl(b, lv.attn, lv.sla, lv.f, &op))
			}
			return out
		}
		impls := [][]kernel.Bound{mk(newSLA)}
		if slaOldImpl != nil && os.Getenv("NBENCH_SLA_NEW") == "" {
			impls = append(impls, mk(slaOldImpl))
		}
		times := make([][]time.Duration, len(impls))
		for range 7 {
			for i, runs := range impls {
				times[i] = append(times[i], slaCPUPerRun(runs))
			}
		}
		flops := c.Cost().Flops
		line := fmt.Sprintf("%-42s", cs)
		for i := range impls {
			slices.Sort(times[i])
			m := times[i][len(times[i])/2]
			line += fmt.Sprintf("  %9v %5.1f%%", m.Round(time.Microsecond), flops/m.Seconds()/1e9/268*100)
		}
		if len(impls) == 2 {
			var r []float64
			for j := range times[0] {
				r = append(r, float64(times[1][j])/float64(times[0][j]))
			}
			slices.Sort(r)
			line += fmt.Sprintf("  old/new %.3f (sorted-quantile ratio)", r[len(r)/2])
		}
		t.Log(line)
	}
}

// slaCPUPerRun runs the bound kernels in turn for 150 ms of this thread's
// CPU time and returns the CPU time per run.
func slaCPUPerRun(runs []kernel.Bound) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	now := ThreadCPU
	for _, r := range runs {
		r.Run()
	}
	start, n := now(), 0
	for now()-start < 150*time.Millisecond {
		runs[n%len(runs)].Run()
		n++
	}
	return (now() - start) / time.Duration(n)
}

// TestSLAFusedKernels checks each level's reluSum, reluDotW, reluKQ,
// scan, kv, qs, qsl and conv25 against the Go twins (strides past the columns, every rows x nz tile, odd n, the
// prefetch range empty or not).
func TestSLAFusedKernels(t *testing.T) {
	forEach(t, slaVariants(), func(t *testing.T, set *slaSet) {
		k := set.sk
		if k.reluSum == nil {
			t.Skip("no fused kernels")
		}
		rng := rand.New(rand.NewPCG(5, 6))
		gen := func(n int) []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			return x
		}
		near := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
					t.Fatalf("%s: [%d] = %v, want %v", what, i, got[i], want[i])
				}
			}
		}
		for _, n := range []int{1, 5, 16, 17, 70} {
			rows := 9
			src, acc := gen(rows*(n+3)), gen(n+1)
			d1, d2 := make([]float32, rows*(n+2)), make([]float32, rows*(n+2))
			a1, a2 := slices.Clone(acc), slices.Clone(acc)
			k.reluSum(d1, n+2, src, n+3, a1[:n], rows, n)
			reluSumGo(d2, n+2, src, n+3, a2[:n], rows, n)
			near(fmt.Sprintf("reluSum n=%d", n), d1, d2)
			near(fmt.Sprintf("reluSum acc n=%d", n), a1, a2)
		}
		for _, n := range []int{1, 5, 16, 17, 70} {
			rows := 7
			src := gen(rows * (n + 3))
			d1, d2 := make([]float32, rows*(n+2)), make([]float32, rows*(n+2))
			w, den := gen(rows*(n+4)), gen(rows)
			e1, e2 := slices.Clone(den), slices.Clone(den)
			k.reluDotW(d1, n+2, src, n+3, w, n+4, e1, rows, n)
			reluDotWGo(d2, n+2, src, n+3, w, n+4, e2, rows, n)
			near(fmt.Sprintf("reluDotW n=%d", n), d1, d2)
			near(fmt.Sprintf("reluDotW den n=%d", n), e1, e2)
		}
		// reluKQ: odd and even row counts (pairs and the last row), tails.
		for _, n := range []int{1, 5, 16, 17, 70} {
			for rows := 0; rows <= 5; rows++ {
				src, q, ks := gen(rows*(n+3)), gen(rows*(n+3)), gen(n+1)
				kr1, kr2 := gen(rows*(n+3)), make([]float32, rows*(n+3))
				qp1, qp2 := gen(rows*(n+3)), make([]float32, rows*(n+3))
				copy(kr2, kr1)
				copy(qp2, qp1)
				ks1, ks2 := slices.Clone(ks), slices.Clone(ks)
				den1, den2 := gen(rows+1), make([]float32, rows+1)
				copy(den2, den1)
				k.reluKQ(kr1, qp1, src, q, n+3, ks1[:n], den1, rows, n)
				reluKQGo(kr2, qp2, src, q, n+3, ks2[:n], den2, rows, n)
				what := fmt.Sprintf("reluKQ rows=%d n=%d", rows, n)
				near(what+" kr", kr1, kr2)
				near(what+" qp", qp1, qp2)
				near(what+" ks", ks1, ks2)
				near(what+" den", den1, den2)
			}
		}
		// scan: every block shape, one to three blocks, each mode, the
		// prefetch parts fewer than the blocks or not; S, the numerators
		// and y against the twin (strides past the columns).
		for nd := 1; nd <= slaScanRows; nd++ {
			for nz := 1; nz <= 4; nz++ {
				for nb := 1; nb <= 3; nb++ {
					for _, n := range []int{0, 1, 7, 33} {
						for mode := range 4 {
							w, ldk := 16*nz+16, nb*nd+3
							s, kk, qq := gen(nb*nd*w), gen(n*ldk), gen(n*ldk)
							v, a, y, z := gen(n*w+w), gen(n*w), gen(n*w), gen(n)
							pf := gen(64)
							parts := [][]float32{pf[:n%3*16], pf[16:]}[:min(nb, 1+n%2)]
							s1, a1, y1 := slices.Clone(s), slices.Clone(a), slices.Clone(y)
							s2, a2, y2 := slices.Clone(s), slices.Clone(a), slices.Clone(y)
							k.scan[nd][nz](s1, w, kk, qq, ldk, v, w, a1, y1, w, z, n, nb, mode, parts)
							scanGo(nd, nz)(s2, w, kk, qq, ldk, v, w, a2, y2, w, z, n, nb, mode, nil)
							what := fmt.Sprintf("scan%dx%d nb=%d n=%d mode=%d", nd, nz, nb, n, mode)
							near(what+" s", s1, s2)
							near(what+" a", a1, a2)
							near(what+" y", y1, y2)
						}
					}
				}
			}
		}
		// conv25: every token count of a step and its remainders, one to
		// four channel blocks, row and token strides past the grid, output
		// rows past n untouched.
		for _, ld := range []int{16, 32, 64} {
			for n := 0; n <= 14; n++ {
				ldr := (n+4)*ld + 16
				v, w, b := gen(4*ldr+(n+4)*ld), gen(25*ld), gen(ld)
				o := gen((n + 1) * ld)
				o1, o2 := slices.Clone(o), slices.Clone(o)
				k.conv25(o1, v, w, b, n, ld, ldr)
				conv25Go(o2, v, w, b, n, ld, ldr)
				near(fmt.Sprintf("conv25 n=%d ld=%d", n, ld), o1, o2)
			}
		}
		for rows := 1; rows <= attnRows; rows++ {
			for nz := 1; nz <= 4; nz++ {
				for _, n := range []int{0, 1, 7, 64} {
					w := 16*nz + 16
					kk, v, s := gen(n*(rows+3)+rows), gen(n*w+w), gen(rows*w)
					pf := gen(40)
					s1, s2 := slices.Clone(s), slices.Clone(s)
					k.kv[rows][nz](s1, w, kk, rows+3, v, w, n, pf[:n%3*16])
					kvGo(rows, nz)(s2, w, kk, rows+3, v, w, n, nil)
					near(fmt.Sprintf("kv%dx%d n=%d", rows, nz, n), s1, s2)
					p, z, y := gen(rows*(n+2)), gen(attnRows), gen(rows*w)
					sm := gen(n*w + w)
					for _, qs := range []*[attnRows + 1][5]func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32){&k.qs, &k.qsl} {
						if qs[rows][nz] == nil {
							continue
						}
						y1, y2 := slices.Clone(y), slices.Clone(y)
						qs[rows][nz](y1, w, p, n+2, n, sm, w, z, pf)
						qsGo(rows, nz)(y2, w, p, n+2, n, sm, w, z, nil)
						near(fmt.Sprintf("qs%dx%d n=%d l=%v", rows, nz, n, qs == &k.qsl), y1, y2)
					}
				}
			}
		}
	})
}
