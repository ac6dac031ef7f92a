package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Micro-kernels of the fused softmax attention (AVX-512, and AVX2+FMA
// below with the same meaning in 16 ymm registers): a tile is
// attnRows query rows by attnKeys keys. The Go driver (attention.go) packs
// K transposed per 64-key tile and V padded to a multiple of 16 columns,
// and keeps the running max, sum and unnormalised output of each row.
const (
	attnRows = 6
	attnKeys = 64 // 4 zmm per score row
)

func attention() {
	qkTile()
	softmaxTile()
	for nz := 1; nz <= 4; nz++ {
		qksTile(nz, false)
		qksTile(nz, true)
	}
	transpose16()
	attnRun()
	attnRunPipe()
	prefetchLines()
	for _, rows := range []int{attnRows, 1} {
		for nz := 1; nz <= 4; nz++ {
			pvTile(rows, nz)
		}
	}
	qkTileAVX2()
	softmaxTileAVX2()
	for _, rows := range []int{attnRows, 1} {
		for nz := 1; nz <= 4; nz++ {
			pvTileAVX2(rows, nz)
		}
	}
}

// qkTile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i] * kt[t*64+j] for i < 6, j < 64,
// with the query block packed transposed (8 floats per t, 6 used).
// Register blocked 6x4 zmm: per t, 4 loads of kt, 6 broadcasts, 24 FMAs.
func qkTile() {
	TEXT("qkTileAVX512", NOSPLIT, "func(s, qt, kt []float32, d int, scale float32)")
	Pragma("noescape")
	Doc("qkTileAVX512 computes one 6x64 score tile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i]*kt[t*64+j]",
		"for i < 6, j < 64 (qt is the query block transposed, [d][8]; kt a key tile transposed, [d][64]).")
	s, q, kt := ptr("s"), ptr("qt"), ptr("kt")
	d := Load(Param("d"), GP64())
	acc := make([][]VecVirtual, attnRows)
	for i := range acc {
		acc[i] = make([]VecVirtual, 4)
		for c := range acc[i] {
			acc[i][c] = ZMM()
			zero(acc[i][c])
		}
	}
	Label("loop")
	TESTQ(d, d)
	JZ(LabelRef("done"))
	k := make([]VecVirtual, 4)
	for c := range k {
		k[c] = ZMM()
		VMOVUPS(Mem{Base: kt, Disp: 64 * c}, k[c])
	}
	for i := 0; i < attnRows; i++ {
		b := ZMM()
		VBROADCASTSS(Mem{Base: q, Disp: 4 * i}, b)
		for c := 0; c < 4; c++ {
			VFMADD231PS(k[c], b, acc[i][c])
		}
	}
	ADDQ(U8(32), q)
	ADDQ(U32(4*attnKeys), kt)
	DECQ(d)
	JMP(LabelRef("loop"))
	Label("done")
	sc := avx512.scalarArg("scale")
	for i := 0; i < attnRows; i++ {
		for c := 0; c < 4; c++ {
			VMULPS(sc, acc[i][c], acc[i][c])
			VMOVUPS(acc[i][c], Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)})
		}
	}
	VZEROUPPER()
	RET()
}

// softmaxTile: the online-softmax step of a 6x64 tile of (scaled, masked)
// scores, in place. The six rows go through each phase together so their
// dependency chains (horizontal reductions, exp) overlap; the running
// statistics are updated as one 6-lane vector.
func softmaxTile() {
	TEXT("softmaxTileAVX512", NOSPLIT, "func(s, m, l, corr []float32)")
	Pragma("noescape")
	Doc("softmaxTileAVX512 does the online-softmax step of a 6x64 tile of scores s (masked",
		"entries are -Inf), for each row i < 6:",
		"  mx := max(m[i], max_j s[i*64+j]); corr[i] = 2^(m[i]-mx)",
		"  s[i*64+j] = 2^(s[i*64+j]-mx); l[i] = l[i]*corr[i] + Σ_j s[i*64+j]; m[i] = mx",
		"(base 2: scores in log2 units) with 2^x from exp2Many (exactly 0 for -Inf).",
		"m, l and corr hold 6 elements.")
	s, m, l, corr := ptr("s"), ptr("m"), ptr("l"), ptr("corr")
	six := K()
	bits := GP32()
	MOVL(U32(1<<attnRows-1), bits)
	KMOVW(bits, six)
	row := func(i, c int) Mem { return Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)} }

	// Row maxima, reduced together, parked in corr[0:6].
	mx := make([]VecVirtual, attnRows)
	for i := range mx {
		mx[i] = ZMM()
		t := ZMM()
		VMOVUPS(row(i, 0), mx[i])
		VMOVUPS(row(i, 1), t)
		VMAXPS(row(i, 2), mx[i], mx[i])
		VMAXPS(row(i, 3), t, t)
		VMAXPS(t, mx[i], mx[i])
	}
	hreduceMany(mx, vmaxps)
	for i := range mx {
		VMOVSS(mx[i].AsX(), Mem{Base: corr, Disp: 4 * i})
	}
	// New maxima and corrections as one vector.
	old, mnew := ZMM(), ZMM()
	VMOVUPS_Z(Mem{Base: m}, six, old)
	VMOVUPS_Z(Mem{Base: corr}, six, mnew)
	VMAXPS(old, mnew, mnew)
	VMOVUPS(mnew, six, Mem{Base: m})
	VSUBPS(mnew, old, old)
	exp2Many([]VecVirtual{old})
	VMOVUPS(old, six, Mem{Base: corr})
	// Probabilities and their row sums.
	sum := rowProbs(s, 4, func(i int) VecVirtual {
		b := ZMM()
		VBROADCASTSS(Mem{Base: m, Disp: 4 * i}, b)
		return b
	})
	// l = l*corr + sum, as one vector (the six sums gathered on the stack).
	tmp := AllocLocal(64)
	for i := range sum {
		VMOVSS(sum[i].AsX(), tmp.Offset(4*i))
	}
	sv, lv := ZMM(), ZMM()
	VMOVUPS_Z(tmp, six, sv)
	VMOVUPS_Z(Mem{Base: l}, six, lv)
	VFMADD213PS(sv, old, lv)
	VMOVUPS(lv, six, Mem{Base: l})
	VZEROUPPER()
	RET()
}

