package losses

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// ignoreIndex is PyTorch's default ignore_index.
const ignoreIndex = -100

type crossEntropy struct {
	N, V int
	fill string
}

func (c *crossEntropy) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "logits", DType: kernel.F32, Len: c.N * c.V}, {Name: "targets", DType: kernel.I32, Len: c.N},
		{Name: "out", DType: kernel.F32, Len: 1, Out: true}}
}

// Fill draws logits N(0, 2) (offset: 1e4 + N(0, 2), which overflows exp
// without the max shift) and uniform targets, then applies the fill:
// ignore drops about a quarter of the rows (never row 0); neginf also sets
// about 1/8 of the logits to -Inf (never a target) and makes an ignored
// last row all -Inf, which must not reach the loss; posinf puts +Inf in
// row 0 (NaN); allignored ignores every row (NaN); badtarget gives row 0
// the target V, out of range (NaN, and no read outside the row).
func (c *crossEntropy) Fill(rng *rand.Rand, d []*kernel.Host) {
	z, tg := d[0].F32, d[1].I32
	mean := 0.0
	if c.fill == "offset" {
		mean = 1e4
	}
	suite.Normal(rng, z, mean, 2)
	for i := range tg {
		tg[i] = int32(rng.IntN(c.V))
	}
	if c.N == 0 {
		return
	}
	switch c.fill {
	case "ignore", "neginf":
		for i := 1; i < c.N; i++ {
			if rng.IntN(4) == 0 {
				tg[i] = ignoreIndex
			}
		}
		if c.fill == "neginf" {
			for i, ti := range tg {
				row := z[i*c.V : (i+1)*c.V]
				for j := range row {
					if int32(j) != ti && rng.IntN(8) == 0 {
						row[j] = suite.NegInf32
					}
				}
			}
			if c.N > 1 {
				tg[c.N-1] = ignoreIndex
				for j := range z[(c.N-1)*c.V:] {
					z[(c.N-1)*c.V+j] = suite.NegInf32
				}
			}
		}
	case "posinf":
		z[rng.IntN(c.V)] = suite.PosInf32
	case "allignored":
		for i := range tg {
			tg[i] = ignoreIndex
		}
	case "badtarget":
		tg[0] = int32(c.V)
	}
}

func (c *crossEntropy) Op(t []kernel.Tensor) kernel.Op {
	return kernel.CrossEntropy{N: c.N, V: c.V, IgnoreIndex: ignoreIndex, Logits: t[0], Targets: t[1], Out: t[2]}
}

// refCrossEntropy is the mean over valid rows of lse(z_i) - z_i[t_i] in
// float64 with a max-shifted log-sum-exp; a target out of range gives NaN.
func refCrossEntropy(z []float32, tg []int32, v int) float64 {
	var sum float64
	valid := 0
	for i, ti := range tg {
		if ti == ignoreIndex {
			continue
		}
		valid++
		if ti < 0 || int(ti) >= v {
			sum += math.NaN()
			continue
		}
		row := z[i*v : (i+1)*v]
		m := math.Inf(-1)
		for _, x := range row {
			m = math.Max(m, float64(x))
		}
		var se float64
		for _, x := range row {
			se += math.Exp(float64(x) - m)
		}
		sum += m + math.Log(se) - float64(row[ti])
	}
	return sum / float64(valid)
}

// Check: abs 1e-5*(1+|ref|) (KERNELS.md 5.5).
func (c *crossEntropy) Check(d []*kernel.Host) suite.Check {
	ref := refCrossEntropy(d[0].F32, d[1].I32, c.V)
	ck := suite.Scalar("loss", d[2].F32[0], ref, 1e-5*(1+math.Abs(ref)), 0)
	frac := 0.0
	if c.V == 1 || c.N == 0 || c.fill == "posinf" || c.fill == "allignored" || c.fill == "badtarget" {
		frac = 1 // a zero (V = 1) or NaN loss on purpose
	}
	return suite.Trust(ck, []float64{ref}, frac)
}

// Cost is the part known before the targets are drawn (reading them);
// DataCost adds the rows whose target is not ignored.
func (c *crossEntropy) Cost() suite.Cost { return c.rows(0) }

// DataCost: a row whose target is ignore_index contributes nothing, so a
// kernel need not read its logits.
func (c *crossEntropy) DataCost(d []*kernel.Host) suite.Cost {
	used := 0
	for _, t := range d[1].I32 {
		if t != ignoreIndex {
			used++
		}
	}
	return c.rows(used)
}

// rows is the cost with `used` rows not ignored: 4 FLOPs and an exp per
// logit of theirs, 3 FLOPs and a log per such row; their logits and every
// target read, the scalar written.
func (c *crossEntropy) rows(used int) suite.Cost {
	nv, u := float64(used*c.V), float64(used)
	return suite.Cost{Flops: 4*nv + 3*u, Trans: nv + u, Bytes: 4*nv + 4*float64(c.N) + 4}
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "cross_entropy", Family: "losses",
		Summary: "softmax cross-entropy with ignore_index -100 (torch.nn.CrossEntropyLoss)",
		CostDoc: "over the rows whose target is not ignore_index (counted from the targets): 4 FLOPs and an exp (T) per logit " +
			"(max, subtract, exp, sum), 3 FLOPs and a log per row; bytes: those rows' logits and every target read, the scalar written",
		Params: []suite.Param{
			{Key: "N", Default: "64", Doc: "rows (tokens)"},
			{Key: "V", Default: "1000", Doc: "classes (vocabulary)"},
			{Key: "fill", Default: "normal", Doc: "normal; ignore (ignored rows); neginf (-Inf logits, an all -Inf ignored row); offset (logits near 1e4); posinf, allignored, badtarget (NaN loss)"},
		},
		Quick: []string{"N=64,V=1000", "N=16,V=32000,fill=ignore", "N=32,V=1000,fill=neginf", "N=8,V=512,fill=offset",
			"N=4,V=100,fill=posinf", "N=4,V=100,fill=allignored"},
		// LLaMA-2 vocabulary at 2048 and 8192 tokens.
		Full: []string{"N=2048,V=32000", "N=8192,V=32000"},
		Tests: []string{"N=0,V=10", "N=1,V=1", "N=5,V=3,fill=neginf", "N=7,V=33,fill=badtarget", "N=3,V=65537,fill=ignore",
			"N=1,V=262144", "N=3,V=5,fill=allignored"},
		Gate: []string{"N=64,V=32000"}, // 8 MiB of logits
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &crossEntropy{N: r.Int("N", 0), V: r.Int("V", 1),
				fill: r.Enum("fill", "normal", "ignore", "neginf", "offset", "posinf", "allignored", "badtarget")}
			return c, r.Err
		},
	})
}
