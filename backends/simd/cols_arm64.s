// NEON column primitives of the training norms (trainnorms.go), hand-written
// like simd_arm64.s: vector FADD, FSUB and FMUL are WORDs with the mnemonic in a
// comment (ci/check-asm.sh decodes them). Column sums keep a block of columns
// (32, then 4) in V0-V7 while the rows stream by; sh sits in V8-V15, row data
// in V16-V23; tails shorter than four columns or elements run one at a time
// with scalar instructions, so no access leaves the slices.

//go:build !purego

#include "textflag.h"

// func colSumNEON(acc, x []float32, ld, rows int)
TEXT ·colSumNEON(SB), NOSPLIT, $0-64
	MOVD ld+48(FP), R3
	MOVD rows+56(FP), R4
	MOVD acc_base+0(FP), R0
	MOVD acc_len+8(FP), R1
	MOVD x_base+24(FP), R2
	LSL $2, R3
wide:
	CMP $32, R1
	BLT single
	ADD $64, R0, R9
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R9), [V4.S4, V5.S4, V6.S4, V7.S4]
	MOVD R2, R5
	MOVD R4, R6
widerows:
	CBZ R6, widestore
	ADD $64, R5, R8
	VLD1 (R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R8), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4e30d400; // fadd v0.4s, v0.4s, v16.4s
	WORD $0x4e31d421; // fadd v1.4s, v1.4s, v17.4s
	WORD $0x4e32d442; // fadd v2.4s, v2.4s, v18.4s
	WORD $0x4e33d463; // fadd v3.4s, v3.4s, v19.4s
	WORD $0x4e34d484; // fadd v4.4s, v4.4s, v20.4s
	WORD $0x4e35d4a5; // fadd v5.4s, v5.4s, v21.4s
	WORD $0x4e36d4c6; // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4e37d4e7; // fadd v7.4s, v7.4s, v23.4s
	ADD R3, R5
	SUB $1, R6
	B widerows
widestore:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R9)
	ADD $128, R0
	ADD $128, R2
	SUB $32, R1
	B wide
single:
	CMP $4, R1
	BLT tail
	VLD1 (R0), [V0.S4]
	MOVD R2, R5
	MOVD R4, R6
singlerows:
	CBZ R6, singlestore
	VLD1 (R5), [V16.S4]
	WORD $0x4e30d400; // fadd v0.4s, v0.4s, v16.4s
	ADD R3, R5
	SUB $1, R6
	B singlerows
singlestore:
	VST1 [V0.S4], (R0)
	ADD $16, R0
	ADD $16, R2
	SUB $4, R1
	B single
tail:
	CBZ R1, done
	FMOVS (R0), F0
	MOVD R2, R5
	MOVD R4, R6
tailrows:
	CBZ R6, tailstore
	FMOVS (R5), F16
	FADDS F16, F0, F0
	ADD R3, R5
	SUB $1, R6
	B tailrows
tailstore:
	FMOVS F0, (R0)
	ADD $4, R0
	ADD $4, R2
	SUB $1, R1
	B tail
done:
	RET

// func colSqDevNEON(acc, x, sh []float32, ld, rows int)
TEXT ·colSqDevNEON(SB), NOSPLIT, $0-88
	MOVD sh_base+48(FP), R7
	MOVD ld+72(FP), R3
	MOVD rows+80(FP), R4
	MOVD acc_base+0(FP), R0
	MOVD acc_len+8(FP), R1
	MOVD x_base+24(FP), R2
	LSL $2, R3
wide:
	CMP $32, R1
	BLT single
	ADD $64, R0, R9
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R9), [V4.S4, V5.S4, V6.S4, V7.S4]
	ADD $64, R7, R10
	VLD1 (R7), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1 (R10), [V12.S4, V13.S4, V14.S4, V15.S4]
	MOVD R2, R5
	MOVD R4, R6
widerows:
	CBZ R6, widestore
	ADD $64, R5, R8
	VLD1 (R5), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R8), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4ea8d610; // fsub v16.4s, v16.4s, v8.4s
	VFMLA V16.S4, V16.S4, V0.S4
	WORD $0x4ea9d631; // fsub v17.4s, v17.4s, v9.4s
	VFMLA V17.S4, V17.S4, V1.S4
	WORD $0x4eaad652; // fsub v18.4s, v18.4s, v10.4s
	VFMLA V18.S4, V18.S4, V2.S4
	WORD $0x4eabd673; // fsub v19.4s, v19.4s, v11.4s
	VFMLA V19.S4, V19.S4, V3.S4
	WORD $0x4eacd694; // fsub v20.4s, v20.4s, v12.4s
	VFMLA V20.S4, V20.S4, V4.S4
	WORD $0x4eadd6b5; // fsub v21.4s, v21.4s, v13.4s
	VFMLA V21.S4, V21.S4, V5.S4
	WORD $0x4eaed6d6; // fsub v22.4s, v22.4s, v14.4s
	VFMLA V22.S4, V22.S4, V6.S4
	WORD $0x4eafd6f7; // fsub v23.4s, v23.4s, v15.4s
	VFMLA V23.S4, V23.S4, V7.S4
	ADD R3, R5
	SUB $1, R6
	B widerows
widestore:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R9)
	ADD $128, R0
	ADD $128, R2
	ADD $128, R7
	SUB $32, R1
	B wide
single:
	CMP $4, R1
	BLT tail
	VLD1 (R0), [V0.S4]
	VLD1 (R7), [V8.S4]
	MOVD R2, R5
	MOVD R4, R6
