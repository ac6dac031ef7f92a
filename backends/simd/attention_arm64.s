// Softmax attention micro-kernels for arm64 NEON (the attnK contract of
// attention.go; meanings = the Go twins qkTileGo, softmaxTileGo,
// pvTile6Go, pvTile1Go). Instructions the Go assembler lacks (FMLA/FMLS/FMUL
// by element, vector FADD, FSUB, FMUL, FMAX, FMAXV, FADDP, FRINTN, FCVTZS,
// scalar FMADD) are WORDs with the mnemonic in a comment; ci/check-asm.sh
// decodes each against its comment.

//go:build !purego

#include "textflag.h"

// func qkTileNEON(s, qt, kt []float32, d int, scale float32)
// Four passes of 16 columns; per pass 6x4 accumulators V0-V23 (row i,
// column vector c in V(4i+c)), per t one load of qt[t*8:t*8+8] (V24, V25)
// and of kt[t*64+16c':+16] (V26-V29), 24 FMLA by element.
TEXT ·qkTileNEON(SB), NOSPLIT, $0-84
	MOVD s_base+0(FP), R0
	MOVD qt_base+24(FP), R1
	MOVD kt_base+48(FP), R2
	MOVD d+72(FP), R3
	FMOVS scale+80(FP), F30
	MOVD $256, R4
	MOVD $4, R5
block:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	MOVD R1, R6
	MOVD R2, R7
	MOVD R3, R8
	CBZ R8, store
loop:
	VLD1.P 32(R6), [V24.S4, V25.S4]
	VLD1.P (R7)(R4), [V26.S4, V27.S4, V28.S4, V29.S4]
	WORD $0x4f981340; // fmla v0.4s, v26.4s, v24.s[0]
	WORD $0x4f981361; // fmla v1.4s, v27.4s, v24.s[0]
	WORD $0x4f981382; // fmla v2.4s, v28.4s, v24.s[0]
	WORD $0x4f9813a3; // fmla v3.4s, v29.4s, v24.s[0]
	WORD $0x4fb81344; // fmla v4.4s, v26.4s, v24.s[1]
	WORD $0x4fb81365; // fmla v5.4s, v27.4s, v24.s[1]
	WORD $0x4fb81386; // fmla v6.4s, v28.4s, v24.s[1]
	WORD $0x4fb813a7; // fmla v7.4s, v29.4s, v24.s[1]
	WORD $0x4f981b48; // fmla v8.4s, v26.4s, v24.s[2]
	WORD $0x4f981b69; // fmla v9.4s, v27.4s, v24.s[2]
	WORD $0x4f981b8a; // fmla v10.4s, v28.4s, v24.s[2]
	WORD $0x4f981bab; // fmla v11.4s, v29.4s, v24.s[2]
	WORD $0x4fb81b4c; // fmla v12.4s, v26.4s, v24.s[3]
	WORD $0x4fb81b6d; // fmla v13.4s, v27.4s, v24.s[3]
	WORD $0x4fb81b8e; // fmla v14.4s, v28.4s, v24.s[3]
	WORD $0x4fb81baf; // fmla v15.4s, v29.4s, v24.s[3]
	WORD $0x4f991350; // fmla v16.4s, v26.4s, v25.s[0]
	WORD $0x4f991371; // fmla v17.4s, v27.4s, v25.s[0]
	WORD $0x4f991392; // fmla v18.4s, v28.4s, v25.s[0]
	WORD $0x4f9913b3; // fmla v19.4s, v29.4s, v25.s[0]
	WORD $0x4fb91354; // fmla v20.4s, v26.4s, v25.s[1]
	WORD $0x4fb91375; // fmla v21.4s, v27.4s, v25.s[1]
	WORD $0x4fb91396; // fmla v22.4s, v28.4s, v25.s[1]
	WORD $0x4fb913b7; // fmla v23.4s, v29.4s, v25.s[1]
	SUBS $1, R8, R8
	BNE loop
store:
	WORD $0x4f9e9000; // fmul v0.4s, v0.4s, v30.s[0]
	WORD $0x4f9e9021; // fmul v1.4s, v1.4s, v30.s[0]
	WORD $0x4f9e9042; // fmul v2.4s, v2.4s, v30.s[0]
	WORD $0x4f9e9063; // fmul v3.4s, v3.4s, v30.s[0]
	WORD $0x4f9e9084; // fmul v4.4s, v4.4s, v30.s[0]
	WORD $0x4f9e90a5; // fmul v5.4s, v5.4s, v30.s[0]
	WORD $0x4f9e90c6; // fmul v6.4s, v6.4s, v30.s[0]
	WORD $0x4f9e90e7; // fmul v7.4s, v7.4s, v30.s[0]
	WORD $0x4f9e9108; // fmul v8.4s, v8.4s, v30.s[0]
	WORD $0x4f9e9129; // fmul v9.4s, v9.4s, v30.s[0]
	WORD $0x4f9e914a; // fmul v10.4s, v10.4s, v30.s[0]
	WORD $0x4f9e916b; // fmul v11.4s, v11.4s, v30.s[0]
	WORD $0x4f9e918c; // fmul v12.4s, v12.4s, v30.s[0]
	WORD $0x4f9e91ad; // fmul v13.4s, v13.4s, v30.s[0]
	WORD $0x4f9e91ce; // fmul v14.4s, v14.4s, v30.s[0]
	WORD $0x4f9e91ef; // fmul v15.4s, v15.4s, v30.s[0]
	WORD $0x4f9e9210; // fmul v16.4s, v16.4s, v30.s[0]
	WORD $0x4f9e9231; // fmul v17.4s, v17.4s, v30.s[0]
	WORD $0x4f9e9252; // fmul v18.4s, v18.4s, v30.s[0]
	WORD $0x4f9e9273; // fmul v19.4s, v19.4s, v30.s[0]
	WORD $0x4f9e9294; // fmul v20.4s, v20.4s, v30.s[0]
	WORD $0x4f9e92b5; // fmul v21.4s, v21.4s, v30.s[0]
	WORD $0x4f9e92d6; // fmul v22.4s, v22.4s, v30.s[0]
	WORD $0x4f9e92f7; // fmul v23.4s, v23.4s, v30.s[0]
	MOVD R0, R9
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], (R9)(R4)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], (R9)(R4)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], (R9)(R4)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], (R9)(R4)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], (R9)(R4)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], (R9)(R4)
	ADD $64, R0
	ADD $64, R2
	SUBS $1, R5, R5
	BNE block
	RET

// func softmaxTileNEON(s, m, l, corr []float32)
// Row maxima (parked in corr), then the new maxima and the corrections for
// the six rows as two vectors, then per row exp(s - m) in place (four
// interleaved exp chains of 4 lanes) and l = l*corr + Σ p. exp is expPoly
// with the argument clamped at -110 and 2^n applied as 2^(n+32) * 2^-32
// (exact; arguments here are <= 0), so -Inf and anything below -110 give
// exactly 0 and the results in [-110, -87] are the rounded denormals.
TEXT ·softmaxTileNEON(SB), NOSPLIT, $0-96
	MOVD s_base+0(FP), R0
	MOVD m_base+24(FP), R1
	MOVD l_base+48(FP), R2
	MOVD corr_base+72(FP), R3
	// exp constants: V31 = -110, V30 = 1, V29 = 127+32 (int), V28 = [log2e, ln2hi, ln2lo, 2^-32],
	// V27 = [p0, p1, p2, p3], V26 = [p4, p5] (Cephes expf, as expPoly)
	MOVW $0xc2dc0000, R17
	VDUP R17, V31.S4
	MOVW $0x3f800000, R17
	VDUP R17, V30.S4
	MOVW $0x9f, R17
	VDUP R17, V29.S4
	MOVW $0x3fb8aa3b, R17
	VMOV R17, V28.S[0]
	MOVW $0x3f318000, R17
	VMOV R17, V28.S[1]
	MOVW $0xb95e8083, R17
	VMOV R17, V28.S[2]
	MOVW $0x2f800000, R17
	VMOV R17, V28.S[3]
	MOVW $0x39506967, R17
	VMOV R17, V27.S[0]
	MOVW $0x3ab743ce, R17
	VMOV R17, V27.S[1]
	MOVW $0x3c088908, R17
	VMOV R17, V27.S[2]
	MOVW $0x3d2aa9c1, R17
	VMOV R17, V27.S[3]
	MOVW $0x3e2aaaaa, R17
	VMOV R17, V26.S[0]
	MOVW $0x3f000000, R17
	VMOV R17, V26.S[1]
	MOVD R0, R9
	MOVD R3, R10
	MOVD $6, R11
