// Hand-written NEON routines of the quantizers (quantize.go) for arm64;
// instructions the Go assembler lacks are WORDs with the mnemonic in a
// comment (ci/check-asm.sh decodes them). Tails shorter than four
// elements run one element at a time through lane 0.

//go:build !purego

#include "textflag.h"

// func absMaxBitsNEON(x []float32) uint32
TEXT ·absMaxBitsNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0
	MOVD x_len+8(FP), R1
	MOVW $0x7fffffff, R3
	VDUP R3, V16.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
loop16:
	CMP $16, R1
	BLT loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VAND V16.B16, V4.B16, V4.B16
	VAND V16.B16, V5.B16, V5.B16
	VAND V16.B16, V6.B16, V6.B16
	VAND V16.B16, V7.B16, V7.B16
	WORD $0x6ea46400; // umax v0.4s, v0.4s, v4.4s
	WORD $0x6ea56421; // umax v1.4s, v1.4s, v5.4s
	WORD $0x6ea66442; // umax v2.4s, v2.4s, v6.4s
	WORD $0x6ea76463; // umax v3.4s, v3.4s, v7.4s
	SUB $16, R1
	B loop16
loop4:
	CMP $4, R1
	BLT tail
	VLD1.P 16(R0), [V4.S4]
	VAND V16.B16, V4.B16, V4.B16
	WORD $0x6ea46400; // umax v0.4s, v0.4s, v4.4s
	SUB $4, R1
	B loop4
tail:
	CBZ R1, done
	FMOVS.P 4(R0), F4 // lanes 1-3 become 0
	VAND V16.B16, V4.B16, V4.B16
	WORD $0x6ea46400; // umax v0.4s, v0.4s, v4.4s
	SUB $1, R1
	B tail
done:
	WORD $0x6ea16400; // umax v0.4s, v0.4s, v1.4s
	WORD $0x6ea36442; // umax v2.4s, v2.4s, v3.4s
	WORD $0x6ea26400; // umax v0.4s, v0.4s, v2.4s
	WORD $0x6eb0a800; // umaxv s0, v0.4s
	FMOVS F0, ret+24(FP)
	RET

// func quantI8NEON(q []int8, x []float32, inv float32)
TEXT ·quantI8NEON(SB), NOSPLIT, $0-52
	MOVD q_base+0(FP), R0
	MOVD x_base+24(FP), R1
	MOVD x_len+32(FP), R2
	FMOVS inv+48(FP), F16
	VDUP V16.S[0], V16.S4
	MOVW $0xc2fe0000, R3 // -127
	VDUP R3, V17.S4
	MOVW $0x42fe0000, R3 // 127
	VDUP R3, V18.S4
loop16:
	CMP $16, R2
	BLT loop4
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x6e30dca5; // fmul v5.4s, v5.4s, v16.4s
	WORD $0x6e30dcc6; // fmul v6.4s, v6.4s, v16.4s
	WORD $0x6e30dce7; // fmul v7.4s, v7.4s, v16.4s
	WORD $0x4e31f484; // fmax v4.4s, v4.4s, v17.4s
	WORD $0x4e31f4a5; // fmax v5.4s, v5.4s, v17.4s
	WORD $0x4e31f4c6; // fmax v6.4s, v6.4s, v17.4s
	WORD $0x4e31f4e7; // fmax v7.4s, v7.4s, v17.4s
	WORD $0x4eb2f484; // fmin v4.4s, v4.4s, v18.4s
	WORD $0x4eb2f4a5; // fmin v5.4s, v5.4s, v18.4s
	WORD $0x4eb2f4c6; // fmin v6.4s, v6.4s, v18.4s
	WORD $0x4eb2f4e7; // fmin v7.4s, v7.4s, v18.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5; // fcvtns v5.4s, v5.4s
	WORD $0x4e21a8c6; // fcvtns v6.4s, v6.4s
	WORD $0x4e21a8e7; // fcvtns v7.4s, v7.4s
	WORD $0x0e614884; // sqxtn v4.4h, v4.4s
	WORD $0x4e6148a4; // sqxtn2 v4.8h, v5.4s
	WORD $0x0e6148c6; // sqxtn v6.4h, v6.4s
	WORD $0x4e6148e6; // sqxtn2 v6.8h, v7.4s
	WORD $0x0e214884; // sqxtn v4.8b, v4.8h
	WORD $0x4e2148c4; // sqxtn2 v4.16b, v6.8h
	VST1.P [V4.B16], 16(R0)
	SUB $16, R2
	B loop16
