package simd

import (
	"math"

	"github.com/nbench/nbench/backends/internal/par"
	"github.com/nbench/nbench/kernel"
)

// Softmax attention (KERNELS.md 2.1), fused and tiled (flash style): a
// block of attnRows query rows meets the keys one tile of attnKeys at a
// time. Per tile, a register-blocked micro-kernel computes the 6x64 scores
// (Q K^T against K packed transposed per tile), the online-softmax step
// rescales the running sums, and a second micro-kernel accumulates P V into
// the block's unnormalised outputs. Only one 6x64 score tile exists at a
// time per worker: the score matrix is never materialised. On AVX-512 the
// whole tiles (and a block's one masked tile) go through one software-
// pipelined kernel (run), the P V of a tile interleaved in the code with
// the softmax of the next, so the FMA units stay busy through the exps.
//
// Masked keys (causal, or past S in the last tile) get a score of -Inf and
// an exact 0 probability, and are never multiplied into the output: the
// 6-row P V covers the keys every row of the block sees, and the one-row
// kernel the rest of each row, so a NaN in a masked V row stays out.
const (
	attnRows = 6
	attnKeys = 64
)

// attnK is the set of attention micro-kernels of one code path; pv6[nz] and
// pv1[nz] handle 16*nz output columns (nz = 1..4). Their meaning is the Go
// twins below.
type attnK struct {
	path string
	// base2: the softmax kernels take scores in log2 units and weigh them
	// 2^(x - m) (softmaxTile2Go); the driver folds log2(e) into the scale.
	base2   bool
	qk      func(s, qt, kt []float32, d int, scale float32)
	softmax func(s, m, l, corr []float32)
	pv6     [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
	pv1     [5]func(o, p []float32, nk int, v []float32, ldv int)
	// qks[nz] and qksMask[nz] (optional) fuse qk and softmax over the first
	// 16*nz keys of a tile, reading the query rows in place: see qksTileGo.
	qks, qksMask [5]qksFn
	// norm (optional) is slaK.axpyTo, for the output rows 0 + (1/l)*o in
	// one call per block.
	norm func(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)
	// normNT (optional) is norm's streaming form (vector stores aligned to
	// ntAlign bytes; the caller fences), for heads whose output is not
	// prefetched: plain stores of it missed (read for ownership).
	normNT  func(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)
	ntAlign int
	// prefetch (optional) asks for x in L2.
	prefetch func(x []float32)
	// t16 (optional) transposes a 16x16 block: dst[c*ldd+r] = src[r*lds+c].
	t16 func(dst []float32, ldd int, src []float32, lds int)
	// run (optional, with qks) does n whole unmasked tiles for Dv a
	// multiple of 64: per tile qks[4], then pv6[4] on each 64-column chunk
	// (s holds 864 floats and corr 32: scratch of the software pipeline).
	// With nzt = 1..4 it then does a tail tile: qksMask[nzt] with valid,
	// then pv6[4] over its first allt keys, leaving its probabilities in
	// s[384*(n&1):] for the keys only some rows see.
	// It prefetches pf into L2, attnPfLines lines per tile after the first.
	run func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc, nzt int, valid []uint64, allt int, pf []float32)
	// runTail: run takes a tail tile.
	runTail bool
	// runFirst (optional) is run without a tail for the first block of a
	// group when a head's K and V outgrow L2 (that block streams the chunk
	// from L3).
	runFirst func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc int)
}

// qksFn is the fused score and softmax step (qksTileGo).
type qksFn func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr []float32, valid []uint64)

// attnGeneric runs the driver on the Go twins (tests; the generic level
// uses the pure-Go backend's attention, which is faster in scalar code).
var attnGeneric = &attnK{path: Generic, qk: qkTileGo, softmax: softmaxTileGo,
	pv6: [5]func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32){
		nil, pvTile6Go(1), pvTile6Go(2), pvTile6Go(3), pvTile6Go(4)},
	pv1:     [5]func(o, p []float32, nk int, v []float32, ldv int){nil, pvTile1Go(1), pvTile1Go(2), pvTile1Go(3), pvTile1Go(4)},
	qks:     [5]qksFn{nil, qksTileGo(1), qksTileGo(2), qksTileGo(3), qksTileGo(4)},
	qksMask: [5]qksFn{nil, qksTileGo(1), qksTileGo(2), qksTileGo(3), qksTileGo(4)}}