rowmax:
	VLD1.P 64(R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R9), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R9), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R9), [V12.S4, V13.S4, V14.S4, V15.S4]
	WORD $0x4e28f400; // fmax v0.4s, v0.4s, v8.4s
	WORD $0x4e29f421; // fmax v1.4s, v1.4s, v9.4s
	WORD $0x4e2af442; // fmax v2.4s, v2.4s, v10.4s
	WORD $0x4e2bf463; // fmax v3.4s, v3.4s, v11.4s
	WORD $0x4e2cf484; // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2df4a5; // fmax v5.4s, v5.4s, v13.4s
	WORD $0x4e2ef4c6; // fmax v6.4s, v6.4s, v14.4s
	WORD $0x4e2ff4e7; // fmax v7.4s, v7.4s, v15.4s
	WORD $0x4e24f400; // fmax v0.4s, v0.4s, v4.4s
	WORD $0x4e25f421; // fmax v1.4s, v1.4s, v5.4s
	WORD $0x4e26f442; // fmax v2.4s, v2.4s, v6.4s
	WORD $0x4e27f463; // fmax v3.4s, v3.4s, v7.4s
	WORD $0x4e22f400; // fmax v0.4s, v0.4s, v2.4s
	WORD $0x4e23f421; // fmax v1.4s, v1.4s, v3.4s
	WORD $0x4e21f400; // fmax v0.4s, v0.4s, v1.4s
	WORD $0x6e30f800; // fmaxv s0, v0.4s
	FMOVS.P F0, 4(R10)
	SUBS $1, R11, R11
	BNE rowmax
	// m' = max(m, rowmax); corr = exp(m - m'); rows 0-3 in lanes of V24/V0, 4-5 of V25/V1.
	ADD $16, R3, R12
	ADD $16, R1, R13
	VLD1 (R3), [V24.S4]
	VLD1 (R12), [V25.S2]
	VLD1 (R1), [V0.S4]
	VLD1 (R13), [V1.S2]
	WORD $0x4e20f718; // fmax v24.4s, v24.4s, v0.4s
	WORD $0x4e21f739; // fmax v25.4s, v25.4s, v1.4s
	VST1 [V24.S4], (R1)
	VST1 [V25.S2], (R13)
	WORD $0x4eb8d400; // fsub v0.4s, v0.4s, v24.4s
	WORD $0x4eb9d421; // fsub v1.4s, v1.4s, v25.4s
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	WORD $0x4e3ff421; // fmax v1.4s, v1.4s, v31.4s
	WORD $0x4f9c9004; // fmul v4.4s, v0.4s, v28.s[0]
	WORD $0x4f9c9025; // fmul v5.4s, v1.4s, v28.s[0]
	WORD $0x4e218884; // frintn v4.4s, v4.4s
	WORD $0x4e2188a5; // frintn v5.4s, v5.4s
	WORD $0x4fbc5080; // fmls v0.4s, v4.4s, v28.s[1]
	WORD $0x4fbc50a1; // fmls v1.4s, v5.4s, v28.s[1]
	WORD $0x4f9c5880; // fmls v0.4s, v4.4s, v28.s[2]
	WORD $0x4f9c58a1; // fmls v1.4s, v5.4s, v28.s[2]
	VDUP V27.S[1], V8.S4
	VDUP V27.S[1], V9.S4
	WORD $0x4f9b1008; // fmla v8.4s, v0.4s, v27.s[0]
	WORD $0x4f9b1029; // fmla v9.4s, v1.4s, v27.s[0]
	VDUP V27.S[2], V12.S4
	VDUP V27.S[2], V13.S4
	WORD $0x4e20cd0c; // fmla v12.4s, v8.4s, v0.4s
	WORD $0x4e21cd2d; // fmla v13.4s, v9.4s, v1.4s
	VDUP V27.S[3], V8.S4
	VDUP V27.S[3], V9.S4
	WORD $0x4e20cd88; // fmla v8.4s, v12.4s, v0.4s
	WORD $0x4e21cda9; // fmla v9.4s, v13.4s, v1.4s
	VDUP V26.S[0], V12.S4
	VDUP V26.S[0], V13.S4
	WORD $0x4e20cd0c; // fmla v12.4s, v8.4s, v0.4s
	WORD $0x4e21cd2d; // fmla v13.4s, v9.4s, v1.4s
	VDUP V26.S[1], V8.S4
	VDUP V26.S[1], V9.S4
	WORD $0x4e20cd88; // fmla v8.4s, v12.4s, v0.4s
	WORD $0x4e21cda9; // fmla v9.4s, v13.4s, v1.4s
	WORD $0x6e20dc0c; // fmul v12.4s, v0.4s, v0.4s
	WORD $0x6e21dc2d; // fmul v13.4s, v1.4s, v1.4s
	WORD $0x4e2ccd00; // fmla v0.4s, v8.4s, v12.4s
	WORD $0x4e2dcd21; // fmla v1.4s, v9.4s, v13.4s
	WORD $0x4e3ed400; // fadd v0.4s, v0.4s, v30.4s
	WORD $0x4e3ed421; // fadd v1.4s, v1.4s, v30.4s
	WORD $0x4ea1b884; // fcvtzs v4.4s, v4.4s
	WORD $0x4ea1b8a5; // fcvtzs v5.4s, v5.4s
	VADD V29.S4, V4.S4, V4.S4
	VADD V29.S4, V5.S4, V5.S4
	VSHL $23, V4.S4, V4.S4
	VSHL $23, V5.S4, V5.S4
	WORD $0x6e24dc00; // fmul v0.4s, v0.4s, v4.4s
	WORD $0x6e25dc21; // fmul v1.4s, v1.4s, v5.4s
	WORD $0x4fbc9800; // fmul v0.4s, v0.4s, v28.s[3]
	WORD $0x4fbc9821; // fmul v1.4s, v1.4s, v28.s[3]
	VST1 [V0.S4], (R3)
	VST1 [V1.S2], (R12)
	// Per row: p = exp(s - m') in place, summed in V22.
	MOVD R0, R9
	MOVD R1, R10
	MOVD R2, R11
	MOVD R3, R12
	MOVD $6, R13
row:
	VLD1R.P 4(R10), [V23.S4]
	VEOR V22.B16, V22.B16, V22.B16
	MOVD $4, R14
