package norms

import (
	"math"
	"testing"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// Identities between the batch-statistics references: each reference is
// compared with an independent formulation of the same math.

// batchCase builds kernel name at shape and fills its inputs from seed.
func batchCase(t *testing.T, name, shape string, seed uint64) (suite.Case, []*kernel.Host) {
	t.Helper()
	c, d, err := suite.Instance(name, shape, seed)
	if err != nil {
		t.Fatal(err)
	}
	return c, d
}

// sameValues requires got == want within 1e-12 relative (float64 rounding
// of two formulations of one formula); NaNs must match.
func sameValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if math.IsNaN(g) != math.IsNaN(w) || !math.IsNaN(w) && math.Abs(g-w) > 1e-12*(1+math.Abs(w)) {
			t.Fatalf("%s[%d] = %v, want %v", what, i, g, w)
		}
	}
}

func TestRepBNInferEqualsFoldedAffine(t *testing.T) {
	for _, shape := range []string{"B=2,T=9,C=13", "B=1,T=4,C=5,alpha=-0.5", "B=3,T=3,C=8,alpha=0"} {
		c, d := batchCase(t, "repbn_infer", shape, 1)
		rc := c.(*bnInfer)
		x, g, b, rm, rv := d[0].F32, d[1].F32, d[2].F32, d[3].F32, d[4].F32
		fold := make([]float64, len(x))
		for j := 0; j < rc.C; j++ {
			s := float64(g[j]) / math.Sqrt(float64(rv[j])+float64(rc.Eps))
			a, sh := s+float64(rc.Alpha), float64(b[j])-float64(rm[j])*s
			for r := 0; r < rc.M; r++ {
				fold[r*rc.C+j] = float64(x[r*rc.C+j])*a + sh
			}
		}
		sameValues(t, "repbn_infer "+shape, rc.ref(d), fold)
	}
}

func TestPRepBNLambdaEnds(t *testing.T) {
	const shape = "B=2,T=11,C=24,alpha=0.7"
	// lam = 1 is LayerNorm; the BN state still updates.
	c, d := batchCase(t, "prepbn_train", shape+",lam=1", 2)
	pc := c.(*prepBN)
	x := d[0].F32
	y, nm, nv := pc.ref(d)
	sameValues(t, "lam=1 y", y, refLayerNorm(x, d[1].F32, d[2].F32, pc.M, pc.C, pc.LNEps))
	bn, bm, bv := refBatchNormTrain(x, d[3].F32, d[4].F32, d[5].F32, d[6].F32, pc.M, pc.C, pc.BNEps, pc.Momentum)
	sameValues(t, "lam=1 new_mean", nm, bm)
	sameValues(t, "lam=1 new_var", nv, bv)

	// lam = 0 is RepBN training: BN_train(x) + alpha*x.
	c, d = batchCase(t, "prepbn_train", shape+",lam=0", 3)
	pc = c.(*prepBN)
	x = d[0].F32
	y, _, _ = pc.ref(d)
	bn, _, _ = refBatchNormTrain(x, d[3].F32, d[4].F32, d[5].F32, d[6].F32, pc.M, pc.C, pc.BNEps, pc.Momentum)
	for i := range bn {
		bn[i] += float64(pc.Alpha) * float64(x[i])
	}
	sameValues(t, "lam=0 y", y, bn)
}

// TestBatchNormLayouts: nhwc [N, H, W, C] is nc [N*H*W, C], so one case's
// data and outputs must satisfy the other's check.
func TestBatchNormLayouts(t *testing.T) {
	for _, name := range []string{"batchnorm_infer", "batchnorm_train"} {
		hw, hd := batchCase(t, name, "layout=nhwc,N=2,H=3,W=5,C=7", 4)
		nc, nd := batchCase(t, name, "layout=nc,N=30,C=7", 5)
		bufs := hw.Buffers()
		if len(bufs) != len(nc.Buffers()) {
			t.Fatalf("%s: buffer lists differ", name)
		}
		for i, b := range bufs {
			if !b.Out {
				copy(nd[i].F32, hd[i].F32)
				continue
			}
			clear(nd[i].F32)
		}
		// Write the nhwc reference, rounded to float32, as the nc outputs.
		var refs [][]float64
		switch c := hw.(type) {
		case *bnInfer:
			refs = [][]float64{c.ref(hd)}
		case *bnTrain:
			y, m, v := c.ref(hd)
			refs = [][]float64{y, m, v}
		}
		o := 0
		for i, b := range bufs {
			if b.Out {
				for j, v := range refs[o] {
					nd[i].F32[j] = float32(v)
				}
				o++
			}
		}
		if chk := nc.Check(nd); chk.Verdict != suite.Passed {
			t.Errorf("%s: nc check of the nhwc reference: %s %s", name, chk.Verdict, chk.Detail)
		}
	}
}

