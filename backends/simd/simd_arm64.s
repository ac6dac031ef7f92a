// Hand-written NEON (and dotprod) routines of package simd for arm64.
// Instructions the Go assembler lacks (vector FADD, FMUL, FSUB, FMAX, FMIN,
// FABS, FADDP, FRINTN, FCVTZS, SCVTF, SDOT) are WORDs with the mnemonic in a
// comment; ci/check-asm.sh disassembles every WORD and compares it with its
// comment (aarch64-linux-gnu-objdump). Register use: V0-V3 accumulators,
// V4-V15 data, V13 the scalar tail accumulator of reductions, V16-V31 constants.

//go:build !purego

#include "textflag.h"

// func sumNEON(x []float32) float32
TEXT ·sumNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e24d400; // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421; // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442; // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463; // fadd v3.4s, v3.4s, v7.4s
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	WORD $0x4e24d400; // fadd v0.4s, v0.4s, v4.4s
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FADDS F4, F13, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+24(FP)
	RET

// func sumSqNEON(x []float32) float32
TEXT ·sumSqNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA V4.S4, V4.S4, V0.S4
	VFMLA V5.S4, V5.S4, V1.S4
	VFMLA V6.S4, V6.S4, V2.S4
	VFMLA V7.S4, V7.S4, V3.S4
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VFMLA V4.S4, V4.S4, V0.S4
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMADDS F4, F13, F4, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+24(FP)
	RET

// func sumSqDevNEON(x []float32, mu float32) float32
TEXT ·sumSqDevNEON(SB), NOSPLIT, $0-36
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	FMOVS mu+24(FP), F31
	VDUP V31.S[0], V31.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	VFMLA V4.S4, V4.S4, V0.S4
	WORD $0x4ebfd4a5; // fsub v5.4s, v5.4s, v31.4s
	VFMLA V5.S4, V5.S4, V1.S4
	WORD $0x4ebfd4c6; // fsub v6.4s, v6.4s, v31.4s
	VFMLA V6.S4, V6.S4, V2.S4
	WORD $0x4ebfd4e7; // fsub v7.4s, v7.4s, v31.4s
	VFMLA V7.S4, V7.S4, V3.S4
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	VFMLA V4.S4, V4.S4, V0.S4
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	FMADDS F4, F13, F4, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+32(FP)
	RET

// func sumSqDiffNEON(a, b []float32) float32
TEXT ·sumSqDiffNEON(SB), NOSPLIT, $0-52
	MOVD a_base+0(FP), R0
	MOVD b_base+24(FP), R2
	MOVD a_len+8(FP), R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	VFMLA V4.S4, V4.S4, V0.S4
	WORD $0x4ea9d4a5; // fsub v5.4s, v5.4s, v9.4s
	VFMLA V5.S4, V5.S4, V1.S4
	WORD $0x4eaad4c6; // fsub v6.4s, v6.4s, v10.4s
	VFMLA V6.S4, V6.S4, V2.S4
	WORD $0x4eabd4e7; // fsub v7.4s, v7.4s, v11.4s
	VFMLA V7.S4, V7.S4, V3.S4
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	VFMLA V4.S4, V4.S4, V0.S4
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	FMADDS F4, F13, F4, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+48(FP)
	RET

// func huberSumNEON(p, t []float32, delta float32) float32
TEXT ·huberSumNEON(SB), NOSPLIT, $0-60
	MOVD p_base+0(FP), R0
	MOVD t_base+24(FP), R2
	MOVD p_len+8(FP), R1
	FMOVS delta+48(FP), F31
	VDUP V31.S[0], V31.S4
	MOVW $0x3f000000, R3
	VDUP R3, V30.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	WORD $0x4ea0f884; // fabs v4.4s, v4.4s
	WORD $0x4ebff488; // fmin v8.4s, v4.4s, v31.4s
	VFMLS V8.S4, V30.S4, V4.S4
	VFMLA V8.S4, V4.S4, V0.S4
	WORD $0x4ea9d4a5; // fsub v5.4s, v5.4s, v9.4s
	WORD $0x4ea0f8a5; // fabs v5.4s, v5.4s
	WORD $0x4ebff4a9; // fmin v9.4s, v5.4s, v31.4s
	VFMLS V9.S4, V30.S4, V5.S4
	VFMLA V9.S4, V5.S4, V1.S4
	WORD $0x4eaad4c6; // fsub v6.4s, v6.4s, v10.4s
	WORD $0x4ea0f8c6; // fabs v6.4s, v6.4s
	WORD $0x4ebff4ca; // fmin v10.4s, v6.4s, v31.4s
	VFMLS V10.S4, V30.S4, V6.S4
	VFMLA V10.S4, V6.S4, V2.S4
	WORD $0x4eabd4e7; // fsub v7.4s, v7.4s, v11.4s
	WORD $0x4ea0f8e7; // fabs v7.4s, v7.4s
	WORD $0x4ebff4eb; // fmin v11.4s, v7.4s, v31.4s
	VFMLS V11.S4, V30.S4, V7.S4
	VFMLA V11.S4, V7.S4, V3.S4
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	WORD $0x4ea0f884; // fabs v4.4s, v4.4s
	WORD $0x4ebff488; // fmin v8.4s, v4.4s, v31.4s
	VFMLS V8.S4, V30.S4, V4.S4
	VFMLA V8.S4, V4.S4, V0.S4
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	WORD $0x4ea0f884; // fabs v4.4s, v4.4s
	WORD $0x4ebff488; // fmin v8.4s, v4.4s, v31.4s
	VFMLS V8.S4, V30.S4, V4.S4
	FMADDS F8, F13, F4, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+56(FP)
	RET

