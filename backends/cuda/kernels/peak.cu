// Peak probes of the device (nbench peak for GPUs): long chains of one
// instruction per thread, independent enough to fill the pipelines, each
// result checked against the exact value the chain must reach (the
// operands come in as arguments, so nothing folds at compile time).
//
// peak_fma32: 8 chains acc = fma(acc, mul, add) per thread.
// peak_dp4a: 8 chains acc = dp4a(x, y, acc) per thread (4 s8 MACs each).
// peak_mma: per warp 4 accumulator tiles, d += A*B with mma.m16n8k32 s8
// (16*8*32 MACs each), A filled with byte x, B with byte y.
// Each thread writes the sum of its chains to out[global thread id].
#include "common.cuh"
#include "mma.cuh"

// chains8 runs 8 independent chains a = step(a) from 0 for iters steps and
// writes their sum to this thread's out element.
template <class T, class Step>
__device__ __forceinline__ void chains8(T* __restrict__ out, int iters, Step step) {
  T a[8];
#pragma unroll
  for (int j = 0; j < 8; j++) a[j] = T(0);
  for (int i = 0; i < iters; i++) {
#pragma unroll
    for (int j = 0; j < 8; j++) a[j] = step(a[j]);
  }
  T s = T(0);
#pragma unroll
  for (int j = 0; j < 8; j++) s += a[j];
  out[(i64)blockIdx.x * blockDim.x + threadIdx.x] = s;
}

extern "C" __global__ void __launch_bounds__(256) peak_fma32(float* __restrict__ out, int iters, float mul, float add) {
  chains8(out, iters, [=](float a) { return fmaf(a, mul, add); });
}

extern "C" __global__ void __launch_bounds__(256) peak_dp4a(int* __restrict__ out, int iters, int x, int y) {
  chains8(out, iters, [=](int a) { return __dp4a(x, y, a); });
}

extern "C" __global__ void __launch_bounds__(256) peak_mma(int* __restrict__ out, int iters, int x, int y) {
  const unsigned a[4] = {(unsigned)x, (unsigned)x, (unsigned)x, (unsigned)x}, b[2] = {(unsigned)y, (unsigned)y};
  int d[4][4];
#pragma unroll
  for (int j = 0; j < 4; j++)
#pragma unroll
    for (int e = 0; e < 4; e++) d[j][e] = 0;
  for (int i = 0; i < iters; i++) {
#pragma unroll
    for (int j = 0; j < 4; j++) mma_s8_16832(d[j], a, b);
  }
  int s = 0;
#pragma unroll
  for (int j = 0; j < 4; j++)
#pragma unroll
    for (int e = 0; e < 4; e++) s += d[j][e];
  out[(i64)blockIdx.x * blockDim.x + threadIdx.x] = s;
}
