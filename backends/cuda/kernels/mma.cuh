// Warp-level int8 tensor-core MMA, mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32
// (sm_80+): D[16x8] = A[16x32] * B[32x8] + C, s8 x s8 -> s32, exact.
// The fragment loaders here are what the kernels run; the CPU emulator
// models the instruction itself from the PTX ISA's fragment description
// (emu/mma_model.h), and emu/mma_test.cpp checks these loaders plus that
// model against a plain integer GEMM.
//
// Fragments (lane = 4g + t): A holds rows g and g+8, int8 columns 4t..4t+3
// and 16+4t..16+4t+3, as four 32-bit words; B holds column g, k 4t..4t+3
// and 16+4t..16+4t+3, as two words; C/D hold row g (regs 0, 1) and g+8
// (2, 3), columns 2t and 2t+1.
#pragma once

// mma_frag_a loads the A fragment of the 16x32 tile whose rows start at
// r0 and whose 32 bytes are words kw..kw+7 of a shared [rows][pitch] array
// of packed int8 words (4 k per word, little endian).
__device__ __forceinline__ void mma_frag_a(const int* s, int pitch, int r0, int kw, int lane, unsigned a[4]) {
  const int g = lane >> 2, t = lane & 3;
  a[0] = (unsigned)s[(r0 + g) * pitch + kw + t];
  a[1] = (unsigned)s[(r0 + g + 8) * pitch + kw + t];
  a[2] = (unsigned)s[(r0 + g) * pitch + kw + 4 + t];
  a[3] = (unsigned)s[(r0 + g + 8) * pitch + kw + 4 + t];
}

// mma_frag_b loads the B fragment of the 32x8 tile whose columns (rows of
// the [N][K] weight layout) start at c0, k words kw..kw+7.
__device__ __forceinline__ void mma_frag_b(const int* s, int pitch, int c0, int kw, int lane, unsigned b[2]) {
  const int g = lane >> 2, t = lane & 3;
  b[0] = (unsigned)s[(c0 + g) * pitch + kw + t];
  b[1] = (unsigned)s[(c0 + g) * pitch + kw + 4 + t];
}

// mma_acc_row / mma_acc_col: where accumulator register i of lane sits.
__device__ __forceinline__ int mma_acc_row(int lane, int i) { return (lane >> 2) + 8 * (i >> 1); }
__device__ __forceinline__ int mma_acc_col(int lane, int i) { return 2 * (lane & 3) + (i & 1); }

#ifdef __CUDA_ARCH__
// d += A*B on the tensor cores.
__device__ __forceinline__ void mma_s8_16832(int d[4], const unsigned a[4], const unsigned b[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#else
void emu_mma_s8_16832(int d[4], const unsigned a[4], const unsigned b[2]);  // emu/driver.cpp
__device__ __forceinline__ void mma_s8_16832(int d[4], const unsigned a[4], const unsigned b[2]) { emu_mma_s8_16832(d, a, b); }
#endif