// func maxvNEON(x []float32) float32
TEXT ·maxvNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	MOVW $0xff800000, R3
	VDUP R3, V31.S4
	VMOV V31.B16, V0.B16
	VMOV V31.B16, V1.B16
	VMOV V31.B16, V2.B16
	VMOV V31.B16, V3.B16
	VMOV V31.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e24f400; // fmax v0.4s, v0.4s, v4.4s
	WORD $0x4e25f421; // fmax v1.4s, v1.4s, v5.4s
	WORD $0x4e26f442; // fmax v2.4s, v2.4s, v6.4s
	WORD $0x4e27f463; // fmax v3.4s, v3.4s, v7.4s
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	WORD $0x4e24f400; // fmax v0.4s, v0.4s, v4.4s
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMAXS F4, F13, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21f400; // fmax v0.4s, v0.4s, v1.4s
	WORD $0x4e23f442; // fmax v2.4s, v2.4s, v3.4s
	WORD $0x4e22f400; // fmax v0.4s, v0.4s, v2.4s
	WORD $0x6e30f800; // fmaxv s0, v0.4s
	FMAXS F13, F0, F0
	FMOVS F0, ret+24(FP)
	RET

// func sumExpNEON(x []float32, m float32) float32
TEXT ·sumExpNEON(SB), NOSPLIT, $0-36
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	FMOVS m+24(FP), F31
	VDUP V31.S[0], V31.S4
	MOVW $0xc2ae0000, R3
	VDUP R3, V30.S4
	MOVW $0x3fb8aa3b, R3
	VDUP R3, V29.S4
	MOVW $0x3f318000, R3
	VDUP R3, V28.S4
	MOVW $0xb95e8083, R3
	VDUP R3, V27.S4
	MOVW $0x39506967, R3
	VDUP R3, V26.S4
	MOVW $0x3ab743ce, R3
	VDUP R3, V25.S4
	MOVW $0x3c088908, R3
	VDUP R3, V24.S4
	MOVW $0x3d2aa9c1, R3
	VDUP R3, V23.S4
	MOVW $0x3e2aaaaa, R3
	VDUP R3, V22.S4
	MOVW $0x3f000000, R3
	VDUP R3, V21.S4
	MOVW $0x3f800000, R3
	VDUP R3, V20.S4
	MOVW $0x7f, R3
	VDUP R3, V19.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V13.B16, V13.B16, V13.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x4e3ef484; // fmax v4.4s, v4.4s, v30.4s
	WORD $0x6e3ddc88; // fmul v8.4s, v4.4s, v29.4s
	WORD $0x4e218908; // frintn v8.4s, v8.4s
	VFMLS V8.S4, V28.S4, V4.S4
	VFMLS V8.S4, V27.S4, V4.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V4.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	WORD $0x6e24dc8c; // fmul v12.4s, v4.4s, v4.4s
	VFMLA V16.S4, V12.S4, V4.S4
	WORD $0x4e34d484; // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4ea1b908; // fcvtzs v8.4s, v8.4s
	VADD V19.S4, V8.S4, V8.S4
	VSHL $23, V8.S4, V8.S4
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	WORD $0x4e24d400; // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4ebfd4a5; // fsub v5.4s, v5.4s, v31.4s
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca9; // fmul v9.4s, v5.4s, v29.4s
	WORD $0x4e218929; // frintn v9.4s, v9.4s
	VFMLS V9.S4, V28.S4, V5.S4
	VFMLS V9.S4, V27.S4, V5.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V5.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V5.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V5.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V5.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V5.S4, V16.S4
	WORD $0x6e25dcac; // fmul v12.4s, v5.4s, v5.4s
	VFMLA V16.S4, V12.S4, V5.S4
	WORD $0x4e34d4a5; // fadd v5.4s, v5.4s, v20.4s
	WORD $0x4ea1b929; // fcvtzs v9.4s, v9.4s
	VADD V19.S4, V9.S4, V9.S4
	VSHL $23, V9.S4, V9.S4
	WORD $0x6e29dca5; // fmul v5.4s, v5.4s, v9.4s
	WORD $0x4e25d421; // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4ebfd4c6; // fsub v6.4s, v6.4s, v31.4s
	WORD $0x4e3ef4c6; // fmax v6.4s, v6.4s, v30.4s
	WORD $0x6e3ddcca; // fmul v10.4s, v6.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V6.S4
	VFMLS V10.S4, V27.S4, V6.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V6.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V6.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V6.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V6.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V6.S4, V16.S4
	WORD $0x6e26dccc; // fmul v12.4s, v6.4s, v6.4s
	VFMLA V16.S4, V12.S4, V6.S4
	WORD $0x4e34d4c6; // fadd v6.4s, v6.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2adcc6; // fmul v6.4s, v6.4s, v10.4s
	WORD $0x4e26d442; // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4ebfd4e7; // fsub v7.4s, v7.4s, v31.4s
	WORD $0x4e3ef4e7; // fmax v7.4s, v7.4s, v30.4s
	WORD $0x6e3ddceb; // fmul v11.4s, v7.4s, v29.4s
	WORD $0x4e21896b; // frintn v11.4s, v11.4s
	VFMLS V11.S4, V28.S4, V7.S4
	VFMLS V11.S4, V27.S4, V7.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V7.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V7.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V7.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V7.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V7.S4, V16.S4
	WORD $0x6e27dcec; // fmul v12.4s, v7.4s, v7.4s
	VFMLA V16.S4, V12.S4, V7.S4
	WORD $0x4e34d4e7; // fadd v7.4s, v7.4s, v20.4s
	WORD $0x4ea1b96b; // fcvtzs v11.4s, v11.4s
	VADD V19.S4, V11.S4, V11.S4
	VSHL $23, V11.S4, V11.S4
	WORD $0x6e2bdce7; // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e27d463; // fadd v3.4s, v3.4s, v7.4s
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x4e3ef484; // fmax v4.4s, v4.4s, v30.4s
	WORD $0x6e3ddc88; // fmul v8.4s, v4.4s, v29.4s
	WORD $0x4e218908; // frintn v8.4s, v8.4s
	VFMLS V8.S4, V28.S4, V4.S4
	VFMLS V8.S4, V27.S4, V4.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V4.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	WORD $0x6e24dc8c; // fmul v12.4s, v4.4s, v4.4s
	VFMLA V16.S4, V12.S4, V4.S4
	WORD $0x4e34d484; // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4ea1b908; // fcvtzs v8.4s, v8.4s
	VADD V19.S4, V8.S4, V8.S4
	VSHL $23, V8.S4, V8.S4
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	WORD $0x4e24d400; // fadd v0.4s, v0.4s, v4.4s
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x4e3ef484; // fmax v4.4s, v4.4s, v30.4s
	WORD $0x6e3ddc88; // fmul v8.4s, v4.4s, v29.4s
	WORD $0x4e218908; // frintn v8.4s, v8.4s
	VFMLS V8.S4, V28.S4, V4.S4
	VFMLS V8.S4, V27.S4, V4.S4
	VMOV V25.B16, V16.B16
	VFMLA V26.S4, V4.S4, V16.S4
	VMOV V24.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V23.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	VMOV V22.B16, V12.B16
	VFMLA V16.S4, V4.S4, V12.S4
	VMOV V21.B16, V16.B16
	VFMLA V12.S4, V4.S4, V16.S4
	WORD $0x6e24dc8c; // fmul v12.4s, v4.4s, v4.4s
	VFMLA V16.S4, V12.S4, V4.S4
	WORD $0x4e34d484; // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4ea1b908; // fcvtzs v8.4s, v8.4s
	VADD V19.S4, V8.S4, V8.S4
	VSHL $23, V8.S4, V8.S4
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	FADDS F4, F13, F13
	SUB $1, R1
	B tail
done:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FADDS F13, F0, F0
	FMOVS F0, ret+32(FP)
	RET

// func normAffineNEON(y, x, g, b []float32, mu, s float32)
TEXT ·normAffineNEON(SB), NOSPLIT, $0-104
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD g_base+48(FP), R2
	MOVD b_base+72(FP), R4
	MOVD x_len+32(FP), R1
	FMOVS mu+96(FP), F31
	VDUP V31.S[0], V31.S4
	FMOVS s+100(FP), F30
	VDUP V30.S[0], V30.S4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R4), [V12.S4, V13.S4, V14.S4, V15.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	VFMLA V4.S4, V8.S4, V12.S4
	VMOV V12.B16, V4.B16
	WORD $0x4ebfd4a5; // fsub v5.4s, v5.4s, v31.4s
	WORD $0x6e3edca5; // fmul v5.4s, v5.4s, v30.4s
	VFMLA V5.S4, V9.S4, V13.S4
	VMOV V13.B16, V5.B16
	WORD $0x4ebfd4c6; // fsub v6.4s, v6.4s, v31.4s
	WORD $0x6e3edcc6; // fmul v6.4s, v6.4s, v30.4s
	VFMLA V6.S4, V10.S4, V14.S4
	VMOV V14.B16, V6.B16
	WORD $0x4ebfd4e7; // fsub v7.4s, v7.4s, v31.4s
	WORD $0x6e3edce7; // fmul v7.4s, v7.4s, v30.4s
	VFMLA V7.S4, V11.S4, V15.S4
	VMOV V15.B16, V7.B16
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	VLD1.P 16(R4), [V12.S4]
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	VFMLA V4.S4, V8.S4, V12.S4
	VMOV V12.B16, V4.B16
	VST1.P [V4.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	FMOVS.P 4(R4), F12
	WORD $0x4ebfd484; // fsub v4.4s, v4.4s, v31.4s
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	VFMLA V4.S4, V8.S4, V12.S4
	VMOV V12.B16, V4.B16
	FMOVS.P F4, 4(R5)
	SUB $1, R1
	B tail
done:
	RET

// func scaleMulNEON(y, x, g []float32, s float32)
TEXT ·scaleMulNEON(SB), NOSPLIT, $0-76
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD g_base+48(FP), R2
	MOVD x_len+32(FP), R1
	FMOVS s+72(FP), F30
	VDUP V30.S[0], V30.S4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e3edca5; // fmul v5.4s, v5.4s, v30.4s
	WORD $0x6e29dca5; // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e3edcc6; // fmul v6.4s, v6.4s, v30.4s
	WORD $0x6e2adcc6; // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e3edce7; // fmul v7.4s, v7.4s, v30.4s
	WORD $0x6e2bdce7; // fmul v7.4s, v7.4s, v11.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	VST1.P [V4.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	WORD $0x6e3edc84; // fmul v4.4s, v4.4s, v30.4s
	WORD $0x6e28dc84; // fmul v4.4s, v4.4s, v8.4s
	FMOVS.P F4, 4(R5)
	SUB $1, R1
	B tail
done:
	RET

// func sdotTile1NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)
TEXT ·sdotTile1NEON(SB), NOSPLIT, $0-88
	MOVD x_base+0(FP), R0
	MOVD ldx+24(FP), R1
	MOVD w_base+32(FP), R2
	MOVD ksteps+56(FP), R3
	MOVD acc_base+64(FP), R4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
loop:
	CBZ R3, done
	VLD1.P 16(R0), [V20.B16]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94e200; // sdot v0.4s, v16.16b, v20.4b[0]
	WORD $0x4f94e221; // sdot v1.4s, v17.16b, v20.4b[0]
	WORD $0x4f94e242; // sdot v2.4s, v18.16b, v20.4b[0]
	WORD $0x4f94e263; // sdot v3.4s, v19.16b, v20.4b[0]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4e200; // sdot v0.4s, v16.16b, v20.4b[1]
	WORD $0x4fb4e221; // sdot v1.4s, v17.16b, v20.4b[1]
	WORD $0x4fb4e242; // sdot v2.4s, v18.16b, v20.4b[1]
	WORD $0x4fb4e263; // sdot v3.4s, v19.16b, v20.4b[1]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94ea00; // sdot v0.4s, v16.16b, v20.4b[2]
	WORD $0x4f94ea21; // sdot v1.4s, v17.16b, v20.4b[2]
	WORD $0x4f94ea42; // sdot v2.4s, v18.16b, v20.4b[2]
	WORD $0x4f94ea63; // sdot v3.4s, v19.16b, v20.4b[2]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4ea00; // sdot v0.4s, v16.16b, v20.4b[3]
	WORD $0x4fb4ea21; // sdot v1.4s, v17.16b, v20.4b[3]
	WORD $0x4fb4ea42; // sdot v2.4s, v18.16b, v20.4b[3]
	WORD $0x4fb4ea63; // sdot v3.4s, v19.16b, v20.4b[3]
	SUB $4, R3
	B loop
done:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	RET

// func sdotTile2NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)
TEXT ·sdotTile2NEON(SB), NOSPLIT, $0-88
	MOVD x_base+0(FP), R0
	MOVD ldx+24(FP), R1
	MOVD w_base+32(FP), R2
	MOVD ksteps+56(FP), R3
	MOVD acc_base+64(FP), R4
	ADD R1, R0, R6
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
loop:
	CBZ R3, done
	VLD1.P 16(R0), [V20.B16]
	VLD1.P 16(R6), [V21.B16]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94e200; // sdot v0.4s, v16.16b, v20.4b[0]
	WORD $0x4f94e221; // sdot v1.4s, v17.16b, v20.4b[0]
	WORD $0x4f94e242; // sdot v2.4s, v18.16b, v20.4b[0]
	WORD $0x4f94e263; // sdot v3.4s, v19.16b, v20.4b[0]
	WORD $0x4f95e204; // sdot v4.4s, v16.16b, v21.4b[0]
	WORD $0x4f95e225; // sdot v5.4s, v17.16b, v21.4b[0]
	WORD $0x4f95e246; // sdot v6.4s, v18.16b, v21.4b[0]
	WORD $0x4f95e267; // sdot v7.4s, v19.16b, v21.4b[0]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4e200; // sdot v0.4s, v16.16b, v20.4b[1]
	WORD $0x4fb4e221; // sdot v1.4s, v17.16b, v20.4b[1]
	WORD $0x4fb4e242; // sdot v2.4s, v18.16b, v20.4b[1]
	WORD $0x4fb4e263; // sdot v3.4s, v19.16b, v20.4b[1]
	WORD $0x4fb5e204; // sdot v4.4s, v16.16b, v21.4b[1]
	WORD $0x4fb5e225; // sdot v5.4s, v17.16b, v21.4b[1]
	WORD $0x4fb5e246; // sdot v6.4s, v18.16b, v21.4b[1]
	WORD $0x4fb5e267; // sdot v7.4s, v19.16b, v21.4b[1]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94ea00; // sdot v0.4s, v16.16b, v20.4b[2]
	WORD $0x4f94ea21; // sdot v1.4s, v17.16b, v20.4b[2]
	WORD $0x4f94ea42; // sdot v2.4s, v18.16b, v20.4b[2]
	WORD $0x4f94ea63; // sdot v3.4s, v19.16b, v20.4b[2]
	WORD $0x4f95ea04; // sdot v4.4s, v16.16b, v21.4b[2]
	WORD $0x4f95ea25; // sdot v5.4s, v17.16b, v21.4b[2]
	WORD $0x4f95ea46; // sdot v6.4s, v18.16b, v21.4b[2]
	WORD $0x4f95ea67; // sdot v7.4s, v19.16b, v21.4b[2]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4ea00; // sdot v0.4s, v16.16b, v20.4b[3]
	WORD $0x4fb4ea21; // sdot v1.4s, v17.16b, v20.4b[3]
	WORD $0x4fb4ea42; // sdot v2.4s, v18.16b, v20.4b[3]
	WORD $0x4fb4ea63; // sdot v3.4s, v19.16b, v20.4b[3]
	WORD $0x4fb5ea04; // sdot v4.4s, v16.16b, v21.4b[3]
	WORD $0x4fb5ea25; // sdot v5.4s, v17.16b, v21.4b[3]
	WORD $0x4fb5ea46; // sdot v6.4s, v18.16b, v21.4b[3]
	WORD $0x4fb5ea67; // sdot v7.4s, v19.16b, v21.4b[3]
	SUB $4, R3
	B loop
done:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R4)
	RET

// func sdotTile3NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)
TEXT ·sdotTile3NEON(SB), NOSPLIT, $0-88
	MOVD x_base+0(FP), R0
	MOVD ldx+24(FP), R1
	MOVD w_base+32(FP), R2
	MOVD ksteps+56(FP), R3
	MOVD acc_base+64(FP), R4
	ADD R1, R0, R6
	ADD R1, R6, R7
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
loop:
	CBZ R3, done
	VLD1.P 16(R0), [V20.B16]
	VLD1.P 16(R6), [V21.B16]
	VLD1.P 16(R7), [V22.B16]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94e200; // sdot v0.4s, v16.16b, v20.4b[0]
	WORD $0x4f94e221; // sdot v1.4s, v17.16b, v20.4b[0]
	WORD $0x4f94e242; // sdot v2.4s, v18.16b, v20.4b[0]
	WORD $0x4f94e263; // sdot v3.4s, v19.16b, v20.4b[0]
	WORD $0x4f95e204; // sdot v4.4s, v16.16b, v21.4b[0]
	WORD $0x4f95e225; // sdot v5.4s, v17.16b, v21.4b[0]
	WORD $0x4f95e246; // sdot v6.4s, v18.16b, v21.4b[0]
	WORD $0x4f95e267; // sdot v7.4s, v19.16b, v21.4b[0]
	WORD $0x4f96e208; // sdot v8.4s, v16.16b, v22.4b[0]
	WORD $0x4f96e229; // sdot v9.4s, v17.16b, v22.4b[0]
	WORD $0x4f96e24a; // sdot v10.4s, v18.16b, v22.4b[0]
	WORD $0x4f96e26b; // sdot v11.4s, v19.16b, v22.4b[0]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4e200; // sdot v0.4s, v16.16b, v20.4b[1]
	WORD $0x4fb4e221; // sdot v1.4s, v17.16b, v20.4b[1]
	WORD $0x4fb4e242; // sdot v2.4s, v18.16b, v20.4b[1]
	WORD $0x4fb4e263; // sdot v3.4s, v19.16b, v20.4b[1]
	WORD $0x4fb5e204; // sdot v4.4s, v16.16b, v21.4b[1]
	WORD $0x4fb5e225; // sdot v5.4s, v17.16b, v21.4b[1]
	WORD $0x4fb5e246; // sdot v6.4s, v18.16b, v21.4b[1]
	WORD $0x4fb5e267; // sdot v7.4s, v19.16b, v21.4b[1]
	WORD $0x4fb6e208; // sdot v8.4s, v16.16b, v22.4b[1]
	WORD $0x4fb6e229; // sdot v9.4s, v17.16b, v22.4b[1]
	WORD $0x4fb6e24a; // sdot v10.4s, v18.16b, v22.4b[1]
	WORD $0x4fb6e26b; // sdot v11.4s, v19.16b, v22.4b[1]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94ea00; // sdot v0.4s, v16.16b, v20.4b[2]
	WORD $0x4f94ea21; // sdot v1.4s, v17.16b, v20.4b[2]
	WORD $0x4f94ea42; // sdot v2.4s, v18.16b, v20.4b[2]
	WORD $0x4f94ea63; // sdot v3.4s, v19.16b, v20.4b[2]
	WORD $0x4f95ea04; // sdot v4.4s, v16.16b, v21.4b[2]
	WORD $0x4f95ea25; // sdot v5.4s, v17.16b, v21.4b[2]
	WORD $0x4f95ea46; // sdot v6.4s, v18.16b, v21.4b[2]
	WORD $0x4f95ea67; // sdot v7.4s, v19.16b, v21.4b[2]
	WORD $0x4f96ea08; // sdot v8.4s, v16.16b, v22.4b[2]
	WORD $0x4f96ea29; // sdot v9.4s, v17.16b, v22.4b[2]
	WORD $0x4f96ea4a; // sdot v10.4s, v18.16b, v22.4b[2]
	WORD $0x4f96ea6b; // sdot v11.4s, v19.16b, v22.4b[2]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4ea00; // sdot v0.4s, v16.16b, v20.4b[3]
	WORD $0x4fb4ea21; // sdot v1.4s, v17.16b, v20.4b[3]
	WORD $0x4fb4ea42; // sdot v2.4s, v18.16b, v20.4b[3]
	WORD $0x4fb4ea63; // sdot v3.4s, v19.16b, v20.4b[3]
	WORD $0x4fb5ea04; // sdot v4.4s, v16.16b, v21.4b[3]
	WORD $0x4fb5ea25; // sdot v5.4s, v17.16b, v21.4b[3]
	WORD $0x4fb5ea46; // sdot v6.4s, v18.16b, v21.4b[3]
	WORD $0x4fb5ea67; // sdot v7.4s, v19.16b, v21.4b[3]
	WORD $0x4fb6ea08; // sdot v8.4s, v16.16b, v22.4b[3]
	WORD $0x4fb6ea29; // sdot v9.4s, v17.16b, v22.4b[3]
	WORD $0x4fb6ea4a; // sdot v10.4s, v18.16b, v22.4b[3]
	WORD $0x4fb6ea6b; // sdot v11.4s, v19.16b, v22.4b[3]
	SUB $4, R3
	B loop
done:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R4)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R4)
	RET

