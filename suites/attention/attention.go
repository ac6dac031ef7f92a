// Package attention defines the attention kernels of KERNELS.md section 2
// (softmax_attention, sla2d, sla1d): parameters, shape sets, input fills,
// float64 references, pass rules and costs. Q, K, V and O are [B,H,L,D]
// row-major float32.
package attention

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/nbench/nbench/suites/suite"
)

// heads are the dimensions every attention case has. Dv = 0 and (for
// softmax) S = 0 in a shape mean "the same as D" and "the same as L".
type heads struct {
	B, H, L, D, Dv int
}

func readHeads(r *suite.ParamReader) heads {
	h := heads{B: r.Int("B", 0), H: r.Int("H", 0), L: r.Int("L", 0), D: r.Int("D", 1), Dv: r.Int("Dv", 0)}
	if h.Dv == 0 {
		h.Dv = h.D
	}
	return h
}

// headParams lists B, H, L, then afterL, then D and Dv.
func headParams(defL string, afterL ...suite.Param) []suite.Param {
	ps := []suite.Param{{Key: "B", Default: "1", Doc: "batch"}, {Key: "H", Default: "4", Doc: "heads"},
		{Key: "L", Default: defL, Doc: "query tokens"}}
	return append(append(ps, afterL...),
		suite.Param{Key: "D", Default: "64", Doc: "head size of q and k"},
		suite.Param{Key: "Dv", Default: "0", Doc: "head size of v and o (0 = D)"})
}

// maxAbsErr is the largest |y - r| over the elements where both are finite
// (the quality metric reported beside speed).
func maxAbsErr(y []float32, r []float64) float64 {
	m := 0.0
	for i, v := range y {
		d := math.Abs(float64(v) - r[i])
		if !math.IsNaN(d) && !math.IsInf(d, 0) {
			m = math.Max(m, d)
		}
	}
	return m
}

// withErr adds the max_abs_err metric to a check.
func withErr(c suite.Check, err float64) suite.Check {
	if c.Metrics == nil {
		c.Metrics = map[string]float64{}
	}
	c.Metrics["max_abs_err"] = err
	return c
}

// sampleRows picks the (head, row) pairs a big case checks: the first row
// of the first head, the last row of the last head and n rows drawn from a
// generator seeded by the shape, so a rerun checks the same rows.
func sampleRows(bh, l, n int) [][2]int {
	rows := [][2]int{{0, 0}, {bh - 1, l - 1}}
	rng := rand.New(rand.NewPCG(uint64(bh)*1000003+uint64(l), 0x61747465))
	for range n {
		rows = append(rows, [2]int{rng.IntN(bh), rng.IntN(l)})
	}
	return rows
}

// rowName labels output row i of head (b, h) in a check's detail.
func rowName(h heads, bh, i int) string {
	return fmt.Sprintf("o[b=%d,h=%d,i=%d]", bh/h.H, bh%h.H, i)
}

// readScale reads the softmax scale: "auto" is 1/sqrt(D).
func readScale(r *suite.ParamReader, d int) float32 {
	s := r.P.Get("scale")
	if s == "auto" {
		return float32(1 / math.Sqrt(float64(d)))
	}
	v, err := strconv.ParseFloat(s, 64)
	r.Check(err == nil && !math.IsInf(v, 0) && !math.IsNaN(v), "parameter scale=%q: want auto or a finite number", s)
	return float32(v)
}
