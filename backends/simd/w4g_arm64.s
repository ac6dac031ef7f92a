// gemm_w4g micro-kernels for arm64 NEON (the w4K contract of gemm_w4g.go;
// meaning = w4RowsGo). Per 16 code bytes (32 weights): AND and USHR split
// the nibbles; TBL against {nibbles, 0x4B00...} builds each code as the
// float 2^23+q (bytes q, 0, 0, 0x4B), and one FSUB of 2^23+z (z from the
// group's zero point) gives q-z exactly, so a code at its zero point adds
// exactly 0. Then per row of X two loads (16 even-k, 16 odd-k floats) and
// 8 FMLA. Instructions the Go assembler lacks (vector FADD, FSUB, FADDP,
// FMLA by element) are WORDs with the mnemonic in a comment.

//go:build !purego

#include "textflag.h"

// func w4Rows1NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)
// Registers: V0-V7 the 32 weights of a chunk as floats (V0-V3 even k, V4-V7
// odd k), V8/V10 the low/high nibbles with V9/V11 = 0x4B00 halfwords (the
// TBL tables), V12 = 0x0F bytes, V13-V16 the TBL indices, V17 = 2^23+z,
// V18-V21 X, V22-V29 the group's dot products (8/rows per row, one per
// weight vector mod 8/rows), V30 the rows' sums (lane m = row m), V31 the
// group scale or bias. A tail chunk of a group (gb%16 bytes) is gathered
// byte by byte into two GPRs: nothing is read past the group.
TEXT ·w4Rows1NEON(SB), NOSPLIT, $0-184
	MOVD y_base+0(FP), R0
	MOVD ldy+24(FP), R1
	LSL $2, R1
	MOVD x_base+32(FP), R2
	MOVD ldx+56(FP), R3
	LSL $2, R3
	MOVD qp_base+64(FP), R4
	MOVD s_base+88(FP), R5
	MOVD z_base+112(FP), R6
	MOVD bias_base+136(FP), R7
	MOVD n+160(FP), R8
	MOVD gb+168(FP), R9
	MOVD ng+176(FP), R10
	MOVD $0x4B00, R17
	VDUP R17, V9.H8
	VDUP R17, V11.H8
	VMOVI $15, V12.B16
	MOVW $0x11101000, R17
	VMOV R17, V13.S[0]
	MOVW $0x11101001, R17
	VMOV R17, V13.S[1]
	MOVW $0x11101002, R17
	VMOV R17, V13.S[2]
	MOVW $0x11101003, R17
	VMOV R17, V13.S[3]
	MOVW $4, R17
	VDUP R17, V31.S4
	VADD V31.S4, V13.S4, V14.S4
	VADD V31.S4, V14.S4, V15.S4
	VADD V31.S4, V15.S4, V16.S4
	MOVW $0x4B000000, R22
row:
	CBZ R8, done
	MOVD R2, R13
	VEOR V30.B16, V30.B16, V30.B16
	MOVD R10, R11
group:
	MOVBU.P 1(R6), R17
	ORRW R22, R17, R17
	VDUP R17, V17.S4
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	MOVD R9, R12
chunk:
	CMP $16, R12
	BLT tail
	VLD1.P 16(R4), [V10.B16]
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
	SUB $16, R12
	B chunk
tail:
	CBZ R12, gend
	MOVD ZR, R20
	MOVD ZR, R21
	MOVD R12, R19
