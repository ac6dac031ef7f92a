package nms

import (
	"math"
	"math/rand/v2"

	"github.com/nbench/nbench/kernel"
	"github.com/nbench/nbench/suites/suite"
)

// imageSize is the side of the square image the detector fills draw in.
const imageSize = 1000

// iouFlops is KERNELS.md's count for one IoU evaluated, iouTestFlops its
// part that tells whether the boxes intersect (see iouWork).
const (
	iouFlops     = 12
	iouTestFlops = 6
)

// greedyCost is the least work of greedy NMS over n boxes of which cands
// were candidates (score kept), that evaluated ious and kept k: the IoUs'
// FLOPs plus cands log2 cands compares to sort; bytes: the boxes and scores
// of all n boxes, the k kept indices and the count.
func greedyCost(n, cands int, ious iouWork, k int) suite.Cost {
	c := suite.Cost{Flops: ious.flops(), Bytes: 20*float64(n) + 4*float64(k) + 4}
	if cands > 1 {
		c.Flops += float64(cands) * math.Log2(float64(cands))
	}
	return c
}

const greedyCostDoc = "FLOPs: per IoU the greedy algorithm evaluates on these boxes (each kept box against every later box " +
	"still standing, counted by the suite's reference), 6 to test whether the boxes intersect and 6 more where they do (the rest " +
	"of the IoU: a disjoint pair's is 0); the worst case, every pair intersecting, is 6N^2; plus n log2 n compares to sort the n candidates. " +
	"Bytes: boxes and scores read once (20 B a box), the K kept indices and the count written"

// checkExactFill rejects fill=exact with a threshold no integer boxes can hit.
func checkExactFill(r *suite.ParamReader, fill, key string, t float32) {
	if fill == "exact" {
		_, _, ok := dyadic(float64(t))
		r.Check(ok, "fill=exact needs %s in (0, 1] with %s*256 an integer, got %g", key, key, t)
	}
}

// keptMetric reports the number of kept boxes beside the verdict.
func keptMetric(c suite.Check, k int) suite.Check {
	c.Metrics = map[string]float64{"kept": float64(k)}
	return c
}

// ---- nms ----

type nmsCase struct {
	N             int
	IoU, ScoreThr float32
	Legacy        bool
	Kind          string
}

func (c *nmsCase) Buffers() []suite.Buffer {
	return []suite.Buffer{{Name: "boxes", DType: kernel.F32, Len: 4 * c.N}, {Name: "scores", DType: kernel.F32, Len: c.N},
		{Name: "keep", DType: kernel.I32, Len: c.N, Out: true}, {Name: "count", DType: kernel.I32, Len: 1, Out: true}}
}

func (c *nmsCase) Fill(rng *rand.Rand, d []*kernel.Host) {
	boxFill{fill: c.Kind, t: float64(c.IoU), one: plusOne(c.Legacy), maxc: imageSize}.draw(rng, d[0].F32, d[1].F32, nil)
}

func (c *nmsCase) Op(t []kernel.Tensor) kernel.Op {
	return kernel.NMS{N: c.N, IoU: c.IoU, ScoreThreshold: c.ScoreThr, Legacy: c.Legacy,
		Boxes: t[0], Scores: t[1], Keep: t[2], Count: t[3]}
}

func (c *nmsCase) Check(d []*kernel.Host) suite.Check {
	ref := refNMS(d[0].F32, d[1].F32, float64(c.IoU), float64(c.ScoreThr), c.Legacy)
	ch := keptMetric(checkKeep("keep", d[2].I32, d[3].I32[0], ref), len(ref))
	if ch.Verdict == suite.Passed && c.Kind == "detector" && c.N >= 100 && c.IoU < 1 && len(ref) == c.N {
		ch.Verdict, ch.Detail = suite.Mistrusted, "the reference suppressed nothing"
	}
	return ch
}

// Unspecified reports whether element 0 of output buffer buf holds no
// value for these outputs: keep when nothing was kept. The conformance
// driver's break-element-0 test cannot expect a check to catch it.
func (c *nmsCase) Unspecified(d []*kernel.Host, buf int) bool { return buf == 2 && d[3].I32[0] == 0 }

// Cost is the part of the work known before the boxes are drawn (reading
// them); DataCost counts the rest from the boxes.
func (c *nmsCase) Cost() suite.Cost { return greedyCost(c.N, 0, iouWork{}, 0) }

func (c *nmsCase) DataCost(d []*kernel.Host) suite.Cost {
	keep, ious, cands := countNMS(d[0].F32, d[1].F32, float64(c.IoU), float64(c.ScoreThr), c.Legacy)
	return greedyCost(c.N, cands, ious, len(keep))
}

func init() {
	suite.Register(&suite.Kernel{
		Name: "nms", Family: "nms",
		Summary: "greedy hard NMS (torchvision nms: IoU > t, ties to the lower index; legacy = Fast R-CNN cpu_nms)",
		CostDoc: greedyCostDoc,
		Params: []suite.Param{
			{Key: "N", Default: "1000", Doc: "boxes"},
			{Key: "iou", Default: "0.5", Doc: "IoU threshold t in [0, 1]"},
			{Key: "score_threshold", Default: "-inf", Doc: "drop boxes scoring below this first (-inf: none)"},
			{Key: "legacy", Default: "false", Doc: "Fast R-CNN convention: plus_one widths and IoU >= t"},
			{Key: "fill", Default: "detector", Doc: fillDoc},
		},
		Quick: []string{"N=1000", "N=1000,iou=0.3,legacy=true", "N=1000,score_threshold=0.3",
			"N=500,fill=special", "N=500,fill=special,legacy=true", "N=300,fill=exact", "N=300,fill=exact,legacy=true"},
		// Detector outputs of 1k-20k boxes; 6000 at 0.7 is Faster R-CNN's RPN (pre_nms_top_n at test time).
		Full: []string{"N=1000", "N=5000", "N=6000,iou=0.7", "N=10000", "N=20000"},
		Tests: []string{"N=0", "N=1", "N=2", "N=5,fill=identical", "N=64,fill=identical", "N=64,fill=equal",
			"N=64,fill=zeroarea", "N=64,fill=zeroarea,legacy=true", "N=100,fill=nanscore", "N=100,fill=nancoord",
			"N=100,fill=nancoord,legacy=true", "N=9,fill=allnan", "N=37,score_threshold=2", "N=7,fill=exact,iou=0.75",
			"N=31,fill=exact,iou=1,legacy=true", "N=200,iou=0", "N=200,iou=0,legacy=true", "N=200,iou=1",
			"N=333,fill=special,iou=0.7,score_threshold=0.1", "N=3000,iou=0.45"},
		Gate: []string{"N=5000"},
		New: func(p suite.Params) (suite.Case, error) {
			r := suite.ParamReader{P: p}
			c := &nmsCase{N: r.Int("N", 0), IoU: float32(r.Unit("iou")), ScoreThr: float32(r.Float("score_threshold")),
				Legacy: r.Bool("legacy"), Kind: r.Enum("fill", fills...)}
			r.Check(!math.IsNaN(float64(c.ScoreThr)), "score_threshold is NaN (use -inf for none)")
			checkExactFill(&r, c.Kind, "iou", c.IoU)
			return c, r.Err
		},
	})
}
