// A model of mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 for the CPU
// emulator, written from the PTX ISA, "Matrix Fragments for mma.m16n8k32"
// (.s8 multiplicands, .s32 accumulators), per element i of a lane's
// fragment, with groupID = lane >> 2 and threadID_in_group = lane % 4:
//   A (a0..a15, 4 per .b32 register, low byte first):
//     row = groupID            for i < 4 or 8 <= i < 12, else groupID + 8
//     col = tig*4 + (i & 3)    for i < 8,                else tig*4 + (i & 3) + 16
//   B (b0..b7):  row = tig*4 + (i & 3) (+16 for i >= 4),  col = groupID
//   C, D (c0..c3): row = groupID (+8 for i >= 2),         col = tig*2 + (i & 1)
// mma_model_warp computes every lane's D from every lane's A, B and C
// fragments by rebuilding the matrices, so a permuted lane or register
// index gives a wrong product.
#pragma once
#include <cstdint>

inline int mma_a_row(int lane, int i) { return (lane >> 2) + ((i < 4 || (i >= 8 && i < 12)) ? 0 : 8); }
inline int mma_a_col(int lane, int i) { return (lane % 4) * 4 + (i & 3) + (i < 8 ? 0 : 16); }
inline int mma_b_row(int lane, int i) { return (lane % 4) * 4 + (i & 3) + (i < 4 ? 0 : 16); }
inline int mma_b_col(int lane, int) { return lane >> 2; }
inline int mma_c_row(int lane, int i) { return (lane >> 2) + (i < 2 ? 0 : 8); }
inline int mma_c_col(int lane, int i) { return (lane % 4) * 2 + (i & 1); }

// byte i of a fragment as a signed 8-bit value (element i lives in register
// i/4, bits 8*(i%4)..).
inline int mma_elem(const uint32_t* regs, int i) { return (int)(int8_t)(uint8_t)(regs[i >> 2] >> (8 * (i & 3))); }

// mma_model_lane computes lane's D = A*B + C (c, d: that lane's four
// accumulators) from every lane's A and B fragments.
inline void mma_model_lane(const uint32_t a[32][4], const uint32_t b[32][2], int lane, const int32_t c[4], int32_t d[4]) {
  int A[16][32] = {}, B[32][8] = {};
  for (int l = 0; l < 32; l++) {
    for (int i = 0; i < 16; i++) A[mma_a_row(l, i)][mma_a_col(l, i)] = mma_elem(a[l], i);
    for (int i = 0; i < 8; i++) B[mma_b_row(l, i)][mma_b_col(l, i)] = mma_elem(b[l], i);
  }
  for (int i = 0; i < 4; i++) {
    const int r = mma_c_row(lane, i), col = mma_c_col(lane, i);
    int32_t s = c[i];
    for (int k = 0; k < 32; k++) s += A[r][k] * B[k][col];
    d[i] = s;
  }
}