func init() {
	register("softmax_attention", prepareSoftmaxAttention, func(l *level) bool { return l.attn != nil })
}

// pool hands per-worker scratch (allocated in Prepare) to parallel bodies
// without allocating.
type pool[T any] chan *T

func newPool[T any](n int, mk func() *T) pool[T] {
	p := make(pool[T], n)
	for range n {
		p <- mk()
	}
	return p
}

type attnScratch struct {
	kt, vp   []float32 // the worker's packed K and V of one head (local packing)
	kth, vph []float32 // the current head's packed K and V (rows of dvp)
	pad      []float32 // [16][D] the last keys of a head, zero past S%16 (local packing)
	blk      [attnGroup]attnBlock
	s        [2][]float32 // [6][64] scores, then probabilities, of tiles of even and odd index
	corr     [2][]float32 // [16] the correction of those tiles (rows in lanes 0-5)
	runS     []float32    // [864] run's two tiles and row sums
	pfHead   int          // the head whose inputs the worker prefetches, or -1
	runC     []float32    // [32] run's two corrections
	valid    [attnRows]uint64
}

// attnGroup row blocks go through the key tiles together, a chunk of tiles
// at a time, so that a chunk of K and V (up to 256 KiB) comes from memory
// once per group rather than once per block: a head's K and V outgrow L2
// at L = 2048, D = 128, and the kernels then waited on memory.
const attnGroup = 4

// attnChunkBytes is the size of the chunks of K and V a group of blocks
// goes through together (a variable for the timing tests). 512 KiB rather
// than 256: each run call starts its software pipeline with a tile whose
// softmax is not overlapped, so longer calls do better (about 1% at
// L = 1024 and 8192, D = 64, in situ).
var attnChunkBytes = 512 << 10

// attnPfLines is how many lines of its pf argument attnK.run prefetches
// per tile after the first (pipePfLines in the generator).
const attnPfLines = 32

// attnPrefetchMax is the largest head (Q, K and V bytes) whose inputs the
// workers prefetch into L2 while computing the previous head (a variable
// for the timing tests). Larger heads do not fit next to the current one,
// and the prefetch bursts cost about 2% of the time at L = 1024, D = 64.
var attnPrefetchMax = 256 << 10

// attnBigHead is the size of a head's K and V (bytes) above which the
// first block of each group, which brings the group's chunk from L3 into
// L2, runs the plain kernel (runFirst) rather than the pipelined one: in
// L3 streaming tests the plain one was 2-5% faster (the pipelined one has
// fewer V misses in flight), in L2 slower (a variable for the timing tests).
var attnBigHead = 768 << 10

// attnStInit is a block's initial st, maxima -Inf and sums 0 (copied: a
// Go loop setting it was 1.4% of the time at L = 197).
var attnStInit = func() (st [32]float32) {
	for i := range 16 {
		st[i] = float32(math.Inf(-1))
	}
	return st
}()

// attnBlock is the state of one block of attnRows query rows.
type attnBlock struct {
	h, i0, rows int
	kEnd        int       // the keys any row of the block sees
	t0          int       // the leading tiles no row masks (done by run)
	tail        bool      // run also does tile t0, the block's last (masked) one
	fin         int       // the first tile finish does
	qb          []float32 // the query rows as the qk kernels read them
	qt          []float32 // [D][8] the query block transposed (rows past L are 0); [6][D] with qks
	o           []float32 // [6][Dvp] unnormalised outputs
	st          []float32 // [32]: running max and sum in lanes 0-5 of two 16-float vectors
	m, l        []float32 // [6] views of st
	inv         [attnRows]float32
}

// attnTile is what the P V step of a key tile needs: its first key, the
// keys every row of the block sees (all) and the keys each row sees (lims).
type attnTile struct {
	j0, all int
	lims    [attnRows]int
}

