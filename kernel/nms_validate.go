package kernel

import "math"

// nmsIoU checks an IoU threshold: a number in [0, 1]. Outside that
// range "IoU > t" is constant, and t < 0 would make disjoint boxes (IoU 0)
// suppress each other.
func nmsIoU(name string, t float32) error {
	if !(t >= 0 && t <= 1) {
		return Shapef("%s = %g (must be in [0, 1])", name, t)
	}
	return nil
}

// nmsCount checks a box count or an image count.
func nmsCount(name string, n int) error {
	if n < 0 {
		return Shapef("%s = %d (must be >= 0)", name, n)
	}
	return nil
}

func (op NMS) Validate() error {
	n := op.N
	var thr error
	if math.IsNaN(float64(op.ScoreThreshold)) {
		thr = Shapef("score threshold is NaN (use -Inf for none)")
	}
	return First(nmsCount("N", n), nmsIoU("IoU", op.IoU), thr, CheckArgs(
		F32Arg("boxes", op.Boxes, 4*n), F32Arg("scores", op.Scores, n),
		I32Arg("keep", op.Keep, n), I32Arg("count", op.Count, 1)))
}

func (op SoftNMS) Validate() error {
	n := op.N
	var param error
	switch op.Method {
	case SoftNMSHard, SoftNMSLinear:
		param = nmsIoU("Nt", op.Nt)
	case SoftNMSGaussian:
		if !(op.Sigma > 0) || math.IsInf(float64(op.Sigma), 0) {
			param = Shapef("sigma = %g (must be finite and > 0)", op.Sigma)
		}
	default:
		param = Shapef("soft-NMS method %d (want 0 hard, 1 linear or 2 gaussian)", op.Method)
	}
	if param == nil && math.IsNaN(float64(op.Threshold)) {
		param = Shapef("score threshold is NaN")
	}
	return First(nmsCount("N", n), param, CheckArgs(
		F32Arg("boxes", op.Boxes, 4*n), F32Arg("scores", op.Scores, n),
		I32Arg("keep", op.Keep, n), F32Arg("kept_scores", op.KeptScores, n), I32Arg("count", op.Count, 1)))
}

func (op BatchedNMS) Validate() error {
	b, n := op.Images, op.N
	bn := b * n
	return First(nmsCount("images", b), nmsCount("N", n), nmsIoU("IoU", op.IoU), CheckArgs(
		I32Arg("counts", op.Counts, b), F32Arg("boxes", op.Boxes, 4*bn), F32Arg("scores", op.Scores, bn),
		I32Arg("labels", op.Labels, bn), I32Arg("keep", op.Keep, bn), I32Arg("keep_count", op.KeepCount, b)))
}
