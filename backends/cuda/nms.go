//go:build cuda

package cuda

import (
	"fmt"
	"strings"

	"github.com/nbench/nbench/kernel"
)

// NMS kernels (kernels/nms.cu). Hard NMS runs all on the device: sort by
// rank, IoU bitmask, then the sequential sweep. Soft-NMS runs its rounds in
// one cooperative launch across up to one block per multiprocessor.

func init() {
	register("nms", prepareNMS)
	register("soft_nms", prepareSoftNMS)
	register("batched_nms", prepareBatchedNMS)
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
	if blocks := b.sweepBlocks(cols); blocks > 1 {
		k.path = strings.Replace(k.path, "nms_sweep (sweep on device, 1 block)",
			fmt.Sprintf("nms_sweep_grid (sweep on device, %d blocks with grid barriers)", blocks), 1)
		removed, bar := l.take(8*int64(cols)), l.take(4)
		if err := b.reserve(l.size); err != nil {
			return nil, err
		}
		if err := k.memsetScratch(removed, 2*int64(cols), 0); err != nil {
			return nil, err
		}
		if err := k.memsetScratch(bar, 1, 0); err != nil {
			return nil, err
		}
		sw := (&args{}).ws(mask).ws(order).ws(ncand).i32(cols).ws(removed).ws(bar).ptr(b, op.Keep).ptr(b, op.Count)
		return k, k.addCoop("nms", "nms_sweep_grid", blocks, 256, sweepShared, sw)
	}
	sw := (&args{}).ws(mask).ws(order).ws(ncand).i32(cols).ptr(b, op.Keep).ptr(b, op.Count)
	return k, k.add("nms", "nms_sweep", grid1(1), threads(256), 8*cols, sw)
}

// sweepShared is nms_sweep_grid's dynamic shared memory (SweepShared:
// 64 words, 64 + 1 ints).
const sweepShared = 64*8 + 65*4

// sweepGridCols is the bitmap width (N/64) from which the hard-NMS sweep
// runs across blocks: below it one block's OR work per chunk is short and
// a grid barrier per chunk would cost more than it spreads.
const sweepGridCols = 64

// sweepBlocks is the number of blocks of the hard-NMS sweep over cols
// bitmap words: 1 (one block, bitmap in shared memory) below
// sweepGridCols, else up to one per multiprocessor with at least 8 words
// each. NBENCH_CUDA_NMS_SWEEP=block or grid forces either (grid: at least
// 2 blocks where there are 2 words).
func (b *Backend) sweepBlocks(cols int) int {
	grid := max(1, min(b.sms, cols/8))
	switch b.nmsSweep {
	case "block":
		return 1
	case "grid":
		return max(grid, min(2, cols, b.sms))
	}
	if cols < sweepGridCols || !b.coop {
		return 1
	}
	return grid
}

// softPerBlock is the number of candidates per block of soft_nms at most
// (one per thread): an N=20000 round spreads over 79 blocks, so a round
// costs a grid barrier and one candidate per thread.
const softPerBlock = 256

func prepareSoftNMS(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.SoftNMS)
	n := op.N
	blocks := max(1, min(ceilDiv(n, softPerBlock), b.sms))
	k := b.newBound(fmt.Sprintf("soft_nms (rounds on device, %d blocks with grid barriers, float64)", blocks))
	if n == 0 {
		return k, k.memset32(op.Count, 1, 0)
	}
	var l wsLayout
	bx, sc, ix := l.take(2*16*int64(n)), l.take(2*8*int64(n)), l.take(2*4*int64(n))
	slotS, slotI, bar := l.take(8*2*int64(blocks)), l.take(4*4*int64(blocks)), l.take(4)
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	var one float64
	if op.PlusOne {
		one = 1
	}
	a := (&args{}).ptr(b, op.Boxes).ptr(b, op.Scores).i32(n).i32(int(op.Method)).f64(float64(op.Sigma)).f64(float64(op.Nt)).
		f64(float64(op.Threshold)).f64(one).ws(bx).ws(sc).ws(ix).ws(slotS).ws(slotI).ws(bar).
		ptr(b, op.Keep).ptr(b, op.KeptScores).ptr(b, op.Count)
	// The barrier counter starts at zero on every run.
	if err := k.memsetScratch(bar, 1, 0); err != nil {
		return nil, err
	}
	return k, k.addCoop("nms", "soft_nms", blocks, softThreads, softShared, a)
}