gather:
	SUB $1, R19
	MOVBU (R4)(R19), R17
	EXTR $56, R20, R21, R21
	LSL $8, R20
	ORR R17, R20
	CBNZ R19, gather
	VMOV R20, V10.D[0]
	VMOV R21, V10.D[1]
	ADD R12, R4
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
gend:
	WORD $0x4e3ad6d6; // fadd v22.4s, v22.4s, v26.4s
	WORD $0x4e3bd6f7; // fadd v23.4s, v23.4s, v27.4s
	WORD $0x4e3cd718; // fadd v24.4s, v24.4s, v28.4s
	WORD $0x4e3dd739; // fadd v25.4s, v25.4s, v29.4s
	WORD $0x4e38d6d6; // fadd v22.4s, v22.4s, v24.4s
	WORD $0x4e39d6f7; // fadd v23.4s, v23.4s, v25.4s
	WORD $0x4e37d6d6; // fadd v22.4s, v22.4s, v23.4s
	WORD $0x6e36d6d2; // faddp v18.4s, v22.4s, v22.4s
	WORD $0x6e32d652; // faddp v18.4s, v18.4s, v18.4s
	FMOVS.P 4(R5), F31
	WORD $0x4f9f125e; // fmla v30.4s, v18.4s, v31.s[0]
	SUBS $1, R11, R11
	BNE group
	VLD1R.P 4(R7), [V31.S4]
	WORD $0x4e3fd7de; // fadd v30.4s, v30.4s, v31.4s
	MOVD R0, R17
	VST1 V30.S[0], (R17)
	ADD $4, R0
	SUB $1, R8
	B row
done:
	RET

// func w4Rows2NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)
TEXT ·w4Rows2NEON(SB), NOSPLIT, $0-184
	MOVD y_base+0(FP), R0
	MOVD ldy+24(FP), R1
	LSL $2, R1
	MOVD x_base+32(FP), R2
	MOVD ldx+56(FP), R3
	LSL $2, R3
	MOVD qp_base+64(FP), R4
	MOVD s_base+88(FP), R5
	MOVD z_base+112(FP), R6
	MOVD bias_base+136(FP), R7
	MOVD n+160(FP), R8
	MOVD gb+168(FP), R9
	MOVD ng+176(FP), R10
	MOVD $0x4B00, R17
	VDUP R17, V9.H8
	VDUP R17, V11.H8
	VMOVI $15, V12.B16
	MOVW $0x11101000, R17
	VMOV R17, V13.S[0]
	MOVW $0x11101001, R17
	VMOV R17, V13.S[1]
	MOVW $0x11101002, R17
	VMOV R17, V13.S[2]
	MOVW $0x11101003, R17
	VMOV R17, V13.S[3]
	MOVW $4, R17
	VDUP R17, V31.S4
	VADD V31.S4, V13.S4, V14.S4
	VADD V31.S4, V14.S4, V15.S4
	VADD V31.S4, V15.S4, V16.S4
	MOVW $0x4B000000, R22
row:
	CBZ R8, done
	MOVD R2, R13
	ADD R3, R13, R14
	VEOR V30.B16, V30.B16, V30.B16
	MOVD R10, R11
group:
	MOVBU.P 1(R6), R17
	ORRW R22, R17, R17
	VDUP R17, V17.S4
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	MOVD R9, R12
chunk:
	CMP $16, R12
	BLT tail
	VLD1.P 16(R4), [V10.B16]
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9c; // fmla v28.4s, v20.4s, v2.4s
	WORD $0x4e23cebd; // fmla v29.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
	SUB $16, R12
	B chunk
tail:
	CBZ R12, gend
	MOVD ZR, R20
	MOVD ZR, R21
	MOVD R12, R19
gather:
	SUB $1, R19
	MOVBU (R4)(R19), R17
	EXTR $56, R20, R21, R21
	LSL $8, R20
	ORR R17, R20
	CBNZ R19, gather
	VMOV R20, V10.D[0]
	VMOV R21, V10.D[1]
	ADD R12, R4
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9c; // fmla v28.4s, v20.4s, v2.4s
	WORD $0x4e23cebd; // fmla v29.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