blk:
	VLD1 (R9), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4eb7d400; // fsub v0.4s, v0.4s, v23.4s
	WORD $0x4eb7d421; // fsub v1.4s, v1.4s, v23.4s
	WORD $0x4eb7d442; // fsub v2.4s, v2.4s, v23.4s
	WORD $0x4eb7d463; // fsub v3.4s, v3.4s, v23.4s
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	WORD $0x4e3ff421; // fmax v1.4s, v1.4s, v31.4s
	WORD $0x4e3ff442; // fmax v2.4s, v2.4s, v31.4s
	WORD $0x4e3ff463; // fmax v3.4s, v3.4s, v31.4s
	WORD $0x4f9c9004; // fmul v4.4s, v0.4s, v28.s[0]
	WORD $0x4f9c9025; // fmul v5.4s, v1.4s, v28.s[0]
	WORD $0x4f9c9046; // fmul v6.4s, v2.4s, v28.s[0]
	WORD $0x4f9c9067; // fmul v7.4s, v3.4s, v28.s[0]
	WORD $0x4e218884; // frintn v4.4s, v4.4s
	WORD $0x4e2188a5; // frintn v5.4s, v5.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	WORD $0x4e2188e7; // frintn v7.4s, v7.4s
	WORD $0x4fbc5080; // fmls v0.4s, v4.4s, v28.s[1]
	WORD $0x4fbc50a1; // fmls v1.4s, v5.4s, v28.s[1]
	WORD $0x4fbc50c2; // fmls v2.4s, v6.4s, v28.s[1]
	WORD $0x4fbc50e3; // fmls v3.4s, v7.4s, v28.s[1]
	WORD $0x4f9c5880; // fmls v0.4s, v4.4s, v28.s[2]
	WORD $0x4f9c58a1; // fmls v1.4s, v5.4s, v28.s[2]
	WORD $0x4f9c58c2; // fmls v2.4s, v6.4s, v28.s[2]
	WORD $0x4f9c58e3; // fmls v3.4s, v7.4s, v28.s[2]
	VDUP V27.S[1], V8.S4
	VDUP V27.S[1], V9.S4
	VDUP V27.S[1], V10.S4
	VDUP V27.S[1], V11.S4
	WORD $0x4f9b1008; // fmla v8.4s, v0.4s, v27.s[0]
	WORD $0x4f9b1029; // fmla v9.4s, v1.4s, v27.s[0]
	WORD $0x4f9b104a; // fmla v10.4s, v2.4s, v27.s[0]
	WORD $0x4f9b106b; // fmla v11.4s, v3.4s, v27.s[0]
	VDUP V27.S[2], V12.S4
	VDUP V27.S[2], V13.S4
	VDUP V27.S[2], V14.S4
	VDUP V27.S[2], V15.S4
	WORD $0x4e20cd0c; // fmla v12.4s, v8.4s, v0.4s
	WORD $0x4e21cd2d; // fmla v13.4s, v9.4s, v1.4s
	WORD $0x4e22cd4e; // fmla v14.4s, v10.4s, v2.4s
	WORD $0x4e23cd6f; // fmla v15.4s, v11.4s, v3.4s
	VDUP V27.S[3], V8.S4
	VDUP V27.S[3], V9.S4
	VDUP V27.S[3], V10.S4
	VDUP V27.S[3], V11.S4
	WORD $0x4e20cd88; // fmla v8.4s, v12.4s, v0.4s
	WORD $0x4e21cda9; // fmla v9.4s, v13.4s, v1.4s
	WORD $0x4e22cdca; // fmla v10.4s, v14.4s, v2.4s
	WORD $0x4e23cdeb; // fmla v11.4s, v15.4s, v3.4s
	VDUP V26.S[0], V12.S4
	VDUP V26.S[0], V13.S4
	VDUP V26.S[0], V14.S4
	VDUP V26.S[0], V15.S4
	WORD $0x4e20cd0c; // fmla v12.4s, v8.4s, v0.4s
	WORD $0x4e21cd2d; // fmla v13.4s, v9.4s, v1.4s
	WORD $0x4e22cd4e; // fmla v14.4s, v10.4s, v2.4s
	WORD $0x4e23cd6f; // fmla v15.4s, v11.4s, v3.4s
	VDUP V26.S[1], V8.S4
	VDUP V26.S[1], V9.S4
	VDUP V26.S[1], V10.S4
	VDUP V26.S[1], V11.S4
	WORD $0x4e20cd88; // fmla v8.4s, v12.4s, v0.4s
	WORD $0x4e21cda9; // fmla v9.4s, v13.4s, v1.4s
	WORD $0x4e22cdca; // fmla v10.4s, v14.4s, v2.4s
	WORD $0x4e23cdeb; // fmla v11.4s, v15.4s, v3.4s
	WORD $0x6e20dc0c; // fmul v12.4s, v0.4s, v0.4s
	WORD $0x6e21dc2d; // fmul v13.4s, v1.4s, v1.4s
	WORD $0x6e22dc4e; // fmul v14.4s, v2.4s, v2.4s
	WORD $0x6e23dc6f; // fmul v15.4s, v3.4s, v3.4s
	WORD $0x4e2ccd00; // fmla v0.4s, v8.4s, v12.4s
	WORD $0x4e2dcd21; // fmla v1.4s, v9.4s, v13.4s
	WORD $0x4e2ecd42; // fmla v2.4s, v10.4s, v14.4s
	WORD $0x4e2fcd63; // fmla v3.4s, v11.4s, v15.4s
	WORD $0x4e3ed400; // fadd v0.4s, v0.4s, v30.4s
	WORD $0x4e3ed421; // fadd v1.4s, v1.4s, v30.4s
	WORD $0x4e3ed442; // fadd v2.4s, v2.4s, v30.4s
	WORD $0x4e3ed463; // fadd v3.4s, v3.4s, v30.4s
	WORD $0x4ea1b884; // fcvtzs v4.4s, v4.4s
	WORD $0x4ea1b8a5; // fcvtzs v5.4s, v5.4s
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	WORD $0x4ea1b8e7; // fcvtzs v7.4s, v7.4s
	VADD V29.S4, V4.S4, V4.S4
	VADD V29.S4, V5.S4, V5.S4
	VADD V29.S4, V6.S4, V6.S4
	VADD V29.S4, V7.S4, V7.S4
	VSHL $23, V4.S4, V4.S4
	VSHL $23, V5.S4, V5.S4
	VSHL $23, V6.S4, V6.S4
	VSHL $23, V7.S4, V7.S4
	WORD $0x6e24dc00; // fmul v0.4s, v0.4s, v4.4s
	WORD $0x6e25dc21; // fmul v1.4s, v1.4s, v5.4s
	WORD $0x6e26dc42; // fmul v2.4s, v2.4s, v6.4s
	WORD $0x6e27dc63; // fmul v3.4s, v3.4s, v7.4s
	WORD $0x4fbc9800; // fmul v0.4s, v0.4s, v28.s[3]
	WORD $0x4fbc9821; // fmul v1.4s, v1.4s, v28.s[3]
	WORD $0x4fbc9842; // fmul v2.4s, v2.4s, v28.s[3]
	WORD $0x4fbc9863; // fmul v3.4s, v3.4s, v28.s[3]
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R9)
	WORD $0x4e21d410; // fadd v16.4s, v0.4s, v1.4s
	WORD $0x4e23d451; // fadd v17.4s, v2.4s, v3.4s
	WORD $0x4e31d610; // fadd v16.4s, v16.4s, v17.4s
	WORD $0x4e30d6d6; // fadd v22.4s, v22.4s, v16.4s
	SUBS $1, R14, R14
	BNE blk
	WORD $0x6e36d6d6; // faddp v22.4s, v22.4s, v22.4s
	WORD $0x7e30dad6; // faddp s22, v22.2s
	FMOVS (R11), F16
	FMOVS.P 4(R12), F17
	WORD $0x1f115a10; // fmadd s16, s16, s17, s22
	FMOVS.P F16, 4(R11)
	SUBS $1, R13, R13
	BNE row
	RET

// func pvTile6x1NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
// Per block of 16 columns: 6x4 accumulators V0-V23 (row i, vector c in
// V(4i+c)) loaded from o and scaled by corr[i]; per 4 keys the six rows
// of P (V24-V29, one row each) and per key one row of V (V30, V31 twice),
// 24 FMLA by element per key. Keys past a multiple of 4 one at a time.
TEXT ·pvTile6x1NEON(SB), NOSPLIT, $0-120
	MOVD o_base+0(FP), R0
	MOVD ldo+24(FP), R1
	LSL $2, R1
	MOVD p_base+32(FP), R2
	MOVD nk+56(FP), R3
	MOVD v_base+64(FP), R4
	MOVD ldv+88(FP), R5
	LSL $2, R5
	MOVD corr_base+96(FP), R6
	SUB $32, R5, R8
	MOVD R0, R10
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD R1, R10
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD R1, R10
	VLD1 (R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	ADD R1, R10
	VLD1 (R10), [V12.S4, V13.S4, V14.S4, V15.S4]
	ADD R1, R10
	VLD1 (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	ADD R1, R10
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	ADD $16, R6, R10
	VLD1 (R6), [V24.S4]
	VLD1 (R10), [V25.S2]
	WORD $0x4f989000; // fmul v0.4s, v0.4s, v24.s[0]
	WORD $0x4f989021; // fmul v1.4s, v1.4s, v24.s[0]
	WORD $0x4f989042; // fmul v2.4s, v2.4s, v24.s[0]
	WORD $0x4f989063; // fmul v3.4s, v3.4s, v24.s[0]
	WORD $0x4fb89084; // fmul v4.4s, v4.4s, v24.s[1]
	WORD $0x4fb890a5; // fmul v5.4s, v5.4s, v24.s[1]
	WORD $0x4fb890c6; // fmul v6.4s, v6.4s, v24.s[1]
	WORD $0x4fb890e7; // fmul v7.4s, v7.4s, v24.s[1]
	WORD $0x4f989908; // fmul v8.4s, v8.4s, v24.s[2]
	WORD $0x4f989929; // fmul v9.4s, v9.4s, v24.s[2]
	WORD $0x4f98994a; // fmul v10.4s, v10.4s, v24.s[2]
	WORD $0x4f98996b; // fmul v11.4s, v11.4s, v24.s[2]
	WORD $0x4fb8998c; // fmul v12.4s, v12.4s, v24.s[3]
	WORD $0x4fb899ad; // fmul v13.4s, v13.4s, v24.s[3]
	WORD $0x4fb899ce; // fmul v14.4s, v14.4s, v24.s[3]
	WORD $0x4fb899ef; // fmul v15.4s, v15.4s, v24.s[3]
	WORD $0x4f999210; // fmul v16.4s, v16.4s, v25.s[0]
	WORD $0x4f999231; // fmul v17.4s, v17.4s, v25.s[0]
	WORD $0x4f999252; // fmul v18.4s, v18.4s, v25.s[0]
	WORD $0x4f999273; // fmul v19.4s, v19.4s, v25.s[0]
	WORD $0x4fb99294; // fmul v20.4s, v20.4s, v25.s[1]
	WORD $0x4fb992b5; // fmul v21.4s, v21.4s, v25.s[1]
	WORD $0x4fb992d6; // fmul v22.4s, v22.4s, v25.s[1]
	WORD $0x4fb992f7; // fmul v23.4s, v23.4s, v25.s[1]
	MOVD R2, R11
	ADD $256, R11, R12
	ADD $512, R11, R13
	ADD $768, R11, R14
	ADD $1024, R11, R15
	ADD $1280, R11, R16
	MOVD R4, R17
	MOVD R3, R19
loop4:
	CMP $4, R19
	BLT tail
	VLD1.P 16(R11), [V24.S4]
	VLD1.P 16(R12), [V25.S4]
	VLD1.P 16(R13), [V26.S4]
	VLD1.P 16(R14), [V27.S4]
	VLD1.P 16(R15), [V28.S4]
	VLD1.P 16(R16), [V29.S4]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb813c0; // fmla v0.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e1; // fmla v1.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c4; // fmla v4.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e5; // fmla v5.4s, v31.4s, v25.s[1]
	WORD $0x4fba13c8; // fmla v8.4s, v30.4s, v26.s[1]
	WORD $0x4fba13e9; // fmla v9.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13cc; // fmla v12.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ed; // fmla v13.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d0; // fmla v16.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f1; // fmla v17.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d4; // fmla v20.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f5; // fmla v21.4s, v31.4s, v29.s[1]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb813c2; // fmla v2.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e3; // fmla v3.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c6; // fmla v6.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e7; // fmla v7.4s, v31.4s, v25.s[1]
	WORD $0x4fba13ca; // fmla v10.4s, v30.4s, v26.s[1]
	WORD $0x4fba13eb; // fmla v11.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13ce; // fmla v14.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ef; // fmla v15.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d2; // fmla v18.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f3; // fmla v19.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d6; // fmla v22.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f7; // fmla v23.4s, v31.4s, v29.s[1]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f981bc0; // fmla v0.4s, v30.4s, v24.s[2]
	WORD $0x4f981be1; // fmla v1.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc4; // fmla v4.4s, v30.4s, v25.s[2]
	WORD $0x4f991be5; // fmla v5.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bc8; // fmla v8.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1be9; // fmla v9.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bcc; // fmla v12.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bed; // fmla v13.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd0; // fmla v16.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf1; // fmla v17.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd4; // fmla v20.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf5; // fmla v21.4s, v31.4s, v29.s[2]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f981bc2; // fmla v2.4s, v30.4s, v24.s[2]
	WORD $0x4f981be3; // fmla v3.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc6; // fmla v6.4s, v30.4s, v25.s[2]
	WORD $0x4f991be7; // fmla v7.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bca; // fmla v10.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1beb; // fmla v11.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bce; // fmla v14.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bef; // fmla v15.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd2; // fmla v18.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf3; // fmla v19.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd6; // fmla v22.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf7; // fmla v23.4s, v31.4s, v29.s[2]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb81bc0; // fmla v0.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be1; // fmla v1.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc4; // fmla v4.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be5; // fmla v5.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bc8; // fmla v8.4s, v30.4s, v26.s[3]
	WORD $0x4fba1be9; // fmla v9.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bcc; // fmla v12.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bed; // fmla v13.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd0; // fmla v16.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf1; // fmla v17.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd4; // fmla v20.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf5; // fmla v21.4s, v31.4s, v29.s[3]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb81bc2; // fmla v2.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be3; // fmla v3.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc6; // fmla v6.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be7; // fmla v7.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bca; // fmla v10.4s, v30.4s, v26.s[3]
	WORD $0x4fba1beb; // fmla v11.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bce; // fmla v14.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bef; // fmla v15.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd2; // fmla v18.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf3; // fmla v19.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd6; // fmla v22.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf7; // fmla v23.4s, v31.4s, v29.s[3]
	SUB $4, R19
	B loop4
tail:
	CBZ R19, store
	FMOVS.P 4(R11), F24
	FMOVS.P 4(R12), F25
	FMOVS.P 4(R13), F26
	FMOVS.P 4(R14), F27
	FMOVS.P 4(R15), F28
	FMOVS.P 4(R16), F29
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	SUB $1, R19
	B tail
store:
	MOVD R0, R10
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD R1, R10
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD R1, R10
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R10)
	ADD R1, R10
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R10)
	ADD R1, R10
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	ADD R1, R10
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R10)
	RET