// func sdotTile4NEON(x []byte, ldx int, w []byte, ksteps int, acc []int32)
TEXT ·sdotTile4NEON(SB), NOSPLIT, $0-88
	MOVD x_base+0(FP), R0
	MOVD ldx+24(FP), R1
	MOVD w_base+32(FP), R2
	MOVD ksteps+56(FP), R3
	MOVD acc_base+64(FP), R4
	ADD R1, R0, R6
	ADD R1, R6, R7
	ADD R1, R7, R8
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
loop:
	CBZ R3, done
	VLD1.P 16(R0), [V20.B16]
	VLD1.P 16(R6), [V21.B16]
	VLD1.P 16(R7), [V22.B16]
	VLD1.P 16(R8), [V23.B16]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94e200; // sdot v0.4s, v16.16b, v20.4b[0]
	WORD $0x4f94e221; // sdot v1.4s, v17.16b, v20.4b[0]
	WORD $0x4f94e242; // sdot v2.4s, v18.16b, v20.4b[0]
	WORD $0x4f94e263; // sdot v3.4s, v19.16b, v20.4b[0]
	WORD $0x4f95e204; // sdot v4.4s, v16.16b, v21.4b[0]
	WORD $0x4f95e225; // sdot v5.4s, v17.16b, v21.4b[0]
	WORD $0x4f95e246; // sdot v6.4s, v18.16b, v21.4b[0]
	WORD $0x4f95e267; // sdot v7.4s, v19.16b, v21.4b[0]
	WORD $0x4f96e208; // sdot v8.4s, v16.16b, v22.4b[0]
	WORD $0x4f96e229; // sdot v9.4s, v17.16b, v22.4b[0]
	WORD $0x4f96e24a; // sdot v10.4s, v18.16b, v22.4b[0]
	WORD $0x4f96e26b; // sdot v11.4s, v19.16b, v22.4b[0]
	WORD $0x4f97e20c; // sdot v12.4s, v16.16b, v23.4b[0]
	WORD $0x4f97e22d; // sdot v13.4s, v17.16b, v23.4b[0]
	WORD $0x4f97e24e; // sdot v14.4s, v18.16b, v23.4b[0]
	WORD $0x4f97e26f; // sdot v15.4s, v19.16b, v23.4b[0]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4e200; // sdot v0.4s, v16.16b, v20.4b[1]
	WORD $0x4fb4e221; // sdot v1.4s, v17.16b, v20.4b[1]
	WORD $0x4fb4e242; // sdot v2.4s, v18.16b, v20.4b[1]
	WORD $0x4fb4e263; // sdot v3.4s, v19.16b, v20.4b[1]
	WORD $0x4fb5e204; // sdot v4.4s, v16.16b, v21.4b[1]
	WORD $0x4fb5e225; // sdot v5.4s, v17.16b, v21.4b[1]
	WORD $0x4fb5e246; // sdot v6.4s, v18.16b, v21.4b[1]
	WORD $0x4fb5e267; // sdot v7.4s, v19.16b, v21.4b[1]
	WORD $0x4fb6e208; // sdot v8.4s, v16.16b, v22.4b[1]
	WORD $0x4fb6e229; // sdot v9.4s, v17.16b, v22.4b[1]
	WORD $0x4fb6e24a; // sdot v10.4s, v18.16b, v22.4b[1]
	WORD $0x4fb6e26b; // sdot v11.4s, v19.16b, v22.4b[1]
	WORD $0x4fb7e20c; // sdot v12.4s, v16.16b, v23.4b[1]
	WORD $0x4fb7e22d; // sdot v13.4s, v17.16b, v23.4b[1]
	WORD $0x4fb7e24e; // sdot v14.4s, v18.16b, v23.4b[1]
	WORD $0x4fb7e26f; // sdot v15.4s, v19.16b, v23.4b[1]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4f94ea00; // sdot v0.4s, v16.16b, v20.4b[2]
	WORD $0x4f94ea21; // sdot v1.4s, v17.16b, v20.4b[2]
	WORD $0x4f94ea42; // sdot v2.4s, v18.16b, v20.4b[2]
	WORD $0x4f94ea63; // sdot v3.4s, v19.16b, v20.4b[2]
	WORD $0x4f95ea04; // sdot v4.4s, v16.16b, v21.4b[2]
	WORD $0x4f95ea25; // sdot v5.4s, v17.16b, v21.4b[2]
	WORD $0x4f95ea46; // sdot v6.4s, v18.16b, v21.4b[2]
	WORD $0x4f95ea67; // sdot v7.4s, v19.16b, v21.4b[2]
	WORD $0x4f96ea08; // sdot v8.4s, v16.16b, v22.4b[2]
	WORD $0x4f96ea29; // sdot v9.4s, v17.16b, v22.4b[2]
	WORD $0x4f96ea4a; // sdot v10.4s, v18.16b, v22.4b[2]
	WORD $0x4f96ea6b; // sdot v11.4s, v19.16b, v22.4b[2]
	WORD $0x4f97ea0c; // sdot v12.4s, v16.16b, v23.4b[2]
	WORD $0x4f97ea2d; // sdot v13.4s, v17.16b, v23.4b[2]
	WORD $0x4f97ea4e; // sdot v14.4s, v18.16b, v23.4b[2]
	WORD $0x4f97ea6f; // sdot v15.4s, v19.16b, v23.4b[2]
	VLD1.P 64(R2), [V16.B16, V17.B16, V18.B16, V19.B16]
	WORD $0x4fb4ea00; // sdot v0.4s, v16.16b, v20.4b[3]
	WORD $0x4fb4ea21; // sdot v1.4s, v17.16b, v20.4b[3]
	WORD $0x4fb4ea42; // sdot v2.4s, v18.16b, v20.4b[3]
	WORD $0x4fb4ea63; // sdot v3.4s, v19.16b, v20.4b[3]
	WORD $0x4fb5ea04; // sdot v4.4s, v16.16b, v21.4b[3]
	WORD $0x4fb5ea25; // sdot v5.4s, v17.16b, v21.4b[3]
	WORD $0x4fb5ea46; // sdot v6.4s, v18.16b, v21.4b[3]
	WORD $0x4fb5ea67; // sdot v7.4s, v19.16b, v21.4b[3]
	WORD $0x4fb6ea08; // sdot v8.4s, v16.16b, v22.4b[3]
	WORD $0x4fb6ea29; // sdot v9.4s, v17.16b, v22.4b[3]
	WORD $0x4fb6ea4a; // sdot v10.4s, v18.16b, v22.4b[3]
	WORD $0x4fb6ea6b; // sdot v11.4s, v19.16b, v22.4b[3]
	WORD $0x4fb7ea0c; // sdot v12.4s, v16.16b, v23.4b[3]
	WORD $0x4fb7ea2d; // sdot v13.4s, v17.16b, v23.4b[3]
	WORD $0x4fb7ea4e; // sdot v14.4s, v18.16b, v23.4b[3]
	WORD $0x4fb7ea6f; // sdot v15.4s, v19.16b, v23.4b[3]
	SUB $4, R3
	B loop