gend:
	WORD $0x4e38d6d6; // fadd v22.4s, v22.4s, v24.4s
	WORD $0x4e39d6f7; // fadd v23.4s, v23.4s, v25.4s
	WORD $0x4e37d6d6; // fadd v22.4s, v22.4s, v23.4s
	WORD $0x4e3cd75a; // fadd v26.4s, v26.4s, v28.4s
	WORD $0x4e3dd77b; // fadd v27.4s, v27.4s, v29.4s
	WORD $0x4e3bd75a; // fadd v26.4s, v26.4s, v27.4s
	WORD $0x6e3ad6d2; // faddp v18.4s, v22.4s, v26.4s
	WORD $0x6e32d652; // faddp v18.4s, v18.4s, v18.4s
	FMOVS.P 4(R5), F31
	WORD $0x4f9f125e; // fmla v30.4s, v18.4s, v31.s[0]
	SUBS $1, R11, R11
	BNE group
	VLD1R.P 4(R7), [V31.S4]
	WORD $0x4e3fd7de; // fadd v30.4s, v30.4s, v31.4s
	MOVD R0, R17
	VST1 V30.S[0], (R17)
	ADD R1, R17
	VST1 V30.S[1], (R17)
	ADD $4, R0
	SUB $1, R8
	B row
done:
	RET

// func w4Rows3NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)
TEXT ·w4Rows3NEON(SB), NOSPLIT, $0-184
	MOVD y_base+0(FP), R0
	MOVD ldy+24(FP), R1
	LSL $2, R1
	MOVD x_base+32(FP), R2
	MOVD ldx+56(FP), R3
	LSL $2, R3
	MOVD qp_base+64(FP), R4
	MOVD s_base+88(FP), R5
	MOVD z_base+112(FP), R6
	MOVD bias_base+136(FP), R7
	MOVD n+160(FP), R8
	MOVD gb+168(FP), R9
	MOVD ng+176(FP), R10
	MOVD $0x4B00, R17
	VDUP R17, V9.H8
	VDUP R17, V11.H8
	VMOVI $15, V12.B16
	MOVW $0x11101000, R17
	VMOV R17, V13.S[0]
	MOVW $0x11101001, R17
	VMOV R17, V13.S[1]
	MOVW $0x11101002, R17
	VMOV R17, V13.S[2]
	MOVW $0x11101003, R17
	VMOV R17, V13.S[3]
	MOVW $4, R17
	VDUP R17, V31.S4
	VADD V31.S4, V13.S4, V14.S4
	VADD V31.S4, V14.S4, V15.S4
	VADD V31.S4, V15.S4, V16.S4
	MOVW $0x4B000000, R22
row:
	CBZ R8, done
	MOVD R2, R13
	ADD R3, R13, R14
	ADD R3, R14, R15
	VEOR V30.B16, V30.B16, V30.B16
	MOVD R10, R11
group:
	MOVBU.P 1(R6), R17
	ORRW R22, R17, R17
	VDUP R17, V17.S4
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	MOVD R9, R12
chunk:
	CMP $16, R12
	BLT tail
	VLD1.P 16(R4), [V10.B16]
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce96; // fmla v22.4s, v20.4s, v2.4s
	WORD $0x4e23ceb7; // fmla v23.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce96; // fmla v22.4s, v20.4s, v6.4s
	WORD $0x4e27ceb7; // fmla v23.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce58; // fmla v24.4s, v18.4s, v0.4s
	WORD $0x4e21ce79; // fmla v25.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce58; // fmla v24.4s, v18.4s, v4.4s
	WORD $0x4e25ce79; // fmla v25.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9a; // fmla v26.4s, v20.4s, v2.4s
	WORD $0x4e23cebb; // fmla v27.4s, v21.4s, v3.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9a; // fmla v26.4s, v20.4s, v6.4s
	WORD $0x4e27cebb; // fmla v27.4s, v21.4s, v7.4s
	SUB $16, R12
	B chunk
tail:
	CBZ R12, gend
	MOVD ZR, R20
	MOVD ZR, R21
	MOVD R12, R19