loop4:
	CMP $4, R2
	BLT tail
	VLD1.P 16(R1), [V4.S4]
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x4e31f484; // fmax v4.4s, v4.4s, v17.4s
	WORD $0x4eb2f484; // fmin v4.4s, v4.4s, v18.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	WORD $0x0e614884; // sqxtn v4.4h, v4.4s
	WORD $0x0e214884; // sqxtn v4.8b, v4.8h
	FMOVS.P F4, 4(R0)
	SUB $4, R2
	B loop4
tail:
	CBZ R2, done
	FMOVS.P 4(R1), F4
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x4e31f484; // fmax v4.4s, v4.4s, v17.4s
	WORD $0x4eb2f484; // fmin v4.4s, v4.4s, v18.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	VMOV V4.S[0], R3
	MOVB.P R3, 1(R0)
	SUB $1, R2
	B tail
done:
	RET

// func w4RangeNEON(r []int32, w []float32, gs int)
TEXT ·w4RangeNEON(SB), NOSPLIT, $0-56
	MOVD r_base+0(FP), R0
	MOVD w_base+24(FP), R1
	MOVD w_len+32(FP), R2
	MOVD gs+48(FP), R3
	UDIV R3, R2, R2 // groups
	MOVW $0x7fffffff, R5
	VDUP R5, V16.S4
	CBZ R2, end
group:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	MOVD R3, R4
loop16:
	CMP $16, R4
	BLT loop4
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4f210488; // sshr v8.4s, v4.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281c84; // eor v4.16b, v4.16b, v8.16b
	WORD $0x4ea46c00; // smin v0.4s, v0.4s, v4.4s
	WORD $0x4ea46421; // smax v1.4s, v1.4s, v4.4s
	WORD $0x4f2104a8; // sshr v8.4s, v5.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281ca5; // eor v5.16b, v5.16b, v8.16b
	WORD $0x4ea56c00; // smin v0.4s, v0.4s, v5.4s
	WORD $0x4ea56421; // smax v1.4s, v1.4s, v5.4s
	WORD $0x4f2104c8; // sshr v8.4s, v6.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281cc6; // eor v6.16b, v6.16b, v8.16b
	WORD $0x4ea66c00; // smin v0.4s, v0.4s, v6.4s
	WORD $0x4ea66421; // smax v1.4s, v1.4s, v6.4s
	WORD $0x4f2104e8; // sshr v8.4s, v7.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281ce7; // eor v7.16b, v7.16b, v8.16b
	WORD $0x4ea76c00; // smin v0.4s, v0.4s, v7.4s
	WORD $0x4ea76421; // smax v1.4s, v1.4s, v7.4s
	SUB $16, R4
	B loop16
loop4:
	CMP $4, R4
	BLT tail
	VLD1.P 16(R1), [V4.S4]
	WORD $0x4f210488; // sshr v8.4s, v4.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281c84; // eor v4.16b, v4.16b, v8.16b
	WORD $0x4ea46c00; // smin v0.4s, v0.4s, v4.4s
	WORD $0x4ea46421; // smax v1.4s, v1.4s, v4.4s
	SUB $4, R4
	B loop4
tail:
	CBZ R4, next
	FMOVS.P 4(R1), F4 // lanes 1-3 become 0: key 0 is in the range anyway
	WORD $0x4f210488; // sshr v8.4s, v4.4s, #31
	WORD $0x4e301d08; // and v8.16b, v8.16b, v16.16b
	WORD $0x6e281c84; // eor v4.16b, v4.16b, v8.16b
	WORD $0x4ea46c00; // smin v0.4s, v0.4s, v4.4s
	WORD $0x4ea46421; // smax v1.4s, v1.4s, v4.4s
	SUB $1, R4
	B tail
next:
	WORD $0x4eb1a800; // sminv s0, v0.4s
	WORD $0x4eb0a821; // smaxv s1, v1.4s
	FMOVS.P F0, 4(R0)
	FMOVS.P F1, 4(R0)
	SUB $1, R2
	CBNZ R2, group
