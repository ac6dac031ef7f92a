package qmatmul

import (
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// edgeRow overwrites row r of a [rows, k] matrix with the edge patterns of
// the "edge" fills, by row index: 1 all zero; 2 exact RNE ties with scale 1
// (for a quantizer with qmax 127: halves -3.5..3.5 and one 127); 3 an
// outlier among tiny values; 4 constant negative. Row 0 stays random, so a
// broken element 0 is never hidden by a tie. Other rows are untouched.
func edgeRow(r int, row []float32) {
	switch r {
	case 1:
		clear(row)
	case 2:
		for j := range row {
			row[j] = float32(j%8) - 3.5
		}
		row[len(row)/2] = 127
	case 3:
		for j := range row {
			row[j] *= 1e-3
		}
		row[len(row)-1] = 100
	case 4:
		for j := range row {
			row[j] = -3
		}
	}
}

// ---- quantize_i8 ----

type quantizeI8 struct {
	R, K int
	edge bool
}

func (c *quantizeI8) Buffers() []suite.Buffer {
	n := c.R * c.K
	return []suite.Buffer{{Name: "x", DType: kernel.F32, Len: n},
		{Name: "q", DType: kernel.I8, Len: n, Out: true}, {Name: "scale", DType: kernel.F32, Len: c.R, Out: true}}
}

func (c *quantizeI8) Fill(rng *rand.Rand, d []*kernel.Host) {
	x := d[0].F32
	suite.Normal(rng, x, 0, 1)
	if c.edge {
		for r := 0; r < c.R; r++ {
			edgeRow(r, x[r*c.K:(r+1)*c.K])
		}
	}
}

func (c *quantizeI8) Op(t []kernel.Tensor) kernel.Op {
	return kernel.QuantizeI8{Rows: c.R, K: c.K, X: t[0], Q: t[1], Scale: t[2]}
}

func (c *quantizeI8) Check(d []*kernel.Host) suite.Check {
	x, q, s := d[0].F32, d[1].I8, d[2].F32
	sRef := make([]float64, c.R)
	qRef := make([]float64, len(q))
	cc := parallelCodes(c.R, codeCheck{name: "q", band: tieBand, maxTies: -1}, func(lo, hi int, cc *codeCheck) {
		for r := lo; r < hi; r++ {
			row := x[r*c.K : (r+1)*c.K]
			sr := scaleSym(absMax(row), 127)
			sRef[r] = float64(sr)
			for k, v := range row {
				i := r*c.K + k
				t := float64(v) / float64(sr)
				w, _ := codes(t, 0, -127, 127, tieBand, false)
				qRef[i] = float64(w)
				cc.add(i, int(q[i]), t, 0, -127, 127, pow2(sr))
			}
		}
	})
	ch := suite.Merge(exactF32("scale", s, sRef), cc.result())
	return suite.Trust(ch, qRef, trustFrac(c.edge, len(qRef)))
}

// Cost: 3 FLOPs per element (|x|, max, x/s; KERNELS.md 3.1 "3MK
// quantization FLOPs") plus one division per row; bytes read x, write q and s.
func (c *quantizeI8) Cost() suite.Cost {
	rk, r := float64(c.R*c.K), float64(c.R)
	return suite.Cost{Flops: 3*rk + r, Bytes: 4*rk + rk + 4*r}
}

// ---- quantize_w4g ----

type quantizeW4G struct {
	N, K, G int
	sym     bool
	edge    bool
}

func (c *quantizeW4G) ng() int { return c.N * (c.K / c.G) }

func (c *quantizeW4G) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "w", DType: kernel.F32, Len: c.N * c.K},
		{Name: "qp", DType: kernel.U8, Len: c.N * c.K / 2, Out: true},
		{Name: "s", DType: kernel.F32, Len: c.ng(), Out: true}, {Name: "z", DType: kernel.U8, Len: c.ng(), Out: true}}
}

// w4EdgeRow: besides edgeRow's patterns, row 5 is all positive (lo = 0,
// z = 0) and row 6 has exact ties at scale 1 in every group of g for the
// 4-bit quantizers (range 15 asymmetric, where z = rne(7.5) = 8, or max 7
// symmetric; halves in between).
func w4EdgeRow(r int, row []float32, g int, sym bool) {
	switch r {
	case 5:
		for j := range row {
			row[j] = 0.1 + float32(j%5)
		}
	case 6:
		for j := range row {
			switch {
			case j%g == 0 && sym:
				row[j] = 7
			case j%g == 0:
				row[j] = -7.5
			case j%g == 1 && !sym:
				row[j] = 7.5
			default:
				row[j] = float32(j%14) - 6.5
			}
		}
	default:
		edgeRow(r, row)
	}
}

func (c *quantizeW4G) Fill(rng *rand.Rand, d []*kernel.Host) {
	w := d[0].F32
	suite.Normal(rng, w, 0, 0.02)
	if c.edge {
		for n := 0; n < c.N; n++ {
			w4EdgeRow(n, w[n*c.K:(n+1)*c.K], c.G, c.sym)
		}
	}
}

func (c *quantizeW4G) Op(t []kernel.Tensor) kernel.Op {
	return kernel.QuantizeW4G{N: c.N, K: c.K, Group: c.G, Symmetric: c.sym, W: t[0], Qp: t[1], S: t[2], Z: t[3]}
}