// func pvTile6x2NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
TEXT ·pvTile6x2NEON(SB), NOSPLIT, $0-120
	MOVD o_base+0(FP), R0
	MOVD ldo+24(FP), R1
	LSL $2, R1
	MOVD p_base+32(FP), R2
	MOVD nk+56(FP), R3
	MOVD v_base+64(FP), R4
	MOVD ldv+88(FP), R5
	LSL $2, R5
	MOVD corr_base+96(FP), R6
	SUB $32, R5, R8
	MOVD $2, R7
block:
	MOVD R0, R10
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD R1, R10
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD R1, R10
	VLD1 (R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	ADD R1, R10
	VLD1 (R10), [V12.S4, V13.S4, V14.S4, V15.S4]
	ADD R1, R10
	VLD1 (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	ADD R1, R10
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	ADD $16, R6, R10
	VLD1 (R6), [V24.S4]
	VLD1 (R10), [V25.S2]
	WORD $0x4f989000; // fmul v0.4s, v0.4s, v24.s[0]
	WORD $0x4f989021; // fmul v1.4s, v1.4s, v24.s[0]
	WORD $0x4f989042; // fmul v2.4s, v2.4s, v24.s[0]
	WORD $0x4f989063; // fmul v3.4s, v3.4s, v24.s[0]
	WORD $0x4fb89084; // fmul v4.4s, v4.4s, v24.s[1]
	WORD $0x4fb890a5; // fmul v5.4s, v5.4s, v24.s[1]
	WORD $0x4fb890c6; // fmul v6.4s, v6.4s, v24.s[1]
	WORD $0x4fb890e7; // fmul v7.4s, v7.4s, v24.s[1]
	WORD $0x4f989908; // fmul v8.4s, v8.4s, v24.s[2]
	WORD $0x4f989929; // fmul v9.4s, v9.4s, v24.s[2]
	WORD $0x4f98994a; // fmul v10.4s, v10.4s, v24.s[2]
	WORD $0x4f98996b; // fmul v11.4s, v11.4s, v24.s[2]
	WORD $0x4fb8998c; // fmul v12.4s, v12.4s, v24.s[3]
	WORD $0x4fb899ad; // fmul v13.4s, v13.4s, v24.s[3]
	WORD $0x4fb899ce; // fmul v14.4s, v14.4s, v24.s[3]
	WORD $0x4fb899ef; // fmul v15.4s, v15.4s, v24.s[3]
	WORD $0x4f999210; // fmul v16.4s, v16.4s, v25.s[0]
	WORD $0x4f999231; // fmul v17.4s, v17.4s, v25.s[0]
	WORD $0x4f999252; // fmul v18.4s, v18.4s, v25.s[0]
	WORD $0x4f999273; // fmul v19.4s, v19.4s, v25.s[0]
	WORD $0x4fb99294; // fmul v20.4s, v20.4s, v25.s[1]
	WORD $0x4fb992b5; // fmul v21.4s, v21.4s, v25.s[1]
	WORD $0x4fb992d6; // fmul v22.4s, v22.4s, v25.s[1]
	WORD $0x4fb992f7; // fmul v23.4s, v23.4s, v25.s[1]
	MOVD R2, R11
	ADD $256, R11, R12
	ADD $512, R11, R13
	ADD $768, R11, R14
	ADD $1024, R11, R15
	ADD $1280, R11, R16
	MOVD R4, R17
	MOVD R3, R19
loop4:
	CMP $4, R19
	BLT tail
	VLD1.P 16(R11), [V24.S4]
	VLD1.P 16(R12), [V25.S4]
	VLD1.P 16(R13), [V26.S4]
	VLD1.P 16(R14), [V27.S4]
	VLD1.P 16(R15), [V28.S4]
	VLD1.P 16(R16), [V29.S4]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb813c0; // fmla v0.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e1; // fmla v1.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c4; // fmla v4.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e5; // fmla v5.4s, v31.4s, v25.s[1]
	WORD $0x4fba13c8; // fmla v8.4s, v30.4s, v26.s[1]
	WORD $0x4fba13e9; // fmla v9.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13cc; // fmla v12.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ed; // fmla v13.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d0; // fmla v16.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f1; // fmla v17.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d4; // fmla v20.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f5; // fmla v21.4s, v31.4s, v29.s[1]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb813c2; // fmla v2.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e3; // fmla v3.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c6; // fmla v6.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e7; // fmla v7.4s, v31.4s, v25.s[1]
	WORD $0x4fba13ca; // fmla v10.4s, v30.4s, v26.s[1]
	WORD $0x4fba13eb; // fmla v11.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13ce; // fmla v14.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ef; // fmla v15.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d2; // fmla v18.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f3; // fmla v19.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d6; // fmla v22.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f7; // fmla v23.4s, v31.4s, v29.s[1]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f981bc0; // fmla v0.4s, v30.4s, v24.s[2]
	WORD $0x4f981be1; // fmla v1.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc4; // fmla v4.4s, v30.4s, v25.s[2]
	WORD $0x4f991be5; // fmla v5.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bc8; // fmla v8.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1be9; // fmla v9.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bcc; // fmla v12.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bed; // fmla v13.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd0; // fmla v16.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf1; // fmla v17.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd4; // fmla v20.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf5; // fmla v21.4s, v31.4s, v29.s[2]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f981bc2; // fmla v2.4s, v30.4s, v24.s[2]
	WORD $0x4f981be3; // fmla v3.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc6; // fmla v6.4s, v30.4s, v25.s[2]
	WORD $0x4f991be7; // fmla v7.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bca; // fmla v10.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1beb; // fmla v11.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bce; // fmla v14.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bef; // fmla v15.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd2; // fmla v18.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf3; // fmla v19.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd6; // fmla v22.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf7; // fmla v23.4s, v31.4s, v29.s[2]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb81bc0; // fmla v0.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be1; // fmla v1.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc4; // fmla v4.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be5; // fmla v5.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bc8; // fmla v8.4s, v30.4s, v26.s[3]
	WORD $0x4fba1be9; // fmla v9.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bcc; // fmla v12.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bed; // fmla v13.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd0; // fmla v16.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf1; // fmla v17.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd4; // fmla v20.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf5; // fmla v21.4s, v31.4s, v29.s[3]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb81bc2; // fmla v2.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be3; // fmla v3.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc6; // fmla v6.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be7; // fmla v7.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bca; // fmla v10.4s, v30.4s, v26.s[3]
	WORD $0x4fba1beb; // fmla v11.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bce; // fmla v14.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bef; // fmla v15.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd2; // fmla v18.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf3; // fmla v19.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd6; // fmla v22.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf7; // fmla v23.4s, v31.4s, v29.s[3]
	SUB $4, R19
	B loop4
tail:
	CBZ R19, store
	FMOVS.P 4(R11), F24
	FMOVS.P 4(R12), F25
	FMOVS.P 4(R13), F26
	FMOVS.P 4(R14), F27
	FMOVS.P 4(R15), F28
	FMOVS.P 4(R16), F29
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	SUB $1, R19
	B tail
store:
	MOVD R0, R10
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD R1, R10
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD R1, R10
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R10)
	ADD R1, R10
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R10)
	ADD R1, R10
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	ADD R1, R10
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R10)
	ADD $64, R0
	ADD $64, R4
	SUBS $1, R7, R7
	BNE block
	RET