end:
	RET

// func w4PackNEON(qp []byte, w []float32, inv []float32, z []int32, gs int)
TEXT ·w4PackNEON(SB), NOSPLIT, $0-104
	MOVD qp_base+0(FP), R0
	MOVD w_base+24(FP), R1
	MOVD w_len+32(FP), R4
	MOVD inv_base+48(FP), R2
	MOVD z_base+72(FP), R3
	MOVD gs+96(FP), R5
	UDIV R5, R4, R4 // groups
	VEOR V20.B16, V20.B16, V20.B16
	MOVW $15, R7
	VDUP R7, V21.S4
	CBZ R4, end
group:
	FMOVS.P 4(R2), F16
	VDUP V16.S[0], V16.S4
	MOVW.P 4(R3), R7
	VDUP R7, V17.S4
	MOVD R5, R6
loop16:
	CMP $16, R6
	BLT loop4
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	WORD $0x4eb18484; // add v4.4s, v4.4s, v17.4s
	WORD $0x4eb46484; // smax v4.4s, v4.4s, v20.4s
	WORD $0x4eb56c84; // smin v4.4s, v4.4s, v21.4s
	WORD $0x6f640488; // ushr v8.2d, v4.2d, #28
	WORD $0x4ea81c84; // orr v4.16b, v4.16b, v8.16b
	WORD $0x6e30dca5; // fmul v5.4s, v5.4s, v16.4s
	WORD $0x4e21a8a5; // fcvtns v5.4s, v5.4s
	WORD $0x4eb184a5; // add v5.4s, v5.4s, v17.4s
	WORD $0x4eb464a5; // smax v5.4s, v5.4s, v20.4s
	WORD $0x4eb56ca5; // smin v5.4s, v5.4s, v21.4s
	WORD $0x6f6404a8; // ushr v8.2d, v5.2d, #28
	WORD $0x4ea81ca5; // orr v5.16b, v5.16b, v8.16b
	WORD $0x6e30dcc6; // fmul v6.4s, v6.4s, v16.4s
	WORD $0x4e21a8c6; // fcvtns v6.4s, v6.4s
	WORD $0x4eb184c6; // add v6.4s, v6.4s, v17.4s
	WORD $0x4eb464c6; // smax v6.4s, v6.4s, v20.4s
	WORD $0x4eb56cc6; // smin v6.4s, v6.4s, v21.4s
	WORD $0x6f6404c8; // ushr v8.2d, v6.2d, #28
	WORD $0x4ea81cc6; // orr v6.16b, v6.16b, v8.16b
	WORD $0x6e30dce7; // fmul v7.4s, v7.4s, v16.4s
	WORD $0x4e21a8e7; // fcvtns v7.4s, v7.4s
	WORD $0x4eb184e7; // add v7.4s, v7.4s, v17.4s
	WORD $0x4eb464e7; // smax v7.4s, v7.4s, v20.4s
	WORD $0x4eb56ce7; // smin v7.4s, v7.4s, v21.4s
	WORD $0x6f6404e8; // ushr v8.2d, v7.2d, #28
	WORD $0x4ea81ce7; // orr v7.16b, v7.16b, v8.16b
	WORD $0x0ea12884; // xtn v4.2s, v4.2d
	WORD $0x4ea128a4; // xtn2 v4.4s, v5.2d
	WORD $0x0ea128c6; // xtn v6.2s, v6.2d
	WORD $0x4ea128e6; // xtn2 v6.4s, v7.2d
	WORD $0x0e612884; // xtn v4.4h, v4.4s
	WORD $0x4e6128c4; // xtn2 v4.8h, v6.4s
	WORD $0x0e212884; // xtn v4.8b, v4.8h
	FMOVD.P F4, 8(R0)
	SUB $16, R6
	B loop16
