package pure

import (
	"math"

	"github.com/nbench/nbench/kernel"
)

func init() {
	register("softmax_attention", prepareSoftmaxAttention)
	register("sla2d", prepareSLA)
	register("sla1d", prepareSLA)
}

// Blocking of the attention kernels. A block of attnRows query rows is
// done at once: its scores two rows by three keys (6 accumulators, each q
// load used 3 times and each k load twice), its P V four rows by two keys
// (each v load serves 4 rows). A work item is a tile of attnQTile query
// rows whose blocks share each key tile of attnKTile keys while it is in L1.
const (
	attnRows  = 4
	attnKTile = 64
	attnQTile = 32
	slaChunk  = 16 // tokens per chunk of causal SLA (intra-chunk work is quadratic in it)
)

// scratchPool hands per-worker scratch (allocated in Prepare) to the bodies
// par.For runs. par.For runs at most b.threads bodies at once, so a receive
// never blocks, and channel operations do not allocate.
type scratchPool[T any] chan *T

func newScratchPool[T any](n int, mk func() *T) scratchPool[T] {
	p := make(scratchPool[T], n)
	for range n {
		p <- mk()
	}
	return p
}

// ---- softmax attention: fused online softmax (flash style) ----

type softmaxScratch struct {
	s     []float32 // [attnRows][attnKTile] scores, then probabilities
	acc   []float32 // [attnQTile][Dv] unnormalised outputs of the query tile
	m, l  []float32 // [attnQTile] running max and running sum of exp
	dummy []float32 // [Dv] accumulator of the padding rows of a partial register block
	zero  []float32 // [max(D, Dv)] zeros standing in for a missing key
}

func prepareSoftmaxAttention(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SoftmaxAttention)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	q, k, v, out := kernel.F32s(op.Q), kernel.F32s(op.K), kernel.F32s(op.V), kernel.F32s(op.O)
	L, S, D, Dv := op.L, op.S, op.D, op.Dv
	nqt := (L + attnQTile - 1) / attnQTile
	pool := newScratchPool(b.threads, func() *softmaxScratch {
		return &softmaxScratch{s: make([]float32, attnRows*attnKTile), acc: make([]float32, attnQTile*Dv),
			m: make([]float32, attnQTile), l: make([]float32, attnQTile),
			dummy: make([]float32, Dv), zero: make([]float32, max(D, Dv))}
	})
	body := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for it := lo; it < hi; it++ {
			bh, t := it/nqt, it%nqt
			if op.Causal {
				t = balanced(t, nqt)
			}
			i0 := t * attnQTile
			softmaxTile(sc, &op, q[bh*L*D:(bh+1)*L*D], k[bh*S*D:(bh+1)*S*D], v[bh*S*Dv:(bh+1)*S*Dv],
				out[bh*L*Dv:(bh+1)*L*Dv], i0, min(i0+attnQTile, L))
		}
	}
	items, perItem := op.B*op.H*nqt, 2*attnQTile*S*(D+Dv)
	return bound(func() { b.rows(items, perItem, body) }), nil
}

// balanced reorders the query tiles of a causal head as 0, n-1, 1, n-2, ...
// so that the contiguous chunks par.For hands out get equal work (tile t
// costs about t+1).
func balanced(t, n int) int {
	if t%2 == 0 {
		return t / 2
	}
	return n - 1 - t/2
}