gather:
	SUB $1, R19
	MOVBU (R4)(R19), R17
	EXTR $56, R20, R21, R21
	LSL $8, R20
	ORR R17, R20
	CBNZ R19, gather
	VMOV R20, V10.D[0]
	VMOV R21, V10.D[1]
	ADD R12, R4
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce96; // fmla v22.4s, v20.4s, v2.4s
	WORD $0x4e23ceb7; // fmla v23.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce96; // fmla v22.4s, v20.4s, v6.4s
	WORD $0x4e27ceb7; // fmla v23.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce58; // fmla v24.4s, v18.4s, v0.4s
	WORD $0x4e21ce79; // fmla v25.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce58; // fmla v24.4s, v18.4s, v4.4s
	WORD $0x4e25ce79; // fmla v25.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9a; // fmla v26.4s, v20.4s, v2.4s
	WORD $0x4e23cebb; // fmla v27.4s, v21.4s, v3.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9a; // fmla v26.4s, v20.4s, v6.4s
	WORD $0x4e27cebb; // fmla v27.4s, v21.4s, v7.4s
gend:
	WORD $0x4e37d6d6; // fadd v22.4s, v22.4s, v23.4s
	WORD $0x4e39d718; // fadd v24.4s, v24.4s, v25.4s
	WORD $0x4e3bd75a; // fadd v26.4s, v26.4s, v27.4s
	WORD $0x6e38d6d2; // faddp v18.4s, v22.4s, v24.4s
	WORD $0x6e3ad753; // faddp v19.4s, v26.4s, v26.4s
	WORD $0x6e33d652; // faddp v18.4s, v18.4s, v19.4s
	FMOVS.P 4(R5), F31
	WORD $0x4f9f125e; // fmla v30.4s, v18.4s, v31.s[0]
	SUBS $1, R11, R11
	BNE group
	VLD1R.P 4(R7), [V31.S4]
	WORD $0x4e3fd7de; // fadd v30.4s, v30.4s, v31.4s
	MOVD R0, R17
	VST1 V30.S[0], (R17)
	ADD R1, R17
	VST1 V30.S[1], (R17)
	ADD R1, R17
	VST1 V30.S[2], (R17)
	ADD $4, R0
	SUB $1, R8
	B row
done:
	RET

// func w4Rows4NEON(y []float32, ldy int, x []float32, ldx int, qp []byte, s []float32, z []byte, bias []float32, n, gb, ng int)
TEXT ·w4Rows4NEON(SB), NOSPLIT, $0-184
	MOVD y_base+0(FP), R0
	MOVD ldy+24(FP), R1
	LSL $2, R1
	MOVD x_base+32(FP), R2
	MOVD ldx+56(FP), R3
	LSL $2, R3
	MOVD qp_base+64(FP), R4
	MOVD s_base+88(FP), R5
	MOVD z_base+112(FP), R6
	MOVD bias_base+136(FP), R7
	MOVD n+160(FP), R8
	MOVD gb+168(FP), R9
	MOVD ng+176(FP), R10
	MOVD $0x4B00, R17
	VDUP R17, V9.H8
	VDUP R17, V11.H8
	VMOVI $15, V12.B16
	MOVW $0x11101000, R17
	VMOV R17, V13.S[0]
	MOVW $0x11101001, R17
	VMOV R17, V13.S[1]
	MOVW $0x11101002, R17
	VMOV R17, V13.S[2]
	MOVW $0x11101003, R17
	VMOV R17, V13.S[3]
	MOVW $4, R17
	VDUP R17, V31.S4
	VADD V31.S4, V13.S4, V14.S4
	VADD V31.S4, V14.S4, V15.S4
	VADD V31.S4, V15.S4, V16.S4
	MOVW $0x4B000000, R22
row:
	CBZ R8, done
	MOVD R2, R13
	ADD R3, R13, R14
	ADD R3, R14, R15
	ADD R3, R15, R16
	VEOR V30.B16, V30.B16, V30.B16
	MOVD R10, R11