loop4:
	CMP $4, R6
	BLT pairs
	VLD1.P 16(R1), [V4.S4]
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	WORD $0x4eb18484; // add v4.4s, v4.4s, v17.4s
	WORD $0x4eb46484; // smax v4.4s, v4.4s, v20.4s
	WORD $0x4eb56c84; // smin v4.4s, v4.4s, v21.4s
	WORD $0x6f640488; // ushr v8.2d, v4.2d, #28
	WORD $0x4ea81c84; // orr v4.16b, v4.16b, v8.16b
	WORD $0x0ea12884; // xtn v4.2s, v4.2d
	WORD $0x0e612884; // xtn v4.4h, v4.4s
	WORD $0x0e212884; // xtn v4.8b, v4.8h
	VMOV V4.H[0], R7
	MOVH.P R7, 2(R0)
	SUB $4, R6
	B loop4
pairs:
	CBZ R6, next
	FMOVD.P 8(R1), F4 // one pair; lanes 2-3 become 0
	WORD $0x6e30dc84; // fmul v4.4s, v4.4s, v16.4s
	WORD $0x4e21a884; // fcvtns v4.4s, v4.4s
	WORD $0x4eb18484; // add v4.4s, v4.4s, v17.4s
	WORD $0x4eb46484; // smax v4.4s, v4.4s, v20.4s
	WORD $0x4eb56c84; // smin v4.4s, v4.4s, v21.4s
	WORD $0x6f640488; // ushr v8.2d, v4.2d, #28
	WORD $0x4ea81c84; // orr v4.16b, v4.16b, v8.16b
	VMOV V4.S[0], R7
	MOVB.P R7, 1(R0)
	SUB $2, R6
	B pairs
next:
	SUB $1, R4
	CBNZ R4, group
end:
	RET

// func pvShiftNEON(all []int32, odd []int32, codes []byte, v []int8, ldv int, cnt *[512]byte, withOdd bool)
TEXT ·pvShiftNEON(SB), NOSPLIT, $0-113
	MOVD all_base+0(FP), R0
	MOVD odd_base+24(FP), R1
	MOVD codes_base+48(FP), R2
	MOVD codes_len+56(FP), R3
	MOVD v_base+72(FP), R4
	MOVD ldv+96(FP), R5
	MOVD cnt+104(FP), R6
	MOVBU withOdd+112(FP), R7
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	CBZ R7, evenloop
oddloop:
	CBZ R3, store
	MOVBU.P 1(R2), R8
	ADD R6, R8, R8
	MOVBU (R8), R9
	VDUP R9, V20.S4
	MOVBU 256(R8), R10
	VDUP R10, V21.S4
	VLD1 (R4), [V4.B16]
	ADD R5, R4, R4
	WORD $0x0f08a485; // sxtl v5.8h, v4.8b
	WORD $0x4f08a486; // sxtl2 v6.8h, v4.16b
	WORD $0x0f10a4a8; // sxtl v8.4s, v5.4h
	WORD $0x4f10a4a9; // sxtl2 v9.4s, v5.8h
	WORD $0x0f10a4ca; // sxtl v10.4s, v6.4h
	WORD $0x4f10a4cb; // sxtl2 v11.4s, v6.8h
	WORD $0x4eb5450c; // sshl v12.4s, v8.4s, v21.4s
	WORD $0x4eac8718; // add v24.4s, v24.4s, v12.4s
	WORD $0x4eb44508; // sshl v8.4s, v8.4s, v20.4s
	WORD $0x4ea88400; // add v0.4s, v0.4s, v8.4s
	WORD $0x4eb5452c; // sshl v12.4s, v9.4s, v21.4s
	WORD $0x4eac8739; // add v25.4s, v25.4s, v12.4s
	WORD $0x4eb44529; // sshl v9.4s, v9.4s, v20.4s
	WORD $0x4ea98421; // add v1.4s, v1.4s, v9.4s
	WORD $0x4eb5454c; // sshl v12.4s, v10.4s, v21.4s
	WORD $0x4eac875a; // add v26.4s, v26.4s, v12.4s
	WORD $0x4eb4454a; // sshl v10.4s, v10.4s, v20.4s
	WORD $0x4eaa8442; // add v2.4s, v2.4s, v10.4s
	WORD $0x4eb5456c; // sshl v12.4s, v11.4s, v21.4s
	WORD $0x4eac877b; // add v27.4s, v27.4s, v12.4s
	WORD $0x4eb4456b; // sshl v11.4s, v11.4s, v20.4s
	WORD $0x4eab8463; // add v3.4s, v3.4s, v11.4s
	SUB $1, R3
	B oddloop