func prepareSoftmaxAttention(b *Backend, o kernel.Op) (kernel.Bound, error) {
	op := o.(kernel.SoftmaxAttention)
	if b.lv.attn == nil {
		return b.pure.Prepare(op)
	}
	return newAttention(b, b.lv.attn, &op), nil
}

// newAttention binds the driver to the kernels ak.
func newAttention(b *Backend, ak *attnK, op *kernel.SoftmaxAttention) kernel.Bound {
	q, k, v, out := kernel.F32s(op.Q), kernel.F32s(op.K), kernel.F32s(op.V), kernel.F32s(op.O)
	bh, L, S, D, Dv := op.B*op.H, op.L, op.S, op.D, op.Dv
	if bh == 0 || L == 0 {
		return bound(ak.path, func() {})
	}
	tiles := (S + attnKeys - 1) / attnKeys
	sp, dvp := tiles*attnKeys, (Dv+15)/16*16
	threads := b.threads
	// Packed K (per head and tile, [D][64]) and V ([Sp][Dvp]); the padding
	// is zero from allocation and never written. V is read in place when
	// its rows are whole vectors (the kernels read only the keys a row
	// sees), else copied with padded rows. With enough heads to share out
	// (local), each worker packs a head into its own buffers just before
	// computing it, so that the packed K is still in L2: packing every head
	// first left it in memory once the heads outgrew the cache (about a
	// quarter of the time at L = 197 with 96 heads, cold inputs).
	local := bh >= threads && (bh%threads == 0 || bh >= 4*threads)
	copyV := Dv != dvp
	var kt, vp []float32
	if !local {
		kt = make([]float32, bh*tiles*D*attnKeys)
		if copyV {
			vp = make([]float32, bh*sp*dvp)
		}
	}
	fused := ak.qks[4] != nil
	norm := ak.norm
	// Heads up to attnPrefetchMax have their inputs and output prefetched
	// while the previous head computes; larger ones stream their output
	// (0.5-1% faster at L = 1024 and 2048 in alternating timings; with the
	// prefetch, at L = 197, plain stores were 2% faster).
	bigHeads := (L*D+S*(D+Dv))*4 > attnPrefetchMax
	prefetchNext := ak.prefetch != nil && !bigHeads
	nt := bigHeads && ak.normNT != nil && ntHead(out, ak.ntAlign) == 0 && 4*Dv%ak.ntAlign == 0
	if nt {
		norm = ak.normNT
	}
	zeros := make([]float32, Dv) // norm's addend
	scratch := newPool(threads, func() *attnScratch {
		sc := &attnScratch{}
		if local {
			sc.kt = make([]float32, tiles*D*attnKeys)
			if S%16 != 0 && ak.t16 != nil {
				sc.pad = make([]float32, 16*D)
			}
			if copyV {
				sc.vp = make([]float32, sp*dvp)
			}
		}
		for p := range sc.s {
			sc.s[p], sc.corr[p] = make([]float32, attnRows*attnKeys), make([]float32, 16)
		}
		sc.runS, sc.runC = make([]float32, 2*attnRows*attnKeys+attnRows*16), make([]float32, 32)
		for i := range sc.blk {
			b := &sc.blk[i]
			b.qt, b.o, b.st = make([]float32, 8*D), make([]float32, attnRows*dvp), make([]float32, 32)
			b.m, b.l = b.st[0:attnRows], b.st[16:16+attnRows]
		}
		return sc
	})
	// packHead packs head h's K into kth and, if copyV, its V into vph.
	packHead := func(h int, kth, vph, pad []float32) {
		kh, vh := k[h*S*D:(h+1)*S*D], v[h*S*Dv:(h+1)*S*Dv]
		// K in groups of 16 keys (within one tile), by 16x16 blocks
		// where there is a transposer, the rest element by element. A
		// last group of fewer keys is copied into pad, zero past them, to
		// be transposed too (it writes zeros into K's padding, which is
		// zero; element by element it was 1% of the time at L = 197).
		for j0 := 0; j0 < S; j0 += 16 {
			n := min(16, S-j0)
			dst := kth[j0/attnKeys*D*attnKeys+j0%attnKeys:]
			d0 := 0
			src := kh[j0*D:]
			if n < 16 && pad != nil {
				copy(pad, src)
				src = pad
			}
			if (n == 16 || pad != nil) && ak.t16 != nil {
				for ; d0+16 <= D; d0 += 16 {
					ak.t16(dst[d0*attnKeys:], attnKeys, src[d0:], D)
				}
			}
			for j := range n {
				for d := d0; d < D; d++ {
					dst[d*attnKeys+j] = kh[(j0+j)*D+d]
				}
			}
		}
		if copyV {
			for j := range S {
				copy(vph[j*dvp:j*dvp+Dv], vh[j*Dv:(j+1)*Dv])
			}
		}
	}
	// setHead points the worker at head h's packed K and V (rows of dvp).
	setHead := func(sc *attnScratch, h int) {
		switch {
		case local:
			sc.kth, sc.vph = sc.kt, sc.vp
		default:
			sc.kth, sc.vph = kt[h*tiles*D*attnKeys:], vp[min(len(vp), h*sp*dvp):]
		}
		if !copyV {
			sc.vph = v[h*S*Dv:]
		}
	}
	pack := func(lo, hi int) {
		for h := lo; h < hi; h++ {
			packHead(h, kt[h*tiles*D*attnKeys:], vp[min(len(vp), h*sp*dvp):], nil)
		}
	}
	blocks := (L + attnRows - 1) / attnRows
	groups := (blocks + attnGroup - 1) / attnGroup
	items := bh * groups
	chunk := max(1, attnChunkBytes/(attnKeys*(D+dvp)*4)) // tiles per chunk
	bigHead := S*(D+dvp)*4 > attnBigHead
	negInf := float32(math.Inf(-1))
	scale := op.Scale
	if ak.base2 {
		scale = float32(float64(scale) * math.Log2E)
	}
	// pv adds tile ti's P V (probabilities p, correction corr) into the
	// block's outputs.
	pv := func(sc *attnScratch, blk *attnBlock, ti *attnTile, p, corr []float32) {
		vt := sc.vph[ti.j0*dvp:]
		for c0 := 0; c0 < dvp; c0 += 64 {
			nz := min(4, (dvp-c0)/16)
			ak.pv6[nz](blk.o[c0:], dvp, p, ti.all, vt[c0:], dvp, corr)
			for i := range blk.rows {
				if extra := ti.lims[i] - ti.all; extra > 0 {
					ak.pv1[nz](blk.o[i*dvp+c0:], p[i*attnKeys+ti.all:], extra, vt[ti.all*dvp+c0:], dvp)
				}
			}
		}
	}
	// begin sets up block blk of rows i0.. of head h.
	begin := func(blk *attnBlock, h, i0 int) {
		blk.h, blk.i0, blk.rows = h, i0, min(attnRows, L-i0)
		blk.qb = q[(h*L+i0)*D : (h*L+i0+blk.rows)*D]
		switch {
		case fused && blk.rows < attnRows: // the kernels read 6 rows
			clear(blk.qt[blk.rows*D : attnRows*D])
			copy(blk.qt, blk.qb)
			blk.qb = blk.qt[:attnRows*D]
		case !fused:
			if blk.rows < attnRows {
				clear(blk.qt)
			}
			for i := range blk.rows {
				for t, x := range blk.qb[i*D : (i+1)*D] {
					blk.qt[t*8+i] = x
				}
			}
		}
		clear(blk.o)
		copy(blk.st, attnStInit[:])
		blk.kEnd, blk.t0 = S, 0
		if op.Causal {
			blk.kEnd = i0 + blk.rows
		}
		if ak.run != nil && Dv%64 == 0 {
			seen := S // the keys row 0 sees
			if op.Causal {
				seen = min(S, i0+1)
			}
			blk.t0 = seen / attnKeys
		}
		// With the tail, run does the block's one masked tile too, its
		// softmax overlapped with the P V of the tile before.
		blk.tail = ak.runTail && blk.t0 > 0 && blk.t0*attnKeys < blk.kEnd && (blk.kEnd-1)/attnKeys == blk.t0
		blk.fin = blk.t0
		if blk.tail {
			blk.fin++
		}
	}
	// tileLims sets ti for tile t of blk, and valid (each row's keys), and
	// says whether any of the first 16*nz keys is masked in some row.
	tileLims := func(blk *attnBlock, t, nz int, ti *attnTile, valid *[attnRows]uint64) bool {
		j0 := t * attnKeys
		ti.j0, ti.all = j0, attnKeys
		masked := false
		for i := range ti.lims {
			lim := attnKeys
			if op.Causal {
				lim = min(lim, max(blk.i0+i+1-j0, 0))
			}
			lim = min(lim, S-j0)
			ti.lims[i] = lim
			if i < blk.rows {
				ti.all = min(ti.all, lim)
			}
			masked = masked || lim < 16*nz
			valid[i] = 1<<lim - 1 // all ones for 64
		}
		return masked
	}
	// finish does the tiles of blk from t0 on (one at a time) and writes
	// its output rows. Software pipelined: the P V of tile t-1 runs after
	// the softmax of tile t, so that its FMAs overlap the softmax's
	// dependency chain (maximum, exp, sums) instead of waiting for it.
	finish := func(sc *attnScratch, blk *attnBlock) {
		h, i0, rows, kEnd, t0 := blk.h, blk.i0, blk.rows, blk.kEnd, blk.fin
		var pend [2]attnTile
		for t := t0; t*attnKeys < kEnd; t++ {
			ti, j0 := &pend[t&1], t*attnKeys
			s, corr := sc.s[t&1], sc.corr[t&1]
			kTile := sc.kth[t*D*attnKeys:]
			// The fused kernels compute the first 16*nz keys of the tile.
			nz := 4
			if fused {
				nz = (min(attnKeys, kEnd-j0) + 15) / 16
			}
			masked := tileLims(blk, t, nz, ti, &sc.valid)
			switch {
			case masked && fused:
				ak.qksMask[nz](s, blk.qb, D, kTile, D, scale, blk.st, corr, sc.valid[:])
			case fused:
				ak.qks[nz](s, blk.qb, D, kTile, D, scale, blk.st, corr, nil)
			default:
				ak.qk(s, blk.qt, kTile, D, scale)
				for i, lim := range ti.lims {
					for j := lim; j < attnKeys; j++ {
						s[i*attnKeys+j] = negInf
					}
				}
				ak.softmax(s, blk.m, blk.l, corr)
			}
			if t > t0 {
				pv(sc, blk, &pend[(t-1)&1], sc.s[(t-1)&1], sc.corr[(t-1)&1])
			}
		}
		if last := (kEnd - 1) / attnKeys; last >= t0 {
			pv(sc, blk, &pend[last&1], sc.s[last&1], sc.corr[last&1])
		}
		oh := out[(h*L+i0)*Dv:]
		inv := blk.inv[:] // in the scratch: a local array would escape through the call
		for i := range rows {
			inv[i] = 1 / blk.l[i]
		}
		if norm != nil {
			norm(oh, Dv, blk.o, dvp, zeros, 0, inv, rows, Dv)
			return
		}
		for i := range rows {
			for c, x := range blk.o[i*dvp : i*dvp+Dv] {
				oh[i*Dv+c] = x * inv[i]
			}
		}
	}
	// pfShare returns block i's share of the inputs and output of head
	// sc.pfHead (if any), to come from memory while this head computes: with
	// a = i%4, part i/4 of the a-th of Q, K, V and O, split among the blocks
	// of index a mod 4 (pfSpans, computed once: the divisions were 1% of
	// the time at L = 197). It is one region, which the run kernel
	// prefetches a few lines at a time between its FMAs. With fewer than 4
	// blocks, the last one prefetches the arrays no block has. (The output:
	// its first writes missed, 6% of the L = 197 profile.)
	pfArrs, pfSizes := [4][]float32{q, k, v, out}, [4]int{L * D, S * D, S * Dv, L * Dv}
	const na = len(pfArrs)
	pfSpans := make([][2]int, blocks) // block i's share of its array of a head
	for i := range pfSpans {
		a, n := i%na, (blocks-i%na+na-1)/na
		pfSpans[i] = [2]int{pfSizes[a] * (i / na) / n, pfSizes[a] * (i/na + 1) / n}
	}
	pfShare := func(sc *attnScratch, i int) []float32 {
		nh := sc.pfHead
		if nh < 0 {
			return nil
		}
		if i == blocks-1 {
			for a := blocks; a < na; a++ {
				ak.prefetch(pfArrs[a][nh*pfSizes[a] : (nh+1)*pfSizes[a]])
			}
		}
		a, sp := i%na, pfSpans[i]
		return pfArrs[a][nh*pfSizes[a]+sp[0] : nh*pfSizes[a]+sp[1]]
	}
	group := func(sc *attnScratch, h, g int) {
		b0 := g * attnGroup
		blks := sc.blk[:min(attnGroup, blocks-b0)]
		maxT0 := 0
		for i := range blks {
			begin(&blks[i], h, (b0+i)*attnRows)
			maxT0 = max(maxT0, blks[i].t0)
		}
		// Without the next head's prefetch, the next group's query and
		// (unless streamed) output rows (each block's first loads and
		// stores missed).
		if sc.pfHead < 0 && ak.prefetch != nil && g+1 < groups {
			r0 := (b0 + attnGroup) * attnRows
			r1 := min(L, r0+attnGroup*attnRows)
			if !nt {
				ak.prefetch(out[(h*L+r0)*Dv : (h*L+r1)*Dv])
			}
			ak.prefetch(q[(h*L+r0)*D : (h*L+r1)*D])
		}
		for c0 := 0; c0 < maxT0; c0 += chunk {
			for i := range blks {
				blk := &blks[i]
				var pf []float32 // a share per block
				if c0 == 0 {
					pf = pfShare(sc, b0+i)
				}
				n := min(blk.t0, c0+chunk) - c0
				if n <= 0 {
					if len(pf) > 0 {
						ak.prefetch(pf)
					}
					continue
				}
				var ti attnTile
				nzt := 0
				if blk.tail && c0+n == blk.t0 {
					nzt = (min(attnKeys, blk.kEnd-blk.t0*attnKeys) + 15) / 16
					tileLims(blk, blk.t0, nzt, &ti, &sc.valid)
				}
				if i == 0 && nzt == 0 && bigHead && ak.runFirst != nil {
					if len(pf) > 0 {
						ak.prefetch(pf)
					}
					ak.runFirst(sc.runS, blk.qb, D, sc.kth[c0*D*attnKeys:], D, scale, blk.st, sc.runC,
						blk.o, dvp, sc.vph[c0*attnKeys*dvp:], dvp, n, dvp/64)
					continue
				}
				// run prefetches attnPfLines lines per tile after its first.
				steps := n - 1
				if nzt > 0 {
					steps++
				}
				runPf := pf[:min(len(pf), steps*attnPfLines*16)]
				ak.run(sc.runS, blk.qb, D, sc.kth[c0*D*attnKeys:], D, scale, blk.st, sc.runC,
					blk.o, dvp, sc.vph[c0*attnKeys*dvp:], dvp, n, dvp/64, nzt, sc.valid[:], ti.all, runPf)
				if rest := pf[len(runPf):]; len(rest) > 0 {
					ak.prefetch(rest)
				}
				if nzt == 0 {
					continue
				}
				// The tail's keys that only some rows see, one row at a time.
				p, vt := sc.runS[(n&1)*attnRows*attnKeys:], sc.vph[ti.j0*dvp:]
				for c := 0; c < dvp; c += 64 {
					for r := range blk.rows {
						if extra := ti.lims[r] - ti.all; extra > 0 {
							ak.pv1[4](blk.o[r*dvp+c:], p[r*attnKeys+ti.all:], extra, vt[ti.all*dvp+c:], dvp)
						}
					}
				}
			}
		}
		for i := range blks {
			finish(sc, &blks[i])
		}
	}
	work := func(lo, hi int) {
		sc := <-scratch
		defer func() {
			if nt {
				sfence()
			}
			scratch <- sc
		}()
		for w := lo; w < hi; w++ {
			if local {
				for h := w; h < bh; h += threads {
					setHead(sc, h)
					packHead(h, sc.kth, sc.vph, sc.pad)
					sc.pfHead = -1
					if nh := h + threads; prefetchNext && nh < bh {
						sc.pfHead = nh
					}
					for g := range groups {
						group(sc, h, g)
					}
				}
				continue
			}
			for item := w; item < items; item += threads { // round robin: causal groups differ in cost
				setHead(sc, item/groups)
				sc.pfHead = -1
				group(sc, item/groups, item%groups)
			}
		}
	}
	return bound(ak.path, func() {
		if !local {
			par.For(bh, threads, par.Grain(S*(D+Dv), 1<<16), pack)
		}
		par.For(min(threads, items), threads, 1, work)
	})
}