// softmaxTile computes output rows [i0, i1) of one head: q, k, v and o are
// the head's slices. Key tiles are the outer loop so that each stays in
// cache while every register block of the query tile uses it.
func softmaxTile(sc *softmaxScratch, op *kernel.SoftmaxAttention, q, k, v, o []float32, i0, i1 int) {
	D, Dv, causal := op.D, op.Dv, op.Causal
	nr := i1 - i0
	acc, m, l := sc.acc[:nr*Dv], sc.m[:nr], sc.l[:nr]
	clear(acc)
	for r := range m {
		m[r], l[r] = float32(math.Inf(-1)), 0
	}
	kEnd := op.S
	if causal {
		kEnd = i1
	}
	var qr, ar [attnRows][]float32
	for kt := 0; kt < kEnd; kt += attnKTile {
		ke := min(kt+attnKTile, kEnd)
		for sb := i0; sb < i1; sb += attnRows {
			rows := min(attnRows, i1-sb)
			// Causal: row sb+r sees keys <= sb+r, so the block sees keys
			// [kt, jend) of this tile and all its rows see [kt, jfull). As
			// attnKTile is a multiple of attnRows, sb >= kt here: jfull > kt.
			jend, jfull := ke, ke
			if causal {
				jend, jfull = min(ke, sb+rows), min(ke, sb+1)
				if jend <= kt {
					continue
				}
			}
			n := jend - kt
			for r := range attnRows {
				if r < rows {
					qr[r], ar[r] = q[(sb+r)*D:(sb+r+1)*D], acc[(sb-i0+r)*Dv:(sb-i0+r+1)*Dv]
				} else {
					qr[r], ar[r] = qr[0], sc.dummy
				}
			}
			s := sc.s
			scores4(s, attnKTile, &qr, k[kt*D:jend*D], D, n, op.Scale, sc.zero)
			for r := range rows {
				sr := s[r*attnKTile : r*attnKTile+n]
				if causal {
					for j := max(sb+r+1-kt, 0); j < n; j++ {
						sr[j] = float32(math.Inf(-1))
					}
				}
				ri := sb - i0 + r
				mNew := m[ri]
				for _, x := range sr {
					if x > mNew {
						mNew = x
					}
				}
				if mNew == float32(math.Inf(-1)) {
					// Every score so far is -Inf or NaN. -Inf adds nothing yet (a
					// row that stays so ends 0/0 = NaN, as in the reference); a
					// NaN score makes the row NaN, which the max did not see.
					for _, x := range sr {
						if x != x {
							l[ri] = x
						}
					}
					clear(sr)
					continue
				}
				alpha := exp32(m[ri] - mNew)
				var sum0, sum1 float32
				j := 0
				for ; j+2 <= len(sr); j += 2 {
					p0, p1 := exp32(sr[j]-mNew), exp32(sr[j+1]-mNew)
					sr[j], sr[j+1] = p0, p1
					sum0 += p0
					sum1 += p1
				}
				if j < len(sr) {
					p := exp32(sr[j] - mNew)
					sr[j] = p
					sum0 += p
				}
				l[ri] = l[ri]*alpha + (sum0 + sum1)
				m[ri] = mNew
				if alpha != 1 {
					scaleRow(ar[r], alpha)
				}
			}
			accum4(&ar, rows, s, attnKTile, 1, v[kt*Dv:], Dv, jfull-kt, sc.zero)
			// Causal diagonal: key j is seen only by rows sb+r >= j.
			for j := jfull; j < jend; j++ {
				for r := j - sb; r < rows; r++ {
					axpy(ar[r], s[r*attnKTile+j-kt], v[j*Dv:(j+1)*Dv])
				}
			}
		}
	}
	for r := range nr {
		or, inv := o[(i0+r)*Dv:(i0+r+1)*Dv], 1/l[r]
		ar := acc[r*Dv : (r+1)*Dv]
		for e := range or {
			or[e] = ar[e] * inv
		}
	}
}

// ---- simplified linear attention (SLAB) ----

type slaScratch struct {
	kvt   []float32 // [Dv+1][D]: rows e < Dv hold (Kr^T V)^T, row Dv holds ks
	kr    []float32 // [slaChunk][D] relu(K + Pk) of one chunk
	qr    []float32 // [slaChunk][D] relu(Q) of one chunk
	s     []float32 // [attnRows][slaChunk] intra-chunk scores (causal)
	num   []float32 // [attnRows][Dv+1] Qr KV and Qr . ks of a register block
	dummy []float32 // [max(D, Dv+1)] accumulator of padding rows
	zero  []float32 // [max(D, Dv)] zeros standing in for a missing token
}

// slaOp is a SimplifiedLinearAttention with its slices unpacked once.
type slaOp struct {
	kernel.SimplifiedLinearAttention
	q, k, v, pk, bd, o []float32
	wd                 []float32 // [Dv][taps] as given
	wt                 []float32 // [taps][Dv] transposed in Run, so each tap is a contiguous vector
	zeroV              []float32 // [Dv] zeros: the conv's padding (read-only, shared)
	taps               int
}

