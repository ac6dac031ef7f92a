package simd

import (
	"github.com/nbench/nbench/kernel"
)

// Simplified linear attention (SLAB, KERNELS.md 2.2), sla1d and sla2d. Two
// drivers: the fused one (below, "The fused driver") where the level has
// its kernels (AVX-512 and the Go twins), else the driver on packed tiles
// described here (AVX2, NEON). Per
// head the two products are GEMMs on the attention P V micro-kernels
// (attnK.pv6 with corr = 1): the state S = Kr^T V ([D][Dv]) takes 6 rows of
// D at a time against Kr packed transposed per tile of 64 tokens, and the
// output Qr S takes 6 tokens at a time against Qr packed [6][64] per 64
// columns of D. ks = Σ_j Kr_j comes from the packed tile's row sums and the
// denominators Qr_i . ks from the ReLU pack of Qr. The depthwise conv runs
// over V copied once per head into a zero-padded layout (rows of dvp
// columns; 1D: pad rows before and after, 2D: pad columns on each grid
// row), so every tap is in bounds and the 5-tap primitive needs no edges.
//
// Causal sla1d on this driver is chunked linear attention: chunks of 64
// tokens; each query sees the state of the previous chunks (Qr_i S) plus
// its own chunk's tokens j <= i through masked scores (attnK.qk on the
// transposed Qr block against the chunk's packed Kr tile), then the chunk
// joins the state. As in softmax_attention, a masked key is never
// multiplied in: pv6 covers the keys all six rows see and pv1 the rest of
// each row. The chunk's own scores are work beyond the counted FLOPs
// (about chunk*(D+Dv)/2 multiply-adds per token against 2*D*Dv for the
// state); the fused driver's causal form (scan) has none.

// slaScanTile is the causal tile of the fused driver: the tokens each scan
// call walks, loading and storing its blocks of S once. 16-40 measured
// within noise on the full causal shapes; 48 and 64 were 15-35% slower at
// D = 128 (and 5% at D = 64), where V, the numerators and the ReLU rows of
// a tile no longer fit in L1 beside S.
const slaScanTile = 32

// slaK is the set of SLA primitives of one code path (their meaning is the
// Go twins below; the attention micro-kernels come from the level's attnK).
type slaK struct {
	path string
	// reluT: dst[c*ldd+r] = max(src[r*lds+c], 0) for r < rows, c < cols.
	reluT func(dst []float32, ldd int, src []float32, lds, rows, cols int)
	// reluDot: dst[r*ldd+i] = max(src[r*lds+i], 0) for r < rows, i < n, and
	// den[r] += Σ_i dst[r*ldd+i]*w[i].
	reluDot func(dst []float32, ldd int, src []float32, lds int, w, den []float32, rows, n int)
	// conv5: o[t*ld+c] = (b[c] if len(b) > 0, else o[t*ld+c]) +
	// Σ_{k<5} w[k*ld+c]*v[(t+k)*ld+c] for t < n, c < ld; ld is a multiple of 16.
	conv5 func(o, v, w, b []float32, n, ld int)
	// axpyTo: y[r*ldy+i] = c[r*ldc+i] + a[r]*x[r*ldx+i] for r < rows, i < n.
	axpyTo func(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)
	// conv25 (optional): o[t*ld+c] = b[c] + Σ_{u,k<5} w[(5u+k)*ld+c]*v[u*ldr+(t+k)*ld+c]
	// for t < n, c < ld (one grid row of the 2D conv in one pass).
	conv25 func(o, v, w, b []float32, n, ld, ldr int)
	// The fused driver's kernels (all three, or the driver on packed
	// tiles runs): reluSum: dst[r*ldd+i] = max(src[r*lds+i], 0) and
	// acc[i] += Σ_r dst[r*ldd+i] for r < rows, i < n.
	reluSum func(dst []float32, ldd int, src []float32, lds int, acc []float32, rows, n int)
	// reluKQ (causal): for r < rows in turn, kr[r*ld+i] = max(k[r*ld+i], 0)
	// joins ks[i], qp[r*ld+i] = max(q[r*ld+i], 0) and den[r] =
	// Σ_i qp[r*ld+i]*ks[i], for i < n.
	reluKQ func(kr, qp, k, q []float32, ld int, ks, den []float32, rows, n int)
	// reluDotW: dst[r*ldd+i] = max(src[r*lds+i], 0) and den[r] +=
	// Σ_i dst[r*ldd+i]*w[r*ldw+i] for r < rows, i < n.
	reluDotW func(dst []float32, ldd int, src []float32, lds int, w []float32, ldw int, den []float32, rows, n int)
	// kv[rows][nz]: s[i*lds+c] += Σ_{j<n} k[j*ldk+i]*v[j*ldv+c] for
	// i < rows, c < 16*nz; kv and qs also prefetch up to 2n lines of pf
	// into L2 (pf's base must be valid: the twins ignore it).
	kv [attnRows + 1][5]func(s []float32, lds int, k []float32, ldk int, v []float32, ldv int, n int, pf []float32)
	// qs[rows][nz]: y[i*ldy+c] += z[i]*Σ_{t<n} p[i*ldp+t]*s[t*lds+c]
	// for i < rows, c < 16*nz.
	qs [attnRows + 1][5]func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32)
	// scan[nd][nz]: causal, token by token, on blocks b < nb of rows
	// r = nd*b+i, i < nd: for t < n in turn, s[r*lds+c] +=
	// k[t*ldk+r]*v[t*ldv+c], then u = (0 for b = 0 if mode&1, else
	// a[t*ld+c]) + Σ_i q[t*ldk+r]*s[r*lds+c] goes to a[t*ld+c], or for
	// b = nb-1 if mode&2, y[t*ld+c] += z[t]*u, for c < 16*nz; block b
	// prefetches up to n lines of pf[b] (if any).
	scan [slaScanRows + 1][5]slaScanFn
	// qsl (optional): qs prefetching up to n lines (one a step, not two).
	qsl [attnRows + 1][5]func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32)
}

