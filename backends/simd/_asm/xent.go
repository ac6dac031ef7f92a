package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The cross-entropy primitive (KERNELS.md 5.5): log-sum-exp of a row in
// one pass with a per-lane online reference. Its meaning is lseGo in
// twins_xent.go.

// Block geometry of lse: a block is xentBlock vectors (2 KB, in L1 when it
// is redone), summed into xentAcc accumulators.
const (
	xentBlock = 32
	xentAcc   = 4
	// xentSlack: a block is redone against a raised reference only when
	// one of its values exceeds its lane's reference by more than this
	// (terms stay below e^16, their sum far from float32's range).
	xentSlack = 16
	// xentPrefetch: each vector's line is prefetched (PREFETCHT0) this many
	// bytes ahead. The exp pass is too slow a consumer for the hardware
	// prefetchers: without it a DRAM-resident row streamed at 16 GB/s, with
	// it 37-40 GB/s, near the read probe (2, 4, 8, 32 and 64 KB ahead: 29,
	// 32, 37, 37 and 32 GB/s; one thread, Zen 5).
	xentPrefetch = 16384
)

// xentPoly is a degree-5 polynomial of e^r on [-ln2/2, ln2/2]: the
// minimax one for relative error (Remez, rounded to float32; c0 first)
// with c0 set to exactly 1, so exp(0) = 1 as in every exact range-reduced
// exp (the exp32 probe's check counts on it); relative error about 1.8e-7
// (1.3e-7 with the optimal c0), against the 2^-23 of expPoly's degree-7
// Cephes form; the loss tolerance (1e-5 relative on the sum) leaves room
// for it.
var xentPoly = [6]float32{1, 0.9999997019767761, 0.49998894333839417,
	0.16667574644088745, 0.04191538318991661, 0.008297654800117016}

// xentExp holds lse's exp constants in registers.
type xentExp struct {
	lo, log2e, ln2 VecVirtual
	c              [6]VecVirtual
}

func xentExpSetup() xentExp {
	var k xentExp
	k.lo = avx512.bcast(splatF("explo", -87))
	k.log2e = avx512.bcast(splatF("log2e", float32(math.Log2E)))
	k.ln2 = avx512.bcast(splatF("xent_ln2", float32(math.Ln2)))
	for i, c := range xentPoly {
		k.c[i] = avx512.bcast(splatF("xent_c"+string(rune('0'+i)), c))
	}
	return k
}

// exp replaces t with e^t, t clamped at -87 first (NaN stays NaN): n =
// rne(t*log2(e)), r = t - n*ln2 (one FMA, ln2 rounded to float32: the error
// n*2e-9 is below 3e-7 relative even at n = -126), e^r by Horner, times 2^n
// (VSCALEFPS).
func (k xentExp) exp(t VecVirtual) {
	VMAXPS(t, k.lo, t)
	n := ZMM()
	VMULPS(k.log2e, t, n)
	VRNDSCALEPS(U8(0), n, n)
	VFNMADD231PS(k.ln2, n, t)
	p := ZMM()
	VMOVAPS(k.c[5], p)
	for i := 4; i >= 0; i-- {
		VFMADD213PS(k.c[i], t, p)
	}
	VSCALEFPS(n, p, t)
}

// xent emits lseAVX512.
func xent() { xentFn("lseAVX512", xentPrefetch) }