// func pvTile6x3NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
TEXT ·pvTile6x3NEON(SB), NOSPLIT, $0-120
	MOVD o_base+0(FP), R0
	MOVD ldo+24(FP), R1
	LSL $2, R1
	MOVD p_base+32(FP), R2
	MOVD nk+56(FP), R3
	MOVD v_base+64(FP), R4
	MOVD ldv+88(FP), R5
	LSL $2, R5
	MOVD corr_base+96(FP), R6
	SUB $32, R5, R8
	MOVD $3, R7
block:
	MOVD R0, R10
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD R1, R10
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD R1, R10
	VLD1 (R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	ADD R1, R10
	VLD1 (R10), [V12.S4, V13.S4, V14.S4, V15.S4]
	ADD R1, R10
	VLD1 (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	ADD R1, R10
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	ADD $16, R6, R10
	VLD1 (R6), [V24.S4]
	VLD1 (R10), [V25.S2]
	WORD $0x4f989000; // fmul v0.4s, v0.4s, v24.s[0]
	WORD $0x4f989021; // fmul v1.4s, v1.4s, v24.s[0]
	WORD $0x4f989042; // fmul v2.4s, v2.4s, v24.s[0]
	WORD $0x4f989063; // fmul v3.4s, v3.4s, v24.s[0]
	WORD $0x4fb89084; // fmul v4.4s, v4.4s, v24.s[1]
	WORD $0x4fb890a5; // fmul v5.4s, v5.4s, v24.s[1]
	WORD $0x4fb890c6; // fmul v6.4s, v6.4s, v24.s[1]
	WORD $0x4fb890e7; // fmul v7.4s, v7.4s, v24.s[1]
	WORD $0x4f989908; // fmul v8.4s, v8.4s, v24.s[2]
	WORD $0x4f989929; // fmul v9.4s, v9.4s, v24.s[2]
	WORD $0x4f98994a; // fmul v10.4s, v10.4s, v24.s[2]
	WORD $0x4f98996b; // fmul v11.4s, v11.4s, v24.s[2]
	WORD $0x4fb8998c; // fmul v12.4s, v12.4s, v24.s[3]
	WORD $0x4fb899ad; // fmul v13.4s, v13.4s, v24.s[3]
	WORD $0x4fb899ce; // fmul v14.4s, v14.4s, v24.s[3]
	WORD $0x4fb899ef; // fmul v15.4s, v15.4s, v24.s[3]
	WORD $0x4f999210; // fmul v16.4s, v16.4s, v25.s[0]
	WORD $0x4f999231; // fmul v17.4s, v17.4s, v25.s[0]
	WORD $0x4f999252; // fmul v18.4s, v18.4s, v25.s[0]
	WORD $0x4f999273; // fmul v19.4s, v19.4s, v25.s[0]
	WORD $0x4fb99294; // fmul v20.4s, v20.4s, v25.s[1]
	WORD $0x4fb992b5; // fmul v21.4s, v21.4s, v25.s[1]
	WORD $0x4fb992d6; // fmul v22.4s, v22.4s, v25.s[1]
	WORD $0x4fb992f7; // fmul v23.4s, v23.4s, v25.s[1]
	MOVD R2, R11
	ADD $256, R11, R12
	ADD $512, R11, R13
	ADD $768, R11, R14
	ADD $1024, R11, R15
	ADD $1280, R11, R16
	MOVD R4, R17
	MOVD R3, R19
loop4:
	CMP $4, R19
	BLT tail
	VLD1.P 16(R11), [V24.S4]
	VLD1.P 16(R12), [V25.S4]
	VLD1.P 16(R13), [V26.S4]
	VLD1.P 16(R14), [V27.S4]
	VLD1.P 16(R15), [V28.S4]
	VLD1.P 16(R16), [V29.S4]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb813c0; // fmla v0.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e1; // fmla v1.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c4; // fmla v4.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e5; // fmla v5.4s, v31.4s, v25.s[1]
	WORD $0x4fba13c8; // fmla v8.4s, v30.4s, v26.s[1]
	WORD $0x4fba13e9; // fmla v9.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13cc; // fmla v12.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ed; // fmla v13.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d0; // fmla v16.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f1; // fmla v17.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d4; // fmla v20.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f5; // fmla v21.4s, v31.4s, v29.s[1]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb813c2; // fmla v2.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e3; // fmla v3.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c6; // fmla v6.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e7; // fmla v7.4s, v31.4s, v25.s[1]
	WORD $0x4fba13ca; // fmla v10.4s, v30.4s, v26.s[1]
	WORD $0x4fba13eb; // fmla v11.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13ce; // fmla v14.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ef; // fmla v15.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d2; // fmla v18.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f3; // fmla v19.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d6; // fmla v22.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f7; // fmla v23.4s, v31.4s, v29.s[1]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f981bc0; // fmla v0.4s, v30.4s, v24.s[2]
	WORD $0x4f981be1; // fmla v1.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc4; // fmla v4.4s, v30.4s, v25.s[2]
	WORD $0x4f991be5; // fmla v5.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bc8; // fmla v8.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1be9; // fmla v9.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bcc; // fmla v12.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bed; // fmla v13.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd0; // fmla v16.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf1; // fmla v17.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd4; // fmla v20.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf5; // fmla v21.4s, v31.4s, v29.s[2]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f981bc2; // fmla v2.4s, v30.4s, v24.s[2]
	WORD $0x4f981be3; // fmla v3.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc6; // fmla v6.4s, v30.4s, v25.s[2]
	WORD $0x4f991be7; // fmla v7.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bca; // fmla v10.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1beb; // fmla v11.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bce; // fmla v14.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bef; // fmla v15.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd2; // fmla v18.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf3; // fmla v19.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd6; // fmla v22.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf7; // fmla v23.4s, v31.4s, v29.s[2]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb81bc0; // fmla v0.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be1; // fmla v1.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc4; // fmla v4.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be5; // fmla v5.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bc8; // fmla v8.4s, v30.4s, v26.s[3]
	WORD $0x4fba1be9; // fmla v9.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bcc; // fmla v12.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bed; // fmla v13.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd0; // fmla v16.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf1; // fmla v17.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd4; // fmla v20.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf5; // fmla v21.4s, v31.4s, v29.s[3]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb81bc2; // fmla v2.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be3; // fmla v3.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc6; // fmla v6.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be7; // fmla v7.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bca; // fmla v10.4s, v30.4s, v26.s[3]
	WORD $0x4fba1beb; // fmla v11.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bce; // fmla v14.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bef; // fmla v15.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd2; // fmla v18.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf3; // fmla v19.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd6; // fmla v22.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf7; // fmla v23.4s, v31.4s, v29.s[3]
	SUB $4, R19
	B loop4
tail:
	CBZ R19, store
	FMOVS.P 4(R11), F24
	FMOVS.P 4(R12), F25
	FMOVS.P 4(R13), F26
	FMOVS.P 4(R14), F27
	FMOVS.P 4(R15), F28
	FMOVS.P 4(R16), F29
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	SUB $1, R19
	B tail
store:
	MOVD R0, R10
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD R1, R10
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD R1, R10
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R10)
	ADD R1, R10
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R10)
	ADD R1, R10
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	ADD R1, R10
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R10)
	ADD $64, R0
	ADD $64, R4
	SUBS $1, R7, R7
	BNE block
	RET