// slaScanRows is the most rows of the state one scan call holds (4x64 of
// S in 16 registers, with V, the numerators and two broadcasts).
const slaScanRows = 4

type slaScanFn = func(s []float32, lds int, k, q []float32, ldk int, v []float32, ldv int, a, y []float32, ld int, z []float32, n, nb, mode int, pf [][]float32)

var slaGeneric = &slaK{path: Generic, reluT: reluTGo, reluDot: reluDotGo, conv5: conv5Go, axpyTo: axpyToGo, conv25: conv25Go,
	reluSum: reluSumGo, reluDotW: reluDotWGo, reluKQ: reluKQGo}

func init() {
	for nd := 1; nd <= slaScanRows; nd++ {
		for nz := 1; nz <= 4; nz++ {
			slaGeneric.scan[nd][nz] = scanGo(nd, nz)
		}
	}
	for rows := 1; rows <= attnRows; rows++ {
		for nz := 1; nz <= 4; nz++ {
			slaGeneric.kv[rows][nz] = kvGo(rows, nz)
			slaGeneric.qs[rows][nz] = qsGo(rows, nz)
			slaGeneric.qsl[rows][nz] = slaGeneric.qs[rows][nz]
		}
	}
}

func init() {
	has := func(l *level) bool { return l.attn != nil }
	register("sla1d", prepareSLA, has)
	register("sla2d", prepareSLA, has)
}

func prepareSLA(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SimplifiedLinearAttention)
	if b.lv.attn == nil {
		return b.pure.Prepare(op)
	}
	sk := b.lv.sla
	if sk == nil {
		sk = slaGeneric
	}
	return newSLA(b, b.lv.attn, sk, b.lv.f, &op), nil
}

// newSLA binds op on the fused driver when the level has its kernels,
// else on the driver on packed tiles.
func newSLA(b *Backend, ak *attnK, sk *slaK, f *vec, op *kernel.SimplifiedLinearAttention) kernel.Bound {
	if sk.reluSum != nil && sk.reluDotW != nil && sk.reluKQ != nil && sk.scan[slaScanRows][4] != nil && sk.kv[attnRows][4] != nil && sk.qs[attnRows][4] != nil && sk.conv25 != nil {
		return newSLAFused(b, ak, sk, f, op)
	}
	return newSLAPacked(b, ak, sk, f, op)
}

type slaScratch struct {
	vp  []float32 // [pad+L+pad][dvp] V zero-padded (1D; 2D: [L][dvp]); unused when V is read in place
	vg  []float32 // 2D: [2+GH+2][GW+4][dvp] V with two zero rows and columns each side
	cs  []float32 // [L][dvp] DWC(V)
	s   []float32 // [Dp][dvp] the state Kr^T V (rows past D unused)
	ks  []float32 // [D] Σ Kr_j
	krT []float32 // [Dp][64] Kr of one tile, transposed (rows past D zero)
	kb  []float32 // [64][D] K + Pk of one tile
	qp  []float32 // [6][64] relu(Q) of a block, one 64-column slice of D
	qt  []float32 // [D][8] relu(Q) of a block, transposed (causal)
	sc  []float32 // [6][64] intra-chunk scores (causal)
	o   []float32 // [6][dvp] numerators of a block
	den [attnRows]float32
}

// slaRun is one bound SLA: the op's slices and shape, the kernels, the
// weights transposed to [taps][dvp] (zero-padded columns).
type slaRun struct {
	ak                 *attnK
	sk                 *slaK
	f                  *vec
	q, k, v, pk, bd, o []float32
	wt, bias           []float32
	ones               []float32 // [64] corr of the P V kernels, a of the Pk add
	H, L, D, Dv        int
	dvp, dp, pad       int
	gh, gw             int // 2D grid; gh == 0 for 1D
	causal             bool
	chunk              int  // tokens per state update
	direct             bool // V read in place (rows of dvp = Dv columns): no padded copy
}

// slaConvOf is the depthwise conv's geometry: its taps (5 in 1D, 5x5 in
// 2D), the 2D grid, and the zero padding of 1D rows (4 causal, where every
// tap looks back; 2 centred).
func slaConvOf(op *kernel.SimplifiedLinearAttention) (taps, gh, gw, pad int) {
	switch {
	case op.Conv == kernel.SLAConv2D:
		return 25, op.GridH, op.GridW, 0
	case op.Causal:
		return 5, 0, 0, 4
	}
	return 5, 0, 0, 2
}

// slaConvWeights lays the conv weights wd [Dv][taps] out per tap, rows of
// dvp (zero padded), and copies the bias.
func slaConvWeights(wt, bias, wd, bd []float32, taps, Dv, dvp int) {
	for t := range taps {
		for e := range Dv {
			wt[t*dvp+e] = wd[e*taps+t]
		}
	}
	copy(bias, bd)
}

