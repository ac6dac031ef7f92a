package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The fused quantizer of gemm_w8a8 (KERNELS.md 3.1), AVX-512: the row's
// largest magnitude as bits (so NaN and Inf show as >= 0x7F800000), then
// q = clamp(rne(x*inv), -127, 127) with the default MXCSR rounding (RNE).
func quant() {
	TEXT("absMaxBitsAVX512", NOSPLIT, "func(x []float32) uint32")
	Pragma("noescape")
	Doc("absMaxBitsAVX512 returns max over x of math.Float32bits(x[i]) & 0x7FFFFFFF (0 for an empty x):",
		"the bits of the largest magnitude, at least 0x7F800000 when x holds a NaN or an Inf.")
	{
		v := avx512
		x := ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		abs := v.bcast(splat("absmask", 0x7fffffff))
		acc := []VecVirtual{ZMM(), ZMM()}
		for _, a := range acc {
			VPXORD(a, a, a)
		}
		loop(v, n, []GPVirtual{x}, nil, 2, func(l lane, i int) {
			t := l.load(Mem{Base: x, Disp: i * v.bytes()})
			VPANDD(abs, t, t)
			VPMAXUD(t, acc[i%2], acc[i%2])
		})
		VPMAXUD(acc[1], acc[0], acc[0])
		hi := YMM()
		VEXTRACTI64X4(U8(1), acc[0], hi)
		y, x0 := acc[0].AsY(), acc[0].AsX()
		VPMAXUD(hi, y, y)
		hx := XMM()
		VEXTRACTI128(U8(1), y, hx)
		VPMAXUD(hx, x0, x0)
		VPSHUFD(U8(0x4e), x0, hx)
		VPMAXUD(hx, x0, x0)
		VPSHUFD(U8(0xb1), x0, hx)
		VPMAXUD(hx, x0, x0)
		r := GP32()
		VMOVD(x0, r)
		Store(r, ReturnIndex(0))
		VZEROUPPER()
		RET()
	}

	quantI8("quantI8AVX512", false)
	quantI8("quantI8NTAVX512", true)
}

