package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// iou emits the suppression sweep of greedy NMS: one kept box against the
// later candidates (coordinate arrays in score order), in float32 with the
// operations of the pure-Go sweep, in the same order, so both decide alike.
func iou() {
	for _, v := range variants {
		nmsSuppress(v)
	}
}

func nmsSuppress(v variant) {
	fn(v, "nmsSuppress", "func(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int",
		"nmsSuppress suppresses, for each j < len(x1), candidate j when",
		"  iw := min(box[2], x2[j]) - max(box[0], x1[j]) + one > 0 and ih (the same in y) > 0 and",
		"  inter := iw*ih; tu := t*(box[4]+area[j]-inter); inter > tu (or inter == tu when geq)",
		"by setting x1[j] = +Inf and rank[j] = -1, and returns how many it suppressed. A suppressed",
		"(x1 = +Inf) or NaN-coordinate candidate has iw <= 0 and never matches.")
	x1, y1, x2, y2, ar, rk := ptr("x1"), ptr("y1"), ptr("x2"), ptr("y2"), ptr("area"), ptr("rank")
	n := Load(Param("x1").Len(), GP64()).(GPVirtual)
	bp := ptr("box")
	count := GP64()
	XORQ(count, count)
	geq := Load(Param("geq"), GP8())
	g32 := GP32()
	MOVBLZX(geq, g32)
	NEGL(g32) // all ones when geq
	// The box, t, one and the geq lanes: registers with AVX-512; with AVX2
	// (16 registers) broadcast into a stack area and used as memory operands.
	var b [5]Op
	var t, one, ygeq Op
	var kgeq OpmaskVirtual
	if v.z {
		for i := range b {
			r := v.vec()
			VBROADCASTSS(Mem{Base: bp, Disp: 4 * i}, r)
			b[i] = r
		}
		t, one = v.scalarArg("t"), v.scalarArg("one")
		kgeq = K()
		KMOVW(g32, kgeq)
	} else {
		area := AllocLocal(8 * 32)
		r := v.vec()
		for i := range b {
			VBROADCASTSS(Mem{Base: bp, Disp: 4 * i}, r)
			VMOVUPS(r, area.Offset(32*i))
			b[i] = area.Offset(32 * i)
		}
		for i, name := range []string{"t", "one"} {
			pa, err := Param(name).Resolve()
			if err != nil {
				panic(err)
			}
			VBROADCASTSS(pa.Addr, r)
			VMOVUPS(r, area.Offset(32*(5+i)))
		}
		t, one = area.Offset(32*5), area.Offset(32*6)
		VMOVD(g32, r.AsX())
		VPBROADCASTD(r.AsX(), r)
		VMOVUPS(r, area.Offset(32*7))
		ygeq = area.Offset(32 * 7)
	}
	zv := v.vec()
	zero(zv)
	step := func(l lane, i int) {
		off := i * v.bytes()
		load := func(p GPVirtual) VecVirtual { return l.load(Mem{Base: p, Disp: off}) }
		vx1, vy1, vx2, vy2, va := load(x1), load(y1), load(x2), load(y2), load(ar)
		iw, ih := v.vec(), v.vec()
		// The coordinates are never NaN here (the driver makes a NaN box
		// an empty one at +Inf), so the min/max operand order is free.
		VMINPS(b[2], vx2, iw)
		VMAXPS(b[0], vx1, vx1)
		VSUBPS(vx1, iw, iw)
		VADDPS(one, iw, iw)
		VMINPS(b[3], vy2, ih)
		VMAXPS(b[1], vy1, vy1)
		VSUBPS(vy1, ih, ih)
		VADDPS(one, ih, ih)
		inter, tu := v.vec(), v.vec()
		VMULPS(ih, iw, inter)
		VADDPS(b[4], va, tu)
		VSUBPS(inter, tu, tu)
		VMULPS(t, tu, tu)
		if v.z {
			kw, kh, kg, ke := K(), K(), K(), K()
			VCMPPS(U8(0x1e), zv, iw, kw) // iw > 0 (GT_OQ)
			VCMPPS(U8(0x1e), zv, ih, kh)
			VCMPPS(U8(0x1e), tu, inter, kg) // inter > tu
			VCMPPS(U8(0x00), tu, inter, ke) // inter == tu (EQ_OQ)
			KANDW(kgeq, ke, ke)
			KORW(ke, kg, kg)
			KANDW(kw, kg, kg)
			KANDW(kh, kg, kg)
			if l.tail {
				KANDW(l.k, kg, kg)
			}
			inf, neg := v.bcast(splat("posinf", 0x7f800000)), v.bcast(splat("minus1", 0xffffffff))
			VMOVUPS(inf, kg, Mem{Base: x1, Disp: off})
			VMOVDQU32(neg, kg, Mem{Base: rk, Disp: off})
			c := GP32()
			KMOVW(kg, c)
			POPCNTL(c, c)
			ADDQ(c.As64(), count)
			return
		}
		mw, mh, mg, me := v.vec(), v.vec(), v.vec(), v.vec()
		VCMPPS(U8(0x1e), zv, iw, mw)
		VCMPPS(U8(0x1e), zv, ih, mh)
		VCMPPS(U8(0x1e), tu, inter, mg)
		VCMPPS(U8(0x00), tu, inter, me)
		VANDPS(ygeq, me, me)
		VORPS(me, mg, mg)
		VANDPS(mw, mg, mg)
		VANDPS(mh, mg, mg)
		if l.tail {
			VANDPS(l.ym, mg, mg)
		}
		inf, neg := v.bcast(splat("posinf", 0x7f800000)), v.bcast(splat("minus1", 0xffffffff))
		VMASKMOVPS(inf, mg, Mem{Base: x1, Disp: off})
		VPMASKMOVD(neg, mg, Mem{Base: rk, Disp: off})
		c := GP32()
		VMOVMSKPS(mg, c)
		POPCNTL(c, c)
		ADDQ(c.As64(), count)
	}
	loop(v, n, []GPVirtual{x1, y1, x2, y2, ar, rk}, []GPVirtual{x1, rk}, 1, step)
	Store(count, ReturnIndex(0))
	VZEROUPPER()
	RET()
}
