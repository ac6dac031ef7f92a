//go:build cuda

package cuda

import (
	"fmt"

	"github.com/nbench/nbench/kernel"
)

// NMS kernels (kernels/nms.cu). Hard NMS runs all on the device: sort by
// rank, IoU bitmask, then the sequential sweep in one block. Soft-NMS runs
// its rounds in one block.

func init() {
	register("nms", prepareNMS)
	register("soft_nms", prepareSoftNMS)
}

// nmsMaxN bounds N for hard NMS: the bitmask takes N*ceil(N/64)*8 bytes
// (512 MiB at 65536).
const nmsMaxN = 1 << 16

func prepareNMS(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.NMS)
	n := op.N
	if n > nmsMaxN {
		return nil, fmt.Errorf("%w: nms with N = %d > %d (bitmask of N^2/8 bytes)", kernel.ErrUnimplemented, n, nmsMaxN)
	}
	k := b.newBound("nms_rank nms_mask nms_sweep (sweep on device, 1 block)")
	if n == 0 {
		return k, k.memset32(op.Count, 1, 0)
	}
	cols := ceilDiv(n, 64)
	var l wsLayout
	order, sboxes, ncand := l.take(4*int64(n)), l.take(16*int64(n)), l.take(4)
	mask := l.take(8 * int64(n) * int64(cols))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	var one float32
	if op.Legacy {
		one = 1
	}
	rank := (&args{}).ptr(b, op.Scores).ptr(b, op.Boxes).i32(n).f32(op.ScoreThreshold).ws(order).ws(sboxes).ws(ncand)
	if err := k.add("nms", "nms_rank", grid1(ceilDiv(n, 256)), threads(256), 0, rank); err != nil {
		return nil, err
	}
	m := (&args{}).ws(sboxes).i32(n).f32(op.IoU).f32(one).flag(op.Legacy).ws(mask).i32(cols)
	if err := k.add("nms", "nms_mask", grid2(cols, cols), threads(64), 0, m); err != nil {
		return nil, err
	}
	sw := (&args{}).ws(mask).ws(order).ws(ncand).i32(cols).ptr(b, op.Keep).ptr(b, op.Count)
	return k, k.add("nms", "nms_sweep", grid1(1), threads(256), 8*cols, sw)
}

func prepareSoftNMS(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.SoftNMS)
	n := op.N
	k := b.newBound("soft_nms (rounds on device, 1 block, float64)")
	if n == 0 {
		return k, k.memset32(op.Count, 1, 0)
	}
	var l wsLayout
	bx, sc, ix := l.take(2*16*int64(n)), l.take(2*8*int64(n)), l.take(2*4*int64(n))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	var one float64
	if op.PlusOne {
		one = 1
	}
	a := (&args{}).ptr(b, op.Boxes).ptr(b, op.Scores).i32(n).i32(int(op.Method)).f64(float64(op.Sigma)).f64(float64(op.Nt)).
		f64(float64(op.Threshold)).f64(one).ws(bx).ws(sc).ws(ix).ptr(b, op.Keep).ptr(b, op.KeptScores).ptr(b, op.Count)
	return k, k.add("nms", "soft_nms", grid1(1), threads(512), 0, a)
}