// qksTile fuses qkTile and softmaxTile for the first 16*nz keys of a tile,
// reading the query block row-major (no transposed copy per block) and
// keeping the running statistics as whole vectors st = [m | l] and corr (16
// lanes each, rows in lanes 0-5): the scalar stores and narrow reloads of
// softmaxTile stalled on store forwarding. corr is an argument of its own so
// that the driver can keep the previous tile's while it runs this one. The masked form sets the keys
// outside valid[i] (a bit per key of row i) to -Inf before the max, as the
// Go driver does for softmaxTile. Same operations in the same order as
// qkTile then softmaxTile, so the results are bit-identical.
func qksTile(nz int, masked bool) {
	name := fmt.Sprintf("qksTile%dAVX512", nz)
	if masked {
		name = fmt.Sprintf("qksTile%dMaskAVX512", nz)
	}
	TEXT(name, NOSPLIT, "func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr []float32, valid []uint64)")
	Pragma("noescape")
	doc := []string{
		name + " computes scores x[i][j] = scale * Σ_{t<d} q[i*ldq+t]*kt[t*64+j] for i < 6,",
		fmt.Sprintf("j < %d (kt a key tile transposed, [d][64]), then the online-softmax step of", 16*nz),
		"softmaxTileAVX512 on them with m = st[0:6], l = st[16:22], corr[0:6], writing the",
		"probabilities to s[i*64+j]. st holds 32 floats and corr 16 (lanes 6-15 of each",
		"vector are scratch).",
	}
	if masked {
		doc = append(doc, "Keys j with bit j of valid[i] clear score -Inf (valid holds 6 masks).")
	}
	Doc(doc...)
	s, q, kt, st, corr := ptr("s"), ptr("q"), ptr("kt"), ptr("st"), ptr("corr")
	ldq := Load(Param("ldq"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldq)
	d := Load(Param("d"), GP64()).(GPVirtual)
	qksBody(nz, masked, "", s, q, ldq, kt, d, st, corr)
	VZEROUPPER()
	RET()
}

// qksBody emits qksTile on pointers in registers (ldq in bytes); it
// advances q and kt (kt past the tile) and counts d down to 0. Labels
// start with pfx.
func qksBody(nz int, masked bool, pfx string, s, q, ldq, kt, d, st, corr GPVirtual) {
	acc := qkAcc(nz, pfx, q, ldq, kt, d)
	mnew, old := qksMax(acc, masked, s, st, corr)
	sum := rowProbs(s, nz, func(i int) VecVirtual {
		b, idx := ZMM(), ZMM()
		VMOVUPS(splat(fmt.Sprintf("lane%d", i), uint32(i)), idx)
		VPERMPS(mnew, idx, b)
		return b
	})
	sv, lv := gather6(sum), ZMM()
	VMOVUPS(Mem{Base: st, Disp: 64}, lv)
	VFMADD213PS(sv, old, lv)
	VMOVUPS(lv, Mem{Base: st, Disp: 64})
}

// rowProbs emits the probabilities of a 6-row score tile at s and their
// row sums: row i's first nz vectors x become 2^(x - mx(i)) in place (mx
// emits the row's maximum broadcast), the row's nz exps interleaved. It
// returns the sums, folded into lane 0 of each.
func rowProbs(s GPVirtual, nz int, mx func(i int) VecVirtual) []VecVirtual {
	row := func(i, c int) Mem { return Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)} }
	sum := make([]VecVirtual, attnRows)
	for i := range sum {
		b := mx(i)
		ts := make([]VecVirtual, nz)
		for c := range ts {
			ts[c] = ZMM()
			VMOVUPS(row(i, c), ts[c])
			VSUBPS(b, ts[c], ts[c])
		}
		exp2Many(ts)
		sum[i] = ZMM()
		for c, x := range ts {
			VMOVUPS(x, row(i, c))
			if c == 0 {
				VMOVAPS(x, sum[i])
			} else {
				VADDPS(x, sum[i], sum[i])
			}
		}
	}
	hreduceMany(sum, vaddps)
	return sum
}

// qksMax emits the first half of qksBody on the accumulated scores acc:
// scale (and mask), store them to s, fold each row to its maximum, the new
// maxima into st[0:16] and corr = 2^(old m - new m) into corr[0:16]. It
// returns the new maxima and the correction.
func qksMax(acc [][]VecVirtual, masked bool, s, st, corr GPVirtual) (mnew, old VecVirtual) {
	v := avx512
	nz := len(acc[0])
	// Scale, mask, store the scores; fold each row to its maximum in place
	// (the order of softmaxTile's maximum).
	sc := v.scalarArg("scale")
	var valid GPVirtual
	var ninf VecVirtual
	if masked {
		valid = ptr("valid")
		ninf = v.bcast(splat("neginf", 0xff800000))
	}
	row := func(i, c int) Mem { return Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c)} }
	mx := make([]VecVirtual, attnRows)
	for i := range acc {
		for c, a := range acc[i] {
			VMULPS(sc, a, a)
			if masked {
				kv := K()
				KMOVW(Mem{Base: valid, Disp: 8*i + 2*c}, kv)
				VBLENDMPS(a, ninf, kv, a)
			}
			VMOVUPS(a, row(i, c))
		}
		a := acc[i]
		switch nz {
		case 1:
		case 2:
			VMAXPS(a[1], a[0], a[0])
		case 3:
			VMAXPS(a[2], a[0], a[0])
			VMAXPS(a[1], a[0], a[0])
		case 4:
			VMAXPS(a[2], a[0], a[0])
			VMAXPS(a[3], a[1], a[1])
			VMAXPS(a[1], a[0], a[0])
		}
		mx[i] = a[0]
	}
	hreduceMany(mx, vmaxps)
	mnew = gather6(mx)
	old = ZMM()
	VMOVUPS(Mem{Base: st}, old)
	VMAXPS(old, mnew, mnew)
	VMOVUPS(mnew, Mem{Base: st})
	VSUBPS(mnew, old, old)
	exp2Many([]VecVirtual{old})
	VMOVUPS(old, Mem{Base: corr})
	return mnew, old
}