// Block size and dynamic shared memory of soft_nms (nms.cu: SOFT_T and
// SoftShared: 8 Best of 16 bytes, 33 + 1 + 2 ints).
const (
	softThreads = 256
	softShared  = 8*16 + 36*4
)

// prepareBatchedNMS: per image, the candidates ranked by (label, score)
// and by score (bnms_rank), each one's label-group end (bnms_gend), the IoU
// bitmask between boxes of one label, only the words within each row's
// group (bnms_mask), the greedy sweep, a block per image (bnms_sweep), and
// the kept indices in score order (bnms_emit). Every image has its own N-sized
// slice of each workspace array.
func prepareBatchedNMS(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.BatchedNMS)
	n, nb := op.N, op.Images
	if n > nmsMaxN {
		return nil, fmt.Errorf("%w: batched_nms with N = %d > %d (bitmask of N^2/8 bytes per image)", kernel.ErrUnimplemented, n, nmsMaxN)
	}
	if nb > 65535 {
		return nil, fmt.Errorf("%w: batched_nms with %d images > 65535 (grid limit)", kernel.ErrUnimplemented, nb)
	}
	k := b.newBound("bnms_rank bnms_gend bnms_mask bnms_sweep bnms_emit (sweep on device, 1 block per image)")
	if nb == 0 {
		return k, nil
	}
	if n == 0 {
		return k, k.memset32(op.KeepCount, int64(nb), 0)
	}
	cols := ceilDiv(n, 64)
	bn := int64(nb) * int64(n)
	var l wsLayout
	lbox, llab, lsrank, sorder, gend := l.take(16*bn), l.take(4*bn), l.take(4*bn), l.take(4*bn), l.take(4*bn)
	ncand, flag, mask := l.take(4*int64(nb)), l.take(bn), l.take(8*bn*int64(cols))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	rank := (&args{}).ptr(b, op.Counts).ptr(b, op.Scores).ptr(b, op.Boxes).ptr(b, op.Labels).i32(n).
		ws(lbox).ws(llab).ws(lsrank).ws(sorder).ws(ncand)
	if err := k.add("nms", "bnms_rank", grid2(ceilDiv(n, 256), nb), threads(256), 0, rank); err != nil {
		return nil, err
	}
	ge := (&args{}).ws(llab).ws(ncand).i32(n).ws(gend)
	if err := k.add("nms", "bnms_gend", grid2(ceilDiv(n, 256), nb), threads(256), 0, ge); err != nil {
		return nil, err
	}
	m := (&args{}).ws(lbox).ws(llab).ws(gend).ws(ncand).i32(n).f32(op.IoU).ws(mask).i32(cols)
	if err := k.add("nms", "bnms_mask", [3]int{cols, cols, nb}, threads(64), 0, m); err != nil {
		return nil, err
	}
	sw := (&args{}).ws(mask).ws(ncand).ws(lsrank).ws(gend).i32(n).i32(cols).ws(flag)
	if err := k.add("nms", "bnms_sweep", grid1(nb), threads(256), 8*cols, sw); err != nil {
		return nil, err
	}
	em := (&args{}).ws(flag).ws(sorder).ws(ncand).i32(n).ptr(b, op.Keep).ptr(b, op.KeepCount)
	return k, k.add("nms", "bnms_emit", grid1(nb), threads(256), 0, em)
}