// func pvTile6x4NEON(o []float32, ldo int, p []float32, nk int, v []float32, ldv int, corr []float32)
TEXT ·pvTile6x4NEON(SB), NOSPLIT, $0-120
	MOVD o_base+0(FP), R0
	MOVD ldo+24(FP), R1
	LSL $2, R1
	MOVD p_base+32(FP), R2
	MOVD nk+56(FP), R3
	MOVD v_base+64(FP), R4
	MOVD ldv+88(FP), R5
	LSL $2, R5
	MOVD corr_base+96(FP), R6
	SUB $32, R5, R8
	MOVD $4, R7
block:
	MOVD R0, R10
	VLD1 (R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	ADD R1, R10
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD R1, R10
	VLD1 (R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	ADD R1, R10
	VLD1 (R10), [V12.S4, V13.S4, V14.S4, V15.S4]
	ADD R1, R10
	VLD1 (R10), [V16.S4, V17.S4, V18.S4, V19.S4]
	ADD R1, R10
	VLD1 (R10), [V20.S4, V21.S4, V22.S4, V23.S4]
	ADD $16, R6, R10
	VLD1 (R6), [V24.S4]
	VLD1 (R10), [V25.S2]
	WORD $0x4f989000; // fmul v0.4s, v0.4s, v24.s[0]
	WORD $0x4f989021; // fmul v1.4s, v1.4s, v24.s[0]
	WORD $0x4f989042; // fmul v2.4s, v2.4s, v24.s[0]
	WORD $0x4f989063; // fmul v3.4s, v3.4s, v24.s[0]
	WORD $0x4fb89084; // fmul v4.4s, v4.4s, v24.s[1]
	WORD $0x4fb890a5; // fmul v5.4s, v5.4s, v24.s[1]
	WORD $0x4fb890c6; // fmul v6.4s, v6.4s, v24.s[1]
	WORD $0x4fb890e7; // fmul v7.4s, v7.4s, v24.s[1]
	WORD $0x4f989908; // fmul v8.4s, v8.4s, v24.s[2]
	WORD $0x4f989929; // fmul v9.4s, v9.4s, v24.s[2]
	WORD $0x4f98994a; // fmul v10.4s, v10.4s, v24.s[2]
	WORD $0x4f98996b; // fmul v11.4s, v11.4s, v24.s[2]
	WORD $0x4fb8998c; // fmul v12.4s, v12.4s, v24.s[3]
	WORD $0x4fb899ad; // fmul v13.4s, v13.4s, v24.s[3]
	WORD $0x4fb899ce; // fmul v14.4s, v14.4s, v24.s[3]
	WORD $0x4fb899ef; // fmul v15.4s, v15.4s, v24.s[3]
	WORD $0x4f999210; // fmul v16.4s, v16.4s, v25.s[0]
	WORD $0x4f999231; // fmul v17.4s, v17.4s, v25.s[0]
	WORD $0x4f999252; // fmul v18.4s, v18.4s, v25.s[0]
	WORD $0x4f999273; // fmul v19.4s, v19.4s, v25.s[0]
	WORD $0x4fb99294; // fmul v20.4s, v20.4s, v25.s[1]
	WORD $0x4fb992b5; // fmul v21.4s, v21.4s, v25.s[1]
	WORD $0x4fb992d6; // fmul v22.4s, v22.4s, v25.s[1]
	WORD $0x4fb992f7; // fmul v23.4s, v23.4s, v25.s[1]
	MOVD R2, R11
	ADD $256, R11, R12
	ADD $512, R11, R13
	ADD $768, R11, R14
	ADD $1024, R11, R15
	ADD $1280, R11, R16
	MOVD R4, R17
	MOVD R3, R19
loop4:
	CMP $4, R19
	BLT tail
	VLD1.P 16(R11), [V24.S4]
	VLD1.P 16(R12), [V25.S4]
	VLD1.P 16(R13), [V26.S4]
	VLD1.P 16(R14), [V27.S4]
	VLD1.P 16(R15), [V28.S4]
	VLD1.P 16(R16), [V29.S4]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb813c0; // fmla v0.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e1; // fmla v1.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c4; // fmla v4.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e5; // fmla v5.4s, v31.4s, v25.s[1]
	WORD $0x4fba13c8; // fmla v8.4s, v30.4s, v26.s[1]
	WORD $0x4fba13e9; // fmla v9.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13cc; // fmla v12.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ed; // fmla v13.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d0; // fmla v16.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f1; // fmla v17.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d4; // fmla v20.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f5; // fmla v21.4s, v31.4s, v29.s[1]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb813c2; // fmla v2.4s, v30.4s, v24.s[1]
	WORD $0x4fb813e3; // fmla v3.4s, v31.4s, v24.s[1]
	WORD $0x4fb913c6; // fmla v6.4s, v30.4s, v25.s[1]
	WORD $0x4fb913e7; // fmla v7.4s, v31.4s, v25.s[1]
	WORD $0x4fba13ca; // fmla v10.4s, v30.4s, v26.s[1]
	WORD $0x4fba13eb; // fmla v11.4s, v31.4s, v26.s[1]
	WORD $0x4fbb13ce; // fmla v14.4s, v30.4s, v27.s[1]
	WORD $0x4fbb13ef; // fmla v15.4s, v31.4s, v27.s[1]
	WORD $0x4fbc13d2; // fmla v18.4s, v30.4s, v28.s[1]
	WORD $0x4fbc13f3; // fmla v19.4s, v31.4s, v28.s[1]
	WORD $0x4fbd13d6; // fmla v22.4s, v30.4s, v29.s[1]
	WORD $0x4fbd13f7; // fmla v23.4s, v31.4s, v29.s[1]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f981bc0; // fmla v0.4s, v30.4s, v24.s[2]
	WORD $0x4f981be1; // fmla v1.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc4; // fmla v4.4s, v30.4s, v25.s[2]
	WORD $0x4f991be5; // fmla v5.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bc8; // fmla v8.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1be9; // fmla v9.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bcc; // fmla v12.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bed; // fmla v13.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd0; // fmla v16.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf1; // fmla v17.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd4; // fmla v20.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf5; // fmla v21.4s, v31.4s, v29.s[2]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f981bc2; // fmla v2.4s, v30.4s, v24.s[2]
	WORD $0x4f981be3; // fmla v3.4s, v31.4s, v24.s[2]
	WORD $0x4f991bc6; // fmla v6.4s, v30.4s, v25.s[2]
	WORD $0x4f991be7; // fmla v7.4s, v31.4s, v25.s[2]
	WORD $0x4f9a1bca; // fmla v10.4s, v30.4s, v26.s[2]
	WORD $0x4f9a1beb; // fmla v11.4s, v31.4s, v26.s[2]
	WORD $0x4f9b1bce; // fmla v14.4s, v30.4s, v27.s[2]
	WORD $0x4f9b1bef; // fmla v15.4s, v31.4s, v27.s[2]
	WORD $0x4f9c1bd2; // fmla v18.4s, v30.4s, v28.s[2]
	WORD $0x4f9c1bf3; // fmla v19.4s, v31.4s, v28.s[2]
	WORD $0x4f9d1bd6; // fmla v22.4s, v30.4s, v29.s[2]
	WORD $0x4f9d1bf7; // fmla v23.4s, v31.4s, v29.s[2]
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4fb81bc0; // fmla v0.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be1; // fmla v1.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc4; // fmla v4.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be5; // fmla v5.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bc8; // fmla v8.4s, v30.4s, v26.s[3]
	WORD $0x4fba1be9; // fmla v9.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bcc; // fmla v12.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bed; // fmla v13.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd0; // fmla v16.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf1; // fmla v17.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd4; // fmla v20.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf5; // fmla v21.4s, v31.4s, v29.s[3]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4fb81bc2; // fmla v2.4s, v30.4s, v24.s[3]
	WORD $0x4fb81be3; // fmla v3.4s, v31.4s, v24.s[3]
	WORD $0x4fb91bc6; // fmla v6.4s, v30.4s, v25.s[3]
	WORD $0x4fb91be7; // fmla v7.4s, v31.4s, v25.s[3]
	WORD $0x4fba1bca; // fmla v10.4s, v30.4s, v26.s[3]
	WORD $0x4fba1beb; // fmla v11.4s, v31.4s, v26.s[3]
	WORD $0x4fbb1bce; // fmla v14.4s, v30.4s, v27.s[3]
	WORD $0x4fbb1bef; // fmla v15.4s, v31.4s, v27.s[3]
	WORD $0x4fbc1bd2; // fmla v18.4s, v30.4s, v28.s[3]
	WORD $0x4fbc1bf3; // fmla v19.4s, v31.4s, v28.s[3]
	WORD $0x4fbd1bd6; // fmla v22.4s, v30.4s, v29.s[3]
	WORD $0x4fbd1bf7; // fmla v23.4s, v31.4s, v29.s[3]
	SUB $4, R19
	B loop4
tail:
	CBZ R19, store
	FMOVS.P 4(R11), F24
	FMOVS.P 4(R12), F25
	FMOVS.P 4(R13), F26
	FMOVS.P 4(R14), F27
	FMOVS.P 4(R15), F28
	FMOVS.P 4(R16), F29
	VLD1.P 32(R17), [V30.S4, V31.S4]
	WORD $0x4f9813c0; // fmla v0.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e1; // fmla v1.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c4; // fmla v4.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e5; // fmla v5.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13c8; // fmla v8.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13e9; // fmla v9.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13cc; // fmla v12.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ed; // fmla v13.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d0; // fmla v16.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f1; // fmla v17.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d4; // fmla v20.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f5; // fmla v21.4s, v31.4s, v29.s[0]
	VLD1.P (R17)(R8), [V30.S4, V31.S4]
	WORD $0x4f9813c2; // fmla v2.4s, v30.4s, v24.s[0]
	WORD $0x4f9813e3; // fmla v3.4s, v31.4s, v24.s[0]
	WORD $0x4f9913c6; // fmla v6.4s, v30.4s, v25.s[0]
	WORD $0x4f9913e7; // fmla v7.4s, v31.4s, v25.s[0]
	WORD $0x4f9a13ca; // fmla v10.4s, v30.4s, v26.s[0]
	WORD $0x4f9a13eb; // fmla v11.4s, v31.4s, v26.s[0]
	WORD $0x4f9b13ce; // fmla v14.4s, v30.4s, v27.s[0]
	WORD $0x4f9b13ef; // fmla v15.4s, v31.4s, v27.s[0]
	WORD $0x4f9c13d2; // fmla v18.4s, v30.4s, v28.s[0]
	WORD $0x4f9c13f3; // fmla v19.4s, v31.4s, v28.s[0]
	WORD $0x4f9d13d6; // fmla v22.4s, v30.4s, v29.s[0]
	WORD $0x4f9d13f7; // fmla v23.4s, v31.4s, v29.s[0]
	SUB $1, R19
	B tail
store:
	MOVD R0, R10
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R10)
	ADD R1, R10
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R10)
	ADD R1, R10
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R10)
	ADD R1, R10
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R10)
	ADD R1, R10
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R10)
	ADD R1, R10
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R10)
	ADD $64, R0
	ADD $64, R4
	SUBS $1, R7, R7
	BNE block
	RET