func newSLAPacked(b *Backend, ak *attnK, sk *slaK, f *vec, op *kernel.SimplifiedLinearAttention) kernel.Bound {
	bh, L, D, Dv := op.B*op.H, op.L, op.D, op.Dv
	if bh == 0 || L == 0 {
		return bound(ak.path, func() {})
	}
	r := &slaRun{ak: ak, sk: sk, f: f, q: kernel.F32s(op.Q), k: kernel.F32s(op.K), v: kernel.F32s(op.V),
		pk: kernel.F32s(op.Pk), bd: kernel.F32s(op.Bd), o: kernel.F32s(op.O),
		H: op.H, L: L, D: D, Dv: Dv, dvp: (Dv + 15) / 16 * 16, dp: (D + attnRows - 1) / attnRows * attnRows,
		causal: op.Causal, ones: make([]float32, attnKeys), chunk: attnKeys}
	// 2D reads V in place (its conv works on a padded grid copy); 1D
	// copies it into zero-padded rows for its conv, a copy the P V then
	// reads warm (reading V in place measured about 5% slower at L = 1024).
	r.direct = Dv%16 == 0 && r.gh > 0
	for i := range r.ones {
		r.ones[i] = 1
	}
	var taps int
	taps, r.gh, r.gw, r.pad = slaConvOf(op)
	wd := kernel.F32s(op.Wd)
	r.wt, r.bias = make([]float32, taps*r.dvp), make([]float32, r.dvp)
	dvp, dp := r.dvp, r.dp
	scratch := newPool(b.threads, func() *slaScratch {
		sc := &slaScratch{cs: make([]float32, L*dvp),
			s: make([]float32, dp*dvp), ks: make([]float32, D), krT: make([]float32, dp*attnKeys),
			qp: make([]float32, attnRows*attnKeys), o: make([]float32, attnRows*dvp)}
		if r.pk != nil {
			sc.kb = make([]float32, attnKeys*D)
		}
		if r.gh > 0 {
			sc.vg = make([]float32, (r.gh+4)*(r.gw+4)*dvp)
		}
		if r.causal {
			sc.qt, sc.sc = make([]float32, D*8), make([]float32, attnRows*attnKeys)
		}
		if !r.direct {
			sc.vp = make([]float32, (L+2*r.pad)*dvp)
		}
		return sc
	})
	body := func(lo, hi int) {
		sc := <-scratch
		defer func() { scratch <- sc }()
		for h := lo; h < hi; h++ {
			r.head(sc, h)
		}
	}
	perHead := L * (4*D*Dv + 2*(taps+1)*Dv)
	return bound(ak.path, func() {
		slaConvWeights(r.wt, r.bias, wd, r.bd, taps, Dv, dvp)
		b.rows(bh, perHead, body)
	})
}

// head computes one (b, h).
func (r *slaRun) head(sc *slaScratch, h int) {
	L, D, Dv, dvp := r.L, r.D, r.Dv, r.dvp
	vh := r.v[h*L*Dv : (h+1)*L*Dv]
	v := vh // V rows of dvp columns, token 0 first
	if !r.direct {
		for n := range L {
			copy(sc.vp[(r.pad+n)*dvp:(r.pad+n)*dvp+Dv], vh[n*Dv:(n+1)*Dv])
		}
		v = sc.vp[r.pad*dvp:]
	}
	r.conv(sc, v)
	clear(sc.s)
	clear(sc.ks)
	qh := r.q[h*L*D : (h+1)*L*D]
	for c0 := 0; c0 < L; c0 += r.chunk {
		nk := min(r.chunk, L-c0)
		r.packK(sc, h, c0, nk)
		if r.causal {
			for i0 := c0; i0 < c0+nk; i0 += attnRows {
				r.block(sc, h, qh, v, i0, min(attnRows, c0+nk-i0), c0)
			}
		}
		r.update(sc, v, c0, nk)
	}
	if !r.causal {
		for i0 := 0; i0 < L; i0 += attnRows {
			r.block(sc, h, qh, v, i0, min(attnRows, L-i0), -1)
		}
	}
}

// conv writes DWC(V) of the head (bias included) into sc.cs; v is the
// head's V (token 0 first, rows of dvp columns; 1D: zero rows around it in
// sc.vp).
func (r *slaRun) conv(sc *slaScratch, v []float32) {
	dvp := r.dvp
	if r.gh == 0 {
		r.sk.conv5(sc.cs, sc.vp, r.wt, r.bias, r.L, dvp)
		return
	}
	W, wp := r.gw, r.gw+4
	for g := range r.gh {
		copy(sc.vg[((g+2)*wp+2)*dvp:((g+2)*wp+2+W)*dvp], v[g*W*dvp:(g+1)*W*dvp])
	}
	for g := range r.gh {
		out := sc.cs[g*W*dvp : (g+1)*W*dvp]
		if r.sk.conv25 != nil {
			r.sk.conv25(out, sc.vg[g*wp*dvp:], r.wt, r.bias, W, dvp, wp*dvp)
			continue
		}
		r.sk.conv5(out, sc.vg[(g+2)*wp*dvp:], r.wt[10*dvp:], r.bias, W, dvp) // centre row first, with the bias
		for u := range 5 {
			if gg := g + u - 2; u != 2 && gg >= 0 && gg < r.gh {
				r.sk.conv5(out, sc.vg[(gg+2)*wp*dvp:], r.wt[5*u*dvp:], nil, W, dvp)
			}
		}
	}
}

// packK packs Kr = relu(K + Pk) of tokens [c0, c0+nk) transposed into krT.
func (r *slaRun) packK(sc *slaScratch, h, c0, nk int) {
	D := r.D
	src := r.k[(h*r.L+c0)*D : (h*r.L+c0+nk)*D]
	if r.pk != nil {
		pk := r.pk[(c0*r.H+h%r.H)*D:]
		r.sk.axpyTo(sc.kb, D, pk, r.H*D, src, D, r.ones, nk, D)
		src = sc.kb[:nk*D]
	}
	r.sk.reluT(sc.krT, attnKeys, src, D, nk, D)
}

