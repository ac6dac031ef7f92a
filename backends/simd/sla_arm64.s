//go:build !purego

#include "textflag.h"

// The NEON primitives of simplified linear attention (sla.go; stubs in
// stub_sla_arm64.go). FMAX (vector) and FADDP are WORDs with the mnemonic
// in a comment; FMAX propagates NaN, like Go's max in the twins.

// func conv5NEON(o, v, w, b []float32, n, ld int)
// Four channels per chunk (ld is a multiple of 16): the five tap weights in
// V20-V24, the bias in V25, tokens inside.
TEXT ·conv5NEON(SB), NOSPLIT, $0-112
	MOVD o_base+0(FP), R0
	MOVD v_base+24(FP), R1
	MOVD w_base+48(FP), R2
	MOVD b_base+72(FP), R3
	MOVD b_len+80(FP), R4
	MOVD n+96(FP), R5
	MOVD ld+104(FP), R6
	LSL $2, R6, R7
	MOVD $0, R8
convchunk:
	CMP R6, R8
	BGE convdone
	MOVD R2, R9
	VLD1 (R9), [V20.S4]
	ADD R7, R9
	VLD1 (R9), [V21.S4]
	ADD R7, R9
	VLD1 (R9), [V22.S4]
	ADD R7, R9
	VLD1 (R9), [V23.S4]
	ADD R7, R9
	VLD1 (R9), [V24.S4]
	MOVD R0, R10
	MOVD R1, R11
	MOVD R5, R12
	CBZ R4, convacc
	VLD1 (R3), [V25.S4]
convbias:
	CBZ R12, convnext
	VMOV V25.B16, V0.B16
	B convtaps
convacc:
	CBZ R12, convnext
	VLD1 (R10), [V0.S4]
convtaps:
	MOVD R11, R13
	VLD1 (R13), [V1.S4]
	ADD R7, R13
	VLD1 (R13), [V2.S4]
	ADD R7, R13
	VLD1 (R13), [V3.S4]
	ADD R7, R13
	VLD1 (R13), [V4.S4]
	ADD R7, R13
	VLD1 (R13), [V5.S4]
	VFMLA V20.S4, V1.S4, V0.S4
	VFMLA V21.S4, V2.S4, V0.S4
	VFMLA V22.S4, V3.S4, V0.S4
	VFMLA V23.S4, V4.S4, V0.S4
	VFMLA V24.S4, V5.S4, V0.S4
	VST1 [V0.S4], (R10)
	ADD R7, R10
	ADD R7, R11
	SUB $1, R12
	CBZ R4, convacc
	B convbias
convnext:
	ADD $16, R0
	ADD $16, R1
	ADD $16, R2
	ADD $16, R3
	ADD $4, R8
	B convchunk
convdone:
	RET

// func axpyToNEON(y []float32, ldy int, x []float32, ldx int, c []float32, ldc int, a []float32, rows, n int)
TEXT ·axpyToNEON(SB), NOSPLIT, $0-136
	MOVD y_base+0(FP), R0
	MOVD ldy+24(FP), R1
	MOVD x_base+32(FP), R2
	MOVD ldx+56(FP), R3
	MOVD c_base+64(FP), R4
	MOVD ldc+88(FP), R5
	MOVD a_base+96(FP), R6
	MOVD rows+120(FP), R7
	MOVD n+128(FP), R8
	LSL $2, R1
	LSL $2, R3
	LSL $2, R5
axrow:
	CBZ R7, axdone
	FMOVS (R6), F30
	VDUP V30.S[0], V30.S4
	MOVD R0, R10
	MOVD R2, R11
	MOVD R4, R12
	MOVD R8, R13
ax4:
	CMP $4, R13
	BLT ax1
	VLD1.P 16(R11), [V0.S4]
	VLD1.P 16(R12), [V1.S4]
	VFMLA V30.S4, V0.S4, V1.S4
	VST1.P [V1.S4], 16(R10)
	SUB $4, R13
	B ax4
ax1:
	CBZ R13, axnext
	FMOVS.P 4(R11), F0
	FMOVS.P 4(R12), F1
	VFMLA V30.S4, V0.S4, V1.S4
	FMOVS.P F1, 4(R10)
	SUB $1, R13
	B ax1
axnext:
	ADD R1, R0
	ADD R3, R2
	ADD R5, R4
	ADD $4, R6
	SUB $1, R7
	B axrow
axdone:
	RET

// func reluDotNEON(dst []float32, ldd int, src []float32, lds int, w, den []float32, rows, n int)
// Two accumulators per row (V16, V17), folded by FADDP.
TEXT ·reluDotNEON(SB), NOSPLIT, $0-128
	MOVD dst_base+0(FP), R0
	MOVD ldd+24(FP), R1
	MOVD src_base+32(FP), R2
	MOVD lds+56(FP), R3
	MOVD w_base+64(FP), R4
	MOVD den_base+88(FP), R5
	MOVD rows+112(FP), R6
	MOVD n+120(FP), R7
	LSL $2, R1
	LSL $2, R3
	VEOR V31.B16, V31.B16, V31.B16
rdrow:
	CBZ R6, rddone
	MOVD R0, R10
	MOVD R2, R11
	MOVD R4, R12
	MOVD R7, R13
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
rd8:
	CMP $8, R13
	BLT rd4
	VLD1.P 32(R11), [V0.S4, V1.S4]
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	WORD $0x4e3ff421; // fmax v1.4s, v1.4s, v31.4s
	VST1.P [V0.S4, V1.S4], 32(R10)
	VLD1.P 32(R12), [V2.S4, V3.S4]
	VFMLA V2.S4, V0.S4, V16.S4
	VFMLA V3.S4, V1.S4, V17.S4
	SUB $8, R13
	B rd8