singlerows:
	CBZ R6, singlestore
	VLD1 (R5), [V16.S4]
	WORD $0x4ea8d610; // fsub v16.4s, v16.4s, v8.4s
	VFMLA V16.S4, V16.S4, V0.S4
	ADD R3, R5
	SUB $1, R6
	B singlerows
singlestore:
	VST1 [V0.S4], (R0)
	ADD $16, R0
	ADD $16, R2
	ADD $16, R7
	SUB $4, R1
	B single
tail:
	CBZ R1, done
	FMOVS (R0), F0
	FMOVS (R7), F8
	MOVD R2, R5
	MOVD R4, R6
tailrows:
	CBZ R6, tailstore
	FMOVS (R5), F16
	FSUBS F8, F16, F16
	FMADDS F16, F0, F16, F0
	ADD R3, R5
	SUB $1, R6
	B tailrows
tailstore:
	FMOVS F0, (R0)
	ADD $4, R0
	ADD $4, R2
	ADD $4, R7
	SUB $1, R1
	B tail
done:
	RET

// func centerAffineNEON(y, x, mu, a, b []float32)
TEXT ·centerAffineNEON(SB), NOSPLIT, $0-120
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD x_len+32(FP), R1
	MOVD mu_base+48(FP), R2
	MOVD a_base+72(FP), R3
	MOVD b_base+96(FP), R4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P 64(R4), [V16.S4, V17.S4, V18.S4, V19.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	VFMLA V12.S4, V4.S4, V16.S4
	WORD $0x4ea9d4a5; // fsub v5.4s, v5.4s, v9.4s
	VFMLA V13.S4, V5.S4, V17.S4
	WORD $0x4eaad4c6; // fsub v6.4s, v6.4s, v10.4s
	VFMLA V14.S4, V6.S4, V18.S4
	WORD $0x4eabd4e7; // fsub v7.4s, v7.4s, v11.4s
	VFMLA V15.S4, V7.S4, V19.S4
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	VLD1.P 16(R3), [V12.S4]
	VLD1.P 16(R4), [V16.S4]
	WORD $0x4ea8d484; // fsub v4.4s, v4.4s, v8.4s
	VFMLA V12.S4, V4.S4, V16.S4
	VST1.P [V16.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	FMOVS.P 4(R3), F12
	FMOVS.P 4(R4), F16
	FSUBS F8, F4, F4
	FMADDS F12, F16, F4, F16
	FMOVS.P F16, 4(R5)
	SUB $1, R1
	B tail
done:
	RET

// func blendAffineNEON(y, x, g, mu, a, b []float32, rmu, s float32)
TEXT ·blendAffineNEON(SB), NOSPLIT, $0-152
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD x_len+32(FP), R1
	MOVD g_base+48(FP), R6
	MOVD mu_base+72(FP), R2
	MOVD a_base+96(FP), R3
	MOVD b_base+120(FP), R4
	FMOVS rmu+144(FP), F30
	VDUP V30.S[0], V30.S4
	FMOVS s+148(FP), F31
	VDUP V31.S[0], V31.S4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R2), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P 64(R3), [V12.S4, V13.S4, V14.S4, V15.S4]
	VLD1.P 64(R4), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	WORD $0x4ea8d488; // fsub v8.4s, v4.4s, v8.4s
	VFMLA V12.S4, V8.S4, V16.S4
	WORD $0x4ebed484; // fsub v4.4s, v4.4s, v30.4s
	WORD $0x6e3fdc84; // fmul v4.4s, v4.4s, v31.4s
	VFMLA V20.S4, V4.S4, V16.S4
	WORD $0x4ea9d4a9; // fsub v9.4s, v5.4s, v9.4s
	VFMLA V13.S4, V9.S4, V17.S4
	WORD $0x4ebed4a5; // fsub v5.4s, v5.4s, v30.4s
	WORD $0x6e3fdca5; // fmul v5.4s, v5.4s, v31.4s
	VFMLA V21.S4, V5.S4, V17.S4
	WORD $0x4eaad4ca; // fsub v10.4s, v6.4s, v10.4s
	VFMLA V14.S4, V10.S4, V18.S4
	WORD $0x4ebed4c6; // fsub v6.4s, v6.4s, v30.4s
	WORD $0x6e3fdcc6; // fmul v6.4s, v6.4s, v31.4s
	VFMLA V22.S4, V6.S4, V18.S4
	WORD $0x4eabd4eb; // fsub v11.4s, v7.4s, v11.4s
	VFMLA V15.S4, V11.S4, V19.S4
	WORD $0x4ebed4e7; // fsub v7.4s, v7.4s, v30.4s
	WORD $0x6e3fdce7; // fmul v7.4s, v7.4s, v31.4s
	VFMLA V23.S4, V7.S4, V19.S4
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V8.S4]
	VLD1.P 16(R3), [V12.S4]
	VLD1.P 16(R4), [V16.S4]
	VLD1.P 16(R6), [V20.S4]
	WORD $0x4ea8d488; // fsub v8.4s, v4.4s, v8.4s
	VFMLA V12.S4, V8.S4, V16.S4
	WORD $0x4ebed484; // fsub v4.4s, v4.4s, v30.4s
	WORD $0x6e3fdc84; // fmul v4.4s, v4.4s, v31.4s
	VFMLA V20.S4, V4.S4, V16.S4
	VST1.P [V16.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F8
	FMOVS.P 4(R3), F12
	FMOVS.P 4(R4), F16
	FMOVS.P 4(R6), F20
	FSUBS F8, F4, F8
	FMADDS F12, F16, F8, F16
	FSUBS F30, F4, F4
	FMULS F31, F4, F4
	FMADDS F20, F16, F4, F16
	FMOVS.P F16, 4(R5)
	SUB $1, R1
	B tail
done:
	RET