// update adds the packed tile (tokens [c0, c0+nk)) to the state: S += Kr^T V
// and ks += its row sums.
func (r *slaRun) update(sc *slaScratch, v []float32, c0, nk int) {
	dvp := r.dvp
	for d := range r.D {
		sc.ks[d] += r.f.sum(sc.krT[d*attnKeys : d*attnKeys+nk])
	}
	vt := v[c0*dvp:]
	for d0 := 0; d0 < r.dp; d0 += attnRows {
		for e0 := 0; e0 < dvp; e0 += 64 {
			nz := min(4, (dvp-e0)/16)
			r.ak.pv6[nz](sc.s[d0*dvp+e0:], dvp, sc.krT[d0*attnKeys:], nk, vt[e0:], dvp, r.ones)
		}
	}
}

// block writes output rows [i0, i0+rows) of head h: O_i = DWC(V)_i +
// (Qr_i S)/(Qr_i . ks + 1e-6). Causal (c0 >= 0): S and ks hold the chunks
// before c0, and row i adds the chunk's tokens c0..i (krT holds the chunk).
func (r *slaRun) block(sc *slaScratch, h int, qh, v []float32, i0, rows, c0 int) {
	D, Dv, dvp := r.D, r.Dv, r.dvp
	clear(sc.o)
	sc.den = [attnRows]float32{}
	for d0 := 0; d0 < D; d0 += attnKeys {
		dc := min(attnKeys, D-d0)
		r.sk.reluDot(sc.qp, attnKeys, qh[i0*D+d0:], D, sc.ks[d0:], sc.den[:], rows, dc)
		for e0 := 0; e0 < dvp; e0 += 64 {
			nz := min(4, (dvp-e0)/16)
			r.ak.pv6[nz](sc.o[e0:], dvp, sc.qp, dc, sc.s[d0*dvp+e0:], dvp, r.ones)
		}
	}
	if c0 >= 0 {
		r.intra(sc, qh, v, i0, rows, c0)
	}
	for i := range rows {
		sc.den[i] = 1 / (sc.den[i] + 1e-6)
	}
	r.sk.axpyTo(r.o[(h*r.L+i0)*Dv:], Dv, sc.o, dvp, sc.cs[i0*dvp:], dvp, sc.den[:], rows, Dv)
}

// intra adds the causal chunk's own tokens: scores s_ij = Qr_i . Kr_j for
// j in [c0, i], their sums to the denominators, and Σ s_ij V_j.
func (r *slaRun) intra(sc *slaScratch, qh, v []float32, i0, rows, c0 int) {
	D, dvp := r.D, r.dvp
	// Eight rows when there are (the 8x8 transposes; qk reads six).
	n := min(8, r.L-i0)
	r.sk.reluT(sc.qt, 8, qh[i0*D:(i0+n)*D], D, n, D)
	r.ak.qk(sc.sc, sc.qt, sc.krT, D, 1)
	all := i0 - c0 + 1 // keys every row of the block sees
	for i := range rows {
		sc.den[i] += r.f.sum(sc.sc[i*attnKeys : i*attnKeys+all+i])
	}
	vt := v[c0*dvp:]
	for e0 := 0; e0 < dvp; e0 += 64 {
		nz := min(4, (dvp-e0)/16)
		r.ak.pv6[nz](sc.o[e0:], dvp, sc.sc, all, vt[e0:], dvp, r.ones)
		for i := 1; i < rows; i++ {
			r.ak.pv1[nz](sc.o[i*dvp+e0:], sc.sc[i*attnKeys+all:], i, vt[all*dvp+e0:], dvp)
		}
	}
}

// ---- The fused driver ----
//
// Per head, pass 1 runs over tiles of slaTile tokens: relu(K + Pk) of the
// tile is copied row-major (reluSum, which also adds the tile to ks) and
// S += Kr^T V runs on it and on V in place (kv, 6 rows of S by 64
// columns, Kr broadcast from its rows: no transpose); the tile's V rows go
// into the zero-padded conv layout while they are in L1. Pass 2 runs over
// groups of slaGroup rows: relu(Q) rows with their denominators
// (reluDotW), the conv written straight into O (1D per group, 2D per grid
// row ahead of the group), then O += z (Qr S) per 6-row block (qs).
// Neither pass makes a transposed copy, and O is written once per group
// (no DWC(V) scratch). kv and qs prefetch, a part per call, the lines the
// driver queues about a tile ahead (the next tile's K and V, then Q and O
// of pass 2, then the next head's first tile).
//
// Causal sla1d runs tiles of slaScanTile tokens in one pass (causalHead):
// the state is scanned token by token, a block of S in registers at a
// time (scan), so it does no work past the counted FLOPs.
const slaTile = 64

// slaFusedRun is one bound SLA on the fused driver.
type slaFusedRun struct {
	ak                 *attnK
	sk                 *slaK
	f                  *vec
	q, k, v, pk, bd, o []float32
	wt, bias, ones     []float32
	H, L, D, Dv, dvp   int
	pad, gh, gw        int
	causal             bool
	chunk              int
	vin                bool // Dv%16 == 0: kv reads V in place and qs writes O in place
	vdirect            bool // 1D non-causal with vin: the conv reads V in place (a padded copy at the head's edges only)
	// adapt: qsl when the group's remaining qs calls can take the queued
	// prefetches at one line a step, else qs (two a step, catching up as
	// when the next head's K and V join the queue): 0-3% faster than qs
	// throughout on the full sla2d shapes, none slower; qsl throughout
	// made sla2d at L = 196 7-9% slower (its next head's K and V came
	// late).
	adapt bool
}