func xentFn(name string, pf int) {
	v := avx512
	TEXT(name, NOSPLIT, "func(x []float32) (m, s float32)")
	Pragma("noescape")
	Doc("lseAVX512 returns m and s with log Σ exp(x[i]) = m + log(s) in one pass over x (AVX-512):",
		"each lane keeps a reference m_l (starting at max(x[l], -MaxFloat32) for the first vector)",
		"and a sum of exp(x - m_l); a block of 32 vectors whose values exceed m_l + 16 in some lane",
		"is summed again after m_l is raised to the block's max and the lane's sums are scaled by",
		"exp(m_old - m_new). At the end m = max m_l and s = Σ_l sum_l*exp(m_l - m). The exp is",
		"the degree-5 one of xent.go (arguments clamped at -87, NaN propagates). A row whose",
		"values are all -Inf (or -MaxFloat32) returns m = -MaxFloat32; +Inf gives s = NaN.")
	x := ptr("x")
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	k := xentExpSetup()
	floor := v.bcast(splatF("negmaxf", -math.MaxFloat32))
	slack := v.bcast(splatF("xent_slack", xentSlack))
	m := ZMM()
	VMOVAPS(floor, m)
	acc := make([]VecVirtual, xentAcc)
	saved := make([]VecVirtual, xentAcc)
	for i := range acc {
		acc[i] = ZMM()
		zero(acc[i])
		saved[i] = ZMM()
	}
	mt := ZMM()
	bmax := []VecVirtual{ZMM(), ZMM()}

	// rescale: m_new = max(m, bmax[0]) (NaN in bmax does not win), the
	// sums times exp(m - m_new), m = m_new, mt = m + slack.
	rescale := func() {
		mn := ZMM()
		VMAXPS(m, bmax[0], mn)
		f := ZMM()
		VSUBPS(mn, m, f)
		k.exp(f)
		for _, a := range acc {
			VMULPS(f, a, a)
		}
		VMOVAPS(mn, m)
		VADDPS(slack, m, mt)
	}

	// The first vector sets the references.
	CMPQ(n, U32(v.lanes))
	JB(LabelRef("rest"))
	VMAXPS(Mem{Base: x}, m, m)
	VADDPS(slack, m, mt)

	Label("block")
	CMPQ(n, U32(xentBlock*v.lanes))
	JB(LabelRef("rest"))
	for i := range acc {
		VMOVAPS(acc[i], saved[i])
	}
	for i := 0; i < xentBlock; i++ {
		t := ZMM()
		VMOVUPS(Mem{Base: x, Disp: i * v.bytes()}, t)
		if pf > 0 {
			PREFETCHT0(Mem{Base: x, Disp: pf + i*v.bytes()})
		}
		if i < len(bmax) {
			VMOVAPS(t, bmax[i])
		} else {
			VMAXPS(t, bmax[i%len(bmax)], bmax[i%len(bmax)])
		}
		VSUBPS(m, t, t)
		k.exp(t)
		VADDPS(t, acc[i%len(acc)], acc[i%len(acc)])
	}
	VMAXPS(bmax[1], bmax[0], bmax[0])
	kk := K()
	VCMPPS(U8(0x1e), mt, bmax[0], kk) // GT_OQ: bmax > m + slack
	KORTESTW(kk, kk)
	JNZ(LabelRef("redo"))
	ADDQ(U32(xentBlock*v.bytes()), x)
	SUBQ(U32(xentBlock*v.lanes), n)
	JMP(LabelRef("block"))

	Label("redo")
	for i := range acc {
		VMOVAPS(saved[i], acc[i])
	}
	rescale()
	JMP(LabelRef("block"))

	// rest: fewer than a block's elements; their max first (masked-out
	// lanes -Inf), one rescale, then their sum.
	Label("rest")
	ninf := v.bcast(splat("neginf", 0xff800000))
	VMOVAPS(ninf, bmax[0])
	p, c := GP64(), GP64()
	MOVQ(x, p)
	MOVQ(n, c)
	Label("rmax")
	CMPQ(c, U32(v.lanes))
	JB(LabelRef("rmaxtail"))
	VMAXPS(Mem{Base: p}, bmax[0], bmax[0])
	ADDQ(U32(v.bytes()), p)
	SUBQ(U32(v.lanes), c)
	JMP(LabelRef("rmax"))
	Label("rmaxtail")
	tk := kFirst(16, c, kOpt{})
	t := ZMM()
	VMOVAPS(ninf, t)
	VMOVUPS(Mem{Base: p}, tk, t)
	VMAXPS(t, bmax[0], bmax[0])
	rescale()

	Label("rsum")
	CMPQ(n, U32(v.lanes))
	JB(LabelRef("rsumtail"))
	t = ZMM()
	VMOVUPS(Mem{Base: x}, t)
	VSUBPS(m, t, t)
	k.exp(t)
	VADDPS(t, acc[0], acc[0])
	ADDQ(U32(v.bytes()), x)
	SUBQ(U32(v.lanes), n)
	JMP(LabelRef("rsum"))
	Label("rsumtail")
	TESTQ(n, n)
	JZ(LabelRef("fold"))
	t = ZMM()
	VMOVUPS_Z(Mem{Base: x}, tk, t)
	VSUBPS(m, t, t)
	k.exp(t)
	VADDPS(t, acc[0], tk, acc[0])

	// fold: M = max of the references, s = Σ_l sum_l*exp(m_l - M).
	Label("fold")
	for len(acc) > 1 {
		h := len(acc) / 2
		for i := 0; i < h; i++ {
			VADDPS(acc[i+h], acc[i], acc[i])
		}
		acc = acc[:h]
	}
	mm := ZMM()
	VMOVAPS(m, mm)
	v.hreduce(mm, vmaxps)
	VBROADCASTSS(mm.AsX(), mm)
	f := ZMM()
	VSUBPS(mm, m, f)
	k.exp(f)
	VMULPS(f, acc[0], acc[0])
	v.hreduce(acc[0], vaddps)
	VZEROUPPER() // see rows.go
	Store(mm.AsX(), ReturnIndex(0))
	Store(acc[0].AsX(), ReturnIndex(1))
	RET()
}