func prepareSLA(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SimplifiedLinearAttention)
	if err := op.Validate(); err != nil {
		return nil, err
	}
	a := &slaOp{SimplifiedLinearAttention: op, q: kernel.F32s(op.Q), k: kernel.F32s(op.K), v: kernel.F32s(op.V),
		pk: kernel.F32s(op.Pk), bd: kernel.F32s(op.Bd), o: kernel.F32s(op.O), wd: kernel.F32s(op.Wd), taps: 5}
	if op.Conv == kernel.SLAConv2D {
		a.taps = 25
	}
	a.wt, a.zeroV = make([]float32, a.taps*op.Dv), make([]float32, op.Dv)
	D, Dv := op.D, op.Dv
	pool := newScratchPool(b.threads, func() *slaScratch {
		return &slaScratch{kvt: make([]float32, (Dv+1)*D), kr: make([]float32, slaChunk*D), qr: make([]float32, slaChunk*D),
			s: make([]float32, attnRows*slaChunk), num: make([]float32, attnRows*(Dv+1)),
			dummy: make([]float32, max(D, Dv+1)), zero: make([]float32, max(D, Dv))}
	})
	body := func(lo, hi int) {
		sc := <-pool
		defer func() { pool <- sc }()
		for bh := lo; bh < hi; bh++ {
			a.head(sc, bh)
		}
	}
	perHead := op.L * (4*D*Dv + 2*(a.taps+1)*Dv)
	return bound(func() {
		for t := range a.taps {
			for e := range Dv {
				a.wt[t*Dv+e] = a.wd[e*a.taps+t]
			}
		}
		b.rows(op.B*op.H, perHead, body)
	}), nil
}

// head computes one (b, h): non-causal builds KV and ks over all tokens and
// then answers every query; causal walks chunks of slaChunk tokens, each
// query seeing the state of the previous chunks plus its own chunk's
// tokens j <= i (the prefix sums of KERNELS.md, summed chunk-wise).
func (a *slaOp) head(sc *slaScratch, bh int) {
	L, D, Dv := a.L, a.D, a.Dv
	qh, kh, vh := a.q[bh*L*D:(bh+1)*L*D], a.k[bh*L*D:(bh+1)*L*D], a.v[bh*L*Dv:(bh+1)*L*Dv]
	oh := a.o[bh*L*Dv : (bh+1)*L*Dv]
	clear(sc.kvt)
	if !a.Causal {
		for c0 := 0; c0 < L; c0 += slaChunk {
			c1 := min(c0+slaChunk, L)
			a.reluK(sc.kr, kh, bh, c0, c1)
			slaUpdate(sc, sc.kr, vh[c0*Dv:c1*Dv], c1-c0, D, Dv)
		}
		for sb := 0; sb < L; sb += attnRows {
			rows := min(attnRows, L-sb)
			reluRows(sc.qr, qh[sb*D:(sb+rows)*D])
			a.query(sc, sc.qr, rows, sb, vh, oh, nil, 0)
		}
		return
	}
	for c0 := 0; c0 < L; c0 += slaChunk {
		c1 := min(c0+slaChunk, L)
		a.reluK(sc.kr, kh, bh, c0, c1)
		reluRows(sc.qr, qh[c0*D:c1*D])
		for sb := c0; sb < c1; sb += attnRows {
			a.query(sc, sc.qr[(sb-c0)*D:], min(attnRows, c1-sb), sb, vh, oh, sc.kr, c0)
		}
		slaUpdate(sc, sc.kr, vh[c0*Dv:c1*Dv], c1-c0, D, Dv)
	}
}

// reluK writes Kr = relu(K + Pk) for tokens [c0, c1) of head bh into kr.
func (a *slaOp) reluK(kr, kh []float32, bh, c0, c1 int) {
	D := a.D
	if a.pk == nil {
		reluRows(kr, kh[c0*D:c1*D])
		return
	}
	h := bh % a.H
	for n := c0; n < c1; n++ {
		dst, src := kr[(n-c0)*D:(n-c0+1)*D], kh[n*D:(n+1)*D]
		pk := a.pk[(n*a.H+h)*D : (n*a.H+h+1)*D]
		for d, x := range src {
			dst[d] = max(x+pk[d], 0)
		}
	}
}

// reluRows writes relu(src) into dst. The builtin max is branch-free (a
// branch on random signs mispredicts half the time) and keeps NaN.
func reluRows(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = max(x, 0)
	}
}

// slaUpdate adds a chunk of n tokens to the state: ks += sum_j Kr_j and
// KVt[e] += sum_j V[j,e] Kr_j.
func slaUpdate(sc *slaScratch, kr, v []float32, n, D, Dv int) {
	ks := sc.kvt[Dv*D : (Dv+1)*D]
	for j := range n {
		krj := kr[j*D : (j+1)*D]
		for d, x := range krj {
			ks[d] += x
		}
	}
	var ar [attnRows][]float32
	for e := 0; e < Dv; e += attnRows {
		rows := min(attnRows, Dv-e)
		for r := range attnRows {
			if r < rows {
				ar[r] = sc.kvt[(e+r)*D : (e+r+1)*D]
			} else {
				ar[r] = sc.dummy[:D]
			}
		}
		accum4(&ar, rows, v[e:], 1, Dv, kr, D, n, sc.zero)
	}
}