type slaFusedScratch struct {
	vp       []float32   // 1D: [pad+L+pad][dvp] V zero-padded (causal: [4+chunk][dvp], the tile after the previous one's last 4 rows); 2D: [gh+4][gw+4][dvp] the grid with a zero border
	vt       []float32   // !vin: [slaTile][dvp] the tile's V, zero-padded columns
	cs       []float32   // 2D, !vin: [L][dvp] DWC(V)
	s        []float32   // [D][dvp] the state Kr^T V
	ks       []float32   // [D] Σ Kr_j
	kr, kb   []float32   // [slaTile][D] relu(K + Pk), K + Pk
	qp       []float32   // [group][D] relu(Q) of a row group
	y        []float32   // !vin: [group][dvp] output rows of a row group
	a        []float32   // causal: [chunk][dvp] the tile's numerators over the blocks of D so far
	den, z   []float32   // [group] a row group's denominators, then their 1/(den + 1e-6)
	convDone int         // 2D: tokens of the head whose conv is written
	pf       [][]float32 // regions to prefetch, handed to kv, qs and scan a part per call (scan: per block)
	pfq      [16][]float32
	parts    [][]float32 // causal: [D/slaScanRows] the parts of the queue scan calls take
}

// pfLines returns the number of lines in the prefetch queue.
func (sc *slaFusedScratch) pfLines() int {
	n := 0
	for _, x := range sc.pf {
		n += (len(x) + 15) / 16
	}
	return n
}

// pfTake returns the next part of up to n lines of the prefetch queue
// (empty, at a valid address, when the queue is).
func (sc *slaFusedScratch) pfTake(n int) []float32 {
	for len(sc.pf) > 0 {
		x := sc.pf[0]
		if len(x) == 0 {
			sc.pf = sc.pf[1:]
			continue
		}
		m := min(len(x), 16*n)
		sc.pf[0] = x[m:]
		return x[:m]
	}
	return sc.s[:0]
}

// pfParts returns the next nb parts of up to n lines of the prefetch
// queue (fewer when it runs out).
func (sc *slaFusedScratch) pfParts(nb, n int) [][]float32 {
	sc.parts = sc.parts[:0]
	for range nb {
		p := sc.pfTake(n)
		if len(p) == 0 {
			break
		}
		sc.parts = append(sc.parts, p)
	}
	return sc.parts
}

func newSLAFused(b *Backend, ak *attnK, sk *slaK, f *vec, op *kernel.SimplifiedLinearAttention) kernel.Bound {
	bh, L, D, Dv := op.B*op.H, op.L, op.D, op.Dv
	if bh == 0 || L == 0 {
		return bound(ak.path, func() {})
	}
	r := &slaFusedRun{ak: ak, sk: sk, f: f, q: kernel.F32s(op.Q), k: kernel.F32s(op.K), v: kernel.F32s(op.V),
		pk: kernel.F32s(op.Pk), bd: kernel.F32s(op.Bd), o: kernel.F32s(op.O),
		H: op.H, L: L, D: D, Dv: Dv, dvp: (Dv + 15) / 16 * 16, causal: op.Causal, chunk: slaScanTile,
		ones: make([]float32, attnKeys)}
	r.vin = r.dvp == Dv
	r.adapt = sk.qsl[attnRows][4] != nil
	for i := range r.ones {
		r.ones[i] = 1
	}
	var taps int
	taps, r.gh, r.gw, r.pad = slaConvOf(op)
	r.vdirect = r.gh == 0 && r.vin && !r.causal
	wd := kernel.F32s(op.Wd)
	dvp := r.dvp
	r.wt, r.bias = make([]float32, taps*dvp), make([]float32, dvp)
	scratch := newPool(b.threads, func() *slaFusedScratch {
		G := r.group()
		sc := &slaFusedScratch{s: make([]float32, D*dvp), ks: make([]float32, D), kr: make([]float32, slaTile*D),
			qp: make([]float32, G*D), den: make([]float32, G), z: make([]float32, G+attnRows)}
		if r.pk != nil {
			sc.kb = make([]float32, slaTile*D)
		}
		if r.gh > 0 {
			sc.vp = make([]float32, (r.gh+4)*(r.gw+4)*dvp)
		} else if r.causal {
			sc.vp = make([]float32, (r.pad+r.chunk)*dvp)
		} else if r.vdirect {
			sc.vp = make([]float32, (slaGroup+2*r.pad)*dvp)
		} else {
			sc.vp = make([]float32, (L+2*r.pad)*dvp)
		}
		if !r.vin {
			sc.vt, sc.y = make([]float32, slaTile*dvp), make([]float32, G*dvp)
			if r.gh > 0 {
				sc.cs = make([]float32, L*dvp)
			}
		}
		if r.causal {
			sc.a = make([]float32, r.chunk*dvp)
			sc.parts = make([][]float32, 0, D/slaScanRows+1)
		}
		return sc
	})
	body := func(lo, hi int) {
		sc := <-scratch
		defer func() { scratch <- sc }()
		for h := lo; h < hi; h++ {
			r.head(sc, h, h+1 < hi)
		}
	}
	perHead := L * (4*D*Dv + 2*(taps+1)*Dv)
	return bound(ak.path, func() {
		slaConvWeights(r.wt, r.bias, wd, r.bd, taps, Dv, dvp)
		b.rows(bh, perHead, body)
	})
}

