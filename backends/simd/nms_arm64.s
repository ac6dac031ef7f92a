// NEON code of the NMS kernels (nms.go, softnms.go). Instructions the Go
// assembler lacks are WORDs with the mnemonic in a comment (see
// simd_arm64.s; ci/check-asm.sh decodes them). Register use: V0-V15 data,
// V16-V31 constants.

//go:build !purego

#include "textflag.h"

// nmsSuppressNEON: 4 candidates per step, and the tail one at a time in
// lane 0 with the same code. A step loads x1, y1, x2, y2, area into V0-V4
// and the ranks into V5, computes with nmsSuppressGo's operations in its
// order, and leaves the suppression mask in V10 (inter == tu counts where
// V26, the geq lanes, is set); VBIT puts +Inf into x1 and ORR -1 into the
// rank under it, and both are stored back whole.

// func nmsSuppressNEON(x1, y1, x2, y2, area []float32, rank []int32, box []float32, t, one float32, geq bool) int
TEXT ·nmsSuppressNEON(SB), NOSPLIT, $0-192
	MOVD x1_base+0(FP), R0
	MOVD x1_len+8(FP), R1
	MOVD y1_base+24(FP), R2
	MOVD x2_base+48(FP), R3
	MOVD y2_base+72(FP), R4
	MOVD area_base+96(FP), R5
	MOVD rank_base+120(FP), R6
	MOVD box_base+144(FP), R7
	VLD1R.P 4(R7), [V16.S4] // ax1
	VLD1R.P 4(R7), [V17.S4] // ay1
	VLD1R.P 4(R7), [V18.S4] // ax2
	VLD1R.P 4(R7), [V19.S4] // ay2
	VLD1R (R7), [V20.S4]    // aa
	FMOVS t+168(FP), F21
	VDUP V21.S[0], V21.S4
	FMOVS one+172(FP), F22
	VDUP V22.S[0], V22.S4
	MOVW $0x7f800000, R8
	VDUP R8, V23.S4 // +Inf
	VEOR V24.B16, V24.B16, V24.B16 // minus the count per lane
	VEOR V25.B16, V25.B16, V25.B16
	MOVD $-1, R8
	VMOV R8, V25.S[0] // lane 0 only (the tail)
	MOVBU geq+176(FP), R9
	NEG R9, R9
	VDUP R9, V26.S4 // all ones when geq