evenloop:
	CBZ R3, store
	MOVBU.P 1(R2), R8
	ADD R6, R8, R8
	MOVBU (R8), R9
	VDUP R9, V20.S4
	VLD1 (R4), [V4.B16]
	ADD R5, R4, R4
	WORD $0x0f08a485; // sxtl v5.8h, v4.8b
	WORD $0x4f08a486; // sxtl2 v6.8h, v4.16b
	WORD $0x0f10a4a8; // sxtl v8.4s, v5.4h
	WORD $0x4f10a4a9; // sxtl2 v9.4s, v5.8h
	WORD $0x0f10a4ca; // sxtl v10.4s, v6.4h
	WORD $0x4f10a4cb; // sxtl2 v11.4s, v6.8h
	WORD $0x4eb44508; // sshl v8.4s, v8.4s, v20.4s
	WORD $0x4ea88400; // add v0.4s, v0.4s, v8.4s
	WORD $0x4eb44529; // sshl v9.4s, v9.4s, v20.4s
	WORD $0x4ea98421; // add v1.4s, v1.4s, v9.4s
	WORD $0x4eb4454a; // sshl v10.4s, v10.4s, v20.4s
	WORD $0x4eaa8442; // add v2.4s, v2.4s, v10.4s
	WORD $0x4eb4456b; // sshl v11.4s, v11.4s, v20.4s
	WORD $0x4eab8463; // add v3.4s, v3.4s, v11.4s
	SUB $1, R3
	B evenloop
store:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	CBZ R7, done
	VST1 [V24.S4, V25.S4, V26.S4, V27.S4], (R1)
done:
	RET

// func wqDots8NEON(d []float32, x []float32, q []byte, z []int32, gb int)
TEXT ·wqDots8NEON(SB), NOSPLIT, $16-104
	MOVD d_base+0(FP), R0
	MOVD d_len+8(FP), R4
	MOVD x_base+24(FP), R1
	MOVD q_base+48(FP), R2
	MOVD z_base+72(FP), R3
	MOVD gb+96(FP), R5
	MOVW $255, R7
	VDUP R7, V28.S4
	CBZ R4, end
group:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVW.P 4(R3), R7
	VDUP R7, V29.S4
	MOVD R5, R6
chunk:
	CMP $16, R6
	BLT tail
	VLD1 (R2), [V4.B16]
	WORD $0x0f08a485; // sxtl v5.8h, v4.8b
	WORD $0x4f08a486; // sxtl2 v6.8h, v4.16b
	WORD $0x0f10a4b0; // sxtl v16.4s, v5.4h
	WORD $0x4f10a4b1; // sxtl2 v17.4s, v5.8h
	WORD $0x0f10a4d2; // sxtl v18.4s, v6.4h
	WORD $0x4f10a4d3; // sxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e21da10; // scvtf v16.4s, v16.4s
	WORD $0x4e38ce00; // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e21da31; // scvtf v17.4s, v17.4s
	WORD $0x4e39ce21; // fmla v1.4s, v17.4s, v25.4s
	WORD $0x4e21da52; // scvtf v18.4s, v18.4s
	WORD $0x4e3ace42; // fmla v2.4s, v18.4s, v26.4s
	WORD $0x4e21da73; // scvtf v19.4s, v19.4s
	WORD $0x4e3bce63; // fmla v3.4s, v19.4s, v27.4s
	ADD $16, R2
	SUB $16, R6
	B chunk
tail:
	CBZ R6, sum
	MOVD $buf-16(SP), R10
	MOVD ZR, (R10)
	MOVD ZR, 8(R10)
	MOVD R10, R11