// prefetch queues rows [lo, hi) of head h of Q, K, V and O (the ones
// set) for prefetching by the next kernel calls, rows clamped to the
// head; a head past the last is ignored.
func (r *slaFusedRun) prefetch(sc *slaFusedScratch, h, lo, hi int, q, k, v, o bool) {
	if h*r.L >= len(r.k)/r.D {
		return
	}
	lo, hi = max(lo, 0), min(hi, r.L)
	if lo >= hi {
		return
	}
	if len(sc.pf) == 0 {
		sc.pf = sc.pfq[:0]
	}
	D, Dv, L := r.D, r.Dv, r.L
	if q {
		sc.pf = append(sc.pf, r.q[(h*L+lo)*D:(h*L+hi)*D])
	}
	if k {
		sc.pf = append(sc.pf, r.k[(h*L+lo)*D:(h*L+hi)*D])
	}
	if v {
		sc.pf = append(sc.pf, r.v[(h*L+lo)*Dv:(h*L+hi)*Dv])
	}
	if o {
		sc.pf = append(sc.pf, r.o[(h*L+lo)*Dv:(h*L+hi)*Dv])
	}
}

// head computes one (b, h); next says whether the thread runs head h+1
// after it (its first tile is prefetched at the end).
func (r *slaFusedRun) head(sc *slaFusedScratch, h int, next bool) {
	L, D, Dv := r.L, r.D, r.Dv
	vh := r.v[h*L*Dv : (h+1)*L*Dv]
	clear(sc.s)
	clear(sc.ks)
	if r.causal {
		r.causalHead(sc, h, vh, next)
		return
	}
	for c0 := 0; c0 < L; c0 += slaTile {
		nk := min(slaTile, L-c0)
		// One tile ahead: K and V of pass 1, then Q and O of pass 2.
		r.prefetch(sc, h, c0+slaTile, c0+2*slaTile, false, true, true, false)
		r.prefetch(sc, h, c0+slaTile-L, c0+2*slaTile-L, true, false, false, true)
		r.packK(sc, h, c0, nk, sc.ks)
		v, ldv := r.packV(sc, vh, c0, nk)
		r.update(sc, v, ldv, nk)
	}
	qh := r.q[h*L*D : (h+1)*L*D]
	sc.convDone = 0
	for i0 := 0; i0 < L; i0 += slaGroup {
		n := min(slaGroup, L-i0)
		// About a tile ahead: Q and O, then the next head's first K and V.
		ahead := i0 + slaTile + slaGroup
		r.prefetch(sc, h, ahead-slaGroup, ahead, true, false, false, true)
		if next {
			r.prefetch(sc, h+1, ahead-slaGroup-L, ahead-L, false, true, true, false)
		}
		clear(sc.den[:n])
		r.sk.reluDotW(sc.qp, D, qh[i0*D:], D, sc.ks, 0, sc.den, n, D)
		r.out(sc, h, i0, n, r.convRows(sc, vh, i0, n))
	}
}

// convRows returns the zero-padded V rows (from row i0-pad on) that the 1D
// conv of output rows [i0, i0+n) reads: with vdirect, V itself away from
// the head's edges (no copy of V: measured 0-3% faster at L = 1024), else
// a padded copy.
func (r *slaFusedRun) convRows(sc *slaFusedScratch, vh []float32, i0, n int) []float32 {
	dvp, pad := r.dvp, r.pad
	if !r.vdirect {
		return sc.vp[i0*dvp:]
	}
	lo, hi := i0-pad, i0+n+pad
	if lo >= 0 && hi <= r.L {
		return vh[lo*dvp:]
	}
	clear(sc.vp[:(n+2*pad)*dvp])
	a, b := max(lo, 0), min(hi, r.L)
	copy(sc.vp[(a-lo)*dvp:], vh[a*dvp:b*dvp])
	return sc.vp
}

// slaGroup is the row group of the non-causal pass 2 (a multiple of 6).
const slaGroup = 48

// group returns the rows of a pass-2 row group.
func (r *slaFusedRun) group() int {
	if r.causal {
		return r.chunk
	}
	return slaGroup
}

// packV copies V rows [c0, c0+nk) of the head into the conv layout
// (unless vdirect) and returns the tile as kv reads it (rows of ldv
// columns).
func (r *slaFusedRun) packV(sc *slaFusedScratch, vh []float32, c0, nk int) (v []float32, ldv int) {
	Dv, dvp := r.Dv, r.dvp
	for n := c0; n < c0+nk && !r.vdirect; {
		m, at := c0+nk-n, (r.pad+n)*dvp
		if r.gh > 0 {
			g, w := n/r.gw, n%r.gw
			m, at = min(m, r.gw-w), ((g+2)*(r.gw+4)+2+w)*dvp
		}
		if r.vin {
			copy(sc.vp[at:at+m*dvp], vh[n*Dv:(n+m)*Dv])
		} else {
			for t := range m {
				copy(sc.vp[at+t*dvp:at+t*dvp+Dv], vh[(n+t)*Dv:(n+t+1)*Dv])
			}
		}
		n += m
	}
	if r.vin {
		return vh[c0*Dv:], Dv
	}
	for t := range nk {
		copy(sc.vt[t*dvp:t*dvp+Dv], vh[(c0+t)*Dv:(c0+t+1)*Dv])
	}
	return sc.vt, dvp
}

// kRows returns the rows of K + Pk of tokens [c0, c0+nk) of head h: K
// in place, or with Pk its sum in kb.
func (r *slaFusedRun) kRows(sc *slaFusedScratch, h, c0, nk int) []float32 {
	D := r.D
	src := r.k[(h*r.L+c0)*D : (h*r.L+c0+nk)*D]
	if r.pk != nil {
		pk := r.pk[(c0*r.H+h%r.H)*D:]
		r.sk.axpyTo(sc.kb, D, pk, r.H*D, src, D, r.ones, nk, D)
		src = sc.kb[:nk*D]
	}
	return src
}

// packK writes relu(K + Pk) of tokens [c0, c0+nk) row-major into kr and
// adds its rows to acc.
func (r *slaFusedRun) packK(sc *slaFusedScratch, h, c0, nk int, acc []float32) {
	r.sk.reluSum(sc.kr, r.D, r.kRows(sc, h, c0, nk), r.D, acc, nk, r.D)
}