// rqCodes emits repquant_ln_linear's per-tensor quantizer of one LN row
// (rqCodesGo's meaning; the Go loop took 7-12% of the full shapes): one
// vector of elements per step, then a masked tail (AVX-512) or one element
// at a time (AVX2).
func rqCodes(v variant) {
	name := "rqCodes" + v.name
	TEXT(name, NOSPLIT, "func(q []byte, xh []float32, t []float32, inv, lo, hi, dt float32, zt, qmax int32)")
	Pragma("noescape")
	Doc(name+" sets, over len(t), c = clamp(rne(clamp(t[i]*inv, lo, hi)) + zt, 0, qmax),",
		"q[i] = byte(c) and xh[i] = float32(c-zt)*dt (the float clamp keeps the conversion exact).")
	q, xh, t := ptr("q"), ptr("xh"), ptr("t")
	n := Load(Param("t").Len(), GP64()).(GPVirtual)
	inv, lo, hi, dt := v.scalarArg("inv"), v.scalarArg("lo"), v.scalarArg("hi"), v.scalarArg("dt")
	zt, qmax := v.scalarArg("zt"), v.scalarArg("qmax") // int32 lanes
	zero := v.vec()
	VPXOR(zero.AsY(), zero.AsY(), zero.AsY())
	// step computes the codes of u in place and the floats in f (x: the
	// low 128 bits of every operand).
	step := func(u, f VecVirtual, x bool) {
		c := func(r VecVirtual) Op {
			if x {
				return r.AsX()
			}
			return r
		}
		VMULPS(c(u), c(inv), c(u))
		VMAXPS(c(lo), c(u), c(u))
		VMINPS(c(hi), c(u), c(u))
		VCVTPS2DQ(c(u), c(u))
		VPADDD(c(zt), c(u), c(u))
		VPMAXSD(c(zero), c(u), c(u))
		VPMINSD(c(qmax), c(u), c(u))
		VPSUBD(c(zt), c(u), c(f))
		VCVTDQ2PS(c(f), c(f))
		VMULPS(c(dt), c(f), c(f))
	}
	w := v.lanes
	u, f := v.vec(), v.vec()
	Label("loop")
	CMPQ(n, U8(w))
	JB(LabelRef("tail"))
	VMOVUPS(Mem{Base: t}, u)
	step(u, f, false)
	if v.z {
		VPMOVDB(u, Mem{Base: q})
	} else {
		// 8 codes in 0..255 to bytes: the unsigned saturating packs are exact.
		h := XMM()
		VEXTRACTI128(U8(1), u, h)
		VPACKUSDW(h, u.AsX(), h)
		VPACKUSWB(h, h, h)
		VMOVQ(h, Mem{Base: q})
	}
	VMOVUPS(f, Mem{Base: xh})
	ADDQ(U8(4*w), t)
	ADDQ(U8(4*w), xh)
	ADDQ(U8(w), q)
	SUBQ(U8(w), n)
	JMP(LabelRef("loop"))
	Label("tail")
	TESTQ(n, n)
	JZ(LabelRef("done"))
	if v.z {
		k := kFirst(w, n, kOpt{})
		VMOVUPS_Z(Mem{Base: t}, k, u)
		step(u, f, false)
		VPMOVDB(u, k, Mem{Base: q})
		VMOVUPS(f, k, Mem{Base: xh})
	} else {
		VMOVSS(Mem{Base: t}, u.AsX())
		step(u, f, true)
		c := GP32()
		VMOVD(u.AsX(), c)
		MOVB(c.As8(), Mem{Base: q})
		VMOVSS(f.AsX(), Mem{Base: xh})
		ADDQ(U8(4), t)
		ADDQ(U8(4), xh)
		INCQ(q)
		DECQ(n)
		JMP(LabelRef("tail"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// quantI8 emits the AVX-512 int8 quantizer (nt: streaming 64-byte stores).
func quantI8(name string, nt bool) {
	TEXT(name, NOSPLIT, "func(q []int8, x []float32, inv float32)")
	Pragma("noescape")
	Doc(name+" sets q[i] = int8(clamp(rne(x[i]*inv), -127, 127)) over len(x) (x finite).",
		"64 codes per step (one 64-byte store), then 16, then a masked tail. The step prefetches the",
		"len(x) elements after x (the next row of a row-major matrix, whose absMaxBits then reads L1).")
	if nt {
		Doc("NT: the 64-byte stores are non-temporal: q must be 64-byte aligned; the caller runs sfence.")
	}
	{
		v := avx512
		q, x := ptr("q"), ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		inv := v.scalarArg("inv")
		lo, hi := v.bcast(splatF("m127", -127)), v.bcast(splatF("p127", 127))
		ahead := GP64()
		MOVQ(n, ahead)
		SHLQ(U8(2), ahead)
		perm := ZMM()
		VMOVDQU32(w4Perm(), perm)
		Label("loop64")
		CMPQ(n, U8(64))
		JB(LabelRef("loop"))
		// The codes of 4 vectors packed with signed saturation (exact:
		// they are clamped already) into one 64-byte store; the packs
		// interleave 128-bit lanes (dword 4i+j holds elements 16j+4i..+3),
		// which one dword permute undoes.
		ts := []VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
		for i, t := range ts {
			// The next row, all of it here: splitting its lines with
			// absMaxBits measured 0.9x at 512x4096 (cold and warm) and
			// 0.91x at 2048x4096 (nbench, 3 alternations).
			PREFETCHT0(Mem{Base: x, Index: ahead, Scale: 1, Disp: 64 * i})
			VMULPS(Mem{Base: x, Disp: 64 * i}, inv, t)
			VMAXPS(lo, t, t)
			VMINPS(hi, t, t)
			VCVTPS2DQ(t, t)
		}
		VPACKSSDW(ts[1], ts[0], ts[0])
		VPACKSSDW(ts[3], ts[2], ts[2])
		VPACKSSWB(ts[2], ts[0], ts[0])
		VPERMD(ts[0], perm, ts[0])
		if nt {
			VMOVNTDQ(ts[0], Mem{Base: q})
		} else {
			VMOVDQU32(ts[0], Mem{Base: q})
		}
		ADDQ(U32(256), x)
		ADDQ(U8(64), q)
		SUBQ(U8(64), n)
		JMP(LabelRef("loop64"))
		Label("loop")
		CMPQ(n, U8(16))
		JB(LabelRef("tail"))
		t := ZMM()
		VMULPS(Mem{Base: x}, inv, t)
		VMAXPS(lo, t, t)
		VMINPS(hi, t, t)
		VCVTPS2DQ(t, t)
		VPMOVSDB(t, Mem{Base: q})
		ADDQ(U8(64), x)
		ADDQ(U8(16), q)
		SUBQ(U8(16), n)
		JMP(LabelRef("loop"))
		Label("tail")
		TESTQ(n, n)
		JZ(LabelRef("done"))
		k := kFirst(16, n, kOpt{})
		u := ZMM()
		VMOVUPS_Z(Mem{Base: x}, k, u)
		VMULPS(u, inv, u)
		VMAXPS(lo, u, u)
		VMINPS(hi, u, u)
		VCVTPS2DQ(u, u)
		VPMOVSDB(u, k, Mem{Base: q})
		Label("done")
		VZEROUPPER()
		RET()
	}
}

// quantAVX2 is the AVX2 variant of the fused quantizer's two parts (the
// same meaning as the AVX-512 ones above, which quantize_i8 reuses too).
func quantAVX2() {
	TEXT("absMaxBitsAVX2", NOSPLIT, "func(x []float32) uint32")
	Pragma("noescape")
	Doc("absMaxBitsAVX2 returns max over x of math.Float32bits(x[i]) & 0x7FFFFFFF (0 for an empty x). (AVX2)")
	{
		v := avx2
		x := ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		abs := v.bcast(splat("absmask", 0x7fffffff))
		acc := []VecVirtual{YMM(), YMM(), YMM(), YMM()}
		for _, a := range acc {
			VPXOR(a, a, a)
		}
		// The tail's stack copy is zero padded: zeros leave the max alone.
		loop(v, n, []GPVirtual{x}, nil, 4, func(l lane, i int) {
			t := l.load(Mem{Base: x, Disp: i * v.bytes()})
			VPAND(abs, t, t)
			VPMAXUD(t, acc[i%4], acc[i%4])
		})
		VPMAXUD(acc[2], acc[0], acc[0])
		VPMAXUD(acc[3], acc[1], acc[1])
		VPMAXUD(acc[1], acc[0], acc[0])
		y, x0 := acc[0], acc[0].AsX()
		hx := XMM()
		VEXTRACTI128(U8(1), y, hx)
		VPMAXUD(hx, x0, x0)
		VPSHUFD(U8(0x4e), x0, hx)
		VPMAXUD(hx, x0, x0)
		VPSHUFD(U8(0xb1), x0, hx)
		VPMAXUD(hx, x0, x0)
		r := GP32()
		VMOVD(x0, r)
		Store(r, ReturnIndex(0))
		VZEROUPPER()
		RET()
	}

	quantI8AVX2("quantI8AVX2", false)
	quantI8AVX2("quantI8NTAVX2", true)
}

// quantI8AVX2 emits the AVX2 int8 quantizer (nt: streaming 32-byte stores).
func quantI8AVX2(name string, nt bool) {
	TEXT(name, NOSPLIT, "func(q []int8, x []float32, inv float32)")
	Pragma("noescape")
	Doc(name+" sets q[i] = int8(clamp(rne(x[i]*inv), -127, 127)) over len(x) (x finite). (AVX2)",
		"32 codes per step (two saturating packs, exact after the clamp, and a dword permute back to",
		"element order), then 8, then one at a time. The 32-code step prefetches the len(x) elements",
		"after x (the next row of a row-major matrix, whose absMaxBits then reads L1), as the AVX-512 form.")
	if nt {
		Doc("NT: the 32-byte stores are non-temporal: q must be 32-byte aligned; the caller runs sfence.")
	}
	{
		v := avx2
		q, x := ptr("q"), ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		inv := v.scalarArg("inv")
		ahead := GP64()
		MOVQ(n, ahead)
		SHLQ(U8(2), ahead)
		lo, hi := v.bcast(splatF("m127", -127)), v.bcast(splatF("p127", 127))
		perm := YMM()
		VMOVDQU(packPerm(), perm)
		code := func(m Mem) VecVirtual {
			t := YMM()
			VMULPS(m, inv, t)
			VMAXPS(lo, t, t)
			VMINPS(hi, t, t)
			VCVTPS2DQ(t, t)
			return t
		}
		Label("loop32")
		CMPQ(n, U8(32))
		JB(LabelRef("loop8"))
		var c [4]VecVirtual
		for i := range c {
			if i%2 == 0 {
				PREFETCHT0(Mem{Base: x, Index: ahead, Scale: 1, Disp: 32 * i})
			}
			c[i] = code(Mem{Base: x, Disp: 32 * i})
		}
		VPACKSSDW(c[1], c[0], c[0]) // a0-3 b0-3 | a4-7 b4-7 (words)
		VPACKSSDW(c[3], c[2], c[2])
		VPACKSSWB(c[2], c[0], c[0]) // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7 (bytes)
		VPERMD(c[0], perm, c[0])
		if nt {
			VMOVNTDQ(c[0], Mem{Base: q})
		} else {
			VMOVDQU(c[0], Mem{Base: q})
		}
		ADDQ(U8(128), x)
		ADDQ(U8(32), q)
		SUBQ(U8(32), n)
		JMP(LabelRef("loop32"))

		Label("loop8")
		CMPQ(n, U8(8))
		JB(LabelRef("loop1"))
		t := code(Mem{Base: x})
		h := XMM()
		VEXTRACTI128(U8(1), t, h)
		VPACKSSDW(h, t.AsX(), t.AsX())
		VPACKSSWB(t.AsX(), t.AsX(), t.AsX())
		VMOVQ(t.AsX(), Mem{Base: q})
		ADDQ(U8(32), x)
		ADDQ(U8(8), q)
		SUBQ(U8(8), n)
		JMP(LabelRef("loop8"))

		Label("loop1")
		TESTQ(n, n)
		JZ(LabelRef("done"))
		s := XMM()
		VMULSS(Mem{Base: x}, inv.AsX(), s)
		VMAXSS(lo.AsX(), s, s)
		VMINSS(hi.AsX(), s, s)
		r := GP32()
		VCVTSS2SI(s, r) // MXCSR rounding: nearest even
		MOVB(r.As8(), Mem{Base: q})
		ADDQ(U8(4), x)
		INCQ(q)
		DECQ(n)
		JMP(LabelRef("loop1"))
		Label("done")
		VZEROUPPER()
		RET()
	}
}

// packPerm is the VPERMD index that undoes the lane interleaving of
// VPACKSSDW + VPACKSSWB on ymm: dwords 0,4,1,5,2,6,3,7.
func packPerm() Mem { return table[uint32]("packperm", 0, 4, 1, 5, 2, 6, 3, 7) }

// quantW4 is the vector part of quantize_w4g (KERNELS.md 3.2), AVX-512:
// the range of each group as order keys (w4Params turns them into the
// scale and zero point with the pure-Go float32 arithmetic), and the
// codes of a row, packed two per byte.
func quantW4() {
	w4Range("w4RangeAVX512")
	w4Pack("w4PackAVX512")
	w4NT = true
	w4Pack("w4PackNTAVX512")
	w4NT = false
	w4Params()
}

// w4NT: the 64-element steps store non-temporally (w4PackNTAVX512).
var w4NT bool

// w4Range emits the range pass: per group, float min and max from 0 and
// a sum of w*0 that is NaN exactly when the group holds NaN or Inf (three
// vector operations per vector; integer order keys took five). The DRAM
// reads of the next row are prefetched into L2 half here (even lines)
// and half in the pack pass (odd lines), so they go on during both
// (measured: 1.04x over prefetching the whole row here; no prefetch
// 0.85-0.89x, two rows ahead 0.85-0.98x).
func w4Range(name string) {
	TEXT(name, NOSPLIT, "func(r []int32, w []float32, gs int)")
	Pragma("noescape")
	Doc(name+" sets, for each group i of gs elements of w (len(w)/gs groups), r[2i] and r[2i+1]",
		"to the order keys (key(v) = b ^ ((b>>31) & 0x7FFFFFFF), b = int32(Float32bits(v))) of",
		"min(0, min w) and max(0, max w) as floats (so a zero may come out as either sign), or, for",
		"a group holding NaN or Inf, to key(-Inf) and 0x7FC00000. It prefetches the len(w) elements",
		"after w into L2 (the next row of a row-major matrix: its DRAM reads overlap this row's",
		"work). (AVX-512)")
	{
		v := avx512
		r, w := ptr("r"), ptr("w")
		ng := Load(Param("w").Len(), GP64()).(GPVirtual)
		g := Load(Param("gs"), GP64()).(GPVirtual)
		ahead := GP64()
		MOVQ(ng, ahead)
		SHLQ(U8(2), ahead)
		XORQ(RDX, RDX)
		MOVQ(ng, RAX)
		DIVQ(g) // RAX = groups
		MOVQ(RAX, ng)
		m7 := v.bcast(splat("absmask", 0x7fffffff))
		zv := ZMM()
		VPXORD(zv, zv, zv)
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		// lo, hi: float min and max from 0; na: sums of w*0 (NaN iff the
		// group holds NaN or Inf), two chains.
		lo, hi := ZMM(), ZMM()
		na := []VecVirtual{ZMM(), ZMM()}
		for _, a := range append([]VecVirtual{lo, hi}, na...) {
			VPXORD(a, a, a)
		}
		p, n := GP64(), GP64()
		MOVQ(w, p)
		MOVQ(g, n)
		loop(v, n, []GPVirtual{p}, nil, 2, func(l lane, i int) {
			if !l.tail && i%2 == 0 { // even lines (the pack pass takes the odd ones)
				PREFETCHT1(Mem{Base: p, Index: ahead, Scale: 1, Disp: i * v.bytes()})
			}
			t := l.load(Mem{Base: p, Disp: i * v.bytes()}) // zero past the tail
			VMINPS(t, lo, lo)
			VMAXPS(t, hi, hi)
			VFMADD231PS(zv, t, na[i%2])
		})
		VADDPS(na[1], na[0], na[0])
		kb := K()
		VCMPPS(U8(3), na[0], na[0], kb) // UNORD_Q
		KORTESTW(kb, kb)
		JNZ(LabelRef("bad"))
		v.hreduce(lo, func(a, b, c Op) { VMINPS(a, b, c) })
		v.hreduce(hi, func(a, b, c Op) { VMAXPS(a, b, c) })
		for j, x := range []VecVirtual{lo, hi} {
			x0, t := x.AsX(), XMM()
			VPSRAD(U8(31), x0, t)
			VPANDD(m7.AsX(), t, t)
			VPXORD(t, x0, x0)
			VMOVD(x0, Mem{Base: r, Disp: 4 * j})
		}
		Label("next")
		ADDQ(U8(8), r)
		LEAQ(Mem{Base: w, Index: g, Scale: 4}, w)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
		Label("bad")
		MOVL(U32(0x807FFFFF), Mem{Base: r})
		MOVL(U32(0x7FC00000), Mem{Base: r, Disp: 4})
		JMP(LabelRef("next"))
	}

}

// w4Perm is the dword permutation that undoes the lane interleaving of
// two levels of packs over 4 vectors: dword 4(d%4) + d/4 to d.
func w4Perm() Mem {
	var perm [16]uint32
	for d := range perm {
		perm[d] = uint32(4*(d%4) + d/4)
	}
	return table("w4perm", perm[:]...)
}

func w4Pack(name string) {
	TEXT(name, NOSPLIT, "func(qp []byte, w []float32, inv []float32, z []int32, gs int)")
	Pragma("noescape")
	Doc(name+" quantizes len(w)/gs groups of gs (even) elements of w: with c = clamp(rne(w*inv[i]) + z[i], 0, 15)",
		"for group i, qp[j] = c[2j] | c[2j+1]<<4 over the len(w)/2 pairs (64 elements per step, then 16, then",
		"the tail). It prefetches the odd cache lines of the len(w) elements after w into L2 (w4RangeAVX512",
		"takes the even ones). (AVX-512)")
	if w4NT {
		Doc("NT: the 32-byte stores of the 64-element steps are non-temporal: qp must be 32-byte aligned",
			"and gs a multiple of 64; the caller runs sfence.")
	}
	{
		v := avx512
		qp, w, ip, zp := ptr("qp"), ptr("w"), ptr("inv"), ptr("z")
		ng := Load(Param("w").Len(), GP64()).(GPVirtual)
		g := Load(Param("gs"), GP64()).(GPVirtual)
		ahead := GP64()
		MOVQ(ng, ahead)
		SHLQ(U8(2), ahead)
		XORQ(RDX, RDX)
		MOVQ(ng, RAX)
		DIVQ(g)
		MOVQ(RAX, ng)
		fifteen := v.bcast(splat("nib", 15))
		fifteenB := v.bcast(splat("nib8", 0x0F0F0F0F))
		zero := ZMM()
		VPXORD(zero, zero, zero)
		pm := w4Perm()
		perm := ZMM()
		VMOVDQU32(pm, perm)
		// Tail masks: g%16 elements, (g%16)/2 code bytes.
		tk, tb := K(), K()
		{
			t, ones := GP64(), GP64()
			MOVQ(g, t)
			ANDQ(U8(15), t)
			kFirst(16, t, kOpt{t: ones}, tk)
			SHRQ(U8(1), t)
			kFirst(16, t, kOpt{t: ones}, tb)
		}
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		inv, zz := ZMM(), ZMM()
		VBROADCASTSS(Mem{Base: ip}, inv)
		VPBROADCASTD(Mem{Base: zp}, zz)
		n := GP64()
		MOVQ(g, n)
		codes := func(t VecVirtual) {
			VCVTPS2DQ(t, t)
			VPADDD(zz, t, t)
			VPMAXSD(zero, t, t)
			VPMINSD(fifteen, t, t)
			u := ZMM()
			VPSRLQ(U8(28), t, u) // the odd code, 4 bits above the even one
			VPORQ(u, t, t)
		}
		// 64 elements per step: the int32 codes packed to bytes with signed
		// saturation (which keeps clamp's result), clamped once, put back
		// in order (the packs interleave 128-bit lanes: dword 4i+j holds
		// elements 16j+4i..+3) and paired into nibbles.
		Label("big")
		CMPQ(n, U8(64))
		JB(LabelRef("full"))
		{
			ts := []VecVirtual{ZMM(), ZMM(), ZMM(), ZMM()}
			for j, t := range ts {
				if j%2 == 1 { // the odd lines of the next row (w4Range took the even ones)
					PREFETCHT1(Mem{Base: w, Index: ahead, Scale: 1, Disp: 64 * j})
				}
				VMULPS(Mem{Base: w, Disp: 64 * j}, inv, t)
			}
			for _, t := range ts {
				VCVTPS2DQ(t, t)
			}
			for _, t := range ts {
				VPADDD(zz, t, t)
			}
			VPACKSSDW(ts[1], ts[0], ts[0])
			VPACKSSDW(ts[3], ts[2], ts[2])
			VPACKSSWB(ts[2], ts[0], ts[0])
			b := ts[0]
			VPMAXSB(zero, b, b)
			VPMINSB(fifteenB, b, b)
			VPERMD(b, perm, b)
			u := ZMM()
			VPSRLW(U8(4), b, u)
			VPORD(u, b, b)
			o := YMM()
			VPMOVWB(b, o)
			if w4NT {
				VMOVNTDQ(o, Mem{Base: qp})
			} else {
				VMOVDQU(o, Mem{Base: qp})
			}
		}
		ADDQ(U32(256), w)
		ADDQ(U8(32), qp)
		SUBQ(U8(64), n)
		JMP(LabelRef("big"))

		Label("full")
		CMPQ(n, U8(16))
		JB(LabelRef("tail"))
		PREFETCHT1(Mem{Base: w, Index: ahead, Scale: 1}) // groups of no 64-element steps
		t := ZMM()
		VMULPS(Mem{Base: w}, inv, t)
		codes(t)
		VPMOVQB(t, Mem{Base: qp})
		ADDQ(U8(64), w)
		ADDQ(U8(8), qp)
		SUBQ(U8(16), n)
		JMP(LabelRef("full"))
		Label("tail")
		TESTQ(n, n)
		JZ(LabelRef("next"))
		u := ZMM()
		VMOVUPS_Z(Mem{Base: w}, tk, u)
		VMULPS(u, inv, u)
		codes(u)
		VPMOVQB(u, tb, Mem{Base: qp})
		LEAQ(Mem{Base: w, Index: n, Scale: 4}, w)
		SHRQ(U8(1), n)
		ADDQ(n, qp)
		Label("next")
		ADDQ(U8(4), ip)
		ADDQ(U8(4), zp)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
	}
}

// w4Params emits w4ParamsAVX512: quantize_w4g's per-group scale,
// reciprocal and zero point for 16 groups per step (the pure-Go
// backend's float32 arithmetic, W4Scale, lane by lane: IEEE division,
// VCVTPS2DQ's round to nearest even for rneInt on [0, 16)).
func w4Params() {
	TEXT("w4ParamsAVX512", NOSPLIT, "func(keys []int32, s, inv []float32, z []int32, zb []byte, sym bool)")
	Pragma("noescape")
	Doc("w4ParamsAVX512 sets, for each group i < len(s) with order keys lk = keys[2i] (of min(0, min w))",
		"and hk = keys[2i+1] (of max(0, max w)), as w4Params (package simd): s[i], inv[i], z[i] and",
		"zb[i] = byte(z[i]) from lo = fromKey(lk), hi = fromKey(hk) as pure.W4Scale; a group with NaN",
		"or Inf (hk >= 0x7F800000 or lk <= key(-Inf)) gets s NaN, inv 0, z 0. inv, z and zb hold",
		"len(s) elements, keys 2*len(s). (AVX-512)")
	kp, sp, ip, zp, bp := ptr("keys"), ptr("s"), ptr("inv"), ptr("z"), ptr("zb")
	n := Load(Param("s").Len(), GP64()).(GPVirtual)
	sy := GP64()
	{
		p, err := Param("sym").Resolve()
		if err != nil {
			panic(err)
		}
		MOVBQZX(p.Addr, sy)
	}
	idx := GLOBL("c_w4idx", RODATA|NOPTR)
	for i := 0; i < 32; i++ {
		DATA(4*i, U32(uint32(2*(i%16)+i/16)))
	}
	ones, t, t2 := GP64(), GP64(), GP64()
	MOVQ(I32(-1), ones)
	absm := ZMM()
	VMOVDQU32(splat("absmask", 0x7fffffff), absm)
	zeros := ZMM()
	VPXORD(zeros, zeros, zeros)
	Label("loop")
	TESTQ(n, n)
	JZ(LabelRef("end"))
	// Masks: km for min(n, 16) groups, k1 and k2 for their 2*min(n, 16) keys.
	MOVQ(n, t)
	CMPQ(t, U8(16))
	MOVQ(U32(16), t2)
	CMOVQGT(t2, t)
	km, k1, k2 := K(), K(), K()
	kFirst(16, t, kOpt{ones: ones, t: t2}, km)
	LEAQ(Mem{Base: t, Index: t, Scale: 1}, t2)
	kFirst(16, t2, kOpt{ones: ones, t: t2}, k1, k2)
	a, b := ZMM(), ZMM()
	VMOVDQU32_Z(Mem{Base: kp}, k1, a)
	VMOVDQU32_Z(Mem{Base: kp, Disp: 64}, k2, b)
	lk, hk := ZMM(), ZMM()
	VMOVDQU32(idx, lk)
	VPERMI2D(b, a, lk)
	VMOVDQU32(idx.Offset(64), hk)
	VPERMI2D(b, a, hk)
	// Non-finite groups.
	kb1, kb2 := K(), K()
	kneg := ZMM()
	VMOVDQU32(splat("w4kneg", 0x80800000), kneg)
	VPCMPGTD(lk, kneg, kb1)                        // key(-Inf)+1 > lk
	VPCMPGTD(splat("w4kinf", 0x7F7FFFFF), hk, kb2) // hk > key(MaxFloat32)
	KORW(kb1, kb2, kb1)
	sv, iv, zv := w4Scale(avx512, lk, hk, absm, zeros, sy)
	// Non-finite groups: s NaN, inv 0, z 0.
	VMOVUPS(splat("w4nan", 0x7FC00000), kb1, sv)
	VMOVUPS(zeros, kb1, iv)
	VMOVDQU32(zeros, kb1, zv)
	VMOVUPS(sv, km, Mem{Base: sp})
	VMOVUPS(iv, km, Mem{Base: ip})
	VMOVDQU32(zv, km, Mem{Base: zp})
	VPMOVDB(zv, km, Mem{Base: bp})
	ADDQ(U32(128), kp)
	ADDQ(U8(64), sp)
	ADDQ(U8(64), ip)
	ADDQ(U8(64), zp)
	ADDQ(U8(16), bp)
	SUBQ(t, n)
	JMP(LabelRef("loop"))
	Label("end")
	VZEROUPPER()
	RET()
}

// w4Scale emits the lane arithmetic of w4Params at either level: lo, hi
// = fromKey(lk), fromKey(hk), then s, inv and z as pure.W4Scale,
// asymmetric or (sy set) symmetric. Non-finite groups are the caller's.
func w4Scale(v variant, lk, hk, absm, zeros VecVirtual, sy GPVirtual) (sv, iv, zv VecVirtual) {
	and, xor := func(a, b, d Op) { VPAND(a, b, d) }, func(a, b, d Op) { VPXOR(a, b, d) }
	if v.z {
		and, xor = func(a, b, d Op) { VPANDD(a, b, d) }, func(a, b, d Op) { VPXORD(a, b, d) }
	}
	lo, hi := v.vec(), v.vec()
	VPSRAD(U8(31), lk, lo)
	and(absm, lo, lo)
	xor(lk, lo, lo)
	VPSRAD(U8(31), hk, hi)
	and(absm, hi, hi)
	xor(hk, hi, hi)
	sv, iv, zv = v.vec(), v.vec(), v.vec()
	nl := v.vec()
	xor(splat("signbit", 0x80000000), lo, nl) // -lo
	TESTQ(sy, sy)
	JNZ(LabelRef("sym"))
	// Asymmetric: lo = hi = 0 becomes -1, 1; s = max(hi-lo, 1e-5)/15;
	// z = clamp(rne(-lo/s), 0, 15).
	var sel func(c Op, x VecVirtual) // x = c in the groups whose lo and hi are 0
	if v.z {
		kz, kz2 := K(), K()
		VCMPPS(U8(0), zeros, lo, kz) // lo == 0 (EQ_OQ: -0 too)
		VCMPPS(U8(0), zeros, hi, kz2)
		KANDW(kz, kz2, kz)
		sel = func(c Op, x VecVirtual) { VBLENDMPS(c, x, kz, x) }
	} else {
		kz, kz2 := YMM(), YMM()
		VCMPPS(U8(0), zeros, lo, kz)
		VCMPPS(U8(0), zeros, hi, kz2)
		VANDPS(kz2, kz, kz)
		sel = func(c Op, x VecVirtual) { VBLENDVPS(kz, c, x, x) }
	}
	sel(splatF("mone", -1), lo)
	sel(splatF("one", 1), hi)
	sel(splatF("one", 1), nl)
	VSUBPS(lo, hi, sv)
	VMAXPS(splatF("w4min", 1e-5), sv, sv)
	VDIVPS(splatF("w4f15", 15), sv, sv)
	VDIVPS(sv, nl, zv)
	VCVTPS2DQ(zv, zv)
	VPMAXSD(zeros, zv, zv)
	VPMINSD(splat("nib", 15), zv, zv)
	JMP(LabelRef("inv"))
	// Symmetric: s = max(-lo, hi, 1e-5)/7, z = 8.
	Label("sym")
	VMAXPS(hi, nl, sv)
	VMAXPS(splatF("w4min", 1e-5), sv, sv)
	VDIVPS(splatF("w4f7", 7), sv, sv)
	if v.z {
		VMOVDQU32(splat("w4eight", 8), zv)
	} else {
		VMOVDQU(splat("w4eight", 8), zv)
	}
	Label("inv")
	VMOVUPS(splatF("one", 1), iv)
	VDIVPS(sv, iv, iv)
	return sv, iv, zv
}

// w4ParamsAVX2 emits w4ParamsAVX2: w4ParamsAVX512 for AVX2, 8 groups per
// step and whole steps only (the caller runs the last len(s)%8 groups in
// Go): masks are vectors and VBLENDVPS selects by them.
func w4ParamsAVX2() {
	TEXT("w4ParamsAVX2", NOSPLIT, "func(keys []int32, s, inv []float32, z []int32, zb []byte, sym bool)")
	Pragma("noescape")
	Doc("w4ParamsAVX2 is w4ParamsAVX512 for len(s)/8*8 groups (the rest untouched). (AVX2)")
	kp, sp, ip, zp, bp := ptr("keys"), ptr("s"), ptr("inv"), ptr("z"), ptr("zb")
	n := Load(Param("s").Len(), GP64()).(GPVirtual)
	SHRQ(U8(3), n)
	sy := GP64()
	{
		p, err := Param("sym").Resolve()
		if err != nil {
			panic(err)
		}
		MOVBQZX(p.Addr, sy)
	}
	absm, zeros := YMM(), YMM()
	VMOVDQU(splat("absmask", 0x7fffffff), absm)
	VPXOR(zeros, zeros, zeros)
	Label("loop")
	TESTQ(n, n)
	JZ(LabelRef("end"))
	// Keys lk0 hk0 lk1 hk1 ... of 8 groups: even and odd elements, whose
	// 64-bit halves VSHUFPS leaves in the order 0 2 1 3.
	a, b := YMM(), YMM()
	VMOVDQU(Mem{Base: kp}, a)
	VMOVDQU(Mem{Base: kp, Disp: 32}, b)
	lk, hk := YMM(), YMM()
	VSHUFPS(U8(0x88), b, a, lk)
	VPERMQ(U8(0xD8), lk, lk)
	VSHUFPS(U8(0xDD), b, a, hk)
	VPERMQ(U8(0xD8), hk, hk)
	// Non-finite groups: lk < key(-Inf)+1 or hk > key(MaxFloat32).
	bad, t := YMM(), YMM()
	VMOVDQU(splat("w4kneg", 0x80800000), bad)
	VPCMPGTD(lk, bad, bad)
	VPCMPGTD(splat("w4kinf", 0x7F7FFFFF), hk, t)
	VPOR(t, bad, bad)
	sv, iv, zv := w4Scale(avx2, lk, hk, absm, zeros, sy)
	// Non-finite groups: s NaN, inv 0, z 0.
	VBLENDVPS(bad, splat("w4nan", 0x7FC00000), sv, sv)
	VPANDN(iv, bad, iv)
	VPANDN(zv, bad, zv)
	VMOVUPS(sv, Mem{Base: sp})
	VMOVUPS(iv, Mem{Base: ip})
	VMOVDQU(zv, Mem{Base: zp})
	// zb: the 8 codes (0..15) narrowed to bytes.
	h := XMM()
	VEXTRACTI128(U8(1), zv, h)
	VPACKSSDW(h, zv.AsX(), h)
	VPACKUSWB(h, h, h)
	VMOVQ(h, Mem{Base: bp})
	ADDQ(U8(64), kp)
	ADDQ(U8(32), sp)
	ADDQ(U8(32), ip)
	ADDQ(U8(32), zp)
	ADDQ(U8(8), bp)
	DECQ(n)
	JMP(LabelRef("loop"))
	Label("end")
	VZEROUPPER()
	RET()
}

// quantW4AVX2 is the AVX2 variant of quantW4.
func quantW4AVX2() {
	w4ParamsAVX2()
	TEXT("w4RangeAVX2", NOSPLIT, "func(r []int32, w []float32, gs int)")
	Pragma("noescape")
	Doc("w4RangeAVX2 is w4RangeAVX512 for AVX2. (AVX2)")
	{
		v := avx2
		r, w := ptr("r"), ptr("w")
		ng := Load(Param("w").Len(), GP64()).(GPVirtual)
		g := Load(Param("gs"), GP64()).(GPVirtual)
		XORQ(RDX, RDX)
		MOVQ(ng, RAX)
		DIVQ(g)
		MOVQ(RAX, ng)
		m7 := v.bcast(splat("absmask", 0x7fffffff))
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		lo, hi := YMM(), YMM()
		VPXOR(lo, lo, lo)
		VPXOR(hi, hi, hi)
		p, n := GP64(), GP64()
		MOVQ(w, p)
		MOVQ(g, n)
		// The tail's stack copy is zero padded: key 0 is in the range anyway.
		loop(v, n, []GPVirtual{p}, nil, 2, func(l lane, i int) {
			t := l.load(Mem{Base: p, Disp: i * v.bytes()})
			s := YMM()
			VPSRAD(U8(31), t, s)
			VPAND(m7, s, s)
			VPXOR(s, t, t)
			VPMINSD(t, lo, lo)
			VPMAXSD(t, hi, hi)
		})
		for _, a := range []struct {
			r  VecVirtual
			op func(a, b, c Op)
		}{{lo, func(a, b, c Op) { VPMINSD(a, b, c) }}, {hi, func(a, b, c Op) { VPMAXSD(a, b, c) }}} {
			hx := XMM()
			VEXTRACTI128(U8(1), a.r, hx)
			x0 := a.r.AsX()
			a.op(hx, x0, x0)
			VPSHUFD(U8(0x4e), x0, hx)
			a.op(hx, x0, x0)
			VPSHUFD(U8(0xb1), x0, hx)
			a.op(hx, x0, x0)
		}
		VMOVD(lo.AsX(), Mem{Base: r})
		VMOVD(hi.AsX(), Mem{Base: r, Disp: 4})
		ADDQ(U8(8), r)
		LEAQ(Mem{Base: w, Index: g, Scale: 4}, w)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
	}

	TEXT("w4PackAVX2", NOSPLIT, "func(qp []byte, w []float32, inv []float32, z []int32, gs int)")
	Pragma("noescape")
	Doc("w4PackAVX2 is w4PackAVX512 for AVX2: 16 codes per step, then 8, then pairs; each 16-code step",
		"prefetches the line len(w) elements after it into L2 (the next row, which w4RangeAVX2 reads next). (AVX2)")
	{
		v := avx2
		qp, w, ip, zp := ptr("qp"), ptr("w"), ptr("inv"), ptr("z")
		ng := Load(Param("w").Len(), GP64()).(GPVirtual)
		g := Load(Param("gs"), GP64()).(GPVirtual)
		ahead := GP64()
		MOVQ(ng, ahead)
		SHLQ(U8(2), ahead)
		XORQ(RDX, RDX)
		MOVQ(ng, RAX)
		DIVQ(g)
		MOVQ(RAX, ng)
		fifteen := v.bcast(splat("nib", 15))
		zero := YMM()
		VPXOR(zero, zero, zero)
		even := YMM()
		VMOVDQU(evenPerm(), even)
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		inv, zz := YMM(), YMM()
		VBROADCASTSS(Mem{Base: ip}, inv)
		VPBROADCASTD(Mem{Base: zp}, zz)
		n := GP64()
		MOVQ(g, n)
		// codes leaves c[2j] | c[2j+1]<<4 in the low byte of qword j
		// (the rest of its low dword is zero).
		codes := func(t Register) {
			zc, z0, c15 := Op(zz), Op(zero), Op(fifteen)
			u := YMM()
			if t.Size() == 16 {
				zc, z0, c15, u = zz.AsX(), zero.AsX(), fifteen.AsX(), XMM()
			}
			VCVTPS2DQ(t, t)
			VPADDD(zc, t, t)
			VPMAXSD(z0, t, t)
			VPMINSD(c15, t, t)
			VPSRLQ(U8(28), t, u)
			VPOR(u, t, t)
		}
		Label("loop16")
		CMPQ(n, U8(16))
		JB(LabelRef("loop8"))
		a, b := YMM(), YMM()
		PREFETCHT1(Mem{Base: w, Index: ahead, Scale: 1})
		VMULPS(Mem{Base: w}, inv, a)
		VMULPS(Mem{Base: w, Disp: 32}, inv, b)
		codes(a)
		codes(b)
		VPERMD(a, even, a) // the low dwords of the qwords to the low 128 bits
		VPERMD(b, even, b)
		VPACKUSDW(b.AsX(), a.AsX(), a.AsX())
		VPACKUSWB(a.AsX(), a.AsX(), a.AsX())
		VMOVQ(a.AsX(), Mem{Base: qp})
		ADDQ(U8(64), w)
		ADDQ(U8(8), qp)
		SUBQ(U8(16), n)
		JMP(LabelRef("loop16"))
		Label("loop8")
		CMPQ(n, U8(8))
		JB(LabelRef("pairs"))
		c := YMM()
		VMULPS(Mem{Base: w}, inv, c)
		codes(c)
		VPERMD(c, even, c)
		VPACKUSDW(c.AsX(), c.AsX(), c.AsX())
		VPACKUSWB(c.AsX(), c.AsX(), c.AsX())
		r := GP32()
		VMOVD(c.AsX(), r)
		MOVL(r, Mem{Base: qp})
		ADDQ(U8(32), w)
		ADDQ(U8(4), qp)
		SUBQ(U8(8), n)
		Label("pairs")
		TESTQ(n, n)
		JZ(LabelRef("next"))
		d := XMM()
		VMOVQ(Mem{Base: w}, d)
		VMULPS(d, inv.AsX(), d)
		codes(d)
		VMOVD(d, r)
		MOVB(r.As8(), Mem{Base: qp})
		ADDQ(U8(8), w)
		INCQ(qp)
		SUBQ(U8(2), n)
		JMP(LabelRef("pairs"))
		Label("next")
		ADDQ(U8(4), ip)
		ADDQ(U8(4), zp)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
	}
}

// evenPerm is the VPERMD index of the even dwords: 0,2,4,6 (then repeated).
func evenPerm() Mem { return table[uint32]("evenperm", 0, 2, 4, 6, 0, 2, 4, 6) }

// softmaxPV is the integer part of repquant_softmax_pv (KERNELS.md 3.4 b),
// AVX-512: the V rows of one query row summed per softmax code (buckets),
// and the buckets shifted into the int64 sums.
func softmaxPV() {
	TEXT("pvBucketsAVX512", NOSPLIT, "func(bk []int32, codes []byte, v []int8, dv int, drop int) uint32")
	Pragma("noescape")
	Doc("pvBucketsAVX512 sums the rows v[j*dv:(j+1)*dv] (widened to int32) into bucket",
		"bk[q*dv:(q+1)*dv] of their code q = codes[j], for every j < len(codes) with q < drop <= 32;",
		"a bucket's first row is stored, later ones are added. It returns the mask of the",
		"buckets used (bit q); the others are left alone. (AVX-512)")
	{
		bk, cp, vp := ptr("bk"), ptr("codes"), ptr("v")
		s := Load(Param("codes").Len(), GP64()).(GPVirtual)
		dv := Load(Param("dv"), GP64()).(GPVirtual)
		drop := Load(Param("drop"), GP64()).(GPVirtual)
		used := GP32()
		XORL(used, used)
		dv4 := GP64()
		MOVQ(dv, dv4)
		SHLQ(U8(2), dv4)
		tk := K()
		rem := GP64() // dv%16: no masked tail when 0 (a masked store would block store forwarding)
		MOVQ(dv, rem)
		ANDQ(U8(15), rem)
		kFirst(16, rem, kOpt{}, tk)
		full := GP64()
		MOVQ(dv, full)
		SHRQ(U8(4), full)
		TESTQ(s, s)
		JZ(LabelRef("end"))
		Label("row")
		q := GP64()
		MOVBQZX(Mem{Base: cp}, q)
		INCQ(cp)
		CMPQ(q, drop)
		JAE(LabelRef("skip"))
		d, src, n := GP64(), GP64(), GP64()
		MOVQ(q, d)
		IMULQ(dv4, d)
		ADDQ(bk, d)
		MOVQ(vp, src)
		MOVQ(full, n)
		z := ZMM()
		BTL(q.As32(), used)
		JCS(LabelRef("add"))
		BTSL(q.As32(), used)
		for _, add := range []bool{false, true} {
			lbl := "store"
			if add {
				lbl = "add"
				Label("add")
			}
			Label(lbl + "16")
			TESTQ(n, n)
			JZ(LabelRef(lbl + "tail"))
			VPMOVSXBD(Mem{Base: src}, z)
			if add {
				VPADDD(Mem{Base: d}, z, z)
			}
			VMOVDQU32(z, Mem{Base: d})
			ADDQ(U8(16), src)
			ADDQ(U8(64), d)
			DECQ(n)
			JMP(LabelRef(lbl + "16"))
			Label(lbl + "tail")
			TESTQ(rem, rem)
			JZ(LabelRef("skip"))
			VPMOVSXBD_Z(Mem{Base: src}, tk, z) // masked: no fault past the row
			if add {
				VPADDD(Mem{Base: d}, z, tk, z)
			}
			VMOVDQU32(z, tk, Mem{Base: d})
			JMP(LabelRef("skip"))
		}
		Label("skip")
		ADDQ(dv, vp)
		DECQ(s)
		JNZ(LabelRef("row"))
		Label("end")
		Store(used, ReturnIndex(0))
		VZEROUPPER()
		RET()
	}

	TEXT("shiftAddAVX512", NOSPLIT, "func(a []int64, b []int32, sh uint64)")
	Pragma("noescape")
	Doc("shiftAddAVX512 adds int64(b[i]) << sh to a[i] over len(b). (AVX-512)")
	{
		a, b := ptr("a"), ptr("b")
		n := Load(Param("b").Len(), GP64()).(GPVirtual)
		shg := Load(Param("sh"), GP64()).(GPVirtual)
		sh := XMM()
		VMOVQ(shg, sh)
		Label("loop")
		CMPQ(n, U8(8))
		JB(LabelRef("tail"))
		z := ZMM()
		VPMOVSXDQ(Mem{Base: b}, z)
		VPSLLQ(sh, z, z)
		VPADDQ(Mem{Base: a}, z, z)
		VMOVDQU64(z, Mem{Base: a})
		ADDQ(U8(32), b)
		ADDQ(U8(64), a)
		SUBQ(U8(8), n)
		JMP(LabelRef("loop"))
		Label("tail")
		TESTQ(n, n)
		JZ(LabelRef("done"))
		k := kFirst(16, n, kOpt{})
		VPMOVSXDQ_Z(Mem{Base: b}, k, z)
		VPSLLQ(sh, z, z)
		VPADDQ(Mem{Base: a}, z, k, z)
		VMOVDQU64(z, k, Mem{Base: a})
		Label("done")
		VZEROUPPER()
		RET()
	}
}

// pvShift is the int32 form of repquant_softmax_pv's sums (AVX-512): per
// kept term one shift of the widened V row by a per-code count, no
// buckets. The codes go 64 at a time through one compare: only the kept
// ones (below keep) are visited, lowest first (TZCNT/BLSR of the mask),
// so a row whose softmax drops most codes (logsqrt2 at 4 bits keeps about
// one in seven) costs its kept terms, not its length.
func pvShift() {
	TEXT("pvShiftAVX512", NOSPLIT, "func(all []int32, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool, keep int)")
	Pragma("noescape")
	Doc("pvShiftAVX512 sets, for e < len(all) <= 64 (lanes of v's rows, ldv apart),",
		"all[e] = Σ_j int32(v[j*ldv+e]) << cnt[codes[j]] and, if withOdd, odd[e] = Σ_j int32(v[j*ldv+e]) << cnt[256+codes[j]],",
		"over j < len(codes), a count of 32 or more adding 0 (VPSLLD); the sums wrap in int32. Codes of keep or",
		"more are not visited: both their counts must be 32 or more. (AVX-512)")
	{
		allp, oddp, cp, vp := ptr("all"), ptr("odd"), ptr("codes"), ptr("v")
		lanes := Load(Param("all").Len(), GP64()).(GPVirtual)
		s := Load(Param("codes").Len(), GP64()).(GPVirtual)
		ldv := Load(Param("ldv"), GP64()).(GPVirtual)
		cnt := Load(Param("cnt"), GP64()).(GPVirtual)
		var ks [4]OpmaskVirtual
		for i := range ks {
			// lanes of vector i: clamp(lanes-16i, 0, 16)
			t, ones := GP64(), GP64()
			MOVQ(lanes, t)
			if i > 0 {
				SUBQ(U8(16*i), t)
			}
			zero := GP64()
			XORQ(zero, zero)
			CMPQ(t, zero)
			CMOVQLT(zero, t)
			ks[i] = kFirst(16, t, kOpt{t: ones})
		}
		var acc, oacc [4]VecVirtual
		for i := range acc {
			acc[i], oacc[i] = ZMM(), ZMM()
			VPXORD(acc[i], acc[i], acc[i])
			VPXORD(oacc[i], oacc[i], oacc[i])
		}
		kb := pvKeepLimit("store")
		kv := ZMM()
		VPBROADCASTB(kb.As32(), kv)
		wo := GP8()
		Load(Param("withOdd"), wo)
		xa, xo := ZMM(), ZMM() // the counts in every lane
		bothPaths("odd", "even", func(even string) {
			TESTB(wo, wo)
			JZ(LabelRef(even))
		}, func(odd bool, name string) {
			pvKept(name, 64, cp, s, "store", func(base, n GPVirtual) GPVirtual {
				tail := kFirst(64, n, kOpt{full: name + "whole"})
				c, m, kept := ZMM(), GP64(), K()
				VMOVDQU8_Z(Mem{Base: cp, Index: base, Scale: 1}, tail, c)
				VPCMPUB(U8(2), kv, c, tail, kept) // code <= keep-1, within the codes
				KMOVQ(kept, m)
				return m
			}, func(j, row GPVirtual) {
				pvTerm(odd, cp, cnt, j, acc[:], oacc[:], xa, xo, func(c GPVirtual, x VecVirtual) { VPBROADCASTD(c.As32(), x) },
					func(i int) VecVirtual {
						t := ZMM()
						VPMOVSXBD_Z(Mem{Base: vp, Index: row, Scale: 1, Disp: 16 * i}, ks[i], t)
						return t
					})
			}, ldv)
		})
		Label("store")
		for i := range acc {
			VMOVDQU32(acc[i], ks[i], Mem{Base: allp, Disp: 64 * i})
		}
		TESTB(wo, wo)
		JZ(LabelRef("done"))
		for i := range acc {
			VMOVDQU32(oacc[i], ks[i], Mem{Base: oddp, Disp: 64 * i})
		}
		Label("done")
		VZEROUPPER()
		RET()
	}
}

// pvOut is repquant_softmax_pv's output from the int32 sums (AVX-512),
// 8 lanes a step in float64: the Go loop it replaces was a third of the
// logsqrt2 rows' time once pvShift skipped the dropped codes.
func pvOut() {
	pvOutFn("pvOutAVX512", []string{"pvOutAVX512 sets o[e] = float32(scale * (float64(all[e]) + float64(c*float64(odd[e])))) for e < len(o),",
		"each operation rounded on its own (no FMA), the odd term left out when len(odd) is 0. (AVX-512)"}, ZMM,
		func(odd bool, name string, op, ap, dp, n, i, left GPVirtual, sc, cc VecVirtual) {
			JLE(LabelRef("done"))
			k := kFirst(8, left, kOpt{full: name + "whole"})
			a, y := YMM(), ZMM()
			VMOVDQU32_Z(Mem{Base: ap, Index: i, Scale: 4}, k, a)
			VCVTDQ2PD(a, y)
			if odd {
				b, z := YMM(), ZMM()
				VMOVDQU32_Z(Mem{Base: dp, Index: i, Scale: 4}, k, b)
				VCVTDQ2PD(b, z)
				VMULPD(cc, z, z)
				VADDPD(z, y, y)
			}
			VMULPD(sc, y, y)
			r := YMM()
			VCVTPD2PS(y, r)
			VMOVUPS(r, k, Mem{Base: op, Index: i, Scale: 4})
			ADDQ(U8(8), i)
			JMP(LabelRef(name + "loop"))
		})
}

// pvOutAVX2 is pvOut for AVX2: 4 lanes a step, the last len%4 one at a
// time (no masks).
func pvOutAVX2() {
	pvOutFn("pvOutAVX2", []string{"pvOutAVX2 is pvOutAVX512. (AVX2)"}, YMM,
		func(odd bool, name string, op, ap, dp, n, i, left GPVirtual, sc, cc VecVirtual) {
			CMPQ(left, U8(4))
			JB(LabelRef(name + "tail"))
			y := YMM()
			VCVTDQ2PD(Mem{Base: ap, Index: i, Scale: 4}, y)
			if odd {
				z := YMM()
				VCVTDQ2PD(Mem{Base: dp, Index: i, Scale: 4}, z)
				VMULPD(cc, z, z)
				VADDPD(z, y, y)
			}
			VMULPD(sc, y, y)
			r := XMM()
			VCVTPD2PSY(y, r)
			VMOVUPS(r, Mem{Base: op, Index: i, Scale: 4})
			ADDQ(U8(4), i)
			JMP(LabelRef(name + "loop"))
			Label(name + "tail")
			CMPQ(i, n)
			JAE(LabelRef("done"))
			x := XMM()
			VCVTSI2SDL(Mem{Base: ap, Index: i, Scale: 4}, x, x)
			if odd {
				u := XMM()
				VCVTSI2SDL(Mem{Base: dp, Index: i, Scale: 4}, u, u)
				VMULSD(cc.AsX(), u, u)
				VADDSD(u, x, x)
			}
			VMULSD(sc.AsX(), x, x)
			VCVTSD2SS(x, x, x)
			VMOVSS(x, Mem{Base: op, Index: i, Scale: 4})
			INCQ(i)
			JMP(LabelRef(name + "tail"))
		})
}

// pvOutFn emits a pvOut kernel: its parameters, scale and c broadcast
// into vectors of vec, then for the path with odd sums and the one
// without a loop (label name+"loop") whose step, at element i with left
// elements to go, jumps back to it or to "done" once o is written.
func pvOutFn(name string, doc []string, vec func() VecVirtual, step func(odd bool, name string, op, ap, dp, n, i, left GPVirtual, sc, cc VecVirtual)) {
	TEXT(name, NOSPLIT, "func(o []float32, all []int32, odd []int32, scale float64, c float64)")
	Pragma("noescape")
	Doc(doc...)
	op, ap, dp := ptr("o"), ptr("all"), ptr("odd")
	n := Load(Param("o").Len(), GP64()).(GPVirtual)
	nOdd := Load(Param("odd").Len(), GP64()).(GPVirtual)
	sc, cc := vec(), vec()
	VBROADCASTSD(paramMem("scale"), sc)
	VBROADCASTSD(paramMem("c"), cc)
	bothPaths("odd", "plain", func(plain string) {
		TESTQ(nOdd, nOdd)
		JZ(LabelRef(plain))
	}, func(odd bool, name string) {
		i := GP64()
		XORQ(i, i)
		Label(name + "loop")
		left := GP64()
		MOVQ(n, left)
		SUBQ(i, left)
		step(odd, name, op, ap, dp, n, i, left, sc, cc)
	})
	Label("done")
	VZEROUPPER()
	RET()
}

// pvTerm emits pvShift's work on the kept code at j: its counts (cnt[q],
// and cnt[256+q] if odd) broadcast into xa and xo, and per vector i of
// the row, load(i) widened, shifted by them (VPSLLVD: one uop; VPSLLD by
// an xmm count is two on Intel) and added into acc[i] and oacc[i].
func pvTerm(odd bool, cp, cnt, j GPVirtual, acc, oacc []VecVirtual, xa, xo VecVirtual, bcast func(GPVirtual, VecVirtual), load func(i int) VecVirtual) {
	q, a := GP64(), GP64()
	MOVBQZX(Mem{Base: cp, Index: j, Scale: 1}, q)
	MOVBQZX(Mem{Base: cnt, Index: q, Scale: 1}, a)
	bcast(a, xa)
	if odd {
		o := GP64()
		MOVBQZX(Mem{Base: cnt, Index: q, Scale: 1, Disp: 256}, o)
		bcast(o, xo)
	}
	for i := range acc {
		t := load(i)
		if odd {
			u := ZMM()
			if t.Size() == 32 {
				u = YMM()
			}
			VPSLLVD(xo, t, u)
			VPADDD(u, oacc[i], oacc[i])
		}
		VPSLLVD(xa, t, t)
		VPADDD(t, acc[i], acc[i])
	}
}

// bothPaths emits body for the path with (named with), which skip may
// leave for the other by jumping to its label, then the path without
// (named without, its label placed first). Neither body falls through.
func bothPaths(with, without string, skip func(without string), body func(isWith bool, name string)) {
	skip(without)
	body(true, with)
	Label(without)
	body(false, without)
}

// pvKeepLimit loads pvShift's keep as the largest kept code, clamped to
// 0..255, jumping to none when keep <= 0 (no code is kept).
func pvKeepLimit(none string) GPVirtual {
	kb := Load(Param("keep"), GP64()).(GPVirtual)
	CMPQ(kb, U8(0))
	JLE(LabelRef(none))
	lim := GP64()
	MOVQ(U32(256), lim)
	CMPQ(kb, lim)
	CMOVQGT(lim, kb)
	DECQ(kb)
	return kb
}

// pvKept emits pvShift's walk over the kept codes: per chunk of w codes
// from base (n = len - base of them left), mask returns the bit mask of
// the kept ones (bit i: code base+i), and body runs for each, lowest
// first, with j its index and row j*ldv (its V row's offset); past the
// last chunk it jumps to done.
func pvKept(name string, w int, cp, s GPVirtual, done string, mask func(base, n GPVirtual) GPVirtual, body func(j, row GPVirtual), ldv GPVirtual) {
	base := GP64()
	XORQ(base, base)
	Label(name + "chunk")
	CMPQ(base, s)
	JAE(LabelRef(done))
	n := GP64()
	MOVQ(s, n)
	SUBQ(base, n)
	m := mask(base, n)
	Label(name + "next")
	TESTQ(m, m)
	JZ(LabelRef(name + "adv"))
	j, row := GP64(), GP64()
	TZCNTQ(m, j)
	BLSRQ(m, m)
	ADDQ(base, j)
	MOVQ(j, row)
	IMULQ(ldv, row)
	body(j, row)
	JMP(LabelRef(name + "next"))
	Label(name + "adv")
	ADDQ(U8(w), base)
	JMP(LabelRef(name + "chunk"))
}

// pvShiftAVX2 is pvShift for AVX2: len(all) is 8, 16, 24 or 32 (no byte
// masks in AVX2; the driver runs the lanes past a multiple of 8 in Go).
// The kept codes are found 32 at a time (VPMINUB, VPCMPEQB, VPMOVMSKB);
// a last chunk of fewer builds its mask a code at a time (a whole vector
// could read past the codes).
func pvShiftAVX2() {
	TEXT("pvShiftAVX2", NOSPLIT, "func(all []int32, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool, keep int)")
	Pragma("noescape")
	Doc("pvShiftAVX2 is pvShiftAVX512 for len(all) in {8, 16, 24, 32}. (AVX2)")
	allp, oddp, cp, vp := ptr("all"), ptr("odd"), ptr("codes"), ptr("v")
	lanes := Load(Param("all").Len(), GP64()).(GPVirtual)
	s := Load(Param("codes").Len(), GP64()).(GPVirtual)
	ldv := Load(Param("ldv"), GP64()).(GPVirtual)
	cnt := Load(Param("cnt"), GP64()).(GPVirtual)
	wo := GP8()
	Load(Param("withOdd"), wo)
	nv := GP64()
	MOVQ(lanes, nv)
	SHRQ(U8(3), nv)
	for nvec := 1; nvec <= 4; nvec++ {
		CMPQ(nv, U8(nvec))
		JE(LabelRef(fmt.Sprintf("v%d", nvec)))
	}
	RET() // not a supported length
	for nvec := 1; nvec <= 4; nvec++ {
		Label(fmt.Sprintf("v%d", nvec))
		acc, oacc := make([]VecVirtual, nvec), make([]VecVirtual, nvec)
		for i := range acc {
			acc[i], oacc[i] = YMM(), YMM()
			VPXOR(acc[i], acc[i], acc[i])
			VPXOR(oacc[i], oacc[i], oacc[i])
		}
		store := fmt.Sprintf("v%dstore", nvec)
		kb := pvKeepLimit(store)
		kx, kv := XMM(), YMM()
		VMOVD(kb.As32(), kx)
		VPBROADCASTB(kx, kv)
		xa, xo := YMM(), YMM() // the counts in every lane, as pvShift
		cx := XMM()
		bothPaths(fmt.Sprintf("v%dodd", nvec), fmt.Sprintf("v%deven", nvec), func(even string) {
			TESTB(wo, wo)
			JZ(LabelRef(even))
		}, func(odd bool, name string) {
			pvKept(name, 32, cp, s, store, func(base, n GPVirtual) GPVirtual {
				m := GP64()
				CMPQ(n, U8(32))
				JB(LabelRef(name + "short"))
				c, t := YMM(), YMM()
				VMOVDQU(Mem{Base: cp, Index: base, Scale: 1}, c)
				VPMINUB(kv, c, t)
				VPCMPEQB(c, t, t) // min(code, keep-1) == code
				VPMOVMSKB(t, m.As32())
				JMP(LabelRef(name + "masked"))
				Label(name + "short") // the last n < 32 codes, one at a time
				XORQ(m, m)
				i, q, bit := GP64(), GP64(), GP64()
				MOVQ(n, i)
				Label(name + "bit")
				DECQ(i)
				JL(LabelRef(name + "masked"))
				MOVQ(base, q)
				ADDQ(i, q)
				MOVBQZX(Mem{Base: cp, Index: q, Scale: 1}, q)
				XORQ(bit, bit)
				CMPQ(q, kb)
				SETLS(bit.As8())
				SHLQ(U8(1), m)
				ORQ(bit, m)
				JMP(LabelRef(name + "bit"))
				Label(name + "masked")
				return m
			}, func(j, row GPVirtual) {
				pvTerm(odd, cp, cnt, j, acc, oacc, xa, xo, func(c GPVirtual, x VecVirtual) {
					VMOVD(c.As32(), cx)
					VPBROADCASTD(cx, x)
				}, func(i int) VecVirtual {
					t := YMM()
					VPMOVSXBD(Mem{Base: vp, Index: row, Scale: 1, Disp: 8 * i}, t)
					return t
				})
			}, ldv)
		})
		Label(store)
		for i := range acc {
			VMOVDQU(acc[i], Mem{Base: allp, Disp: 32 * i})
		}
		TESTB(wo, wo)
		JZ(LabelRef("done"))
		for i := range acc {
			VMOVDQU(oacc[i], Mem{Base: oddp, Disp: 32 * i})
		}
		JMP(LabelRef("done"))
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// wqDots are the group dot products of layerwise_wq's GEMV (KERNELS.md
// 3.3), AVX-512, one routine per code width: per group of gb code bytes,
// d = Σ x'*(code - z) with x' the driver's layout of X (per 16-byte chunk
// of codes, vpb phases of 16 floats: x'[p*16+i] = X[(c*16+i)*vpb + p], zero
// padded), so each code lane meets its value with no shuffles. The 4- and
// 2-bit formats (Quanto: code*S - shift) have no zero point: their
// routines take z = 0; the AVX2 ones do not read it (a fifth of their
// operations per code; layerwise_wq 4:2 and 4:4:2:2 -15% on Zen 3, one
// thread, nbench ab), the AVX-512 ones (which the 4- and 2-bit layers run
// only without GEMV routines) subtract it.
func wqDots() {
	for _, f := range []struct {
		name   string
		vpb    int
		signed bool
	}{{"wqDots8AVX512", 1, true}, {"wqDots3AVX512", 1, false}, {"wqDots4AVX512", 2, false}, {"wqDots2AVX512", 4, false}} {
		TEXT(f.name, NOSPLIT, "func(d []float32, x []float32, q []byte, z []int32, gb int)")
		Pragma("noescape")
		what := "signed bytes"
		switch f.vpb {
		case 1:
			if !f.signed {
				what = "unsigned bytes"
			}
		case 2:
			what = "nibbles (low first)"
		case 4:
			what = "2-bit fields (lowest first)"
		}
		Doc(fmt.Sprintf("%s sets d[g] = Σ_i x'[i]*(code[i] - z[g]) over the %d codes per byte (%s)", f.name, f.vpb, what),
			"of the gb bytes q[g*gb:(g+1)*gb] of each group g < len(d), with x' laid out per 16-byte chunk as",
			fmt.Sprintf("%d phase(s) of 16 floats (zero past the group's end). (AVX-512)", f.vpb))
		dp, xp, qp, zp := ptr("d"), ptr("x"), ptr("q"), ptr("z")
		ng := Load(Param("d").Len(), GP64()).(GPVirtual)
		gb := Load(Param("gb"), GP64()).(GPVirtual)
		tk := K()
		rem := GP64()
		MOVQ(gb, rem)
		ANDQ(U8(15), rem)
		kFirst(16, rem, kOpt{}, tk)
		bits := 8 / f.vpb
		var fmask VecVirtual
		if f.vpb > 1 {
			fmask = avx512.bcast(splat(fmt.Sprintf("fmask%d", bits), uint32(1)<<bits-1))
		}
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		acc := []VecVirtual{ZMM(), ZMM()}
		for _, a := range acc {
			VPXORD(a, a, a)
		}
		zz := ZMM()
		VPBROADCASTD(Mem{Base: zp}, zz)
		n := GP64()
		MOVQ(gb, n)
		step := func(masked bool) {
			t := ZMM()
			switch {
			case f.signed && masked:
				VPMOVSXBD_Z(Mem{Base: qp}, tk, t)
			case f.signed:
				VPMOVSXBD(Mem{Base: qp}, t)
			case masked:
				VPMOVZXBD_Z(Mem{Base: qp}, tk, t)
			default:
				VPMOVZXBD(Mem{Base: qp}, t)
			}
			for p := 0; p < f.vpb; p++ {
				u := t
				if f.vpb > 1 {
					u = ZMM()
					if p == 0 {
						VPANDD(fmask, t, u)
					} else {
						VPSRLD(U8(bits*p), t, u)
						if p < f.vpb-1 {
							VPANDD(fmask, u, u)
						}
					}
				}
				if !f.signed {
					VPSUBD(zz, u, u)
				}
				VCVTDQ2PS(u, u)
				VFMADD231PS(Mem{Base: xp, Disp: 64 * p}, u, acc[p%2])
			}
			ADDQ(U32(64*f.vpb), xp)
		}
		Label("chunk")
		CMPQ(n, U8(16))
		JB(LabelRef("tail"))
		step(false)
		ADDQ(U8(16), qp)
		SUBQ(U8(16), n)
		JMP(LabelRef("chunk"))
		Label("tail")
		TESTQ(n, n)
		JZ(LabelRef("sum"))
		step(true)
		ADDQ(n, qp)
		Label("sum")
		VADDPS(acc[1], acc[0], acc[0])
		avx512.hreduce(acc[0], vaddps)
		VMOVSS(acc[0].AsX(), Mem{Base: dp})
		ADDQ(U8(4), dp)
		ADDQ(U8(4), zp)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
	}
}

// wqDotsAVX2 are the wqDots routines for AVX2 on the same layout of X (a
// 16-byte chunk of codes as two halves of 8); the last partial chunk is
// copied to a zeroed stack buffer (x' is zero padded to whole chunks).
func wqDotsAVX2() {
	for _, f := range []struct {
		name   string
		vpb    int
		signed bool
	}{{"wqDots8AVX2", 1, true}, {"wqDots3AVX2", 1, false}, {"wqDots4AVX2", 2, false}, {"wqDots2AVX2", 4, false}} {
		TEXT(f.name, NOSPLIT, "func(d []float32, x []float32, q []byte, z []int32, gb int)")
		Pragma("noescape")
		Doc(fmt.Sprintf("%s is %sAVX512 for AVX2+FMA. (AVX2+FMA)", f.name, f.name[:len(f.name)-4]))
		dp, xp, qp, zp := ptr("d"), ptr("x"), ptr("q"), ptr("z")
		ng := Load(Param("d").Len(), GP64()).(GPVirtual)
		gb := Load(Param("gb"), GP64()).(GPVirtual)
		buf := AllocLocal(16)
		bits := 8 / f.vpb
		var fmask VecVirtual
		if f.vpb > 1 {
			fmask = avx2.bcast(splat(fmt.Sprintf("fmask%d", bits), uint32(1)<<bits-1))
		}
		TESTQ(ng, ng)
		JZ(LabelRef("end"))
		Label("group")
		acc := []VecVirtual{YMM(), YMM()}
		for _, a := range acc {
			VXORPS(a, a, a)
		}
		var zz VecVirtual // the zero point: 3-bit codes only
		if f.vpb == 1 && !f.signed {
			zz = YMM()
			VPBROADCASTD(Mem{Base: zp}, zz)
		}
		n := GP64()
		MOVQ(gb, n)
		chunk := func(src Mem) {
			for h := 0; h < 2; h++ {
				t := YMM()
				if f.signed {
					VPMOVSXBD(src.Offset(8*h), t)
				} else {
					VPMOVZXBD(src.Offset(8*h), t)
				}
				for p := 0; p < f.vpb; p++ {
					u := t
					if f.vpb > 1 {
						u = YMM()
						if p == 0 {
							VPAND(fmask, t, u)
						} else {
							VPSRLD(U8(bits*p), t, u)
							if p < f.vpb-1 {
								VPAND(fmask, u, u)
							}
						}
					}
					if zz != nil {
						VPSUBD(zz, u, u)
					}
					VCVTDQ2PS(u, u)
					VFMADD231PS(Mem{Base: xp, Disp: 4 * (p*16 + 8*h)}, u, acc[(p+h)%2])
				}
			}
			ADDQ(U32(64*f.vpb), xp)
		}
		Label("chunk")
		CMPQ(n, U8(16))
		JB(LabelRef("tail"))
		chunk(Mem{Base: qp})
		ADDQ(U8(16), qp)
		SUBQ(U8(16), n)
		JMP(LabelRef("chunk"))
		Label("tail")
		TESTQ(n, n)
		JZ(LabelRef("sum"))
		MOVQ(U32(0), buf)
		MOVQ(U32(0), buf.Offset(8))
		copyBytes(buf, qp, n)
		chunk(buf)
		ADDQ(n, qp)
		Label("sum")
		VADDPS(acc[1], acc[0], acc[0])
		avx2.hreduce(acc[0], vaddps)
		VMOVSS(acc[0].AsX(), Mem{Base: dp})
		ADDQ(U8(4), dp)
		ADDQ(U8(4), zp)
		DECQ(ng)
		JNZ(LabelRef("group"))
		Label("end")
		VZEROUPPER()
		RET()
	}
}
