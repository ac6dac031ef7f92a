package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/softpv"
	"github.com/nbench/nbench/kernel"
)

// repquant_ln_linear (KERNELS.md 3.4): LN with the level's row primitives
// (norms.go), the per-tensor quantizer, then the Linear as gemm_f32 (its
// packing, k blocking and prefetching): Y = x^' W'^T + bias with
// x^' = (q - zt)*dt, as the spec writes it. W' is float32, so the int8
// GEMM tiles do not apply (quantizing W' would break the normwise 1e-5
// check). gemm_f32 replaced the attention's 6x64 qk tile over the whole of
// C (77-81% of the FMA probe: each panel's W came from DRAM on its first
// row block, without prefetch); Y then rounds differently (the bias first,
// dt inside the products), within the tolerance. Each LN row is quantized
// in one vector pass (quantK.rqCodes: the codes and x^'; rqCodesGo where the
// level has none, as on arm64); the Go loop took 7-12% of the full shapes.

func init() {
	register("repquant_ln_linear", prepareRepQuantLNLinear, func(l *level) bool { return gf32Of(l) != nil })
}

func prepareRepQuantLNLinear(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantLNLinear)
	gk := gf32Of(b.lv)
	if gk == nil {
		return b.pure.Prepare(op)
	}
	M, C := op.M, op.C
	v := b.lv.f
	x, gm, bt, q := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.U8s(op.Q)
	xh := make([]float32, M*C) // x^'
	gemm := newGemmF32(b, gk, &kernel.GemmF32{M: M, N: op.N, K: C, X: &kernel.Host{F32: xh}, W: op.W, Bias: op.Bias, Y: op.Y})
	qmax, zt, dt := int32(1)<<op.Bits-1, op.Zt, op.Dt
	inv := 1 / dt
	// t is clamped before rounding to where the code clamps anyway (and
	// into rneInt's range), as in the pure-Go kernel.
	tlo, thi := float32(-zt-1), float32(qmax-zt+1)
	codes := rqCodesGo
	if b.lv.q != nil && b.lv.q.rqCodes != nil {
		codes = b.lv.q.rqCodes
	}
	type scratch struct {
		t []float32
		q []byte // the codes where op.Q is nil
	}
	pool := newPool(b.threads, func() *scratch { return &scratch{t: make([]float32, C), q: make([]byte, C)} })
	cinv := 1 / float32(C)
	lnRows := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for m := lo; m < hi; m++ {
			xr := x[m*C : (m+1)*C]
			mu := v.sum(xr) * cinv
			variance := v.sumSqDev(xr, mu) * cinv
			v.normAffine(sc.t, xr, gm, bt, mu, rsqrt32(variance+op.Eps))
			qr := sc.q
			if q != nil {
				qr = q[m*C : (m+1)*C]
			}
			codes(qr, xh[m*C:(m+1)*C], sc.t, inv, tlo, thi, dt, zt, qmax)
		}
	}
	return bound(gk.path, func() {
		b.rows(M, 12*C, lnRows)
		gemm.Run()
	}), nil
}

// rqCodesGo sets, over len(t), c = clamp(rne(clamp(t[i]*inv, lo, hi)) + zt,
// 0, qmax), q[i] = byte(c) and xh[i] = float32(c-zt)*dt: x^' of the codes.
// lo and hi keep the rounding in rneInt's range.
func rqCodesGo(q []byte, xh, t []float32, inv, lo, hi, dt float32, zt, qmax int32) {
	q, xh = q[:len(t)], xh[:len(t)]
	for i, tv := range t {
		c := min(max(rneInt(min(max(tv*inv, lo), hi))+zt, 0), qmax)
		q[i] = uint8(c)
		xh[i] = float32(c-zt) * dt
	}
}

// rneInt is int32(rne(v)) for |v| < 2^22: v + 1.5*2^23 rounds to an integer
// half to even (the default rounding) and leaves it in the low mantissa bits.
func rneInt(v float32) int32 { return int32(math.Float32bits(v+12582912)) - 0x4B400000 }

// repquant_softmax_pv (KERNELS.md 3.4 b), integer path (bits <= 4): per
// query row, the V rows are summed per softmax code into at most 16
// buckets (pvBuckets: one widening add per term), then each used bucket is
// shifted by F-k into the int64 sums (shiftAdd), as in the pure-Go kernel.
// The float path (bits > 4) is the pure-Go backend's.

func init() {
	register("repquant_softmax_pv", prepareRepQuantSoftmaxPV, func(l *level) bool { return l.q != nil && l.q.pvShift != nil })
}

// pvShiftGo is the twin of pvShiftAVX512: codes of keep or more add
// nothing (their counts are 32 or more) and are skipped.
func pvShiftGo(all, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool, keep int) {
	for e := range all {
		var a, o int32
		for j, c := range codes {
			if int(c) >= keep {
				continue
			}
			x := int32(v[j*ldv+e])
			if sh := cnt[c]; sh < 32 {
				a += x << sh
			}
			if sh := cnt[256+int(c)]; withOdd && sh < 32 {
				o += x << sh
			}
		}
		all[e] = a
		if withOdd {
			odd[e] = o
		}
	}
}