// update adds the packed tile to the state: S += Kr^T V.
func (r *slaFusedRun) update(sc *slaFusedScratch, v []float32, ldv, nk int) {
	D, dvp := r.D, r.dvp
	for e0 := 0; e0 < dvp; e0 += 64 {
		nz := min(4, (dvp-e0)/16)
		for d0 := 0; d0 < D; d0 += attnRows {
			rows := min(attnRows, D-d0)
			r.sk.kv[rows][nz](sc.s[d0*dvp+e0:], dvp, sc.kr[d0:], D, v[e0:], ldv, nk, sc.pfTake(2*nk))
		}
	}
}

// out writes output rows [i0, i0+n) of head h: the conv, then
// O += z Qr S with qp and den holding the rows' relu(Q) and denominators
// (cv: 1D, the zero-padded V rows of the conv taps of row i0 on).
func (r *slaFusedRun) out(sc *slaFusedScratch, h, i0, n int, cv []float32) {
	L, D, Dv, dvp := r.L, r.D, r.Dv, r.dvp
	for i, d := range sc.den[:n] {
		sc.z[i] = 1 / (d + 1e-6)
	}
	oh := r.o[h*L*Dv : (h+1)*L*Dv]
	y, ldy := oh[i0*Dv:], Dv
	if !r.vin {
		y, ldy = sc.y, dvp
	}
	if r.gh == 0 {
		r.sk.conv5(y, cv, r.wt, r.bias, n, dvp)
	} else {
		cs := oh
		if !r.vin {
			cs = sc.cs
		}
		W, wp := r.gw, r.gw+4
		for ; sc.convDone < i0+n; sc.convDone += W {
			g := sc.convDone / W
			r.sk.conv25(cs[g*W*dvp:], sc.vp[g*wp*dvp:], r.wt, r.bias, W, dvp, wp*dvp)
		}
		if !r.vin {
			copy(y[:n*dvp], cs[i0*dvp:])
		}
	}
	for b := 0; b < n; b += attnRows {
		rows := min(attnRows, n-b)
		for e0 := 0; e0 < dvp; e0 += 64 {
			nz := min(4, (dvp-e0)/16)
			qs, step := &r.sk.qs, 2
			if r.adapt && sc.pfLines() <= (((n-b+attnRows-1)/attnRows)*((dvp+63)/64)-e0/64)*D {
				// The group's remaining calls drain the queue at one line a step.
				qs, step = &r.sk.qsl, 1
			}
			qs[rows][nz](y[b*ldy+e0:], ldy, sc.qp[b*D:], D, D, sc.s[e0:], dvp, sc.z[b:], sc.pfTake(step*D))
		}
	}
	if !r.vin {
		for i := range n {
			copy(oh[(i0+i)*Dv:(i0+i+1)*Dv], sc.y[i*dvp:])
		}
	}
}

// causalHead runs the tiles of a causal head: per tile, relu(K) and
// relu(Q) with the denominators Qr_i . ks_i (reluKQ); the conv into the
// output rows; then per block of slaScanRows rows of D by 64 columns, scan
// walks the tile's tokens in order with that block of S in registers,
// adding each token to it and the token's Qr times it to the numerator
// (the block that ends D scales it into O).
func (r *slaFusedRun) causalHead(sc *slaFusedScratch, h int, vh []float32, next bool) {
	L, D, Dv, dvp := r.L, r.D, r.Dv, r.dvp
	qh, oh := r.q[h*L*D:(h+1)*L*D], r.o[h*L*Dv:(h+1)*L*Dv]
	for c0 := 0; c0 < L; c0 += r.chunk {
		nk := min(r.chunk, L-c0)
		// The next tile (of the next head at the end); what the last
		// tile's calls did not take is dropped.
		sc.pf = nil
		r.prefetch(sc, h, c0+r.chunk, c0+2*r.chunk, true, true, true, true)
		if next {
			r.prefetch(sc, h+1, c0+r.chunk-L, c0+2*r.chunk-L, true, true, true, true)
		}
		// The conv's taps (rows c0-4 on): V in place past the head's
		// first rows (the copy cost 4% at D = 64), else vp: the previous
		// tile's last 4 rows (zeros first), the tile.
		v, ldv, y, cv := vh[c0*Dv:], Dv, oh[c0*Dv:], sc.vp
		if r.vin && c0 >= r.pad {
			cv = vh[(c0-r.pad)*Dv:]
		} else {
			if c0 == 0 {
				clear(sc.vp[:r.pad*dvp])
			} else {
				copy(sc.vp[:r.pad*dvp], sc.vp[r.chunk*dvp:(r.chunk+r.pad)*dvp])
			}
			vt := sc.vp[r.pad*dvp:]
			for t := range nk {
				copy(vt[t*dvp:t*dvp+Dv], vh[(c0+t)*Dv:(c0+t+1)*Dv])
			}
			if !r.vin {
				v, ldv, y = vt, dvp, sc.y
			}
		}
		r.sk.reluKQ(sc.kr, sc.qp, r.kRows(sc, h, c0, nk), qh[c0*D:], D, sc.ks, sc.den, nk, D)
		for i, d := range sc.den[:nk] {
			sc.z[i] = 1 / (d + 1e-6)
		}
		r.sk.conv5(y, cv, r.wt, r.bias, nk, dvp)
		for e0 := 0; e0 < dvp; e0 += 64 {
			nz := min(4, (dvp-e0)/16)
			// The full blocks of rows of D in one call, then the rest.
			full, rest := D/slaScanRows, D%slaScanRows
			if full > 0 {
				mode := 1
				if rest == 0 {
					mode |= 2
				}
				r.sk.scan[slaScanRows][nz](sc.s[e0:], dvp, sc.kr, sc.qp, D, v[e0:], ldv, sc.a[e0:], y[e0:], dvp, sc.z, nk, full, mode, sc.pfParts(full, nk))
			}
			if rest > 0 {
				d0, mode := D-rest, 2
				if full == 0 {
					mode |= 1
				}
				r.sk.scan[rest][nz](sc.s[d0*dvp+e0:], dvp, sc.kr[d0:], sc.qp[d0:], D, v[e0:], ldv, sc.a[e0:], y[e0:], dvp, sc.z, nk, 1, mode, sc.pfParts(1, nk))
			}
		}
		if !r.vin {
			for i := range nk {
				copy(oh[(c0+i)*Dv:(c0+i+1)*Dv], sc.y[i*dvp:])
			}
		}
	}
}