copy:
	MOVBU.P 1(R2), R9
	MOVB.P R9, 1(R11)
	SUB $1, R6
	CBNZ R6, copy
	VLD1 (R10), [V4.B16]
	WORD $0x0f08a485; // sxtl v5.8h, v4.8b
	WORD $0x4f08a486; // sxtl2 v6.8h, v4.16b
	WORD $0x0f10a4b0; // sxtl v16.4s, v5.4h
	WORD $0x4f10a4b1; // sxtl2 v17.4s, v5.8h
	WORD $0x0f10a4d2; // sxtl v18.4s, v6.4h
	WORD $0x4f10a4d3; // sxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e21da10; // scvtf v16.4s, v16.4s
	WORD $0x4e38ce00; // fmla v0.4s, v16.4s, v24.4s
	WORD $0x4e21da31; // scvtf v17.4s, v17.4s
	WORD $0x4e39ce21; // fmla v1.4s, v17.4s, v25.4s
	WORD $0x4e21da52; // scvtf v18.4s, v18.4s
	WORD $0x4e3ace42; // fmla v2.4s, v18.4s, v26.4s
	WORD $0x4e21da73; // scvtf v19.4s, v19.4s
	WORD $0x4e3bce63; // fmla v3.4s, v19.4s, v27.4s
sum:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FMOVS.P F0, 4(R0)
	SUB $1, R4
	CBNZ R4, group
end:
	RET

// func wqDots3NEON(d []float32, x []float32, q []byte, z []int32, gb int)
TEXT ·wqDots3NEON(SB), NOSPLIT, $16-104
	MOVD d_base+0(FP), R0
	MOVD d_len+8(FP), R4
	MOVD x_base+24(FP), R1
	MOVD q_base+48(FP), R2
	MOVD z_base+72(FP), R3
	MOVD gb+96(FP), R5
	MOVW $255, R7
	VDUP R7, V28.S4
	CBZ R4, end
group:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVW.P 4(R3), R7
	VDUP R7, V29.S4
	MOVD R5, R6
chunk:
	CMP $16, R6
	BLT tail
	VLD1 (R2), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6ebd8610; // sub v16.4s, v16.4s, v29.4s
	WORD $0x4e21da10; // scvtf v16.4s, v16.4s
	WORD $0x4e38ce00; // fmla v0.4s, v16.4s, v24.4s
	WORD $0x6ebd8631; // sub v17.4s, v17.4s, v29.4s
	WORD $0x4e21da31; // scvtf v17.4s, v17.4s
	WORD $0x4e39ce21; // fmla v1.4s, v17.4s, v25.4s
	WORD $0x6ebd8652; // sub v18.4s, v18.4s, v29.4s
	WORD $0x4e21da52; // scvtf v18.4s, v18.4s
	WORD $0x4e3ace42; // fmla v2.4s, v18.4s, v26.4s
	WORD $0x6ebd8673; // sub v19.4s, v19.4s, v29.4s
	WORD $0x4e21da73; // scvtf v19.4s, v19.4s
	WORD $0x4e3bce63; // fmla v3.4s, v19.4s, v27.4s
	ADD $16, R2
	SUB $16, R6
	B chunk
tail:
	CBZ R6, sum
	MOVD $buf-16(SP), R10
	MOVD ZR, (R10)
	MOVD ZR, 8(R10)
	MOVD R10, R11
copy:
	MOVBU.P 1(R2), R9
	MOVB.P R9, 1(R11)
	SUB $1, R6
	CBNZ R6, copy
	VLD1 (R10), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6ebd8610; // sub v16.4s, v16.4s, v29.4s
	WORD $0x4e21da10; // scvtf v16.4s, v16.4s
	WORD $0x4e38ce00; // fmla v0.4s, v16.4s, v24.4s
	WORD $0x6ebd8631; // sub v17.4s, v17.4s, v29.4s
	WORD $0x4e21da31; // scvtf v17.4s, v17.4s
	WORD $0x4e39ce21; // fmla v1.4s, v17.4s, v25.4s
	WORD $0x6ebd8652; // sub v18.4s, v18.4s, v29.4s
	WORD $0x4e21da52; // scvtf v18.4s, v18.4s
	WORD $0x4e3ace42; // fmla v2.4s, v18.4s, v26.4s
	WORD $0x6ebd8673; // sub v19.4s, v19.4s, v29.4s
	WORD $0x4e21da73; // scvtf v19.4s, v19.4s
	WORD $0x4e3bce63; // fmla v3.4s, v19.4s, v27.4s
sum:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FMOVS.P F0, 4(R0)
	SUB $1, R4
	CBNZ R4, group
end:
	RET