// ---- Go twins of the micro-kernels (the meaning of the assembly) ----

func qkTileGo(s, qt, kt []float32, d int, scale float32) { qkStrided(s, qt, 8, 1, kt, d, scale) }

// qkStrided is qkTileGo with query element (i, t) at q[t*ts+i*is].
func qkStrided(s, q []float32, ts, is int, kt []float32, d int, scale float32) {
	for i := range attnRows {
		for j := range attnKeys {
			var acc float32
			for t := range d {
				acc += q[t*ts+i*is] * kt[t*attnKeys+j]
			}
			s[i*attnKeys+j] = scale * acc
		}
	}
}

// qksTileGo(nz) is the meaning of the fused kernels: qkTile on the query
// rows q[i*ldq:], with the keys from 16*nz on, and those whose bit in
// valid[i] is clear (valid nil: none), at -Inf; then softmaxTile with m and
// l in st[0:6] and st[16:22], and corr[0:6] (softmaxTile2Go for base2
// kernels). The kernels leave s past 16*nz keys undefined.
func qksTileGo(nz int) qksFn {
	return func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr []float32, valid []uint64) {
		qkStrided(s, q, 1, ldq, kt, d, scale)
		for i := range attnRows {
			for j := range attnKeys {
				if j >= 16*nz || valid != nil && valid[i]>>j&1 == 0 {
					s[i*attnKeys+j] = float32(math.Inf(-1))
				}
			}
		}
		softmaxTileGo(s, st[0:attnRows], st[16:16+attnRows], corr[0:attnRows])
	}
}

