package nms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// softScoreRtol is KERNELS.md's tolerance on the kept (decayed) scores.
const softScoreRtol = 1e-5

var softMethods = map[string]kernel.SoftNMSMethod{
	"hard": kernel.SoftNMSHard, "linear": kernel.SoftNMSLinear, "gaussian": kernel.SoftNMSGaussian}

type softCase struct {
	N              int
	Method         kernel.SoftNMSMethod
	Sigma, Nt, Thr float32
	PlusOne        bool
	Kind           string
}

func (c *softCase) params() softParams {
	return softParams{method: c.Method, sigma: float64(c.Sigma), nt: float64(c.Nt), thr: float64(c.Thr), one: plusOne(c.PlusOne)}
}

func (c *softCase) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "boxes", DType: kernel.F32, Len: 4 * c.N}, {Name: "scores", DType: kernel.F32, Len: c.N},
		{Name: "keep", DType: kernel.I32, Len: c.N, Out: true}, {Name: "kept_scores", DType: kernel.F32, Len: c.N, Out: true},
		{Name: "count", DType: kernel.I32, Len: 1, Out: true}}
}

// Fill draws the boxes (IoUs kept away from Nt where Nt decides), then runs
// the reference once with a softFixer that edits scores so that every
// decision on a decayed score clears its margin.
func (c *softCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	t := float64(c.Nt)
	if c.Method == kernel.SoftNMSGaussian && c.Kind != "exact" {
		t = math.NaN() // gaussian has no IoU threshold to keep away from
	}
	boxFill{fill: c.Kind, t: t, one: plusOne(c.PlusOne), maxc: imageSize}.draw(rng, d[0].F32, d[1].F32, nil)
	refSoftNMS(c.params(), d[0].F32, d[1].F32, &softFixer{rng: rng})
}

func (c *softCase) Op(t []kernel.Tensor) kernel.Op {
	return kernel.SoftNMS{N: c.N, Method: c.Method, Sigma: c.Sigma, Nt: c.Nt, Threshold: c.Thr, PlusOne: c.PlusOne,
		Boxes: t[0], Scores: t[1], Keep: t[2], KeptScores: t[3], Count: t[4]}
}

func (c *softCase) Check(d []*kernel.Host) suite.Check {
	ref, scores := refSoftNMS(c.params(), d[0].F32, d[1].F32, nil)
	ch := checkKeep("keep", d[2].I32, d[4].I32[0], ref)
	if ch.Verdict == suite.Passed {
		ch = suite.Close("kept_scores", d[3].F32[:len(ref)], scores, 0, softScoreRtol)
	}
	return keptMetric(ch, len(ref))
}

// Unspecified reports whether element 0 of output buffer buf holds no
// value: keep and kept_scores when nothing was kept (see nmsCase).
func (c *softCase) Unspecified(d []*kernel.Host, buf int) bool {
	return (buf == 2 || buf == 3) && d[4].I32[0] == 0
}

// softDecayFlops is the float64 work of a Soft-NMS round on a candidate
// whose box intersects the selected one, beyond its IoU (iouWork): the
// weight (2: a compare and 1-ov, or ov*ov/sigma and the exponential), the
// multiply and the threshold test. A candidate whose box does not intersect
// keeps its weight of 1 and its score, which after round one is above the
// threshold; round one tests every score against it (one compare each). So
// an intersecting pair costs 16 and KERNELS.md's worst case 8N^2 is all
// N^2/2 pairs intersecting. The next round's argmax is not counted: a kernel
// can keep the best of the candidates that did not change.
const softDecayFlops = 4

// Cost is the part of the work known before the boxes are drawn; DataCost
// counts the rest from the boxes.
// softLong are the long candidate lists among the Tests shapes, where the
// go backend splits a round across threads; their references take 35 s to
// minutes each under qemu.
var softLong = []string{"N=3000,method=gaussian", "N=9000,method=hard",
	"N=8500,method=gaussian,threshold=0.05", "N=8500,threshold=0.05,plus_one=true"}

func (c *softCase) Cost() suite.Cost { return c.cost(softWork{}, 0) }

func (c *softCase) DataCost(d []*kernel.Host) suite.Cost {
	keep, _, work := softNMS(c.params(), d[0].F32, d[1].F32, nil)
	return c.cost(work, len(keep))
}