// func wqDots4NEON(d []float32, x []float32, q []byte, z []int32, gb int)
TEXT ·wqDots4NEON(SB), NOSPLIT, $16-104
	MOVD d_base+0(FP), R0
	MOVD d_len+8(FP), R4
	MOVD x_base+24(FP), R1
	MOVD q_base+48(FP), R2
	MOVD z_base+72(FP), R3
	MOVD gb+96(FP), R5
	MOVW $15, R7
	VDUP R7, V28.S4
	CBZ R4, end
group:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVW.P 4(R3), R7
	VDUP R7, V29.S4
	MOVD R5, R6
chunk:
	CMP $16, R6
	BLT tail
	VLD1 (R2), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e3c1e14; // and v20.16b, v16.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x4e3c1e35; // and v21.16b, v17.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x4e3c1e56; // and v22.16b, v18.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x4e3c1e77; // and v23.16b, v19.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3c0614; // ushr v20.4s, v16.4s, #4
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3c0635; // ushr v21.4s, v17.4s, #4
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3c0656; // ushr v22.4s, v18.4s, #4
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3c0677; // ushr v23.4s, v19.4s, #4
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	ADD $16, R2
	SUB $16, R6
	B chunk
tail:
	CBZ R6, sum
	MOVD $buf-16(SP), R10
	MOVD ZR, (R10)
	MOVD ZR, 8(R10)
	MOVD R10, R11
copy:
	MOVBU.P 1(R2), R9
	MOVB.P R9, 1(R11)
	SUB $1, R6
	CBNZ R6, copy
	VLD1 (R10), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e3c1e14; // and v20.16b, v16.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x4e3c1e35; // and v21.16b, v17.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x4e3c1e56; // and v22.16b, v18.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x4e3c1e77; // and v23.16b, v19.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3c0614; // ushr v20.4s, v16.4s, #4
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3c0635; // ushr v21.4s, v17.4s, #4
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3c0656; // ushr v22.4s, v18.4s, #4
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3c0677; // ushr v23.4s, v19.4s, #4
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
sum:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FMOVS.P F0, 4(R0)
	SUB $1, R4
	CBNZ R4, group
end:
	RET

// func wqDots2NEON(d []float32, x []float32, q []byte, z []int32, gb int)
TEXT ·wqDots2NEON(SB), NOSPLIT, $16-104
	MOVD d_base+0(FP), R0
	MOVD d_len+8(FP), R4
	MOVD x_base+24(FP), R1
	MOVD q_base+48(FP), R2
	MOVD z_base+72(FP), R3
	MOVD gb+96(FP), R5
	MOVW $3, R7
	VDUP R7, V28.S4
	CBZ R4, end
group:
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	MOVW.P 4(R3), R7
	VDUP R7, V29.S4
	MOVD R5, R6
chunk:
	CMP $16, R6
	BLT tail
	VLD1 (R2), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e3c1e14; // and v20.16b, v16.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x4e3c1e35; // and v21.16b, v17.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x4e3c1e56; // and v22.16b, v18.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x4e3c1e77; // and v23.16b, v19.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3e0614; // ushr v20.4s, v16.4s, #2
	WORD $0x4e3c1e94; // and v20.16b, v20.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3e0635; // ushr v21.4s, v17.4s, #2
	WORD $0x4e3c1eb5; // and v21.16b, v21.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3e0656; // ushr v22.4s, v18.4s, #2
	WORD $0x4e3c1ed6; // and v22.16b, v22.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3e0677; // ushr v23.4s, v19.4s, #2
	WORD $0x4e3c1ef7; // and v23.16b, v23.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3c0614; // ushr v20.4s, v16.4s, #4
	WORD $0x4e3c1e94; // and v20.16b, v20.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3c0635; // ushr v21.4s, v17.4s, #4
	WORD $0x4e3c1eb5; // and v21.16b, v21.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3c0656; // ushr v22.4s, v18.4s, #4
	WORD $0x4e3c1ed6; // and v22.16b, v22.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3c0677; // ushr v23.4s, v19.4s, #4
	WORD $0x4e3c1ef7; // and v23.16b, v23.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3a0614; // ushr v20.4s, v16.4s, #6
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3a0635; // ushr v21.4s, v17.4s, #6
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3a0656; // ushr v22.4s, v18.4s, #6
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3a0677; // ushr v23.4s, v19.4s, #6
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	ADD $16, R2
	SUB $16, R6
	B chunk