loop4:
	CMP $4, R1
	BLT tail
	VLD1 (R0), [V0.S4]
	VLD1.P 16(R2), [V1.S4]
	VLD1.P 16(R3), [V2.S4]
	VLD1.P 16(R4), [V3.S4]
	VLD1.P 16(R5), [V4.S4]
	VLD1 (R6), [V5.S4]
	WORD $0x4ea2f646; // fmin v6.4s, v18.4s, v2.4s
	WORD $0x4e20f607; // fmax v7.4s, v16.4s, v0.4s
	WORD $0x4ea7d4c6; // fsub v6.4s, v6.4s, v7.4s
	WORD $0x4e36d4c6; // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4ea3f667; // fmin v7.4s, v19.4s, v3.4s
	WORD $0x4e21f628; // fmax v8.4s, v17.4s, v1.4s
	WORD $0x4ea8d4e7; // fsub v7.4s, v7.4s, v8.4s
	WORD $0x4e36d4e7; // fadd v7.4s, v7.4s, v22.4s
	WORD $0x6e27dcc8; // fmul v8.4s, v6.4s, v7.4s
	WORD $0x4e24d689; // fadd v9.4s, v20.4s, v4.4s
	WORD $0x4ea8d529; // fsub v9.4s, v9.4s, v8.4s
	WORD $0x6e29dea9; // fmul v9.4s, v21.4s, v9.4s
	WORD $0x4ea0c8c6; // fcmgt v6.4s, v6.4s, #0.0
	WORD $0x4ea0c8e7; // fcmgt v7.4s, v7.4s, #0.0
	WORD $0x6ea9e50a; // fcmgt v10.4s, v8.4s, v9.4s
	WORD $0x4e29e50b; // fcmeq v11.4s, v8.4s, v9.4s
	VAND V26.B16, V11.B16, V11.B16
	VORR V11.B16, V10.B16, V10.B16
	VAND V6.B16, V10.B16, V10.B16
	VAND V7.B16, V10.B16, V10.B16
	VBIT V10.B16, V23.B16, V0.B16
	VORR V10.B16, V5.B16, V5.B16
	VSUB V10.S4, V24.S4, V24.S4
	VST1.P [V0.S4], 16(R0)
	VST1.P [V5.S4], 16(R6)
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS (R0), F0
	FMOVS.P 4(R2), F1
	FMOVS.P 4(R3), F2
	FMOVS.P 4(R4), F3
	FMOVS.P 4(R5), F4
	FMOVS (R6), F5
	WORD $0x4ea2f646; // fmin v6.4s, v18.4s, v2.4s
	WORD $0x4e20f607; // fmax v7.4s, v16.4s, v0.4s
	WORD $0x4ea7d4c6; // fsub v6.4s, v6.4s, v7.4s
	WORD $0x4e36d4c6; // fadd v6.4s, v6.4s, v22.4s
	WORD $0x4ea3f667; // fmin v7.4s, v19.4s, v3.4s
	WORD $0x4e21f628; // fmax v8.4s, v17.4s, v1.4s
	WORD $0x4ea8d4e7; // fsub v7.4s, v7.4s, v8.4s
	WORD $0x4e36d4e7; // fadd v7.4s, v7.4s, v22.4s
	WORD $0x6e27dcc8; // fmul v8.4s, v6.4s, v7.4s
	WORD $0x4e24d689; // fadd v9.4s, v20.4s, v4.4s
	WORD $0x4ea8d529; // fsub v9.4s, v9.4s, v8.4s
	WORD $0x6e29dea9; // fmul v9.4s, v21.4s, v9.4s
	WORD $0x4ea0c8c6; // fcmgt v6.4s, v6.4s, #0.0
	WORD $0x4ea0c8e7; // fcmgt v7.4s, v7.4s, #0.0
	WORD $0x6ea9e50a; // fcmgt v10.4s, v8.4s, v9.4s
	WORD $0x4e29e50b; // fcmeq v11.4s, v8.4s, v9.4s
	VAND V26.B16, V11.B16, V11.B16
	VORR V11.B16, V10.B16, V10.B16
	VAND V6.B16, V10.B16, V10.B16
	VAND V7.B16, V10.B16, V10.B16
	VAND V25.B16, V10.B16, V10.B16 // the upper lanes hold zeros, not candidates
	VBIT V10.B16, V23.B16, V0.B16
	VORR V10.B16, V5.B16, V5.B16
	VSUB V10.S4, V24.S4, V24.S4
	FMOVS.P F0, 4(R0)
	FMOVS.P F5, 4(R6)
	SUB $1, R1
	B tail
done:
	VADDV V24.S4, V24
	VMOV V24.S[0], R8
	MOVD R8, ret+184(FP)
	RET

// softPassNEON: 2 candidates (one register pair) per step, and a last odd
// one in lane 0 with lane 1's score NaN (dead, so nothing happens there)
// through the same code. Lane l = j%8 of best is kept in memory: the step
// at j reads and writes the pair of best holding lanes j%8 and j%8+1 (R10
// cycles over the four pairs). Per step: V0-V5 x1, y1, x2, y2, area,
// score; V6 live (score not NaN); V9 the overlapping live lanes; V14 the
// weight w. Constants: V16-V23 p[0..7], V24 1.0, V25 NaN, V26 all ones
// when linear, V27 the indices of the step, V28 2.0, V29 minus the count.