// query writes output rows [sb, sb+rows) of a head (vh, oh): O_i = DWC(V)_i +
// (Qr_i KV)/(Qr_i . ks + 1e-6). qr holds relu(Q) of the rows. For causal
// SLA, kr holds the chunk starting at token c0 and the state does not yet
// include it: row i adds the chunk's tokens c0..i itself.
func (a *slaOp) query(sc *slaScratch, qr []float32, rows, sb int, vh, oh, kr []float32, c0 int) {
	D, Dv, ld := a.D, a.Dv, a.Dv+1
	var qp, ar [attnRows][]float32
	for r := range attnRows {
		if r < rows {
			qp[r], ar[r] = qr[r*D:(r+1)*D], sc.num[r*ld:(r+1)*ld]
		} else {
			qp[r], ar[r] = qp[0], sc.dummy[:ld]
		}
	}
	// Numerators and denominators against the state, in one pass (ks is row Dv of kvt).
	scores4(sc.num, ld, &qp, sc.kvt, D, Dv+1, 1, sc.zero)
	if kr != nil {
		jend, jfull := sb+rows, sb+1
		n := jend - c0
		s := sc.s
		scores4(s, slaChunk, &qp, kr[:n*D], D, n, 1, sc.zero)
		for r := range rows {
			sr := s[r*slaChunk : r*slaChunk+n]
			clear(sr[sb+r+1-c0:])
			var den float32
			for _, x := range sr {
				den += x
			}
			ar[r][Dv] += den
			ar[r] = ar[r][:Dv]
		}
		accum4(&ar, rows, s, slaChunk, 1, vh[c0*Dv:], Dv, jfull-c0, sc.zero)
		for j := jfull; j < jend; j++ {
			for r := j - sb; r < rows; r++ {
				axpy(ar[r], s[r*slaChunk+j-c0], vh[j*Dv:(j+1)*Dv])
			}
		}
	}
	for r := range rows {
		num := sc.num[r*ld : (r+1)*ld]
		z := 1 / (num[Dv] + 1e-6)
		or := oh[(sb+r)*Dv : (sb+r+1)*Dv]
		a.dwc(or, sb+r, vh)
		num = num[:len(or)]
		for e := range or {
			or[e] += z * num[e]
		}
	}
}

// dwc writes DWC(V)_n of one head into out: the bias plus the taps, a
// cross-correlation with zero padding. Taps outside the grid or sequence
// read the zero vector, so every call is one 5-tap kernel row.
func (a *slaOp) dwc(out []float32, n int, vh []float32) {
	Dv := a.Dv
	copy(out, a.bd)
	var vs, ws [5][]float32
	tok := func(i int) []float32 { return vh[i*Dv : (i+1)*Dv] }
	zero := a.zeroV
	switch {
	case a.Conv == kernel.SLAConv2D:
		W := a.GridW
		r, c := n/W, n%W
		for u := range 5 {
			rr := r + u - 2
			if rr < 0 || rr >= a.GridH {
				continue
			}
			for w := range 5 {
				cc := c + w - 2
				vs[w], ws[w] = zero, a.wt[(u*5+w)*Dv:(u*5+w+1)*Dv]
				if cc >= 0 && cc < W {
					vs[w] = tok(rr*W + cc)
				}
			}
			axpy5(out, &ws, &vs)
		}
		return
	case a.Causal:
		n -= 4 // taps n-4..n, left-padded
	default:
		n -= 2 // taps n-2..n+2
	}
	for t := range 5 {
		vs[t], ws[t] = zero, a.wt[t*Dv:(t+1)*Dv]
		if i := n + t; i >= 0 && i < a.L {
			vs[t] = tok(i)
		}
	}
	axpy5(out, &ws, &vs)
}

// ---- shared micro-kernels ----

// scores4 writes s[r*ld+j] = scale * (q[r] . k_j) for the 4 rows of q and
// the n keys k_j = k[j*d:(j+1)*d], as two row pairs against key triples
// (6 accumulators: more would spill, Go keeps few floats in registers).
func scores4(s []float32, ld int, q *[attnRows][]float32, k []float32, d, n int, scale float32, zero []float32) {
	s0, s1, s2, s3 := s[:n], s[ld:ld+n], s[2*ld:2*ld+n], s[3*ld:3*ld+n]
	for j := 0; j < n; j += 3 {
		k0, k1, k2 := k[j*d:(j+1)*d], zero[:d], zero[:d]
		if j+1 < n {
			k1 = k[(j+1)*d : (j+2)*d]
		}
		if j+2 < n {
			k2 = k[(j+2)*d : (j+3)*d]
		}
		a0, a1, a2, b0, b1, b2 := dot2x3(q[0], q[1], k0, k1, k2)
		c0, c1, c2, e0, e1, e2 := dot2x3(q[2], q[3], k0, k1, k2)
		s0[j], s1[j], s2[j], s3[j] = scale*a0, scale*b0, scale*c0, scale*e0
		if j+1 < n {
			s0[j+1], s1[j+1], s2[j+1], s3[j+1] = scale*a1, scale*b1, scale*c1, scale*e1
		}
		if j+2 < n {
			s0[j+2], s1[j+2], s2[j+2], s3[j+2] = scale*a2, scale*b2, scale*c2, scale*e2
		}
	}
}

