package main

import (
	"fmt"
	"math"
	"math/bits"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// softPass emits one round of Soft-NMS (KERNELS.md 4.2) in float64 with
// AVX-512, 8 candidates at a time: the IoU with the selected box, the
// decay, the threshold test and the running best, with the operations of
// the pure-Go pass in the same order (linear and hard decide bit for bit
// alike; the gaussian decay uses expPD, within a few ulp of math.Exp).
//
// Most candidates overlap the selected box nowhere, and after round 1 no
// live score is below thr: such a candidate does not change. The gaussian
// pass runs in chunks of softChunk candidates: a filter loop computes the
// intersection sides and the argmax of the unchanged lanes, and lists the
// vectors where a lane overlaps or falls below thr (without a branch: a
// mispredicted branch per vector cost more than the division it skipped);
// a second loop runs the whole round on the listed vectors while they are
// still in L1. The filter reads no area and stores nothing. Linear and
// hard run the whole round on every vector (see the stream loop).
func softPass() {
	TEXT("softPassAVX512", NOSPLIT, "func(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int")
	Pragma("noescape")
	Doc("softPassAVX512 decays the live candidates (score not NaN) of one Soft-NMS round, over len(score):",
		"with p = [ax1, ay1, ax2, ay2, aa, nt, sigma, thr], iw = min(p[2],x2)-max(p[0],x1), ih likewise,",
		"when iw > 0 and ih > 0: ov = iw*ih/(p[4]+area-iw*ih) and score *= w, where w is 1-ov if ov > nt else 1",
		"(method 1), 0 if ov > nt else 1 (method 0), exp(-(ov*ov)/sigma) (method 2); then a live score below",
		"thr becomes NaN (counted, the count is returned). best[l] and best[8+l] receive, for lane l = j%8, the",
		"largest surviving score and its first index j (score -Inf, index -1 if none).")
	k := newSoftK(3)
	x1, y1, x2, y2, sc, off, n := k.x1, k.y1, k.x2, k.y2, k.sc, k.off, k.n
	method := Load(Param("method"), GP64())
	ax1, ay1, ax2, ay2, thr, zeroV := k.ax1, k.ay1, k.ax2, k.ay2, k.thr, k.zeroV
	bestS, bestI := k.bestS, k.bestI
	var idx [2]VecVirtual
	step := ZMM()
	VPBROADCASTQ(splat64("onetwentyeight", 128), step)
	idx[0], idx[1] = ZMM(), ZMM()
	VMOVDQA64(k.iota, idx[0])
	VMOVDQA64(k.iotaHi, idx[1])
	list := AllocLocal(4 * softChunk / 8)

	// filter runs the filter on the vector at off with best set h and lists
	// it (cnt entries so far) when a lane changes.
	filter := func(h int, cnt GPVirtual) {
		d := 64 * h
		s, iw, ih, t := ZMM(), ZMM(), ZMM(), ZMM()
		VMOVUPD(at(sc, off).Offset(d), s)
		VMINPD(at(x2, off).Offset(d), ax2, iw)
		VMAXPD(at(x1, off).Offset(d), ax1, t)
		VSUBPD(t, iw, iw)
		VMINPD(at(y2, off).Offset(d), ay2, ih)
		VMAXPD(at(y1, off).Offset(d), ay1, t)
		VSUBPD(t, ih, ih)
		// One compare (opmask writes bound the loop): a lane changes if
		// min(iw, ih) > 0 or thr - s > 0. NaNs may list a vector that
		// changes nothing (the listed pass decides exactly), never miss
		// one: max returns its second source, thr - s, when either is NaN.
		VMINPD(ih, iw, iw)
		VSUBPD(s, thr, ih)
		VMAXPD(ih, iw, iw)
		same := K()
		VCMPPD(U8(0x1a), zeroV, iw, same) // NGT_UQ: not iw > 0
		o, f := GP64(), GP64()
		LEAQ(Mem{Base: off, Disp: d}, o)
		MOVL(o.As32(), list.Idx(cnt, 4))
		XORL(f.As32(), f.As32())
		KORTESTB(same, same)
		SETCC(f.As8()) // CF clear: not all lanes the same
		ADDQ(f, cnt)
		up := K()
		VCMPPD(U8(0x1e), bestS[h], s, same, up) // unchanged and s > best
		VMOVAPD(s, up, bestS[h])
		VMOVDQA64(idx[h], up, bestI[h])
		VPADDQ(step, idx[h], idx[h])
	}

	whole := GP64() // bytes of the whole filter steps (16 candidates each)
	MOVQ(n, whole)
	ANDQ(I32(-128), whole)
	for kind := range 3 {
		ks := fmt.Sprint(kind)
		if kind < 2 {
			CMPQ(method, U8(kind))
			JNE(LabelRef("method" + fmt.Sprint(kind+1)))
		}
		end := GP64()
		if kind < 2 {
			// Linear and hard stream through every vector with the whole
			// round: filtering lost there (0.82x at N=20000), the
			// listed pass costing more than the division it saved.
			Label("stream" + ks)
			CMPQ(off, whole)
			JAE(LabelRef("rest" + ks))
			k.body(kind, 0, off, 0, false)
			k.body(kind, 1, off, 64, false)
			ADDQ(I32(128), off)
			JMP(LabelRef("stream" + ks))
		} else {
			Label("chunk" + ks)
			CMPQ(off, whole)
			JAE(LabelRef("rest" + ks))
			cnt := GP64()
			LEAQ(Mem{Base: off, Disp: 8 * softChunk}, end)
			CMPQ(end, whole)
			CMOVQHI(whole, end)
			XORQ(cnt, cnt)
			Label("filter" + ks)
			filter(0, cnt)
			filter(1, cnt)
			ADDQ(I32(128), off)
			CMPQ(off, end)
			JB(LabelRef("filter" + ks))
			i := GP64()
			XORQ(i, i)
			Label("listed" + ks)
			CMPQ(i, cnt)
			JAE(LabelRef("chunk" + ks))
			o := GP64()
			MOVL(list.Idx(i, 4), o.As32())
			k.body(kind, 2, o, 0, false)
			INCQ(i)
			JMP(LabelRef("listed" + ks))
		}
		Label("rest" + ks)
		k.rest(kind, 2, ks, "done")
		if kind < 2 {
			Label("method" + fmt.Sprint(kind+1))
		}
	}

	Label("done")
	// Merge sets 1 and 2 into 0: larger score, or equal score and lower
	// index (a lane's first maximum).
	for h := 1; h < 3; h++ {
		k.merge(0, h)
	}
	VPSRAQ(U8(3), bestI[0], bestI[0])
	VCVTQQ2PD(bestI[0], bestI[0])
	out := ptr("best")
	VMOVUPD(bestS[0], Mem{Base: out})
	VMOVUPD(bestI[0], Mem{Base: out, Disp: 64})
	k.ret()
}

// softRound emits one Soft-NMS round that keeps the best live candidate
// of every chunk of softChunk (its score and position in cb, softCB
// float64s a chunk, the n%16 candidates past the last whole group of 16 a
// chunk of their own). Most candidates change nowhere in a round (linear and
// hard: IoU <= nt; gaussian: no overlap) and, after the first round, none
// is below thr, so a chunk none of whose candidates changed keeps its best.
// The driver orders the candidates spatially and keeps each chunk's
// bounding box in cb, so most chunks are skipped whole: a box intersects
// none of a chunk's boxes when it does not intersect their bounding box
// (rounding is monotone: min(ax2, x2) - max(ax1, x1) <= min(ax2, bx2) -
// max(ax1, bx1) <= 0 for every box inside). Ties go to the least key, the
// original index: positions are no longer in index order.
// Per chunk a filter over groups of 16 lists the groups (linear, hard) or
// vectors of 8 (gaussian) with a lane that may change (no branch); the whole
// round (softK.body, bit for bit softPassAVX512's) runs on those; the chunk's best is recomputed when a group was listed (and,
// with mono, the best's own score changed) or its cb score is NaN (the
// driver marks the chunk of the selected box so). mono holds when no live
// score is negative (thr >= 0, after the first round): every weight is in
// [0, 1] (expPD gives no more than 1 for arguments <= 0), so scores only
// fall, and the best of a chunk, its largest score of least key, stays so
// unless its own score changed.
// The filter reads float32 copies of the boxes, 16 lanes a vector and 20
// bytes a candidate (the float64 filter, 40 bytes, ran at L2 bandwidth):
// x1, y1 rounded down and x2, y2 up (the boxes only grow, so no overlap is
// missed), the area to nearest. full 1 (the first round, where scores may
// start below thr) runs the whole round on every group; full 2 (after the
// list was compacted) runs the filtered round; both write the float32
// copies first and set every chunk's best.
func softRound() {
	TEXT("softRoundAVX512", NOSPLIT, "func(x1, y1, x2, y2, area, score []float64, key []int64, p []float64, f []float32, g []float32, q []float32, method int, cb []float64, full, mono, lo, hi, exact int) int")
	Pragma("noescape")
	Doc("softRoundAVX512 is softPassAVX512's round (p as there) over the chunks of positions [lo, hi) (lo a",
		"multiple of softChunk, hi one or len) that writes the best surviving score of chunk c and its position",
		"to cb[8c], cb[8c+1] (-Inf, -1 if none) instead of per-lane bests: of equal scores the one of least",
		"key (key[j] = original index<<32 | 8j). Chunks are softChunk candidates of the first len&^15, then the",
		"rest. Unless full, a chunk whose bounding box cb[8c+2:8c+6] (x1, y1, x2, y2) the selected box does not",
		"intersect is skipped unless its cb score is NaN; otherwise the filter runs on the groups of 16 whose",
		"bounding box and least area g[80c+16a+i] (a: x1, y1, x2, y2, area of group i) pass the filter's test (all of them when full),",
		"and only the groups of 16 (vectors",
		"of 8 for gaussian) where the filter finds a lane that may change run the round, and only chunks with such a group or a NaN cb",
		"score are rescanned. f holds per group of 16 (320 bytes) float32 x1, y1 (rounded down), x2, y2 (up)",
		"and area (written when full is set: 1 the whole round everywhere, 2 filtered). q = [ax1, ay1 (down), ax2, ay2 (up), aa, c]: a lane may change",
		"if the rounded boxes overlap and, unless c is -Inf, iw*ih > c*(aa+area) in float32 (see softNMS).",
		"mono set says no live score can rise (all >= 0): a chunk is then rescanned only if its best changed.",
		"exact set says every coordinate is a float32 (no plus_one): the filtered round then reads the boxes from f.",
		"method 2|4 (softSigmaMul) is gaussian with sigma a power of two of normal reciprocal: the listed round",
		"multiplies by 1/sigma instead of dividing by sigma (the same bits).")
	k := newSoftK(2)
	k.keyed, k.reload = true, true
	k.initBest()
	off := k.off
	method := Load(Param("method"), GP64())
	fullP, err := Param("full").Resolve()
	if err != nil {
		panic(err)
	}
	monoP, err := Param("mono").Resolve()
	if err != nil {
		panic(err)
	}
	qp := ptr("q")
	fq := make([]VecVirtual, 6) // ax1, ay1, ax2, ay2, aa, c in float32
	for i := range fq {
		fq[i] = ZMM()
		VBROADCASTSS(Mem{Base: qp, Disp: 4 * i}, fq[i])
	}
	fb := ptr("f") // the float32 group of the candidates at off
	cbp := ptr("cb")
	list := AllocLocal(4 * softChunk / 8)
	wholeM := AllocLocal(8)                    // bytes of the whole groups up to hi
	baseM, fbM := AllocLocal(8), AllocLocal(8) // the visited chunk's off and fb
	{
		w := Load(Param("hi"), GP64())
		SHLQ(U8(3), w)
		ANDQ(I32(-128), w)
		MOVQ(w, wholeM)
		Load(Param("lo"), off)
		LEAQ(Mem{Base: fb, Index: off, Scale: 4}, fb) // 20 bytes a candidate
		LEAQ(Mem{Base: fb, Index: off, Scale: 8}, fb)
		LEAQ(Mem{Base: fb, Index: off, Scale: 8}, fb)
		MOVQ(off, w)
		SHRQ(U8(bits.TrailingZeros(softChunk)-bits.TrailingZeros(8*softCB)), w) // 8*softCB bytes of cb a chunk
		ADDQ(w, cbp)
		SHLQ(U8(3), off)
	}
	nochange := K() // all clear: KTESTW's CF is then "no lane set"
	KXORW(nochange, nochange, nochange)

	// filter tests the group at off and lists it (cnt entries so far) when
	// a lane may change. NaN compares list (unordered) or leave the box
	// apart (a NaN box is at +Inf, and so is its float32 copy).
	filter := func(kind int, cnt GPVirtual) {
		ch := mayChange(kind, Mem{Base: fb}, fq)
		MOVL(off.As32(), list.Idx(cnt, 4))
		if kind < 2 {
			KTESTW(ch, nochange) // CF = (ch == 0)
			SBBQ(I8(-1), cnt)    // cnt += 1 - CF
		} else {
			// Gaussian lists each half of 8 (a float64 vector of the
			// round) on its own: overlaps are frequent, and the listed
			// exp costs more than the listing (linear: the reverse).
			hi, o := K(), GP64()
			KSHIFTRW(U8(8), ch, hi)
			KTESTB(ch, nochange) // CF = (low 8 lanes clear)
			SBBQ(I8(-1), cnt)
			LEAQ(Mem{Base: off, Disp: 64}, o)
			MOVL(o.As32(), list.Idx(cnt, 4))
			KTESTB(hi, nochange)
			SBBQ(I8(-1), cnt)
		}
		ADDQ(U8(128), off)
		ADDQ(I32(320), fb)
	}
	// copies writes the float32 copies of the group at off (full rounds).
	copies := func(off, fb GPVirtual) {
		for h := range 2 {
			for a, src := range []GPVirtual{k.ptr(0), k.ptr(1), k.ptr(2), k.ptr(3), k.ptr(4)} {
				v, c := ZMM(), YMM()
				VMOVUPD(at(src, off).Offset(64*h), v)
				switch a {
				case 0, 1:
					VCVTPD2PS_RD_SAE(v, c)
				case 2, 3:
					VCVTPD2PS_RU_SAE(v, c)
				default:
					VCVTPD2PS(v, c)
				}
				VMOVUPS(c, Mem{Base: fb, Disp: 64*a + 32*h})
			}
		}
	}

	for kind := range 3 {
		ks := fmt.Sprint(kind)
		if kind < 2 {
			CMPQ(method, U8(kind))
			JNE(LabelRef("rmethod" + fmt.Sprint(kind+1)))
		}
		end, o := GP64(), GP64()
		Label("rchunk" + ks)
		CMPQ(off, wholeM)
		JAE(LabelRef("rrest" + ks))
		LEAQ(Mem{Base: off, Disp: 8 * softChunk}, end)
		CMPQ(end, wholeM)
		CMOVQHI(wholeM, end)
		CMPQ(fullP.Addr, U8(0))
		JNE(LabelRef("rvisit" + ks))
		{
			// Skip a chunk whose bounding box the selected box does not
			// intersect (no candidate there changes) and whose best is
			// valid.
			m := XMM()
			VMOVSD(Mem{Base: cbp}, m)
			VUCOMISD(m, m)
			JPS(LabelRef("rvisit" + ks)) // NaN: rescan
			lo, hi, r := XMM(), XMM(), GP32()
			VMOVUPD(Mem{Base: k.pp}, lo)
			VMAXPD(Mem{Base: cbp, Disp: 16}, lo, lo) // max(ax1, bx1), max(ay1, by1)
			VMOVUPD(Mem{Base: k.pp, Disp: 16}, hi)
			VMINPD(Mem{Base: cbp, Disp: 32}, hi, hi)
			VSUBPD(lo, hi, hi)                      // iw, ih
			VCMPPD(U8(0x12), k.zeroV.AsX(), hi, hi) // LE_OQ: <= 0 (NaN: visit)
			VMOVMSKPD(hi, r)
			TESTL(r, r)
			JZ(LabelRef("rvisit" + ks))
			t := GP64()
			MOVQ(end, t)
			SUBQ(off, t)
			LEAQ(Mem{Base: t, Index: t, Scale: 4}, t)
			SHRQ(U8(1), t) // 20 bytes of f per 8 of candidates
			ADDQ(t, fb)
			MOVQ(end, off)
			ADDQ(U8(8*softCB), cbp)
			JMP(LabelRef("rchunk" + ks))
		}
		Label("rvisit" + ks)
		CMPQ(fullP.Addr, U8(0))
		JE(LabelRef("rfilt" + ks))
		CMPQ(fullP.Addr, U8(1))
		JE(LabelRef("rall" + ks))
		// full 2: the float32 copies first, then a filtered round.
		MOVQ(off, o)
		fo := GP64()
		MOVQ(fb, fo)
		Label("rcopy" + ks)
		copies(o, fo)
		ADDQ(I32(128), o)
		ADDQ(I32(320), fo)
		CMPQ(o, end)
		JB(LabelRef("rcopy" + ks))
		Label("rfilt" + ks)
		cnt := GP64()
		XORQ(cnt, cnt)
		// The filter runs on the groups set in mask: the chunk's groups
		// whose bounding box (the union of their float32 boxes that can
		// overlap at all) overlaps q's box; all of them in a full round.
		mask := GP32()
		{
			ng := GP64()
			MOVQ(end, ng)
			SUBQ(off, ng)
			SHRQ(U8(7), ng)
			MOVL(I32(-1), mask)
			BZHIL(ng.As32(), mask, mask)
			MOVQ(off, baseM)
			MOVQ(fb, fbM)
			CMPQ(fullP.Addr, U8(0))
			JNE(LabelRef("rfilter" + ks))
			t, r := GP64(), GP32()
			LEAQ(Mem{Base: off, Index: off, Scale: 4}, t)
			SHRQ(U8(5), t) // 80 float32 of g a chunk of 256 (2048 bytes of off)
			gb, err := Param("g").Base().Resolve()
			if err != nil {
				panic(err)
			}
			ADDQ(gb.Addr, t)
			// The filter's test on the groups' boxes and least areas (g's
			// rows are f's): no box inside has more intersection nor
			// less c*(aa+area) (c >= 0 or -Inf), so a group the test
			// fails has no lane the filter would list.
			ch := mayChange(kind, Mem{Base: t}, fq)
			KMOVW(ch, r)
			ANDL(r, mask)
		}
		Label("rfilter" + ks)
		{
			g, t := GP64(), GP64()
			TESTL(mask, mask)
			JZ(LabelRef("rfdone" + ks))
			TZCNTL(mask, g.As32())
			BLSRL(mask, mask)
			MOVQ(g, t)
			SHLQ(U8(7), t)
			ADDQ(baseM, t)
			MOVQ(t, off)
			LEAQ(Mem{Base: g, Index: g, Scale: 4}, g)
			SHLQ(U8(6), g) // 320 bytes of f a group
			ADDQ(fbM, g)
			MOVQ(g, fb)
			filter(kind, cnt)
			JMP(LabelRef("rfilter" + ks))
		}
		Label("rfdone" + ks)
		{
			t := GP64()
			MOVQ(end, off)
			MOVQ(end, t)
			SUBQ(baseM, t)
			LEAQ(Mem{Base: t, Index: t, Scale: 4}, t)
			SHRQ(U8(1), t) // 20 bytes of f per 8 of candidates
			ADDQ(fbM, t)
			MOVQ(t, fb)
		}
		i := GP64()
		XORQ(i, i)
		Label("rlisted" + ks)
		CMPQ(i, cnt)
		JAE(LabelRef("rcheck" + ks))
		exactP, err := Param("exact").Resolve()
		if err != nil {
			panic(err)
		}
		CMPQ(exactP.Addr, U8(0))
		JNE(LabelRef("rlistedf" + ks))
		MOVL(list.Idx(i, 4), o.As32())
		k.body(kind, -1, o, 0, false)
		if kind < 2 {
			k.body(kind, -1, o, 64, false)
		}
		INCQ(i)
		JMP(LabelRef("rlisted" + ks))
		// Exact: the boxes from the float32 copies, which the filter just
		// read (the float64 ones, 32 bytes a candidate, came from L2 or
		// further and bounded the listed round).
		Label("rlistedf" + ks)
		k.fromF = true
		// listed runs the listed vectors from i on (labels with ls).
		listed := func(ls string) {
			Label("rlistedl" + ls + ks)
			if kind == 2 {
				// Four listed vectors at a time, then two (their chains
				// overlap; four against two: 1.04x at N=5000 and 20000).
				Label("rlistedfq" + ls + ks)
				q3 := GP64()
				LEAQ(Mem{Base: i, Disp: 3}, q3)
				CMPQ(q3, cnt)
				JAE(LabelRef("rlistedp" + ls + ks))
				q0, q1, q2 := GP64(), GP64(), GP64()
				MOVL(list.Idx(i, 4), q0.As32())
				MOVL(list.Idx(i, 4).Offset(4), q1.As32())
				MOVL(list.Idx(i, 4).Offset(8), q2.As32())
				MOVL(list.Idx(i, 4).Offset(12), q3.As32())
				k.bodies(kind, -1, []GPVirtual{q0, q1, q2, q3}, 0, false)
				ADDQ(U8(4), i)
				JMP(LabelRef("rlistedfq" + ls + ks))
				Label("rlistedp" + ls + ks)
				o2 := GP64()
				LEAQ(Mem{Base: i, Disp: 1}, o2)
				CMPQ(o2, cnt)
				JAE(LabelRef("rlistedf1" + ls + ks))
				MOVL(list.Idx(i, 4), o.As32())
				MOVL(list.Idx(o2, 4), o2.As32())
				k.bodies(kind, -1, []GPVirtual{o, o2}, 0, false)
				ADDQ(U8(2), i)
				JMP(LabelRef("rlistedl" + ls + ks))
				Label("rlistedf1" + ls + ks)
			}
			CMPQ(i, cnt)
			JAE(LabelRef("rcheck" + ks))
			MOVL(list.Idx(i, 4), o.As32())
			k.body(kind, -1, o, 0, false)
			if kind < 2 {
				k.body(kind, -1, o, 64, false)
			}
			INCQ(i)
			JMP(LabelRef("rlistedl" + ls + ks))
		}
		if kind == 2 {
			// method 2|softSigmaMul: sigma is a power of two, whose
			// reciprocal is exact: the listed vectors multiply by it, off
			// the chain's division (x/sigma and x*(1/sigma) are the same
			// rounding of the same real).
			methodP, err := Param("method").Resolve()
			if err != nil {
				panic(err)
			}
			TESTQ(U32(softSigmaMul), methodP.Addr)
			JNZ(LabelRef("rlistedm" + ks))
			listed("")
			Label("rlistedm" + ks)
			k.sigInv = ZMM()
			VDIVPD(k.sig, k.one, k.sigInv)
			listed("m")
			k.sigInv = nil
		} else {
			listed("")
		}
		k.fromF = false
		Label("rcheck" + ks)
		CMPQ(fullP.Addr, U8(0))
		JNE(LabelRef("rscan" + ks))
		m := XMM()
		VMOVSD(Mem{Base: cbp}, m)
		VUCOMISD(m, m)
		JPS(LabelRef("rscan" + ks)) // unordered: NaN
		TESTQ(cnt, cnt)
		JZ(LabelRef("rnext" + ks))
		CMPQ(monoP.Addr, U8(0))
		JE(LabelRef("rscan" + ks))
		// Scores only fall: the best stays unless its own score changed.
		VCVTTSD2SIQ(Mem{Base: cbp, Disp: 8}, o)
		TESTQ(o, o)
		JS(LabelRef("rnext" + ks)) // none live above -Inf: still none
		VUCOMISD(Mem{Base: k.sc, Index: o, Scale: 8}, m)
		JNE(LabelRef("rscan" + ks))
		JPS(LabelRef("rscan" + ks))
		JMP(LabelRef("rnext" + ks))

		Label("rall" + ks) // the whole round on every group, with the bests
		k.initBest()       // (not live through the listed round: registers)
		Label("rall1" + ks)
		copies(off, fb)
		k.body(kind, 0, off, 0, false)
		k.body(kind, 1, off, 64, false)
		ADDQ(I32(128), off)
		ADDQ(I32(320), fb)
		CMPQ(off, end)
		JB(LabelRef("rall1" + ks))
		JMP(LabelRef("rstore" + ks))

		Label("rscan" + ks) // the chunk's best from its scores, from its start
		k.rescan(end, o, cbp, ks)
		JMP(LabelRef("rnext" + ks))

		Label("rstore" + ks)
		k.storeBest(cbp)
		Label("rnext" + ks)
		ADDQ(U8(8*softCB), cbp)
		JMP(LabelRef("rchunk" + ks))

		Label("rrest" + ks) // the last n%16 (if hi is len): the whole round, always
		{
			h := Load(Param("hi"), GP64())
			ln, err := Param("score").Len().Resolve()
			if err != nil {
				panic(err)
			}
			CMPQ(h, ln.Addr)
			JNE(LabelRef("rdone"))
		}
		k.initBest()
		k.chg = K()
		KXORB(k.chg, k.chg, k.chg)
		k.rest(kind, 0, "r"+ks, "rtail"+ks)
		Label("rtail" + ks)
		{
			// Its best stands if no score there changed, unless full or
			// its score is NaN (the selected box was there): the
			// reduction to the best was 12% of linear N=1000.
			CMPQ(fullP.Addr, U8(0))
			JNE(LabelRef("rstorerest" + ks))
			m := XMM()
			VMOVSD(Mem{Base: cbp}, m)
			VUCOMISD(m, m)
			JPS(LabelRef("rstorerest" + ks))
			KORTESTB(k.chg, k.chg)
			JZ(LabelRef("rdone"))
		}
		k.chg = nil
		Label("rstorerest" + ks)
		k.storeBest(cbp)
		JMP(LabelRef("rdone"))
		if kind < 2 {
			Label("rmethod" + fmt.Sprint(kind+1))
		}
	}
	Label("rdone")
	k.ret()
}

// mayChange is softRound's filter test on the 16 float32 boxes at box
// (x1, then y1, x2, y2 and area 64 bytes apart) against q's box fq: the
// lanes whose boxes intersect it and, for linear and hard (kind < 2), pass
// the IoU > nt bound. NaN compares set the lane (unordered) or leave the
// box apart (a NaN box is at +Inf, and so is its float32 copy).
func mayChange(kind int, box Mem, fq []VecVirtual) OpmaskVirtual {
	lx, hx, ly, hy := ZMM(), ZMM(), ZMM(), ZMM()
	VMAXPS(box, fq[0], lx)
	VMINPS(box.Offset(128), fq[2], hx)
	VMAXPS(box.Offset(64), fq[1], ly)
	VMINPS(box.Offset(192), fq[3], hy)
	ch := K()
	VCMPPS(U8(0x1e), lx, hx, ch)     // hx > lx
	VCMPPS(U8(0x1e), ly, hy, ch, ch) // hy > ly
	if kind < 2 {
		u := ZMM()
		VSUBPS(lx, hx, hx)
		VSUBPS(ly, hy, hy)
		VMULPS(hy, hx, hx) // inter
		VADDPS(box.Offset(256), fq[4], u)
		VMULPS(fq[5], u, u)
		VCMPPS(U8(0x16), u, hx, ch, ch) // NLE_UQ: not inter <= c*(aa+area)
	}
	return ch
}

// softBounds emits softBoundsAVX512: softRound's bounding boxes of the
// groups of 16 (with their least areas: g's rows are f's, so the filter's
// test runs on them) and of the chunks, from the float32 copies of a full
// round.
func softBounds() {
	TEXT("softBoundsAVX512", NOSPLIT, "func(f, g []float32, cb []float64)")
	Pragma("noescape")
	Doc("softBoundsAVX512 writes softRoundAVX512's bounding boxes from its float32 copies f: g[80c+16a+i] (a: x1, y1,",
		"x2, y2, the least area) of group i of chunk c and cb[8c+2:8c+6] of chunk c (float64), over the boxes with x2 > x1",
		"and y2 > y1 (the others overlap nothing); a group or chunk of none is +Inf, +Inf, -Inf, -Inf (area +Inf).",
		"len(g)/80 chunks, len(f)/80 groups (those past them empty).")
	fp, gp, cp := ptr("f"), ptr("g"), ptr("cb")
	fend := Load(Param("f").Len(), GP64()).(GPVirtual)
	LEAQ(Mem{Base: fp, Index: fend, Scale: 4}, fend)
	gend := Load(Param("g").Len(), GP64()).(GPVirtual)
	LEAQ(Mem{Base: gp, Index: gend, Scale: 4}, gend)
	pinf, ninf := ZMM(), ZMM()
	VBROADCASTSS(table[uint32]("posinf32", 0x7f800000), pinf)
	VBROADCASTSS(table[uint32]("neginf32", 0xff800000), ninf)
	// reduce leaves the min (max) of r's 16 lanes in lane 0.
	reduce := func(r VecVirtual, max bool) {
		op := VMINPS
		if max {
			op = VMAXPS
		}
		t := ZMM()
		VEXTRACTF32X8(U8(1), r, t.AsY())
		op(t.AsY(), r.AsY(), r.AsY())
		VEXTRACTF128(U8(1), r.AsY(), t.AsX())
		op(t.AsX(), r.AsX(), r.AsX())
		VPERMILPS(U8(0x4e), r.AsX(), t.AsX())
		op(t.AsX(), r.AsX(), r.AsX())
		VPERMILPS(U8(0xb1), r.AsX(), t.AsX())
		op(t.AsX(), r.AsX(), r.AsX())
	}
	i := GP64() // the group within the chunk at gp
	Label("bchunk")
	CMPQ(gp, gend)
	JAE(LabelRef("bdone"))
	XORQ(i, i)
	Label("bgroup")
	store := func(v [5]VecVirtual) {
		for a := range v {
			VMOVSS(v[a].AsX(), Mem{Base: gp, Index: i, Scale: 4, Disp: 64 * a})
		}
	}
	CMPQ(fp, fend)
	JAE(LabelRef("bempty"))
	{
		var v [5]VecVirtual // x1, y1, x2, y2, area
		for a := range v {
			v[a] = ZMM()
			VMOVUPS(Mem{Base: fp, Disp: 64 * a}, v[a])
		}
		ok := K()
		VCMPPS(U8(0x1e), v[0], v[2], ok)     // x2 > x1
		VCMPPS(U8(0x1e), v[1], v[3], ok, ok) // y2 > y1
		for a := range v {
			t := ZMM()
			low := a < 2 || a == 4 // min (x1, y1, area) or max
			if low {
				VMOVAPS(pinf, t)
			} else {
				VMOVAPS(ninf, t)
			}
			VMOVAPS(v[a], ok, t)
			reduce(t, !low)
			v[a] = t
		}
		store(v)
		ADDQ(I32(320), fp)
		JMP(LabelRef("bnext"))
	}
	Label("bempty")
	store([5]VecVirtual{pinf, pinf, ninf, ninf, pinf})
	Label("bnext")
	INCQ(i)
	CMPQ(i, U8(16))
	JB(LabelRef("bgroup"))
	for a := range 4 {
		t := ZMM()
		VMOVUPS(Mem{Base: gp, Disp: 64 * a}, t)
		reduce(t, a >= 2)
		VCVTSS2SD(t.AsX(), t.AsX(), t.AsX())
		VMOVSD(t.AsX(), Mem{Base: cp, Disp: 16 + 8*a})
	}
	ADDQ(I32(320), gp)
	ADDQ(U8(8*softCB), cp)
	JMP(LabelRef("bchunk"))
	Label("bdone")
	VZEROUPPER()
	RET()
}

// softK is the registers of a Soft-NMS round (softPass, softRound): the
// candidate arrays, the byte offset off and length n (bytes), the selected
// box and parameters broadcast, constants, the kill count and best sets.
type softK struct {
	x1, y1, x2, y2, ar, sc, pp, n, off   GPVirtual
	ax1, ay1, ax2, ay2, aa, nt, sig, thr VecVirtual
	one, zeroV, nan, iota, iotaHi, kcnt  VecVirtual
	bestS, bestI                         []VecVirtual
	// keyed: bestI holds the candidates' keys (softRound: ties go to the
	// least key, the lowest original index), not their byte offsets.
	keyed bool
	// fromF: body reads the boxes from softRound's float32 copies f
	// (exactly the float64 ones when every coordinate is a float32).
	fromF bool
	// reload: x1, y1, x2, y2 and area are loaded where used (softRound:
	// general registers are short), not kept.
	reload bool
	// chg, if set, collects the lanes whose score body changes (decayed
	// or killed).
	chg OpmaskVirtual
	// sigInv, if set, is 1/sigma for a power-of-two sigma: the gaussian
	// body multiplies by it instead of dividing by sigma (the same value).
	sigInv VecVirtual
}

// fAddr is the address in softRound's f of the float32 x1 of the 8
// candidates at byte offset o (a multiple of 64): the group of 16 (320
// bytes each), then its half: 320*(o>>7) + (o&64)/2 = (4*(o&^127) + o)/2.
func (k *softK) fAddr(o GPVirtual) GPVirtual {
	fa := GP64()
	MOVQ(o, fa)
	ANDQ(I32(-128), fa)
	LEAQ(Mem{Base: o, Index: fa, Scale: 4}, fa)
	SHRQ(U8(1), fa)
	fb, err := Param("f").Base().Resolve()
	if err != nil {
		panic(err)
	}
	ADDQ(fb.Addr, fa)
	return fa
}

// ptr is the base of x1, y1, x2, y2 or area (a = 0..4).
func (k *softK) ptr(a int) GPVirtual {
	if k.reload {
		return ptr([]string{"x1", "y1", "x2", "y2", "area"}[a])
	}
	return []GPVirtual{k.x1, k.y1, k.x2, k.y2, k.ar}[a]
}

func newSoftK(sets int) *softK {
	k := &softK{x1: ptr("x1"), y1: ptr("y1"), x2: ptr("x2"), y2: ptr("y2"), ar: ptr("area"), sc: ptr("score"), pp: ptr("p")}
	k.n = Load(Param("score").Len(), GP64()).(GPVirtual)
	b := make([]VecVirtual, 8)
	for i := range b {
		b[i] = ZMM()
		VBROADCASTSD(Mem{Base: k.pp, Disp: 8 * i}, b[i])
	}
	k.ax1, k.ay1, k.ax2, k.ay2, k.aa, k.nt, k.sig, k.thr = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
	k.one = ZMM()
	VBROADCASTSD(splat64("one64", math.Float64bits(1)), k.one)
	k.zeroV = ZMM()
	VXORPD(k.zeroV, k.zeroV, k.zeroV)
	k.nan = ZMM()
	VBROADCASTSD(splat64("nan64", 0x7ff8000000000000), k.nan)
	// Running bests: softPass's filter takes two (one set's
	// compare-and-blend chained from vector to vector and bounded the
	// loop). Indices are int64 byte offsets (8j), made candidate indices
	// at the end.
	for range sets {
		k.bestS, k.bestI = append(k.bestS, ZMM()), append(k.bestI, ZMM())
	}
	k.initBest()
	k.iota = ZMM() // byte offsets of the 8 lanes
	VPMOVZXBQ(iotaB8(), k.iota)
	k.iotaHi = ZMM() // those of the next vector
	VPADDQ(splat64b("sixtyfourq", 64), k.iota, k.iotaHi)
	k.kcnt = ZMM() // kills per lane (a vector count: no mask moves to GP registers)
	VXORPD(k.kcnt, k.kcnt, k.kcnt)
	SHLQ(U8(3), k.n) // bytes
	k.off = GP64()
	XORQ(k.off, k.off)
	return k
}

// initBest resets every best set to score -Inf, byte offset -8 (keyed:
// the key above all others whose low half is -8).
func (k *softK) initBest() {
	none := splat64("minus8q", uint64(0xfffffffffffffff8))
	if k.keyed {
		none = splat64("nokeyq", uint64(0x7ffffffffffffff8))
	}
	for h := range k.bestS {
		VBROADCASTSD(splat64("neginf64", 0xfff0000000000000), k.bestS[h])
		VPBROADCASTQ(none, k.bestI[h])
	}
}

func at(p GPVirtual, o Register) Mem { return Mem{Base: p, Index: o, Scale: 1} }

// best takes the lanes of s (candidates at byte offset o+disp) whose score
// beats best set h (within lanes, if given); keyed, also those of an equal
// score and a lesser key (so -Inf scores too: a chunk's best is then its
// least key among -Inf survivors, the official selection of the last
// rounds with a threshold of -Inf).
func (k *softK) best(h int, s VecVirtual, o GPVirtual, disp int, lanes Op) {
	up := K()
	if lanes != nil {
		VCMPPD(U8(0x1e), k.bestS[h], s, lanes, up) // s > best
	} else {
		VCMPPD(U8(0x1e), k.bestS[h], s, up)
	}
	i := ZMM()
	if k.keyed {
		kp := Load(Param("key").Base(), GP64()).(GPVirtual)
		eq, lt := K(), K()
		if lanes != nil {
			VMOVDQU64_Z(at(kp, o), lanes, i)
			VCMPPD(U8(0x00), k.bestS[h], s, lanes, eq) // s == best
		} else {
			VMOVDQU64(at(kp, o).Offset(disp), i)
			VCMPPD(U8(0x00), k.bestS[h], s, eq)
		}
		VPCMPQ(U8(1), k.bestI[h], i, eq, lt) // key < best's
		KORB(lt, up, up)
	} else {
		VPBROADCASTQ(o, i)
		if disp == 0 {
			VPADDQ(k.iota, i, i)
		} else {
			VPADDQ(k.iotaHi, i, i)
		}
	}
	VMOVAPD(s, up, k.bestS[h])
	VMOVDQA64(i, up, k.bestI[h])
}

// merge takes into best set a the lanes of set b with a larger score, or
// an equal score and a lower index (a lane's first maximum).
func (k *softK) merge(a, b int) {
	gt, eq, lt := K(), K(), K()
	VCMPPD(U8(0x1e), k.bestS[a], k.bestS[b], gt)  // sb > sa
	VCMPPD(U8(0x00), k.bestS[a], k.bestS[b], eq)  // sb == sa
	VPCMPQ(U8(1), k.bestI[a], k.bestI[b], eq, lt) // ib < ia (equal -Inf scores have index -8 in all)
	KORB(gt, lt, gt)
	VMOVAPD(k.bestS[b], gt, k.bestS[a])
	VMOVDQA64(k.bestI[b], gt, k.bestI[a])
}

// storeBest merges the best sets into the largest score and its least key
// and writes them to p[0] and the key's position to p[1] (-1 if none).
func (k *softK) storeBest(p GPVirtual) {
	for h := 1; h < len(k.bestS); h++ {
		k.merge(0, h)
	}
	s, x, t := ZMM(), k.bestI[0], ZMM()
	VMOVAPD(k.bestS[0], s)
	maxLanesPD(s, t) // no NaN among the bests
	eq := K()
	VCMPPD(U8(0x04), s, k.bestS[0], eq) // NEQ: lanes without the max
	VPBROADCASTQ(splat64("maxint64", 1<<63-1), eq, x)
	storeScoreKey(s, x, t, p)
}

// maxLanesPD sets every lane of m to the largest of its lanes (t is
// scratch).
func maxLanesPD(m, t VecVirtual) {
	for _, imm := range []uint8{0x4e, 0xb1} { // swap 256-bit halves, then 128-bit quarters
		VSHUFF64X2(U8(imm), m, m, t)
		VMAXPD(t, m, m)
	}
	VPERMILPD(U8(0x55), m, t) // swap neighbours
	VMAXPD(t, m, m)
}

// storeScoreKey writes lane 0 of score s to p[0] and, to p[1], the
// position in the least of the keys in x (their low half is the byte
// offset; -8, none, gives -1); t is scratch.
func storeScoreKey(s, x, t VecVirtual, p GPVirtual) {
	minLanesQ(x, t)
	VPSLLQ(U8(32), x, x) // the key's low half, the byte offset (-8: none)
	VPSRAQ(U8(35), x, x)
	VCVTQQ2PD(x, x)
	VMOVSD(s.AsX(), Mem{Base: p})
	VMOVSD(x.AsX(), Mem{Base: p, Disp: 8})
}

// minLanesQ sets every lane of x to the least of its int64 lanes (t is
// scratch).
func minLanesQ(x, t VecVirtual) {
	for _, imm := range []uint8{0x4e, 0xb1} {
		VSHUFI64X2(U8(imm), x, x, t)
		VPMINSQ(t, x, x)
	}
	VPSHUFD(U8(0x4e), x, t)
	VPMINSQ(t, x, x)
}

// rescan writes to p[0], p[1] the best score of the chunk that ends at
// byte offset end and the position of its least key (storeBest's meaning)
// in two passes without a chain through the keys: the largest score, then
// the least key among the lanes that hold it.
func (k *softK) rescan(end, o, p GPVirtual, sfx string) {
	start := GP64()
	LEAQ(Mem{Base: end, Disp: -1}, start)
	ANDQ(I32(-8*softChunk), start)
	MOVQ(start, o)
	mx := []VecVirtual{ZMM(), ZMM()}
	for _, m := range mx {
		VBROADCASTSD(splat64("neginf64", 0xfff0000000000000), m)
	}
	Label("rsmax" + sfx)
	for h, m := range mx {
		s := ZMM()
		VMOVUPD(at(k.sc, o).Offset(64*h), s)
		VMAXPD(m, s, m) // m = s > m ? s : m: a NaN (dead) s leaves m
	}
	ADDQ(I32(128), o)
	CMPQ(o, end)
	JB(LabelRef("rsmax" + sfx))
	m, t := mx[0], mx[1]
	VMAXPD(t, m, m)
	maxLanesPD(m, t)
	kp := Load(Param("key").Base(), GP64()).(GPVirtual)
	ky := []VecVirtual{ZMM(), ZMM()}
	for _, x := range ky {
		VPBROADCASTQ(splat64("nokeyq", uint64(0x7ffffffffffffff8)), x)
	}
	MOVQ(start, o)
	Label("rskey" + sfx)
	for h, x := range ky {
		eq := K()
		VCMPPD(U8(0x00), at(k.sc, o).Offset(64*h), m, eq) // s == max
		VPMINSQ(at(kp, o).Offset(64*h), x, eq, x)
	}
	ADDQ(I32(128), o)
	CMPQ(o, end)
	JB(LabelRef("rskey" + sfx))
	x := ky[0]
	VPMINSQ(ky[1], x, x)
	storeScoreKey(m, x, t, p)
}

// rest runs the whole round with best set h on the candidates from off to
// n (fewer than 16: one whole vector and a masked tail) and jumps to done.
// n is loaded again (so it is not live through the loops).
func (k *softK) rest(kind, h int, sfx, done string) {
	k.n = Load(Param("score").Len(), GP64()).(GPVirtual)
	SHLQ(U8(3), k.n)
	left := GP64()
	MOVQ(k.n, left)
	SUBQ(k.off, left)
	CMPQ(left, I32(64))
	JB(LabelRef("tail" + sfx))
	k.body(kind, h, k.off, 0, false)
	ADDQ(I32(64), k.off)
	Label("tail" + sfx)
	CMPQ(k.off, k.n)
	JAE(LabelRef(done))
	k.body(kind, h, k.off, 0, true)
	JMP(LabelRef(done))
}

// ret returns the kill count.
func (k *softK) ret() {
	killed := GP64()
	hsumPD(k.kcnt)
	VCVTTSD2SIQ(k.kcnt.AsX(), killed)
	Store(killed, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// body runs the whole round on the 8 candidates at byte offset o+disp
// for method kind (0 hard, 1 linear, 2 gaussian), taking the survivors into
// best set h (none if h < 0); a tail body on the n%8 left, with masked loads
// and stores. No liveness mask (a dead candidate's NaN score fails every
// compare and decays to NaN).
func (k *softK) body(kind, h int, o GPVirtual, disp int, tail bool) {
	k.bodies(kind, h, []GPVirtual{o}, disp, tail)
}

// bodies is body on the vectors at os[i]+disp, each step on all of them in
// turn: their chains of dependent operations (the gaussian one, two
// divisions and the exponential's series, is long) then overlap.
func (k *softK) bodies(kind, h int, os []GPVirtual, disp int, tail bool) {
	nv := len(os)
	var lanes OpmaskVirtual
	ld := func(p GPVirtual, o GPVirtual) VecVirtual {
		r := ZMM()
		if tail {
			VMOVUPD_Z(at(p, o), lanes, r)
		} else {
			VMOVUPD(at(p, o).Offset(disp), r)
		}
		return r
	}
	// cmp sets m to a compare of a with b, within the tail lanes.
	cmp := func(pred uint8, b, a VecVirtual, m OpmaskVirtual) {
		if tail {
			VCMPPD(U8(pred), b, a, lanes, m)
		} else {
			VCMPPD(U8(pred), b, a, m)
		}
	}
	if tail {
		o := os[0]
		m, c := GP64(), GP64() // m before c keeps the registers as they were (avo breaks ties by age)
		MOVQ(k.n, c)
		SUBQ(o, c)
		SHRQ(U8(3), c)
		lanes = kFirst(8, c, kOpt{t: m})
	}
	s, iw, ih := make([]VecVirtual, nv), make([]VecVirtual, nv), make([]VecVirtual, nv)
	ovl, ov := make([]OpmaskVirtual, nv), make([]VecVirtual, nv)
	for v, o := range os {
		s[v] = ld(k.sc, o)
		var vx1, vy1, vx2, vy2 VecVirtual
		if !k.fromF {
			vx1, vy1, vx2, vy2 = ld(k.ptr(0), o), ld(k.ptr(1), o), ld(k.ptr(2), o), ld(k.ptr(3), o)
		} else {
			fa := k.fAddr(o)
			vs := []*VecVirtual{&vx1, &vy1, &vx2, &vy2}
			for a, v := range vs {
				*v = ZMM()
				VCVTPS2PD(Mem{Base: fa, Disp: 64*a + disp/2}, *v)
			}
		}
		iw[v], ih[v] = ZMM(), ZMM()
		VMINPD(vx2, k.ax2, iw[v])
		VMAXPD(vx1, k.ax1, vx1)
		VSUBPD(vx1, iw[v], iw[v])
		VMINPD(vy2, k.ay2, ih[v])
		VMAXPD(vy1, k.ay1, vy1)
		VSUBPD(vy1, ih[v], ih[v])
	}
	for v := range os {
		ovl[v] = K()
		if kind == 0 {
			// Hard decay writes 0, which would revive a dead (NaN) score.
			live := K()
			cmp(7, s[v], s[v], live) // ORD
			VCMPPD(U8(0x1e), k.zeroV, iw[v], live, ovl[v])
		} else {
			cmp(0x1e, k.zeroV, iw[v], ovl[v]) // iw > 0
		}
		VCMPPD(U8(0x1e), k.zeroV, ih[v], ovl[v], ovl[v]) // ih > 0
		inter := ZMM()
		ov[v] = ZMM()
		VMULPD(ih[v], iw[v], inter)
		VADDPD(ld(k.ptr(4), os[v]), k.aa, ov[v])
		VSUBPD(inter, ov[v], ov[v])
		VDIVPD(ov[v], inter, ov[v]) // inter / (aa + area - inter)
	}
	switch kind {
	case 1, 0:
		for v := range os {
			big := K()
			VCMPPD(U8(0x1e), k.nt, ov[v], ovl[v], big) // ov > nt
			if k.chg != nil {
				KORB(big, k.chg, k.chg)
			}
			if kind == 1 {
				w := ZMM()
				VSUBPD(ov[v], k.one, w)
				VMULPD(w, s[v], big, s[v]) // s *= 1 - ov
			} else {
				VMOVAPD(k.zeroV, big, s[v]) // 0, not s*0 (NaN for an infinite score)
			}
		}
	case 2:
		e := make([]VecVirtual, nv)
		for v := range os {
			e[v] = ZMM()
			VMULPD(ov[v], ov[v], e[v])
			if k.sigInv != nil {
				VMULPD(k.sigInv, e[v], e[v])
			} else {
				VDIVPD(k.sig, e[v], e[v])
			}
			VXORPD_BCST(splat64("signbit64", 1<<63), e[v], e[v])
		}
		expPD(e...)
		for v := range os {
			VMULPD(e[v], s[v], ovl[v], s[v]) // s *= exp(-(ov*ov)/sigma)
			if k.chg != nil {
				KORB(ovl[v], k.chg, k.chg)
			}
		}
	}
	for v, o := range os {
		dead := K()
		cmp(0x11, k.thr, s[v], dead) // s < thr (LT_OQ)
		VMOVAPD(k.nan, dead, s[v])
		if k.chg != nil {
			KORB(dead, k.chg, k.chg)
		}
		VADDPD(k.one, k.kcnt, dead, k.kcnt)
		if k.fromF {
			// A killed box moves to +Inf in f (x1): the filter lists it
			// no more (the next full round copies it back, harmless).
			inf := ZMM()
			VBROADCASTSS(table[uint32]("posinf32", 0x7f800000), inf.AsY())
			VMOVUPS(inf.AsY(), dead, Mem{Base: k.fAddr(o), Disp: disp / 2})
		}
		// One store of the new scores (unchanged lanes rewrite their value).
		if tail {
			VMOVUPD(s[v], lanes, at(k.sc, o))
		} else {
			VMOVUPD(s[v], at(k.sc, o).Offset(disp))
		}
		if h >= 0 {
			if tail {
				k.best(h, s[v], o, disp, lanes)
			} else {
				k.best(h, s[v], o, disp, nil)
			}
		}
	}
}

// softChunk is the candidates of one filter chunk (48 bytes each: 12 KiB,
// in L1 for the listed vectors' pass; gaussian N=20000 gained 1.56x over
// the old pass with 256, 1.44x with 512, 1.34x with 128 or 1024).
const softChunk = 256 // a power of 2 (softRound finds a chunk's start by masking)

// softSigmaMul is the bit of softRound's method that says sigma is a
// power of two with an exact reciprocal (the gaussian listed round then
// multiplies by it; _asm's softSigmaMul).
const softSigmaMul = 4

// softCB is the float64s of softRound's cb per chunk: its best score and
// position, its bounding box, two unused (a chunk a cache line).
const softCB = 8

// iotaB8 is the lane byte offsets 0, 8, ..., 56 as bytes (VPMOVZXBQ).
func iotaB8() Mem { return table[uint8]("iotab8", 0, 8, 16, 24, 32, 40, 48, 56) }

// hsumPD leaves the sum of the 8 lanes of r in lane 0.
func hsumPD(r VecVirtual) {
	t := ZMM()
	VEXTRACTF64X4(U8(1), r, t.AsY())
	VADDPD(t.AsY(), r.AsY(), r.AsY())
	VEXTRACTF64X2(U8(1), r.AsY(), t.AsX())
	VADDPD(t.AsX(), r.AsX(), r.AsX())
	VUNPCKHPD(r.AsX(), r.AsX(), t.AsX())
	VADDSD(t.AsX(), r.AsX(), r.AsX())
}

// expPD replaces each e (<= 0 or NaN) by exp(e) in float64: e = n*ln2 + r
// with |r| <= ln2/2 (ln2 split in two, fdlibm), e^r by its Taylor series to
// r^11 (truncation below 2^-50), times 2^n by VSCALEFPD, which gives exactly
// 0 far below -745; e is clamped at -1000 first (NaN stays NaN). Several
// registers go step by step together (their series chains overlap).
func expPD(es ...VecVirtual) {
	lo := ZMM()
	VBROADCASTSD(splat64("exp64lo", math.Float64bits(-1000)), lo)
	ns, ps := make([]VecVirtual, len(es)), make([]VecVirtual, len(es))
	for i, e := range es {
		VMAXPD(e, lo, e)
		ns[i] = ZMM()
		VMULPD_BCST(splat64("log2e64", math.Float64bits(math.Log2E)), e, ns[i])
		VRNDSCALEPD(U8(0), ns[i], ns[i])
	}
	for i, e := range es {
		VFNMADD231PD_BCST(splat64("ln2hi64", math.Float64bits(6.93147180369123816490e-01)), ns[i], e)
		VFNMADD231PD_BCST(splat64("ln2lo64", math.Float64bits(1.90821492927058770002e-10)), ns[i], e)
		ps[i] = ZMM()
		VBROADCASTSD(splat64("inv11f", math.Float64bits(1.0/39916800)), ps[i])
	}
	fact := 39916800.0
	for k := 10; k >= 0; k-- {
		fact /= float64(k + 1)
		for i, e := range es {
			VFMADD213PD_BCST(splat64("invf"+string(rune('a'+k)), math.Float64bits(1/fact)), e, ps[i])
		}
	}
	for i, e := range es {
		VSCALEFPD(ns[i], ps[i], e)
	}
}

// splat64 is a float64 constant for VBROADCASTSD (8 bytes); splat64b the
// same value as 8 copies, for full-width memory operands.
func splat64(name string, bits uint64) Mem { return table(name, bits) }

func splat64b(name string, bits uint64) Mem { return table(name+"_x8", copies(8, bits)...) }

func iotaPD() Mem {
	var iota [8]uint64
	for i := range iota {
		iota[i] = math.Float64bits(float64(i))
	}
	return table("iota64", iota[:]...)
}

// softPassAVX2 emits softPassAVX512 for AVX2+FMA: 8 candidates per step as
// two halves of 4 float64 lanes (lanes l and 4+l of the 8-lane result),
// with the same operations in the same order (the min/max operand order
// included, so NaNs land alike) and the same exp (expPD4). Vector masks
// replace the opmasks; a step past the last full 8 runs on a stack copy
// whose padding scores are NaN (not live), so nothing is read or written
// past the slices. Hard decay sets the score to 0 (as the Go pass does,
// also for an infinite score) instead of multiplying by 0.
func softPassAVX2() {
	// Not NOSPLIT: the constants and the tail copy need more stack than a
	// NOSPLIT chain may use.
	TEXT("softPassAVX2", 0, "func(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int")
	Pragma("noescape")
	Doc("softPassAVX2 is softPassAVX512 (the same meaning) with AVX2+FMA.")
	ptrs := []GPVirtual{ptr("x1"), ptr("y1"), ptr("x2"), ptr("y2"), ptr("area"), ptr("score")}
	x1, y1, x2, y2, ar, sc := ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5]
	pp := ptr("p")
	n := Load(Param("score").Len(), GP64()).(GPVirtual)
	method := Load(Param("method"), GP64()).(GPVirtual)
	// The selected box stays in registers (min/max take it as their first
	// source, as in the AVX-512 pass); aa, nt, sigma, thr and the method
	// masks live on the stack as full vectors.
	a := make([]VecVirtual, 4)
	for i := range a {
		a[i] = YMM()
		VBROADCASTSD(Mem{Base: pp, Disp: 8 * i}, a[i])
	}
	ax1, ay1, ax2, ay2 := a[0], a[1], a[2], a[3]
	cst := AllocLocal(6 * 32)
	for i := 0; i < 4; i++ {
		t := YMM()
		VBROADCASTSD(Mem{Base: pp, Disp: 8 * (4 + i)}, t)
		VMOVUPD(t, cst.Offset(32*i))
	}
	aaM, ntM, sigM, thrM, linM, hardM := cst, cst.Offset(32), cst.Offset(64), cst.Offset(96), cst.Offset(128), cst.Offset(160)
	for i, set := range []func(Op){SETEQ, SETNE} {
		t, x := GP64(), XMM()
		XORQ(t, t)
		CMPQ(method, U8(1))
		set(t.As8())
		NEGQ(t)
		VMOVQ(t, x)
		VPBROADCASTQ(x, x.AsY())
		VMOVDQU(x.AsY(), cst.Offset(128+32*i))
	}
	bestS, bestI := []VecVirtual{YMM(), YMM()}, []VecVirtual{YMM(), YMM()}
	for h := range 2 {
		VBROADCASTSD(splat64("neginf64", 0xfff0000000000000), bestS[h])
		VBROADCASTSD(splat64("minus1d", math.Float64bits(-1)), bestI[h])
	}
	idx := YMM()
	VMOVUPD(iotaPD(), idx)
	killed := GP64()
	XORQ(killed, killed)
	buf := AllocLocal(6 * 64)

	// half runs lanes 4h..4h+3 of one 8-candidate step.
	half := func(gauss bool, h int, sfx string) {
		d := 32 * h
		s, live := YMM(), YMM()
		VMOVUPD(Mem{Base: sc, Disp: d}, s)
		VCMPPD(U8(7), s, s, live) // ORD: not NaN
		iw, ih, t := YMM(), YMM(), YMM()
		VMINPD(Mem{Base: x2, Disp: d}, ax2, iw)
		VMAXPD(Mem{Base: x1, Disp: d}, ax1, t)
		VSUBPD(t, iw, iw)
		VMINPD(Mem{Base: y2, Disp: d}, ay2, ih)
		VMAXPD(Mem{Base: y1, Disp: d}, ay1, t)
		VSUBPD(t, ih, ih)
		zeroM := splat64b("zero64", 0)
		ovl := YMM()
		VCMPPD(U8(0x1e), zeroM, iw, ovl) // iw > 0
		VCMPPD(U8(0x1e), zeroM, ih, t)   // ih > 0
		VANDPD(t, ovl, ovl)
		VANDPD(live, ovl, ovl)
		inter, ov := iw, YMM()
		VMULPD(ih, iw, inter)
		VMOVUPD(aaM, ov)
		VADDPD(Mem{Base: ar, Disp: d}, ov, ov)
		VSUBPD(inter, ov, ov)
		VDIVPD(ov, inter, ov) // inter / (aa + area - inter)
		ns := YMM()
		if gauss {
			// w = exp(-(ov*ov) / sigma) on the overlapping lanes.
			m := GP32()
			VMOVMSKPD(ovl, m)
			TESTL(m, m)
			JZ(LabelRef("decay" + sfx))
			VMULPD(ov, ov, ov)
			VDIVPD(sigM, ov, ov)
			VXORPD(splat64b("signbit64", 1<<63), ov, ov)
			expPD4(ov)
			VMULPD(ov, s, ns)
			VBLENDVPD(ovl, ns, s, s)
			Label("decay" + sfx)
		} else {
			// Linear: w = 1 - ov where ov > nt; hard: score 0 there.
			big, one, w := YMM(), YMM(), YMM()
			VCMPPD(U8(0x1e), ntM, ov, big) // ov > nt
			VANDPD(ovl, big, big)
			VMOVUPD(splat64b("one64", math.Float64bits(1)), one)
			VSUBPD(ov, one, w)
			VANDPD(linM, big, t)
			VBLENDVPD(t, w, one, w)
			VMULPD(w, s, ns)
			VANDPD(hardM, big, t)
			VANDNPD(ns, t, ns) // 0 on hard lanes
			VBLENDVPD(ovl, ns, s, s)
		}
		dead := YMM()
		VCMPPD(U8(0x11), thrM, s, dead) // s < thr (LT_OQ)
		VANDPD(live, dead, dead)
		VBLENDVPD(dead, splat64b("nan64", 0x7ff8000000000000), s, ns)
		VMOVUPD(ns, Mem{Base: sc, Disp: d})
		m := GP32()
		VMOVMSKPD(dead, m)
		POPCNTL(m, m)
		ADDQ(m.As64(), killed)
		VANDNPD(live, dead, live) // alive: live and not dead
		VCMPPD(U8(0x1e), bestS[h], s, t)
		VANDPD(live, t, t)
		VBLENDVPD(t, s, bestS[h], bestS[h])
		at := idx
		if h == 1 {
			at = YMM()
			VADDPD(splat64b("four64", math.Float64bits(4)), idx, at)
		}
		VBLENDVPD(t, at, bestI[h], bestI[h])
	}
	step := func(gauss bool, sfx string) {
		half(gauss, 0, sfx+"0")
		half(gauss, 1, sfx+"1")
		VADDPD(splat64b("eight64", math.Float64bits(8)), idx, idx)
	}
	body := func(gauss bool, sfx string) {
		Label("loop" + sfx)
		CMPQ(n, U8(8))
		JB(LabelRef("tail" + sfx))
		step(gauss, sfx)
		for _, p := range ptrs {
			ADDQ(U8(64), p)
		}
		SUBQ(U8(8), n)
		JMP(LabelRef("loop" + sfx))
		Label("tail" + sfx)
		TESTQ(n, n)
		JZ(LabelRef("done"))
		// Copy the last n < 8 candidates to the stack (score padding NaN).
		out := GP64()
		MOVQ(sc, out)
		i, e := GP64(), GP64()
		zv, nanv := YMM(), YMM()
		VXORPD(zv, zv, zv)
		VBROADCASTSD(splat64("nan64", 0x7ff8000000000000), nanv)
		for k, p := range ptrs {
			pad := zv
			if p == sc {
				pad = nanv
			}
			VMOVUPD(pad, buf.Offset(64*k))
			VMOVUPD(pad, buf.Offset(64*k+32))
			XORQ(i, i)
			Label(fmt.Sprintf("in%s%d", sfx, k))
			MOVQ(Mem{Base: p, Index: i, Scale: 8}, e)
			MOVQ(e, buf.Offset(64*k).Idx(i, 8))
			INCQ(i)
			CMPQ(i, n)
			JB(LabelRef(fmt.Sprintf("in%s%d", sfx, k)))
			LEAQ(buf.Offset(64*k), p)
		}
		step(gauss, sfx+"t")
		XORQ(i, i)
		Label("out" + sfx)
		MOVQ(buf.Offset(64*5).Idx(i, 8), e)
		MOVQ(e, Mem{Base: out, Index: i, Scale: 8})
		INCQ(i)
		CMPQ(i, n)
		JB(LabelRef("out" + sfx))
		JMP(LabelRef("done"))
	}
	CMPQ(method, U8(2))
	JE(LabelRef("gauss"))
	body(false, "l")
	Label("gauss")
	body(true, "g")

	Label("done")
	o := ptr("best")
	for h := range 2 {
		VMOVUPD(bestS[h], Mem{Base: o, Disp: 32 * h})
		VMOVUPD(bestI[h], Mem{Base: o, Disp: 64 + 32*h})
	}
	Store(killed, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// expPD4 is expPD for AVX2+FMA (the same reduction and series, bit for bit
// the same results): without VSCALEFPD, 2^n is applied as two exact powers
// of two 2^(n>>1) and 2^(n-(n>>1)), both normal for n >= -1443 (e >= -1000),
// so the product rounds once, to 0 or a subnormal where it must.
func expPD4(e VecVirtual) {
	lo := YMM()
	VBROADCASTSD(splat64("exp64lo", math.Float64bits(-1000)), lo)
	VMAXPD(e, lo, e) // NaN stays NaN
	n := YMM()
	VMULPD(splat64b("log2e64", math.Float64bits(math.Log2E)), e, n)
	VROUNDPD(U8(0), n, n)
	VFNMADD231PD(splat64b("ln2hi64", math.Float64bits(6.93147180369123816490e-01)), n, e)
	VFNMADD231PD(splat64b("ln2lo64", math.Float64bits(1.90821492927058770002e-10)), n, e)
	p := YMM()
	VBROADCASTSD(splat64("inv11f", math.Float64bits(1.0/39916800)), p)
	fact := 39916800.0
	for k := 10; k >= 0; k-- {
		fact /= float64(k + 1)
		VFMADD213PD(splat64b("invf"+string(rune('a'+k)), math.Float64bits(1/fact)), e, p)
	}
	ni, n1 := XMM(), XMM()
	VCVTPD2DQY(n, ni)
	VPSRAD(U8(1), ni, n1)
	VPSUBD(n1, ni, ni)
	bias := splat64b("bias1023", 1023)
	for _, k := range []VecVirtual{n1, ni} {
		q := YMM()
		VPMOVSXDQ(k, q)
		VPADDQ(bias, q, q)
		VPSLLQ(U8(52), q, q)
		VMULPD(q, p, p)
	}
	VMOVAPD(p, e)
}

// softCompact emits softCompactAVX512: the driver's compaction of a
// chunked list (nmsbox.Soft.Compact, then softList.rekey) without a branch
// per candidate: 8 at a time, the live lanes compressed (in registers; the
// memory form of VCOMPRESSPD is slow on Zen 4) and stored masked at the
// write position, which never passes the read one, so in place is safe.
// The scalar loop's branch on each score mispredicted where dead ones lie
// scattered (14% of N=5000 linear).
func softCompact() {
	TEXT("softCompactAVX512", NOSPLIT, "func(x1, y1, x2, y2, area, score []float64, idx []int32, key []int64, m int) (n, mw int)")
	Pragma("noescape")
	Doc("softCompactAVX512 moves the live candidates (score not NaN) of the first len(score) to the front in",
		"order (x1, y1, x2, y2, area, score, idx), sets key[w] = idx[w]<<32 | 8w for the n live ones and returns n",
		"and the new position of m (m live, or -1: -1).")
	j, w, mw := GP64(), GP64(), GP64()
	XORQ(j, j)
	XORQ(w, w)
	MOVQ(I32(-1), mw)
	iota := ZMM()
	VPMOVZXBQ(iotaB8(), iota)
	Label("cloop")
	left, ones := GP64(), GP64()
	Load(Param("score").Len(), left)
	SUBQ(j, left)
	JBE(LabelRef("cdone"))
	lanes := kFirst(8, left, kOpt{t: ones, full: "cfull"})
	s, live := ZMM(), K()
	sp := ptr("score")
	VMOVUPD_Z(Mem{Base: sp, Index: j, Scale: 8}, lanes, s)
	VCMPPD(U8(7), s, s, lanes, live) // ORD: live
	cnt, t := GP64(), GP64()
	KMOVB(live, cnt.As32())
	// m in this vector: its new position is w plus the live lanes below it.
	Load(Param("m"), t)
	SUBQ(j, t)
	below := GP64()
	BZHIQ(t, cnt, below)
	POPCNTQ(below, below)
	ADDQ(w, below)
	CMPQ(t, U8(8))
	CMOVQCS(below, mw)
	POPCNTQ(cnt, cnt)
	out := kFirst(8, cnt, kOpt{t: ones})
	for _, name := range []string{"x1", "y1", "x2", "y2", "area", "score"} {
		p, v := ptr(name), ZMM()
		VMOVUPD_Z(Mem{Base: p, Index: j, Scale: 8}, lanes, v)
		VCOMPRESSPD_Z(v, live, v)
		VMOVUPD(v, out, Mem{Base: p, Index: w, Scale: 8})
	}
	ip, ix := ptr("idx"), YMM()
	VMOVDQU32_Z(Mem{Base: ip, Index: j, Scale: 4}, lanes, ix)
	VPCOMPRESSD_Z(ix, live, ix)
	VMOVDQU32(ix, out, Mem{Base: ip, Index: w, Scale: 4})
	kp, ky, o := ptr("key"), ZMM(), ZMM()
	VPMOVZXDQ(ix, ky)
	VPSLLQ(U8(32), ky, ky)
	MOVQ(w, t)
	SHLQ(U8(3), t)
	VPBROADCASTQ(t, o)
	VPADDQ(iota, o, o)
	VPORQ(o, ky, ky)
	VMOVDQU64(ky, out, Mem{Base: kp, Index: w, Scale: 8})
	ADDQ(cnt, w)
	ADDQ(U8(8), j)
	JMP(LabelRef("cloop"))
	Label("cdone")
	Store(w, ReturnIndex(0))
	Store(mw, ReturnIndex(1))
	VZEROUPPER()
	RET()
}

// softKeys emits softKeysAVX512: softList.loadSpatial's sort keys (the
// Morton code of each live box's centre, high half, and its index) 8
// boxes at a time in two passes over the input, the range of the centres
// and then the codes (the scalar loops, a table lookup and branches per
// box, were half of the spatial load at N=1000).
func softKeys() {
	TEXT("softKeysAVX512", NOSPLIT, "func(boxes, scores []float32, one float64, keys []uint64) int")
	Pragma("noescape")
	Doc("softKeysAVX512 writes to keys, in index order, code<<32 | i for each box i whose score is not NaN and",
		"returns their count: with x1, y1, x2+one, y2+one the box (float64) and a = x1/2+x2/2, b likewise its",
		"centre, code is 1<<16 unless x2 > x1, y2 > y1 and a, b are finite; otherwise spread(u) | spread(v)<<1",
		"with u = (a-lx)*(255.99/(hx-lx)) over the range [lx, hx] of those centres (v likewise), where spread(u)",
		"is 0 unless u > 0, else uint8(min(u, 255)) with bit b moved to bit 2b.")
	bp, sp, kp := ptr("boxes"), ptr("scores"), ptr("keys")
	n := Load(Param("scores").Len(), GP64()).(GPVirtual)
	one, half, zero := ZMM(), ZMM(), ZMM()
	{
		x := Load(Param("one"), XMM())
		VBROADCASTSD(x, one)
	}
	VBROADCASTSD(splat64("half64", math.Float64bits(0.5)), half)
	VXORPD(zero, zero, zero)
	var ia, ib [16]uint32 // x1 | y1 and x2 | y2 of 8 boxes from their 32 float32s
	for l := range 8 {
		ia[l], ia[8+l], ib[l], ib[8+l] = uint32(4*l), uint32(4*l+1), uint32(4*l+2), uint32(4*l+3)
	}
	idxA, idxB := ZMM(), ZMM()
	VMOVDQU32(table("softkeyia", ia[:]...), idxA)
	VMOVDQU32(table("softkeyib", ib[:]...), idxB)
	i := GP64()
	// centres loads the 8 boxes from i (fewer at the end) and returns
	// their centres, the live lanes (score not NaN) and the valid ones
	// (live, x2 > x1, y2 > y1, a and b finite); done when none are left.
	centres := func(done string) (a, b VecVirtual, live, valid OpmaskVirtual) {
		left, m := GP64(), GP64()
		MOVQ(n, left)
		SUBQ(i, left)
		JBE(LabelRef(done))
		CMPQ(left, U8(8))
		JBE(LabelRef(done + "t"))
		MOVQ(U32(8), left)
		Label(done + "t")
		lanes, klo, khi := K(), K(), K()
		kFirst(8, left, kOpt{t: m}, lanes)
		SHLQ(U8(2), left)
		kFirst(16, left, kOpt{t: m}, klo, khi)
		za, zb := ZMM(), ZMM()
		t := GP64()
		LEAQ(Mem{Base: bp, Index: i, Scale: 8}, t) // 16 bytes a box
		VMOVUPS_Z(Mem{Base: t, Index: i, Scale: 8}, klo, za)
		VMOVUPS_Z(Mem{Base: t, Index: i, Scale: 8, Disp: 64}, khi, zb)
		lo, hi := ZMM(), ZMM()
		VMOVDQA32(idxA, lo)
		VPERMI2PS(zb, za, lo) // x1 in lanes 0-7, y1 in 8-15
		VMOVDQA32(idxB, hi)
		VPERMI2PS(zb, za, hi) // x2, y2
		c := [4]VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		for h, v := range []VecVirtual{lo, hi} {
			u := YMM()
			VEXTRACTF32X8(U8(1), v, u)
			VCVTPS2PD(v.AsY(), c[2*h])
			VCVTPS2PD(u, c[2*h+1])
		}
		x1, y1, x2, y2 := c[0], c[1], c[2], c[3]
		VADDPD(one, x2, x2)
		VADDPD(one, y2, y2)
		s := YMM()
		VMOVUPS_Z(Mem{Base: sp, Index: i, Scale: 4}, lanes, s)
		live, valid = K(), K()
		VCMPPS(U8(7), s, s, lanes, live)       // ORD
		VCMPPD(U8(0x1e), x1, x2, live, valid)  // x2 > x1
		VCMPPD(U8(0x1e), y1, y2, valid, valid) // y2 > y1
		a, b = ZMM(), ZMM()
		for _, p := range [][3]VecVirtual{{x1, x2, a}, {y1, y2, b}} {
			t := ZMM()
			VMULPD(half, p[0], p[2])
			VMULPD(half, p[1], t)
			VADDPD(t, p[2], p[2]) // x1/2 + x2/2
			VSUBPD(p[2], p[2], t)
			VCMPPD(U8(0x00), zero, t, valid, valid) // a-a == 0: finite
		}
		return a, b, live, valid
	}

	// Pass 1: the range of the valid centres.
	lx, ly, hx, hy := ZMM(), ZMM(), ZMM(), ZMM()
	VBROADCASTSD(splat64("posinf64", 0x7ff0000000000000), lx)
	VMOVAPD(lx, ly)
	VBROADCASTSD(splat64("neginf64", 0xfff0000000000000), hx)
	VMOVAPD(hx, hy)
	XORQ(i, i)
	Label("kbound")
	{
		a, b, _, valid := centres("kbounddone")
		VMINPD(a, lx, valid, lx)
		VMINPD(b, ly, valid, ly)
		VMAXPD(a, hx, valid, hx)
		VMAXPD(b, hy, valid, hy)
		ADDQ(U8(8), i)
		JMP(LabelRef("kbound"))
	}
	Label("kbounddone")
	t := ZMM()
	minLanesPD(lx, t)
	minLanesPD(ly, t)
	maxLanesPD(hx, t)
	maxLanesPD(hy, t)
	sx, sy := ZMM(), ZMM()
	VBROADCASTSD(splat64("morton255", math.Float64bits(255.99)), sx)
	VMOVAPD(sx, sy)
	VSUBPD(lx, hx, t)
	VDIVPD(t, sx, sx) // 255.99/(hx-lx)
	VSUBPD(ly, hy, t)
	VDIVPD(t, sy, sy)

	// Pass 2: the keys of the live boxes.
	cap255, mk := ZMM(), []VecVirtual{ZMM(), ZMM(), ZMM()}
	VBROADCASTSD(splat64("two55", math.Float64bits(255)), cap255)
	for j, c := range []uint32{0x0f0f, 0x3333, 0x5555} {
		VPBROADCASTD(table[uint32](fmt.Sprintf("morton%d", j), c), mk[j].AsY())
	}
	iq, eight := ZMM(), ZMM()
	VPMOVZXBQ(table[uint8]("iota8b", 0, 1, 2, 3, 4, 5, 6, 7), iq)
	VPBROADCASTQ(splat64("eightq", 8), eight)
	w := GP64()
	XORQ(w, w)
	XORQ(i, i)
	Label("kcode")
	{
		a, b, live, valid := centres("kdone")
		var spr [2]VecVirtual
		for h, p := range [][3]VecVirtual{{a, lx, sx}, {b, ly, sy}} {
			u := p[0]
			VSUBPD(p[1], u, u)
			VMULPD(p[2], u, u) // (a-lx)*sx
			pos := K()
			VCMPPD(U8(0x1e), zero, u, pos) // u > 0 (not NaN)
			VMINPD(cap255, u, u)
			x := YMM()
			VCVTTPD2DQ(u, x)
			VMOVDQA32_Z(x, pos, x)
			for j, sh := range []uint8{4, 2, 1} {
				y := YMM()
				VPSLLD(U8(sh), x, y)
				VPORD(y, x, x)
				VPANDD(mk[j].AsY(), x, x)
			}
			spr[h] = x
		}
		code := spr[0]
		VPSLLD(U8(1), spr[1], spr[1])
		VPORD(spr[1], code, code)
		bad := K()
		KNOTB(valid, bad)
		VPBROADCASTD(table[uint32]("morton16", 1<<16), bad, code)
		key := ZMM()
		VPMOVZXDQ(code, key)
		VPSLLQ(U8(32), key, key)
		VPORQ(iq, key, key)
		VPCOMPRESSQ_Z(key, live, key)
		c := GP64()
		KMOVB(live, c.As32())
		POPCNTL(c.As32(), c.As32())
		out := kFirst(8, c, kOpt{})
		VMOVDQU64(key, out, Mem{Base: kp, Index: w, Scale: 8})
		ADDQ(c, w)
		VPADDQ(eight, iq, iq)
		ADDQ(U8(8), i)
		JMP(LabelRef("kcode"))
	}
	Label("kdone")
	Store(w, ReturnIndex(0))
	VZEROUPPER()
	RET()
}

// minLanesPD sets every lane of m to the least of its lanes (t is
// scratch).
func minLanesPD(m, t VecVirtual) {
	for _, imm := range []uint8{0x4e, 0xb1} {
		VSHUFF64X2(U8(imm), m, m, t)
		VMINPD(t, m, m)
	}
	VPERMILPD(U8(0x55), m, t)
	VMINPD(t, m, m)
}

// softPlace emits softPlaceAVX512: softList.loadSpatial's load of the
// boxes in the sorted keys' order, 8 at a time (gathers of the x1, y1 and
// x2, y2 pairs and of the scores), with the first best score.
func softPlace() {
	TEXT("softPlaceAVX512", NOSPLIT, "func(order []uint64, boxes, scores []float32, one float64, x1, y1, x2, y2, area, score []float64, idx []int32, key []int64) int")
	Pragma("noescape")
	Doc("softPlaceAVX512 loads candidate p of the list from box i = uint32(order[p]), for p < len(order): x1, y1, x2+one,",
		"y2+one (all +Inf, area 0, if a coordinate is NaN), area max(0, x2-x1)*max(0, y2-y1), score, idx = i, key = i<<32 | 8p;",
		"it returns the position of the largest score of least i (-1 if none).")
	op, bp, sp := ptr("order"), ptr("boxes"), ptr("scores")
	n := Load(Param("order").Len(), GP64()).(GPVirtual)
	one, zero, inf := ZMM(), ZMM(), ZMM()
	{
		x := Load(Param("one"), XMM())
		VBROADCASTSD(x, one)
	}
	VXORPD(zero, zero, zero)
	VBROADCASTSD(splat64("posinf64", 0x7ff0000000000000), inf)
	bestS, bestK, off, eight := ZMM(), ZMM(), ZMM(), ZMM()
	VBROADCASTSD(splat64("neginf64", 0xfff0000000000000), bestS)
	VPBROADCASTQ(splat64("nokeyq", uint64(0x7ffffffffffffff8)), bestK)
	VPMOVZXBQ(iotaB8(), off) // 8p of the 8 lanes
	VPBROADCASTQ(splat64("sixtyfourq1", 64), eight)
	p := GP64()
	XORQ(p, p)
	Label("ploop")
	left, m := GP64(), GP64()
	MOVQ(n, left)
	SUBQ(p, left)
	JBE(LabelRef("pdone"))
	cap8 := GP64()
	MOVQ(U32(8), cap8)
	CMPQ(left, cap8)
	CMOVQHI(cap8, left) // BZHI reads the index's low byte only
	lanes := kFirst(8, left, kOpt{t: m})
	ky, iy, i2 := ZMM(), YMM(), YMM()
	VMOVDQU64_Z(Mem{Base: op, Index: p, Scale: 8}, lanes, ky)
	VPMOVQD(ky, iy) // i
	VPADDD(iy, iy, i2)
	var pr [2]VecVirtual // x1 | y1<<32 and x2 | y2<<32
	for h := range pr {
		g := K()
		KMOVB(lanes, g)
		pr[h] = ZMM()
		VPXORQ(pr[h], pr[h], pr[h])
		VPGATHERDQ(Mem{Base: bp, Index: i2, Scale: 8, Disp: 8 * h}, g, pr[h])
	}
	s := YMM()
	{
		g := K()
		KMOVB(lanes, g)
		VXORPS(s, s, s)
		VGATHERDPS(Mem{Base: sp, Index: iy, Scale: 4}, g, s)
	}
	c := [4]VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
	for h, v := range pr {
		lo, hi, t := YMM(), YMM(), ZMM()
		VPMOVQD(v, lo)
		VPSRLQ(U8(32), v, t)
		VPMOVQD(t, hi)
		VCVTPS2PD(lo, c[2*h])
		VCVTPS2PD(hi, c[2*h+1])
	}
	x1, y1, x2, y2 := c[0], c[1], c[2], c[3]
	VADDPD(one, x2, x2)
	VADDPD(one, y2, y2)
	// area: Go's max(0, d): +0 for -0, its NaN (0x7ff8...) for inf-inf
	var d [2]VecVirtual
	for h, q := range [][2]VecVirtual{{x1, x2}, {y1, y2}} {
		d[h] = ZMM()
		nan := K()
		VSUBPD(q[0], q[1], d[h])
		VCMPPD(U8(3), d[h], d[h], nan) // UNORD
		t := ZMM()
		VMAXPD(zero, d[h], t) // d > 0 ? d : +0
		VBROADCASTSD(splat64("nan64", 0x7ff8000000000000), nan, t)
		d[h] = t
	}
	ar := ZMM()
	VMULPD(d[1], d[0], ar)
	bad := K() // a NaN coordinate (x2, y2 with one: NaN still)
	VCMPPD(U8(3), x1, y1, bad)
	kb := K()
	VCMPPD(U8(3), x2, y2, kb)
	KORB(kb, bad, bad)
	for _, v := range []VecVirtual{x1, y1, x2, y2} {
		VMOVAPD(inf, bad, v)
	}
	VMOVAPD(zero, bad, ar)
	for a, v := range []VecVirtual{x1, y1, x2, y2, ar} {
		b := ptr([]string{"x1", "y1", "x2", "y2", "area"}[a])
		VMOVUPD(v, lanes, Mem{Base: b, Index: p, Scale: 8})
	}
	sd := ZMM()
	VCVTPS2PD(s, sd)
	VMOVUPD(sd, lanes, Mem{Base: ptr("score"), Index: p, Scale: 8})
	VMOVDQU32(iy, lanes, Mem{Base: ptr("idx"), Index: p, Scale: 4})
	k := ZMM()
	VPMOVZXDQ(iy, k)
	VPSLLQ(U8(32), k, k)
	VPORQ(off, k, k)
	VMOVDQU64(k, lanes, Mem{Base: ptr("key"), Index: p, Scale: 8})
	// The running best per lane: larger score, or equal and lesser key.
	up, eq, lt := K(), K(), K()
	VCMPPD(U8(0x1e), bestS, sd, lanes, up)
	VCMPPD(U8(0x00), bestS, sd, lanes, eq)
	VPCMPQ(U8(1), bestK, k, eq, lt)
	KORB(lt, up, up)
	VMOVAPD(sd, up, bestS)
	VMOVDQA64(k, up, bestK)
	VPADDQ(eight, off, off)
	ADDQ(U8(8), p)
	JMP(LabelRef("ploop"))
	Label("pdone")
	mx, t := ZMM(), ZMM()
	VMOVAPD(bestS, mx)
	maxLanesPD(mx, t)
	ne := K()
	VCMPPD(U8(0x04), mx, bestS, ne) // NEQ: lanes without the max
	VPBROADCASTQ(splat64("maxint64", 1<<63-1), ne, bestK)
	minLanesQ(bestK, t)
	r := GP64()
	VMOVQ(bestK.AsX(), r)
	MOVLQSX(r.As32(), r) // 8p, -8 if none
	SARQ(U8(3), r)
	Store(r, ReturnIndex(0))
	VZEROUPPER()
	RET()
}