// expZero is expPoly with an exact 0 below -110 (the attention exp, where
// a masked key's -Inf score must weigh exactly 0).
func expZero(t float32) float32 {
	if t < -110 {
		return 0
	}
	if t < -87 {
		return float32(math.Exp(float64(t))) // denormal results: the assembly scales by 2^n exactly
	}
	return expPoly(t)
}

// exp2Zero is the base-2 attention exp (exp2Many in the generator):
// 2^t, correctly rounded here, rounding once into the denormals, so 0 below
// -150 and for -Inf.
func exp2Zero(t float32) float32 { return float32(math.Exp2(float64(t))) }

func softmaxTileGo(s, m, l, corr []float32) { softmaxTileExp(s, m, l, corr, expZero) }

// softmaxTile2Go is softmaxTileGo in base 2 (attnK.base2).
func softmaxTile2Go(s, m, l, corr []float32) { softmaxTileExp(s, m, l, corr, exp2Zero) }

func softmaxTileExp(s, m, l, corr []float32, expZero func(float32) float32) {
	for i := range attnRows {
		row := s[i*attnKeys : (i+1)*attnKeys]
		mx := m[i]
		for _, x := range row {
			mx = max(mx, x)
		}
		corr[i] = expZero(m[i] - mx)
		var sum float32
		for j, x := range row {
			row[j] = expZero(x - mx)
			sum += row[j]
		}
		l[i] = l[i]*corr[i] + sum
		m[i] = mx
	}
}

func pvTile6Go(nz int) func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32) {
	return func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32) {
		for i := range attnRows {
			orow := o[i*ldo : i*ldo+16*nz]
			for c := range orow {
				orow[c] *= corr[i]
			}
			pvTile1Go(nz)(orow, p[i*attnKeys:], nk, v, ldv)
		}
	}
}

func pvTile1Go(nz int) func(o, p []float32, nk int, v []float32, ldv int) {
	return func(o, p []float32, nk int, v []float32, ldv int) {
		for j := range nk {
			for c, x := range v[j*ldv : j*ldv+16*nz] {
				o[c] += p[j] * x
			}
		}
	}
}