// ---- Go twins of the SLA primitives (the meaning of the assembly) ----

func reluSumGo(dst []float32, ldd int, src []float32, lds int, acc []float32, rows, n int) {
	for r := range rows {
		for i, x := range src[r*lds : r*lds+n] {
			x = max(x, 0)
			dst[r*ldd+i] = x
			acc[i] += x
		}
	}
}

func reluKQGo(kr, qp, k, q []float32, ld int, ks, den []float32, rows, n int) {
	for r := range rows {
		reluSumGo(kr[r*ld:], 0, k[r*ld:], 0, ks, 1, n)
		den[r] = 0
		reluDotGo(qp[r*ld:], 0, q[r*ld:], 0, ks, den[r:], 1, n)
	}
}

func reluDotWGo(dst []float32, ldd int, src []float32, lds int, w []float32, ldw int, den []float32, rows, n int) {
	for r := range rows {
		reluDotGo(dst[r*ldd:], 0, src[r*lds:], 0, w[r*ldw:], den[r:], 1, n)
	}
}

func scanGo(nd, nz int) slaScanFn {
	return func(s []float32, lds int, k, q []float32, ldk int, v []float32, ldv int, a, y []float32, ld int, z []float32, n, nb, mode int, pf [][]float32) {
		for b := range nb * min(n, 1) {
			s, k, q := s[b*nd*lds:], k[b*nd:], q[b*nd:]
			first, last := b == 0 && mode&1 != 0, b == nb-1 && mode&2 != 0
			for t := range n {
				for i := range nd {
					for c := range 16 * nz {
						s[i*lds+c] += k[t*ldk+i] * v[t*ldv+c]
					}
				}
				for c := range 16 * nz {
					var u float32
					if !first {
						u = a[t*ld+c]
					}
					for i := range nd {
						u += q[t*ldk+i] * s[i*lds+c]
					}
					if last {
						y[t*ld+c] += z[t] * u
					} else {
						a[t*ld+c] = u
					}
				}
			}
		}
	}
}

func kvGo(rows, nz int) func(s []float32, lds int, k []float32, ldk int, v []float32, ldv int, n int, pf []float32) {
	return func(s []float32, lds int, k []float32, ldk int, v []float32, ldv int, n int, pf []float32) {
		for i := range rows {
			for c := range 16 * nz {
				acc := s[i*lds+c]
				for j := range n {
					acc += k[j*ldk+i] * v[j*ldv+c]
				}
				s[i*lds+c] = acc
			}
		}
	}
}

func qsGo(rows, nz int) func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32) {
	return func(y []float32, ldy int, p []float32, ldp int, n int, s []float32, lds int, z, pf []float32) {
		for i := range rows {
			for c := range 16 * nz {
				var acc float32
				for t := range n {
					acc += p[i*ldp+t] * s[t*lds+c]
				}
				y[i*ldy+c] += z[i] * acc
			}
		}
	}
}

func reluTGo(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	for r := range rows {
		for c, x := range src[r*lds : r*lds+cols] {
			dst[c*ldd+r] = max(x, 0)
		}
	}
}

func reluDotGo(dst []float32, ldd int, src []float32, lds int, w, den []float32, rows, n int) {
	w = w[:n]
	for r := range rows {
		d, x := dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n]
		var s0, s1 float32
		i := 0
		for ; i+2 <= n; i += 2 {
			a, b := max(x[i], 0), max(x[i+1], 0)
			d[i], d[i+1] = a, b
			s0 += a * w[i]
			s1 += b * w[i+1]
		}
		if i < n {
			a := max(x[i], 0)
			d[i] = a
			s0 += a * w[i]
		}
		den[r] += s0 + s1
	}
}

func conv5Go(o, v, w, b []float32, n, ld int) {
	for t := range n {
		or := o[t*ld : (t+1)*ld]
		if len(b) > 0 {
			copy(or, b[:ld])
		}
		for k := range 5 {
			wk, vk := w[k*ld:(k+1)*ld], v[(t+k)*ld:(t+k+1)*ld]
			for c := range or {
				or[c] += wk[c] * vk[c]
			}
		}
	}
}

func conv25Go(o, v, w, b []float32, n, ld, ldr int) {
	for t := range n {
		for c := range ld {
			acc := b[c]
			for u := range 5 {
				for k := range 5 {
					acc += w[(5*u+k)*ld+c] * v[u*ldr+(t+k)*ld+c]
				}
			}
			o[t*ld+c] = acc
		}
	}
}

func axpyToGo(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int) {
	for r := range rows {
		yr, xr, cr, ar := y[r*ldy:r*ldy+n], x[r*ldx:r*ldx+n], c[r*ldc:r*ldc+n], a[r]
		for i := range yr {
			yr[i] = cr[i] + ar*xr[i]
		}
	}
}