done:
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R4)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R4)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R4)
	RET


// Peak probes (peak_arm64.go registers them with harness/peak). The compute
// loops keep 24 independent chains in V0-V23 with the operands in V24/V25
// and store every lane to out; the bandwidth loops move 64 bytes per load or
// store and leave the tail (under one unrolled iteration) to Go. The read
// loop adds its lanes in float64 (a reduction in Go would cost as much as a
// pass in L1).

// func fmaPeakNEON(n int, mul, add float32, out []float32)
TEXT ·fmaPeakNEON(SB), NOSPLIT, $0-40
	MOVD n+0(FP), R0
	FMOVS mul+8(FP), F24
	VDUP V24.S[0], V24.S4
	FMOVS add+12(FP), F25
	VDUP V25.S[0], V25.S4
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
	CBZ R0, done
loop:
	VFMLA V25.S4, V24.S4, V0.S4
	VFMLA V25.S4, V24.S4, V1.S4
	VFMLA V25.S4, V24.S4, V2.S4
	VFMLA V25.S4, V24.S4, V3.S4
	VFMLA V25.S4, V24.S4, V4.S4
	VFMLA V25.S4, V24.S4, V5.S4
	VFMLA V25.S4, V24.S4, V6.S4
	VFMLA V25.S4, V24.S4, V7.S4
	VFMLA V25.S4, V24.S4, V8.S4
	VFMLA V25.S4, V24.S4, V9.S4
	VFMLA V25.S4, V24.S4, V10.S4
	VFMLA V25.S4, V24.S4, V11.S4
	VFMLA V25.S4, V24.S4, V12.S4
	VFMLA V25.S4, V24.S4, V13.S4
	VFMLA V25.S4, V24.S4, V14.S4
	VFMLA V25.S4, V24.S4, V15.S4
	VFMLA V25.S4, V24.S4, V16.S4
	VFMLA V25.S4, V24.S4, V17.S4
	VFMLA V25.S4, V24.S4, V18.S4
	VFMLA V25.S4, V24.S4, V19.S4
	VFMLA V25.S4, V24.S4, V20.S4
	VFMLA V25.S4, V24.S4, V21.S4
	VFMLA V25.S4, V24.S4, V22.S4
	VFMLA V25.S4, V24.S4, V23.S4
	SUBS $1, R0
	BNE loop
