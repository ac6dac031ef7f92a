//go:build cuda

package cuda

import (
	"fmt"

	"github.com/nbench/nbench/kernel"
)

// Attention kernels (kernels/attention.cu).

func init() {
	register("softmax_attention", prepareSoftmaxAttention)
	register("sla2d", prepareSLA)
	register("sla1d", prepareSLA)
}

// Tile sizes of attention.cu.
const (
	attRows = 16 // query rows per block
	attKeys = 32 // keys per tile
	slaCh   = 32 // rows per SLA chunk
)

func prepareSoftmaxAttention(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.SoftmaxAttention)
	nu := 0
	for _, u := range []int{1, 2, 4, 8} {
		if op.Dv <= 32*u {
			nu = u
			break
		}
	}
	if nu == 0 {
		return nil, fmt.Errorf("%w: softmax_attention with Dv = %d > 256", kernel.ErrUnimplemented, op.Dv)
	}
	name := fmt.Sprintf("attn_fwd_u%d", nu)
	k := b.newBound(name)
	bh := op.B * op.H
	if bh == 0 || op.L == 0 {
		return k, nil
	}
	smem := 4 * (attRows*op.D + attKeys*(op.D|1) + attKeys*op.Dv)
	a := (&args{}).ptr(b, op.Q).ptr(b, op.K).ptr(b, op.V).ptr(b, op.O).i32(op.L).i32(op.S).i32(op.D).i32(op.Dv).
		f32(op.Scale).flag(op.Causal)
	return k, k.add("attention", name, grid2(ceilDiv(op.L, attRows), bh), threads(128), smem, a)
}

// prepareSLA: per-chunk Kr^T V and sum Kr (sla_chunk_kv), their prefix or
// total over chunks (sla_scan), then the output rows (sla_out).
func prepareSLA(b *Backend, o kernel.Op) (*bound, error) {
	op := o.(kernel.SimplifiedLinearAttention)
	k := b.newBound("sla_chunk_kv sla_scan sla_out")
	bh := op.B * op.H
	if bh == 0 || op.L == 0 {
		return k, nil
	}
	chunks := ceilDiv(op.L, slaCh)
	e := op.D*op.Dv + op.D
	var l wsLayout
	w := l.take(4 * int64(bh) * int64(chunks) * int64(e))
	if err := b.reserve(l.size); err != nil {
		return nil, err
	}
	kv := (&args{}).ptr(b, op.K).ptr(b, op.V).ptr(b, op.Pk).i32(op.H).i32(op.L).i32(op.D).i32(op.Dv).ws(w)
	if err := k.add("attention", "sla_chunk_kv", grid2(chunks, bh), threads(256), 4*slaCh*(op.D+op.Dv), kv); err != nil {
		return nil, err
	}
	scan := (&args{}).ws(w).i32(chunks).i32(e).flag(op.Causal)
	if err := k.add("attention", "sla_scan", grid2(ceilDiv(e, 256), bh), threads(256), 0, scan); err != nil {
		return nil, err
	}
	smem := slaCh*op.D + slaCh
	if op.Causal {
		smem += slaCh*op.D + slaCh*op.Dv + slaCh*(slaCh+1)
	}
	conv2d := op.Conv == kernel.SLAConv2D
	out := (&args{}).ptr(b, op.Q).ptr(b, op.K).ptr(b, op.V).ptr(b, op.Pk).ptr(b, op.Wd).ptr(b, op.Bd).ws(w).ptr(b, op.O).
		i32(op.H).i32(op.L).i32(op.D).i32(op.Dv).flag(op.Causal).flag(conv2d).i32(op.GridH).i32(op.GridW)
	return k, k.add("attention", "sla_out", grid2(chunks, bh), threads(256), 4*smem, out)
}