// Check: S bitwise, Z and the codes tie-aware. The codes are judged with
// the kernel's own zero point once that zero point is accepted, so a zero
// one off at a near-tie (e.g. an all-zero group, where -lo/s = 7.4999996
// in float32) is consistent with its codes.
func (c *quantizeW4G) Check(d []*kernel.Host) suite.Check {
	w, qp, s, z := d[0].F32, d[1].U8, d[2].F32, d[3].U8
	sRef := make([]float64, c.ng())
	qRef := make([]float64, c.N*c.K)
	ngr := c.K / c.G // groups per row
	qc := parallelCodes(c.N, codeCheck{name: "q", band: tieBand, maxTies: -1}, func(lo, hi int, qc *codeCheck) {
		zr := codeCheck{name: "z", band: tieBand, maxTies: -1}
		for g := lo * ngr; g < hi*ngr; g++ {
			grp := w[g*c.G : (g+1)*c.G]
			sg, zt := w4Scale(grp, 15, c.sym)
			sRef[g] = float64(sg)
			zr.add(g, int(z[g]), zt, 0, 0, 15, pow2(sg)) // symmetric: zt = 8 exactly
			zk := int(z[g])
			if zr.fail != "" {
				zk, _ = codes(zt, 0, 0, 15, tieBand, false)
			}
			for k, v := range grp {
				i := g*c.G + k
				t := float64(v) / float64(sg)
				want, _ := codes(t, zk, 0, 15, tieBand, false)
				qRef[i] = float64(want - zk) // zero where w^ is
				got := int(qp[i/2] & 0xF)
				if i%2 == 1 {
					got = int(qp[i/2] >> 4)
				}
				qc.add(i, got, t, zk, 0, 15, pow2(sg))
			}
		}
		if zr.fail != "" && qc.fail == "" {
			qc.fail = zr.fail
		}
	})
	ch := suite.Merge(exactF32("s", s, sRef), qc.result())
	return suite.Trust(ch, qRef, trustFrac(c.edge, len(qRef)))
}

// Cost: min, max, divide and zero add per weight, 4 FLOPs per group
// (range, floor, scale, zero); bytes read W, write the nibbles, S and Z.
func (c *quantizeW4G) Cost() suite.Cost {
	nk, ng := float64(c.N*c.K), float64(c.ng())
	return suite.Cost{Flops: 4*nk + 4*ng, Bytes: 4*nk + nk/2 + 5*ng}
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "quantize_i8", Family: "qmatmul",
		Summary: "per-row symmetric int8 quantization, RNE, [-127, 127] (SmoothQuant/ZeroQuant activations)",
		CostDoc: "FLOPs: 3 per element (abs-max, scale, round) + 1 per row; bytes: x read once (a row fits in cache for its " +
			"second pass), the int8 codes and the row scales written once",
		Params: []suite.Param{
			{Key: "R", Default: "64", Doc: "rows (tokens)"},
			{Key: "K", Default: "1024", Doc: "row length"},
			fillParam,
		},
		Quick: []string{"R=64,K=1024", "R=6,K=37,fill=edge", "R=1,K=4096"},
		Full:  []string{"R=512,K=4096", "R=2048,K=4096"},
		Tests: []string{"R=0,K=16", "R=1,K=1", "R=5,K=8,fill=edge", "R=7,K=127"},
		Gate:  []string{"R=512,K=4096"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &quantizeI8{R: r.Int("R", 0), K: r.Int("K", 1)}
			c.edge = readFill(&r)
			return c, r.Err
		},
	}, &suite.Kernel{
		Name: "quantize_w4g", Family: "qmatmul",
		Summary: "4-bit group-wise weight quantization, GPTQ-style asymmetric (range incl. 0) or symmetric, packed nibbles",
		CostDoc: "FLOPs: 4 per weight (range, scale, round, clamp) + 4 per group; bytes: W read once, the packed nibbles " +
			"(half a byte a weight), the group scales and zero points written once",
		Params: []suite.Param{
			{Key: "N", Default: "256", Doc: "weight rows (output channels)"},
			{Key: "K", Default: "1024", Doc: "row length (input channels), even"},
			{Key: "G", Default: "128", Doc: "group size: 32, 64, 128 or K"},
			{Key: "sym", Default: "false", Doc: "symmetric: s = max|w|/7, z = 8"},
			fillParam,
		},
		Quick: []string{"N=64,K=1024,G=128", "N=64,K=1024,G=32,sym=true", "N=9,K=64,G=32,fill=edge",
			"N=9,K=64,G=64,sym=true,fill=edge", "N=5,K=96,G=96"},
		Full:  []string{"N=4096,K=4096,G=128", "N=11008,K=4096,G=128", "N=4096,K=11008,G=128,sym=true"},
		Tests: []string{"N=0,K=64,G=32", "N=1,K=2,G=2", "N=3,K=6,G=6", "N=8,K=256,G=64,fill=edge", "N=3,K=128,G=128,sym=true"},
		Gate:  []string{"N=1024,K=4096,G=128"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &quantizeW4G{N: r.Int("N", 0), K: r.Int("K", 2), G: r.Int("G", 2), sym: r.Bool("sym")}
			c.edge = readFill(&r)
			if r.Err == nil {
				r.Check(kernel.W4Group(c.K, c.G) == nil, "%v", kernel.W4Group(c.K, c.G))
			}
			return c, r.Err
		},
	})
}