done:
	MOVD out_base+16(FP), R1
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R1)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R1)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R1)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	RET

// func dotPeakSDOT(n int, a, b uint32, out []int32)
TEXT ·dotPeakSDOT(SB), NOSPLIT, $0-40
	MOVD n+0(FP), R0
	MOVWU a+8(FP), R2
	VDUP R2, V24.S4
	MOVWU b+12(FP), R3
	VDUP R3, V25.S4
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
	CBZ R0, done
loop:
	WORD $0x4e999700; // sdot v0.4s, v24.16b, v25.16b
	WORD $0x4e999701; // sdot v1.4s, v24.16b, v25.16b
	WORD $0x4e999702; // sdot v2.4s, v24.16b, v25.16b
	WORD $0x4e999703; // sdot v3.4s, v24.16b, v25.16b
	WORD $0x4e999704; // sdot v4.4s, v24.16b, v25.16b
	WORD $0x4e999705; // sdot v5.4s, v24.16b, v25.16b
	WORD $0x4e999706; // sdot v6.4s, v24.16b, v25.16b
	WORD $0x4e999707; // sdot v7.4s, v24.16b, v25.16b
	WORD $0x4e999708; // sdot v8.4s, v24.16b, v25.16b
	WORD $0x4e999709; // sdot v9.4s, v24.16b, v25.16b
	WORD $0x4e99970a; // sdot v10.4s, v24.16b, v25.16b
	WORD $0x4e99970b; // sdot v11.4s, v24.16b, v25.16b
	WORD $0x4e99970c; // sdot v12.4s, v24.16b, v25.16b
	WORD $0x4e99970d; // sdot v13.4s, v24.16b, v25.16b
	WORD $0x4e99970e; // sdot v14.4s, v24.16b, v25.16b
	WORD $0x4e99970f; // sdot v15.4s, v24.16b, v25.16b
	WORD $0x4e999710; // sdot v16.4s, v24.16b, v25.16b
	WORD $0x4e999711; // sdot v17.4s, v24.16b, v25.16b
	WORD $0x4e999712; // sdot v18.4s, v24.16b, v25.16b
	WORD $0x4e999713; // sdot v19.4s, v24.16b, v25.16b
	WORD $0x4e999714; // sdot v20.4s, v24.16b, v25.16b
	WORD $0x4e999715; // sdot v21.4s, v24.16b, v25.16b
	WORD $0x4e999716; // sdot v22.4s, v24.16b, v25.16b
	WORD $0x4e999717; // sdot v23.4s, v24.16b, v25.16b
	SUBS $1, R0
	BNE loop