group:
	MOVBU.P 1(R6), R17
	ORRW R22, R17, R17
	VDUP R17, V17.S4
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	MOVD R9, R12
chunk:
	CMP $16, R12
	BLT tail
	VLD1.P 16(R4), [V10.B16]
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce96; // fmla v22.4s, v20.4s, v2.4s
	WORD $0x4e23ceb7; // fmla v23.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce96; // fmla v22.4s, v20.4s, v6.4s
	WORD $0x4e27ceb7; // fmla v23.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce58; // fmla v24.4s, v18.4s, v0.4s
	WORD $0x4e21ce79; // fmla v25.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce58; // fmla v24.4s, v18.4s, v4.4s
	WORD $0x4e25ce79; // fmla v25.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9a; // fmla v26.4s, v20.4s, v2.4s
	WORD $0x4e23cebb; // fmla v27.4s, v21.4s, v3.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9a; // fmla v26.4s, v20.4s, v6.4s
	WORD $0x4e27cebb; // fmla v27.4s, v21.4s, v7.4s
	VLD1.P 64(R16), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5c; // fmla v28.4s, v18.4s, v0.4s
	WORD $0x4e21ce7d; // fmla v29.4s, v19.4s, v1.4s
	WORD $0x4e22ce9c; // fmla v28.4s, v20.4s, v2.4s
	WORD $0x4e23cebd; // fmla v29.4s, v21.4s, v3.4s
	VLD1.P 64(R16), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5c; // fmla v28.4s, v18.4s, v4.4s
	WORD $0x4e25ce7d; // fmla v29.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
	SUB $16, R12
	B chunk
tail:
	CBZ R12, gend
	MOVD ZR, R20
	MOVD ZR, R21
	MOVD R12, R19