func TestUnifiedNormInferEqualsChannelScale(t *testing.T) {
	c, d := batchCase(t, "unified_norm_infer", "B=3,T=5,C=11", 6)
	uc := c.(*unifiedInfer)
	x, w, b, rv := d[0].F32, d[1].F32, d[2].F32, d[3].F32
	want := make([]float64, len(x))
	for j := 0; j < uc.C; j++ {
		s := float64(w[j]) / math.Sqrt(float64(rv[j])+float64(uc.Eps))
		for r := 0; r < uc.M; r++ {
			want[r*uc.C+j] = float64(x[r*uc.C+j])*s + float64(b[j])
		}
	}
	sameValues(t, "unified_norm_infer", uc.ref(d), want)
}

// After warmup, PowerNorm training normalizes by the old phi: its y is the
// inference output.
func TestPowerNormAfterWarmupIsInference(t *testing.T) {
	const shape = "B=2,T=7,C=12,G=3"
	c, d := batchCase(t, "powernorm_train", shape+",warmup=4,iter=5", 8)
	y, _ := c.(*powerTrain).ref(d)
	ic, id := batchCase(t, "powernorm_infer", shape, 9)
	for i := range id[:4] {
		copy(id[i].F32, d[i].F32)
	}
	sameValues(t, "powernorm y", y, ic.(*powerInfer).ref(id))
}

// The Quick and Tests shapes of unified_norm_train must run every branch of
// the step: it <= W, it < warmup, the filtration firing and not, the
// window's geometric mean, and W = 1.
func TestUnifiedNormBranchesCovered(t *testing.T) {
	k, _ := suite.Lookup("unified_norm_train")
	seen := map[string]bool{}
	for _, shape := range append(append([]string{}, k.Quick...), k.Tests...) {
		c, d := batchCase(t, k.Name, shape, 10)
		uc := c.(*unifiedTrain)
		if uc.M == 0 {
			continue
		}
		s := uc.unRefStep(suite.F64(d[3].F32), suite.F64(d[4].F32), refQuadMean(d[0].F32, uc.M, uc.C), uc.Iter, nil)
		switch {
		case uc.W <= 1:
			seen["W=1"] = true
		case uc.Iter <= uc.W:
			seen["it<=W"] = true
		case uc.Iter < uc.Warmup:
			seen["it<warmup"] = true
		case s.Trig:
			seen["skip"] = true
		default:
			seen["geometric"] = true
		}
		if uc.Filter && uc.Iter >= uc.Warmup {
			seen["filter checked"] = true
			if s.Trig {
				seen["filter fired"] = true
			}
		}
	}
	for _, b := range []string{"W=1", "it<=W", "it<warmup", "skip", "geometric", "filter checked", "filter fired"} {
		if !seen[b] {
			t.Errorf("no shape runs branch %q", b)
		}
	}
}

func TestEvoNormGroupsLowered(t *testing.T) {
	for _, tc := range [][3]int{{32, 64, 32}, {32, 48, 24}, {32, 30, 30}, {32, 7, 7}, {32, 1, 1}, {8, 12, 6}, {1, 5, 1}} {
		if got := evoGroups(tc[0], tc[1]); got != tc[2] {
			t.Errorf("evoGroups(%d, C=%d) = %d, want %d", tc[0], tc[1], got, tc[2])
		}
	}
}