// func softPassNEON(x1, y1, x2, y2, area, score []float64, p []float64, method int, best []float64) int
TEXT ·softPassNEON(SB), NOSPLIT, $0-208
	MOVD x1_base+0(FP), R0
	MOVD y1_base+24(FP), R1
	MOVD x2_base+48(FP), R2
	MOVD y2_base+72(FP), R3
	MOVD area_base+96(FP), R4
	MOVD score_base+120(FP), R5
	MOVD score_len+128(FP), R6
	MOVD p_base+144(FP), R7
	MOVD method+168(FP), R8
	MOVD best_base+176(FP), R11
	VLD1R.P 8(R7), [V16.D2] // ax1
	VLD1R.P 8(R7), [V17.D2] // ay1
	VLD1R.P 8(R7), [V18.D2] // ax2
	VLD1R.P 8(R7), [V19.D2] // ay2
	VLD1R.P 8(R7), [V20.D2] // aa
	VLD1R.P 8(R7), [V21.D2] // nt
	VLD1R.P 8(R7), [V22.D2] // sigma
	VLD1R (R7), [V23.D2]    // thr
	MOVD $0x3ff0000000000000, R15
	VDUP R15, V24.D2 // 1.0
	VEOR V27.B16, V27.B16, V27.B16
	VMOV R15, V27.D[1] // indices 0, 1
	MOVD $0x7ff8000000000000, R15
	VDUP R15, V25.D2 // NaN
	MOVD $0x4000000000000000, R15
	VDUP R15, V28.D2 // 2.0
	CMP $1, R8
	CSETM EQ, R15
	VDUP R15, V26.D2 // linear
	CMP $2, R8
	CSET EQ, R9 // gaussian
	VEOR V29.B16, V29.B16, V29.B16
	MOVD $0xfff0000000000000, R15
	VDUP R15, V12.D2 // -Inf
	MOVD $0xbff0000000000000, R15
	VDUP R15, V13.D2 // -1.0
	FMOVQ F12, (R11)
	FMOVQ F12, 16(R11)
	FMOVQ F12, 32(R11)
	FMOVQ F12, 48(R11)
	FMOVQ F13, 64(R11)
	FMOVQ F13, 80(R11)
	FMOVQ F13, 96(R11)
	FMOVQ F13, 112(R11)
	MOVD R11, R10
	ADD $64, R11, R13
	MOVD $0, R14 // the odd last candidate
pair:
	CMP $2, R6
	BLT single
	VLD1.P 16(R0), [V0.D2]
	VLD1.P 16(R1), [V1.D2]
	VLD1.P 16(R2), [V2.D2]
	VLD1.P 16(R3), [V3.D2]
	VLD1.P 16(R4), [V4.D2]
	VLD1 (R5), [V5.D2]
	B body
single:
	CBZ R6, done
	FMOVD (R0), F0
	FMOVD (R1), F1
	FMOVD (R2), F2
	FMOVD (R3), F3
	FMOVD (R4), F4
	FMOVD (R5), F5
	VMOV V25.D[0], V5.D[1]
	MOVD $1, R14