// func pvTile1x1NEON(o []float32, p []float32, nk int, v []float32, ldv int)
// Accumulators V0-V(4nz-1) = o[0:16nz]; per 4 keys one load of P (V24), per
// key the row of V in groups of 4 vectors (V16-V19, V20-V23 alternating)
// and 4nz FMLA by element.
TEXT ·pvTile1x1NEON(SB), NOSPLIT, $0-88
	MOVD o_base+0(FP), R0
	MOVD p_base+24(FP), R2
	MOVD nk+48(FP), R3
	MOVD v_base+56(FP), R4
	MOVD ldv+80(FP), R5
	LSL $2, R5
	MOVD R0, R10
	VLD1.P 64(R10), [V0.S4, V1.S4, V2.S4, V3.S4]
loop4:
	CMP $4, R3
	BLT tail
	VLD1.P 16(R2), [V24.S4]
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81200; // fmla v0.4s, v16.4s, v24.s[1]
	WORD $0x4fb81221; // fmla v1.4s, v17.4s, v24.s[1]
	WORD $0x4fb81242; // fmla v2.4s, v18.4s, v24.s[1]
	WORD $0x4fb81263; // fmla v3.4s, v19.4s, v24.s[1]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a00; // fmla v0.4s, v16.4s, v24.s[2]
	WORD $0x4f981a21; // fmla v1.4s, v17.4s, v24.s[2]
	WORD $0x4f981a42; // fmla v2.4s, v18.4s, v24.s[2]
	WORD $0x4f981a63; // fmla v3.4s, v19.4s, v24.s[2]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a00; // fmla v0.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a21; // fmla v1.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a42; // fmla v2.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a63; // fmla v3.4s, v19.4s, v24.s[3]
	ADD R5, R4
	SUB $4, R3
	B loop4
tail:
	CBZ R3, store
	FMOVS.P 4(R2), F24
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	ADD R5, R4
	SUB $1, R3
	B tail
store:
	MOVD R0, R10
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	RET

// func pvTile1x2NEON(o []float32, p []float32, nk int, v []float32, ldv int)
TEXT ·pvTile1x2NEON(SB), NOSPLIT, $0-88
	MOVD o_base+0(FP), R0
	MOVD p_base+24(FP), R2
	MOVD nk+48(FP), R3
	MOVD v_base+56(FP), R4
	MOVD ldv+80(FP), R5
	LSL $2, R5
	MOVD R0, R10
	VLD1.P 64(R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R10), [V4.S4, V5.S4, V6.S4, V7.S4]
loop4:
	CMP $4, R3
	BLT tail
	VLD1.P 16(R2), [V24.S4]
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81200; // fmla v0.4s, v16.4s, v24.s[1]
	WORD $0x4fb81221; // fmla v1.4s, v17.4s, v24.s[1]
	WORD $0x4fb81242; // fmla v2.4s, v18.4s, v24.s[1]
	WORD $0x4fb81263; // fmla v3.4s, v19.4s, v24.s[1]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81284; // fmla v4.4s, v20.4s, v24.s[1]
	WORD $0x4fb812a5; // fmla v5.4s, v21.4s, v24.s[1]
	WORD $0x4fb812c6; // fmla v6.4s, v22.4s, v24.s[1]
	WORD $0x4fb812e7; // fmla v7.4s, v23.4s, v24.s[1]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a00; // fmla v0.4s, v16.4s, v24.s[2]
	WORD $0x4f981a21; // fmla v1.4s, v17.4s, v24.s[2]
	WORD $0x4f981a42; // fmla v2.4s, v18.4s, v24.s[2]
	WORD $0x4f981a63; // fmla v3.4s, v19.4s, v24.s[2]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981a84; // fmla v4.4s, v20.4s, v24.s[2]
	WORD $0x4f981aa5; // fmla v5.4s, v21.4s, v24.s[2]
	WORD $0x4f981ac6; // fmla v6.4s, v22.4s, v24.s[2]
	WORD $0x4f981ae7; // fmla v7.4s, v23.4s, v24.s[2]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a00; // fmla v0.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a21; // fmla v1.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a42; // fmla v2.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a63; // fmla v3.4s, v19.4s, v24.s[3]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81a84; // fmla v4.4s, v20.4s, v24.s[3]
	WORD $0x4fb81aa5; // fmla v5.4s, v21.4s, v24.s[3]
	WORD $0x4fb81ac6; // fmla v6.4s, v22.4s, v24.s[3]
	WORD $0x4fb81ae7; // fmla v7.4s, v23.4s, v24.s[3]
	ADD R5, R4
	SUB $4, R3
	B loop4
tail:
	CBZ R3, store
	FMOVS.P 4(R2), F24
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	ADD R5, R4
	SUB $1, R3
	B tail
store:
	MOVD R0, R10
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R10)
	RET

// func pvTile1x3NEON(o []float32, p []float32, nk int, v []float32, ldv int)
TEXT ·pvTile1x3NEON(SB), NOSPLIT, $0-88
	MOVD o_base+0(FP), R0
	MOVD p_base+24(FP), R2
	MOVD nk+48(FP), R3
	MOVD v_base+56(FP), R4
	MOVD ldv+80(FP), R5
	LSL $2, R5
	MOVD R0, R10
	VLD1.P 64(R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R10), [V8.S4, V9.S4, V10.S4, V11.S4]
loop4:
	CMP $4, R3
	BLT tail
	VLD1.P 16(R2), [V24.S4]
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981208; // fmla v8.4s, v16.4s, v24.s[0]
	WORD $0x4f981229; // fmla v9.4s, v17.4s, v24.s[0]
	WORD $0x4f98124a; // fmla v10.4s, v18.4s, v24.s[0]
	WORD $0x4f98126b; // fmla v11.4s, v19.4s, v24.s[0]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81200; // fmla v0.4s, v16.4s, v24.s[1]
	WORD $0x4fb81221; // fmla v1.4s, v17.4s, v24.s[1]
	WORD $0x4fb81242; // fmla v2.4s, v18.4s, v24.s[1]
	WORD $0x4fb81263; // fmla v3.4s, v19.4s, v24.s[1]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81284; // fmla v4.4s, v20.4s, v24.s[1]
	WORD $0x4fb812a5; // fmla v5.4s, v21.4s, v24.s[1]
	WORD $0x4fb812c6; // fmla v6.4s, v22.4s, v24.s[1]
	WORD $0x4fb812e7; // fmla v7.4s, v23.4s, v24.s[1]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81208; // fmla v8.4s, v16.4s, v24.s[1]
	WORD $0x4fb81229; // fmla v9.4s, v17.4s, v24.s[1]
	WORD $0x4fb8124a; // fmla v10.4s, v18.4s, v24.s[1]
	WORD $0x4fb8126b; // fmla v11.4s, v19.4s, v24.s[1]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a00; // fmla v0.4s, v16.4s, v24.s[2]
	WORD $0x4f981a21; // fmla v1.4s, v17.4s, v24.s[2]
	WORD $0x4f981a42; // fmla v2.4s, v18.4s, v24.s[2]
	WORD $0x4f981a63; // fmla v3.4s, v19.4s, v24.s[2]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981a84; // fmla v4.4s, v20.4s, v24.s[2]
	WORD $0x4f981aa5; // fmla v5.4s, v21.4s, v24.s[2]
	WORD $0x4f981ac6; // fmla v6.4s, v22.4s, v24.s[2]
	WORD $0x4f981ae7; // fmla v7.4s, v23.4s, v24.s[2]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a08; // fmla v8.4s, v16.4s, v24.s[2]
	WORD $0x4f981a29; // fmla v9.4s, v17.4s, v24.s[2]
	WORD $0x4f981a4a; // fmla v10.4s, v18.4s, v24.s[2]
	WORD $0x4f981a6b; // fmla v11.4s, v19.4s, v24.s[2]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a00; // fmla v0.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a21; // fmla v1.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a42; // fmla v2.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a63; // fmla v3.4s, v19.4s, v24.s[3]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81a84; // fmla v4.4s, v20.4s, v24.s[3]
	WORD $0x4fb81aa5; // fmla v5.4s, v21.4s, v24.s[3]
	WORD $0x4fb81ac6; // fmla v6.4s, v22.4s, v24.s[3]
	WORD $0x4fb81ae7; // fmla v7.4s, v23.4s, v24.s[3]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a08; // fmla v8.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a29; // fmla v9.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a4a; // fmla v10.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a6b; // fmla v11.4s, v19.4s, v24.s[3]
	ADD R5, R4
	SUB $4, R3
	B loop4
