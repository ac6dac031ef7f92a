package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The primitives of simplified linear attention (sla.go), AVX-512 and
// AVX2+FMA from one template: the ReLU packs (row copy with a dot product,
// and a transposing pack by gathers), the output combine and the 5-tap
// depthwise conv. The GEMMs run on the attention P V kernels.
func sla(v variant) {
	slaReluDot(v)
	slaAxpyTo(v)
	slaConv5(v)
	slaReluT(v)
}

// relu sets r = max(r, 0) with r as VMAXPS's second source, so NaN stays NaN.
func relu(r, z VecVirtual) { VMAXPS(r, z, r) }

func slaReluDot(v variant) {
	fn(v, "reluDot", "func(dst, src, w []float32) float32",
		"reluDot sets dst[i] = max(src[i], 0) over len(src) (NaN stays NaN) and returns Σ dst[i]*w[i];",
		"dst and w hold at least len(src) elements.")
	dst, src, w := ptr("dst"), ptr("src"), ptr("w")
	n := Load(Param("src").Len(), GP64()).(GPVirtual)
	z := v.vec()
	zero(z)
	const unroll = 4
	acc := make([]VecVirtual, unroll)
	for i := range acc {
		acc[i] = v.vec()
		zero(acc[i])
	}
	loop(v, n, []GPVirtual{dst, src, w}, []GPVirtual{dst}, unroll, func(l lane, i int) {
		off := i * v.bytes()
		x := l.load(Mem{Base: src, Disp: off})
		relu(x, z)
		l.store(x, Mem{Base: dst, Disp: off})
		wv := l.load(Mem{Base: w, Disp: off})
		l.fma(x, wv, acc[i])
	})
	Store(v.reduceTo(acc, vaddps), ReturnIndex(0))
	VZEROUPPER()
	RET()
}

func slaAxpyTo(v variant) {
	fn(v, "axpyTo", "func(y, x, c []float32, a float32)",
		"axpyTo sets y[i] = c[i] + a*x[i] (one FMA) over len(y); x and c hold at least len(y) elements.")
	y, x, c := ptr("y"), ptr("x"), ptr("c")
	n := Load(Param("y").Len(), GP64()).(GPVirtual)
	a := v.scalarArg("a")
	loop(v, n, []GPVirtual{y, x, c}, []GPVirtual{y}, 4, func(l lane, i int) {
		off := i * v.bytes()
		t := l.load(Mem{Base: x, Disp: off})
		cv := l.load(Mem{Base: c, Disp: off})
		VFMADD213PS(cv, a, t)
		l.store(t, Mem{Base: y, Disp: off})
	})
	VZEROUPPER()
	RET()
}

// slaConv5: channel blocks of one vector outside, tokens inside; the five
// tap weights of the block stay in registers, the five V rows of a token
// are memory operands of the FMAs. ld is a multiple of 16, so there are no
// channel tails.
func slaConv5(v variant) {
	fn(v, "conv5", "func(o, v, w, b []float32, n, ld int)",
		"conv5 sets o[t*ld+c] = (b[c] if len(b) > 0, else o[t*ld+c]) + Σ_{k<5} w[k*ld+c]*v[(t+k)*ld+c]",
		"for t < n, c < ld (the 5-tap depthwise conv over zero-padded rows); ld is a multiple of 16.")
	o, vv, w, b := ptr("o"), ptr("v"), ptr("w"), ptr("b")
	blen := Load(Param("b").Len(), GP64())
	n := Load(Param("n"), GP64())
	ld := Load(Param("ld"), GP64())
	ldb := GP64()
	MOVQ(ld, ldb)
	SHLQ(U8(2), ldb)
	c := GP64()
	XORQ(c, c)
	Label("chunk")
	CMPQ(c, ld)
	JAE(LabelRef("done"))
	ws := make([]VecVirtual, 5)
	wp := GP64()
	MOVQ(w, wp)
	for k := range ws {
		ws[k] = v.vec()
		VMOVUPS(Mem{Base: wp}, ws[k])
		if k < 4 {
			ADDQ(ldb, wp)
		}
	}
	// Row pointers of the token loop: op the output, v0 and v3 rows t and t+3.
	op, v0, v3, t := GP64(), GP64(), GP64(), GP64()
	MOVQ(o, op)
	MOVQ(vv, v0)
	LEAQ(Mem{Base: vv, Index: ldb, Scale: 2}, v3)
	ADDQ(ldb, v3)
	MOVQ(n, t)
	for _, bias := range []bool{true, false} {
		name := "acc"
		if bias {
			name = "bias"
		}
		bv := v.vec()
		if bias {
			TESTQ(blen, blen)
			JZ(LabelRef("acc"))
			VMOVUPS(Mem{Base: b}, bv)
		}
		Label(name)
		TESTQ(t, t)
		JZ(LabelRef("next"))
		acc := v.vec()
		if bias {
			VMOVAPS(bv, acc)
		} else {
			VMOVUPS(Mem{Base: op}, acc)
		}
		VFMADD231PS(Mem{Base: v0}, ws[0], acc)
		VFMADD231PS(Mem{Base: v0, Index: ldb, Scale: 1}, ws[1], acc)
		VFMADD231PS(Mem{Base: v0, Index: ldb, Scale: 2}, ws[2], acc)
		VFMADD231PS(Mem{Base: v3}, ws[3], acc)
		VFMADD231PS(Mem{Base: v3, Index: ldb, Scale: 1}, ws[4], acc)
		VMOVUPS(acc, Mem{Base: op})
		ADDQ(ldb, op)
		ADDQ(ldb, v0)
		ADDQ(ldb, v3)
		DECQ(t)
		JMP(LabelRef(name))
	}
	Label("next")
	ADDQ(U32(v.bytes()), o)
	ADDQ(U32(v.bytes()), vv)
	ADDQ(U32(v.bytes()), w)
	ADDQ(U32(v.bytes()), b)
	ADDQ(U32(v.lanes), c)
	JMP(LabelRef("chunk"))
	Label("done")
	VZEROUPPER()
	RET()
}