body:
	WORD $0x4e65e4a6; // fcmeq v6.2d, v5.2d, v5.2d
	WORD $0x4ee2f647; // fmin v7.2d, v18.2d, v2.2d
	WORD $0x4e60f600; // fmax v0.2d, v16.2d, v0.2d
	WORD $0x4ee0d4e7; // fsub v7.2d, v7.2d, v0.2d
	WORD $0x4ee3f668; // fmin v8.2d, v19.2d, v3.2d
	WORD $0x4e61f621; // fmax v1.2d, v17.2d, v1.2d
	WORD $0x4ee1d508; // fsub v8.2d, v8.2d, v1.2d
	WORD $0x4ee0c8e9; // fcmgt v9.2d, v7.2d, #0.0
	WORD $0x4ee0c90a; // fcmgt v10.2d, v8.2d, #0.0
	VAND V10.B16, V9.B16, V9.B16
	VAND V6.B16, V9.B16, V9.B16
	WORD $0x6e68dcea; // fmul v10.2d, v7.2d, v8.2d
	WORD $0x4e64d68b; // fadd v11.2d, v20.2d, v4.2d
	WORD $0x4eead56b; // fsub v11.2d, v11.2d, v10.2d
	WORD $0x6e6bfd4b; // fdiv v11.2d, v10.2d, v11.2d
	WORD $0x6ef5e56c; // fcmgt v12.2d, v11.2d, v21.2d
	WORD $0x4eebd70d; // fsub v13.2d, v24.2d, v11.2d
	VAND V26.B16, V13.B16, V13.B16 // 1-ov when linear, 0 when hard
	VORR V24.B16, V24.B16, V14.B16
	VBIT V12.B16, V13.B16, V14.B16 // w where ov > nt, else 1
	// V7: the lanes hard decay zeroes (ov > nt, not linear), set to 0 after
	// the multiply, as the twin's s = 0 (an infinite score times 0 is NaN)
	WORD $0x4e7a1d87; // bic v7.16b, v12.16b, v26.16b
	CBZ R9, decay
	VEOR V7.B16, V7.B16, V7.B16 // gaussian: no lane is zeroed
	VMOV V9.D[0], R15
	VMOV V9.D[1], R16
	ORR R16, R15, R15
	CBZ R15, decay // no lane overlaps: no exp
	WORD $0x6e6bdd6d; // fmul v13.2d, v11.2d, v11.2d
	WORD $0x6e76fdad; // fdiv v13.2d, v13.2d, v22.2d
	WORD $0x6ee0f9ad; // fneg v13.2d, v13.2d
	// w = exp(e), e = V13 (<= 0 or NaN): clamped at -1000, e = n*ln2 + r
	// with |r| <= ln2/2 (ln2 split in two, fdlibm), e^r by its Taylor series
	// to r^12 (truncation below 2^-52 relative), times 2^n as 2^(n>>1) *
	// 2^(n-n>>1): both factors normal, one rounding into the subnormals.
	MOVD $softexp<>(SB), R12
	VLD1R.P 8(R12), [V0.D2]
	WORD $0x4e60f5ad; // fmax v13.2d, v13.2d, v0.2d
	VLD1R.P 8(R12), [V0.D2]
	WORD $0x6e60dda1; // fmul v1.2d, v13.2d, v0.2d
	WORD $0x4e618821; // frintn v1.2d, v1.2d
	VLD1R.P 8(R12), [V0.D2]
	VFMLS V1.D2, V0.D2, V13.D2
	VLD1R.P 8(R12), [V0.D2]
	VFMLS V1.D2, V0.D2, V13.D2
	VLD1R.P 8(R12), [V2.D2] // 1/12!
	VLD1R.P 8(R12), [V3.D2] // 1/11!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/10!
	VFMLA V3.D2, V13.D2, V2.D2
	VLD1R.P 8(R12), [V3.D2] // 1/9!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/8!
	VFMLA V3.D2, V13.D2, V2.D2
	VLD1R.P 8(R12), [V3.D2] // 1/7!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/6!
	VFMLA V3.D2, V13.D2, V2.D2
	VLD1R.P 8(R12), [V3.D2] // 1/5!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/4!
	VFMLA V3.D2, V13.D2, V2.D2
	VLD1R.P 8(R12), [V3.D2] // 1/3!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/2!
	VFMLA V3.D2, V13.D2, V2.D2
	VLD1R.P 8(R12), [V3.D2] // 1/1!
	VFMLA V2.D2, V13.D2, V3.D2
	VLD1R.P 8(R12), [V2.D2] // 1/0!
	VFMLA V3.D2, V13.D2, V2.D2
	WORD $0x4ee1b821; // fcvtzs v1.2d, v1.2d
	WORD $0x4f7f0423; // sshr v3.2d, v1.2d, #1
	VSUB V3.D2, V1.D2, V1.D2
	VLD1R (R12), [V0.D2] // 1023
	VADD V0.D2, V3.D2, V3.D2
	VADD V0.D2, V1.D2, V1.D2
	VSHL $52, V3.D2, V3.D2
	VSHL $52, V1.D2, V1.D2
	WORD $0x6e63dc42; // fmul v2.2d, v2.2d, v3.2d
	WORD $0x6e61dc4e; // fmul v14.2d, v2.2d, v1.2d
