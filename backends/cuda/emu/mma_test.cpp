// Standalone check of the emulator's mma.m16n8k32 s8 model (mma_model.h)
// together with the kernels' fragment loaders (kernels/mma.cuh): random
// int8 tiles are packed into shared-memory words as the gemm_w8a8 mma
// kernel packs them, loaded per lane by the kernels' loaders, multiplied by
// the model, and the accumulators, placed where the kernel stores them,
// must equal a plain int32 GEMM. Run by build.sh; exits 1 on a mismatch.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>

#define __device__
#define __forceinline__ inline
#include "mma_model.h"
void emu_mma_s8_16832(int*, const unsigned*, const unsigned*) {}  // the fiber wrapper is not used here
#include "mma.cuh"

int main() {
  uint64_t st = 0x9E3779B97F4A7C15ull;
  auto rnd = [&]() { st = st * 6364136223846793005ull + 1442695040888963407ull; return (int)(st >> 33); };
  const int pitch = 20, kw = 8;  // the kernel's shared pitch; second k step of a 64-byte stage
  int bad = 0;
  for (int trial = 0; trial < 50; trial++) {
    int8_t A[16][32], B[8][32];  // B as the kernel stores it: [n][k]
    int32_t C[16][8], want[16][8];
    for (auto& r : A) for (auto& v : r) v = (int8_t)(rnd() % 255 - 127);
    for (auto& r : B) for (auto& v : r) v = (int8_t)(rnd() % 255 - 127);
    for (auto& r : C) for (auto& v : r) v = rnd() % 100000 - 50000;
    for (int m = 0; m < 16; m++)
      for (int n = 0; n < 8; n++) {
        int32_t s = C[m][n];
        for (int k = 0; k < 32; k++) s += (int)A[m][k] * (int)B[n][k];
        want[m][n] = s;
      }
    // Shared tiles: 4 k per little-endian word at word kw + k/4 of each row.
    static int sa[16 * pitch], sb[8 * pitch];
    memset(sa, 0, sizeof sa), memset(sb, 0, sizeof sb);
    for (int m = 0; m < 16; m++) memcpy(&sa[m * pitch + kw], A[m], 32);
    for (int n = 0; n < 8; n++) memcpy(&sb[n * pitch + kw], B[n], 32);
    uint32_t fa[32][4], fb[32][2];
    int32_t d[32][4];
    for (int l = 0; l < 32; l++) {
      mma_frag_a(sa, pitch, 0, kw, l, fa[l]);
      mma_frag_b(sb, pitch, 0, kw, l, fb[l]);
    }
    for (int l = 0; l < 32; l++) {
      int32_t c[4];
      for (int i = 0; i < 4; i++) c[i] = C[mma_acc_row(l, i)][mma_acc_col(l, i)];
      mma_model_lane(fa, fb, l, c, d[l]);
    }
    for (int l = 0; l < 32; l++)
      for (int i = 0; i < 4; i++) {
        const int r = mma_acc_row(l, i), c = mma_acc_col(l, i);
        if (d[l][i] != want[r][c] && bad++ < 5)
          fprintf(stderr, "mma model: trial %d lane %d acc %d (row %d col %d) = %d, plain GEMM %d\n", trial, l, i, r, c, d[l][i], want[r][c]);
      }
  }
  if (bad) {
    fprintf(stderr, "mma model: %d wrong accumulators\n", bad);
    return 1;
  }
  printf("mma model: m16n8k32 s8 fragments agree with a plain int32 GEMM (50 random tiles)\n");
  return 0;
}
