// NEON routines of the EvoNorm and SELU primitives (the meaning of each is
// its Go twin in twins_evo.go; stubs in stub_evo_arm64.go). Loops of 16,
// then 4, then single elements through lane 0. Instructions the Go
// assembler lacks are WORDs with the mnemonic in a comment (checked by
// ci/check-asm.sh). Registers: V4-V12 data and temporaries, V16-V30
// constants (V19-V30 as in sumExpNEON: exp's clamp, log2(e), ln2 split,
// polynomial, 1 and 127; V18 the sign bit; V16, V17 SELU's lambda*alpha
// and lambda).

//go:build !purego

#include "textflag.h"


// func seluNEON(y, x []float32)
TEXT ·seluNEON(SB), NOSPLIT, $0-48
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD x_len+32(FP), R1
	MOVW $0xc2ae0000, R9
	VDUP R9, V30.S4
	MOVW $0x3fb8aa3b, R9
	VDUP R9, V29.S4
	MOVW $0x3f318000, R9
	VDUP R9, V28.S4
	MOVW $0xb95e8083, R9
	VDUP R9, V27.S4
	MOVW $0x39506967, R9
	VDUP R9, V26.S4
	MOVW $0x3ab743ce, R9
	VDUP R9, V25.S4
	MOVW $0x3c088908, R9
	VDUP R9, V24.S4
	MOVW $0x3d2aa9c1, R9
	VDUP R9, V23.S4
	MOVW $0x3e2aaaaa, R9
	VDUP R9, V22.S4
	MOVW $0x3f000000, R9
	VDUP R9, V21.S4
	MOVW $0x3f800000, R9
	VDUP R9, V20.S4
	MOVW $0x7f, R9
	VDUP R9, V19.S4
	MOVW $0x80000000, R9
	VDUP R9, V18.S4
	MOVW $0x3f867d5f, R9
	VDUP R9, V17.S4
	MOVW $0x3fe10966, R9
	VDUP R9, V16.S4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 16(R0), [V4.S4]
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	VST1.P [V9.S4], 16(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	VST1.P [V9.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	VMOV V4.B16, V5.B16
	WORD $0x4e3ef4a5; // fmax v5.4s, v5.4s, v30.4s
	WORD $0x6e3ddca6; // fmul v6.4s, v5.4s, v29.4s
	WORD $0x4e2188c6; // frintn v6.4s, v6.4s
	VFMLS V6.S4, V28.S4, V5.S4
	VFMLS V6.S4, V27.S4, V5.S4
	VMOV V25.B16, V7.B16
	VFMLA V26.S4, V5.S4, V7.S4
	VMOV V24.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V23.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	VMOV V22.B16, V8.B16
	VFMLA V7.S4, V5.S4, V8.S4
	VMOV V21.B16, V7.B16
	VFMLA V8.S4, V5.S4, V7.S4
	WORD $0x6e25dca8; // fmul v8.4s, v5.4s, v5.4s
	VFMLA V7.S4, V8.S4, V5.S4
	WORD $0x4ea1b8c6; // fcvtzs v6.4s, v6.4s
	VADD V19.S4, V6.S4, V6.S4
	VSHL $23, V6.S4, V6.S4
	WORD $0x4eb4d4c8; // fsub v8.4s, v6.4s, v20.4s
	VFMLA V6.S4, V5.S4, V8.S4
	WORD $0x6e30dd08; // fmul v8.4s, v8.4s, v16.4s
	VORR V18.B16, V8.B16, V8.B16
	WORD $0x6e31dc87; // fmul v7.4s, v4.4s, v17.4s
	WORD $0x4f210489; // sshr v9.4s, v4.4s, #31
	WORD $0x6e671d09; // bsl v9.16b, v8.16b, v7.16b
	FMOVS.P F9, 4(R5)
	SUB $1, R1
	B tail
done:
	RET

// func evoB0NEON(y, x, sb, vc, sw, g, b []float32)
TEXT ·evoB0NEON(SB), NOSPLIT, $0-168
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD sb_base+48(FP), R2
	MOVD vc_base+72(FP), R3
	MOVD sw_base+96(FP), R4
	MOVD g_base+120(FP), R6
	MOVD b_base+144(FP), R7
	MOVD x_len+32(FP), R1
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	VLD1.P 16(R6), [V8.S4]
	VLD1.P 16(R7), [V9.S4]
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	VLD1.P 16(R6), [V8.S4]
	VLD1.P 16(R7), [V9.S4]
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	VLD1.P 16(R6), [V8.S4]
	VLD1.P 16(R7), [V9.S4]
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	VST1.P [V9.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	VLD1.P 16(R6), [V8.S4]
	VLD1.P 16(R7), [V9.S4]
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	VST1.P [V9.S4], 16(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	VLD1.P 16(R6), [V8.S4]
	VLD1.P 16(R7), [V9.S4]
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	VST1.P [V9.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F5
	FMOVS.P 4(R3), F6
	FMOVS.P 4(R4), F7
	FMOVS.P 4(R6), F8
	FMOVS.P 4(R7), F9
	VFMLA V6.S4, V4.S4, V7.S4
	WORD $0x4e27f4aa; // fmax v10.4s, v5.4s, v7.4s
	WORD $0x6e2afc84; // fdiv v4.4s, v4.4s, v10.4s
	VFMLA V8.S4, V4.S4, V9.S4
	FMOVS.P F9, 4(R5)
	SUB $1, R1
	B tail
done:
	RET

// func evoS0NEON(y, x, vc, k, b []float32)
TEXT ·evoS0NEON(SB), NOSPLIT, $0-120
	MOVD y_base+0(FP), R5
	MOVD x_base+24(FP), R0
	MOVD vc_base+48(FP), R2
	MOVD k_base+72(FP), R3
	MOVD b_base+96(FP), R4
	MOVD x_len+32(FP), R1
	MOVW $0xc2ae0000, R9
	VDUP R9, V30.S4
	MOVW $0x3fb8aa3b, R9
	VDUP R9, V29.S4
	MOVW $0x3f318000, R9
	VDUP R9, V28.S4
	MOVW $0xb95e8083, R9
	VDUP R9, V27.S4
	MOVW $0x39506967, R9
	VDUP R9, V26.S4
	MOVW $0x3ab743ce, R9
	VDUP R9, V25.S4
	MOVW $0x3c088908, R9
	VDUP R9, V24.S4
	MOVW $0x3d2aa9c1, R9
	VDUP R9, V23.S4
	MOVW $0x3e2aaaaa, R9
	VDUP R9, V22.S4
	MOVW $0x3f000000, R9
	VDUP R9, V21.S4
	MOVW $0x3f800000, R9
	VDUP R9, V20.S4
	MOVW $0x7f, R9
	VDUP R9, V19.S4
	MOVW $0x80000000, R9
	VDUP R9, V18.S4
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	VST1.P [V7.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	VST1.P [V7.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	VST1.P [V7.S4], 16(R5)
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	VST1.P [V7.S4], 16(R5)
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VLD1.P 16(R2), [V5.S4]
	VLD1.P 16(R3), [V6.S4]
	VLD1.P 16(R4), [V7.S4]
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	VST1.P [V7.S4], 16(R5)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4
	FMOVS.P 4(R2), F5
	FMOVS.P 4(R3), F6
	FMOVS.P 4(R4), F7
	WORD $0x6e24dca8; // fmul v8.4s, v5.4s, v4.4s
	VORR V18.B16, V8.B16, V9.B16
	WORD $0x4e3ef529; // fmax v9.4s, v9.4s, v30.4s
	WORD $0x6e3ddd2a; // fmul v10.4s, v9.4s, v29.4s
	WORD $0x4e21894a; // frintn v10.4s, v10.4s
	VFMLS V10.S4, V28.S4, V9.S4
	VFMLS V10.S4, V27.S4, V9.S4
	VMOV V25.B16, V11.B16
	VFMLA V26.S4, V9.S4, V11.S4
	VMOV V24.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V23.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	VMOV V22.B16, V12.B16
	VFMLA V11.S4, V9.S4, V12.S4
	VMOV V21.B16, V11.B16
	VFMLA V12.S4, V9.S4, V11.S4
	WORD $0x6e29dd2c; // fmul v12.4s, v9.4s, v9.4s
	VFMLA V11.S4, V12.S4, V9.S4
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x4ea1b94a; // fcvtzs v10.4s, v10.4s
	VADD V19.S4, V10.S4, V10.S4
	VSHL $23, V10.S4, V10.S4
	WORD $0x6e2add29; // fmul v9.4s, v9.4s, v10.4s
	WORD $0x4f21050c; // sshr v12.4s, v8.4s, #31
	WORD $0x6e741d2c; // bsl v12.16b, v9.16b, v20.16b
	WORD $0x4e34d529; // fadd v9.4s, v9.4s, v20.4s
	WORD $0x6e2cdc84; // fmul v4.4s, v4.4s, v12.4s
	WORD $0x6e29fc84; // fdiv v4.4s, v4.4s, v9.4s
	VFMLA V6.S4, V4.S4, V7.S4
	FMOVS.P F7, 4(R5)
	SUB $1, R1
	B tail
done:
	RET