// attnRun is the driver's loop over a block's whole unmasked key tiles for
// Dv a multiple of 64, in one call: per tile qksBody (nz = 4), then the
// P V of its 64 keys into each 64-column chunk of o (pvBody 6x4). Per-tile
// calls from Go and the driver's bookkeeping cost about a tenth of the
// time at D = 64.
func attnRun() {
	TEXT("attnRunAVX512", NOSPLIT, "func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc int)")
	Pragma("noescape")
	Doc("attnRunAVX512 runs n >= 1 key tiles: for each, qksTile4AVX512(s, q, ldq, kt, d, scale, st, corr, nil)",
		"with kt advanced by d*64 per tile, then pvTile6x4AVX512(o[64c:], ldo, s, 64, v[64c:], ldv, corr)",
		"for c < dvc (dvc >= 1) with v advanced by 64*ldv per tile.")
	kt, vt := ptr("kt"), ptr("v")
	{
		q, ldq, d := ptr("q"), Load(Param("ldq"), GP64()).(GPVirtual), Load(Param("d"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldq)
		prefetchRows(q, ldq, d, "qpf")
	}
	t := Load(Param("n"), GP64()).(GPVirtual)
	Label("tile")
	{
		s, q, st, corr := ptr("s"), ptr("q"), ptr("st"), ptr("corr")
		ldq := Load(Param("ldq"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldq)
		d := Load(Param("d"), GP64()).(GPVirtual)
		qksBody(4, false, "qks", s, q, ldq, kt, d, st, corr)
	}
	{
		cb := GP64()
		XORQ(cb, cb)
		Label("chunk")
		o, v := ptr("o"), GP64()
		ADDQ(cb, o)
		LEAQ(Mem{Base: vt, Index: cb, Scale: 1}, v)
		p, corr := ptr("s"), ptr("corr")
		ldo := Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo)
		ldv := Load(Param("ldv"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldv)
		nk := GP64()
		MOVQ(U32(attnKeys), nk)
		pvBody(attnRows, 4, "pv", o, ldo, p, nk, v, ldv, corr)
		ADDQ(U32(256), cb)
		nc := Load(Param("dvc"), GP64())
		SHLQ(U8(8), nc)
		CMPQ(cb, nc)
		JB(LabelRef("chunk"))
	}
	ldv := Load(Param("ldv"), GP64()).(GPVirtual)
	SHLQ(U8(8), ldv) // 64 keys of 4 bytes
	ADDQ(ldv, vt)
	DECQ(t)
	JNZ(LabelRef("tile"))
	VZEROUPPER()
	RET()
}

// attnRunPipe is attnRun software pipelined across tiles: the P V of tile
// t-1 runs while the softmax of tile t is computed, its instructions
// interleaved with the exps in the code (not left to out-of-order
// execution, whose window the ~670-instruction softmax overflowed: the FMA
// units idled through it). For that, the first 32 output columns of the
// P V are done as a 6x2 block (12 accumulators), which leaves registers
// for four exps at a time, and the exps take their constants as embedded
// broadcasts (32-bit loads: with full-width constant loads the loop was
// load bound and slower than attnRun). The same operations in the same
// order per element as attnRun, so the results are bit-identical. In
// cache (8 tiles, Zen 5, best of 2000): 91-92% of the FMA peak against
// attnRun's 85-86% at D = 64, 95% against 92% at D = 128.
//
// s holds two score tiles and 6 row-sum vectors at s[768:864]; corr two
// 16-float corrections.
func attnRunPipe() {
	TEXT("attnRunPipeAVX512", NOSPLIT, "func(s, q []float32, ldq int, kt []float32, d int, scale float32, st, corr, o []float32, ldo int, v []float32, ldv, n, dvc, nzt int, valid []uint64, allt int, pf []float32)")
	Pragma("noescape")
	Doc("attnRunPipeAVX512 is attnRunAVX512 (same results, bit for bit) with s holding 864 floats",
		"and corr 32 (two tiles' probabilities and corrections, and scratch). With nzt = 1..4 it",
		"then does a tail tile (index n): qksTile<nzt>MaskAVX512 with valid (6 masks), and",
		"pvTile6x4AVX512 on its first allt keys for each 64-column chunk. The probabilities and",
		"correction of the last tile (index n with a tail, else n-1; tile i's in s[384*(i&1):]",
		"and corr[16*(i&1):]) are left there. It prefetches the lines of pf into L2 (PREFETCHT1),",
		fmt.Sprintf("%d per pipelined tile (each tile after the first) until they run out.", pipePfLines))
	frame := AllocLocal(72)
	f := pipeFrame{sCur: frame.Offset(0), sPrev: frame.Offset(8), cCur: frame.Offset(16), cPrev: frame.Offset(24),
		kt: frame.Offset(32), vt: frame.Offset(40), t: frame.Offset(48), pf: frame.Offset(56), pfn: frame.Offset(64)}
	{
		pf, pfn := ptr("pf"), Load(Param("pf").Len(), GP64()).(GPVirtual)
		SHLQ(U8(2), pfn)
		MOVQ(pf, f.pf)
		MOVQ(pfn, f.pfn)
	}
	// Tile 0: scores and softmax alone, into s[0:384] and corr[0:16].
	{
		kt := ptr("kt")
		s, q, st, corr := ptr("s"), ptr("q"), ptr("st"), ptr("corr")
		MOVQ(s, f.sPrev)
		MOVQ(corr, f.cPrev)
		ldq := Load(Param("ldq"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldq)
		d := Load(Param("d"), GP64()).(GPVirtual)
		prefetchRows(q, ldq, d, "qpf")
		qksBody(4, false, "p0", s, q, ldq, kt, d, st, corr)
		MOVQ(kt, f.kt)
		s2, c2 := ptr("s"), ptr("corr")
		ADDQ(U32(pipeTileB), s2)
		ADDQ(U8(64), c2)
		MOVQ(s2, f.sCur)
		MOVQ(c2, f.cCur)
		vt := ptr("v")
		MOVQ(vt, f.vt)
		t := Load(Param("n"), GP64()).(GPVirtual)
		DECQ(t)
		MOVQ(t, f.t)
		JZ(LabelRef("last"))
	}
	Label("tile")
	pipeStep(f, "", 4, false)
	f.swap()
	{
		t := f.load(f.t)
		DECQ(t)
		MOVQ(t, f.t)
		JNZ(LabelRef("tile"))
	}
	Label("last")
	{
		nzt := Load(Param("nzt"), GP64())
		for nz := 1; nz <= 4; nz++ {
			CMPQ(nzt, U8(nz))
			JE(LabelRef(fmt.Sprintf("tail%d", nz)))
		}
	}
	pvChunks("end", 0, f.sPrev, f.cPrev, f.vt, nil)
	VZEROUPPER()
	RET()
	for nz := 1; nz <= 4; nz++ {
		pfx := fmt.Sprintf("tail%d", nz)
		Label(pfx)
		pipeStep(f, pfx, nz, true)
		// The tail's own P V on its first allt keys (V a tile further).
		nk := Load(Param("allt"), GP64()).(GPVirtual)
		pvChunks(pfx+"pv", 0, f.sPrev, f.cPrev, f.vt, nk) // after pipeStep's swap
		VZEROUPPER()
		RET()
	}
}

// prefetchRows prefetches into L1 (PREFETCHT0) every line of the 6 rows of
// d floats at r (byte stride ld; 4d+64 bytes from each row's start, so
// unaligned rows are covered), all before the first is used. The run
// kernels start with it on the block's query rows, which come from L2 or
// memory at each call: the first tile's score loop otherwise met the rows'
// lines one at a time (its loop was 5.9% of the in-situ L = 1024 profile,
// twice its share in cache; 2.6% with the prefetch).
func prefetchRows(r, ld, d GPVirtual, lbl string) {
	end, off := GP64(), GP64()
	LEAQ(Mem{Base: d, Index: d, Scale: 2, Disp: 64}, end) // 3d+64: with d below, 4d+64 bytes
	ADDQ(d, end)
	XORQ(off, off)
	r3 := row3(r, ld)
	Label(lbl)
	p0, p3 := GP64(), GP64()
	LEAQ(Mem{Base: r, Index: off, Scale: 1}, p0)
	LEAQ(Mem{Base: r3, Index: off, Scale: 1}, p3)
	for i := range attnRows {
		PREFETCHT0(rowMem(p0, p3, ld, i, 0))
	}
	ADDQ(U8(64), off)
	CMPQ(off, end)
	JB(LabelRef(lbl))
}

// pipeTileB is the byte size of a score tile in attnRunPipe's s.
const pipeTileB = 4 * attnRows * attnKeys

// pipeFrame holds attnRunPipe's frame slots: the s and corr buffers of
// the current and previous tiles, the next K tile, the previous tile's V,
// the tiles left, and the next line and bytes left to prefetch.
type pipeFrame struct{ sCur, sPrev, cCur, cPrev, kt, vt, t, pf, pfn Mem }

// pipePfLines is how many lines attnRunPipe prefetches per pipelined tile,
// pipePfLines/8 at a time between the FMAs of its P V: the driver's
// prefetch of the next head in bursts of about 90 lines before each call
// stalled (4% of the L = 197 profile).
const pipePfLines = 32

// prefetch emits the prefetch of up to pipePfLines/8 lines of the
// frame's region (lbl: a fresh label).
func (f pipeFrame) prefetch(lbl string) {
	const k = pipePfLines / 8
	n := f.load(f.pfn)
	TESTQ(n, n)
	JLE(LabelRef(lbl))
	p := f.load(f.pf)
	for i := range k {
		PREFETCHT1(Mem{Base: p, Disp: 64 * i})
	}
	ADDQ(U32(64*k), p)
	MOVQ(p, f.pf)
	SUBQ(U32(64*k), n)
	MOVQ(n, f.pfn)
	Label(lbl)
}

func (f pipeFrame) load(m Mem) GPVirtual { r := GP64(); MOVQ(m, r); return r }

// swap makes the current tile the previous one and advances V a tile.
func (f pipeFrame) swap() {
	a, b := f.load(f.sCur), f.load(f.sPrev)
	MOVQ(a, f.sPrev)
	MOVQ(b, f.sCur)
	c, e := f.load(f.cCur), f.load(f.cPrev)
	MOVQ(c, f.cPrev)
	MOVQ(e, f.cCur)
	vt, ldv := f.load(f.vt), Load(Param("ldv"), GP64()).(GPVirtual)
	SHLQ(U8(8), ldv)
	ADDQ(ldv, vt)
	MOVQ(vt, f.vt)
}

// pipeStep emits one step of attnRunPipe: the scores of the current tile
// (its first 16*nz keys, masked with valid if masked), their maxima and
// correction, the previous tile's P V with the current tile's exps
// interleaved in its first 32 columns, and the current tile's sums.
func pipeStep(f pipeFrame, pfx string, nz int, masked bool) {
	{
		kt := f.load(f.kt)
		q := ptr("q")
		ldq := Load(Param("ldq"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldq)
		d := Load(Param("d"), GP64()).(GPVirtual)
		acc := qkAcc(nz, pfx+"qk", q, ldq, kt, d)
		MOVQ(kt, f.kt)
		qksMax(acc, masked, f.load(f.sCur), ptr("st"), f.load(f.cCur))
	}
	{
		// P V of the previous tile on output columns 0-31 with the exps.
		o, ldo := ptr("o"), Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo)
		acc := pv2Load(o, ldo, f.load(f.cPrev), 0)
		p, v := f.load(f.sPrev), f.load(f.vt)
		ldv := Load(Param("ldv"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldv)
		eS, mp, sums := f.load(f.sCur), ptr("st"), ptr("s")
		ADDQ(U32(2*pipeTileB), sums)
		pv2Steps(acc, p, v, ldv, 0, nil)
		n := GP64()
		MOVQ(U32(attnRows), n)
		Label(pfx + "exps")
		pv2Steps(acc, p, v, ldv, 0, rowExpOps(eS, mp, sums, nz))
		ADDQ(U32(4*attnKeys), eS)
		ADDQ(U8(4), mp)
		ADDQ(U8(64), sums)
		DECQ(n)
		JNZ(LabelRef(pfx + "exps"))
		pv2Steps(acc, p, v, ldv, 0, nil)
		o2, ldo2 := ptr("o"), Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo2)
		pv2Store(acc, o2, ldo2, 0)
	}
	{
		// l = l*corr + the row sums.
		sums, st, corr := ptr("s"), ptr("st"), f.load(f.cCur)
		sum := make([]VecVirtual, attnRows)
		for i := range sum {
			sum[i] = ZMM()
			VMOVUPS(Mem{Base: sums, Disp: 2*pipeTileB + 64*i}, sum[i])
		}
		hreduceMany(sum, vaddps)
		sv, lv, cv := gather6(sum), ZMM(), ZMM()
		VMOVUPS(Mem{Base: corr}, cv)
		VMOVUPS(Mem{Base: st, Disp: 64}, lv)
		VFMADD213PS(sv, cv, lv)
		VMOVUPS(lv, Mem{Base: st, Disp: 64})
	}
	{
		// Columns 32-63 of the previous tile's P V.
		o, ldo := ptr("o"), Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo)
		acc := pv2Load(o, ldo, f.load(f.cPrev), 128)
		p, v := f.load(f.sPrev), f.load(f.vt)
		ldv := Load(Param("ldv"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldv)
		n := GP64()
		MOVQ(U32(attnKeys/8), n)
		Label(pfx + "half")
		f.prefetch(pfx + "pf")
		pv2Steps(acc, p, v, ldv, 128, nil)
		DECQ(n)
		JNZ(LabelRef(pfx + "half"))
		o2, ldo2 := ptr("o"), Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo2)
		pv2Store(acc, o2, ldo2, 128)
	}
	pvChunks(pfx+"mid", 1, f.sPrev, f.cPrev, f.vt, nil)
	if masked {
		f.swap() // the tail's P V follows: its V a tile further
	}
}

// pvChunks emits attnRunPipe's P V of the previous tile (s and corr at the
// frame slots sPrevL and cPrevL, V at vtL) on 64-column chunks c0.. of
// dvc, with pvBody 6x4 over 64 keys or, if nkAll is not nil, nkAll keys.
func pvChunks(pfx string, c0 int, sPrevL, cPrevL, vtL Mem, nkAll GPVirtual) {
	cb := GP64()
	MOVQ(U32(256*c0), cb)
	nc := Load(Param("dvc"), GP64())
	SHLQ(U8(8), nc)
	CMPQ(cb, nc)
	JAE(LabelRef(pfx + "cdone"))
	Label(pfx + "chunk")
	o, v := ptr("o"), GP64()
	ADDQ(cb, o)
	MOVQ(vtL, v)
	ADDQ(cb, v)
	p, corr := GP64(), GP64()
	MOVQ(sPrevL, p)
	MOVQ(cPrevL, corr)
	ldo := Load(Param("ldo"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldo)
	ldv := Load(Param("ldv"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldv)
	nk := GP64()
	if nkAll != nil {
		MOVQ(nkAll, nk)
	} else {
		MOVQ(U32(attnKeys), nk)
	}
	pvBody(attnRows, 4, pfx, o, ldo, p, nk, v, ldv, corr)
	ADDQ(U32(256), cb)
	nc2 := Load(Param("dvc"), GP64())
	SHLQ(U8(8), nc2)
	CMPQ(cb, nc2)
	JB(LabelRef(pfx + "chunk"))
	Label(pfx + "cdone")
}

// pv2Load starts a 6x2 P V block on output columns col/4.. (col in bytes):
// acc[i][z] = o[i][..] * corr[i].
func pv2Load(o, ldo, corr GPVirtual, col int) [][2]VecVirtual {
	o3 := row3(o, ldo)
	acc := make([][2]VecVirtual, attnRows)
	for i := range acc {
		cb := ZMM()
		VBROADCASTSS(Mem{Base: corr, Disp: 4 * i}, cb)
		for z := range acc[i] {
			acc[i][z] = ZMM()
			VMOVUPS(rowMem(o, o3, ldo, i, col+64*z), acc[i][z])
			VMULPS(cb, acc[i][z], acc[i][z])
		}
	}
	return acc
}

func pv2Store(acc [][2]VecVirtual, o, ldo GPVirtual, col int) {
	o3 := row3(o, ldo)
	for i := range acc {
		for z := range acc[i] {
			VMOVUPS(acc[i][z], rowMem(o, o3, ldo, i, col+64*z))
		}
	}
}

// pv2Steps emits 8 keys of the 6x2 P V block (probabilities at p, rows
// 256 bytes apart; V rows at v, ldv bytes apart, columns col/4..), with the
// instructions of ops spread between them; it advances p by 8 keys and v
// by 8 rows.
func pv2Steps(acc [][2]VecVirtual, p, v, ldv GPVirtual, col int, ops []func()) {
	next := 0
	for k := 0; k < 8; k++ {
		var w [2]VecVirtual
		for z := range w {
			w[z] = ZMM()
			VMOVUPS(Mem{Base: v, Disp: col + 64*z}, w[z])
		}
		for i := range acc {
			b := ZMM()
			VBROADCASTSS(Mem{Base: p, Disp: 4*attnKeys*i + 4*k}, b)
			for z := range w {
				VFMADD231PS(w[z], b, acc[i][z])
			}
		}
		ADDQ(ldv, v)
		for end := len(ops) * (k + 1) / 8; next < end; next++ {
			ops[next]()
		}
	}
	ADDQ(U8(32), p)
}

// rowExpOps returns, as separate instructions, the softmax step of one score
// row (16*nz scores at s, its new maximum at m, scalar): probabilities
// 2^(x - m) in place and their sum vector (the order of qksBody's) at
// sum. The exp is exp2Many's (same operations and constants), step by
// step over the nz vectors.
func rowExpOps(s, m, sum GPVirtual, nz int) []func() {
	var ops []func()
	op := func(f func()) { ops = append(ops, f) }
	var b VecVirtual
	x := make([]VecVirtual, nz)
	op(func() { b = ZMM(); VBROADCASTSS(Mem{Base: m}, b) })
	for c := range x {
		op(func() { x[c] = ZMM(); VMOVUPS(Mem{Base: s, Disp: 64 * c}, x[c]) })
		op(func() { VSUBPS(b, x[c], x[c]) })
	}
	for _, step := range exp2Steps(x) {
		for c := range x {
			op(func() { step(c) })
		}
	}
	var sv VecVirtual
	for c := range x {
		op(func() {
			VMOVUPS(x[c], Mem{Base: s, Disp: 64 * c})
			if c == 0 {
				sv = ZMM()
				VMOVAPS(x[c], sv)
			} else {
				VADDPS(x[c], sv, sv)
			}
		})
	}
	op(func() { VMOVUPS(sv, Mem{Base: sum}) })
	return ops
}

// exp2Coef is the attention exp's polynomial, highest degree first: p(f) =
// 1 + f*(c1 + f*(c2 + ... + f*c5)) is 2^f on [0, 1) with relative error
// 2^-22.7 in float32 (minimax with p(0) = 1 exactly, so a row's maximum
// weighs exactly 1).
var exp2Coef = []float32{1.8671300495e-3, 9.0170307085e-3, 5.5799912661e-2, 2.4016444385e-1, 6.9315129519e-1, 1}

// exp2Many replaces each x of xs with 2^x: the attention exp (the driver
// folds log2(e) into the score scale, so the softmax is base 2). x =
// floor(x) + f with f = VREDUCEPS(x) in [0, 1) exact, p(f) by Horner, and
// VSCALEFPS(p, x) = p * 2^floor(x), which rounds once into the denormals,
// gives exactly 0 for -Inf (f = 0 there) and keeps NaN. Of its 7
// instructions only the 5 FMAs use the FMA pipes on Zen 5 (VREDUCEPS and
// VSCALEFPS run beside them), against 10 for Cephes' exp: the pipelined loop
// is FMA bound. Relative error below 2^-22 (TestAttnExpRange).
func exp2Many(xs []VecVirtual) {
	for _, step := range exp2Steps(xs) {
		for i := range xs {
			step(i)
		}
	}
}

// exp2Steps returns exp2Many's steps, each to be applied to every index of
// xs in turn (the interleaving of independent chains).
func exp2Steps(xs []VecVirtual) []func(i int) {
	f, p := make([]VecVirtual, len(xs)), make([]VecVirtual, len(xs))
	coef := func(j int) Mem { return splatF(fmt.Sprintf("exp2_c%d", len(exp2Coef)-1-j), exp2Coef[j]) }
	steps := []func(i int){
		func(i int) { f[i] = ZMM(); VREDUCEPS(U8(0x09), xs[i], f[i]) }, // x - floor(x), inexact not signalled
		func(i int) { p[i] = ZMM(); VBROADCASTSS(coef(0), p[i]) },
	}
	for j := 1; j < len(exp2Coef); j++ {
		steps = append(steps, func(i int) { VFMADD213PS_BCST(coef(j), f[i], p[i]) })
	}
	return append(steps, func(i int) { VSCALEFPS(xs[i], p[i], xs[i]) })
}

// prefetchLines asks for x in L2 ahead of its use (the attention driver's
// next head, a part per row-block group).
func prefetchLines() {
	TEXT("prefetchT1", NOSPLIT, "func(x []float32)")
	Pragma("noescape")
	Doc("prefetchT1 prefetches the 64-byte lines of x into L2 (PREFETCHT1, one per 16 elements).")
	x := ptr("x")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	Label("loop")
	CMPQ(n, U8(0))
	JLE(LabelRef("done"))
	PREFETCHT1(Mem{Base: x})
	ADDQ(U8(64), x)
	SUBQ(U8(16), n)
	JMP(LabelRef("loop"))
	Label("done")
	RET()
}

// transpose16 transposes a 16x16 block (the attention driver packs K
// transposed per tile with it): unpacks of row pairs, then of row quads,
// leave column 4L+k of rows 4g..4g+3 in 128-bit lane L of register 4g+k;
// two rounds of 128-bit lane shuffles gather each column.
func transpose16() {
	TEXT("transpose16AVX512", NOSPLIT, "func(dst []float32, ldd int, src []float32, lds int)")
	Pragma("noescape")
	Doc("transpose16AVX512 sets dst[c*ldd+r] = src[r*lds+c] for r, c < 16.")
	dst, src := ptr("dst"), ptr("src")
	ldd := Load(Param("ldd"), GP64()).(GPVirtual)
	lds := Load(Param("lds"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldd)
	SHLQ(U8(2), lds)
	r := make([]VecVirtual, 16)
	for i := range r {
		r[i] = ZMM()
		VMOVUPS(Mem{Base: src}, r[i])
		if i < 15 {
			ADDQ(lds, src)
		}
	}
	t := make([]VecVirtual, 16)
	for i := 0; i < 16; i += 2 {
		t[i], t[i+1] = ZMM(), ZMM()
		VUNPCKLPS(r[i+1], r[i], t[i])
		VUNPCKHPS(r[i+1], r[i], t[i+1])
	}
	for g := 0; g < 16; g += 4 {
		VUNPCKLPD(t[g+2], t[g], r[g])
		VUNPCKHPD(t[g+2], t[g], r[g+1])
		VUNPCKLPD(t[g+3], t[g+1], r[g+2])
		VUNPCKHPD(t[g+3], t[g+1], r[g+3])
	}
	for k := 0; k < 4; k++ {
		u := [4]VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		VSHUFF32X4(U8(0x88), r[4+k], r[k], u[0])    // lanes 0, 2 of rows 0-3 and 4-7
		VSHUFF32X4(U8(0xdd), r[4+k], r[k], u[1])    // lanes 1, 3
		VSHUFF32X4(U8(0x88), r[12+k], r[8+k], u[2]) // rows 8-11 and 12-15
		VSHUFF32X4(U8(0xdd), r[12+k], r[8+k], u[3])
		// (u0, u2) hold columns k and 8+k, (u1, u3) columns 4+k and 12+k.
		for _, o := range []struct{ a, b, imm, col int }{{0, 2, 0x88, k}, {0, 2, 0xdd, 8 + k}, {1, 3, 0x88, 4 + k}, {1, 3, 0xdd, 12 + k}} {
			x, at := ZMM(), GP64()
			VSHUFF32X4(U8(o.imm), u[o.b], u[o.a], x)
			IMUL3Q(U32(o.col), ldd, at)
			VMOVUPS(x, Mem{Base: dst, Index: at, Scale: 1})
		}
	}
	VZEROUPPER()
	RET()
}

// qkAcc emits the 6 x 16*nz score accumulation of the qks kernels:
// acc[i][c] = Σ_{t<d} q[i*ldq+t]*kt[t*64+16c:]. It advances q and kt and
// counts d down to 0. Labels start with pfx.
func qkAcc(nz int, pfx string, q, ldq, kt, d GPVirtual) [][]VecVirtual {
	q3 := row3(q, ldq)
	acc := make([][]VecVirtual, attnRows)
	for i := range acc {
		acc[i] = make([]VecVirtual, nz)
		for c := range acc[i] {
			acc[i][c] = ZMM()
			zero(acc[i][c])
		}
	}
	Label(pfx + "loop")
	TESTQ(d, d)
	JZ(LabelRef(pfx + "done"))
	k := make([]VecVirtual, nz)
	for c := range k {
		k[c] = ZMM()
		VMOVUPS(Mem{Base: kt, Disp: 64 * c}, k[c])
	}
	for i := 0; i < attnRows; i++ {
		b := ZMM()
		VBROADCASTSS(rowMem(q, q3, ldq, i, 0), b)
		for c := range k {
			VFMADD231PS(k[c], b, acc[i][c])
		}
	}
	ADDQ(U8(4), q)
	ADDQ(U8(4), q3)
	ADDQ(U32(4*attnKeys), kt)
	DECQ(d)
	JMP(LabelRef(pfx + "loop"))
	Label(pfx + "done")
	return acc
}

// gather6 collects lane 0 of six registers into lanes 0-5 of the first
// (the others are left as they were).
func gather6(r []VecVirtual) VecVirtual {
	x := func(i int) Register { return r[i].AsX() }
	VUNPCKLPS(x(1), x(0), x(0)) // r0 r1 . .
	VUNPCKLPS(x(3), x(2), x(2)) // r2 r3 . .
	VMOVLHPS(x(2), x(0), x(0))  // r0 r1 r2 r3 (zeroes lanes 4-15 of r[0])
	VUNPCKLPS(x(5), x(4), x(4)) // r4 r5 . .
	VINSERTF32X4(U8(1), x(4), r[0], r[0])
	return r[0]
}

// hreduceMany folds the lanes of each register into its lane 0, one
// step for all registers at a time so their latencies overlap.
func hreduceMany(r []VecVirtual, op func(a, b, dst Op)) {
	n := len(r)
	t := make([]VecVirtual, n)
	for i := range r {
		t[i] = ZMM()
		VEXTRACTF64X4(U8(1), r[i], t[i].AsY())
	}
	for i := range r {
		op(t[i].AsY(), r[i].AsY(), r[i].AsY())
	}
	for i := range r {
		VEXTRACTF32X4(U8(1), r[i].AsY(), t[i].AsX()) // EVEX: registers 16-31 allowed
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVHLPS(r[i].AsX(), r[i].AsX(), t[i].AsX())
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVSHDUP(r[i].AsX(), t[i].AsX())
	}
	for i := range r {
		op(t[i].AsX(), r[i].AsX(), r[i].AsX())
	}
}

// pvTile: o[i][c] = o[i][c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c] for rows
// i < rows and columns c < 16*nz. The one-row form has no corr.
func pvTile(rows, nz int) {
	name := fmt.Sprintf("pvTile%dx%dAVX512", rows, nz)
	sig := "func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)"
	what := "o[i*ldo+c] = o[i*ldo+c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c]"
	if rows == 1 {
		sig = "func(o []float32, p []float32, nk int, v []float32, ldv int)"
		what = "o[c] += Σ_{j<nk} p[j]*v[j*ldv+c]"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s accumulates P V into %d output row(s): %s", name, rows, what),
		fmt.Sprintf("for i < %d, c < %d.", rows, 16*nz))
	o, p, v := ptr("o"), ptr("p"), ptr("v")
	nk := Load(Param("nk"), GP64()).(GPVirtual)
	ldv := Load(Param("ldv"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldv)
	var ldo, corr GPVirtual
	if rows > 1 {
		ldo = Load(Param("ldo"), GP64()).(GPVirtual)
		SHLQ(U8(2), ldo)
		corr = ptr("corr")
	}
	pvBody(rows, nz, "", o, ldo, p, nk, v, ldv, corr)
	VZEROUPPER()
	RET()
}

// pvBody emits pvTile on pointers in registers (ldo and ldv in bytes; ldo
// and corr unused for one row); it advances p and v and counts nk down
// to 0. Labels start with pfx.
func pvBody(rows, nz int, pfx string, o, ldo, p, nk, v, ldv, corr GPVirtual) {
	row := func(i, disp int) Mem { return Mem{Base: o, Disp: disp} }
	if rows > 1 {
		o3 := GP64()
		LEAQ(Mem{Base: o, Index: ldo, Scale: 2}, o3)
		ADDQ(ldo, o3)
		row = func(i, disp int) Mem { return rowMem(o, o3, ldo, i, disp) }
	}
	acc := make([][]VecVirtual, rows)
	for i := range acc {
		acc[i] = make([]VecVirtual, nz)
		var cb VecVirtual
		if rows > 1 {
			cb = ZMM()
			VBROADCASTSS(Mem{Base: corr, Disp: 4 * i}, cb)
		}
		for c := range acc[i] {
			acc[i][c] = ZMM()
			VMOVUPS(row(i, 64*c), acc[i][c])
			if rows > 1 {
				VMULPS(cb, acc[i][c], acc[i][c])
			}
		}
	}
	Label(pfx + "loop")
	TESTQ(nk, nk)
	JZ(LabelRef(pfx + "done"))
	vv := make([]VecVirtual, nz)
	for c := range vv {
		vv[c] = ZMM()
		VMOVUPS(Mem{Base: v, Disp: 64 * c}, vv[c])
	}
	for i := 0; i < rows; i++ {
		b := ZMM()
		VBROADCASTSS(Mem{Base: p, Disp: 4 * attnKeys * i}, b)
		for c := 0; c < nz; c++ {
			VFMADD231PS(vv[c], b, acc[i][c])
		}
	}
	ADDQ(U8(4), p)
	ADDQ(ldv, v)
	DECQ(nk)
	JMP(LabelRef(pfx + "loop"))
	Label(pfx + "done")
	for i := range acc {
		for c := range acc[i] {
			VMOVUPS(acc[i][c], row(i, 64*c))
		}
	}
}

// rowMem addresses row i < 6 of a matrix with byte stride ld given the
// bases of rows 0 and 3 (rows 1, 2, 4, 5 use ld as a scaled index).
func rowMem(r0, r3, ld GPVirtual, i, disp int) Mem {
	base := r0
	if i >= 3 {
		base = r3
	}
	if i%3 == 0 {
		return Mem{Base: base, Disp: disp}
	}
	return Mem{Base: base, Index: ld, Scale: uint8(i % 3), Disp: disp}
}

// row3 returns the base of row 3 of a matrix at r0 with byte stride ld
// (rowMem's r3).
func row3(r0, ld GPVirtual) GPVirtual {
	r3 := GP64()
	LEAQ(Mem{Base: r0, Index: ld, Scale: 2}, r3)
	ADDQ(ld, r3)
	return r3
}

// ---- AVX2+FMA: the same tile, in register-sized sub-blocks. A 6x64
// score or output block would need 48 ymm accumulators; the routines walk
// it in 6x16 column blocks (12 accumulators, 2 loads, 1 broadcast), the
// classic AVX2 register block.

// qkTileAVX2 is qkTile as four 6x16 column blocks, each over all of d.
func qkTileAVX2() {
	TEXT("qkTileAVX2", NOSPLIT, "func(s, qt, kt []float32, d int, scale float32)")
	Pragma("noescape")
	Doc("qkTileAVX2 computes one 6x64 score tile: s[i*64+j] = scale * Σ_{t<d} qt[t*8+i]*kt[t*64+j]",
		"for i < 6, j < 64 (qt is the query block transposed, [d][8]; kt a key tile transposed, [d][64]).",
		"(AVX2+FMA)")
	s, q0, kt0 := ptr("s"), ptr("qt"), ptr("kt")
	d := Load(Param("d"), GP64())
	for c := 0; c < attnKeys/16; c++ {
		acc := make([][2]VecVirtual, attnRows)
		for i := range acc {
			for h := range acc[i] {
				acc[i][h] = YMM()
				zero(acc[i][h])
			}
		}
		q, kt, n := GP64(), GP64(), GP64()
		MOVQ(q0, q)
		LEAQ(Mem{Base: kt0, Disp: 64 * c}, kt)
		MOVQ(d, n)
		done := fmt.Sprintf("done%d", c)
		TESTQ(n, n)
		JZ(LabelRef(done))
		Label(fmt.Sprintf("loop%d", c))
		k0, k1 := YMM(), YMM()
		VMOVUPS(Mem{Base: kt}, k0)
		VMOVUPS(Mem{Base: kt, Disp: 32}, k1)
		for i := 0; i < attnRows; i++ {
			b := YMM()
			VBROADCASTSS(Mem{Base: q, Disp: 4 * i}, b)
			VFMADD231PS(k0, b, acc[i][0])
			VFMADD231PS(k1, b, acc[i][1])
		}
		ADDQ(U8(32), q)
		ADDQ(U32(4*attnKeys), kt)
		DECQ(n)
		JNZ(LabelRef(fmt.Sprintf("loop%d", c)))
		Label(done)
		sc := avx2.scalarArg("scale")
		for i := 0; i < attnRows; i++ {
			for h := 0; h < 2; h++ {
				VMULPS(sc, acc[i][h], acc[i][h])
				VMOVUPS(acc[i][h], Mem{Base: s, Disp: 4 * (i*attnKeys + 16*c + 8*h)})
			}
		}
	}
	VZEROUPPER()
	RET()
}

// load6 reads the 6-element vector at m into the low lanes of a ymm
// (lanes 6 and 7 zero) without reading past it; store6 writes them back.
func load6(m Mem) VecVirtual {
	lo, hi := YMM(), XMM()
	// Zeroed first: avo takes a write to the xmm half for a partial one,
	// and would keep lo live (a register taken) from the routine's entry.
	zero(lo)
	VMOVUPS(m, lo.AsX())
	VMOVQ(m.Offset(16), hi)
	VINSERTF128(U8(1), hi, lo, lo)
	return lo
}

func store6(r VecVirtual, m Mem) {
	VMOVUPS(r.AsX(), m)
	hi := XMM()
	VEXTRACTF128(U8(1), r, hi)
	VMOVQ(hi, m.Offset(16))
}

// expWay is how many exps softmaxTileAVX2 loads together, and
// softmaxShortRegs how many of the short exp's constants (shortexp.go) it
// keeps in registers: 164 ns a tile in L1 (BenchmarkMicroAVX2Softmax, Zen
// 3), against 179 with exp's Cephes form; 2 to 8 together and 3 to 7
// constants were within 4% of it (more do not fit 16 registers).
const expWay, softmaxShortRegs = 4, 5

// softmaxTileAVX2 is softmaxTile with the running statistics as one ymm
// (6 lanes used) and one row of probabilities at a time.
func softmaxTileAVX2() {
	TEXT("softmaxTileAVX2", NOSPLIT, "func(s, m, l, corr []float32)")
	Pragma("noescape")
	Doc("softmaxTileAVX2 does the online-softmax step of a 6x64 tile of scores s (masked",
		"entries are -Inf), for each row i < 6:",
		"  mx := max(m[i], max_j s[i*64+j]); corr[i] = exp(m[i]-mx)",
		"  s[i*64+j] = exp(s[i*64+j]-mx); l[i] = l[i]*corr[i] + Σ_j s[i*64+j]; m[i] = mx",
		"with the short exp (shortexp.go), exactly 0 for arguments below -109 (so -Inf gives 0).",
		"m, l and corr hold 6 elements. (AVX2+FMA)")
	v := avx2
	s, m, l, corr := ptr("s"), ptr("m"), ptr("l"), ptr("corr")
	row := func(i, c int) Mem { return Mem{Base: s, Disp: 4 * (i*attnKeys + 8*c)} }

	// Row maxima, reduced together, gathered into the lanes of one ymm.
	mx := make([]VecVirtual, attnRows)
	for i := range mx {
		mx[i] = YMM()
		t := YMM()
		VMOVUPS(row(i, 0), mx[i])
		VMOVUPS(row(i, 1), t)
		for c := 2; c < 8; c += 2 {
			VMAXPS(row(i, c), mx[i], mx[i])
			VMAXPS(row(i, c+1), t, t)
		}
		VMAXPS(t, mx[i], mx[i])
	}
	hreduceManyY(mx, vmaxps)
	x := func(i int) Register { return mx[i].AsX() }
	VUNPCKLPS(x(1), x(0), x(0)) // m0 m1 . .
	VUNPCKLPS(x(3), x(2), x(2)) // m2 m3 . .
	VMOVLHPS(x(2), x(0), x(0))  // m0 m1 m2 m3
	VUNPCKLPS(x(5), x(4), x(4)) // m4 m5 . .
	VMOVQ(x(4), x(4))           // m4 m5 0 0
	mnew := mx[0]
	VINSERTF128(U8(1), x(4), mnew, mnew)
	// New maxima and corrections as one vector.
	old := load6(Mem{Base: m})
	VMAXPS(old, mnew, mnew)
	store6(mnew, Mem{Base: m})
	VSUBPS(mnew, old, old)
	// exp(-109) already rounds to 0, so the AVX2 exp clamps there.
	ek := newShortExpWide(softmaxShortRegs)
	old = ek.exp(old)
	store6(old, Mem{Base: corr})
	// Probabilities, and their row sums gathered on the stack.
	tmp := AllocLocal(32)
	z := YMM()
	zero(z)
	VMOVUPS(z, tmp)
	for i := 0; i < attnRows; i++ {
		sum := YMM()
		for c := 0; c < 8; c += expWay {
			b := YMM() // per group: live only for its subtractions (16 registers)
			VBROADCASTSS(Mem{Base: m, Disp: 4 * i}, b)
			ts := make([]VecVirtual, expWay)
			for j := range ts {
				ts[j] = YMM()
				VMOVUPS(row(i, c+j), ts[j])
				VSUBPS(b, ts[j], ts[j])
			}
			for j := range ts {
				ts[j] = ek.exp(ts[j])
			}
			for j, t := range ts {
				VMOVUPS(t, row(i, c+j))
				if c+j == 0 {
					VMOVAPS(t, sum)
				} else {
					VADDPS(t, sum, sum)
				}
			}
		}
		v.hreduce(sum, vaddps)
		VMOVSS(sum.AsX(), tmp.Offset(4*i))
	}
	// l = l*corr + sum.
	sv, cv := YMM(), load6(Mem{Base: corr})
	VMOVUPS(tmp, sv)
	lv := load6(Mem{Base: l})
	VFMADD213PS(sv, cv, lv)
	store6(lv, Mem{Base: l})
	VZEROUPPER()
	RET()
}

// hreduceManyY is hreduceMany for ymm registers.
func hreduceManyY(r []VecVirtual, op func(a, b, dst Op)) {
	t := make([]VecVirtual, len(r))
	for i := range r {
		t[i] = XMM()
		VEXTRACTF128(U8(1), r[i], t[i])
	}
	for i := range r {
		op(t[i], r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVHLPS(r[i].AsX(), r[i].AsX(), t[i])
	}
	for i := range r {
		op(t[i], r[i].AsX(), r[i].AsX())
	}
	for i := range r {
		VMOVSHDUP(r[i].AsX(), t[i])
	}
	for i := range r {
		op(t[i], r[i].AsX(), r[i].AsX())
	}
}

// pvTileAVX2 is pvTile: the six-row form walks the 16*nz columns in
// 6x16 blocks, each over all nk keys; the one-row form keeps all 2*nz
// accumulators (FMAs from memory).
func pvTileAVX2(rows, nz int) {
	name := fmt.Sprintf("pvTile%dx%dAVX2", rows, nz)
	sig := "func(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)"
	what := "o[i*ldo+c] = o[i*ldo+c]*corr[i] + Σ_{j<nk} p[i*64+j]*v[j*ldv+c]"
	if rows == 1 {
		sig = "func(o []float32, p []float32, nk int, v []float32, ldv int)"
		what = "o[c] += Σ_{j<nk} p[j]*v[j*ldv+c]"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s accumulates P V into %d output row(s): %s", name, rows, what),
		fmt.Sprintf("for i < %d, c < %d. (AVX2+FMA)", rows, 16*nz))
	o, p0, v0 := ptr("o"), ptr("p"), ptr("v")
	nk := Load(Param("nk"), GP64())
	ldv := Load(Param("ldv"), GP64())
	SHLQ(U8(2), ldv)
	if rows == 1 {
		acc := make([]VecVirtual, 2*nz)
		for c := range acc {
			acc[c] = YMM()
			VMOVUPS(Mem{Base: o, Disp: 32 * c}, acc[c])
		}
		TESTQ(nk, nk)
		JZ(LabelRef("done"))
		Label("loop")
		b := YMM()
		VBROADCASTSS(Mem{Base: p0}, b)
		for c := range acc {
			VFMADD231PS(Mem{Base: v0, Disp: 32 * c}, b, acc[c])
		}
		ADDQ(U8(4), p0)
		ADDQ(ldv, v0)
		DECQ(nk)
		JNZ(LabelRef("loop"))
		Label("done")
		for c := range acc {
			VMOVUPS(acc[c], Mem{Base: o, Disp: 32 * c})
		}
		VZEROUPPER()
		RET()
		return
	}
	ldo := Load(Param("ldo"), GP64()).(GPVirtual)
	SHLQ(U8(2), ldo)
	o3 := row3(o, ldo)
	corr := ptr("corr")
	for c := 0; c < nz; c++ {
		row := func(i, h int) Mem { return rowMem(o, o3, ldo, i, 64*c+32*h) }
		acc := make([][2]VecVirtual, rows)
		for i := range acc {
			cb := YMM()
			VBROADCASTSS(Mem{Base: corr, Disp: 4 * i}, cb)
			for h := range acc[i] {
				acc[i][h] = YMM()
				VMULPS(row(i, h), cb, acc[i][h])
			}
		}
		p, v, n := GP64(), GP64(), GP64()
		MOVQ(p0, p)
		LEAQ(Mem{Base: v0, Disp: 64 * c}, v)
		MOVQ(nk, n)
		done := fmt.Sprintf("done%d", c)
		TESTQ(n, n)
		JZ(LabelRef(done))
		Label(fmt.Sprintf("loop%d", c))
		w0, w1 := YMM(), YMM()
		VMOVUPS(Mem{Base: v}, w0)
		VMOVUPS(Mem{Base: v, Disp: 32}, w1)
		for i := 0; i < rows; i++ {
			b := YMM()
			VBROADCASTSS(Mem{Base: p, Disp: 4 * attnKeys * i}, b)
			VFMADD231PS(w0, b, acc[i][0])
			VFMADD231PS(w1, b, acc[i][1])
		}
		ADDQ(U8(4), p)
		ADDQ(ldv, v)
		DECQ(n)
		JNZ(LabelRef(fmt.Sprintf("loop%d", c)))
		Label(done)
		for i := range acc {
			for h := range acc[i] {
				VMOVUPS(acc[i][h], row(i, h))
			}
		}
	}
	VZEROUPPER()
	RET()
}