// pvOutGo is the twin of pvOutAVX512: o = scale*(all + (c*odd)), each
// operation rounded on its own (the conversions keep Go from fusing them),
// odd nil for none.
func pvOutGo(o []float32, all, odd []int32, scale, c float64) {
	for e := range o {
		t := float64(all[e])
		if odd != nil {
			t += float64(c * float64(odd[e]))
		}
		o[e] = float32(scale * t)
	}
}

// pvCounts is pvShift's table of shift counts F-k per code: [q] for
// A_all, [256+q] for A_odd; 32 (adds 0) where the code does not count.
func pvCounts(bits int, mode kernel.SoftmaxQuantMode) *[512]byte {
	var t [512]byte
	F := kernel.SoftmaxPVShift(bits, mode)
	for q := range 256 {
		t[q], t[256+q] = 32, 32
		if q >= 1<<bits {
			continue
		}
		if mode == kernel.QuantLog2 {
			t[q] = byte(F - q)
			continue
		}
		t[q] = byte(F - (q+1)/2)
		if q%2 == 1 {
			t[256+q] = t[q]
		}
	}
	return &t
}

func prepareRepQuantSoftmaxPV(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantSoftmaxPV)
	qk := b.lv.q
	if qk == nil || qk.pvShift == nil || op.Bits > 4 ||
		qk.pvBuckets == nil && !kernel.SoftmaxPVIntOK(op.Bits, op.Mode, op.S) {
		return b.pure.Prepare(op)
	}
	S, Dv, L := op.S, op.Dv, op.L
	pq, vi, out := kernel.U8s(op.Pq), kernel.I8s(op.Vi), kernel.F32s(op.O)
	aall, aodd := kernel.I32s(op.Aall), kernel.I32s(op.Aodd)
	sqrt := op.Mode == kernel.QuantLogSqrt2
	F := kernel.SoftmaxPVShift(op.Bits, op.Mode)
	drop := 1 << op.Bits
	scaleF := math.Ldexp(float64(op.Scale)*float64(op.SV), -F)
	type scratch struct {
		all, odd   []int64
		bk         []int32
		all32, o32 []int32
	}
	pool := newPool(b.threads, func() *scratch {
		return &scratch{all: make([]int64, Dv), odd: make([]int64, Dv), bk: make([]int32, drop*Dv),
			all32: make([]int32, Dv), o32: make([]int32, Dv)}
	})
	// Where the sums fit int32 (SoftmaxPVIntOK), one shift per term and no
	// buckets (pvShift); otherwise buckets summed in int64.
	var cnt *[512]byte
	if kernel.SoftmaxPVIntOK(op.Bits, op.Mode, S) {
		cnt = pvCounts(op.Bits, op.Mode)
	}
	pvOut := qk.pvOut
	if pvOut == nil {
		pvOut = pvOutGo
	}
	shifted := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for row := lo; row < hi; row++ {
			bh := row / L
			codes, v := pq[row*S:(row+1)*S], vi[bh*S*Dv:(bh+1)*S*Dv]
			// The sums go straight to A_all and A_odd where they are asked for.
			all, odd := sc.all32, sc.o32
			if aall != nil {
				all = aall[row*Dv : (row+1)*Dv]
			}
			if sqrt && aodd != nil {
				odd = aodd[row*Dv : (row+1)*Dv]
			}
			for c0 := 0; c0 < Dv; {
				c1 := min(c0+qk.pvLanes, Dv)
				if qk.pvStep > 1 {
					c1 = c0 + (c1-c0)/qk.pvStep*qk.pvStep
				}
				if c1 == c0 { // lanes short of a step
					pvShiftGo(all[c0:], odd[c0:], codes, v[c0:], Dv, cnt, sqrt, drop)
					break
				}
				qk.pvShift(all[c0:c1], odd[c0:c1], codes, v[c0:], Dv, cnt, sqrt, drop)
				c0 = c1
			}
			if !sqrt {
				odd = nil
			}
			pvOut(out[row*Dv:(row+1)*Dv], all, odd, scaleF, math.Sqrt2-1)
		}
	}
	body := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		all, odd, bk := sc.all, sc.odd, sc.bk
		for row := lo; row < hi; row++ {
			bh := row / L
			used := qk.pvBuckets(bk, pq[row*S:(row+1)*S], vi[bh*S*Dv:(bh+1)*S*Dv], Dv, drop)
			softpv.Combine(all, odd, bk, used, drop, F, Dv, sqrt, qk.shiftAdd)
			softpv.Output(out[row*Dv:(row+1)*Dv], softpv.Row(aall, row, Dv), softpv.Row(aodd, row, Dv), all, odd, scaleF)
		}
	}
	if cnt != nil {
		body = shifted
	}
	return bound(qk.path, func() { b.rows(op.BH*L, S*Dv, body) }), nil
}
