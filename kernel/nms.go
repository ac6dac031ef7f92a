package kernel

// NMS ops (KERNELS.md section 4). Boxes f32 [N,4] as (x1,y1,x2,y2), scores
// f32 [N]. Kept original indices go to Keep i32 [N] in selection order and
// their number to Count i32 [1]; entries of Keep past Count are unspecified.

// NMS: greedy hard NMS, suppress when IoU > IoU (strict). Legacy selects the
// Fast R-CNN convention: +1 pixel widths and suppression at IoU >= threshold.
// Boxes with a score below ScoreThreshold are dropped (use -Inf for none).
type NMS struct {
	N                   int
	IoU, ScoreThreshold float32
	Legacy              bool
	Boxes, Scores       Tensor
	Keep, Count         Tensor
}

// SoftNMSMethod is the Soft-NMS score decay.
type SoftNMSMethod uint8

const (
	SoftNMSHard     SoftNMSMethod = 0
	SoftNMSLinear   SoftNMSMethod = 1
	SoftNMSGaussian SoftNMSMethod = 2
)

// SoftNMS (official semantics, lowest-index ties). KeptScores f32 [N] gets
// each kept box's decayed score at selection time.
type SoftNMS struct {
	N                       int
	Method                  SoftNMSMethod
	Sigma, Nt, Threshold    float32
	PlusOne                 bool
	Boxes, Scores           Tensor
	Keep, KeptScores, Count Tensor
}

// BatchedNMS: class-aware NMS per image. Images B, each with capacity N:
// Counts i32 [B] valid boxes per image, Boxes [B,N,4], Scores [B,N],
// Labels i32 [B,N]. Keep i32 [B,N] holds each image's kept indices (within
// the image) sorted by score descending, KeepCount i32 [B] their number.
type BatchedNMS struct {
	Images, N                     int
	IoU                           float32
	Counts, Boxes, Scores, Labels Tensor
	Keep, KeepCount               Tensor
}

func (NMS) Kernel() string        { return "nms" }
func (SoftNMS) Kernel() string    { return "soft_nms" }
func (BatchedNMS) Kernel() string { return "batched_nms" }