// slaReluT: blocks of one vector of rows, each column gathered (indices
// r*lds) and stored as a contiguous run of dst; the rows past the last full
// block go one element at a time (no masked gather, which emulators may
// fault on past a page end).
func slaReluT(v variant) {
	fn(v, "reluT", "func(dst []float32, ldd int, src []float32, lds, rows, cols int)",
		"reluT sets dst[c*ldd+r] = max(src[r*lds+c], 0) for r < rows, c < cols (a transposing",
		"ReLU pack; NaN stays NaN).")
	dst, src := ptr("dst"), ptr("src")
	ldd := Load(Param("ldd"), GP64())
	lds := Load(Param("lds"), GP64()).(GPVirtual)
	rows := Load(Param("rows"), GP64())
	cols := Load(Param("cols"), GP64())
	SHLQ(U8(2), ldd)
	// idx = iota * lds (elements).
	idx, l32 := v.vec(), XMM()
	VMOVD(lds.As32(), l32)
	VPBROADCASTD(l32, idx)
	VPMULLD(iotaVec(), idx, idx)
	SHLQ(U8(2), lds)
	blk := GP64()
	MOVQ(lds, blk)
	SHLQ(U8(map[int]uint8{8: 3, 16: 4}[v.lanes]), blk) // bytes of one block of rows
	z := v.vec()
	zero(z)
	sp, dp, c := GP64(), GP64(), GP64()
	Label("block")
	CMPQ(rows, U32(v.lanes))
	JB(LabelRef("rest"))
	MOVQ(src, sp)
	MOVQ(dst, dp)
	MOVQ(cols, c)
	Label("col")
	TESTQ(c, c)
	JZ(LabelRef("colsdone"))
	g := v.vec()
	if v.z {
		k := K()
		KXNORW(k, k, k)
		VXORPS(g, g, g)
		VGATHERDPS(Mem{Base: sp, Index: idx, Scale: 4}, k, g)
	} else {
		m := v.vec()
		VPCMPEQD(m, m, m)
		VXORPS(g, g, g)
		VGATHERDPS(m, Mem{Base: sp, Index: idx, Scale: 4}, g)
	}
	relu(g, z)
	VMOVUPS(g, Mem{Base: dp})
	ADDQ(U8(4), sp)
	ADDQ(ldd, dp)
	DECQ(c)
	JMP(LabelRef("col"))
	Label("colsdone")
	ADDQ(blk, src)
	ADDQ(U32(v.bytes()), dst)
	SUBQ(U32(v.lanes), rows)
	JMP(LabelRef("block"))
	// The remaining rows, one element at a time.
	Label("rest")
	TESTQ(rows, rows)
	JZ(LabelRef("done"))
	MOVQ(src, sp)
	MOVQ(dst, dp)
	MOVQ(cols, c)
	x := XMM()
	Label("elem")
	TESTQ(c, c)
	JZ(LabelRef("rowdone"))
	VMOVSS(Mem{Base: sp}, x)
	VMAXSS(x, z.AsX(), x)
	VMOVSS(x, Mem{Base: dp})
	ADDQ(U8(4), sp)
	ADDQ(ldd, dp)
	DECQ(c)
	JMP(LabelRef("elem"))
	Label("rowdone")
	ADDQ(lds, src)
	ADDQ(U8(4), dst)
	DECQ(rows)
	JMP(LabelRef("rest"))
	Label("done")
	VZEROUPPER()
	RET()
}

var iotaMem *Mem

// iotaVec is the int32 vector 0, 1, ..., 15.
func iotaVec() Mem {
	if iotaMem == nil {
		m := GLOBL("c_iota", RODATA|NOPTR)
		for i := 0; i < 16; i++ {
			DATA(4*i, U32(i))
		}
		iotaMem = &m
	}
	return *iotaMem
}
