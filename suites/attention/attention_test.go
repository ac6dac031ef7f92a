package attention

import (
	"errors"
	"math"
	"testing"

	"github.com/nbench/nbench/backends/pure"
	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// instance builds a registered kernel at shape with inputs drawn from seed.
func instance(t *testing.T, name, shape string, seed uint64) (suite.Case, []*kernel.Host) {
	t.Helper()
	c, d, err := suite.Instance(name, shape, seed)
	if err != nil {
		t.Fatal(err)
	}
	return c, d
}

// runGo runs the case on the go backend (3 threads) in place on d.
func runGo(t *testing.T, c suite.Case, d []*kernel.Host) {
	t.Helper()
	if err := suite.RunOnce(pure.New(kernel.Config{Threads: 3}), c.Op(suite.Tensors(d))); err != nil {
		t.Fatal(err)
	}
}

// naiveSoftmax materializes the whole L x S score matrix of each head in
// float64, softmaxes every row, then multiplies by V: the textbook form the
// fused online-softmax kernel must reproduce.
func naiveSoftmax(c *softmaxCase, q, k, v []float32) []float64 {
	L, S, D, Dv := c.L, c.S, c.D, c.Dv
	out := make([]float64, c.B*c.H*L*Dv)
	for h := range c.B * c.H {
		p := make([]float64, L*S)
		for i := range L {
			m := math.Inf(-1)
			for j := range S {
				if c.Causal && j > i {
					p[i*S+j] = math.Inf(-1)
					continue
				}
				dot := 0.0
				for d := range D {
					dot += float64(q[(h*L+i)*D+d]) * float64(k[(h*S+j)*D+d])
				}
				p[i*S+j] = float64(c.Scale) * dot
				m = math.Max(m, p[i*S+j])
			}
			sum := 0.0
			for j := range S {
				p[i*S+j] = math.Exp(p[i*S+j] - m)
				sum += p[i*S+j]
			}
			for j := range S {
				p[i*S+j] /= sum
			}
		}
		for i := range L {
			for j := range S {
				for e := range Dv {
					out[(h*L+i)*Dv+e] += p[i*S+j] * float64(v[(h*S+j)*Dv+e])
				}
			}
		}
	}
	return out
}

func TestFusedSoftmaxMatchesMaterialized(t *testing.T) {
	for _, shape := range []string{"B=2,H=2,L=150,S=203,D=24,Dv=40", "B=1,H=3,L=201,D=32,causal=true"} {
		c, d := instance(t, "softmax_attention", shape, 7)
		sc := c.(*softmaxCase)
		ref := naiveSoftmax(sc, d[0].F32, d[1].F32, d[2].F32)
		runGo(t, c, d)
		if ck := suite.Close("o", d[3].F32, ref, softmaxAtol, softmaxRtol); ck.Verdict != suite.Passed {
			t.Errorf("%s: fused go kernel vs materialized softmax: %s", shape, ck.Detail)
		}
		// The suite's row-wise reference is the same function.
		if ck := c.Check(d); ck.Verdict != suite.Passed {
			t.Errorf("%s: suite check: %s", shape, ck.Detail)
		}
	}
}

// With one key (or on causal row 0) the softmax weight is exactly 1: O = v_0.
func TestSoftmaxSingleKey(t *testing.T) {
	for _, shape := range []string{"B=2,H=3,L=11,S=1,D=16,Dv=5", "B=1,H=2,L=70,D=8,causal=true"} {
		c, d := instance(t, "softmax_attention", shape, 3)
		sc := c.(*softmaxCase)
		runGo(t, c, d)
		v, o := d[2].F32, d[3].F32
		for h := range sc.B * sc.H {
			v0 := v[h*sc.S*sc.Dv:][:sc.Dv]
			rows := sc.L
			if sc.Causal {
				rows = 1
			}
			for i := range rows {
				for e := range sc.Dv {
					if got := o[(h*sc.L+i)*sc.Dv+e]; got != v0[e] {
						t.Fatalf("%s: o[head %d, row %d, %d] = %g, want v_0 = %g", shape, h, i, e, got, v0[e])
					}
				}
			}
		}
	}
}

// quadraticSLA is SLA in the (Qr Kr^T) V order, in float64: the L x L
// attention matrix A (lower triangle when causal), O_i = A_i V / (sum_j
// A_ij + 1e-6) + DWC(V)_i.
func quadraticSLA(c *slaCase, d []*kernel.Host) []float64 {
	q, k, v, pk := d[0].F32, d[1].F32, d[2].F32, c.pk(d)
	L, D, Dv := c.L, c.D, c.Dv
	out := make([]float64, c.B*c.H*L*Dv)
	for bh := range c.B * c.H {
		h := bh % c.H
		kr := func(j, dd int) float64 {
			x := float64(k[(bh*L+j)*D+dd])
			if pk != nil {
				x += float64(pk[(j*c.H+h)*D+dd])
			}
			return relu64(x)
		}
		for i := range L {
			oi := out[(bh*L+i)*Dv : (bh*L+i+1)*Dv]
			c.refDWC(oi, v[bh*L*Dv:(bh+1)*L*Dv], d[3].F32, d[4].F32, i)
			num, den := make([]float64, Dv), 0.0
			for j := range L {
				if c.Causal && j > i {
					break
				}
				a := 0.0
				for dd := range D {
					a += relu64(float64(q[(bh*L+i)*D+dd])) * kr(j, dd)
				}
				den += a
				for e := range Dv {
					num[e] += a * float64(v[(bh*L+j)*Dv+e])
				}
			}
			for e := range Dv {
				oi[e] += num[e] / (den + slaEps)
			}
		}
	}
	return out
}

// Qr (Kr^T V) == (Qr Kr^T) V: the suite's linear-form reference against the
// quadratic form (both float64), and the go backend against the quadratic form.
func TestSLAAssociativity(t *testing.T) {
	for _, sh := range []struct{ kernel, shape string }{
		{"sla2d", "B=2,H=2,L=42,gh=6,gw=7,D=12,Dv=9,pk=true"},
		{"sla2d", "B=1,H=1,L=1,D=4"},
		{"sla1d", "B=1,H=3,L=57,D=10,Dv=6"},
		{"sla1d", "B=2,H=2,L=83,D=16,causal=true,pk=true"},
	} {
		c, d := instance(t, sh.kernel, sh.shape, 11)
		sc := c.(*slaCase)
		quad := quadraticSLA(sc, d)
		lin := make([]float64, len(quad))
		for bh := range sc.B * sc.H {
			sc.refHead(lin[bh*sc.L*sc.Dv:(bh+1)*sc.L*sc.Dv], d[0].F32, d[1].F32, d[2].F32, sc.pk(d), d[3].F32, d[4].F32, bh)
		}
		for i := range quad {
			if math.Abs(lin[i]-quad[i]) > 1e-12*(1+math.Abs(quad[i])) {
				t.Fatalf("%s %s: Qr(Kr^T V)[%d] = %.17g, (Qr Kr^T)V = %.17g", sh.kernel, sh.shape, i, lin[i], quad[i])
			}
		}
		runGo(t, c, d)
		if ck := suite.Close("o", d[len(d)-1].F32, quad, slaAtol, slaRtol); ck.Verdict != suite.Passed {
			t.Errorf("%s %s: go vs (Qr Kr^T) V: %s", sh.kernel, sh.shape, ck.Detail)
		}
	}
}

// Qr = 0 rows and an all-zero Kr leave exactly DWC(V).
func TestSLAZeroAttention(t *testing.T) {
	for _, sh := range []struct{ kernel, shape string }{
		{"sla2d", "B=1,H=2,L=20,gh=4,gw=5,D=8,fill=qzero"},
		{"sla1d", "B=1,H=2,L=20,D=8,causal=true,fill=kzero,pk=true"},
	} {
		c, d := instance(t, sh.kernel, sh.shape, 5)
		sc := c.(*slaCase)
		runGo(t, c, d)
		o := d[len(d)-1].F32
		for bh := range sc.B * sc.H {
			for i := range sc.L {
				if sc.Input == "qzero" && (bh*sc.L+i)%2 != 0 {
					continue
				}
				want := make([]float64, sc.Dv)
				sc.refDWC(want, d[2].F32[bh*sc.L*sc.Dv:], d[3].F32, d[4].F32, i)
				got := o[(bh*sc.L+i)*sc.Dv : (bh*sc.L+i+1)*sc.Dv]
				if ck := suite.Close("o", got, want, slaAtol, slaRtol); ck.Verdict != suite.Passed {
					t.Fatalf("%s %s: head %d row %d is not DWC(V): %s", sh.kernel, sh.shape, bh, i, ck.Detail)
				}
			}
		}
	}
}

// S = 0 and L != GridH*GridW are shape errors, from Validate and from Prepare.
func TestValidate(t *testing.T) {
	h := func(n int) kernel.Tensor { return kernel.NewHost(kernel.F32, n) }
	ops := map[string]kernel.Op{
		"S=0":         kernel.SoftmaxAttention{B: 1, H: 1, L: 2, S: 0, D: 4, Dv: 4, Scale: 0.5, Q: h(8), K: h(0), V: h(0), O: h(8)},
		"causal L!=S": kernel.SoftmaxAttention{B: 1, H: 1, L: 2, S: 3, D: 1, Dv: 1, Causal: true, Q: h(2), K: h(3), V: h(3), O: h(2)},
		"short q":     kernel.SoftmaxAttention{B: 1, H: 1, L: 2, S: 3, D: 1, Dv: 1, Q: h(1), K: h(3), V: h(3), O: h(2)},
		"L!=GH*GW": kernel.SimplifiedLinearAttention{B: 1, H: 1, L: 6, D: 1, Dv: 1, Conv: kernel.SLAConv2D, GridH: 2, GridW: 2,
			Q: h(6), K: h(6), V: h(6), Wd: h(25), Bd: h(1), O: h(6)},
		"2D causal": kernel.SimplifiedLinearAttention{B: 1, H: 1, L: 4, D: 1, Dv: 1, Conv: kernel.SLAConv2D, GridH: 2, GridW: 2,
			Causal: true, Q: h(4), K: h(4), V: h(4), Wd: h(25), Bd: h(1), O: h(4)},
		"1D wd": kernel.SimplifiedLinearAttention{B: 1, H: 1, L: 4, D: 1, Dv: 1, Conv: kernel.SLAConv1D,
			Q: h(4), K: h(4), V: h(4), Wd: h(25), Bd: h(1), O: h(4)},
		"pk": kernel.SimplifiedLinearAttention{B: 1, H: 2, L: 4, D: 1, Dv: 1, Conv: kernel.SLAConv1D,
			Q: h(8), K: h(8), V: h(8), Pk: h(4), Wd: h(5), Bd: h(1), O: h(8)},
	}
	b := pure.New(kernel.Config{})
	for name, op := range ops {
		if err := op.Validate(); !errors.Is(err, kernel.ErrShape) {
			t.Errorf("%s: Validate = %v, want ErrShape", name, err)
		}
		if _, err := b.Prepare(op); !errors.Is(err, kernel.ErrShape) {
			t.Errorf("%s: Prepare = %v, want ErrShape", name, err)
		}
	}
	ok := kernel.SimplifiedLinearAttention{B: 1, H: 2, L: 4, D: 1, Dv: 1, Conv: kernel.SLAConv1D,
		Q: h(8), K: h(8), V: h(8), Pk: h(8), Wd: h(5), Bd: h(1), O: h(8)}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid sla1d op: %v", err)
	}
}

