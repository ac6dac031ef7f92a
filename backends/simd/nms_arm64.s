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