decay:
	WORD $0x6e6edcad; // fmul v13.2d, v5.2d, v14.2d
	WORD $0x4e671dad; // bic v13.16b, v13.16b, v7.16b
	VBIT V9.B16, V13.B16, V5.B16 // decay the overlapping lanes
	WORD $0x6ee5e6ed; // fcmgt v13.2d, v23.2d, v5.2d
	VAND V6.B16, V13.B16, V13.B16 // dead: live and s < thr
	VBIT V13.B16, V25.B16, V5.B16
	VSUB V13.D2, V29.D2, V29.D2
	VEOR V13.B16, V6.B16, V6.B16 // live and not dead
	FMOVQ (R10), F12
	FMOVQ 64(R10), F13
	WORD $0x6eece4a7; // fcmgt v7.2d, v5.2d, v12.2d
	VAND V6.B16, V7.B16, V7.B16
	VBIT V7.B16, V5.B16, V12.B16
	VBIT V7.B16, V27.B16, V13.B16
	FMOVQ F12, (R10)
	FMOVQ F13, 64(R10)
	WORD $0x4e7cd77b; // fadd v27.2d, v27.2d, v28.2d
	ADD $16, R10
	CMP R13, R10
	CSEL EQ, R11, R10, R10
	CBNZ R14, last
	VST1.P [V5.D2], 16(R5)
	SUB $2, R6
	B pair
last:
	FMOVD F5, (R5)
done:
	WORD $0x5ef1bbbd; // addp d29, v29.2d
	FMOVD F29, R15
	MOVD R15, ret+200(FP)
	RET

DATA softexp<>+0(SB)/8, $0xc08f400000000000 // clamp
DATA softexp<>+8(SB)/8, $0x3ff71547652b82fe // log2(e)
DATA softexp<>+16(SB)/8, $0x3fe62e42fee00000 // ln2hi
DATA softexp<>+24(SB)/8, $0x3dea39ef35793c76 // ln2lo
DATA softexp<>+32(SB)/8, $0x3e21eed8eff8d898 // 1/12!
DATA softexp<>+40(SB)/8, $0x3e5ae64567f544e4 // 1/11!
DATA softexp<>+48(SB)/8, $0x3e927e4fb7789f5c // 1/10!
DATA softexp<>+56(SB)/8, $0x3ec71de3a556c734 // 1/9!
DATA softexp<>+64(SB)/8, $0x3efa01a01a01a01a // 1/8!
DATA softexp<>+72(SB)/8, $0x3f2a01a01a01a01a // 1/7!
DATA softexp<>+80(SB)/8, $0x3f56c16c16c16c17 // 1/6!
DATA softexp<>+88(SB)/8, $0x3f81111111111111 // 1/5!
DATA softexp<>+96(SB)/8, $0x3fa5555555555555 // 1/4!
DATA softexp<>+104(SB)/8, $0x3fc5555555555555 // 1/3!
DATA softexp<>+112(SB)/8, $0x3fe0000000000000 // 1/2!
DATA softexp<>+120(SB)/8, $0x3ff0000000000000 // 1/1!
DATA softexp<>+128(SB)/8, $0x3ff0000000000000 // 1/0!
DATA softexp<>+136(SB)/8, $1023 // the exponent bias
GLOBL softexp<>(SB), RODATA|NOPTR, $144