// cost of a run that did work and kept k boxes, in float64 arithmetic
// (KERNELS.md's reference precision, which the official code and every
// backend here use); bytes 20N + 8K + the count.
func (c *softCase) cost(w softWork, k int) suite.Cost {
	flops := w.ious.flops() + float64(softDecayFlops*w.ious.intersecting+w.first)
	cost := suite.Cost{Flops: flops, F64: true, Bytes: 20*float64(c.N) + 8*float64(k) + 4}
	if c.Method == kernel.SoftNMSGaussian {
		cost.Trans = float64(w.ious.intersecting)
	}
	return cost
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "soft_nms", Family: "nms",
		Summary: "Soft-NMS (Bodla et al. 2017, official cpu_soft_nms semantics, lowest-index ties); returns decayed scores",
		CostDoc: "float64 FLOPs, counted on these boxes by the suite's reference: every round tests each remaining " +
			"candidate against the selected box (6: whether the boxes intersect), and the candidates whose boxes " +
			"intersect it are decayed (10 more: the rest of the IoU, the weight, the multiply and the threshold test; " +
			"gaussian adds one exp each, T); round one tests every score against the threshold (1 each). The worst case, " +
			"every pair intersecting, is 8N^2. The next round's argmax is not counted. The tests are most of the count (87-94% " +
			"on the detector fill): a kernel that rules out whole groups of candidates at once (the simd backend's spatial " +
			"chunks) does fewer operations than counted, and its GFLOP/s and %peak are then the reference algorithm's work " +
			"per second, as a fast GEMM's are 2MNK per second. Bytes: boxes and scores read once, " +
			"K indices and scores and the count written",
		Params: []suite.Param{
			{Key: "N", Default: "1000", Doc: "boxes"},
			{Key: "method", Default: "linear", Doc: "decay: linear (1-IoU above Nt), gaussian (exp(-IoU^2/sigma)), hard (0 above Nt: " +
				"the score becomes 0, also an infinite one, whose product with 0 would be NaN); a score a decay makes NaN " +
				"(an infinite score at IoU 1) is dropped, as NaN scores are"},
			{Key: "sigma", Default: "0.5", Doc: "gaussian width"},
			{Key: "Nt", Default: "0.3", Doc: "IoU threshold of linear and hard"},
			{Key: "threshold", Default: "0.001", Doc: "discard candidates whose score falls below this"},
			{Key: "plus_one", Default: "false", Doc: "Fast R-CNN +1 pixel widths (the official code's convention)"},
			{Key: "fill", Default: "detector", Doc: fillDoc},
		},
		Quick: []string{"N=1000", "N=1000,method=gaussian", "N=1000,method=hard", "N=1000,plus_one=true",
			"N=500,fill=special", "N=500,fill=special,method=gaussian,plus_one=true",
			"N=300,fill=exact,Nt=0.5,method=hard", "N=300,fill=exact,Nt=0.5,plus_one=true"},
		Full: []string{"N=1000", "N=5000", "N=20000", "N=5000,method=gaussian", "N=20000,method=gaussian"},
		Tests: []string{"N=0", "N=1", "N=2", "N=5,fill=identical", "N=64,fill=identical", "N=64,fill=equal,method=gaussian",
			"N=64,fill=zeroarea", "N=64,fill=zeroarea,plus_one=true", "N=100,fill=nanscore", "N=100,fill=nancoord,method=gaussian",
			"N=100,fill=nancoord,method=hard", "N=9,fill=allnan", "N=33,threshold=2", "N=33,threshold=0",
			"N=7,fill=exact,Nt=0.5,method=hard", "N=200,method=gaussian,sigma=0.1", "N=200,method=hard,Nt=0",
			"N=333,fill=special,Nt=0.5",
			// Infinite scores: the last rounds choose among -Inf survivors; Inf x 0 is dropped (hard zeroes).
			"N=1000,fill=infscore,threshold=-inf", "N=1000,fill=infscore,threshold=-inf,method=gaussian",
			"N=300,fill=infscore,threshold=-inf,method=hard",
			softLong[0], softLong[1], softLong[2], softLong[3]},
		Long: softLong,
		Gate: []string{"N=2000"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &softCase{N: r.Int("N", 0), Method: softMethods[r.Enum("method", "linear", "gaussian", "hard")],
				Sigma: float32(r.Positive("sigma")), Nt: float32(r.Unit("Nt")), Thr: float32(r.Float("threshold")),
				PlusOne: r.Bool("plus_one"), Kind: r.Enum("fill", fills...)}
			r.Check(!math.IsNaN(float64(c.Thr)), "threshold is NaN")
			checkExactFill(&r, c.Kind, "Nt", c.Nt)
			return c, r.Err
		},
	})
}