// Big cases check sampled rows plus a bound on the rest: an unwritten row
// far from the samples must still fail.
func TestSampledCheckCatchesUnwrittenRow(t *testing.T) {
	c, d := instance(t, "softmax_attention", "B=2,H=4,L=1024,S=1024,D=64", 9)
	sc := c.(*softmaxCase)
	if sc.B*sc.H*sc.L*sc.S*(sc.D+sc.Dv) <= checkAllWork {
		t.Fatal("shape too small to be sampled")
	}
	runGo(t, c, d)
	if ck := c.Check(d); ck.Verdict != suite.Passed {
		t.Fatalf("sampled check of a correct run: %s", ck.Detail)
	}
	sampled := map[[2]int]bool{}
	for _, r := range sampleRows(sc.B*sc.H, sc.L, sampledRows) {
		sampled[r] = true
	}
	for i := range sc.L {
		if !sampled[[2]int{3, i}] {
			d[3].F32[(3*sc.L+i)*sc.Dv+5] = suite.NaN32
			if ck := c.Check(d); ck.Verdict != suite.Failed {
				t.Fatalf("NaN in unsampled row %d: check says %s", i, ck.Verdict)
			}
			return
		}
	}
}

// Run allocates nothing: scratch comes from Prepare. (One thread: par.For's
// goroutines are the only allocations with more.)
func TestRunDoesNotAllocate(t *testing.T) {
	for _, sh := range []struct{ kernel, shape string }{
		{"softmax_attention", "B=1,H=2,L=100,S=150,D=16,Dv=8"}, {"softmax_attention", "B=1,H=2,L=100,D=16,causal=true"},
		{"sla2d", "B=1,H=2,L=30,gh=5,gw=6,D=8,pk=true"}, {"sla1d", "B=1,H=2,L=50,D=8,causal=true"}, {"sla1d", "B=1,H=2,L=50,D=8"},
	} {
		c, d := instance(t, sh.kernel, sh.shape, 2)
		b, err := pure.New(kernel.Config{Threads: 1}).Prepare(c.Op(suite.Tensors(d)))
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(5, func() { _ = b.Run() }); n != 0 {
			t.Errorf("%s %s: %v allocations per Run", sh.kernel, sh.shape, n)
		}
	}
}