gather:
	SUB $1, R19
	MOVBU (R4)(R19), R17
	EXTR $56, R20, R21, R21
	LSL $8, R20
	ORR R17, R20
	CBNZ R19, gather
	VMOV R20, V10.D[0]
	VMOV R21, V10.D[1]
	ADD R12, R4
	VAND V12.B16, V10.B16, V8.B16
	VUSHR $4, V10.B16, V10.B16
	VTBL V13.B16, [V8.B16, V9.B16], V0.B16
	VTBL V14.B16, [V8.B16, V9.B16], V1.B16
	VTBL V15.B16, [V8.B16, V9.B16], V2.B16
	VTBL V16.B16, [V8.B16, V9.B16], V3.B16
	VTBL V13.B16, [V10.B16, V11.B16], V4.B16
	VTBL V14.B16, [V10.B16, V11.B16], V5.B16
	VTBL V15.B16, [V10.B16, V11.B16], V6.B16
	VTBL V16.B16, [V10.B16, V11.B16], V7.B16
	WORD $0x4eb1d400; // fsub v0.4s, v0.4s, v17.4s
	WORD $0x4eb1d421; // fsub v1.4s, v1.4s, v17.4s
	WORD $0x4eb1d442; // fsub v2.4s, v2.4s, v17.4s
	WORD $0x4eb1d463; // fsub v3.4s, v3.4s, v17.4s
	WORD $0x4eb1d484; // fsub v4.4s, v4.4s, v17.4s
	WORD $0x4eb1d4a5; // fsub v5.4s, v5.4s, v17.4s
	WORD $0x4eb1d4c6; // fsub v6.4s, v6.4s, v17.4s
	WORD $0x4eb1d4e7; // fsub v7.4s, v7.4s, v17.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce56; // fmla v22.4s, v18.4s, v0.4s
	WORD $0x4e21ce77; // fmla v23.4s, v19.4s, v1.4s
	WORD $0x4e22ce96; // fmla v22.4s, v20.4s, v2.4s
	WORD $0x4e23ceb7; // fmla v23.4s, v21.4s, v3.4s
	VLD1.P 64(R13), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce56; // fmla v22.4s, v18.4s, v4.4s
	WORD $0x4e25ce77; // fmla v23.4s, v19.4s, v5.4s
	WORD $0x4e26ce96; // fmla v22.4s, v20.4s, v6.4s
	WORD $0x4e27ceb7; // fmla v23.4s, v21.4s, v7.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce58; // fmla v24.4s, v18.4s, v0.4s
	WORD $0x4e21ce79; // fmla v25.4s, v19.4s, v1.4s
	WORD $0x4e22ce98; // fmla v24.4s, v20.4s, v2.4s
	WORD $0x4e23ceb9; // fmla v25.4s, v21.4s, v3.4s
	VLD1.P 64(R14), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce58; // fmla v24.4s, v18.4s, v4.4s
	WORD $0x4e25ce79; // fmla v25.4s, v19.4s, v5.4s
	WORD $0x4e26ce98; // fmla v24.4s, v20.4s, v6.4s
	WORD $0x4e27ceb9; // fmla v25.4s, v21.4s, v7.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5a; // fmla v26.4s, v18.4s, v0.4s
	WORD $0x4e21ce7b; // fmla v27.4s, v19.4s, v1.4s
	WORD $0x4e22ce9a; // fmla v26.4s, v20.4s, v2.4s
	WORD $0x4e23cebb; // fmla v27.4s, v21.4s, v3.4s
	VLD1.P 64(R15), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5a; // fmla v26.4s, v18.4s, v4.4s
	WORD $0x4e25ce7b; // fmla v27.4s, v19.4s, v5.4s
	WORD $0x4e26ce9a; // fmla v26.4s, v20.4s, v6.4s
	WORD $0x4e27cebb; // fmla v27.4s, v21.4s, v7.4s
	VLD1.P 64(R16), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e20ce5c; // fmla v28.4s, v18.4s, v0.4s
	WORD $0x4e21ce7d; // fmla v29.4s, v19.4s, v1.4s
	WORD $0x4e22ce9c; // fmla v28.4s, v20.4s, v2.4s
	WORD $0x4e23cebd; // fmla v29.4s, v21.4s, v3.4s
	VLD1.P 64(R16), [V18.S4, V19.S4, V20.S4, V21.S4]
	WORD $0x4e24ce5c; // fmla v28.4s, v18.4s, v4.4s
	WORD $0x4e25ce7d; // fmla v29.4s, v19.4s, v5.4s
	WORD $0x4e26ce9c; // fmla v28.4s, v20.4s, v6.4s
	WORD $0x4e27cebd; // fmla v29.4s, v21.4s, v7.4s
gend:
	WORD $0x4e37d6d6; // fadd v22.4s, v22.4s, v23.4s
	WORD $0x4e39d718; // fadd v24.4s, v24.4s, v25.4s
	WORD $0x4e3bd75a; // fadd v26.4s, v26.4s, v27.4s
	WORD $0x4e3dd79c; // fadd v28.4s, v28.4s, v29.4s
	WORD $0x6e38d6d2; // faddp v18.4s, v22.4s, v24.4s
	WORD $0x6e3cd753; // faddp v19.4s, v26.4s, v28.4s
	WORD $0x6e33d652; // faddp v18.4s, v18.4s, v19.4s
	FMOVS.P 4(R5), F31
	WORD $0x4f9f125e; // fmla v30.4s, v18.4s, v31.s[0]
	SUBS $1, R11, R11
	BNE group
	VLD1R.P 4(R7), [V31.S4]
	WORD $0x4e3fd7de; // fadd v30.4s, v30.4s, v31.4s
	MOVD R0, R17
	VST1 V30.S[0], (R17)
	ADD R1, R17
	VST1 V30.S[1], (R17)
	ADD R1, R17
	VST1 V30.S[2], (R17)
	ADD R1, R17
	VST1 V30.S[3], (R17)
	ADD $4, R0
	SUB $1, R8
	B row
done:
	RET

