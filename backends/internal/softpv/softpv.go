// Package softpv is the integer combination step of RepQuant's shift-based
// P@V (repquant_softmax_pv, KERNELS.md 3): the per-code bucket sums of V,
// shifted by their code's exponent, added into the even and odd (log-sqrt2)
// terms, and the output row. The CPU backends build the buckets their own
// way and share this step, so its arithmetic is written once.
package softpv

import "math"

// Combine clears all and odd, then adds bucket q of bk (Dv int32 sums of
// the V rows whose code is q, for each q below drop set in used) shifted
// left by F-k: k = q for log2 codes; for log-sqrt2 codes k = (q+1)/2 and
// odd q go to odd. shiftAdd(a, b, sh) adds b<<sh to a (ShiftAdd, or a
// vector version of it).
func Combine(all, odd []int64, bk []int32, used uint32, drop, F, Dv int, sqrt bool, shiftAdd func(a []int64, b []int32, sh uint64)) {
	clear(all)
	clear(odd)
	for q := 0; q < drop; q++ {
		if used&(1<<q) == 0 {
			continue
		}
		k, dst := q, all
		if sqrt {
			k = (q + 1) / 2
			if q%2 == 1 {
				dst = odd
			}
		}
		shiftAdd(dst, bk[q*Dv:(q+1)*Dv], uint64(F-k))
	}
}

// Buckets sums the V rows v[j] (dv int8 each) whose code codes[j] is below
// drop into bucket codes[j] of bk (dv int32 each), and returns the set of
// buckets written; the others are left as they were.
func Buckets(bk []int32, codes []byte, v []int8, dv, drop int) uint32 {
	var used uint32
	for j, c := range codes {
		q := int(c)
		if q >= drop {
			continue
		}
		dst, vj := bk[q*dv:(q+1)*dv], v[j*dv:(j+1)*dv]
		if used&(1<<q) == 0 {
			used |= 1 << q
			for e, x := range vj {
				dst[e] = int32(x)
			}
			continue
		}
		for e, x := range vj {
			dst[e] += int32(x)
		}
	}
	return used
}

// ShiftAdd adds b[e] << sh to a[e].
func ShiftAdd(a []int64, b []int32, sh uint64) {
	a = a[:len(b)]
	for e, x := range b {
		a[e] += int64(x) << sh
	}
}

// Output writes one output row from Combine's even and odd terms:
// o = scaleF * (A_all + (sqrt2-1) A_odd) with A_all = even + odd, and the
// integer rows A_all, A_odd where aall, aodd are not nil.
func Output(o []float32, aall, aodd []int32, all, odd []int64, scaleF float64) {
	for e := range o {
		a, d := all[e]+odd[e], odd[e]
		o[e] = float32(scaleF * (float64(a) + (math.Sqrt2-1)*float64(d)))
		if aall != nil {
			aall[e] = int32(a)
		}
		if aodd != nil {
			aodd[e] = int32(d)
		}
	}
}

// Row is row r of a [rows][n] matrix, nil for a nil (absent) matrix.
func Row(a []int32, r, n int) []int32 {
	if a == nil {
		return nil
	}
	return a[r*n : (r+1)*n]
}
