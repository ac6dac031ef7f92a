package main

import (
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

	TEXT("quantI8AVX512", NOSPLIT, "func(q []int8, x []float32, inv float32)")
	Pragma("noescape")
	Doc("quantI8AVX512 sets q[i] = int8(clamp(rne(x[i]*inv), -127, 127)) over len(x) (x finite).")
	{
		v := avx512
		q, x := ptr("q"), ptr("x")
		n := Load(Param("x").Len(), GP64()).(GPVirtual)
		inv := v.scalarArg("inv")
		lo, hi := v.bcast(splatF("m127", -127)), v.bcast(splatF("p127", 127))
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
		ones := GP64()
		MOVQ(I32(-1), ones)
		BZHIQ(n, ones, ones)
		k := K()
		KMOVW(ones.As32(), k)
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