rd4:
	CMP $4, R13
	BLT rd1
	VLD1.P 16(R11), [V0.S4]
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	VST1.P [V0.S4], 16(R10)
	VLD1.P 16(R12), [V2.S4]
	VFMLA V2.S4, V0.S4, V16.S4
	SUB $4, R13
rd1:
	CBZ R13, rdsum
	FMOVS.P 4(R11), F0
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	FMOVS.P F0, 4(R10)
	FMOVS.P 4(R12), F2
	VFMLA V2.S4, V0.S4, V16.S4
	SUB $1, R13
	B rd1
rdsum:
	WORD $0x4e31d610; // fadd v16.4s, v16.4s, v17.4s
	WORD $0x6e30d610; // faddp v16.4s, v16.4s, v16.4s
	WORD $0x7e30da10; // faddp s16, v16.2s
	FMOVS (R5), F2
	FADDS F16, F2, F2
	FMOVS F2, (R5)
	ADD R1, R0
	ADD R3, R2
	ADD $4, R5
	SUB $1, R6
	B rdrow
rddone:
	RET

// func reluTNEON(dst []float32, ldd int, src []float32, lds, rows, cols int)
// Blocks of 4 rows by 4 columns: four row loads, FMAX, a 4x4 transpose by
// TRN1/TRN2 on words then doublewords, four column stores; the columns
// past the last full block and the rows past the last full block go one
// element at a time.
TEXT ·reluTNEON(SB), NOSPLIT, $0-80
	MOVD dst_base+0(FP), R0
	MOVD ldd+24(FP), R1
	MOVD src_base+32(FP), R2
	MOVD lds+56(FP), R3
	MOVD rows+64(FP), R4
	MOVD cols+72(FP), R5
	LSL $2, R1
	LSL $2, R3
	AND $~3, R5, R6
	VEOR V31.B16, V31.B16, V31.B16
rtblock:
	CMP $4, R4
	BLT rtrest
	MOVD R2, R10
	MOVD R0, R11
	MOVD $0, R12
rtcol:
	CMP R6, R12
	BGE rtcoltail
	MOVD R10, R13
	VLD1 (R13), [V0.S4]
	ADD R3, R13
	VLD1 (R13), [V1.S4]
	ADD R3, R13
	VLD1 (R13), [V2.S4]
	ADD R3, R13
	VLD1 (R13), [V3.S4]
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	WORD $0x4e3ff421; // fmax v1.4s, v1.4s, v31.4s
	WORD $0x4e3ff442; // fmax v2.4s, v2.4s, v31.4s
	WORD $0x4e3ff463; // fmax v3.4s, v3.4s, v31.4s
	VTRN1 V1.S4, V0.S4, V4.S4
	VTRN2 V1.S4, V0.S4, V5.S4
	VTRN1 V3.S4, V2.S4, V6.S4
	VTRN2 V3.S4, V2.S4, V7.S4
	VTRN1 V6.D2, V4.D2, V0.D2
	VTRN1 V7.D2, V5.D2, V1.D2
	VTRN2 V6.D2, V4.D2, V2.D2
	VTRN2 V7.D2, V5.D2, V3.D2
	MOVD R11, R13
	VST1 [V0.S4], (R13)
	ADD R1, R13
	VST1 [V1.S4], (R13)
	ADD R1, R13
	VST1 [V2.S4], (R13)
	ADD R1, R13
	VST1 [V3.S4], (R13)
	ADD R1, R13
	MOVD R13, R11
	ADD $16, R10
	ADD $4, R12
	B rtcol
rtcoltail:
	// columns [R6, cols) of the 4 rows
	MOVD $4, R14
	MOVD R2, R15
	MOVD R0, R16
rtctrow:
	CBZ R14, rtctdone
	MOVD R6, R21
	LSL $2, R21, R19
	ADD R15, R19
	MUL R1, R21, R20
	ADD R16, R20
rtctcol:
	CMP R5, R21
	BGE rtctnext
	FMOVS.P 4(R19), F0
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	FMOVS F0, (R20)
	ADD R1, R20
	ADD $1, R21
	B rtctcol
rtctnext:
	ADD R3, R15
	ADD $4, R16
	SUB $1, R14
	B rtctrow
rtctdone:
	LSL $2, R3, R13
	ADD R13, R2
	ADD $16, R0
	SUB $4, R4
	B rtblock
rtrest:
	MOVD R4, R14
	MOVD R2, R15
	MOVD R0, R16
	MOVD $0, R6
rtrrrow:
	CBZ R14, rtrrdone
	MOVD R6, R21
	LSL $2, R21, R19
	ADD R15, R19
	MUL R1, R21, R20
	ADD R16, R20
rtrrcol:
	CMP R5, R21
	BGE rtrrnext
	FMOVS.P 4(R19), F0
	WORD $0x4e3ff400; // fmax v0.4s, v0.4s, v31.4s
	FMOVS F0, (R20)
	ADD R1, R20
	ADD $1, R21
	B rtrrcol
rtrrnext:
	ADD R3, R15
	ADD $4, R16
	SUB $1, R14
	B rtrrrow
rtrrdone:
	RET