// An outlier-filtration decision within rounding of its threshold accepts
// either branch; a clear one accepts only its own.
func TestUnifiedNormAmbiguousFiltration(t *testing.T) {
	c := &unifiedTrain{unCfg: unCfg{C: 2, W: 2, Warmup: 0, Filter: true, Eps: 1e-5, Mom: 0.9}, M: 4, Iter: 3, FillMode: "normal"}
	bufs := c.Buffers()
	d := make([]*kernel.Host, len(bufs))
	for i, b := range bufs {
		d[i] = kernel.NewHost(b.DType, b.Len)
	}
	base := []float32{0.5, -1, 1.5, -0.7, 1.1, 0.3, -0.9, 1.2}
	copy(d[1].F32, []float32{1, 1})
	copy(d[3].F32, []float32{1, 0.8, 1.5, 2.5})
	copy(d[4].F32, []float32{1.2, 1.9})
	setScale := func(s float64) unStep {
		for i, v := range base {
			if i%2 == 0 {
				v = float32(float64(v) * s)
			}
			d[0].F32[i] = v
		}
		return c.unRefStep(suite.F64(d[3].F32), suite.F64(d[4].F32), refQuadMean(d[0].F32, c.M, c.C), c.Iter, nil)
	}
	// Bisect the scale of channel 0 onto the threshold.
	lo, hi := 1.0, 100.0
	if setScale(lo).Trig || !setScale(hi).Trig {
		t.Fatal("bisection bracket does not straddle the threshold")
	}
	for i := 0; i < 200 && !setScale((lo+hi)/2).Ambiguous; i++ {
		if setScale((lo + hi) / 2).Trig {
			hi = (lo + hi) / 2
		} else {
			lo = (lo + hi) / 2
		}
	}
	// writes the outputs of one branch, rounded to float32.
	write := func(trig bool) {
		s := c.unRefStep(suite.F64(d[3].F32), suite.F64(d[4].F32), refQuadMean(d[0].F32, c.M, c.C), c.Iter, &trig)
		for i, v := range refScaleByVar(d[0].F32, d[1].F32, d[2].F32, s.Var, c.C, c.Eps) {
			d[5].F32[i] = float32(v)
		}
		for i, v := range s.NewBuf {
			d[6].F32[i] = float32(v)
		}
		for i, v := range s.NewRV {
			d[7].F32[i] = float32(v)
		}
	}
	if !setScale((lo + hi) / 2).Ambiguous {
		t.Fatal("bisection found no ambiguous decision")
	}
	for _, trig := range []bool{false, true} {
		write(trig)
		if chk := c.Check(d); chk.Verdict != suite.Passed {
			t.Errorf("ambiguous decision, branch trig=%v: %s %s", trig, chk.Verdict, chk.Detail)
		}
	}
	if s := setScale(hi * 2); !s.Trig || s.Ambiguous {
		t.Fatal("scale 2*hi should fire the filtration clearly")
	}
	write(false)
	if chk := c.Check(d); chk.Verdict != suite.Failed {
		t.Errorf("clear decision, other branch: %s, want FAILED", chk.Verdict)
	}
}

// Before the window fills, before warmup and when the filtration skips the
// batch, UN1d normalizes by the batch quadratic mean, as its inference form
// does with rv = x2.
func TestUnifiedNormBatchBranches(t *testing.T) {
	for _, shape := range []string{"B=2,T=9,C=12,window=4,warmup=2,iter=3", "B=2,T=9,C=12,window=4,warmup=10,iter=7",
		"B=2,T=9,C=12,window=4,warmup=2,iter=6,fill=outlier"} {
		c, d := batchCase(t, "unified_norm_train", shape, 11)
		uc := c.(*unifiedTrain)
		s := uc.unRefStep(suite.F64(d[3].F32), suite.F64(d[4].F32), refQuadMean(d[0].F32, uc.M, uc.C), uc.Iter, nil)
		want := refScaleByVar(d[0].F32, d[1].F32, d[2].F32, refQuadMean(d[0].F32, uc.M, uc.C), uc.C, uc.Eps)
		sameValues(t, shape, refScaleByVar(d[0].F32, d[1].F32, d[2].F32, s.Var, uc.C, uc.Eps), want)
	}
}