done:
	MOVD out_base+16(FP), R1
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R1)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R1)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R1)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R1)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	RET

// func readPeakNEON(x []float32) float64
TEXT ·readPeakNEON(SB), NOSPLIT, $0-32
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	LSR $5, R1
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	CBZ R1, done
loop:
	VLD1.P 64(R0), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R0), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e30d400; // fadd v0.4s, v0.4s, v16.4s
	WORD $0x4e31d421; // fadd v1.4s, v1.4s, v17.4s
	WORD $0x4e32d442; // fadd v2.4s, v2.4s, v18.4s
	WORD $0x4e33d463; // fadd v3.4s, v3.4s, v19.4s
	WORD $0x4e34d484; // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5; // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6; // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7; // fadd v7.4s, v7.4s, v23.4s
	SUBS $1, R1
	BNE loop
done:
	WORD $0x4e24d400; // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421; // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442; // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463; // fadd v3.4s, v3.4s, v7.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x4e23d421; // fadd v1.4s, v1.4s, v3.4s
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x0e617801; // fcvtl v1.2d, v0.2s
	WORD $0x4e617802; // fcvtl2 v2.2d, v0.4s
	WORD $0x4e62d421; // fadd v1.2d, v1.2d, v2.2d
	WORD $0x7e70d820; // faddp d0, v1.2d
	FMOVD F0, ret+24(FP)
	RET

// func copyPeakNEON(dst, x []float32)
TEXT ·copyPeakNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD x_base+24(FP), R1
	LSR $5, R2
	CBZ R2, done
loop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUBS $1, R2
	BNE loop
done:
	RET

// func triadPeakNEON(dst, x, y []float32, s float32)
TEXT ·triadPeakNEON(SB), NOSPLIT, $0-76
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R3
	MOVD x_base+24(FP), R1
	MOVD y_base+48(FP), R2
	FMOVS s+72(FP), F31
	VDUP V31.S[0], V31.S4
	LSR $4, R3
	CBZ R3, done
loop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R2), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA V31.S4, V4.S4, V0.S4
	VFMLA V31.S4, V5.S4, V1.S4
	VFMLA V31.S4, V6.S4, V2.S4
	VFMLA V31.S4, V7.S4, V3.S4
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS $1, R3
	BNE loop
done:
	RET