tail:
	CBZ R3, store
	FMOVS.P 4(R2), F24
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981208; // fmla v8.4s, v16.4s, v24.s[0]
	WORD $0x4f981229; // fmla v9.4s, v17.4s, v24.s[0]
	WORD $0x4f98124a; // fmla v10.4s, v18.4s, v24.s[0]
	WORD $0x4f98126b; // fmla v11.4s, v19.4s, v24.s[0]
	ADD R5, R4
	SUB $1, R3
	B tail
store:
	MOVD R0, R10
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R10)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R10)
	RET

// func pvTile1x4NEON(o []float32, p []float32, nk int, v []float32, ldv int)
TEXT ·pvTile1x4NEON(SB), NOSPLIT, $0-88
	MOVD o_base+0(FP), R0
	MOVD p_base+24(FP), R2
	MOVD nk+48(FP), R3
	MOVD v_base+56(FP), R4
	MOVD ldv+80(FP), R5
	LSL $2, R5
	MOVD R0, R10
	VLD1.P 64(R10), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R10), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R10), [V12.S4, V13.S4, V14.S4, V15.S4]
loop4:
	CMP $4, R3
	BLT tail
	VLD1.P 16(R2), [V24.S4]
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981208; // fmla v8.4s, v16.4s, v24.s[0]
	WORD $0x4f981229; // fmla v9.4s, v17.4s, v24.s[0]
	WORD $0x4f98124a; // fmla v10.4s, v18.4s, v24.s[0]
	WORD $0x4f98126b; // fmla v11.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f98128c; // fmla v12.4s, v20.4s, v24.s[0]
	WORD $0x4f9812ad; // fmla v13.4s, v21.4s, v24.s[0]
	WORD $0x4f9812ce; // fmla v14.4s, v22.4s, v24.s[0]
	WORD $0x4f9812ef; // fmla v15.4s, v23.4s, v24.s[0]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81200; // fmla v0.4s, v16.4s, v24.s[1]
	WORD $0x4fb81221; // fmla v1.4s, v17.4s, v24.s[1]
	WORD $0x4fb81242; // fmla v2.4s, v18.4s, v24.s[1]
	WORD $0x4fb81263; // fmla v3.4s, v19.4s, v24.s[1]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81284; // fmla v4.4s, v20.4s, v24.s[1]
	WORD $0x4fb812a5; // fmla v5.4s, v21.4s, v24.s[1]
	WORD $0x4fb812c6; // fmla v6.4s, v22.4s, v24.s[1]
	WORD $0x4fb812e7; // fmla v7.4s, v23.4s, v24.s[1]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81208; // fmla v8.4s, v16.4s, v24.s[1]
	WORD $0x4fb81229; // fmla v9.4s, v17.4s, v24.s[1]
	WORD $0x4fb8124a; // fmla v10.4s, v18.4s, v24.s[1]
	WORD $0x4fb8126b; // fmla v11.4s, v19.4s, v24.s[1]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb8128c; // fmla v12.4s, v20.4s, v24.s[1]
	WORD $0x4fb812ad; // fmla v13.4s, v21.4s, v24.s[1]
	WORD $0x4fb812ce; // fmla v14.4s, v22.4s, v24.s[1]
	WORD $0x4fb812ef; // fmla v15.4s, v23.4s, v24.s[1]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a00; // fmla v0.4s, v16.4s, v24.s[2]
	WORD $0x4f981a21; // fmla v1.4s, v17.4s, v24.s[2]
	WORD $0x4f981a42; // fmla v2.4s, v18.4s, v24.s[2]
	WORD $0x4f981a63; // fmla v3.4s, v19.4s, v24.s[2]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981a84; // fmla v4.4s, v20.4s, v24.s[2]
	WORD $0x4f981aa5; // fmla v5.4s, v21.4s, v24.s[2]
	WORD $0x4f981ac6; // fmla v6.4s, v22.4s, v24.s[2]
	WORD $0x4f981ae7; // fmla v7.4s, v23.4s, v24.s[2]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981a08; // fmla v8.4s, v16.4s, v24.s[2]
	WORD $0x4f981a29; // fmla v9.4s, v17.4s, v24.s[2]
	WORD $0x4f981a4a; // fmla v10.4s, v18.4s, v24.s[2]
	WORD $0x4f981a6b; // fmla v11.4s, v19.4s, v24.s[2]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981a8c; // fmla v12.4s, v20.4s, v24.s[2]
	WORD $0x4f981aad; // fmla v13.4s, v21.4s, v24.s[2]
	WORD $0x4f981ace; // fmla v14.4s, v22.4s, v24.s[2]
	WORD $0x4f981aef; // fmla v15.4s, v23.4s, v24.s[2]
	ADD R5, R4
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a00; // fmla v0.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a21; // fmla v1.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a42; // fmla v2.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a63; // fmla v3.4s, v19.4s, v24.s[3]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81a84; // fmla v4.4s, v20.4s, v24.s[3]
	WORD $0x4fb81aa5; // fmla v5.4s, v21.4s, v24.s[3]
	WORD $0x4fb81ac6; // fmla v6.4s, v22.4s, v24.s[3]
	WORD $0x4fb81ae7; // fmla v7.4s, v23.4s, v24.s[3]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4fb81a08; // fmla v8.4s, v16.4s, v24.s[3]
	WORD $0x4fb81a29; // fmla v9.4s, v17.4s, v24.s[3]
	WORD $0x4fb81a4a; // fmla v10.4s, v18.4s, v24.s[3]
	WORD $0x4fb81a6b; // fmla v11.4s, v19.4s, v24.s[3]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4fb81a8c; // fmla v12.4s, v20.4s, v24.s[3]
	WORD $0x4fb81aad; // fmla v13.4s, v21.4s, v24.s[3]
	WORD $0x4fb81ace; // fmla v14.4s, v22.4s, v24.s[3]
	WORD $0x4fb81aef; // fmla v15.4s, v23.4s, v24.s[3]
	ADD R5, R4
	SUB $4, R3
	B loop4
tail:
	CBZ R3, store
	FMOVS.P 4(R2), F24
	MOVD R4, R17
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981200; // fmla v0.4s, v16.4s, v24.s[0]
	WORD $0x4f981221; // fmla v1.4s, v17.4s, v24.s[0]
	WORD $0x4f981242; // fmla v2.4s, v18.4s, v24.s[0]
	WORD $0x4f981263; // fmla v3.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f981284; // fmla v4.4s, v20.4s, v24.s[0]
	WORD $0x4f9812a5; // fmla v5.4s, v21.4s, v24.s[0]
	WORD $0x4f9812c6; // fmla v6.4s, v22.4s, v24.s[0]
	WORD $0x4f9812e7; // fmla v7.4s, v23.4s, v24.s[0]
	VLD1.P 64(R17), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4f981208; // fmla v8.4s, v16.4s, v24.s[0]
	WORD $0x4f981229; // fmla v9.4s, v17.4s, v24.s[0]
	WORD $0x4f98124a; // fmla v10.4s, v18.4s, v24.s[0]
	WORD $0x4f98126b; // fmla v11.4s, v19.4s, v24.s[0]
	VLD1.P 64(R17), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4f98128c; // fmla v12.4s, v20.4s, v24.s[0]
	WORD $0x4f9812ad; // fmla v13.4s, v21.4s, v24.s[0]
	WORD $0x4f9812ce; // fmla v14.4s, v22.4s, v24.s[0]
	WORD $0x4f9812ef; // fmla v15.4s, v23.4s, v24.s[0]
	ADD R5, R4
	SUB $1, R3
	B tail
store:
	MOVD R0, R10
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R10)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R10)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R10)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R10)
	RET

