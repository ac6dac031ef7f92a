package pure

import (
	"math"

	"github.com/nbench/nbench/backends/internal/softpv"
	"github.com/nbench/nbench/kernel"
)

// RepQuant (KERNELS.md 3.4): the reparameterized LN + per-tensor quantizer
// + Linear, and the shift-based P@V.

func prepareRepQuantLNLinear(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantLNLinear)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	M, C, N := op.M, op.C, op.N
	x, gm, bt, q := kernel.F32s(op.X), kernel.F32s(op.Gamma), kernel.F32s(op.Beta), kernel.U8s(op.Q)
	// W' [N,C] packed once into 2-column panels [C][2] (odd N: a zero column).
	wp := packPanels2(kernel.F32s(op.W), N, C)
	sg := newSgemm(b, M, N, C, false, kernel.F32s(op.Bias), kernel.F32s(op.Y),
		func(p int, _ []float32) []float32 { return wp[p*2*C : (p+1)*2*C] })
	qmax, zt, dt := int32(1)<<op.Bits-1, op.Zt, op.Dt
	inv := 1 / dt
	// t is clamped before rounding to where the code clamps anyway, which
	// also keeps it in rneInt's range.
	tlo, thi := float32(-zt-1), float32(qmax-zt+1)
	rows := func(lo, hi int) {
		for m := lo; m < hi; m++ {
			xr := x[m*C : (m+1)*C]
			mu, v := meanVar(xr)
			rstd := float32(1 / math.Sqrt(float64(v+op.Eps)))
			xp := sg.xp[(m/4)*4*C+m%4:]
			xp = xp[:4*(C-1)+1]
			gm, bt := gm[:len(xr)], bt[:len(xr)]
			for c, xv := range xr {
				t := ((xv-mu)*rstd*gm[c] + bt[c]) * inv
				if t < tlo {
					t = tlo
				} else if t > thi {
					t = thi
				}
				code := clampI32(rneInt(t)+zt, 0, qmax)
				if q != nil {
					q[m*C+c] = uint8(code)
				}
				xp[4*c] = float32(code-zt) * dt
			}
		}
	}
	return bound(func() {
		b.rows(M, 12*C, rows)
		sg.run()
	}), nil
}

// ---- repquant_softmax_pv ----

func prepareRepQuantSoftmaxPV(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.RepQuantSoftmaxPV)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	S, Dv, L := op.S, op.Dv, op.L
	pq, vi, out := kernel.U8s(op.Pq), kernel.I8s(op.Vi), kernel.F32s(op.O)
	aall, aodd := kernel.I32s(op.Aall), kernel.I32s(op.Aodd)
	sqrt := op.Mode == kernel.QuantLogSqrt2
	F := kernel.SoftmaxPVShift(op.Bits, op.Mode)
	drop := 1 << op.Bits
	intPath := op.Bits <= 4
	// Per worker: the int64 sums (even and odd terms), the float64 sums
	// (b > 4), and the integer path's buckets: V rows summed per code q
	// (at most 16), so each term costs one add and the shifts 2^(F-k) are
	// applied once per code and row.
	ints := make([][]int64, b.threads)
	flts := make([][]float64, b.threads)
	bkts := make([][]int32, b.threads)
	for i := range ints {
		ints[i], flts[i] = make([]int64, 2*Dv), make([]float64, Dv)
		if intPath {
			bkts[i] = make([]int32, drop*Dv)
		}
	}
	scaleF := math.Ldexp(float64(op.Scale)*float64(op.SV), -F)
	body := func(w, lo, hi int) {
		all, odd := ints[w][:Dv], ints[w][Dv:]
		acc, bk := flts[w], bkts[w]
		for row := lo; row < hi; row++ {
			bh := row / L
			codes := pq[row*S : (row+1)*S]
			v := vi[bh*S*Dv : (bh+1)*S*Dv]
			o := out[row*Dv : (row+1)*Dv]
			if !intPath {
				clear(acc)
				for j, c := range codes {
					q := int(c)
					if q >= drop {
						continue
					}
					k, f := q, 1.0
					if sqrt {
						k = (q + 1) / 2
						if q%2 == 1 {
							f = math.Sqrt2
						}
					}
					axpyI8F64(acc, v[j*Dv:(j+1)*Dv], math.Ldexp(f, -k))
				}
				for e := range o {
					o[e] = float32(float64(op.Scale) * float64(op.SV) * acc[e])
				}
				continue
			}
			used := softpv.Buckets(bk, codes, v, Dv, drop)
			softpv.Combine(all, odd, bk, used, drop, F, Dv, sqrt, softpv.ShiftAdd)
			softpv.Output(o, softpv.Row(aall, row, Dv), softpv.Row(aodd, row, Dv), all, odd, scaleF)
		}
	}
	return bound(b.workerParts(op.BH*L, S*Dv, body)), nil
}

// axpyI8F64 adds f*v to a.
func axpyI8F64(a []float64, v []int8, f float64) {
	a = a[:len(v)]
	for e, x := range v {
		a[e] += float64(x) * f
	}
}