tail:
	CBZ R6, sum
	MOVD $buf-16(SP), R10
	MOVD ZR, (R10)
	MOVD ZR, 8(R10)
	MOVD R10, R11
copy:
	MOVBU.P 1(R2), R9
	MOVB.P R9, 1(R11)
	SUB $1, R6
	CBNZ R6, copy
	VLD1 (R10), [V4.B16]
	WORD $0x2f08a485; // uxtl v5.8h, v4.8b
	WORD $0x6f08a486; // uxtl2 v6.8h, v4.16b
	WORD $0x2f10a4b0; // uxtl v16.4s, v5.4h
	WORD $0x6f10a4b1; // uxtl2 v17.4s, v5.8h
	WORD $0x2f10a4d2; // uxtl v18.4s, v6.4h
	WORD $0x6f10a4d3; // uxtl2 v19.4s, v6.8h
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e3c1e14; // and v20.16b, v16.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x4e3c1e35; // and v21.16b, v17.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x4e3c1e56; // and v22.16b, v18.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x4e3c1e77; // and v23.16b, v19.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3e0614; // ushr v20.4s, v16.4s, #2
	WORD $0x4e3c1e94; // and v20.16b, v20.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3e0635; // ushr v21.4s, v17.4s, #2
	WORD $0x4e3c1eb5; // and v21.16b, v21.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3e0656; // ushr v22.4s, v18.4s, #2
	WORD $0x4e3c1ed6; // and v22.16b, v22.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3e0677; // ushr v23.4s, v19.4s, #2
	WORD $0x4e3c1ef7; // and v23.16b, v23.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3c0614; // ushr v20.4s, v16.4s, #4
	WORD $0x4e3c1e94; // and v20.16b, v20.16b, v28.16b
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3c0635; // ushr v21.4s, v17.4s, #4
	WORD $0x4e3c1eb5; // and v21.16b, v21.16b, v28.16b
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3c0656; // ushr v22.4s, v18.4s, #4
	WORD $0x4e3c1ed6; // and v22.16b, v22.16b, v28.16b
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3c0677; // ushr v23.4s, v19.4s, #4
	WORD $0x4e3c1ef7; // and v23.16b, v23.16b, v28.16b
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
	VLD1.P 64(R1), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x6f3a0614; // ushr v20.4s, v16.4s, #6
	WORD $0x6ebd8694; // sub v20.4s, v20.4s, v29.4s
	WORD $0x4e21da94; // scvtf v20.4s, v20.4s
	WORD $0x4e38ce80; // fmla v0.4s, v20.4s, v24.4s
	WORD $0x6f3a0635; // ushr v21.4s, v17.4s, #6
	WORD $0x6ebd86b5; // sub v21.4s, v21.4s, v29.4s
	WORD $0x4e21dab5; // scvtf v21.4s, v21.4s
	WORD $0x4e39cea1; // fmla v1.4s, v21.4s, v25.4s
	WORD $0x6f3a0656; // ushr v22.4s, v18.4s, #6
	WORD $0x6ebd86d6; // sub v22.4s, v22.4s, v29.4s
	WORD $0x4e21dad6; // scvtf v22.4s, v22.4s
	WORD $0x4e3acec2; // fmla v2.4s, v22.4s, v26.4s
	WORD $0x6f3a0677; // ushr v23.4s, v19.4s, #6
	WORD $0x6ebd86f7; // sub v23.4s, v23.4s, v29.4s
	WORD $0x4e21daf7; // scvtf v23.4s, v23.4s
	WORD $0x4e3bcee3; // fmla v3.4s, v23.4s, v27.4s
sum:
	WORD $0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
	WORD $0x4e23d442; // fadd v2.4s, v2.4s, v3.4s
	WORD $0x4e22d400; // fadd v0.4s, v0.4s, v2.4s
	WORD $0x6e20d400; // faddp v0.4s, v0.4s, v0.4s
	WORD $0x7e30d800; // faddp s0, v0.2s
	FMOVS.P F0, 4(R0)
	SUB $1, R4
	CBNZ R4, group
end:
	RET