// accum4 adds sum_{j<n} p(r,j) v_j to a[r] for the 4 rows of a, where
// v_j = v[j*ldv:][:len(a[0])] and p(r,j) = p[r*pr+j*pc] for r < rows, 0
// for the padding rows. Two keys at a time, so each v load serves 4 rows.
func accum4(a *[attnRows][]float32, rows int, p []float32, pr, pc int, v []float32, ldv, n int, zero []float32) {
	w := len(a[0])
	var c [2 * attnRows]float32
	for j := 0; j < n; j += 2 {
		v0, v1 := v[j*ldv:j*ldv+w], zero[:w]
		c = [2 * attnRows]float32{}
		for r := range rows {
			c[2*r] = p[r*pr+j*pc]
		}
		if j+1 < n {
			v1 = v[(j+1)*ldv : (j+1)*ldv+w]
			for r := range rows {
				c[2*r+1] = p[r*pr+(j+1)*pc]
			}
		}
		axpy4x2(a[0], a[1], a[2], a[3], c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], v0, v1)
	}
}

// dot2x3 returns q_r . k_c for r < 2, c < 3.
func dot2x3(q0, q1, k0, k1, k2 []float32) (s00, s01, s02, s10, s11, s12 float32) {
	n := len(k0)
	q0, q1, k1, k2 = q0[:n], q1[:n], k1[:n], k2[:n]
	for i, x := range k0 {
		y, z := k1[i], k2[i]
		a, b := q0[i], q1[i]
		s00 += a * x
		s01 += a * y
		s02 += a * z
		s10 += b * x
		s11 += b * y
		s12 += b * z
	}
	return
}

// axpy4x2 does a_r += p_r0*v0 + p_r1*v1 for r < 4.
func axpy4x2(a0, a1, a2, a3 []float32, p00, p01, p10, p11, p20, p21, p30, p31 float32, v0, v1 []float32) {
	n := len(v0)
	a0, a1, a2, a3, v1 = a0[:n], a1[:n], a2[:n], a3[:n], v1[:n]
	for i, x := range v0 {
		y := v1[i]
		a0[i] += p00*x + p01*y
		a1[i] += p10*x + p11*y
		a2[i] += p20*x + p21*y
		a3[i] += p30*x + p31*y
	}
}

// axpy5 does out += sum_t w_t * v_t elementwise over 5 taps.
func axpy5(out []float32, w, v *[5][]float32) {
	n := len(out)
	w0, w1, w2, w3, w4 := w[0][:n], w[1][:n], w[2][:n], w[3][:n], w[4][:n]
	v0, v1, v2, v3, v4 := v[0][:n], v[1][:n], v[2][:n], v[3][:n], v[4][:n]
	for i := range out {
		out[i] += w0[i]*v0[i] + w1[i]*v1[i] + w2[i]*v2[i] + w3[i]*v3[i] + w4[i]*v4[i]
	}
}

// axpy does a += p*v.
func axpy(a []float32, p float32, v []float32) {
	a = a[:len(v)]
	for i, x := range v {
		a[i] += p * x
	}
}

// scaleRow does a *= c.
func scaleRow(a []float32, c float32) {
	for i := range a {
		a[i] *= c
	}
}

// exp32 is e^x in float32 for the x <= 0 of an online softmax (x = s - max),
// within 2.5e-7 relative (4 ulp, measured over [-87.3, 0]): x = n*ln2 + r
// with |r| <= ln2/2 (Cody-Waite split), e^r by its degree-6 Taylor
// polynomial (error r^7/7! < 1.2e-7), times 2^n.
// NaN gives NaN; x below the normal float32 range gives 0.
func exp32(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693359375 // few bits, so n*ln2hi is exact
		ln2lo = -2.12194440e-4
	)
	if !(x > -87.33654) {
		if x != x {
			return x
		}
		return 0
	}
	if x > 0 {
		return float32(math.Exp(float64(x))) // not reached by softmax; kept exact
	}
	n := float32(int32(x*log2e - 0.5)) // round half away from zero, x <= 0
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}
